/**
 * Campaigns on one process that share agent groups share the ready agents:
 * a call another campaign placed for a ready agent (ringing, or answered and
 * waiting for one) will take that agent, so it is not offered to this
 * campaign's pacing again. Without this two progressive campaigns with one
 * ready agent each dial a call for it, and one person hears silence and is
 * abandoned (found when a process took over a dead one's campaign in
 * test/e2e/scale/fault.test.ts). Pure.
 */
import type { AgentSnapshot } from '../../pacing/types';

/** Phases of a call that still expects a ready agent (no agent reserved for it yet). */
export const AWAITING_AN_AGENT = new Set(['dialing', 'analysing', 'awaiting_agent']);

/** Do the campaigns' agent groups overlap? */
export function sharesAgents(a: readonly string[], b: readonly string[]): boolean {
  return a.some((g) => b.includes(g));
}

/** The snapshot with `pending` ready agents counted as reserved (promised to other campaigns' calls). */
export function withPromisedAgents(agents: readonly AgentSnapshot[], pending: number): AgentSnapshot[] {
  let left = pending;
  return agents.map((a) => {
    if (left <= 0 || a.state !== 'ready') return a;
    left--;
    return { ...a, state: 'reserved' };
  });
}
