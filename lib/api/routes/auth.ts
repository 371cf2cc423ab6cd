/**
 * Signing in from a browser: POST /auth/session with the key in the
 * Authorization header (once, from the sign-in form) sets the session cookie;
 * from then on the page sends no key at all. Keys are managed under /api-keys.
 */
import { Type } from '@sinclair/typebox';
import { StringEnum } from '../../config/typebox';
import { ReqObject, type RoutePlugin } from '../typebox';
import { ADMIN, ANY } from '../auth';
import { ErrorRef, errorResponses } from '../errors';
import { sessionCookie } from '../session';

const tags = ['auth'];
const principal = {
  type: 'object',
  properties: {
    role: { type: 'string', enum: ['admin', 'supervisor', 'agent'] },
    agentId: { type: 'string' },
    name: { type: 'string' },
    keyId: { type: 'string' },
    via: { type: 'string', enum: ['key', 'session'] },
    expiresAt: { type: 'integer', description: 'session expiry, epoch ms' },
  },
} as const;
const keyInfo = {
  type: 'object',
  required: ['id', 'role', 'source'],
  properties: {
    id: { type: 'string' },
    role: { type: 'string', enum: ['admin', 'supervisor', 'agent'] },
    agentId: { type: 'string' },
    name: { type: 'string' },
    prefix: { type: 'string', description: 'the first characters of the key' },
    createdAt: { type: 'integer' },
    source: { type: 'string', enum: ['config', 'api'], description: 'config keys are changed in the configuration, not here' },
  },
} as const;

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
      return { ...p, via: 'session', expiresAt };
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
      schema: { tags, summary: 'Sign out: clears the session cookie', response: { 204: { type: 'null' }, 400: ErrorRef } },
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
          201: { ...keyInfo, required: [...keyInfo.required, 'key'], properties: { ...keyInfo.properties, key: { type: 'string' } } },
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
        response: { 200: { type: 'array', items: keyInfo }, ...errorResponses },
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
        response: { 204: { type: 'null' }, ...errorResponses },
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
