/**
 * The runner's view of the shared limits: before claiming contacts it asks
 * for admission under the campaign's and the trunk's limits (both held in
 * Redis, so N dialer processes together stay within one carrier's calls per
 * second and channels); each admitted call holds a token until its attempt
 * closes. Tokens of a process that dies run out with their lease.
 */
import type { Redis } from 'ioredis';
import { admit, campaignLimitKeys, release, renew, trunkLimitKeys, type LimitKeys } from '../store/limits';

export interface SharedLimitsOptions {
  /** Unique name of this process (the runner's owner id). */
  owner: string;
  trunk?: { name: string; channels: number; callsPerSecond: number };
  /** Held channels expire this long after their last renewal (the attempt lease). */
  leaseMs: number;
  /** Added to the one-second window (see rateWindow). */
  guardMs: number;
}

interface Held {
  campaignId: string;
  token: string;
  /** An INVITE went out: the rate admission is spent for good. */
  sent: boolean;
  /** Local clock just before the admission was asked for (never after Redis recorded it). */
  at: number;
}

const clock = () => performance.now();
/** Attempt ids are unique within a campaign only: two campaigns of one process can have the same one. */
const held = (campaignId: string, attemptId: string) => `${campaignId}\u0000${attemptId}`;

export class SharedLimits {
  private seq = 0;
  /** By campaign and attempt (`held`). */
  private readonly byAttempt = new Map<string, Held>();
  private readonly spare = new Map<string, { token: string; at: number }[]>();
  private readonly lastRenew = new Map<string, number>();

  constructor(
    private readonly redis: Redis,
    private readonly o: SharedLimitsOptions,
  ) {}

  private get trunkKeys(): LimitKeys | undefined {
    return this.o.trunk ? trunkLimitKeys(this.o.trunk.name) : undefined;
  }

  /**
   * How many of `n` wanted calls may start now under the campaign's limits
   * and the trunk's. Tokens admitted here are kept until `bind` hands them to
   * attempts; `settle` gives back the ones no claim used.
   */
  async admit(campaign: { id: string; callsPerSecond: number; maxConcurrentCalls: number }, n: number): Promise<number> {
    if (n <= 0) return 0;
    const at = clock();
    const tokens = Array.from({ length: n }, () => `${this.o.owner}#${++this.seq}`);
    const ck = campaignLimitKeys(campaign.id);
    const byCampaign = await admit(this.redis, ck, {
      callsPerSecond: campaign.callsPerSecond,
      maxChannels: campaign.maxConcurrentCalls,
      leaseMs: this.o.leaseMs,
      guardMs: this.o.guardMs,
      tokens,
    });
    let granted = byCampaign.granted;
    const tk = this.trunkKeys;
    if (tk && granted > 0) {
      const t = this.o.trunk!;
      const byTrunk = await admit(this.redis, tk, {
        callsPerSecond: t.callsPerSecond,
        maxChannels: t.channels,
        leaseMs: this.o.leaseMs,
        guardMs: this.o.guardMs,
        tokens: tokens.slice(0, granted),
      });
      if (byTrunk.granted < granted) await release(this.redis, ck, tokens.slice(byTrunk.granted, granted), true);
      granted = byTrunk.granted;
    }
    this.spare.set(campaign.id, [...(this.spare.get(campaign.id) ?? []), ...tokens.slice(0, granted).map((token) => ({ token, at }))]);
    return granted;
  }

  /** Gives one admitted token to a claimed attempt. */
  bind(campaignId: string, attemptId: string): void {
    const t = this.spare.get(campaignId)?.shift();
    if (t) this.byAttempt.set(held(campaignId, attemptId), { campaignId, token: t.token, sent: false, at: t.at });
  }

  /**
   * At the moment of sending: the driver calls this (OriginateRequest.beforeSend)
   * when only the send is left. The admission was recorded at Redis time; the
   * INVITE must reach the carrier within guardMs of it for the carrier's count
   * to hold (see rateWindow): half the guard is allowed up to here, half for
   * the wire and the carrier's own timing. A call that was held up longer (a
   * slow tick, a busy machine, a Redis failover stalling the writes between
   * admission and send, the driver's pacing) is admitted afresh now, or not
   * dialled now (false: nothing is sent, the claim goes back uncounted).
   * Checked here and not before those steps: an INVITE that left seconds after
   * its admission was counted in a window that had already let it go, and the
   * carrier saw 13 in a second on a 12/s trunk (test/e2e/scale/fault.test.ts).
   */
  async ready(attemptId: string, campaign: { id: string; callsPerSecond: number; maxConcurrentCalls: number }): Promise<boolean> {
    const key = held(campaign.id, attemptId);
    const h = this.byAttempt.get(key);
    // No admission held for it: not sent (a call without one would be outside every count).
    if (!h) return false;
    const budget = this.o.guardMs / 2;
    if (this.o.guardMs === 0 || clock() - h.at <= budget) {
      h.sent = true;
      return true;
    }
    this.byAttempt.delete(key);
    // The stale token is swapped for a fresh one in the same script (one round trip per resource: this runs
    // with the INVITE waiting, and the re-admission must fit in the half guard measured below).
    const at = clock();
    const token = `${this.o.owner}#${++this.seq}`;
    const ck = campaignLimitKeys(h.campaignId);
    const common = { leaseMs: this.o.leaseMs, guardMs: this.o.guardMs, tokens: [token], replaces: h.token };
    let ok =
      (await admit(this.redis, ck, { ...common, callsPerSecond: campaign.callsPerSecond, maxChannels: campaign.maxConcurrentCalls }))
        .granted === 1;
    const tk = this.trunkKeys;
    if (tk) {
      if (ok)
        ok =
          (await admit(this.redis, tk, { ...common, callsPerSecond: this.o.trunk!.callsPerSecond, maxChannels: this.o.trunk!.channels }))
            .granted === 1;
      else await release(this.redis, tk, [h.token], true);
    }
    if (!ok || clock() - at > budget) {
      await this.releaseTokens(h.campaignId, [token], true);
      return false;
    }
    this.byAttempt.set(key, { campaignId: h.campaignId, token, sent: true, at });
    return true;
  }

  /** The INVITE went out (for a driver that did not call `ready`): the admission is spent. */
  sent(campaignId: string, attemptId: string): void {
    const h = this.byAttempt.get(held(campaignId, attemptId));
    if (h) h.sent = true;
  }

  /** Admitted tokens that no claim took (the queue had fewer contacts): nothing was sent. */
  async settle(campaignId: string): Promise<void> {
    const left = this.spare.get(campaignId) ?? [];
    this.spare.delete(campaignId);
    await this.releaseTokens(
      campaignId,
      left.map((t) => t.token),
      true,
    );
  }

  /** The attempt is closed (or never dialled): its channel is free. Idempotent. */
  async release(campaignId: string, attemptId: string): Promise<void> {
    const key = held(campaignId, attemptId);
    const h = this.byAttempt.get(key);
    if (!h) return;
    this.byAttempt.delete(key);
    await this.releaseTokens(h.campaignId, [h.token], !h.sent);
  }

  /** Keeps the channels of live attempts held; at most three times per lease. */
  async renew(campaignId: string, attemptIds: readonly string[], now: number): Promise<void> {
    if (now - (this.lastRenew.get(campaignId) ?? 0) < this.o.leaseMs / 3) return;
    this.lastRenew.set(campaignId, now);
    const tokens = attemptIds.map((a) => this.byAttempt.get(held(campaignId, a))?.token).filter((t): t is string => !!t);
    if (tokens.length === 0) return;
    await renew(this.redis, campaignLimitKeys(campaignId), this.o.leaseMs, tokens);
    const tk = this.trunkKeys;
    if (tk) await renew(this.redis, tk, this.o.leaseMs, tokens);
  }

  get held(): number {
    return this.byAttempt.size;
  }

  private async releaseTokens(campaignId: string, tokens: readonly string[], refund: boolean): Promise<void> {
    if (tokens.length === 0) return;
    await release(this.redis, campaignLimitKeys(campaignId), tokens, refund);
    const tk = this.trunkKeys;
    if (tk) await release(this.redis, tk, tokens, refund);
  }
}
