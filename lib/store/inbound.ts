/**
 * Inbound routes and return calls in Redis (issue 18). Routes live in one
 * deployment-wide hash under `{g}`; a caller is matched through each list's
 * phone index (`{l:<id>}` phones hash, E.164 → contact id) — one key per
 * command, so it runs on Redis Cluster; the link to a campaign's contact state
 * is one script on that campaign's `{c:<id>}` tag (inbound-link.lua).
 */
import { randomUUID } from 'node:crypto';
import type { Redis, Result } from 'ioredis';
import type { InboundRoute, Override } from '../inbound/route';
import { keys } from './keys';
import { LIST_INDEX, listKeys, listUsersKey } from './lists';
import { dialBase } from './dial-queue';
import { getContact } from './contacts';
import type { Contact } from '../domain/contact';

declare module 'ioredis' {
  interface RedisCommander<Context> {
    inboundLink(
      base: string,
      ref: string,
      inboundId: string,
      now: number,
      close: string,
      code: number,
      data: string,
    ): Result<[string, number, string], Context>;
  }
}

export const INBOUND_ROUTES = keys.global('inbound-routes');
export const INBOUND_CALLS = keys.global('inbound-calls');
/** Seed 000's "connected" (retry: false): a return call counts as contact made. */
export const RETURN_CALL_CODE = 20;

export async function putRoute(redis: Redis, r: InboundRoute): Promise<'created' | 'replaced'> {
  const n = await redis.hset(INBOUND_ROUTES, r.did, JSON.stringify(r));
  return n === 1 ? 'created' : 'replaced';
}

export async function getRoute(redis: Redis, did: string): Promise<InboundRoute | null> {
  const v = await redis.hget(INBOUND_ROUTES, did);
  return v ? (JSON.parse(v) as InboundRoute) : null;
}

export async function listRoutes(redis: Redis): Promise<InboundRoute[]> {
  const all = await redis.hgetall(INBOUND_ROUTES);
  return Object.keys(all)
    .sort()
    .map((k) => JSON.parse(all[k]!) as InboundRoute);
}

export async function deleteRoute(redis: Redis, did: string): Promise<boolean> {
  return (await redis.hdel(INBOUND_ROUTES, did)) === 1;
}

/** Sets or clears (undefined) a route's override; null when the route does not exist. */
export async function setOverride(redis: Redis, did: string, o: Override | undefined): Promise<InboundRoute | null> {
  // WATCH/MULTI on one key: a concurrent route replace is not lost.
  for (let i = 0; i < 8; i++) {
    await redis.watch(INBOUND_ROUTES);
    const r = await getRoute(redis, did);
    if (!r) {
      await redis.unwatch();
      return null;
    }
    const next: InboundRoute = { ...r };
    if (o) next.override = o;
    else delete next.override;
    const ok = await redis.multi().hset(INBOUND_ROUTES, did, JSON.stringify(next)).exec();
    if (ok) return next;
  }
  throw new Error(`inbound route ${did} kept changing; override not written`);
}

export interface ContactMatch {
  listId: string;
  contact: Contact;
  campaigns: string[];
}

/** The contacts with this number (E.164) in every list, with the campaigns using each list. */
export async function findContactsByPhone(redis: Redis, e164: string): Promise<ContactMatch[]> {
  const lists = await redis.zrange(LIST_INDEX, '0', '-1');
  const out: ContactMatch[] = [];
  for (const listId of lists) {
    const id = await redis.hget(listKeys(listId).phones, e164);
    if (!id) continue;
    const contact = await getContact(redis, listId, id);
    if (!contact) continue;
    out.push({ listId, contact, campaigns: (await redis.smembers(listUsersKey(listId))).sort() });
  }
  return out;
}

export interface AttemptSummary {
  campaignId: string;
  attemptId: string;
  attemptNo: number;
  code: number;
  at: number;
  type: string;
}

/** The contact's last attempts in a campaign (newest first), read from the newest `scan` history entries. */
export async function lastAttempts(redis: Redis, campaignId: string, ref: string, limit = 5, scan = 5000): Promise<AttemptSummary[]> {
  const rows = await redis.xrevrange(keys.campaign(campaignId, 'history'), '+', '-', 'COUNT', scan);
  const out: AttemptSummary[] = [];
  for (const [, kv] of rows) {
    const f: Record<string, string> = {};
    for (let i = 0; i < kv.length; i += 2) f[kv[i]!] = kv[i + 1]!;
    if (f.ref !== ref) continue;
    out.push({
      campaignId,
      attemptId: f.attemptId ?? f.inboundId ?? '',
      attemptNo: Number(f.attemptNo ?? 0),
      code: Number(f.code || 0),
      at: Number(f.at),
      type: f.type ?? 'attempt',
    });
    if (out.length >= limit) break;
  }
  return out;
}

export type LinkOutcome = 'closed' | 'pending' | 'inflight' | 'done' | 'fresh' | 'unknown';

/** Writes the inbound record into the campaign's history; closes a pending retry when `close`. */
export async function linkInbound(
  redis: Redis,
  campaignId: string,
  ref: string,
  inboundId: string,
  now: number,
  close: boolean,
  data: Record<string, unknown>,
): Promise<{ outcome: LinkOutcome; attempts: number }> {
  const [outcome, attempts] = await redis.inboundLink(
    dialBase(campaignId),
    ref,
    inboundId,
    now,
    close ? '1' : '0',
    RETURN_CALL_CODE,
    JSON.stringify(data),
  );
  return { outcome: outcome as LinkOutcome, attempts: Number(attempts) };
}

export interface InboundCallRecord {
  id: string;
  did: string;
  caller?: string;
  at: number;
  /** routed-to, then what happened: answered by agent, forwarded, message, abandoned, rejected. */
  by: string;
  action: string;
  outcome: string;
  agentId?: string;
  forwardedTo?: string;
  contacts: { listId: string; contactId: string; campaigns: string[] }[];
  retries: { campaignId: string; ref: string; outcome: LinkOutcome }[];
  dnc?: boolean;
  endedAt?: number;
}

export const newInboundId = () => `in-${randomUUID()}`;

/** The inbound call log (a capped stream). */
export async function logInboundCall(redis: Redis, r: InboundCallRecord, max = 100_000): Promise<void> {
  await redis.xadd(INBOUND_CALLS, 'MAXLEN', '~', String(max), '*', 'id', r.id, 'json', JSON.stringify(r));
}

export async function recentInboundCalls(redis: Redis, limit = 100): Promise<InboundCallRecord[]> {
  const rows = await redis.xrevrange(INBOUND_CALLS, '+', '-', 'COUNT', limit);
  return rows.map(([, kv]) => JSON.parse(kv[kv.indexOf('json') + 1]!) as InboundCallRecord);
}

const callKey = (id: string) => keys.global(`inbound-call:${id}`);
/** How long a call's own record stays readable by id (the log keeps it longer). */
const CALL_TTL_S = 7 * 86400;

/** The current state of one inbound call (readable while it runs: the DNC action needs the caller's number). */
export async function putInboundCall(redis: Redis, r: InboundCallRecord): Promise<void> {
  await redis.set(callKey(r.id), JSON.stringify(r), 'EX', CALL_TTL_S);
}

export async function getInboundCall(redis: Redis, id: string): Promise<InboundCallRecord | null> {
  const v = await redis.get(callKey(id));
  return v ? (JSON.parse(v) as InboundCallRecord) : null;
}
