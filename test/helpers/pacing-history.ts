/**
 * The calls-meanwhile tests' fixtures (meanwhile, meanwhile-none-freed, meanwhile-covariance): the standard scenario's
 * estimates, a tick of its 20-agent team, the budget's threshold alone, and one simulated shift's trace figure.
 */
import { simulate } from '../../bench/sim/engine';
import { simCampaign } from '../../bench/sim/campaign';
import { grid } from '../../bench/sim/scenario';
import {
  createEstimator,
  estimates,
  observeAll,
  type AgentSnapshot,
  type Estimates,
  type PacingEvent,
  type PredictiveMode,
  type TickInput,
} from '../../lib/pacing';

/**
 * Estimates like the standard scenario's, as the estimator sums them at `now`: 20 min of resolved calls, one in four
 * live (ringing 3–25 s), the rest busy at 2 s or unanswered at 40 s, and 100 talks around 180 s with their wrap-ups
 * (10–30 s).
 */
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

/** A tick of a 20-agent team at `now`: `talking` of them on calls (since 150 s), the rest ready, `ringing` calls out. */
export function teamTick(now: number, est: Estimates, mode: PredictiveMode, talking = 14, ringing: number[] = []): TickInput {
  const agents: AgentSnapshot[] = [
    ...Array.from({ length: 20 - talking }, () => ({ state: 'ready' as const, since: now - 1000 })),
    ...Array.from({ length: talking }, () => ({ state: 'talking' as const, since: now - 150_000 })),
  ];
  return { now, mode, agents, calls: { ringing, queued: [], connected: talking }, caps: { maxSimultaneousCalls: 0 }, estimates: est };
}

/** The budget's threshold alone (as predictive.test.ts's rate case): what these tests look at is the model's count. */
export const MODEL_COUNT_BASE: PredictiveMode = {
  kind: 'predictive',
  thresholdPriorAnswers: 0,
  shiftGuardChance: 0,
  shiftGuardRate: 0.028,
};

/** One simulated shift (a5-live25-talk60, seed 3) under `predictive`: the given trace figure of every decision that has it. */
export function shiftFigures(predictive: Omit<PredictiveMode, 'kind'>, figure: string): number[] {
  const sc = grid(1).find((s) => s.name === 'a5-live25-talk60')!;
  const out: number[] = [];
  simulate(
    sc,
    { kind: 'tick', name: 'p', campaign: simCampaign('predictive'), predictive },
    {
      seed: 3,
      onDecision: (d) => {
        const v = d.trace.figures[figure];
        if (v !== undefined) out.push(v as number);
      },
    },
  );
  return out;
}
