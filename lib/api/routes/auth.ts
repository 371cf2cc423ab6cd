/**
 * Signing in from a browser: POST /auth/session with the key in the
 * Authorization header (once, from the sign-in form) sets the session cookie;
 * from then on the page sends no key at all. Keys are managed under /api-keys.
 */
import { Type } from '@sinclair/typebox';
import { StringEnum } from '../../config/typebox';
import { NoContent, ReqObject, type RoutePlugin } from '../typebox';
import { ADMIN, ANY } from '../auth';
import { ErrorRef, errorResponses } from '../errors';
import { sessionCookie } from '../session';

const tags = ['auth'];
const principal = Type.Object({
  role: Type.Optional(StringEnum(['admin', 'supervisor', 'agent'])),
  agentId: Type.Optional(Type.String()),
  name: Type.Optional(Type.String()),
  keyId: Type.Optional(Type.String()),
  via: Type.Optional(StringEnum(['key', 'session'])),
  expiresAt: Type.Optional(Type.Integer({ description: 'session expiry, epoch ms' })),
});
const keyInfoProps = {
  id: Type.String(),
  role: StringEnum(['admin', 'supervisor', 'agent']),
  agentId: Type.Optional(Type.String()),
  name: Type.Optional(Type.String()),
  prefix: Type.Optional(Type.String({ description: 'the first characters of the key' })),
  createdAt: Type.Optional(Type.Integer()),
  source: StringEnum(['config', 'api'], { description: 'config keys are changed in the configuration, not here' }),
};
const keyInfo = Type.Object(keyInfoProps);
/** A new key's answer: the key itself, shown this once. */
const newKeyInfo = Type.Object({ ...keyInfoProps, key: Type.String() });

export const authRoutes: RoutePlugin = async (app) => {
  app.post(
    '/auth/session',
    {
      config: { roles: ANY },
      schema: {
        tags,
        summary: 'Sign in: send the key once in the Authorization header; the answer sets an HttpOnly, SameSite=Strict session cookie',
        response: { 200: principal, ...errorResponses },
      },
    },
    async (req, reply) => {
      const p = req.principal!;
      const expiresAt = Date.now() + app.sessions.ttlSec * 1000;
      const token = (await app.sessions.signer()).sign({ keyId: p.keyId, exp: expiresAt });
      void reply.header('set-cookie', sessionCookie(token, app.sessions.ttlSec, app.sessions.secure)).header('cache-control', 'no-store');
      return { ...p, via: 'session' as const, expiresAt };
    },
  );

  app.get(
    '/auth/session',
    {
      config: { roles: ANY },
      schema: {
        tags,
        summary: 'Who the caller is (the signed-in key, or the presented one)',
        response: { 200: principal, ...errorResponses },
      },
    },
    async (req) => req.principal!,
  );

  app.delete(
    '/auth/session',
    {
      schema: { tags, summary: 'Sign out: clears the session cookie', response: { 204: NoContent(), 400: ErrorRef } },
    },
    async (_req, reply) =>
      reply
        .header('set-cookie', sessionCookie('', 0, app.sessions.secure))
        .status(204)
        .send(),
  );

  app.post(
    '/api-keys',
    {
      config: { roles: ADMIN },
      schema: {
        tags,
        summary: 'Create an API key; the answer is the only time the key is shown (only its SHA-256 is stored)',
        body: ReqObject(
          {
            role: StringEnum(['admin', 'supervisor', 'agent']),
            agentId: Type.Optional(Type.String({ minLength: 1, description: 'required for role agent: the agent the key acts as' })),
            name: Type.Optional(Type.String({ maxLength: 200 })),
          },
          {
            additionalProperties: false,
          },
        ),
        response: {
          201: newKeyInfo,
          ...errorResponses,
        },
      },
    },
    async (req, reply) => {
      const { key, info } = await app.apiKeys.create(req.body);
      req.log.info({ keyId: info.id, role: info.role, agentId: info.agentId }, 'api key created');
      void reply.status(201).header('cache-control', 'no-store');
      return { ...info, key };
    },
  );

  app.get(
    '/api-keys',
    {
      config: { roles: ADMIN },
      schema: {
        tags,
        summary: 'Every key that opens the API (never the keys themselves)',
        response: { 200: Type.Array(keyInfo), ...errorResponses },
      },
    },
    async () => app.apiKeys.list(),
  );

  app.delete(
    '/api-keys/:id',
    {
      config: { roles: ADMIN },
      schema: {
        tags,
        summary: 'Revoke a key: it and its browser sessions stop working at once, on every node',
        params: ReqObject({ id: Type.String() }),
        response: { 204: NoContent(), ...errorResponses },
      },
    },
    async (req, reply) => {
      await app.apiKeys.revoke(req.params.id);
      req.log.info({ keyId: req.params.id }, 'api key revoked');
      return reply.status(204).send();
    },
  );
};

// Autoloaded with the other route files (lib/api/app.ts).
export default authRoutes;
