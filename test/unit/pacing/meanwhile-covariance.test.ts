/**
 * Round twenty-one (README, pacing): the calls-meanwhile count's spread. `meanwhileVariance` fixes the share of its
 * Poisson variance the model counts (1: all, the default); `meanwhileCovariance` measures it online as 1 − 2γ, γ the
 * covariance of calls placed with agents freed over a live ring's length per call placed (meanwhile.ts). Both off by
 * default; tested at their edges: the exact tail's reduced-spread count, the windows' moments, the estimator's tally,
 * the decision, and the simulator.
 */
import t from 'tap';
import { MODEL_COUNT_BASE, shiftFigures, standardHistory, teamTick } from '../../helpers/pacing-history';
import { differencePmf } from '../../../lib/pacing/count-tail';
import {
  createEstimator,
  decideTick,
  estimates,
  observeAll,
  predictiveParams,
  type Estimates,
  type PacingEvent,
  type PredictiveMode,
  type TickInput,
} from '../../../lib/pacing';
import {
  COUPLING_CLASSES,
  addCoupling,
  addWindow,
  couplingCovariance,
  meanwhileCovariance,
  sumCoupling,
  windowedSupply,
  type CouplingTally,
  type WindowMoments,
} from '../../../lib/pacing/meanwhile';

const NOW = 10 * 3600_000;

const moments = (d: { pmf: Float64Array; offset: number }) => {
  let m = 0;
  let sq = 0;
  let total = 0;
  d.pmf.forEach((p, i) => {
    const x = i - d.offset;
    total += p;
    m += p * x;
    sq += p * x * x;
  });
  return { total, mean: m, variance: sq - m * m };
};

t.test('differencePmf with a share of the Poisson spread: the same mean, share·mean + (1 − share)·f(1 − f) variance', async (t) => {
  const full = moments(differencePmf(0, [], 2.3, []));
  t.ok(Math.abs(full.mean - 2.3) < 1e-9 && Math.abs(full.variance - 2.3) < 1e-9, 'share 1 (default): the Poisson');
  t.same(differencePmf(1, [0.4], 2.3, [0.7], 1), differencePmf(1, [0.4], 2.3, [0.7]), 'share 1 is today’s PMF to the bit');
  const none = differencePmf(0, [], 2.3, [], 0);
  const n = moments(none);
  t.ok(Math.abs(n.total - 1) < 1e-12 && Math.abs(n.mean - 2.3) < 1e-9, 'share 0: the mean kept');
  t.ok(Math.abs(n.variance - 0.3 * 0.7) < 1e-9, `share 0: the least spread with that mean, 2 or 3 (${n.variance})`);
  t.ok(Math.abs(none.pmf[2 + none.offset]! - 0.7) < 1e-12 && Math.abs(none.pmf[3 + none.offset]! - 0.3) < 1e-12);
  const half = moments(differencePmf(0, [], 2.3, [], 0.5));
  t.ok(Math.abs(half.mean - 2.3) < 1e-9 && Math.abs(half.variance - (0.5 * 2.3 + 0.5 * 0.21)) < 1e-9, 'share ½: between');
  // With demand and supply: the mean of the difference is kept, its variance falls by (1 − share)·(mean − f(1 − f)).
  const a = moments(differencePmf(1, [0.4, 0.2], 0.6, [0.7, 0.5]));
  const b = moments(differencePmf(1, [0.4, 0.2], 0.6, [0.7, 0.5], 0));
  t.ok(Math.abs(a.mean - b.mean) < 1e-9, 'the difference’s mean kept');
  t.ok(Math.abs(a.variance - b.variance - (0.6 - 0.6 * 0.4)) < 1e-9, `variance ${a.variance} → ${b.variance}`);
  // A mean under one: the count is 0 or 1.
  const small = differencePmf(0, [], 0.25, [], 0);
  t.ok(Math.abs(small.pmf[small.offset]! - 0.75) < 1e-12 && Math.abs(small.pmf[1 + small.offset]! - 0.25) < 1e-12);
});

t.test('windowedSupply counts the agents freed in the window', async (t) => {
  const memory = { live: [], freedAt: [NOW - 12_000, NOW - 9000, NOW - 1000, NOW], placed: [] };
  t.equal(windowedSupply(memory, NOW, 10_000, 0).windowFreed, 3, 'in (NOW − 10 s, NOW]: three');
  t.equal(windowedSupply(memory, NOW, 10_000, 0).short, false);
  t.equal(windowedSupply(memory, NOW, 500, 0).windowFreed, 1, 'the one at the tick itself');
  t.equal(windowedSupply({ ...memory, freedAt: [] }, NOW, 10_000, 0).short, true, 'none freed: short');
});

t.test('meanwhileCovariance: Cov(placed, freed) ÷ E[placed] over the windows, shrunk toward 0 by pseudo-windows', async (t) => {
  t.same(meanwhileCovariance(undefined, 20), { gamma: 0, cov: 0, windows: 0 }, 'no windows: independence');
  t.equal(meanwhileCovariance(addWindow(undefined, 1000, 10_000, 0, 3), 0).gamma, 0, 'no calls placed: 0');
  // Two kinds of window, equally often: (placed 4, freed 2) and (placed 0, freed 0). E[p] = 2, E[f] = 1, E[pf] = 4,
  // Cov = 2, γ = 1: every agent freed brought two calls.
  let m: WindowMoments | undefined;
  for (let i = 0; i < 100; i++) m = addWindow(m, 1000, 10_000, i % 2 ? 4 : 0, i % 2 ? 2 : 0);
  const raw = meanwhileCovariance(m, 0);
  t.ok(Math.abs(raw.cov - 2) < 1e-9 && Math.abs(raw.gamma - 1) < 1e-9, `γ ${raw.gamma}`);
  t.equal(raw.windows, 10, '100 s sampled at a 10 s window: ten windows’ worth');
  t.ok(Math.abs(meanwhileCovariance(m, 10).gamma - 0.5) < 1e-9, 'ten pseudo-windows against ten: half');
  t.ok(Math.abs(meanwhileCovariance(m, 30).gamma - 0.25) < 1e-9);
  // Calls placed against the agents freed (more calls when fewer came free): a negative γ.
  let neg: WindowMoments | undefined;
  for (let i = 0; i < 100; i++) neg = addWindow(neg, 1000, 10_000, i % 2 ? 4 : 0, i % 2 ? 0 : 2);
  t.ok(meanwhileCovariance(neg, 0).gamma < 0);
  // Unrelated counts: the four combinations equally often.
  let ind: WindowMoments | undefined;
  for (let i = 0; i < 100; i++) ind = addWindow(ind, 1000, 10_000, i % 2 ? 4 : 0, i % 4 < 2 ? 2 : 0);
  t.ok(Math.abs(meanwhileCovariance(ind, 0).gamma) < 1e-9, 'independent: 0');
});

t.test('the estimator keeps the windows’ moments from windowed supply events, each at its gap', async (t) => {
  const W = 10_000;
  const evs: PacingEvent[] = [
    { type: 'supply', at: NOW - 20_000, short: false, calls: 2, windowMs: W }, // the first: no gap, no window
    { type: 'wrapEnded', at: NOW - 19_000, wrapMs: 15_000 },
    { type: 'supply', at: NOW - 17_000, short: false, calls: 1, windowMs: W }, // 3 s: placed 3, freed 1
    { type: 'supply', at: NOW - 5000, short: false, calls: 0, windowMs: W }, // 5 s (the cap): placed 0, freed 0
  ];
  const e = estimates(observeAll(createEstimator(), evs), NOW);
  t.same(e.windows, { ms: 8000, windowMsSum: 8000 * W, p: 9000, f: 3000, pf: 9000, pp: 27_000, ff: 3000 });
  const c = meanwhileCovariance(e.windows, 0);
  // E[p] = 9/8, E[f] = 3/8, E[pf] = 9/8: Cov = 9/8 − 27/64 = 45/64; γ = Cov ÷ E[p] = 5/8.
  t.ok(Math.abs(c.gamma - 5 / 8) < 1e-9, `γ ${c.gamma}`);
  const plain = estimates(observeAll(createEstimator(), [{ type: 'supply', at: NOW - 1000, short: true, calls: 1 }]), NOW);
  t.equal(plain.windows, undefined, 'supply events without a window keep none');
});

t.test('couplingCovariance: the live answers’ overtakers against the agents freed, within ring classes', async (t) => {
  t.same(couplingCovariance(undefined, 20), { gamma: 0, answers: 0 });
  // Ring 5 s (class 1): (2 overtakers, 2 freed) and (0, 0) alternate: Cov = 1, E[O] = 1, γ = 1.
  let c: CouplingTally | undefined;
  for (let i = 0; i < 40; i++) c = addCoupling(c, 5000, i % 2 ? 2 : 0, i % 2 ? 2 : 0);
  t.equal(c!.length, COUPLING_CLASSES);
  t.same(c![1], [40, 40, 40, 80]);
  t.ok(Math.abs(couplingCovariance(c, 0).gamma - 1) < 1e-9);
  t.ok(Math.abs(couplingCovariance(c, 40).gamma - 0.5) < 1e-9, '40 pseudo-answers against 40: half');
  // Long rings with more of both, each class flat: no coupling within a class, so 0 (pooled, it would read positive).
  let byRing: CouplingTally | undefined;
  for (let i = 0; i < 40; i++) byRing = addCoupling(byRing, i % 2 ? 30_000 : 2000, i % 2 ? 3 : 0, i % 2 ? 4 : 1);
  t.equal(couplingCovariance(byRing, 0).gamma, 0, 'the ring length’s own coupling is not counted');
  t.equal(addCoupling(undefined, 10 * 60_000, 1, 1)[COUPLING_CLASSES - 1]![0], 1, 'a ring past the classes: the last');
  t.same(sumCoupling(c, c!)[1], [80, 80, 80, 160]);
  // The estimator: each live answer's overtakers and agents freed while it rang (overtakeOf).
  const evs: PacingEvent[] = [
    { type: 'answered', at: NOW - 50_000, ringMs: 10_000 }, // placed NOW − 60 s
    { type: 'wrapEnded', at: NOW - 45_000, wrapMs: 5000 },
    { type: 'answered', at: NOW - 44_000, ringMs: 5000 }, // placed NOW − 49 s: none overtook it, 1 freed
    { type: 'answered', at: NOW - 40_000, ringMs: 30_000 }, // placed NOW − 70 s: 2 overtook it, 1 freed
  ];
  const e = estimates(observeAll(createEstimator(), evs), NOW);
  t.same(e.coupling?.[1], [1, 0, 1, 0]);
  t.same(e.coupling?.[2], [1, 0, 0, 0]);
  t.same(e.coupling?.[7], [1, 2, 1, 2]);
});

t.test('the options: off by default, checked, not with a fixed share or the supply measure', async (t) => {
  t.match(predictiveParams({ kind: 'predictive' }), { meanwhileVariance: 1, meanwhileCovariance: false, meanwhileCovariancePrior: 20 });
  t.throws(() => predictiveParams({ kind: 'predictive', meanwhileVariance: -0.1 }), /meanwhileVariance/);
  t.throws(() => predictiveParams({ kind: 'predictive', meanwhileVariance: 1.5 }), /meanwhileVariance/);
  t.throws(() => predictiveParams({ kind: 'predictive', meanwhileCovariancePrior: -1 }), /meanwhileCovariancePrior/);
  t.throws(() => predictiveParams({ kind: 'predictive', meanwhileCovariance: true, meanwhileVariance: 0.5 }), /one at most/);
  t.throws(() => predictiveParams({ kind: 'predictive', meanwhileCovariance: true, meanwhileBySupply: true }), /one at most/);
  t.doesNotThrow(() => predictiveParams({ kind: 'predictive', meanwhileCovariance: true, meanwhileByNoneFreed: true }));
  t.match(predictiveParams({ kind: 'predictive' }), { meanwhileCovarianceFrom: 'windows' });
  t.throws(() => predictiveParams({ kind: 'predictive', meanwhileCovarianceFrom: 'calls' as 'answers' }), /meanwhileCovarianceFrom/);
  t.doesNotThrow(
    () => predictiveParams({ kind: 'predictive', meanwhileCovariance: true, meanwhileCovarianceFrom: 'answers', meanwhileBySupply: true }),
    'the answers’ measure reads no supply events',
  );
});

/** The standard scenario's estimates (test/helpers/pacing-history.ts), with window moments. */
function history(windows?: WindowMoments): Estimates {
  const e = standardHistory(NOW);
  return windows ? { ...e, windows } : e;
}

const tick = (est: Estimates, mode: PredictiveMode, talking = 14, ringing: number[] = []): TickInput =>
  teamTick(NOW, est, mode, talking, ringing);
const BASE = MODEL_COUNT_BASE;

/** Windows where each agent freed brought `perFreed` calls: γ = perFreed·Var(f) ÷ E[p] = 1 here for perFreed 2. */
function coupled(perFreed: number): WindowMoments {
  let m: WindowMoments | undefined;
  for (let i = 0; i < 3600; i++) m = addWindow(m, 1000, 14_000, i % 2 ? 2 * perFreed : 0, i % 2 ? 2 : 0);
  return m!;
}

t.test('meanwhileVariance in the decision: 1 is today’s; less spread, no fewer calls', async (t) => {
  const est = history();
  const today = decideTick(tick(est, BASE));
  t.same(decideTick(tick(est, { ...BASE, meanwhileVariance: 1 })), today, 'share 1: identical');
  const none = decideTick(tick(est, { ...BASE, meanwhileVariance: 0 }));
  t.equal(none.trace.figures.expectedAnswers, today.trace.figures.expectedAnswers, 'the mean kept');
  t.ok(none.calls >= today.calls, `${none.calls} ≥ ${today.calls}`);
  t.ok((none.trace.figures.modelCalls as number) > (today.trace.figures.modelCalls as number), 'the model fits more calls');
  // A small team takes the exact tail (count-tail.ts): the share reaches it too.
  const small = (m: PredictiveMode) => decideTick(tick(est, m, 18, [NOW - 3000, NOW - 6000]));
  t.ok((small({ ...BASE, meanwhileVariance: 0 }).trace.figures.modelCalls as number) >= (small(BASE).trace.figures.modelCalls as number));
});

t.test(
  'meanwhileCovariance in the decision: no windows is today’s term; placements that follow the agents freed, more calls',
  async (t) => {
    const on: PredictiveMode = { ...BASE, meanwhileCovariance: true };
    const today = decideTick(tick(history(), BASE));
    t.equal(today.trace.figures.meanwhileCovGamma, undefined, 'off: no figure');
    t.equal(today.trace.figures.keepSupply, undefined, 'off: no tick kept');
    const fresh = decideTick(tick(history(), on));
    t.equal(fresh.trace.figures.meanwhileCovGamma, 0);
    t.equal(fresh.trace.figures.meanwhileVarianceShare, 1);
    t.equal(fresh.trace.figures.keepSupply, 'noneFreed', 'on: every tick is kept, to learn from');
    t.ok((fresh.trace.figures.meanwhileWindowMs as number) > 0, 'the window is reported for the tick’s record');
    t.equal(fresh.calls, today.calls);
    t.equal(fresh.trace.figures.modelCalls, today.trace.figures.modelCalls);
    // One call per agent freed: Cov = Var(f) = 1, E[p] = 1, γ ≈ 1 (shrunk by 20 of ~257 windows): the share is 0.
    const one = decideTick(tick(history(coupled(1)), on));
    t.ok((one.trace.figures.meanwhileCovGamma as number) > 0.9, `γ ${one.trace.figures.meanwhileCovGamma}`);
    t.equal(one.trace.figures.meanwhileVarianceShare, 0);
    t.equal(one.trace.figures.expectedAnswers, today.trace.figures.expectedAnswers, 'the mean kept');
    t.equal(one.trace.figures.modelCalls, decideTick(tick(history(), { ...BASE, meanwhileVariance: 0 })).trace.figures.modelCalls);
    // A weak coupling (a call more in the windows with an agent freed, and calls unrelated to it): Cov = ¼, E[p] = 3,
    // γ ≈ 1/12, a share between.
    let weak: WindowMoments | undefined;
    for (let i = 0; i < 3600; i++) weak = addWindow(weak, 1000, 14_000, 2 + (i % 4 < 2 ? 1 : 0) + (i % 2), i % 4 < 2 ? 1 : 0);
    const w = decideTick(tick(history(weak), on));
    const share = w.trace.figures.meanwhileVarianceShare as number;
    t.ok(share > 0 && share < 1, `share ${share}`);
    // Placements against the agents freed: a negative γ adds no spread beyond the Poisson's (the share is at most 1).
    let neg: WindowMoments | undefined;
    for (let i = 0; i < 3600; i++) neg = addWindow(neg, 1000, 14_000, i % 2 ? 4 : 0, i % 2 ? 0 : 2);
    const n = decideTick(tick(history(neg), on));
    t.ok((n.trace.figures.meanwhileCovGamma as number) < 0);
    t.equal(n.trace.figures.meanwhileVarianceShare, 1);
    t.equal(n.calls, today.calls);
  },
);

t.test('meanwhileCovarianceFrom answers in the decision: γ from the live answers, no tick kept', async (t) => {
  const on: PredictiveMode = { ...BASE, meanwhileCovariance: true, meanwhileCovarianceFrom: 'answers' };
  const today = decideTick(tick(history(), BASE));
  let c: CouplingTally | undefined;
  for (let i = 0; i < 400; i++) c = addCoupling(c, 9000, i % 2 ? 2 : 0, i % 2 ? 2 : 0);
  const d = decideTick(tick({ ...history(), coupling: c }, on));
  t.equal(d.trace.figures.keepSupply, undefined, 'no supply events needed');
  t.equal(d.trace.figures.meanwhileWindowMs, undefined);
  t.ok(Math.abs((d.trace.figures.meanwhileCovGamma as number) - 400 / 420) < 1e-3, `γ ${d.trace.figures.meanwhileCovGamma}`);
  t.equal(d.trace.figures.meanwhileVarianceShare, 0);
  t.ok((d.trace.figures.modelCalls as number) > (today.trace.figures.modelCalls as number));
  t.same(decideTick(tick(history(), on)).calls, today.calls, 'no answers yet: today’s');
});

t.test('the simulator feeds meanwhileCovariance as the runner does: a positive γ within the shift', async (t) => {
  const gammas = shiftFigures({ meanwhileCovariance: true }, 'meanwhileCovGamma');
  t.ok(gammas.length > 0 && gammas.every((x) => Number.isFinite(x)), 'a γ on each model tick');
  t.ok(
    gammas.some((x) => x > 0.05),
    `learnt from the shift: calls follow the agents freed (${Math.min(...gammas)}–${Math.max(...gammas)})`,
  );
});
