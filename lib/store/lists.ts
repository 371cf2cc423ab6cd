/**
 * Contact lists in Redis. Everything of one list shares the hash tag
 * `{l:<id>}` (see keys.ts), so list scripts run on Redis Cluster:
 *   meta      hash: id, name, description, profile, createdAt, counters
 *             (contacts, attempted), sequence counters (tail, headBlock, autoId)
 *   contacts  hash: contact id → record JSON (lib/domain/contact.ts encodeRecord)
 *   phones    hash: normalised number → contact id (duplicate-number guard)
 *   order     zset: contact id by dial-order score (head insertions < 0 < tail)
 *   outcome   hash: contact id → "attempts,lastResult,lastMs,firstMs"
 *   imports   zset: import job ids by start time; jobs at `imports:<jobId>`
 * The deployment-wide index of list ids is `{g}` lists (a different slot, so it
 * is written right after the list's own script; readers tolerate a stale id).
 */
import type { Redis, Result } from 'ioredis';
import type { ProfileName } from '../domain/contact';
import { keys } from './keys';

declare module 'ioredis' {
  interface RedisCommander<Context> {
    listCreate(meta: string, ...fieldValues: string[]): Result<number, Context>;
    listDelete(meta: string, contacts: string, phones: string, order: string, outcome: string, imports: string): Result<number, Context>;
  }
}

export const listKeys = (id: string) => ({
  meta: keys.list(id, 'meta'),
  contacts: keys.list(id, 'contacts'),
  phones: keys.list(id, 'phones'),
  order: keys.list(id, 'order'),
  outcome: keys.list(id, 'outcome'),
  imports: keys.list(id, 'imports'),
});

export const LIST_INDEX = keys.global('lists');
/** Campaign ids using a list; maintained by the campaigns store. */
export const listUsersKey = (listId: string) => keys.global(`list-users:${listId}`);

export interface ContactList {
  id: string;
  name: string;
  description: string;
  profile: ProfileName;
  createdAt: string;
  counts: { contacts: number; attempted: number };
}

export interface NewList {
  id: string;
  name: string;
  description?: string;
  profile: ProfileName;
  createdAt?: Date;
}

export class ListExistsError extends Error {}
export class ListInUseError extends Error {
  constructor(
    readonly listId: string,
    readonly campaigns: string[],
  ) {
    super(`list ${listId} is used by campaign(s) ${campaigns.join(', ')}`);
  }
}

function fromHash(h: Record<string, string>): ContactList | null {
  if (!h.id) return null;
  return {
    id: h.id,
    name: h.name ?? '',
    description: h.description ?? '',
    profile: (h.profile ?? 'default') as ProfileName,
    createdAt: h.createdAt ?? '',
    counts: { contacts: Number(h.contacts ?? 0), attempted: Number(h.attempted ?? 0) },
  };
}

export async function createList(redis: Redis, l: NewList): Promise<ContactList> {
  const createdAt = (l.createdAt ?? new Date()).toISOString();
  const ok = await redis.listCreate(
    listKeys(l.id).meta,
    'id',
    l.id,
    'name',
    l.name,
    'description',
    l.description ?? '',
    'profile',
    l.profile,
    'createdAt',
    createdAt,
    'contacts',
    '0',
    'attempted',
    '0',
  );
  if (!ok) throw new ListExistsError(`list ${l.id} already exists`);
  await redis.zadd(LIST_INDEX, String(Date.parse(createdAt)), l.id);
  return { id: l.id, name: l.name, description: l.description ?? '', profile: l.profile, createdAt, counts: { contacts: 0, attempted: 0 } };
}

export async function getList(redis: Redis, id: string): Promise<ContactList | null> {
  return fromHash(await redis.hgetall(listKeys(id).meta));
}

export async function listExists(redis: Redis, id: string): Promise<boolean> {
  return (await redis.exists(listKeys(id).meta)) === 1;
}

/** Every list, oldest first. */
export async function listLists(redis: Redis): Promise<ContactList[]> {
  const ids = await redis.zrange(LIST_INDEX, '0', '-1');
  const hashes = await Promise.all(ids.map((id) => redis.hgetall(listKeys(id).meta)));
  return hashes.map(fromHash).filter((l): l is ContactList => l !== null);
}

/**
 * Deletes a list for good. Refused while a campaign uses it: the users set
 * lives in the `{g}` slot, which a script of the list's slot may not touch on
 * Redis Cluster, so it is checked right before the list's delete script.
 * (An attach racing this delete finds the list gone through `listExists`.)
 * Returns false when the list did not exist.
 */
export async function deleteList(redis: Redis, id: string): Promise<boolean> {
  const users = await redis.smembers(listUsersKey(id));
  if (users.length > 0) throw new ListInUseError(id, users.sort());
  const k = listKeys(id);
  const existed = await redis.listDelete(k.meta, k.contacts, k.phones, k.order, k.outcome, k.imports);
  await redis.zrem(LIST_INDEX, id);
  return existed === 1;
}
