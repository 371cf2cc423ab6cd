/**
 * Customer search across contact lists (issue 18). The caller gives the lists
 * it may see (sorted ids); a page resumes from a cursor naming a list and a
 * dial-order score within it, so pages stay correct while contacts are added.
 *
 * By number: one HMGET of the list's phone index per list (every stored form
 * of the number, lib/domain/customer-search.ts phoneKeys). By text: the lists
 * are walked in dial order, at most `budget` contacts per request; a request
 * that spends its budget returns what it found with a cursor, so no request
 * reads a whole million-row list at once.
 */
import type { Redis } from 'ioredis';
import { decodeOutcome, decodeRecord, type Contact } from '../domain/contact';
import { contactMatches, foldText } from '../domain/customer-search';
import { listKeys, listUsersKey } from './lists';

/** Where the next page starts: the first list ≥ `list`, after `after` (a dial-order score) in it. */
export interface SearchCursor {
  list: string;
  after?: string;
}

export interface CustomerQuery {
  /** Sorted list ids the caller may search. */
  lists: readonly string[];
  /** Phone index keys (a number search); text filters their hits too when given. */
  phones?: readonly string[];
  text?: string;
  limit: number;
  /** Contacts read at most per text-search request. */
  budget: number;
  cursor?: SearchCursor;
}

export interface CustomerHit {
  listId: string;
  contact: Contact;
  /** Campaigns using the list. */
  campaigns: string[];
}

export interface CustomerPage {
  hits: CustomerHit[];
  next: SearchCursor | null;
  /** Contacts read by a text search (0 for a number search). */
  scanned: number;
}

const CHUNK = 500;

function toContact(id: string, rec: string, out: string | null | undefined): Contact {
  return { id, ...decodeRecord(rec), ...decodeOutcome(out) };
}

export async function searchCustomers(redis: Redis, q: CustomerQuery): Promise<CustomerPage> {
  const start = q.cursor ? q.lists.findIndex((l) => l >= q.cursor!.list) : 0;
  const hits: CustomerHit[] = [];
  const needle = foldText(q.text ?? '');
  let scanned = 0;
  const campaignsOf = async (listId: string) => (await redis.smembers(listUsersKey(listId))).sort();
  if (start < 0) return { hits, next: null, scanned };

  for (let i = start; i < q.lists.length; i++) {
    const listId = q.lists[i]!;
    const k = listKeys(listId);
    if (q.phones) {
      if (hits.length >= q.limit) return { hits, next: { list: listId }, scanned };
      const ids = [...new Set((await redis.hmget(k.phones, ...q.phones)).filter((x): x is string => !!x))];
      for (const id of ids) {
        const [rec, out] = await Promise.all([redis.hget(k.contacts, id), redis.hget(k.outcome, id)]);
        if (rec === null) continue;
        const contact = toContact(id, rec, out);
        if (contactMatches(contact, needle)) hits.push({ listId, contact, campaigns: await campaignsOf(listId) });
      }
      continue;
    }
    let after = q.cursor && i === start && q.cursor.list === listId ? q.cursor.after : undefined;
    let campaigns: string[] | undefined;
    for (;;) {
      if (scanned >= q.budget) return { hits, next: { list: listId, ...(after ? { after } : {}) }, scanned };
      const n = Math.min(CHUNK, q.budget - scanned);
      const flat = await redis.zrangebyscore(k.order, after ? `(${after}` : '-inf', '+inf', 'WITHSCORES', 'LIMIT', 0, n);
      if (flat.length === 0) break;
      const ids: string[] = [];
      for (let j = 0; j < flat.length; j += 2) ids.push(flat[j]!);
      const [recs, outs] = await Promise.all([redis.hmget(k.contacts, ...ids), redis.hmget(k.outcome, ...ids)]);
      for (let j = 0; j < ids.length; j++) {
        scanned++;
        after = flat[2 * j + 1]!;
        const rec = recs[j];
        if (!rec) continue;
        const contact = toContact(ids[j]!, rec, outs[j]);
        if (!contactMatches(contact, needle)) continue;
        campaigns ??= await campaignsOf(listId);
        hits.push({ listId, contact, campaigns });
        if (hits.length >= q.limit) return { hits, next: { list: listId, after }, scanned };
      }
      if (ids.length < n) break;
    }
  }
  return { hits, next: null, scanned };
}
