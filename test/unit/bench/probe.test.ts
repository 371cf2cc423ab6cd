import t from 'tap';
import { agentTruth, parseProbe, probeEstimates, probeModeOptions } from '../../../bench/sim/probe';
import { DEFAULT_RANGE, nextTheta, occupancyAtCap, parseProbeRange } from '../../../bench/sim/probe-sweep';
import { simulate } from '../../../bench/sim/engine';
import { simCampaign } from '../../../bench/sim/campaign';
import { grid, RICH_WORLD } from '../../../bench/sim/scenario';
import { Rng } from '../../../bench/sim/prng';
import { empiricalLaw, histogramTerciles } from '../../../lib/pacing/duration-law';
import { createEstimator, estimates } from '../../../lib/pacing';

t.test('--probe-sweep JSON: truths and a threshold parse; anything else is refused', async (t) => {
  t.equal(parseProbe(undefined), undefined);
  t.same(parseProbe('{"truth":["talk","wrapByTalk"]}'), { truth: ['talk', 'wrapByTalk'] });
  t.same(parseProbe('{"fixedRisk":0.02}'), { fixedRisk: 0.02 });
  t.throws(() => parseProbe('{"truth":["talks"]}'), /truth must be a list/);
  t.throws(() => parseProbe('{"fixedrisk":0.02}'), /unknown key/);
  t.throws(() => parseProbe('{"fixedRisk":0}'), /fixedRisk/);
  t.throws(() => parseProbe('[]'), /JSON object/);
});

t.test('a fixed threshold turns the guards off; the true pairing turns its law on', async (t) => {
  t.match(probeModeOptions({ fixedRisk: 0.01 }, { safetyMargin: 0.1 }), { safetyMargin: 0.1, shiftGuardChance: 0, shiftGuardRate: 1 });
  t.equal(probeModeOptions({ truth: ['wrapByTalk'] }, undefined).wrapLawByTalk, true);
  t.same(probeModeOptions({ truth: ['talk'] }, undefined), {});
});

t.test('with a fixed threshold every predictive decision is placed under exactly that threshold', async (t) => {
  const sc = { ...grid(1).find((s) => s.name === 'a5-live25-talk60')!, shiftHours: 1 };
  const risks = new Set<number>();
  const r = simulate(
    sc,
    { kind: 'tick', name: 'p', campaign: simCampaign('predictive'), probe: { fixedRisk: 0.0123 } },
    { seed: 3, onDecision: (d) => void (d.trace.figures.perCallRisk !== undefined && risks.add(Number(d.trace.figures.perCallRisk))) },
  );
  t.ok(r.placed > 100);
  t.same([...risks], [0.0123]);
});

t.test('the true talk law: its histogram is the mixture the simulator draws from (Monte Carlo)', async (t) => {
  const speeds = [
    { talk: 0.8, wrap: 1.2 },
    { talk: 1.25, wrap: 0.9 },
  ];
  const fp = 0.12;
  const a = agentTruth({ world: RICH_WORLD, talkMeanSec: 60, speeds, liveAt: () => 0.25 }, fp);
  t.equal(Math.round(a.talkHist.reduce((x, y) => x + y, 0)), 100_000);
  // Monte Carlo of the same world: agents chosen by throughput, bridge + Erlang-2 or a false person's 3-8 s.
  const rng = new Rng(7);
  const w = speeds.map((s) => 1 / (60_000 * s.talk + 20_000 * s.wrap));
  const talks: number[] = [];
  for (let i = 0; i < 200_000; i++) {
    const ag = rng.next() < w[0]! / (w[0]! + w[1]!) ? 0 : 1;
    const bridge = rng.uniform(300, 1200);
    talks.push(bridge + (rng.next() < fp ? rng.uniform(3000, 8000) : rng.erlang(2, 60_000 * speeds[ag]!.talk)));
  }
  const law = empiricalLaw(a.talkHist, [])!;
  for (const [e, y] of [
    [0, 10_000],
    [30_000, 20_000],
    [120_000, 30_000],
  ] as const) {
    const alive = talks.filter((x) => x > e);
    const seen = alive.filter((x) => x <= e + y).length / alive.length;
    t.ok(Math.abs(law.finishWithin(e, y) - seen) < 0.015, `P(ends within ${y} | ${e}): law ${law.finishWithin(e, y)} vs seen ${seen}`);
  }
  t.ok(Math.abs(a.talkMeanMs - talks.reduce((x, y) => x + y, 0) / talks.length) < 1500, `talk mean ${a.talkMeanMs}`);
});

t.test('the true wrap-ups per talk class: short talks (machines put through) wrap in 2 s, conversations in 10-30 s', async (t) => {
  const a = agentTruth({ world: RICH_WORLD, talkMeanSec: 180, speeds: [{ talk: 1, wrap: 1 }], liveAt: () => 0.25 }, 0.1);
  const short = histogramTerciles(a.wrapByTalk[1]!, 10)!; // talks of 5-10 s
  const long = histogramTerciles(a.wrapByTalk[5]!, 10)!; // 80-160 s
  t.ok(short[2] < 3000, `5-10 s talks: wrap-up terciles ${short}`);
  t.ok(long[0] > 10_000 && long[2] < 30_000, `80-160 s talks: wrap-up terciles ${long}`);
});

t.test('true answer laws replace the estimate; the estimate is not changed in place', async (t) => {
  const e = estimates(createEstimator(), 0);
  const copy = JSON.parse(JSON.stringify(e));
  const world = { world: RICH_WORLD, talkMeanSec: 60, speeds: [{ talk: 1, wrap: 1 }], liveAt: () => 0.25 };
  const out = probeEstimates(e, { truth: ['liveRate', 'ringLaws'] }, world, 0, new Map());
  t.same(e, copy);
  // 25 % persons answering within the 40 s timeout, 3 % of them lost to the detector; 5 % of the machines sent as persons.
  t.ok(Math.abs(out.liveRate - (0.25 * 0.97 + 0.75 * 0.35 * 0.05)) < 0.002, `live rate ${out.liveRate}`);
  t.ok(out.liveRingCdf[2]! < 0.02 && out.liveRingCdf[30]! > 0.99, 'persons answer after 3-25 s + the 1 s verdict');
  t.ok(out.otherRingCdf[38]! < 0.6 && out.otherRingCdf[41]! > 0.99, 'no answer at the 40 s timeout');
  // A tracked live rate (liveRateDrift) would read the buckets' counts instead: the true rate drops them.
  t.ok(e.liveSeries !== undefined && out.liveSeries === undefined, 'the per-bucket series is dropped with the true rate');
});

t.test("each agent's true speed (agentSpeed): the paces, on the speed-1 law where the laws are true", async (t) => {
  t.equal(probeModeOptions({ truth: ['agentSpeed'] }, undefined).agentPace, true);
  t.same(parseProbe('{"truth":["agentSpeed"]}'), { truth: ['agentSpeed'] });
  const e = estimates(createEstimator(), 0);
  const speeds = [
    { talk: 0.7, wrap: 1.2 },
    { talk: 1.3, wrap: 0.8 },
  ];
  const world = { world: RICH_WORLD, talkMeanSec: 180, speeds, liveAt: () => 0.25 };
  const trueLaws = probeEstimates(e, { truth: ['talk', 'wrap', 'agentSpeed'] }, world, 0, new Map());
  t.same(trueLaws.agentPace, {
    '0': { talk: 0.7, wrap: 1.2, talks: 100_000, wraps: 100_000 },
    '1': { talk: 1.3, wrap: 0.8, talks: 100_000, wraps: 100_000 },
  });
  // The team law is then the speed-1 agent's: its mean talk is 180 s plus the bridge, less the machines put through.
  const unit = probeEstimates(e, { truth: ['talk'] }, { ...world, speeds: [{ talk: 1, wrap: 1 }] }, 0, new Map());
  t.equal(trueLaws.talk.meanMs, unit.talk.meanMs);
  // On the learnt laws: each speed over the team's throughput-weighted mean speed (the fast agent ends more calls).
  const learnt = probeEstimates(e, { truth: ['agentSpeed'] }, world, 0, new Map()).agentPace!;
  t.ok(learnt['0']!.talk < 1 && learnt['1']!.talk > 1);
  t.ok(Math.abs(learnt['1']!.talk / learnt['0']!.talk - 1.3 / 0.7) < 1e-9, 'the ratio of the speeds is kept');
  t.ok(learnt['0']!.talk > 0.7, 'the mean the paces divide by is weighted toward the fast agent');
});

t.test('occupancy at 3.0 %: linear between the nearest runs either side, none without both', async (t) => {
  const pts = [
    { theta: 0.01, occupancy: 0.8, abandonRate: 0.02 },
    { theta: 0.02, occupancy: 0.84, abandonRate: 0.028 },
    { theta: 0.03, occupancy: 0.86, abandonRate: 0.034 },
    { theta: 0.05, occupancy: 0.9, abandonRate: 0.05 },
  ];
  t.ok(Math.abs(occupancyAtCap(pts)! - (0.84 + (0.002 / 0.006) * 0.02)) < 1e-12);
  t.equal(occupancyAtCap(pts.slice(0, 2)), null);
});

t.test('--probe-range: lo,hi with the first threshold at their geometric middle; absent, the default range', async (t) => {
  t.same(parseProbeRange(undefined), DEFAULT_RANGE);
  t.same(parseProbeRange('0.02,0.08'), { lo: 0.02, hi: 0.08, first: 0.04 });
  t.throws(() => parseProbeRange('0.08,0.02'), /probe-range/);
  t.throws(() => parseProbeRange('0,0.02'), /probe-range/);
  t.throws(() => parseProbeRange('0.01,0.02,0.03'), /probe-range/);
});

t.test('--probe-scaled: unbracketed, the next threshold from the run’s own abandon; bracketed or unscaled, the bisection', async (t) => {
  const over = [{ theta: 0.05, occupancy: 0.9, abandonRate: 0.06 }];
  // Unscaled: the geometric middle of what is left, whatever the run said.
  t.equal(nextTheta(over, 0.01, 0.05, false), Math.sqrt(0.01 * 0.05));
  // Scaled: θ × 3 % ÷ 6 %, 10 % further down (the side no run has seen), within [lo, hi].
  t.ok(Math.abs(nextTheta(over, 0.01, 0.05, true) - (0.05 * 0.5) / 1.1) < 1e-12);
  t.equal(nextTheta([{ theta: 0.05, occupancy: 0.9, abandonRate: 0.5 }], 0.01, 0.05, true), 0.01, 'never under lo');
  const under = [{ theta: 0.02, occupancy: 0.8, abandonRate: 0.015 }];
  t.ok(Math.abs(nextTheta(under, 0.02, 0.1, true) - 0.02 * 2 * 1.1) < 1e-12, 'under the cap: up, 10 % past');
  t.equal(nextTheta([{ theta: 0.02, occupancy: 0.8, abandonRate: 0.001 }], 0.02, 0.1, true), 0.1, 'never over hi');
  // No abandon at all says nothing of the scale: the bisection.
  t.equal(nextTheta([{ theta: 0.02, occupancy: 0.8, abandonRate: 0 }], 0.02, 0.08, true), 0.04);
  // Once runs lie on both sides of 3.0 %, the bisection between them.
  t.equal(nextTheta([...under, ...over], 0.02, 0.05, true), Math.sqrt(0.02 * 0.05));
});
