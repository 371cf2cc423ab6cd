/**
 * Contacts of a list in Redis (layout in lists.ts). Writes are Lua scripts on
 * the list's hash tag: batches are atomic, duplicate ids and numbers are
 * refused inside the script, so concurrent imports cannot slip a duplicate in.
 *
 * Dial order is a zset score: tail insertions take 1, 2, 3 …; a head insertion
 * (seed 003's "put at the head of the list") takes a new block number b ≤ −1
 * and scores b·2³² + position, so the newest head block comes first and keeps
 * its own row order. Scores stay exact in a double up to 2²⁰ head blocks.
 */
import type { Redis, Result } from 'ioredis';
import { decodeOutcome, decodeRecord, type Contact } from '../domain/contact';
import { listKeys } from './lists';

declare module 'ioredis' {
  interface RedisCommander<Context> {
    contactsAdd(
      meta: string,
      contacts: string,
      phones: string,
      order: string,
      pending: string,
      ...args: (string | number | Buffer)[]
    ): Result<(string | number)[], Context>;
    contactsCommit(meta: string, order: string, pending: string, count: number): Result<number, Context>;
    contactsRollback(contacts: string, phones: string, pending: string, count: number): Result<number, Context>;
    contactOutcome(
      meta: string,
      contacts: string,
      outcome: string,
      id: string,
      code: number,
      atMs: number,
      mode?: 'recode',
    ): Result<number, Context>;
    contactDelete(meta: string, contacts: string, phones: string, order: string, outcome: string, id: string): Result<number, Context>;
  }
}

const HEAD_BLOCK = 2 ** 32;

/** One validated row ready to store: id ('' = generate), normalised phone, encoded record. */
export interface StoredRow {
  id: string;
  phone: string;
  record: string;
}

export type RowStatus = { ok: true; id: string } | { ok: false; id: string; reason: 'dup-id' | 'dup-phone' | 'unwritten'; holder?: string };

export interface AddOptions {
  /** Put the rows first in the dial order. */
  head?: boolean;
  /** From `reserveHeadBlock`; required with head. */
  headBase?: number;
  /** Position of the first row within the head block. */
  seqStart?: number;
  /** Write nothing when any row is refused. */
  atomic?: boolean;
  /** Reserve the rows in this pending zset (an all-or-nothing import) instead of the dial order. */
  pendingKey?: string;
}

/** A new head-insertion block for the list; rows of one block keep their order. */
export async function reserveHeadBlock(redis: Redis, listId: string): Promise<number> {
  const b = await redis.hincrby(listKeys(listId).meta, 'headBlock', -1);
  return b * HEAD_BLOCK;
}

/** Adds validated rows in one script call; returns one status per row, in order. */
export async function addContacts(
  redis: Redis,
  listId: string,
  rows: readonly StoredRow[],
  opts: AddOptions = {},
): Promise<{ written: number; statuses: RowStatus[] }> {
  const out = await redis.contactsAdd(...contactsAddArgs(listId, rows, opts));
  return { written: Number(out[0]), statuses: parseStatuses(out) };
}

/** One row as the `contactsAdd` script reads it: id US phone US record (ids and numbers hold no control characters; JSON escapes them). */
export function packRow(id: string, phone: string, record: string): string {
  return id + '\x1f' + phone + '\x1f' + record;
}

/** Arguments of the `contactsAdd` script (parse the reply with `parseStatuses`). */
export function contactsAddArgs(
  listId: string,
  rows: readonly StoredRow[],
  opts: AddOptions,
): [string, string, string, string, string, ...(string | number | Buffer)[]] {
  let packed = '';
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]!;
    packed += (i ? '\x1e' : '') + packRow(r.id, r.phone, r.record);
  }
  return contactsAddPackedArgs(listId, packed, opts);
}

/**
 * Arguments of the `contactsAdd` script for rows already packed (`packRow`
 * joined by RS). With `failuresOnly` the reply lists only refused rows (parse
 * it with `parseFailures`): a million-row import then reads back a few
 * values per batch instead of two per row.
 */
export function contactsAddPackedArgs(
  listId: string,
  packed: string | Buffer,
  opts: AddOptions & { failuresOnly?: boolean },
): [string, string, string, string, string, ...(string | number | Buffer)[]] {
  const k = listKeys(listId);
  return [
    k.meta,
    k.contacts,
    k.phones,
    k.order,
    opts.pendingKey ?? k.order,
    opts.atomic ? '1' : '0',
    opts.head ? 'head' : 'tail',
    opts.headBase ?? 0,
    opts.seqStart ?? 0,
    opts.pendingKey ? '1' : '0',
    packed,
    opts.failuresOnly ? '1' : '0',
  ];
}

/** A refused row of a `failuresOnly` reply: its index in the batch. */
export type RowFailure = { index: number } & Extract<RowStatus, { ok: false }>;

/** Reply of a `failuresOnly` call: rows written, and the refused ones. */
export function parseFailures(out: (string | number)[]): { written: number; failures: RowFailure[] } {
  const failures: RowFailure[] = [];
  for (let i = 1; i < out.length; i += 3) {
    const st = String(out[i + 1]);
    const base = { index: Number(out[i]) - 1, id: String(out[i + 2]) };
    if (st.startsWith('dup-phone:')) failures.push({ ...base, ok: false, reason: 'dup-phone', holder: st.slice(10) });
    else failures.push({ ...base, ok: false, reason: st as 'dup-id' | 'unwritten' });
  }
  return { written: Number(out[0]), failures };
}

export function parseStatuses(out: (string | number)[]): RowStatus[] {
  const statuses: RowStatus[] = [];
  for (let i = 1; i < out.length; i += 2) {
    const st = String(out[i]);
    const id = String(out[i + 1]);
    if (st === 'ok') statuses.push({ ok: true, id });
    else if (st.startsWith('dup-phone:')) statuses.push({ ok: false, id, reason: 'dup-phone', holder: st.slice(10) });
    else statuses.push({ ok: false, id, reason: st as 'dup-id' | 'unwritten' });
  }
  return statuses;
}

/** Moves an all-or-nothing import's reserved rows into the dial order, in chunks. */
export async function commitPending(redis: Redis, listId: string, pendingKey: string, chunk = 10000): Promise<void> {
  const k = listKeys(listId);
  while ((await redis.contactsCommit(k.meta, k.order, pendingKey, chunk)) > 0);
}

/** Removes an all-or-nothing import's reserved rows, in chunks. */
export async function rollbackPending(redis: Redis, listId: string, pendingKey: string, chunk = 10000): Promise<void> {
  const k = listKeys(listId);
  while ((await redis.contactsRollback(k.contacts, k.phones, pendingKey, chunk)) > 0);
}

function toContact(id: string, record: string, outcome: string | null | undefined): Contact {
  return { id, ...decodeRecord(record), ...decodeOutcome(outcome) };
}

/** One contact with its outcome fields, or null. */
export async function getContact(redis: Redis, listId: string, contactId: string): Promise<Contact | null> {
  const k = listKeys(listId);
  const [rec, out] = await Promise.all([redis.hget(k.contacts, contactId), redis.hget(k.outcome, contactId)]);
  return rec === null ? null : toContact(contactId, rec, out);
}

export interface ContactPage {
  contacts: Contact[];
  /** Pass back as `after` for the next page; null at the end. */
  next: string | null;
}

/**
 * One page of a list's contacts in dial order, after the cursor (a score from
 * a previous page). Score cursors stay correct while contacts are added.
 */
export async function pageContacts(
  redis: Redis,
  listId: string,
  opts: { after?: string | null; limit?: number } = {},
): Promise<ContactPage> {
  const k = listKeys(listId);
  const limit = opts.limit ?? 100;
  const min = opts.after ? `(${opts.after}` : '-inf';
  const flat = await redis.zrangebyscore(k.order, min, '+inf', 'WITHSCORES', 'LIMIT', 0, limit);
  if (flat.length === 0) return { contacts: [], next: null };
  const ids: string[] = [];
  for (let i = 0; i < flat.length; i += 2) ids.push(flat[i]!);
  const [recs, outs] = await Promise.all([redis.hmget(k.contacts, ...ids), redis.hmget(k.outcome, ...ids)]);
  const contacts: Contact[] = [];
  ids.forEach((id, i) => {
    const rec = recs[i];
    if (rec) contacts.push(toContact(id, rec, outs[i]));
  });
  return { contacts, next: ids.length < limit ? null : flat[flat.length - 1]! };
}

/** Every contact of a list in dial order, fetched page by page. */
export async function* iterateContacts(redis: Redis, listId: string, pageSize = 1000): AsyncGenerator<Contact> {
  let after: string | null = null;
  do {
    const page: ContactPage = await pageContacts(redis, listId, { after, limit: pageSize });
    yield* page.contacts;
    after = page.next;
  } while (after !== null);
}

/**
 * Records one attempt's result on a contact (the dialer runtime calls this as
 * an attempt closes): attempts+1, lastResult, lastAttemptAt, firstAttemptAt if
 * unset. Returns the new attempt count; throws if the contact does not exist.
 */
export async function recordContactOutcome(
  redis: Redis,
  listId: string,
  contactId: string,
  o: { code: number; at: Date | number },
): Promise<number> {
  const k = listKeys(listId);
  const at = typeof o.at === 'number' ? o.at : o.at.getTime();
  const n = await redis.contactOutcome(k.meta, k.contacts, k.outcome, contactId, o.code, at);
  if (n < 0) throw new Error(`contact ${contactId} does not exist in list ${listId}`);
  return n;
}

/** Replaces the result of the contact's last recorded attempt (an agent re-coded it); nothing is counted. */
export async function recodeContactOutcome(redis: Redis, listId: string, contactId: string, code: number): Promise<void> {
  const k = listKeys(listId);
  const n = await redis.contactOutcome(k.meta, k.contacts, k.outcome, contactId, code, 0, 'recode');
  if (n < 0) throw new Error(`contact ${contactId} does not exist in list ${listId}`);
}

/** Removes one contact; false when it did not exist. */
export async function deleteContact(redis: Redis, listId: string, contactId: string): Promise<boolean> {
  const k = listKeys(listId);
  return (await redis.contactDelete(k.meta, k.contacts, k.phones, k.order, k.outcome, contactId)) === 1;
}
