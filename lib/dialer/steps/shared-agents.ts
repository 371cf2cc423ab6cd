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

/**
 * The snapshot with `pending` ready agents counted as reserved (promised to other campaigns' calls, or to due
 * callbacks open to anyone), and the ready agents named in `owners` too: each owes a due callback offered to its
 * owner alone, which found that agent busy a moment earlier in the same tick. A list call placed for such an
 * agent would take it, and the callback would wait out that whole call inside the owner's grace.
 */
export function withPromisedAgents(
  agents: readonly AgentSnapshot[],
  pending: number,
  owners: ReadonlySet<string> = new Set(),
): AgentSnapshot[] {
  const promisedTo = agents.map((a) => a.state === 'ready' && a.agentId !== undefined && owners.has(a.agentId));
  let left = pending;
  return agents.map((a, i) => {
    if (promisedTo[i]) return { ...a, state: 'reserved' };
    if (left <= 0 || a.state !== 'ready') return a;
    left--;
    return { ...a, state: 'reserved' };
  });
}

/**
 * A placed call that will want one of the ready agents: in a phase before its agent, with none reserved for it
 * yet (a callback's agent is reserved before it is dialled).
 */
export function wantsReadyAgent(s: { phase: string; reserved: boolean }): boolean {
  return !s.reserved && AWAITING_AN_AGENT.has(s.phase);
}

/**
 * May a due callback reserve one of `ready` agents now? Only if one is left over when every placed call still
 * wanting an agent (`awaiting`: this campaign's and this process's other campaigns sharing its groups) has had
 * its own. Otherwise the callback takes the agent a call was placed for, and the person who answers it is
 * abandoned (14) though an agent was free when it was dialled (found by test/e2e/scale/fault.test.ts; see
 * test/e2e/campaign/callback-promised-agent.test.ts). The callback stays due and is offered again next tick.
 */
export function callbackMayReserve(ready: number, awaiting: number): boolean {
  return ready > awaiting;
}
