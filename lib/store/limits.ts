/**
 * Limits shared by every dialer process through Redis: calls per second and
 * channels held, for a trunk (`{t:<name>}`) or a campaign (`{c:<id>}`). Each
 * change is one Lua script over two keys of the same hash tag
 * (lib/store/lua/limit-*.lua), so it runs on Redis Cluster too.
 */
import type { Redis, Result } from 'ioredis';
import { keys } from './keys';

declare module 'ioredis' {
  interface RedisCommander<Context> {
    limitAdmit(windowKey: string, channelsKey: string, ...args: (string | number)[]): Result<[number, number], Context>;
    limitRelease(windowKey: string, channelsKey: string, refund: string, ...tokens: string[]): Result<number, Context>;
    limitRenew(channelsKey: string, leaseMs: number, ...tokens: string[]): Result<number, Context>;
  }
}

/** A limited resource: its two keys. */
export interface LimitKeys {
  window: string;
  channels: string;
}

export const trunkLimitKeys = (trunk: string): LimitKeys => ({ window: keys.trunk(trunk, 'cps'), channels: keys.trunk(trunk, 'channels') });
export const campaignLimitKeys = (campaignId: string): LimitKeys => ({
  window: keys.campaign(campaignId, 'limit-cps'),
  channels: keys.campaign(campaignId, 'limit-channels'),
});

/**
 * The sliding window that enforces `callsPerSecond`: at most `limit` starts in
 * any `windowMs`. A fractional rate below 1 widens the window (0.5/s = one
 * start per 2 s). `guardMs` lengthens the window a little so that the jitter
 * between admission and the INVITE on the wire does not put one start too
 * many into a carrier's one-second count. A token bucket could not promise
 * that: a full bucket plus a second of refill admits nearly twice the rate in
 * one second, which is exactly what carriers block trunks for.
 */
export function rateWindow(callsPerSecond: number, guardMs = 0): { limit: number; windowMs: number } {
  if (!(callsPerSecond > 0)) return { limit: 0, windowMs: 0 };
  if (callsPerSecond >= 1) return { limit: Math.floor(callsPerSecond), windowMs: 1000 + guardMs };
  return { limit: 1, windowMs: Math.ceil(1000 / callsPerSecond) + guardMs };
}

export interface AdmitRequest {
  /** Calls per second (0 = unlimited). */
  callsPerSecond: number;
  /** Channels held at once (0 = unlimited). */
  maxChannels: number;
  /** A held channel is dropped this long after its last renewal (its dialer died). */
  leaseMs: number;
  guardMs?: number;
  /** One unique token per call wanted; the granted ones are the first k. */
  tokens: readonly string[];
  /** A token admitted earlier, taken out first in the same step (a held-up call admitted afresh). */
  replaces?: string;
}

/** Admits up to `tokens.length` calls; returns how many (the first k tokens) and the Redis clock. */
export async function admit(redis: Redis, k: LimitKeys, r: AdmitRequest): Promise<{ granted: number; at: number }> {
  if (r.tokens.length === 0) return { granted: 0, at: 0 };
  const w = rateWindow(r.callsPerSecond, r.guardMs);
  const [granted, at] = await redis.limitAdmit(
    k.window,
    k.channels,
    w.limit,
    w.windowMs,
    Math.max(0, r.maxChannels),
    r.leaseMs,
    r.replaces ?? '',
    ...r.tokens,
  );
  return { granted: Number(granted), at: Number(at) };
}

/** Releases held channels; `refund` also takes back their rate admissions (nothing was sent). */
export async function release(redis: Redis, k: LimitKeys, tokens: readonly string[], refund: boolean): Promise<number> {
  if (tokens.length === 0) return 0;
  return redis.limitRelease(k.window, k.channels, refund ? '1' : '0', ...tokens);
}

export async function renew(redis: Redis, k: LimitKeys, leaseMs: number, tokens: readonly string[]): Promise<number> {
  if (tokens.length === 0) return 0;
  return redis.limitRenew(k.channels, leaseMs, ...tokens);
}

/** Channels held now across every process (leases not yet run out). */
export async function heldChannels(redis: Redis, k: LimitKeys): Promise<number> {
  const t = await redis.time();
  const now = Number(t[0]) * 1000 + Math.floor(Number(t[1]) / 1000);
  return redis.zcount(k.channels, `(${now}`, '+inf');
}
