/**
 * Authentication as a fastify-plugin (not encapsulated: its hook guards every
 * route, and `app.apiKeys` / `app.sessions` are there for the auth routes).
 * Routes declare `config: { roles }`; a route without roles is public.
 * Owns nothing to close: keys and the session secret live in the caller's Redis.
 */
import { randomBytes } from 'node:crypto';
import fp from 'fastify-plugin';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiKeyStore } from '../../../store/api-keys';
import { ApiKeyRegistry, type Principal } from '../../auth';
import { ApiError } from '../../errors';
import { SESSION_COOKIE, SessionSigner, readCookie } from '../../session';

export interface Sessions {
  /** The signer, made on first use from the secret shared through Redis. */
  signer(): Promise<SessionSigner>;
  ttlSec: number;
  secure: boolean;
}

declare module 'fastify' {
  interface FastifyInstance {
    apiKeys: ApiKeyRegistry;
    sessions: Sessions;
  }
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Reads a key from `Authorization: Bearer <key>` or `X-API-Key`. */
function headerKey(req: FastifyRequest): string | undefined {
  const h = req.headers.authorization;
  if (h && /^Bearer\s+/i.test(h)) return h.replace(/^Bearer\s+/i, '').trim();
  const x = req.headers['x-api-key'];
  return typeof x === 'string' ? x.trim() : undefined;
}

async function authPlugin(app: FastifyInstance): Promise<void> {
  const store = new ApiKeyStore(app.redis);
  const registry = new ApiKeyRegistry(app.config.api.keys, store);
  let signer: Promise<SessionSigner> | undefined;
  app.decorate('apiKeys', registry);
  app.decorate('sessions', {
    signer: () => (signer ??= store.sessionSecret(randomBytes(32).toString('base64url')).then((s) => new SessionSigner(s))),
    ttlSec: app.config.api.sessionTtlSec,
    secure: app.config.api.secureCookie,
  });
  const limiter = app.authFailures;

  const sessionPrincipal = async (req: FastifyRequest, token: string): Promise<Principal> => {
    const claims = (await app.sessions.signer()).verify(token, Date.now());
    const p = claims && (await registry.byId(claims.keyId, 'session'));
    if (!p) throw new ApiError('UNAUTHORIZED', 'the session has expired or its key was revoked; sign in again');
    // SameSite=Strict already keeps other sites' requests cookie-less; a foreign Origin is refused as well.
    const origin = req.headers.origin;
    if (UNSAFE.has(req.method) && origin && origin !== 'null' && new URL(origin).host !== req.headers.host) {
      throw new ApiError('FORBIDDEN', `cross-origin ${req.method} with a session cookie is refused (Origin ${origin})`);
    }
    return p;
  };

  app.addHook('onRequest', async (req) => {
    if (req.query && typeof req.query === 'object' && 'apiKey' in req.query) {
      throw new ApiError(
        'BAD_REQUEST',
        'API keys are not accepted in URLs (URLs end up in logs and browser history): send "Authorization: Bearer <key>", or sign in with POST /auth/session',
      );
    }
    const roles = req.routeOptions.config?.roles;
    if (!roles) return;
    const now = Date.now();
    if (limiter.blocked(req.ip, now))
      throw new ApiError('TOO_MANY_REQUESTS', 'too many failed authentications from this address; wait a minute');
    let principal: Principal | undefined;
    try {
      const key = headerKey(req);
      const token = key === undefined ? readCookie(req.headers.cookie, SESSION_COOKIE) : undefined;
      if (key !== undefined) {
        principal = await registry.byKey(key);
        if (!principal) throw new ApiError('UNAUTHORIZED', 'unknown API key');
      } else if (token) {
        principal = await sessionPrincipal(req, token);
      } else {
        throw new ApiError(
          'UNAUTHORIZED',
          'missing API key: send "Authorization: Bearer <key>" or "X-API-Key: <key>", or sign in with POST /auth/session',
        );
      }
    } catch (err) {
      if (err instanceof ApiError && err.code === 'UNAUTHORIZED') limiter.fail(req.ip, now);
      throw err;
    }
    req.principal = principal;
    if (!roles.includes(principal.role)) {
      throw new ApiError('FORBIDDEN', `this route needs role ${roles.join(' or ')}; the key has role ${principal.role}`);
    }
  });
}

export default fp(authPlugin, { name: 'auth', dependencies: ['auth-failures'], decorators: { fastify: ['config', 'redis'] } });
