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
}

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

/** The benchmark grid: agents 5/20/100 × live answer 10/25/50 % × talk 60/180 s. */
export function grid(shiftHours: number): Scenario[] {
  const out: Scenario[] = [];
  for (const agents of [5, 20, 100])
    for (const liveRate of [0.1, 0.25, 0.5])
      for (const talkMeanSec of [60, 180])
        out.push({ name: `a${agents}-live${Math.round(liveRate * 100)}-talk${talkMeanSec}`, agents, liveRate, talkMeanSec, shiftHours });
  return out;
}
