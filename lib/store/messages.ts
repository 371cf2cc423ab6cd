/**
 * Messages (SMS / e-mail) in Redis. Each message lives under the hash tag of
 * its scope — a message campaign `{m:<id>}` or the trigger API's `{m:~}` — so
 * its record, the scope's counters and the pending set change in one script:
 *   m:{m:<s>}:campaign   hash: campaign doc/state (campaigns only), cursor, counters
 *   m:{m:<s>}:messages   hash: message id → record JSON
 *   m:{m:<s>}:order      zset: message ids by creation time (reports, exports)
 *   m:{m:<s>}:pending    zset: queued messages the channel has not answered yet
 *   m:{m:<s>}:claims     hash: queued message id → "owner|claimed or sending|until ms" (msg-claim.lua)
 * and deployment-wide under `{g}`: provider id → message id (receipts), the
 * last message per recipient (threading), idempotency keys, opt-out records
 * and the inbound stream. A message id is `<scope>.<random>`, so its scope is
 * known from the id alone.
 */
import { randomBytes } from 'node:crypto';
import type { Redis, Result } from 'ioredis';
import { keys } from './keys';

declare module 'ioredis' {
  interface RedisCommander<Context> {
    msgPut(
      stats: string,
      messages: string,
      order: string,
      pending: string,
      id: string,
      json: string,
      status: string,
      atMs: number,
      cursor: string,
      expect: string,
    ): Result<number, Context>;
    msgUpdate(
      stats: string,
      messages: string,
      pending: string,
      id: string,
      op: 'status' | 'reply',
      status: string,
      patch: string,
      history: string,
    ): Result<string, Context>;
    msgLease(lease: string, owner: string, ttlMs: number): Result<number, Context>;
    msgClaim(
      pending: string,
      claims: string,
      op: ClaimOp,
      id: string,
      owner: string,
      nowMs: number,
      ttlMs: number,
    ): Result<string, Context>;
  }
}

export const ADHOC_SCOPE = '~';

export const MESSAGE_STATUSES = ['queued', 'skipped', 'accepted', 'rejected', 'delivered', 'failed'] as const;
export type MessageStatus = (typeof MESSAGE_STATUSES)[number];

export interface HistoryEntry {
  status: string;
  at: string;
  detail?: string;
}

export interface ReplyInfo {
  body: string;
  at: string;
  action: string;
}

export interface MessageRecord {
  id: string;
  /** Message campaign id, or null for a triggered message. */
  campaignId: string | null;
  kind: 'sms' | 'email';
  channel: string;
  to: string;
  from?: string;
  subject?: string;
  body: string;
  contactId?: string;
  listId?: string;
  status: MessageStatus;
  createdAt: string;
  statusAt: string;
  providerId?: string;
  error?: string;
  skipReason?: string;
  warning?: string;
  idempotencyKey?: string;
  /** An automatic answer to an inbound message (keyword reply), and the message it answers. */
  autoReplyTo?: string;
  /** Provider id of the inbound message an automatic answer replies to. */
  inReplyTo?: string;
  replies: number;
  lastReply?: ReplyInfo;
  history: HistoryEntry[];
}

export const messageKeys = (scope: string) => ({
  stats: `m:{m:${scope}}:campaign`,
  messages: `m:{m:${scope}}:messages`,
  order: `m:{m:${scope}}:order`,
  pending: `m:{m:${scope}}:pending`,
  lease: `m:{m:${scope}}:lease`,
  claims: `m:{m:${scope}}:claims`,
});

export const msgGlobal = {
  provider: keys.global('msg-provider'),
  thread: keys.global('msg-thread'),
  idem: (key: string) => keys.global(`msg-idem:${key}`),
  optout: keys.global('msg-optout'),
  inbound: keys.global('msg-inbound'),
  campaigns: keys.global('msg-campaigns'),
};

export const scopeOf = (campaignId: string | null | undefined) => campaignId || ADHOC_SCOPE;
export const newMessageId = (campaignId: string | null | undefined) => `${scopeOf(campaignId)}.${randomBytes(9).toString('base64url')}`;
export const scopeOfMessage = (id: string) => id.slice(0, id.lastIndexOf('.'));

/** Writes a new message in its first status; with `cursor`, moves the campaign's cursor from `expect` atomically. */
export async function putMessage(
  redis: Redis,
  rec: MessageRecord,
  cursor?: { to: string; expect: string },
): Promise<'ok' | 'raced' | 'exists'> {
  const k = messageKeys(scopeOf(rec.campaignId));
  const r = await redis.msgPut(
    k.stats,
    k.messages,
    k.order,
    k.pending,
    rec.id,
    JSON.stringify(rec),
    rec.status,
    Date.parse(rec.createdAt),
    cursor?.to ?? '',
    cursor?.expect ?? '',
  );
  return r === 1 ? 'ok' : r === 0 ? 'raced' : 'exists';
}

/** Moves a message forward; null when the move is not allowed (already further) or the message is unknown. */
export async function updateStatus(
  redis: Redis,
  id: string,
  status: MessageStatus,
  patch: Partial<MessageRecord>,
  history: HistoryEntry,
): Promise<MessageRecord | null> {
  const k = messageKeys(scopeOfMessage(id));
  const r = await redis.msgUpdate(k.stats, k.messages, k.pending, id, 'status', status, JSON.stringify(patch), JSON.stringify(history));
  return r.startsWith('{') ? (JSON.parse(r) as MessageRecord) : null;
}

/** Records a reply on the message it threads to. */
export async function recordReply(redis: Redis, id: string, reply: ReplyInfo): Promise<MessageRecord | null> {
  const k = messageKeys(scopeOfMessage(id));
  const r = await redis.msgUpdate(
    k.stats,
    k.messages,
    k.pending,
    id,
    'reply',
    '',
    JSON.stringify({ lastReply: reply }),
    JSON.stringify({ status: 'reply', at: reply.at, detail: `${reply.action}: ${reply.body.slice(0, 100)}` }),
  );
  return r.startsWith('{') ? (JSON.parse(r) as MessageRecord) : null;
}

export async function getMessage(redis: Redis, id: string): Promise<MessageRecord | null> {
  if (!id.includes('.')) return null;
  const json = await redis.hget(messageKeys(scopeOfMessage(id)).messages, id);
  return json ? (JSON.parse(json) as MessageRecord) : null;
}

/** Messages of a scope in creation order, page by page (offset-based; records are never removed). */
export async function pageMessages(
  redis: Redis,
  campaignId: string | null,
  opts: { offset?: number; limit?: number; status?: MessageStatus } = {},
): Promise<{ messages: MessageRecord[]; total: number }> {
  const k = messageKeys(scopeOf(campaignId));
  const limit = opts.limit ?? 100;
  const total = await redis.zcard(k.order);
  const out: MessageRecord[] = [];
  let offset = opts.offset ?? 0;
  // Filtering by status reads on until the page is full.
  while (out.length < limit && offset < total) {
    const ids = await redis.zrange(k.order, String(offset), String(offset + Math.max(limit, 500) - 1));
    offset += ids.length;
    if (!ids.length) break;
    const recs = await redis.hmget(k.messages, ...ids);
    for (const j of recs) {
      if (!j) continue;
      const m = JSON.parse(j) as MessageRecord;
      if (!opts.status || m.status === opts.status) out.push(m);
      if (out.length >= limit) break;
    }
    if (!opts.status) break;
  }
  return { messages: out, total };
}

/** Every message of a scope, oldest first. */
export async function* iterateMessages(redis: Redis, campaignId: string | null, pageSize = 500): AsyncGenerator<MessageRecord> {
  const k = messageKeys(scopeOf(campaignId));
  for (let offset = 0; ; offset += pageSize) {
    const ids = await redis.zrange(k.order, String(offset), String(offset + pageSize - 1));
    if (!ids.length) return;
    for (const j of await redis.hmget(k.messages, ...ids)) if (j) yield JSON.parse(j) as MessageRecord;
  }
}

export const COUNTERS = [
  'created',
  'processed',
  'accepted',
  'rejected',
  'skipped',
  'delivered',
  'failed',
  'replies',
  'optouts',
  'optins',
] as const;
export type Counters = Record<(typeof COUNTERS)[number], number>;

export async function getCounters(redis: Redis, campaignId: string | null): Promise<Counters> {
  const vals = await redis.hmget(messageKeys(scopeOf(campaignId)).stats, ...COUNTERS);
  return Object.fromEntries(COUNTERS.map((c, i) => [c, Number(vals[i] ?? 0)])) as Counters;
}

export async function pendingIds(redis: Redis, campaignId: string | null): Promise<string[]> {
  return redis.zrange(messageKeys(scopeOf(campaignId)).pending, '0', '-1');
}

// ---- deployment-wide indexes ------------------------------------------------

export async function mapProvider(redis: Redis, channel: string, providerId: string, id: string): Promise<void> {
  await redis.hset(msgGlobal.provider, `${channel}:${providerId}`, id);
}
export async function byProvider(redis: Redis, channel: string, providerId: string): Promise<string | null> {
  return redis.hget(msgGlobal.provider, `${channel}:${providerId}`);
}

export interface ThreadHead {
  id: string;
  campaignId: string | null;
  at: number;
}
/** Remembers the last message sent to a recipient (threading of replies). */
export async function setThreadHead(redis: Redis, address: string, head: ThreadHead): Promise<void> {
  await redis.hset(msgGlobal.thread, address, JSON.stringify(head));
}
export async function getThreadHead(redis: Redis, address: string): Promise<ThreadHead | null> {
  const j = await redis.hget(msgGlobal.thread, address);
  return j ? (JSON.parse(j) as ThreadHead) : null;
}

/**
 * Claims an idempotency key for a new message: returns null when claimed, or
 * what the key already holds ("<messageId>|<request fingerprint>").
 */
export async function claimIdempotencyKey(redis: Redis, key: string, value: string, ttlSec: number): Promise<string | null> {
  const ok = await redis.set(msgGlobal.idem(key), value, 'EX', ttlSec, 'NX');
  return ok ? null : redis.get(msgGlobal.idem(key));
}
export async function releaseIdempotencyKey(redis: Redis, key: string): Promise<void> {
  await redis.del(msgGlobal.idem(key));
}

export async function bumpCounter(redis: Redis, campaignId: string | null, counter: 'optouts' | 'optins'): Promise<void> {
  await redis.hincrby(messageKeys(scopeOf(campaignId)).stats, counter, 1);
}

export async function takeLease(redis: Redis, campaignId: string, owner: string, ttlMs: number): Promise<boolean> {
  return (await redis.msgLease(messageKeys(campaignId).lease, owner, ttlMs)) === 1;
}
export async function dropLease(redis: Redis, campaignId: string, owner: string): Promise<void> {
  const k = messageKeys(campaignId).lease;
  if ((await redis.get(k)) === owner) await redis.del(k);
}

// ---- send claims (crash recovery of queued messages, msg-claim.lua) ------------

export type ClaimOp = 'claim' | 'sending' | 'renew' | 'drop';
export type ClaimResult = 'claimed' | 'held' | 'done' | 'unknown' | 'ok' | 'lost';

/** One step of a queued message's send claim; see msg-claim.lua for the answers. */
export async function claimStep(redis: Redis, op: ClaimOp, id: string, owner: string, nowMs: number, ttlMs: number): Promise<ClaimResult> {
  const k = messageKeys(scopeOfMessage(id));
  return (await redis.msgClaim(k.pending, k.claims, op, id, owner, nowMs, ttlMs)) as ClaimResult;
}

/** Queued messages of a scope created before `beforeMs` (the recovery sweep's candidates). */
export async function pendingBefore(redis: Redis, campaignId: string | null, beforeMs: number, limit: number): Promise<string[]> {
  return redis.zrangebyscore(messageKeys(scopeOf(campaignId)).pending, '-inf', beforeMs, 'LIMIT', 0, limit);
}
