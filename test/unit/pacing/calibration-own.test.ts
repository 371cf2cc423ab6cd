/**
 * Round twenty-three (README, pacing): `calibrationOwnCalls`, the calibration factor over the model's own calls only.
 * A decision tags the first `ownCalls` of its calls as the model's (the floor's extra calls and the fallbacks' are
 * not); the estimator keeps their expected abandons and their abandons apart; predictive divides by that factor. Off by
 * default; tested at its edges: the estimator, the tick's figures, afterPlaced, the factor, and the simulator.
 */
import t from 'tap';
import { MODEL_COUNT_BASE, standardHistory, teamTick } from '../../helpers/pacing-history';
import {
  createEstimator,
  decideTick,
  estimates,
  observeAll,
  predictiveParams,
  type PacingEvent,
  type PredictiveMode,
} from '../../../lib/pacing';
import { afterPlaced, ownPlaced } from '../../../lib/dialer/steps/campaign-tick';
import { simulate } from '../../../bench/sim/engine';
import { simCampaign } from '../../../bench/sim/campaign';
import { grid } from '../../../bench/sim/scenario';

const NOW = 10 * 3600_000;
const ON: PredictiveMode = { ...MODEL_COUNT_BASE, calibrationOwnCalls: true };

t.test('the estimator: abandons told not own and the floor’s expected abandons are kept apart', async (t) => {
  const evs: PacingEvent[] = [
    { type: 'placed', at: NOW - 60_000, calls: 4, expectedAbandons: 0.5, expectedOwn: 0.2 },
    { type: 'placed', at: NOW - 50_000, calls: 2, expectedAbandons: 0.3 }, // untold: in the total only
    { type: 'abandoned', at: NOW - 40_000, own: false },
    { type: 'abandoned', at: NOW - 30_000, own: true },
    { type: 'abandoned', at: NOW - 20_000 }, // untold: counted as the model's
  ];
  const a = estimates(observeAll(createEstimator(), evs), NOW).abandon;
  t.equal(a.abandoned, 3);
  t.equal(a.abandonedOwn, 2);
  t.ok(Math.abs(a.expected - 0.8) < 1e-12);
  t.ok(Math.abs(a.expectedOwn! - 0.2) < 1e-12);
  t.throws(
    () => observeAll(createEstimator(), [{ type: 'placed', at: NOW, calls: 1, expectedAbandons: 0.1, expectedOwn: -1 }]),
    /expectedOwn/,
  );
});

t.test('off: no ownCalls figure, no expectedOwn, the same decision', async (t) => {
  const est = standardHistory(NOW);
  const d = decideTick(teamTick(NOW, est, MODEL_COUNT_BASE));
  t.equal(d.trace.figures.ownCalls, undefined);
  t.equal(d.trace.figures.expectedAbandonsOwn, undefined);
  t.equal(ownPlaced(d, d.calls), undefined);
  const on = decideTick(teamTick(NOW, est, ON));
  t.equal(on.calls, d.calls, 'nothing seen yet: the same calls');
  t.equal(on.trace.figures.expectedAbandons, d.trace.figures.expectedAbandons);
  t.match(predictiveParams({ kind: 'predictive' }), { calibrationOwnCalls: false });
});

t.test('on: the model’s calls are its own; the floor’s extra calls are not', async (t) => {
  const est = standardHistory(NOW);
  // The model's count reaches past the floor: every call is its own, at the whole expectation.
  const d = decideTick(teamTick(NOW, est, ON));
  t.ok(d.calls > 0);
  t.equal(d.trace.figures.ownCalls, d.calls);
  t.equal(d.trace.figures.expectedAbandonsOwn, d.trace.figures.expectedAbandons);
  // No budget left to spend per call (a target of 0): the model fits no call, the floor places one per ready agent.
  const none = decideTick(teamTick(NOW, est, { ...ON, targetAbandonRate: 0 }));
  t.equal(none.trace.figures.modelCalls, 0);
  t.equal(none.calls, 6, 'six ready agents, nothing in flight');
  t.equal(none.trace.figures.ownCalls, 0);
  t.equal(none.trace.figures.expectedAbandonsOwn, 0);
  t.ok((none.trace.figures.expectedAbandons as number) > 0, 'the floor’s calls are still expected to cost something');
  // A cap below the model's count: the own calls are those placed.
  // (The cap counts the campaign's legs: the 14 connected calls and these.)
  const capped = decideTick({ ...teamTick(NOW, est, ON), caps: { maxSimultaneousCalls: 16 } });
  t.ok(d.calls > 2);
  t.equal(capped.calls, 2);
  t.equal(capped.trace.figures.ownCalls, 2);
  // The fallbacks: none of their calls is the model's.
  const thin = decideTick(teamTick(NOW, { ...est, resolved: 1, live: 0 }, ON));
  t.equal(thin.trace.figures.ownCalls, 0);
  t.ok(thin.calls > 0);
});

t.test('afterPlaced: the model’s own calls among those placed, at their share of the expectation', async (t) => {
  const est = standardHistory(NOW);
  const d = decideTick(teamTick(NOW, est, ON));
  const n = d.calls;
  const expectedOwn = d.trace.figures.expectedAbandonsOwn as number;
  t.equal(ownPlaced(d, n), n);
  t.equal(ownPlaced(d, 1), 1, 'fewer claimed: the first ones');
  const after = estimates(afterPlaced(createEstimator(), d, n, NOW), NOW + 1000).abandon;
  t.ok(Math.abs(after.expectedOwn! - expectedOwn) < 1e-9);
  const one = estimates(afterPlaced(createEstimator(), d, 1, NOW), NOW + 1000).abandon;
  t.ok(Math.abs(one.expectedOwn! - expectedOwn / n) < 1e-9, 'one claimed: pro rata');
  const floorOnly = decideTick(teamTick(NOW, est, { ...ON, targetAbandonRate: 0 }));
  t.equal(ownPlaced(floorOnly, floorOnly.calls), 0);
  t.equal(estimates(afterPlaced(createEstimator(), floorOnly, floorOnly.calls, NOW), NOW + 1000).abandon.expectedOwn, 0);
});

t.test('the factor: over the own calls with the option, over all without', async (t) => {
  const base = standardHistory(NOW);
  // 10 abandons of 20 expected in all; the model's own: 2 of 4 expected... and 10 of 12: a factor 12/14 against 12/22.
  const est = { ...base, abandon: { ...base.abandon, live: 400, abandoned: 10, expected: 20, abandonedOwn: 10, expectedOwn: 12 } };
  const off = decideTick(teamTick(NOW, est, MODEL_COUNT_BASE));
  const on = decideTick(teamTick(NOW, est, ON));
  t.ok(Math.abs((off.trace.figures.modelBias as number) - 12 / 22) < 1e-3, `${off.trace.figures.modelBias}`);
  t.ok(Math.abs((on.trace.figures.modelBias as number) - 12 / 14) < 1e-3, `${on.trace.figures.modelBias}`);
  t.equal(on.trace.figures.modelBiasAll, off.trace.figures.modelBias, 'the all-calls factor in the trace');
  t.ok((on.trace.figures.perCallRisk as number) < (off.trace.figures.perCallRisk as number), 'a larger factor: a lower threshold');
  // Estimates without the own tallies (built by hand, or before any tagged call): the all-calls factor.
  const plain = decideTick(teamTick(NOW, { ...est, abandon: { ...est.abandon, abandonedOwn: undefined, expectedOwn: undefined } }, ON));
  t.equal(plain.trace.figures.modelBias, off.trace.figures.modelBias);
});

t.test('the simulator tags the floor’s extra calls: the own factor parts from the all-calls one within a shift', async (t) => {
  const sc = grid(1).find((s) => s.name === 'a5-live25-talk60')!;
  let parted = 0;
  let ticks = 0;
  let extra = 0;
  simulate(
    sc,
    { kind: 'tick', name: 'p', campaign: simCampaign('predictive'), predictive: { calibrationOwnCalls: true } },
    {
      seed: 3,
      onDecision: (d) => {
        const f = d.trace.figures;
        if (typeof f.modelBias !== 'number') return;
        ticks++;
        if (f.modelBias !== f.modelBiasAll) parted++;
        if (typeof f.ownCalls === 'number' && d.calls > f.ownCalls) extra++;
      },
    },
  );
  t.ok(ticks > 0 && extra > 0, `the floor placed calls beyond the model's on ${extra} of ${ticks} model ticks`);
  t.ok(parted > 0, `the factors differ on ${parted} ticks`);
});
