/**
 * Round twenty-three (README, pacing): `meanwhileShare`, the calls-meanwhile count's variance share measured from the
 * live answers (meanwhile-share.ts): 1 + 2(cov(R, M) − cov(M, S)) ÷ E[M] ('poisson') or with M's own variance measured
 * ('measured'), within ring classes, shrunk toward 1, in [0, 1]. Off by default; tested at its edges: the tally, the
 * answers ahead, the estimator, the options, the decision and the simulator.
 */
import t from 'tap';
import { MODEL_COUNT_BASE, shiftFigures, standardHistory, teamTick } from '../../helpers/pacing-history';
import {
  createEstimator,
  decideTick,
  estimates,
  observeAll,
  predictiveParams,
  type PacingEvent,
  type PredictiveMode,
} from '../../../lib/pacing';
import { overtakeOf } from '../../../lib/pacing/meanwhile';
import { SHARE_CLASSES, addShare, meanwhileShare, sumShare, type ShareTally } from '../../../lib/pacing/meanwhile-share';

const NOW = 10 * 3600_000;

/** A tally of `cycles` repeats of the (R, M, S) answers given, all rung `ringMs`. */
function tally(answers: [number, number, number][], cycles: number, ringMs = 9000, from?: ShareTally): ShareTally {
  let out = from;
  for (let i = 0; i < cycles; i++) for (const [r, m, s] of answers) out = addShare(out, ringMs, r, m, s);
  return out!;
}

t.test('meanwhileShare: nothing measured is 1 (independence, today’s term)', async (t) => {
  t.match(meanwhileShare(undefined, 50, 'poisson'), { share: 1, raw: 1, answers: 0 });
  t.match(meanwhileShare(tally([[2, 0, 1]], 10), 0, 'poisson'), { share: 1, answers: 10 }, 'no overtaker: 1');
  t.match(meanwhileShare(tally([[0, 1, 0]], 1), 0, 'poisson'), { share: 1 }, 'one answer in its class: no moment');
});

t.test('meanwhileShare: the worked example, both forms, shrunk by pseudo-answers', async (t) => {
  // (R, M, S): E[M] = 1, E[R] = ¼, E[RM] = 0 → cov(R, M) = −¼; S = 0; Var(M) = E[M²] − 1 = 1.
  const x = tally(
    [
      [0, 2, 0],
      [1, 0, 0],
      [0, 0, 0],
      [0, 2, 0],
    ],
    25,
  );
  t.equal(x[2]![0], 100, 'a 9 s ring is class 2 (4 s classes)');
  const p = meanwhileShare(x, 0, 'poisson');
  t.ok(Math.abs(p.covRM + 0.25) < 1e-12 && Math.abs(p.meanM - 1) < 1e-12 && Math.abs(p.varM - 1) < 1e-12, JSON.stringify(p));
  t.ok(Math.abs(p.raw - 0.5) < 1e-12 && Math.abs(p.share - 0.5) < 1e-12, `1 + 2(−¼ − 0) ÷ 1 = ½ (${p.share})`);
  t.ok(Math.abs(meanwhileShare(x, 0, 'measured').share - 0.5) < 1e-12, 'measured: (1 − ½) ÷ 1 = ½ (Var(M) = E[M] here)');
  t.ok(Math.abs(meanwhileShare(x, 100, 'poisson').share - 0.75) < 1e-12, '100 pseudo-answers against 100: halfway to 1');
  t.ok(Math.abs(meanwhileShare(x, 300, 'poisson').share - 0.875) < 1e-12);
  // Agents freed with the calls placed: cov(M, S) = E[MS] − E[M]E[S] = 1 − 1·½ = ½ → 1 + 2(0 − ½) ÷ 1 = 0.
  const y = tally(
    [
      [0, 2, 1],
      [0, 0, 0],
    ],
    50,
  );
  t.equal(meanwhileShare(y, 0, 'poisson').share, 0, 'held at 0');
  t.ok(meanwhileShare(y, 0, 'poisson').raw < 0.5);
});

t.test('meanwhileShare: the measured form reads M’s own spread; positive covariances are held at 1', async (t) => {
  // M always 1: no spread of its own. Poisson takes Var(M) = 1 (share 1); measured reads 0.
  const flat = tally([[0, 1, 0]], 50);
  t.equal(meanwhileShare(flat, 0, 'poisson').share, 1);
  t.equal(meanwhileShare(flat, 0, 'measured').share, 0);
  // M 0 or 4: Var(M) = 4 = 2·E[M]: over-dispersed, measured raw 2, held at 1.
  const wide = tally(
    [
      [0, 4, 0],
      [0, 0, 0],
    ],
    50,
  );
  t.ok(Math.abs(meanwhileShare(wide, 0, 'measured').raw - 2) < 1e-12);
  t.equal(meanwhileShare(wide, 0, 'measured').share, 1);
  // R with M: cov(R, M) > 0 → raw above 1, held at 1.
  const up = tally(
    [
      [2, 2, 0],
      [0, 0, 0],
    ],
    50,
  );
  t.ok(meanwhileShare(up, 0, 'poisson').raw > 1);
  t.equal(meanwhileShare(up, 0, 'poisson').share, 1);
});

t.test('meanwhileShare: moments within ring classes (a longer ring has more of everything)', async (t) => {
  // Long rings: more ahead, more overtakers, more freed, each class flat: no covariance within a class.
  const x = tally([[3, 2, 4]], 30, 30_000, tally([[0, 1, 0]], 30, 2000));
  const m = meanwhileShare(x, 0, 'poisson');
  t.equal(m.covRM, 0);
  t.equal(m.covMS, 0);
  t.equal(m.share, 1, 'pooled, the ring length alone would read a covariance');
  t.equal(addShare(undefined, 10 * 60_000, 1, 1, 1)[SHARE_CLASSES - 1]![0], 1, 'a ring past the classes: the last');
  t.same(sumShare(x, x)[7], [60, 180, 120, 240, 360, 480, 240]);
  t.same(sumShare(undefined, x), x);
});

t.test('overtakeOf counts the live answers ahead: placed before, answered while it rang', async (t) => {
  const recent = {
    live: [
      [NOW - 60_000, NOW - 50_000], // before, answered while it rang: ahead
      [NOW - 70_000, NOW - 58_000], // before, answered before it was placed: neither
      [NOW - 55_000, NOW - 45_000], // placed with it: the model's call alongside, neither
      [NOW - 52_000, NOW - 48_000], // after, answered first: an overtaker
      [NOW - 65_000, NOW - 40_000], // before, answered after it: neither
    ] as [number, number][],
    freedAt: [NOW - 50_000],
  };
  const o = overtakeOf(recent, NOW - 45_000, 10_000);
  t.equal(o.ahead, 1);
  t.equal(o.overtakers, 1);
  t.equal(o.freed, 1);
  t.equal(overtakeOf(undefined, NOW, 5000).ahead, 0);
});

t.test('the estimator keeps each live answer’s (R, M, S) per ring class over the handle window', async (t) => {
  const evs: PacingEvent[] = [
    { type: 'answered', at: NOW - 50_000, ringMs: 10_000 }, // placed NOW − 60 s
    { type: 'wrapEnded', at: NOW - 47_000, wrapMs: 5000 },
    { type: 'answered', at: NOW - 48_000, ringMs: 4000 }, // placed NOW − 52 s: the first answered while it rang (1 ahead)
    { type: 'answered', at: NOW - 44_000, ringMs: 11_000 }, // placed NOW − 55 s: 1 ahead, 1 overtaker, 1 freed
  ];
  const e = estimates(observeAll(createEstimator(), evs), NOW);
  t.same(e.share?.[2], [2, 1, 1, 1, 1, 1, 1], 'class 2: the first (0, 0, 0) and the third (1, 1, 1)');
  t.same(e.share?.[1], [1, 1, 0, 0, 0, 0, 0]);
  t.equal(estimates(observeAll(createEstimator(), evs), NOW + 2 * 3600_000).share, undefined, 'out of the handle window');
});

t.test('the options: off by default, checked, one measure of the share at most', async (t) => {
  t.match(predictiveParams({ kind: 'predictive' }), { meanwhileShare: false, meanwhileSharePrior: 50, meanwhileShareForm: 'poisson' });
  t.throws(() => predictiveParams({ kind: 'predictive', meanwhileSharePrior: -1 }), /meanwhileSharePrior/);
  t.throws(() => predictiveParams({ kind: 'predictive', meanwhileSharePrior: Infinity }), /meanwhileSharePrior/);
  t.throws(() => predictiveParams({ kind: 'predictive', meanwhileShareForm: 'exact' as 'poisson' }), /meanwhileShareForm/);
  t.throws(() => predictiveParams({ kind: 'predictive', meanwhileShare: true, meanwhileVariance: 0.5 }), /one at most/);
  t.throws(() => predictiveParams({ kind: 'predictive', meanwhileShare: true, meanwhileCovariance: true }), /one at most/);
  t.doesNotThrow(() =>
    predictiveParams({ kind: 'predictive', meanwhileShare: true, meanwhileSharePrior: 0, meanwhileShareForm: 'measured' }),
  );
});

t.test('meanwhileShare in the decision: nothing measured is today’s; a share of 0 is meanwhileVariance 0’s', async (t) => {
  const est = standardHistory(NOW);
  const on: PredictiveMode = { ...MODEL_COUNT_BASE, meanwhileShare: true };
  const today = decideTick(teamTick(NOW, est, MODEL_COUNT_BASE));
  t.equal(today.trace.figures.meanwhileShareRaw, undefined, 'off: no figure');
  const fresh = decideTick(teamTick(NOW, est, on));
  t.equal(fresh.trace.figures.meanwhileVarianceShare, 1);
  t.equal(fresh.calls, today.calls);
  t.equal(fresh.trace.figures.modelCalls, today.trace.figures.modelCalls);
  // The worked example's second case (share 0), 400 answers, measured alone.
  const zero = tally(
    [
      [0, 2, 1],
      [0, 0, 0],
    ],
    200,
  );
  const d = decideTick(teamTick(NOW, { ...est, share: zero }, { ...on, meanwhileSharePrior: 0 }));
  t.equal(d.trace.figures.meanwhileVarianceShare, 0);
  t.equal(d.trace.figures.meanwhileShareAnswers, 400);
  const v0 = decideTick(teamTick(NOW, est, { ...MODEL_COUNT_BASE, meanwhileVariance: 0 }));
  t.equal(d.trace.figures.modelCalls, v0.trace.figures.modelCalls, 'the same model count as a fixed share of 0');
  t.ok((d.trace.figures.modelCalls as number) > (today.trace.figures.modelCalls as number), 'less spread: more calls');
  // Shrunk: a share between, a model count between.
  const half = decideTick(teamTick(NOW, { ...est, share: zero }, { ...on, meanwhileSharePrior: 400 }));
  const s = half.trace.figures.meanwhileVarianceShare as number;
  t.ok(s > 0 && s < 1, `share ${s}`);
  // The small team's exact tail reads it too.
  const small = (m: PredictiveMode) => decideTick(teamTick(NOW, { ...est, share: zero }, m, 18, [NOW - 3000, NOW - 6000]));
  t.equal(
    small({ ...on, meanwhileSharePrior: 0 }).trace.figures.modelCalls,
    small({ ...MODEL_COUNT_BASE, meanwhileVariance: 0 }).trace.figures.modelCalls,
  );
});

t.test('the simulator feeds meanwhileShare as the runner does: a share learnt within the shift', async (t) => {
  const shares = shiftFigures({ meanwhileShare: true }, 'meanwhileVarianceShare');
  t.ok(shares.length > 0 && shares.every((x) => x >= 0 && x <= 1), 'a share in [0, 1] on each model tick');
  t.ok(
    shares.some((x) => x < 0.95),
    `learnt from the shift: calls placed meanwhile move against the answers ahead (${Math.min(...shares)}–${Math.max(...shares)})`,
  );
  const answers = shiftFigures({ meanwhileShare: true }, 'meanwhileShareAnswers');
  t.ok(Math.max(...answers) > 20, `the live answers it rests on (${Math.max(...answers)})`);
});
