/**
 * Estimates like the pacing tests' standard scenario, as the estimator sums them at `now`: 20 min of resolved calls,
 * one in four live (ringing 3–25 s), the rest busy at 2 s or unanswered at 40 s, and 100 talks around 180 s with their
 * wrap-ups (10–30 s). The calls-meanwhile tests (meanwhile, meanwhile-none-freed, meanwhile-covariance) lay their own
 * tallies over it.
 */
import { createEstimator, estimates, observeAll, type Estimates, type PacingEvent } from '../../lib/pacing';

export function standardHistory(now: number): Estimates {
  const evs: PacingEvent[] = [];
  const start = now - 20 * 60_000;
  for (let i = 0; i < 800; i++) {
    const at = start + i * 1000;
    if (i % 4 === 0) evs.push({ type: 'resolved', at, ringMs: 3000 + ((i * 7) % 23) * 1000, live: true });
    else evs.push({ type: 'resolved', at, ringMs: i % 3 === 0 ? 2000 : 40_000, live: false });
  }
  for (let i = 0; i < 100; i++) {
    evs.push({ type: 'talkEnded', at: start + i * 1000, talkMs: 180_000 * (0.4 + (i % 13) / 10.8) });
    evs.push({ type: 'wrapEnded', at: start + i * 1000 + 1, wrapMs: 10_000 + (i % 21) * 1000 });
  }
  return estimates(observeAll(createEstimator(), evs), now);
}
