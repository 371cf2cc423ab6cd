/**
 * A campaign's dial queue in Redis: contacts loaded from its lists, claims
 * under leases, attempts closed with exactly one result. All keys of one
 * campaign share the hash tag `{c:<id>}`; each change is one Lua script
 * (lib/store/lua/dial-*.lua), so a dialer killed at any instant leaves no
 * contact lost, none dialled twice for one attempt, no attempt with two results.
 */
import type { Redis, Result } from 'ioredis';
import { keys } from './keys';
import { scanMatch } from './scan';

declare module 'ioredis' {
  interface RedisCommander<Context> {
    dialEnqueue(base: string, ...args: (string | number)[]): Result<number, Context>;
    dialClaim(base: string, ...args: (string | number)[]): Result<[(string | number)[], string[], string], Context>;
    dialBegin(base: string, attemptId: string, owner: string, now: number, leaseMs: number): Result<number, Context>;
    dialRenew(base: string, owner: string, until: number, ...ids: string[]): Result<number, Context>;
    dialClose(base: string, ...args: (string | number)[]): Result<string | null | 0, Context>;
    dialRecode(base: string, ...args: (string | number)[]): Result<[string, string] | 0, Context>;
    dialVoid(base: string, attemptId: string, score: string, unsent?: 'unsent'): Result<number, Context>;
    dialReap(base: string, now: number, owner: string, leaseMs: number, limit: number): Result<(string | number)[], Context>;
    leaseAcquire(key: string, owner: string, ttlMs: number): Result<number, Context>;
    leaseRelease(key: string, owner: string): Result<number, Context>;
    leaseRenew(key: string, owner: string, ttlMs: number): Result<number, Context>;
  }
}

/** The prefix every key of a campaign's dial state starts with (without the client's keyPrefix). */
export const dialBase = (campaignId: string) => keys.campaign(campaignId, '');

export interface QueueContact {
  contactId: string;
  phone: string;
  phoneType: string;
  timeZone: string;
  /** Dial order: lower first; head-of-list contacts get negative scores. */
  score: number;
}

export interface Claim {
  attemptId: string;
  /** `<listId>:<contactId>` */
  ref: string;
  listId: string;
  contactId: string;
  phone: string;
  attemptNo: number;
  timeZone: string;
  phoneType: string;
  /** The instant at which the claim applied the contact's calling hours, when it did (see claim's `hours`). */
  hoursCheckedAt?: number;
}

/**
 * The calling-hours rule applied to zones (lib/dialer/steps/dial-time.ts
 * zoneTable): zone → 0 when its contacts may be dialled now, else the instant
 * they may. Called with the zones among the campaign's contacts.
 */
export type ZoneHours = (zones: readonly string[]) => Record<string, number>;

/**
 * How many times one claim goes back to the script after it found a zone it
 * had no answer for (one new zone per round: contacts queued before the zones
 * set was kept, or a zone added between the read and the claim). Each round
 * adds its zone to the set for good, so the next claims need none; the bound
 * only caps one call's work.
 */
const ZONE_ROUNDS = 16;

export interface ClaimOptions {
  now: number;
  n: number;
  leaseMs: number;
  owner: string;
  lists: readonly string[];
  filters: ClaimFilters;
  hours?: ZoneHours;
}

export interface ClaimFilters {
  maxAttempts: number;
  /** Allowed phone types; empty = any. */
  phoneTypes?: readonly string[];
  /** Attempt-count range a contact must be in to be dialled (seed 001's filter). */
  minAttempts?: number;
  maxAttemptsFilter?: number;
}

export interface CloseRecord {
  attemptId: string;
  code: number;
  now: number;
  final: boolean;
  nextAt: number;
  live: boolean;
  abandoned: boolean;
  agentId?: string;
  talkMs?: number;
  data: Record<string, unknown>;
  /** The agent's disposition decides the result (notSure "agent-decides"): it may re-code the attempt (recode below). */
  agentDecides?: boolean;
  /** The call.ended event to keep until it is in the webhook log (dial-close.lua, lib/notify/webhooks/log.ts). */
  announce?: string;
}

/** A closed attempt's change of result (lib/dialer/steps/agent-decision.ts decides it). */
export interface RecodeRecord {
  attemptId: string;
  from: number;
  to: number;
  now: number;
  final: boolean;
  nextAt: number;
  liveFrom: boolean;
  liveTo: boolean;
  /** Who changed it (the disposition's author) and the agent of the call. */
  by: string;
  agentId: string;
  data: Record<string, unknown>;
}

/** What an agent-decided attempt looks like in its attempt hash. */
export interface AttemptState {
  phase?: string;
  code?: number;
  /** The code it closed with, when it has been re-coded since. */
  closedCode?: number;
  ref?: string;
  attemptNo?: number;
  agentDecides: boolean;
}

/** The client's keyPrefix is applied to KEYS only, so scripts get the prefixed base. */
function base(redis: Redis, campaignId: string): string {
  return dialBase(campaignId);
}

export const splitRef = (ref: string): { listId: string; contactId: string } => {
  const i = ref.indexOf(':');
  return { listId: ref.slice(0, i), contactId: ref.slice(i + 1) };
};

export class DialQueue {
  constructor(
    private readonly redis: Redis,
    readonly campaignId: string,
  ) {}

  private get base() {
    return base(this.redis, this.campaignId);
  }

  /** Loads contacts (idempotent); returns how many were new. */
  async enqueue(listId: string, contacts: readonly QueueContact[]): Promise<number> {
    if (contacts.length === 0) return 0;
    const args: (string | number)[] = [listId];
    for (const c of contacts) args.push(c.contactId, c.phone, c.phoneType, c.timeZone, c.score);
    return this.redis.dialEnqueue(this.base, ...args);
  }

  /**
   * Claims up to `n` eligible contacts (dial-claim.lua). With `hours`, contacts
   * whose zone is closed are put back until it opens, uncounted, inside the
   * script; the rule is applied once per zone of the campaign's `zones` set,
   * and again to a zone the script found missing from it (added since, or
   * queued before the set was kept).
   */
  async claim(opts: ClaimOptions): Promise<Claim[]> {
    return (await this.claimDetailed(opts)).claims;
  }

  /**
   * `claim`, and when fewer than `n` were claimed because nothing is eligible
   * now, the earliest time a queued contact will be (a retry time, or its
   * zone's opening); null when none is queued or it was not looked for.
   */
  async claimDetailed(opts: ClaimOptions): Promise<{ claims: Claim[]; nextEligibleAt: number | null }> {
    if (opts.n <= 0 || opts.lists.length === 0) return { claims: [], nextEligibleAt: null };
    const f = opts.filters;
    const types = f.phoneTypes && f.phoneTypes.length > 0 ? `,${f.phoneTypes.join(',')},` : '';
    let table: Record<string, number> | null = opts.hours
      ? opts.hours(await this.redis.smembers(keys.campaign(this.campaignId, 'zones')))
      : null;
    const out: Claim[] = [];
    let nextEligibleAt: number | null = null;
    for (let round = 0; out.length < opts.n && round < ZONE_ROUNDS; round++) {
      const pairs = table ? Object.entries(table).flat() : [];
      const [raw, missing, nextAt] = await this.redis.dialClaim(
        this.base,
        opts.now,
        opts.n - out.length,
        opts.leaseMs,
        opts.owner,
        f.maxAttempts,
        types,
        f.minAttempts ?? 0,
        f.maxAttemptsFilter ?? '',
        table ? pairs.length / 2 : -1,
        ...pairs,
        ...opts.lists,
      );
      for (let i = 0; i < raw.length; i += 6) {
        const ref = String(raw[i + 1]);
        out.push({
          attemptId: String(raw[i]),
          ref,
          ...splitRef(ref),
          phone: String(raw[i + 2]),
          attemptNo: Number(raw[i + 3]),
          timeZone: String(raw[i + 4]),
          phoneType: String(raw[i + 5]),
          ...(table ? { hoursCheckedAt: opts.now } : {}),
        });
      }
      nextEligibleAt = nextAt === '' ? null : Number(nextAt);
      if (!table || !opts.hours || missing.length === 0) break;
      await this.redis.sadd(keys.campaign(this.campaignId, 'zones'), ...missing);
      table = { ...table, ...opts.hours(missing) };
    }
    return { claims: out, nextEligibleAt };
  }

  /** True when the attempt may be dialled now (still our claim). */
  async begin(attemptId: string, owner: string, now: number, leaseMs: number): Promise<boolean> {
    return (await this.redis.dialBegin(this.base, attemptId, owner, now, leaseMs)) === 1;
  }

  async renew(owner: string, until: number, attemptIds: readonly string[]): Promise<number> {
    if (attemptIds.length === 0) return 0;
    return this.redis.dialRenew(this.base, owner, until, ...attemptIds);
  }

  /** Closes with one result; false if it was already closed. */
  async close(r: CloseRecord): Promise<boolean> {
    const res = await this.redis.dialClose(
      this.base,
      r.attemptId,
      r.code,
      r.now,
      r.final ? 1 : 0,
      r.nextAt,
      r.live ? 1 : 0,
      r.abandoned ? 1 : 0,
      r.agentId ?? '',
      r.talkMs ?? 0,
      JSON.stringify(r.data),
      r.agentDecides ? 1 : 0,
      r.announce ?? '',
    );
    return res !== 0 && res !== null;
  }

  /**
   * Changes a closed agent-decided attempt's result from `from` to `to` (dial-recode.lua); null when it was not
   * `from` any more (or not agent-decided), else what became of the contact.
   */
  async recode(r: RecodeRecord): Promise<{ entry: string; contact: 'final' | 'queued' | 'unchanged' } | null> {
    const res = await this.redis.dialRecode(
      this.base,
      r.attemptId,
      r.from,
      r.to,
      r.now,
      r.final ? 1 : 0,
      r.nextAt,
      r.liveFrom ? 1 : 0,
      r.liveTo ? 1 : 0,
      r.by,
      r.agentId,
      JSON.stringify(r.data),
    );
    if (!Array.isArray(res)) return null;
    return { entry: String(res[0]), contact: res[1] as 'final' | 'queued' | 'unchanged' };
  }

  /** The attempt's hash as the agent's re-coding reads it. */
  async attemptState(attemptId: string): Promise<AttemptState> {
    const [phase, code, closedCode, ref, attemptNo, agentDecides] = await this.redis.hmget(
      `${this.base}at:${attemptId}`,
      'phase',
      'code',
      'closedCode',
      'ref',
      'attemptNo',
      'agentDecides',
    );
    const n = (v: string | null) => (v === null ? undefined : Number(v));
    return {
      phase: phase ?? undefined,
      code: n(code),
      closedCode: n(closedCode),
      ref: ref ?? undefined,
      attemptNo: n(attemptNo),
      agentDecides: agentDecides === '1',
    };
  }

  /** Gives a claimed attempt back uncounted; `unsent`: also one marked dialing whose call the driver refused before anything went out. */
  async void(attemptId: string, score?: number, opts: { unsent?: boolean } = {}): Promise<boolean> {
    const s = score === undefined ? '' : String(score);
    const r = opts.unsent
      ? await this.redis.dialVoid(this.base, attemptId, s, 'unsent')
      : await this.redis.dialVoid(this.base, attemptId, s);
    return r === 1;
  }

  async reap(now: number, owner: string, leaseMs: number, limit = 500): Promise<{ attemptId: string; ref: string; attemptNo: number }[]> {
    const raw = await this.redis.dialReap(this.base, now, owner, leaseMs, limit);
    const out = [];
    for (let i = 0; i < raw.length; i += 3) out.push({ attemptId: String(raw[i]), ref: String(raw[i + 1]), attemptNo: Number(raw[i + 2]) });
    return out;
  }

  async counters(): Promise<Record<string, number>> {
    const h = await this.redis.hgetall(keys.campaign(this.campaignId, 'counters'));
    return Object.fromEntries(Object.entries(h).map(([k, v]) => [k, Number(v)]));
  }

  async inflightCount(): Promise<number> {
    return this.redis.zcard(keys.campaign(this.campaignId, 'inflight'));
  }

  async contactState(ref: string): Promise<Record<string, string>> {
    return this.redis.hgetall(keys.campaign(this.campaignId, `ct:${ref}`));
  }

  /** The attempt history (Redis Stream), oldest first. */
  async history(count = 10000, from = '-'): Promise<{ id: string; fields: Record<string, string> }[]> {
    const rows = await this.redis.xrange(keys.campaign(this.campaignId, 'history'), from, '+', 'COUNT', count);
    return rows.map(([id, kv]) => {
      const fields: Record<string, string> = {};
      for (let i = 0; i < kv.length; i += 2) fields[kv[i]!] = kv[i + 1]!;
      return { id, fields };
    });
  }
}

/**
 * Seed 000's "close: outbound data removed": drops a closed campaign's dial
 * queues and the per-contact dial state, keeping the attempt history, the
 * counters and anything still in flight (those calls close normally).
 * Returns how many keys were removed.
 */
export async function purgeOutbound(redis: Redis, campaignId: string): Promise<number> {
  const prefix = redis.options.keyPrefix ?? '';
  const base = dialBase(campaignId);
  let removed = 0;
  for (const part of ['queue:*', 'parked', 'zones', 'ct:*', 'at:*']) {
    // SCAN patterns are not prefixed by ioredis; braces are not glob characters. Every master on a cluster.
    for await (const found of scanMatch(redis, `${prefix}${base}${part}`)) {
      const keysHere = found.map((k) => k.slice(prefix.length));
      const doomed: string[] = [];
      for (const k of keysHere) {
        if (part === 'ct:*' && (await redis.hget(k, 'state')) === 'inflight') continue;
        if (part === 'at:*' && ['claimed', 'dialing', 'reaping'].includes((await redis.hget(k, 'phase')) ?? '')) continue;
        doomed.push(k);
      }
      if (doomed.length > 0) removed += await redis.unlink(...doomed);
    }
  }
  return removed;
}
