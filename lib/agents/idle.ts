/**
 * Auto-release of agents left too long in one state (seed 001: "agents idle in
 * a state too long (30/60 min) are released automatically"). Pure functions of
 * the state, the time it was entered and `now`.
 */
import type { AgentState } from './state';

/** Longest time in each state before release, seconds; 0 = never. */
export interface IdleLimits {
  readySec: number;
  wrapUpSec: number;
  breakSec: number;
  awaySec: number;
}

/** Seed 001's 30/60 minutes: a forgotten wrap-up or an absent agent holds no line for long; breaks and waiting get an hour. */
export const DEFAULT_IDLE_LIMITS: IdleLimits = { readySec: 3600, wrapUpSec: 1800, breakSec: 3600, awaySec: 1800 };

/** The limit that applies to a state, or undefined when the state is never released for idleness (waiting for return calls is waiting: readySec). */
export function limitFor(state: AgentState, limits: IdleLimits): number | undefined {
  const sec = (
    {
      ready: limits.readySec,
      return_calls: limits.readySec,
      wrap_up: limits.wrapUpSec,
      break: limits.breakSec,
      away: limits.awaySec,
    } as Partial<Record<AgentState, number>>
  )[state];
  return sec && sec > 0 ? sec : undefined;
}

export type IdleDecision = { release: false; dueAt?: number } | { release: true; reason: string; overdueMs: number };

/**
 * Whether an agent in `state` since `sinceMs` is to be released at `nowMs`.
 * `dueAt` tells when it will be (for the monitor), absent when never.
 */
export function idleDecision(state: AgentState, sinceMs: number, nowMs: number, limits: IdleLimits): IdleDecision {
  const sec = limitFor(state, limits);
  if (sec === undefined) return { release: false };
  const dueAt = sinceMs + sec * 1000;
  if (nowMs < dueAt) return { release: false, dueAt };
  return { release: true, reason: `${state.replace('_', '-')} for more than ${formatDuration(sec)}`, overdueMs: nowMs - dueAt };
}

function formatDuration(sec: number): string {
  if (sec % 3600 === 0) return `${sec / 3600} h`;
  if (sec % 60 === 0) return `${sec / 60} min`;
  return `${sec} s`;
}
