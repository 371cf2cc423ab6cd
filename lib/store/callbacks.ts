/**
 * Callbacks (seed 001's callback list): an agent promises to call a customer
 * back at a time; owned by that agent, or open to anyone in the campaign's
 * groups; supervisors reassign and reschedule. Stored per campaign under its
 * hash tag so the runner can claim due ones atomically:
 *   c:{c:<id>}:callbacks          ZSET of scheduled callback ids by due time
 *   c:{c:<id>}:callbacks-all      ZSET of every callback id by creation time
 *   c:{c:<id>}:callback:<cbId>    HASH doc (JSON), state, ver
 * Do-not-call and calling hours are checked by the runner at dial time (a
 * callback is a call like any other); the API also refuses to schedule one on
 * a listed number.
 */
import { randomUUID } from 'node:crypto';
import type { Redis, Result } from 'ioredis';
import { keys } from './keys';

declare module 'ioredis' {
  interface RedisCommander<Context> {
    callbackPut(
      hash: string,
      due: string,
      all: string,
      expectVer: string,
      id: string,
      doc: string,
      state: string,
      dueAt: string,
      createdAt: string,
    ): Result<number, Context>;
    callbackClaim(hash: string, due: string, id: string, now: string): Result<string | null, Context>;
  }
}

export const CALLBACK_STATES = ['scheduled', 'claimed', 'done', 'cancelled'] as const;
export type CallbackState = (typeof CALLBACK_STATES)[number];

export interface Callback {
  id: string;
  campaignId: string;
  /** E.164, normalised like contacts. */
  phone: string;
  listId?: string;
  contactId?: string;
  name?: string;
  note?: string;
  /** When to call (epoch ms). */
  dueAt: number;
  /** The agent who promised it; null = open to anyone in the campaign's groups. When due, the owner is offered the call first. */
  owner: string | null;
  state: CallbackState;
  createdBy: string;
  createdAt: number;
  updatedAt: number;
  claimedAt?: number;
  /** The attempt that carried it out, and how it ended. */
  attemptId?: string;
  resultCode?: number;
}

export const callbackKeys = {
  due: (cid: string) => keys.campaign(cid, 'callbacks'),
  all: (cid: string) => keys.campaign(cid, 'callbacks-all'),
  one: (cid: string, id: string) => keys.campaign(cid, `callback:${id}`),
};

export class CallbackConflictError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CallbackConflictError';
  }
}

async function read(redis: Redis, cid: string, id: string): Promise<{ cb: Callback; ver: number } | null> {
  const h = await redis.hgetall(callbackKeys.one(cid, id));
  if (!h.doc) return null;
  return { cb: JSON.parse(h.doc) as Callback, ver: Number(h.ver) };
}

async function put(redis: Redis, cb: Callback, expectVer: number): Promise<boolean> {
  const v = await redis.callbackPut(
    callbackKeys.one(cb.campaignId, cb.id),
    callbackKeys.due(cb.campaignId),
    callbackKeys.all(cb.campaignId),
    String(expectVer),
    cb.id,
    JSON.stringify(cb),
    cb.state,
    String(cb.dueAt),
    String(cb.createdAt),
  );
  return v > 0;
}

export type CallbackInput = Pick<Callback, 'campaignId' | 'phone' | 'dueAt' | 'owner' | 'createdBy'> &
  Partial<Pick<Callback, 'listId' | 'contactId' | 'name' | 'note'>>;

export async function createCallback(redis: Redis, input: CallbackInput, now: number): Promise<Callback> {
  const cb: Callback = { ...input, id: randomUUID(), state: 'scheduled', createdAt: now, updatedAt: now };
  if (!(await put(redis, cb, 0))) throw new CallbackConflictError(`callback ${cb.id} already exists`);
  return cb;
}

export async function getCallback(redis: Redis, campaignId: string, id: string): Promise<Callback | null> {
  return (await read(redis, campaignId, id))?.cb ?? null;
}

/** A campaign's callbacks, oldest first, optionally filtered. */
export async function listCallbacks(
  redis: Redis,
  campaignId: string,
  f: { state?: CallbackState; owner?: string; includeOpen?: boolean; limit?: number } = {},
): Promise<Callback[]> {
  const ids = await redis.zrange(callbackKeys.all(campaignId), '0', '-1');
  const out: Callback[] = [];
  for (const id of ids) {
    const cb = await getCallback(redis, campaignId, id);
    if (!cb || (f.state && cb.state !== f.state)) continue;
    if (f.owner !== undefined && cb.owner !== f.owner && !(f.includeOpen && cb.owner === null)) continue;
    out.push(cb);
    if (f.limit && out.length >= f.limit) break;
  }
  return out;
}

export type CallbackPatch = Partial<Pick<Callback, 'dueAt' | 'owner' | 'note' | 'name'>> & { state?: 'scheduled' | 'cancelled' | 'done' };

/**
 * Changes a callback (reschedule, reassign, cancel, reopen) with
 * compare-and-set; `check` may refuse based on the current value. A claimed
 * callback (being dialled) cannot be edited.
 */
export async function updateCallback(
  redis: Redis,
  campaignId: string,
  id: string,
  patch: CallbackPatch,
  now: number,
  check?: (cb: Callback) => void,
): Promise<Callback | null> {
  for (let i = 0; i < 8; i++) {
    const cur = await read(redis, campaignId, id);
    if (!cur) return null;
    check?.(cur.cb);
    if (cur.cb.state === 'claimed' && patch.state !== 'done')
      throw new CallbackConflictError(`callback ${id} is being dialled now and cannot be changed`);
    const next: Callback = { ...cur.cb, ...patch, updatedAt: now };
    if (await put(redis, next, cur.ver)) return next;
  }
  throw new CallbackConflictError(`callback ${id} is changing too fast; try again`);
}

/** Scheduled callbacks due at `now`, earliest first (for the runner). */
export async function dueCallbacks(redis: Redis, campaignId: string, now: number, limit: number): Promise<Callback[]> {
  const ids = await redis.zrangebyscore(callbackKeys.due(campaignId), '-inf', String(now), 'LIMIT', 0, limit);
  const cbs = await Promise.all(ids.map((id) => getCallback(redis, campaignId, id)));
  return cbs.filter((c): c is Callback => c !== null && c.state === 'scheduled');
}

/** Claims a due callback exactly once (scheduled → claimed); null when someone else did or it is not due. */
export async function claimCallback(redis: Redis, campaignId: string, callbackId: string, now: number): Promise<Callback | null> {
  const json = await redis.callbackClaim(callbackKeys.one(campaignId, callbackId), callbackKeys.due(campaignId), callbackId, String(now));
  return json ? (JSON.parse(json) as Callback) : null;
}

/**
 * The runner reports a claimed callback's outcome: `done` with its attempt,
 * or back to scheduled at `retryAt` (no agent, DNC-skipped later on, outside hours).
 */
export async function finishCallback(
  redis: Redis,
  campaignId: string,
  callbackId: string,
  outcome: { attemptId?: string; resultCode?: number; retryAt?: number },
  now: number,
): Promise<Callback | null> {
  for (let i = 0; i < 8; i++) {
    const cur = await read(redis, campaignId, callbackId);
    if (!cur) return null;
    if (cur.cb.state !== 'claimed') throw new CallbackConflictError(`callback ${callbackId} is ${cur.cb.state}, not claimed`);
    const next: Callback =
      outcome.retryAt !== undefined
        ? { ...cur.cb, state: 'scheduled', dueAt: outcome.retryAt, updatedAt: now }
        : { ...cur.cb, state: 'done', attemptId: outcome.attemptId, resultCode: outcome.resultCode, updatedAt: now };
    if (await put(redis, next, cur.ver)) return next;
  }
  throw new CallbackConflictError(`callback ${callbackId} is changing too fast; try again`);
}

/** How many callbacks are scheduled and not yet dialled (due or not): a campaign with any is not complete. */
export async function pendingCallbackCount(redis: Redis, campaignId: string): Promise<number> {
  return redis.zcard(callbackKeys.due(campaignId));
}

/** Closing a campaign cancels its scheduled callbacks (the documented rule; see lib/dialer/steps/callbacks.ts). Returns how many. */
export async function cancelScheduledCallbacks(redis: Redis, campaignId: string, now: number): Promise<number> {
  const ids = await redis.zrange(callbackKeys.due(campaignId), '0', '-1');
  let n = 0;
  for (const id of ids) {
    const cb = await updateCallback(redis, campaignId, id, { state: 'cancelled' }, now).catch(() => null);
    if (cb) n++;
  }
  return n;
}

/** Due time of the earliest scheduled callback, or null. */
export async function nextCallbackDue(redis: Redis, campaignId: string): Promise<number | null> {
  const r = await redis.zrange(callbackKeys.due(campaignId), '0', '0', 'WITHSCORES');
  return r.length >= 2 ? Number(r[1]) : null;
}
