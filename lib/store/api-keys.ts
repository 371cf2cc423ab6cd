/**
 * API keys created through the API, stored hashed: Redis never holds a key,
 * only its SHA-256, so a copy of the store grants nothing. Two hashes under the
 * deployment-wide tag: id → record (with the hash), hash → id (the lookup on
 * every authenticated request). Both change together in MULTI.
 */
import type { Redis } from 'ioredis';
import { keys } from './keys';
import type { Role } from '../config';

export interface StoredApiKey {
  id: string;
  keyHash: string;
  role: Role;
  agentId?: string;
  name?: string;
  /** The first characters of the key, so a person can tell keys apart. */
  prefix: string;
  createdAt: number;
}

const K = {
  byId: keys.global('api-keys'),
  byHash: keys.global('api-key-hashes'),
  secret: keys.global('session-secret'),
};

export class ApiKeyStore {
  constructor(private readonly redis: Redis) {}

  async add(rec: StoredApiKey): Promise<void> {
    await this.redis.multi().hset(K.byId, rec.id, JSON.stringify(rec)).hset(K.byHash, rec.keyHash, rec.id).exec();
  }

  async byHash(keyHash: string): Promise<StoredApiKey | undefined> {
    const id = await this.redis.hget(K.byHash, keyHash);
    return id ? this.byId(id) : undefined;
  }

  async byId(id: string): Promise<StoredApiKey | undefined> {
    const raw = await this.redis.hget(K.byId, id);
    return raw ? (JSON.parse(raw) as StoredApiKey) : undefined;
  }

  async list(): Promise<StoredApiKey[]> {
    const all = await this.redis.hvals(K.byId);
    return all.map((r) => JSON.parse(r) as StoredApiKey).sort((a, b) => a.createdAt - b.createdAt);
  }

  /** Removes the key; false when there was none with this id. */
  async revoke(id: string): Promise<boolean> {
    const rec = await this.byId(id);
    if (!rec) return false;
    await this.redis.multi().hdel(K.byId, id).hdel(K.byHash, rec.keyHash).exec();
    return true;
  }

  /**
   * The secret that signs browser sessions, shared by every dialer node on
   * this Redis (SET NX: the first node to start picks it).
   */
  async sessionSecret(candidate: string): Promise<string> {
    await this.redis.set(K.secret, candidate, 'NX');
    return (await this.redis.get(K.secret)) ?? candidate;
  }
}
