/**
 * Simulated agents at the desk: they log in, talk a moment after each screen
 * pop, hang up the customer ("hang up customer" in seed 001), finish wrap-up
 * and continue. They act through the same desk calls the API's routes use.
 */
import type { LiveAgentDesk } from '../agents';

export interface SimulatedAgentsOptions {
  /** How long an agent talks before hanging up the customer. */
  talkMs: number;
  /** How long wrap-up lasts before the agent continues. */
  wrapUpMs: number;
}

/** Starts acting as every agent of the desk; returns a function that stops (pending actions are dropped). */
export function simulateAgents(desk: LiveAgentDesk, o: SimulatedAgentsOptions): () => void {
  const timers = new Set<NodeJS.Timeout>();
  const later = (ms: number, fn: () => Promise<unknown>) => {
    const t = setTimeout(() => {
      timers.delete(t);
      // The call may be gone already (the customer hung up first): nothing to do then.
      void fn().catch(() => undefined);
    }, ms);
    timers.add(t);
  };
  const onPop = (e: { agentId: string }) => later(o.talkMs, () => desk.hangupCustomer(e.agentId));
  const onState = (e: { agentId: string; to: string }) => {
    if (e.to === 'wrap_up') later(o.wrapUpMs, () => desk.finishWrapUp(e.agentId, 'continue'));
  };
  desk.on('screen-pop', onPop);
  desk.on('state', onState);
  return () => {
    desk.off('screen-pop', onPop);
    desk.off('state', onState);
    for (const t of timers) clearTimeout(t);
    timers.clear();
  };
}

/** Logs the agents in (the dialer calls their phones) and waits until all are ready. */
export async function loginAndWaitReady(
  desk: LiveAgentDesk,
  agentIds: readonly string[],
  groups: readonly string[],
  timeoutMs = 15000,
): Promise<void> {
  for (const id of agentIds) await desk.login(id);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ready = await desk.readyCount(groups);
    if (ready === agentIds.length) return;
    if (Date.now() > deadline)
      throw new Error(`only ${ready} of ${agentIds.length} agents became ready within ${timeoutMs / 1000} s (do their phones answer?)`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
