import t from 'tap';
import {
  createEstimator,
  decideTick,
  estimates,
  observeAll,
  predictiveParams,
  type AgentSnapshot,
  type Estimates,
  type PacingEvent,
  type PredictiveMode,
  type TickInput,
} from '../../../lib/pacing';
import { closeSetpoint, overCapBeyondChance } from '../../../lib/pacing/predictive';
import { poissonCdf } from '../../../lib/pacing/shift-guard';

const NOW = 10 * 3600_000;
/**
 * Round twelve's controller (the budget's τ ÷ calibration alone), which most cases below test piece by piece; the
 * defaults (round thirteen's learnt threshold and guards) have a case of their own.
 */
const MODE: PredictiveMode = {
  kind: 'predictive',
  thresholdPriorAnswers: 0,
  thresholdRecent: false,
  shiftGuardRate: 0.028,
  shiftGuardChance: 0,
  horizonToClose: false,
};

/** Estimates from a history like the standard scenario: `live` share live, rings 3–25 s, talk ≈ talkSec, wrap 20 s. */
function history(opts: { calls: number; live: number; talkSec?: number; talks?: number; abandons?: number }): Estimates {
  const evs: PacingEvent[] = [];
  const start = NOW - 20 * 60_000;
  const liveEvery = Math.round(1 / opts.live);
  for (let i = 0; i < opts.calls; i++) {
    const at = start + i * 1000;
    if (i % liveEvery === 0) evs.push({ type: 'resolved', at, ringMs: 3000 + ((i * 7) % 23) * 1000, live: true });
    else evs.push({ type: 'resolved', at, ringMs: i % 3 === 0 ? 2000 : 40_000, live: false });
  }
  const talkSec = opts.talkSec ?? 180;
  for (let i = 0; i < (opts.talks ?? 100); i++) {
    evs.push({ type: 'talkEnded', at: start + i * 1000, talkMs: talkSec * 1000 * (0.4 + (i % 13) / 10.8) });
    evs.push({ type: 'wrapEnded', at: start + i * 1000 + 1, wrapMs: 10_000 + (i % 21) * 1000 });
  }
  for (let i = 0; i < (opts.abandons ?? 0); i++) evs.push({ type: 'abandoned', at: start + i * 2000 });
  return estimates(observeAll(createEstimator(), evs), NOW);
}

const RICH = history({ calls: 800, live: 0.25 });
/** RICH with the abandon window at `live` answers and `abandoned` abandons, each one expected by the model. */
const spent = (live: number, abandoned: number): Estimates => ({
  ...RICH,
  abandon: { ...RICH.abandon, live, abandoned, rate: live ? abandoned / live : 0, expected: abandoned },
});
const ready = (n: number): AgentSnapshot[] => Array.from({ length: n }, () => ({ state: 'ready' as const, since: NOW - 1000 }));
const talking = (n: number, elapsedSec: number): AgentSnapshot[] =>
  Array.from({ length: n }, () => ({ state: 'talking' as const, since: NOW - elapsedSec * 1000 }));
const wrapping = (n: number, elapsedSec: number): AgentSnapshot[] =>
  Array.from({ length: n }, () => ({ state: 'wrapup' as const, since: NOW - elapsedSec * 1000 }));
const input = (agents: AgentSnapshot[], est: Estimates | undefined, ringing = 0, mode: PredictiveMode = MODE): TickInput => ({
  now: NOW,
  mode,
  agents,
  calls: {
    ringing: Array.from({ length: ringing }, (_, i) => NOW - (i % 10) * 1000),
    queued: [],
    connected: agents.filter((a) => a.state === 'talking').length,
  },
  caps: { maxSimultaneousCalls: 0 },
  estimates: est,
});

t.test('without estimates, or with thin ones, predictive is progressive 1:1', async (t) => {
  const none = decideTick(input(ready(4), undefined));
  t.equal(none.calls, 4);
  t.match(none.reason, /no estimates/);
  const thin = decideTick(input([...ready(4), ...talking(6, 170)], history({ calls: 6, live: 0.25, talks: 1 })));
  t.equal(thin.trace.figures.confidence, 0.1, 'one talk sample of the ten wanted');
  t.ok(thin.calls >= 4 && thin.calls <= 6, `close to progressive: ${thin.calls}`);
  const rich = decideTick(input([...ready(4), ...talking(6, 170)], RICH));
  t.equal(rich.trace.figures.confidence, 1);
  t.ok(rich.calls > thin.calls, `rich estimates dial more (${rich.calls} > ${thin.calls})`);
});

t.test('it dials ahead for agents about to come free, not for those who just started', async (t) => {
  const nearEnd = decideTick(input(wrapping(20, 25), RICH)); // wrap-ups last 10–30 s
  const justStarted = decideTick(input(talking(20, 1), RICH));
  t.equal(justStarted.trace.figures.progressiveFloor, 0);
  t.ok(nearEnd.calls > justStarted.calls, `${nearEnd.calls} > ${justStarted.calls}`);
  t.ok(nearEnd.calls > 0, 'progressive would place nothing with nobody waiting');
  t.ok((nearEnd.trace.figures.expectedFreeAgents as number) > (justStarted.trace.figures.expectedFreeAgents as number));
  t.match(nearEnd.reason, /agents expected free/);
});

t.test('calls already ringing count as demand', async (t) => {
  const a = [...ready(5), ...talking(15, 200)];
  const idle = decideTick(input(a, RICH, 0));
  const busy = decideTick(input(a, RICH, 20));
  t.ok(busy.calls < idle.calls, `${busy.calls} < ${idle.calls}`);
});

t.test('a lower live-answer rate needs more calls per waiting agent', async (t) => {
  const low = decideTick(input(ready(10), history({ calls: 800, live: 0.1 })));
  const high = decideTick(input(ready(10), history({ calls: 800, live: 0.5 })));
  t.ok(low.calls > high.calls, `${low.calls} > ${high.calls}`);
  t.ok(high.calls >= 10, 'never below progressive 1:1');
});

t.test('the abandon budget: spent budget means fewer calls; a budget with no room left, progressive only', async (t) => {
  // Six waiting: the history's dialling rate (a call a second) keeps three busy with the answers still to come.
  const a = [...ready(6), ...talking(14, 150)];
  const fresh = decideTick(input(a, history({ calls: 800, live: 0.25 })));
  const spent = decideTick(input(a, history({ calls: 800, live: 0.25, abandons: 5 }))); // 5 of 200 live = 2.5 %
  const over = decideTick(input(a, history({ calls: 800, live: 0.25, abandons: 7 }))); // 3.5 %: over, but answers to come leave room
  const capped = decideTick(input(a, history({ calls: 800, live: 0.25, abandons: 14 }))); // 7 %: no room in the window's budget
  t.ok((spent.trace.figures.riskBudget as number) < (fresh.trace.figures.riskBudget as number));
  t.ok(spent.calls < fresh.calls, `${spent.calls} < ${fresh.calls}`);
  t.ok(over.calls <= spent.calls, 'a rate over the cap spends more of the budget');
  t.equal(capped.calls, 6, 'only the six waiting agents');
  t.match(capped.reason, /budget of 3.0 % spent/);
  const stricter = decideTick(input(a, history({ calls: 800, live: 0.25, abandons: 5 }), 0, { kind: 'predictive', maxAbandonRate: 0.02 }));
  const budget = (d: typeof spent) => d.trace.figures.riskBudget as number;
  t.ok(budget(stricter) < budget(spent), 'a 2 % cap leaves less of the budget at 2.5 %');
  t.ok((stricter.trace.figures.modelCalls as number) < (spent.trace.figures.modelCalls as number), 'and the model wants fewer calls');
});

t.test('early noise does not stop overdialling: one abandon in the first answers is within the budget', async (t) => {
  const a = [...ready(3), ...talking(17, 150)];
  const early = decideTick(input(a, history({ calls: 80, live: 0.25, abandons: 1 }))); // 1 of 20 live = 5 %
  t.notMatch(early.reason, /spent/);
});

t.test('the decision reports the abandons it expects, and a model that under-predicted is reined in', async (t) => {
  const a = [...ready(6), ...talking(14, 150)];
  const d = decideTick(input(a, RICH));
  const e = d.trace.figures.expectedAbandons as number;
  t.ok(e > 0 && e < d.calls, `expects ${e} abandons from ${d.calls} calls`);
  t.equal(decideTick(input(ready(3), undefined)).trace.figures.expectedAbandons, 0, 'progressive floor: none');
  const est = history({ calls: 800, live: 0.25, abandons: 4 });
  const trusted = decideTick(input(a, { ...est, abandon: { ...est.abandon, expected: 4 } }));
  const biased = decideTick(input(a, { ...est, abandon: { ...est.abandon, expected: 0.5 } }));
  t.equal(trusted.trace.figures.modelBias, 1);
  t.ok((biased.trace.figures.modelBias as number) > 2);
  t.ok(biased.calls < trusted.calls, `${biased.calls} < ${trusted.calls}`);
});

t.test('lines per agent are bounded whatever the model says', async (t) => {
  const d = decideTick(input(ready(10), history({ calls: 800, live: 0.1 }), 0, { kind: 'predictive', maxLinesPerAgent: 1.5 }));
  t.equal(d.calls, 15);
});

t.test('no agent, no call; bad settings are refused', async (t) => {
  t.equal(decideTick(input([], RICH)).calls, 0);
  t.throws(() => decideTick(input(ready(1), RICH, 0, { kind: 'predictive', targetAbandonRate: 3 })), /targetAbandonRate/);
  t.throws(() => decideTick(input(ready(1), RICH, 0, { kind: 'predictive', maxLinesPerAgent: 0 })), /maxLinesPerAgent/);
  t.throws(() => decideTick(input(ready(1), RICH, 0, { kind: 'predictive', abandonThresholdMs: -5 })), /abandonThresholdMs/);
});

t.test('talks still going count as censored: a thin history of short talks does not make long talkers look about to finish', async (t) => {
  // Ten ended talks averaging ~30 s (the short ones end first), ten agents talking for 120 s already.
  const est = history({ calls: 200, live: 0.25, talks: 10, talkSec: 30 });
  const d = decideTick(input([...ready(2), ...talking(10, 120)], est));
  const ended = est.talk.meanMs;
  t.ok(ended < 40_000, `ended talks average ${Math.round(ended)} ms`);
  t.equal(d.trace.figures.talkMeanMs, Math.round(ended + (10 * 120_000) / 10), 'mean = (Σ ended + Σ elapsed) ÷ ended');
});

t.test("the campaign's own dialling rate is demand too: a faster recent rate leaves less room for one more call", async (t) => {
  const a = [...ready(6), ...talking(14, 150)];
  const slow = history({ calls: 200, live: 0.25 });
  const fast = history({ calls: 800, live: 0.25 });
  t.ok(fast.resolvedPerMs > 3 * slow.resolvedPerMs, 'four times the calls in the window');
  // The budget's threshold (the learnt one rises with the answers seen under the setpoint: not what is tested here).
  const mode: PredictiveMode = { ...MODE, thresholdPriorAnswers: 0 };
  const dSlow = decideTick(input(a, slow, 0, mode));
  const dFast = decideTick(input(a, fast, 0, mode));
  t.ok(
    (dFast.trace.figures.expectedAnswers as number) > (dSlow.trace.figures.expectedAnswers as number),
    'more answers expected before a new call',
  );
  t.ok(dFast.calls < dSlow.calls, `${dFast.calls} < ${dSlow.calls}`);
});

t.test('the 1:1 fallback needs a rate over the cap beyond chance, not early noise', async (t) => {
  // 2 abandons in the first 40 answers is 5 %, but a process abandoning at 3 % gives that often: no fallback.
  t.notOk(overCapBeyondChance(2, 40, 0.03), '2 of 40');
  // 0.03·40 + 2.326·√(0.03·0.97·40) = 3.71: a fourth abandon is beyond chance.
  t.notOk(overCapBeyondChance(3, 40, 0.03), '3 of 40');
  t.ok(overCapBeyondChance(4, 40, 0.03), '4 of 40');
  // With many answers the bound closes on the cap: 3.5 % of 10 000 is over it, 3.1 % is not yet.
  t.ok(overCapBeyondChance(350, 10_000, 0.03), '350 of 10 000');
  t.notOk(overCapBeyondChance(310, 10_000, 0.03), '310 of 10 000');
  t.notOk(overCapBeyondChance(0, 0, 0.03), 'no answers, nothing to judge');
  // Checked against the binomial it approximates: a process at the cap trips it in about 1 % of windows of 1000 answers.
  let p = 0;
  const n = 1000;
  const cap = 0.03;
  let logC = 0; // log C(n, k)
  for (let k = 0; k <= n; k++) {
    if (k > 0) logC += Math.log((n - k + 1) / k);
    if (overCapBeyondChance(k, n, cap)) p += Math.exp(logC + k * Math.log(cap) + (n - k) * Math.log(1 - cap));
  }
  t.ok(p > 0.002 && p < 0.02, `P(trip | rate at the cap) = ${p.toFixed(4)}`);
  // Through the decision: 2 early abandons over 40 answers keep predictive pacing on.
  const early = decideTick(input([...ready(6), ...talking(14, 150)], history({ calls: 160, live: 0.25, abandons: 2 })));
  t.notMatch(early.reason, /over the cap/);
});

t.test(
  'the per-call threshold is learnt from the spend: the mean threshold of the calls placed × setpoint ÷ the rate they gave',
  async (t) => {
    const a = [...ready(4), ...talking(16, 150)];
    const base = history({ calls: 800, live: 0.25 });
    const withSpend = (abandoned: number, riskCalls: number, riskSum: number): Estimates => ({
      ...base,
      // The model expected what was seen (calibration factor 1).
      abandon: { ...base.abandon, live: 400, abandoned, rate: abandoned / 400, expected: abandoned, riskCalls, riskSum },
    });
    const LEARN: PredictiveMode = { ...MODE, thresholdPriorAnswers: 200 };
    const risk = (e: Estimates) => decideTick(input(a, e, 0, LEARN)).trace.figures.perCallRisk as number;
    // 400 answers at a mean threshold of 0.02: s = 0.03 × 0.85 = 0.0255, k = 0.0255 × 200 = 5.1 pseudo-abandons.
    const s = 0.0255;
    const k = s * 200;
    t.equal(risk(withSpend(s * 400, 100, 2)), 0.02, 'spent at the setpoint: the same threshold');
    t.ok(Math.abs(risk(withSpend(4, 100, 2)) - (0.02 * (s * 400 + k)) / (4 + k)) < 1e-6, 'under-spent: higher');
    t.ok(risk(withSpend(4, 100, 2)) > 0.02);
    t.ok(risk(withSpend(11, 100, 2)) < 0.02, 'over-spent (2.75 %): lower');
    const under = decideTick(input(a, withSpend(1, 100, 2)));
    const over = decideTick(input(a, withSpend(11, 100, 2)));
    t.ok(under.calls > over.calls, `${under.calls} > ${over.calls} calls`);
    // Nothing placed with a threshold yet: the budget's τ ÷ calibration is where it starts (here 3× under-spent, so
    // the guard's bound, 2.8 % of the answers seen and of the next 30 min's, per expected answer, is what it gets).
    const first = decideTick(input(a, withSpend(0, 0, 0), 0, LEARN)).trace.figures;
    const eg = (20 * 1_800_000) / ((first.talkMeanMs as number) + (first.wrapMeanMs as number));
    t.ok(Math.abs((first.perCallRisk as number) - (0.028 * (400 + eg)) / eg) < 2e-3, `${first.perCallRisk}`);
    // The budget's threshold, as before, with thresholdPriorAnswers 0.
    const old = decideTick(input(a, withSpend(4, 100, 2), 0, { ...MODE, thresholdPriorAnswers: 0 })).trace.figures;
    t.ok(Math.abs((old.perCallRisk as number) - (old.riskBudget as number) / (old.modelBias as number)) < 1e-3);
    t.throws(() => decideTick(input(a, base, 0, { ...MODE, thresholdPriorAnswers: -1 })), /thresholdPriorAnswers/);
    t.throws(() => decideTick(input(a, base, 0, { ...MODE, shiftGuardRate: -0.01 })), /shiftGuardRate/);
    t.throws(() => decideTick(input(a, base, 0, { ...MODE, shiftGuardRate: 1.5 })), /shiftGuardRate/);
  },
);

t.test('the shift guard: the budget at 2.8 % over the next 30 min bounds the learnt threshold', async (t) => {
  const a = [...ready(4), ...talking(16, 150)];
  const base = history({ calls: 800, live: 0.25 });
  const figures = (live: number, abandoned: number, expected = abandoned, riskSum = 2) =>
    decideTick(
      input(
        a,
        { ...base, abandon: { ...base.abandon, live, abandoned, rate: live ? abandoned / live : 0, expected, riskCalls: 100, riskSum } },
        0,
        {
          ...MODE,
          thresholdPriorAnswers: 1e9, // no learning: the mean threshold as it is, the guard alone
        },
      ),
    ).trace.figures;
  const at = (live: number, abandoned: number, expected?: number, riskSum?: number) =>
    figures(live, abandoned, expected, riskSum).perCallRisk as number;
  t.equal(at(400, 8), 0.02, '2 %: no guard');
  t.equal(at(400, 11), 0.02, '2.75 %: room left');
  t.ok(at(400, 13) < 0.02, '3.25 %: guarded');
  t.ok(at(400, 14) < at(400, 13), 'more abandons, lower');
  // Expected answers over 30 min: 20 agents × 1 800 000 ms ÷ the handle time.
  const eg = (20 * 1_800_000) / ((figures(400, 13).talkMeanMs as number) + (figures(400, 13).wrapMeanMs as number));
  t.ok(Math.abs(at(400, 13) - (0.028 * (400 + eg) - 13) / eg) < 2e-3, 'the budget form at 2.8 %');
  t.ok(Math.abs(at(0, 0, 0, 5) - 0.028) < 1e-6, 'nothing seen yet: at most the guard rate (the mean threshold 0.05)');
  t.ok(at(400, 13, 3) < at(400, 13), 'divided by the calibration factor when the model under-expected');
});

t.test('the spread guard (shiftGuardChance): off at 0; on, it bounds the threshold only when little allowance is left', async (t) => {
  const a = [...ready(4), ...talking(16, 150)];
  const est = spent;
  const GUARD: PredictiveMode = { ...MODE, shiftGuardChance: 0.1 };
  const off = decideTick(input(a, est(400, 8))).trace.figures;
  t.equal(off.spreadGuard, undefined, 'off at 0: no figure');
  // 2 % of 2 000 answers spent: the allowance left (1 % of them, 20 abandons) is large against the spread of the next
  // 30 min's abandons, so the guard allows more than the budget, which decides.
  const roomy = decideTick(input(a, est(2000, 40), 0, GUARD)).trace.figures;
  const plain = decideTick(input(a, est(2000, 40))).trace.figures;
  t.equal(roomy.perCallRisk, plain.perCallRisk, 'much allowance left: the budget decides, the guard allows more');
  t.ok((roomy.spreadGuard as number) > (roomy.perCallRisk as number));
  // 2.75 % of 400: the budget spends what is left over the next 30 min in the mean, which ends over the cap too often.
  const tight = decideTick(input(a, est(400, 11), 0, GUARD)).trace.figures;
  const tightPlain = decideTick(input(a, est(400, 11))).trace.figures;
  t.ok(
    (tight.perCallRisk as number) < (tightPlain.perCallRisk as number),
    `2.75 % spent: ${tight.perCallRisk} < ${tightPlain.perCallRisk}`,
  );
  t.equal(tight.perCallRisk, tight.spreadGuard, 'the guard is the threshold then');
  t.ok(
    decideTick(input(a, est(400, 11), 0, { ...GUARD, shiftGuardChance: 0.3 })).trace.figures.perCallRisk! > tight.perCallRisk!,
    'a larger chance allowed, looser',
  );
  t.throws(() => decideTick(input(a, RICH, 0, { ...MODE, shiftGuardChance: 1 })), /shiftGuardChance/);
  t.throws(() => decideTick(input(a, RICH, 0, { ...MODE, shiftGuardDispersion: 0.5 })), /shiftGuardDispersion/);
  t.throws(() => decideTick(input(a, RICH, 0, { ...MODE, shiftGuardFirstPoint: 0 })), /shiftGuardFirstPoint/);
});

t.test(
  "the defaults are round thirteen's threshold: learnt over the last hour, the budget at its setpoint, the spread guard at 0.2",
  async (t) => {
    t.match(predictiveParams({ kind: 'predictive' }), {
      thresholdPriorAnswers: 200,
      thresholdRecent: true,
      shiftGuardRate: 0,
      shiftGuardChance: 0.2,
    });
    const a = [...ready(4), ...talking(16, 150)];
    const base = history({ calls: 800, live: 0.25 });
    const e: Estimates = {
      ...base,
      abandon: { ...base.abandon, live: 400, abandoned: 9, rate: 9 / 400, expected: 9, riskCalls: 100, riskSum: 2 },
      recentSpend: { live: 150, abandoned: 3, riskCalls: 40, riskSum: 0.8 },
    };
    const A: PredictiveMode = {
      kind: 'predictive',
      thresholdPriorAnswers: 200,
      thresholdRecent: true,
      shiftGuardChance: 0.2,
      shiftGuardRate: 0.0255,
    };
    const byDefault = decideTick(input(a, e, 0, { kind: 'predictive' }));
    t.same(byDefault.trace.figures, decideTick(input(a, e, 0, A)).trace.figures, 'the same decision as the options measured');
    t.not(byDefault.trace.figures.perCallRisk, decideTick(input(a, e)).trace.figures.perCallRisk, 'not round twelve’s');
    // shiftGuardRate 0 is the campaign's own setpoint, target × (1 − margin), not a fixed 2.55 %: with nothing seen yet
    // and the learning held still (a huge prior), the guard alone is the threshold.
    const guardOnly = (mode: PredictiveMode) =>
      decideTick(
        input(a, { ...base, abandon: { ...base.abandon, live: 0, abandoned: 0, rate: 0, expected: 0, riskCalls: 100, riskSum: 5 } }, 0, {
          ...mode,
          thresholdPriorAnswers: 1e9,
          thresholdRecent: false,
          shiftGuardChance: 0,
        }),
      ).trace.figures.perCallRisk as number;
    t.ok(Math.abs(guardOnly({ kind: 'predictive' }) - 0.0255) < 1e-9, 'a 3 % campaign: 2.55 %');
    const onePct: PredictiveMode = { kind: 'predictive', targetAbandonRate: 0.01, maxAbandonRate: 0.01 };
    t.ok(Math.abs(guardOnly(onePct) - 0.0085) < 1e-9, `a 1 % campaign: 0.85 % (${guardOnly(onePct)})`);
    t.ok(Math.abs(guardOnly({ ...onePct, shiftGuardRate: 0.02 }) - 0.02) < 1e-9, 'a rate set is used as set');
  },
);

t.test('thresholdRecent: the learnt threshold reads the last hour’s spend, not the whole window’s', async (t) => {
  const a = [...ready(4), ...talking(16, 150)];
  const base = history({ calls: 800, live: 0.25 });
  // The whole window: 1 000 answers at a mean threshold of 0.01 and 1.5 %; the last hour: 200 answers at 0.02 and 2.55 %.
  const e: Estimates = {
    ...base,
    abandon: { ...base.abandon, live: 1000, abandoned: 15, rate: 0.015, expected: 15, riskCalls: 500, riskSum: 5 },
    recentSpend: { live: 200, abandoned: 5.1, riskCalls: 100, riskSum: 2 },
  };
  const LEARN: PredictiveMode = { ...MODE, thresholdPriorAnswers: 200, shiftGuardRate: 1 };
  const whole = decideTick(input(a, e, 0, LEARN)).trace.figures.perCallRisk as number;
  const recent = decideTick(input(a, e, 0, { ...LEARN, thresholdRecent: true })).trace.figures.perCallRisk as number;
  t.ok(Math.abs(recent - 0.02) < 1e-6, `the last hour at the setpoint: its mean threshold (${recent})`);
  const s = 0.0255;
  t.ok(Math.abs(whole - (0.01 * (s * 1000 + s * 200)) / (15 + s * 200)) < 1e-6, `the whole window: its own (${whole})`);
  // The estimator's recent spend is the handle window's.
  const evs: PacingEvent[] = [
    { type: 'placed', at: NOW - 3 * 3600_000, calls: 10, expectedAbandons: 0.1, risk: 0.01 },
    { type: 'placed', at: NOW - 10 * 60_000, calls: 10, expectedAbandons: 0.1, risk: 0.03 },
    { type: 'resolved', at: NOW - 10 * 60_000, ringMs: 5000, live: true },
    { type: 'abandoned', at: NOW - 9 * 60_000 },
  ];
  const est = estimates(observeAll(createEstimator(), evs), NOW);
  t.same(est.recentSpend, { live: 1, abandoned: 1, riskCalls: 10, riskSum: 0.3, learntCalls: 0, learntSum: 0 });
  t.equal(est.abandon.riskCalls, 20);
});

t.test(
  'wrapLawByTalk: a wrap-up law per class of the talk before it, so long talkers are not paired with the 2 s wrap-ups of short calls',
  async (t) => {
    // Half the calls are machines put through by mistake (6 s talk, 2 s wrap-up), half conversations (180 s, 20 s).
    const evs: PacingEvent[] = [];
    const start = NOW - 20 * 60_000;
    for (let i = 0; i < 800; i++) {
      const at = start + i * 1000;
      evs.push(
        i % 4 === 0
          ? { type: 'resolved', at, ringMs: 3000 + ((i * 7) % 23) * 1000, live: true }
          : { type: 'resolved', at, ringMs: 40_000, live: false },
      );
    }
    for (let i = 0; i < 120; i++) {
      const short = i % 2 === 0;
      const talkMs = short ? 5_000 + (i % 5) * 500 : 150_000 + (i % 13) * 5_000;
      evs.push({ type: 'talkEnded', at: start + i * 1000, talkMs });
      evs.push({ type: 'wrapEnded', at: start + i * 1000 + 1, wrapMs: short ? 2_000 : 20_000 + (i % 7) * 1000, talkMs });
    }
    const est = estimates(observeAll(createEstimator(), evs), NOW);
    t.equal(
      est.wrapByTalk.reduce((a, row) => a + row.reduce((x, y) => x + y, 0), 0),
      120,
      'every wrap-up kept with its talk class',
    );
    // Agents 170 s into a talk: a few will end within the horizon, and then need a conversation's wrap-up, not 2 s.
    const a = [...ready(2), ...talking(18, 170)];
    const pooled = decideTick(input(a, est)).trace.figures;
    const byTalk = decideTick(input(a, est, 0, { ...MODE, wrapLawByTalk: true })).trace.figures;
    t.ok(
      (byTalk.expectedFreeAgents as number) < (pooled.expectedFreeAgents as number),
      `${byTalk.expectedFreeAgents} < ${pooled.expectedFreeAgents} agents expected free`,
    );
  },
);

t.test("today's close (closesAt): horizonToClose counts no answers after it", async (t) => {
  const a = [...ready(4), ...talking(16, 150)];
  const est = spent;
  const at = (e: Estimates, mode: PredictiveMode, closeInMin?: number) =>
    decideTick({ ...input(a, e, 0, mode), ...(closeInMin === undefined ? {} : { closesAt: NOW + closeInMin * 60_000 }) }).trace.figures;
  const H: PredictiveMode = { ...MODE, horizonToClose: true, safetyMarginToClose: 0.15 };
  const e = est(400, 10);
  t.same(at(e, MODE, 5), { ...at(e, MODE), closeInMs: 300_000 }, 'option off: the close is reported, nothing else moves');
  t.same(at(e, H, 120), { ...at(e, MODE, 120), setpointSource: 'marginToClose' }, 'on, with the close past the 30 min horizons: unchanged');
  t.same(at(e, H), at(e, MODE), 'on, with no close known: unchanged');
  // Over the setpoint (2.55 %): what is over is taken back from the answers left before the close, fewer near it.
  const over = est(400, 11);
  t.ok((at(over, H, 5).riskBudget as number) < (at(over, H, 120).riskBudget as number), '2.75 % spent, 5 min left: tighter');
  t.ok((at(over, H, 5).perCallRisk as number) < (at(over, H, 120).perCallRisk as number));
  // Under it: the slack left is spent over the answers left before the close, so each may carry more near it.
  const under = est(400, 8);
  t.ok((at(under, H, 5).riskBudget as number) > (at(under, H, 120).riskBudget as number), '2 % spent, 5 min left: looser');
  t.equal(at(over, H, 0.5).riskBudget, at(over, H, 1).riskBudget, 'the horizon stops shrinking at a minute');
  // One more abandon past the cap at the close: 1:1, whatever the next 30 min would have diluted.
  const full = est(1000, 30);
  t.match(decideTick({ ...input(a, full, 0, H), closesAt: NOW + 60_000 }).reason, /budget .* spent/);
  t.notMatch(decideTick({ ...input(a, full, 0, MODE), closesAt: NOW + 60_000 }).reason, /spent/);
  // Its own margin (safetyMarginToClose) applies only where the horizons end at a known close.
  const M: PredictiveMode = { ...H, safetyMarginToClose: 0.05 };
  t.equal(at(e, M, 120).setpoint, 0.0285, 'close known: 3 % × (1 − 0.05)');
  t.equal(at(e, M).setpoint, 0.0255, 'no close known (open around the clock): safetyMargin, 3 % × (1 − 0.15)');
  t.equal(at(e, { ...M, horizonToClose: false }, 120).setpoint, 0.0255, 'horizonToClose off: safetyMargin');
  t.throws(() => decideTick(input(a, RICH, 0, { ...MODE, safetyMarginToClose: 1 })), /safetyMarginToClose/);
});

t.test('liveRateDrift: 0 is the window rate, identical decisions; > 0 reads the rate tracked over the buckets', async (t) => {
  const agents = [...ready(2), ...talking(8, 150)];
  const base = decideTick(input(agents, RICH, 3));
  const off = decideTick(input(agents, RICH, 3, { ...MODE, liveRateDrift: 0 }));
  t.same(off, base, 'drift 0: the same decision, trace and all');
  t.notOk('liveRateTracked' in base.trace.figures);
  t.ok(RICH.liveSeries && RICH.liveSeries.length > 0, 'the estimates carry the per-bucket series');
  // A history whose rate fell: 20 min at 25 % live before the window's last 10 min at 10 %; the tracked rate follows the
  // recent buckets more than the window's pooled rate does.
  const evs: PacingEvent[] = [];
  const from = NOW - 90 * 60_000;
  for (let i = 0; i < 90 * 30; i++) {
    const at = from + i * 2000;
    const share = at < NOW - 15 * 60_000 ? 0.25 : 0.1;
    evs.push({ type: 'resolved', at, ringMs: 8000, live: i % Math.round(1 / share) === 0 });
  }
  for (let i = 0; i < 100; i++) {
    evs.push({ type: 'talkEnded', at: from + i * 1000, talkMs: 180_000 * (0.4 + (i % 13) / 10.8) });
    evs.push({ type: 'wrapEnded', at: from + i * 1000 + 1, wrapMs: 10_000 + (i % 21) * 1000 });
  }
  const est = estimates(observeAll(createEstimator(), evs), NOW);
  const tracked = decideTick(input(agents, est, 3, { ...MODE, liveRateDrift: 0.04 }));
  const rate = Number(tracked.trace.figures.liveRateTracked);
  t.ok(rate < est.liveRate, `tracked ${rate} under the window's ${est.liveRate} after the fall`);
  t.ok(rate > 0.09 && rate < 0.2, `and near the recent 10 %: ${rate}`);
  t.ok(Number(tracked.trace.figures.liveRateSd) > 0);
  // A lower live rate means fewer answers per call: at least as many calls as the window's rate gives.
  t.ok(tracked.calls >= decideTick(input(agents, est, 3)).calls);
  // Estimates without the series (a probe's true rate) keep their own rate.
  const { liveSeries: _drop, ...bare } = est;
  const noSeries = decideTick(input(agents, bare, 3, { ...MODE, liveRateDrift: 0.04 }));
  t.notOk('liveRateTracked' in noSeries.trace.figures);
  t.throws(() => predictiveParams({ kind: 'predictive', liveRateDrift: -0.01 }), RangeError);
  t.throws(() => predictiveParams({ kind: 'predictive', liveRateDrift: Number.NaN }), RangeError);
});

t.test('the setpoint from the close (closeSetpointChance): the spread still to come is the margin', async (t) => {
  const P = (chance: number, extra: Partial<PredictiveMode> = {}) =>
    predictiveParams({ ...MODE, horizonToClose: true, closeSetpointChance: chance, ...extra });
  const p = P(0.1);
  // 2.5 % spent, the same share of the day left: a team with more answers to come has less relative spread left.
  const small = closeSetpoint(5, 200, 200, p);
  const large = closeSetpoint(100, 4000, 4000, p);
  t.ok(small < large, `5 agents ${small} < 100 agents ${large}`);
  t.ok(large < 0.03, 'under the cap even for a large team');
  // The same spend, nearer the close: narrower spread left, a higher setpoint.
  t.ok(closeSetpoint(25, 1000, 400, p) > closeSetpoint(10, 400, 1000, p), 'late in the day above early');
  // Exactly what it says: at that per-answer rate the window ends over the cap with the chance asked (Poisson).
  const [A, L, E] = [20, 800, 600];
  const s = closeSetpoint(A, L, E, p);
  const mu = s * (L + E) - A;
  const allowed = Math.floor(0.03 * (L + E) - A);
  t.ok(1 - poissonCdf(allowed, mu) <= 0.1 + 1e-9, `P(over at the close) ≤ 0.1 at mean ${mu}`);
  t.ok(1 - poissonCdf(allowed, mu * 1.02) > 0.1, 'and not much more could be spent');
  // A larger chance spends more; never above the target or the cap.
  t.ok(closeSetpoint(A, L, E, P(0.3)) > s);
  t.equal(closeSetpoint(0, 10, 5, P(0.9)), 0.03, 'much allowance, few answers left: the cap');
  t.equal(closeSetpoint(0, 10, 5, P(0.9, { targetAbandonRate: 0.02 })), 0.02, 'or the target');
  // Over the cap already at the close, whatever comes: the cap (the budget's fallback to 1:1 decides).
  t.equal(closeSetpoint(40, 1000, 100, p), 0.03);
  t.equal(closeSetpoint(5, 100, 0, p), 0.03, 'nothing left to come: the cap (the budget decides)');
});

t.test('closeSetpointChance in the tick: only with the close known and horizonToClose on, never under the margin', async (t) => {
  const a = [...ready(4), ...talking(16, 150)];
  const at = (e: Estimates, mode: PredictiveMode, closeInMin?: number) =>
    decideTick({ ...input(a, e, 0, mode), ...(closeInMin === undefined ? {} : { closesAt: NOW + closeInMin * 60_000 }) }).trace.figures;
  const H: PredictiveMode = { ...MODE, horizonToClose: true };
  const C: PredictiveMode = { ...H, closeSetpointChance: 0.1 };
  const e = spent(1000, 25);
  t.same(at(e, { ...H, closeSetpointChance: 0 }, 60), at(e, H, 60), 'off (0): the margin to the close');
  t.equal(at(e, C).setpointSource, 'margin', 'no close known: safetyMargin');
  t.equal(at(e, { ...C, horizonToClose: false }, 60).setpointSource, 'margin', 'horizonToClose off: safetyMargin');
  const near = at(e, C, 20);
  t.equal(near.setpointSource, 'close');
  t.ok((near.setpoint as number) > 0.0255, `20 min left at 2.5 %: ${near.setpoint} above 3 % × (1 − 0.15)`);
  t.ok((near.riskBudget as number) > (at(e, H, 20).riskBudget as number), 'so a looser budget');
  // 40 answers seen and an hour's (about 360) to come: the close asks for under 2 %, so the margin's 2.55 % stays.
  t.equal(at(spent(40, 1), C, 60).setpoint, 0.0255, 'wide spread to come: the margin setpoint (the larger)');
  t.equal(at(spent(40, 1), C, 60).setpointSource, 'close');
  t.throws(() => decideTick(input(a, RICH, 0, { ...C, closeSetpointChance: 1 })), /closeSetpointChance/);
  t.throws(() => decideTick(input(a, RICH, 0, { ...C, closeSetpointChance: -0.1 })), /closeSetpointChance/);
});

t.test('agentPace: off or every pace 1 is the team law; a slow talker is free later, a fast one sooner', async (t) => {
  // Eight agents 150 s into a talk of the team's 180 s law, two ready: the free-time prediction decides the calls.
  const agents: AgentSnapshot[] = [...ready(2), ...talking(8, 150)].map((a, i) => ({ ...a, agentId: `ag${i}` }));
  const pace = (talk: number, wrap = 1) => Object.fromEntries(agents.map((a) => [a.agentId!, { talk, wrap, talks: 50, wraps: 50 }]));
  const base = decideTick(input(agents, RICH, 3));
  t.same(decideTick(input(agents, { ...RICH, agentPace: pace(2) }, 3)), base, 'off (the default): the paces are not read');
  const on = { ...MODE, agentPace: true };
  t.same(decideTick(input(agents, { ...RICH, agentPace: pace(1) }, 3, on)), base, 'on, every pace 1: the same decision');
  t.same(decideTick(input(agents, RICH, 3, on)), base, 'on, no paces learnt yet (no event named an agent): the team law');
  const freeBy = (d: ReturnType<typeof decideTick>) => Number(d.trace.figures.expectedFreeAgents);
  const slow = decideTick(input(agents, { ...RICH, agentPace: pace(2) }, 3, on));
  const fast = decideTick(input(agents, { ...RICH, agentPace: pace(0.6) }, 3, on));
  t.ok(freeBy(slow) < freeBy(base), `pace 2: fewer agents expected free (${freeBy(slow)} < ${freeBy(base)})`);
  t.ok(freeBy(fast) > freeBy(base), `pace 0.6: more (${freeBy(fast)} > ${freeBy(base)})`);
  t.ok(slow.calls <= base.calls && fast.calls >= base.calls, `calls ${slow.calls} ≤ ${base.calls} ≤ ${fast.calls}`);
  // A slow wrap-up alone: agents in wrap-up come free later.
  const wrapAgents: AgentSnapshot[] = [...ready(1), ...wrapping(6, 12)].map((a, i) => ({ ...a, agentId: `ag${i}` }));
  const wrapPace = Object.fromEntries(wrapAgents.map((a) => [a.agentId!, { talk: 1, wrap: 1.5, talks: 50, wraps: 50 }]));
  t.ok(
    freeBy(decideTick(input(wrapAgents, { ...RICH, agentPace: wrapPace }, 0, on))) < freeBy(decideTick(input(wrapAgents, RICH, 0, on))),
    'wrap pace 1.5: wrap-ups end later',
  );
  // An agent without an id, or one the estimator has no calls of, keeps the team law: only ag1's pace moves anything.
  const one = { ag1: { talk: 2, wrap: 1, talks: 50, wraps: 50 } };
  const anonymous = agents.map(({ agentId: _id, ...a }) => a);
  t.same(decideTick(input(anonymous, { ...RICH, agentPace: one }, 3, on)), decideTick(input(anonymous, RICH, 3)), 'no ids: team law');
  const ag1Talking: AgentSnapshot[] = [
    ...ready(1),
    { state: 'talking', since: NOW - 150_000, agentId: 'ag1' },
    { state: 'talking', since: NOW - 150_000, agentId: 'new' },
  ];
  const d1 = decideTick(input(ag1Talking, { ...RICH, agentPace: one }, 0, on));
  const d0 = decideTick(input(ag1Talking, RICH, 0, on));
  t.ok(freeBy(d1) < freeBy(d0), 'the slow agent ag1 lowers the count, the new agent keeps the team law');
  // A team of one: its pace (1, agent-pace.ts) is the team law.
  const solo: AgentSnapshot[] = [{ state: 'talking', since: NOW - 150_000, agentId: 'solo' }];
  t.same(
    decideTick(input(solo, { ...RICH, agentPace: { solo: { talk: 1, wrap: 1, talks: 90, wraps: 90 } } }, 0, on)),
    decideTick(input(solo, RICH, 0)),
  );
});
