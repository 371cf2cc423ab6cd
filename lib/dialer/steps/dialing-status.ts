/**
 * Why a running campaign places no call (the user who saw "running 0/5" and
 * nothing else). Every tick ends in one status; the interpreter stores it on
 * the campaign, publishes `campaign.dialing` when it changes and exports it as
 * a metric. Pure.
 */
import type { DialWindow } from '../../rules/hours';
import type { TickDecision } from '../../pacing/types';

export const IDLE_REASONS = [
  'outside_hours',
  'before_period',
  'after_period',
  'no_agents',
  'no_ready_agents',
  'campaign_cap',
  'trunk_full',
  'calls_per_second',
  'running_campaign_limit',
  'no_eligible_contacts',
  'waiting_for_callbacks',
  'abandon_budget',
  'telephony_refused',
] as const;
export type IdleReason = (typeof IDLE_REASONS)[number];

export type DialingStatus =
  /** Calls were placed this tick, or calls of the campaign are up. */
  { state: 'dialing' } | { state: 'idle'; reason: IdleReason; detail: string; until: number | null };

export interface TickOutcome {
  window: DialWindow;
  /** The pacing decision (absent when the window is closed). */
  decision?: TickDecision;
  /** Calls the shared (cross-process) limits admitted of decision.calls. */
  admitted?: number;
  /** Contacts actually claimed (and callbacks dialled) this tick. */
  placed: number;
  /** Calls of the campaign in progress (any phase). */
  inProgress: number;
  /** Mode without agents (agentless). */
  agentless: boolean;
  /** Earliest due time of a scheduled callback, when any. */
  nextCallbackAt: number | null;
  /**
   * When the claim found no contact eligible now: the earliest time a queued one
   * will be (a retry time, or its zone's calling hours opening); null when none is queued.
   */
  nextContactAt?: number | null;
  /**
   * Calls of this tick the telephony gave back before anything was sent (NO_CAPACITY: drachtio-server down, no
   * media server that answers, the send's admission gone), each back in the queue uncounted, with the last reason.
   */
  refused?: { count: number; detail: string };
}

const CAP_REASON: Record<string, IdleReason> = {
  campaign: 'campaign_cap',
  trunkChannels: 'trunk_full',
  trunkCps: 'calls_per_second',
  runningCampaigns: 'running_campaign_limit',
};

export function decideDialingStatus(o: TickOutcome): DialingStatus {
  const w = o.window;
  if (!w.ok) {
    const until = w.nextAt ? w.nextAt.getTime() : null;
    const reason: IdleReason =
      w.reason === 'outside-hours' ? 'outside_hours' : w.reason === 'before-period' ? 'before_period' : 'after_period';
    const when =
      until === null
        ? reason === 'after_period'
          ? 'the run period is over'
          : 'no opening ahead'
        : `opens ${new Date(until).toISOString()}`;
    return { state: 'idle', reason, detail: `${reason.replace(/_/g, ' ')}: ${when}`, until };
  }
  // Claimed, but every one given back unsent, and nothing up: from outside the same as placing nothing.
  if (o.inProgress === 0 && o.placed > 0 && o.refused && o.refused.count >= o.placed)
    return {
      state: 'idle',
      reason: 'telephony_refused',
      detail: `the telephony gave back every call unsent (${o.refused.count} this tick, back in the queue uncounted): ${o.refused.detail}`,
      until: null,
    };
  if (o.placed > 0 || o.inProgress > 0) return { state: 'dialing' };
  const d = o.decision;
  if (!d) return { state: 'idle', reason: 'no_eligible_contacts', detail: 'nothing to dial', until: null };
  const limitedBy = d.trace.caps.limitedBy;
  if (d.calls === 0 && limitedBy) {
    return {
      state: 'idle',
      reason: CAP_REASON[limitedBy] ?? 'campaign_cap',
      detail: `${limitedBy} cap has no room (${d.reason})`,
      until: null,
    };
  }
  if (d.calls === 0) {
    const a = d.trace.agents;
    if (!o.agentless && a.loggedIn === 0)
      return { state: 'idle', reason: 'no_agents', detail: "no agent of the campaign's groups is logged in", until: null };
    if (!o.agentless && a.ready === 0)
      return {
        state: 'idle',
        reason: 'no_ready_agents',
        detail: `${a.loggedIn} logged in, none ready (${a.reserved} reserved, ${a.talking} talking, ${a.wrapup} in wrap-up)`,
        until: null,
      };
    return { state: 'idle', reason: 'abandon_budget', detail: d.reason, until: null };
  }
  if (o.admitted !== undefined && o.admitted === 0)
    return { state: 'idle', reason: 'trunk_full', detail: 'the shared trunk/campaign limits admitted no call', until: null };
  const nextContact = o.nextContactAt ?? null;
  if (nextContact !== null && (o.nextCallbackAt === null || nextContact < o.nextCallbackAt)) {
    return {
      state: 'idle',
      reason: 'no_eligible_contacts',
      detail: `no contact eligible now; the next at ${new Date(nextContact).toISOString()} (a retry time, or its zone's calling hours)`,
      until: nextContact,
    };
  }
  if (o.nextCallbackAt !== null) {
    return {
      state: 'idle',
      reason: 'waiting_for_callbacks',
      detail: `no contact eligible now; next callback due ${new Date(o.nextCallbackAt).toISOString()}`,
      until: o.nextCallbackAt,
    };
  }
  return {
    state: 'idle',
    reason: 'no_eligible_contacts',
    detail: 'no contact is eligible now (all dialled, waiting for a retry time, or filtered out)',
    until: null,
  };
}

/** Same status for publishing purposes (details such as counts may differ). */
export function sameStatus(a: DialingStatus | undefined, b: DialingStatus): boolean {
  if (!a || a.state !== b.state) return false;
  return a.state === 'dialing' || (b.state === 'idle' && a.reason === b.reason && a.until === b.until);
}
