/**
 * Who is calling. A key is presented in `Authorization: Bearer <key>` or
 * `X-API-Key` (scripts), or a browser presents the session cookie it got by
 * signing in once (see ./session.ts). Keys never travel in URLs: a request
 * with `?apiKey=` is refused before anything else, and request logs drop query
 * strings (../log.ts). Keys are compared by SHA-256 only: configured keys are
 * hashed at start, keys made through the API are stored hashed (../store/api-keys.ts).
 */
import { createHash, randomBytes } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { ApiKeyConfig, Role } from '../config';
import type { ApiKeyStore, StoredApiKey } from '../store/api-keys';
import { ApiError } from './errors';

export interface Principal {
  role: Role;
  agentId?: string;
  name?: string;
  /** Id of the key (config keys: `cfg-` + the first hash characters). */
  keyId: string;
  /** How the caller authenticated. */
  via: 'key' | 'session';
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

/**
 * SHA-256 is enough here (no slow KDF): generated keys carry 192 random bits
 * and configured ones at least 16 characters, so the hash cannot be reversed
 * by guessing, and a fast hash keeps every request cheap.
 */
export const hashKey = (key: string) => createHash('sha256').update(key, 'utf8').digest('hex');

export const newApiKey = () => randomBytes(24).toString('base64url');

/** A key as the API lists it: never the key itself. */
export interface ApiKeyInfo {
  id: string;
  role: Role;
  agentId?: string;
  name?: string;
  prefix?: string;
  createdAt?: number;
  source: 'config' | 'api';
}

const toPrincipal = (k: { id: string; role: Role; agentId?: string; name?: string }, via: Principal['via']): Principal => ({
  role: k.role,
  keyId: k.id,
  via,
  ...(k.agentId !== undefined ? { agentId: k.agentId } : {}),
  ...(k.name !== undefined ? { name: k.name } : {}),
});

/**
 * The keys that open the API: those in the configuration (fixed until restart)
 * and those made through `/api-keys` (live: a revoked key stops working on the
 * next request, on every node sharing the Redis).
 */
export class ApiKeyRegistry {
  private readonly configured: Map<string, ApiKeyInfo & { keyHash: string }>;

  constructor(
    configKeys: readonly ApiKeyConfig[],
    private readonly store: ApiKeyStore,
  ) {
    this.configured = new Map();
    for (const k of configKeys) {
      const keyHash = k.keyHash ?? hashKey(k.key!);
      const id = `cfg-${keyHash.slice(0, 12)}`;
      this.configured.set(keyHash, { id, keyHash, role: k.role, agentId: k.agentId, name: k.name, source: 'config' });
    }
  }

  /** The principal for a presented key, or undefined when no key matches. */
  async byKey(key: string, via: Principal['via'] = 'key'): Promise<Principal | undefined> {
    const h = hashKey(key);
    const cfg = this.configured.get(h);
    if (cfg) return toPrincipal(cfg, via);
    const rec = await this.store.byHash(h);
    return rec ? toPrincipal(rec, via) : undefined;
  }

  /** The principal for a key id (a session names its key by id), if the key still exists. */
  async byId(id: string, via: Principal['via']): Promise<Principal | undefined> {
    for (const k of this.configured.values()) if (k.id === id) return toPrincipal(k, via);
    const rec = await this.store.byId(id);
    return rec ? toPrincipal(rec, via) : undefined;
  }

  /** Makes a key; the returned `key` is the only time it exists outside the caller. */
  async create(opts: { role: Role; agentId?: string; name?: string }): Promise<{ key: string; info: ApiKeyInfo }> {
    if (opts.role === 'agent' && !opts.agentId) throw new ApiError('VALIDATION_FAILED', 'body.agentId is required for role agent');
    if (opts.role !== 'agent' && opts.agentId) throw new ApiError('VALIDATION_FAILED', 'body.agentId is only for role agent');
    const key = newApiKey();
    const rec: StoredApiKey = {
      id: `key-${randomBytes(6).toString('hex')}`,
      keyHash: hashKey(key),
      role: opts.role,
      prefix: key.slice(0, 6),
      createdAt: Date.now(),
      ...(opts.agentId !== undefined ? { agentId: opts.agentId } : {}),
      ...(opts.name !== undefined ? { name: opts.name } : {}),
    };
    await this.store.add(rec);
    return { key, info: publicInfo(rec) };
  }

  async list(): Promise<ApiKeyInfo[]> {
    const cfg = [...this.configured.values()].map(({ keyHash: _h, ...rest }) => rest);
    return [...cfg, ...(await this.store.list()).map(publicInfo)];
  }

  async revoke(id: string): Promise<void> {
    if ([...this.configured.values()].some((k) => k.id === id)) {
      throw new ApiError('CONFLICT', `key ${id} comes from the configuration (api.keys); remove it there and restart`);
    }
    if (!(await this.store.revoke(id))) throw new ApiError('NOT_FOUND', `api key ${id} does not exist`);
  }
}

function publicInfo(rec: StoredApiKey): ApiKeyInfo {
  const { keyHash: _h, ...rest } = rec;
  return { ...rest, source: 'api' };
}

/** An agent key may act only on its own agent. */
export function assertSelfOrSupervisor(req: FastifyRequest, agentId: string): void {
  const p = req.principal;
  if (p && p.role === 'agent' && p.agentId !== agentId) {
    throw new ApiError('FORBIDDEN', `an agent key may act only on agent ${p.agentId ?? '(none)'}`);
  }
}

/** Shorthands for route configs. */
export const ADMIN: Role[] = ['admin'];
export const SUPERVISOR: Role[] = ['admin', 'supervisor'];
export const ANY: Role[] = ['admin', 'supervisor', 'agent'];
