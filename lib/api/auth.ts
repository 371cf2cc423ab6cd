import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ApiKeyConfig, Role } from '../config';
import { ApiError } from './errors';

export interface Principal {
  role: Role;
  agentId?: string;
  name?: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
  interface FastifyContextConfig {
    /** Roles allowed on the route; omitted = public. */
    roles?: Role[];
  }
}

/** Reads the key from `Authorization: Bearer <key>` or `X-API-Key`. */
function presentedKey(req: FastifyRequest): string | undefined {
  const h = req.headers.authorization;
  if (h && /^Bearer\s+/i.test(h)) return h.replace(/^Bearer\s+/i, '').trim();
  const x = req.headers['x-api-key'];
  if (typeof x === 'string') return x.trim();
  // EventSource cannot send headers: SSE and downloads may pass ?apiKey=.
  const q = (req.query as Record<string, unknown> | undefined)?.apiKey;
  return typeof q === 'string' ? q : undefined;
}

function sameKey(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export function makeAuthenticator(keys: readonly ApiKeyConfig[]) {
  return async function authenticate(req: FastifyRequest, _reply: FastifyReply): Promise<void> {
    const roles = req.routeOptions.config?.roles;
    if (!roles) return;
    const key = presentedKey(req);
    if (!key) throw new ApiError('UNAUTHORIZED', 'missing API key: send "Authorization: Bearer <key>" or "X-API-Key: <key>"');
    const found = keys.find((k) => sameKey(k.key, key));
    if (!found) throw new ApiError('UNAUTHORIZED', 'unknown API key');
    req.principal = { role: found.role, agentId: found.agentId, name: found.name };
    if (!roles.includes(found.role)) {
      throw new ApiError('FORBIDDEN', `this route needs role ${roles.join(' or ')}; the key has role ${found.role}`);
    }
  };
}

/** An agent key may act only on its own agent. */
export function assertSelfOrSupervisor(req: FastifyRequest, agentId: string): void {
  const p = req.principal;
  if (p && p.role === 'agent' && p.agentId !== agentId) {
    throw new ApiError('FORBIDDEN', `an agent key may act only on agent ${p.agentId ?? '(none)'}`);
  }
}

export const newApiKey = () => randomBytes(24).toString('base64url');

/** Shorthands for route configs. */
export const ADMIN: Role[] = ['admin'];
export const SUPERVISOR: Role[] = ['admin', 'supervisor'];
export const ANY: Role[] = ['admin', 'supervisor', 'agent'];
