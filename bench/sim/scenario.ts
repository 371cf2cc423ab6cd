/**
 * What the simulated world looks like: agents, their talk and wrap-up times,
 * and what happens to a call placed (the outcome mix and its ring durations).
 */
export interface Scenario {
  name: string;
  agents: number;
  /** Fraction of calls placed that a person answers. */
  liveRate: number;
  /** Mean talk time (s); talk times are Erlang-2 (cv ≈ 0.71), wrap-up uniform 10–30 s. */
  talkMeanSec: number;
  shiftHours: number;
  /** What real floors add (absent: the plain world above). */
  world?: World;
}

/**
 * A richer floor: answering-machine detection errors, the time to bridge an
 * agent, breaks, agents of uneven speed, answer rates that swing over the day,
 * and the campaign's ring timeout.
 */
export interface World {
  /** Share of machines the detector calls a person (sent to an agent, who hangs up after a few seconds). */
  amdFalsePerson: number;
  /** Share of persons the detector calls a machine (hung up on: a lost contact, not counted live). */
  amdFalseMachine: number;
  /** Agent bridge delay after the reservation (s), uniform. */
  bridgeSec: [number, number];
  /** Each agent takes a break of this many minutes every `breakEveryMin` (random phase). */
  breakMin: number;
  breakEveryMin: number;
  /** Per-agent talk and wrap-up speed factors, uniform in [1 − spread, 1 + spread]. */
  agentSpread: number;
  /** Live rate × (1 + swing · sin(2π t / shift)): mornings and evenings differ. */
  hourSwing: number;
  /** Ring timeout (s): no answer by then ends the call (code 2), a person answering later is lost. */
  ringTimeoutSec: number;
}

export const RICH_WORLD: World = {
  amdFalsePerson: 0.05,
  amdFalseMachine: 0.03,
  bridgeSec: [0.3, 1.2],
  breakMin: 15,
  breakEveryMin: 120,
  agentSpread: 0.3,
  hourSwing: 0.3,
  ringTimeoutSec: 40,
};

/** A machine sent to an agent by mistake: the agent hangs up after this long (s). */
export const FALSE_PERSON_TALK_SEC: [number, number] = [3, 8];

/** Ring time to a live answer (s), then the human verdict after the greeting. */
export const LIVE_RING_SEC: [number, number] = [3, 25];
export const HUMAN_VERDICT_SEC = 1;
export const WRAP_SEC: [number, number] = [10, 30];
/** Ring timeout (result code 2), the campaign default. */
export const RING_TIMEOUT_SEC = 40;

/** What the calls that no person answers do, as shares of them, with how long they hold the line. */
export const NON_LIVE_MIX: { kind: string; share: number; sec: [number, number] }[] = [
  { kind: 'no answer', share: 0.45, sec: [RING_TIMEOUT_SEC, RING_TIMEOUT_SEC] },
  { kind: 'machine', share: 0.35, sec: [3 + 3.5, 25 + 3.5] }, // rings, answers, AMD verdict after ~3.5 s
  { kind: 'busy', share: 0.15, sec: [1, 5] },
  { kind: 'sit/error', share: 0.05, sec: [0.5, 4] },
];

export const STANDARD: Omit<Scenario, 'shiftHours'> = { name: 'a20-live25-talk180', agents: 20, liveRate: 0.25, talkMeanSec: 180 };

/**
 * The benchmark grid: agents 5/20/100 × live answer 10/25/50 % × talk 60/180 s
 * in the rich world (AMD errors, bridge delay, breaks, uneven agents, daily
 * swing) with a 40 s ring timeout, and the 180 s rows again with 20 s (27).
 */
export function grid(shiftHours: number): Scenario[] {
  const out: Scenario[] = [];
  for (const ringTimeoutSec of [40, 20])
    for (const agents of [5, 20, 100])
      for (const liveRate of [0.1, 0.25, 0.5])
        for (const talkMeanSec of [60, 180]) {
          if (ringTimeoutSec === 20 && talkMeanSec === 60) continue;
          const name = `a${agents}-live${Math.round(liveRate * 100)}-talk${talkMeanSec}${ringTimeoutSec === 40 ? '' : `-ring${ringTimeoutSec}`}`;
          out.push({ name, agents, liveRate, talkMeanSec, shiftHours, world: { ...RICH_WORLD, ringTimeoutSec } });
        }
  return out;
}
