/**
 * When a call counts as resolved for the pacing estimator. Its live rate is live ÷ resolved over a window of buckets
 * (estimator.ts `liveRate`), each event counted in the bucket of its time. A call resolves for pacing when its
 * outcome is known: a person at the person verdict, anything else at its close. The runner used to tell every call
 * at its close, a person's only after the talk: over the last talk's length, persons' calls were not yet resolved
 * while the machines and no-answers placed with them were, so the live rate read low by up to a talk's worth of
 * answers (most at a campaign's start: three minutes of talk at the first minutes' answers). The simulator that the
 * pacing bench runs (bench/sim/engine.ts) tells every call at its answer, so production paced on an estimate the bench
 * never measured. Live here is what the simulator counts: a person verdict (a machine taken for a person included),
 * whatever code the call ends with; without one, the closing code says (LIVE_ANSWER_CODES). Pure: no I/O, no clock.
 */
import type { PacingEvent } from '../../pacing';

/** What the runner knows of a call for these events. */
export interface ResolutionInput {
  /** When the call was placed. */
  startedAt: number;
  /** The person verdict's time, if one came. */
  personAt?: number;
  /** When the far end's leg ended, if it has. */
  endedAt?: number;
}

/** The events of a person verdict: its resolution (live) and its answer (predictive's meanwhileByFreed). */
export function verdictEvents(c: ResolutionInput): PacingEvent[] {
  const at = c.personAt;
  if (at === undefined) return [];
  const ringMs = Math.max(0, at - c.startedAt);
  return [
    { type: 'resolved', at, ringMs, live: true },
    { type: 'answered', at, ringMs },
  ];
}

/**
 * The events at a call's close: a person verdict not yet told (`told` false) is told now, at its own time; a call
 * with none resolves now, live as its closing code says.
 */
export function closeEvents(c: ResolutionInput, now: number, told: boolean, liveCode: boolean): PacingEvent[] {
  if (c.personAt !== undefined) return told ? [] : verdictEvents(c);
  return [{ type: 'resolved', at: now, ringMs: Math.max(0, (c.endedAt ?? now) - c.startedAt), live: liveCode }];
}
