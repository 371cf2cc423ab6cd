/**
 * Round seventeen's two options on the learnt per-call threshold (README, pacing): `thresholdPriorLearnt` (the prior
 * centred on the learnt thresholds before the guards) and `thresholdFloorToClose` (a floor from the allowance left to
 * today's close). Both off by default; each tested at its edges: no answers yet, one abandon at the start, a team of 1.
 */
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
import { thresholdFloor } from '../../../lib/pacing/predictive';

const NOW = 10 * 3600_000;
/** The setpoint at the defaults: 3 % × (1 − 0.15). */
const S = 0.0255;
/** The learnt threshold's prior at the defaults: 200 answers at the setpoint. */
const K = S * 200;

/** Estimates like the standard scenario's: a call a second for 20 min, a quarter live, talks ≈ 180 s, wrap-ups 10–30 s. */
function history(): Estimates {
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
  for (let i = 0; i < 100; i++) {
    evs.push({ type: 'talkEnded', at: start + i * 1000, talkMs: 180_000 * (0.4 + (i % 13) / 10.8) });
    evs.push({ type: 'wrapEnded', at: start + i * 1000 + 1, wrapMs: 10_000 + (i % 21) * 1000 });
  }
  return estimates(observeAll(createEstimator(), evs), NOW);
}
const BASE = history();

/**
 * BASE with the abandon window and the last hour at `live` answers and `abandoned` abandons (each expected by the
 * model: calibration 1), the last hour's calls placed under a mean threshold `placedAt` and learnt at `learntAt`.
 */
function spend(live: number, abandoned: number, placedAt?: number, learntAt?: number): Estimates {
  const risk = placedAt === undefined ? { riskCalls: 0, riskSum: 0 } : { riskCalls: 100, riskSum: 100 * placedAt };
  const learnt = learntAt === undefined ? {} : { learntCalls: 100, learntSum: 100 * learntAt };
  return {
    ...BASE,
    abandon: { ...BASE.abandon, live, abandoned, rate: live ? abandoned / live : 0, expected: abandoned, ...risk, ...learnt },
    recentSpend: { live, abandoned, ...risk, ...learnt },
  };
}

const ready = (n: number): AgentSnapshot[] => Array.from({ length: n }, () => ({ state: 'ready' as const, since: NOW - 1000 }));
const talking = (n: number): AgentSnapshot[] => Array.from({ length: n }, () => ({ state: 'talking' as const, since: NOW - 150_000 }));
const tick = (agents: AgentSnapshot[], est: Estimates, mode: PredictiveMode, closeInMin?: number): TickInput => ({
  now: NOW,
  mode,
  agents,
  calls: { ringing: [], queued: [], connected: agents.filter((a) => a.state === 'talking').length },
  caps: { maxSimultaneousCalls: 0 },
  estimates: est,
  ...(closeInMin === undefined ? {} : { closesAt: NOW + closeInMin * 60_000 }),
});
const figuresOf = (agents: AgentSnapshot[], est: Estimates, mode: PredictiveMode, closeInMin?: number) =>
  decideTick(tick(agents, est, mode, closeInMin)).trace.figures;
/** The learnt threshold alone: the guards loose (the budget's at the cap rate 1, no spread guard). */
const LOOSE: PredictiveMode = { kind: 'predictive', shiftGuardRate: 1, shiftGuardChance: 0 };
const TEAM = [...ready(4), ...talking(16)];
const near = (a: unknown, b: number, eps = 1e-6) => Math.abs((a as number) - b) < eps;

t.test('both options are off by default, and off they leave every figure as it was', async (t) => {
  t.match(predictiveParams({ kind: 'predictive' }), { thresholdPriorLearnt: false, thresholdFloorToClose: false });
  const e = spend(150, 3, 0.01, 0.03);
  const def = figuresOf(TEAM, e, { kind: 'predictive' }, 60);
  t.same(figuresOf(TEAM, e, { kind: 'predictive', thresholdPriorLearnt: false, thresholdFloorToClose: false }, 60), def);
  t.equal(def.thresholdFloor, undefined, 'no floor figure when off');
  // Off, the prior is centred on the thresholds the calls were placed under, whatever was learnt.
  t.ok(near(figuresOf(TEAM, e, LOOSE).learntThreshold, (0.01 * (S * 150 + K)) / (3 + K)));
});

t.test('the estimator sums the learnt thresholds the placed calls report, in the last hour and the window', async (t) => {
  const evs: PacingEvent[] = [
    { type: 'placed', at: NOW - 3 * 3600_000, calls: 10, expectedAbandons: 0.1, risk: 0.01, learnt: 0.02 },
    { type: 'placed', at: NOW - 10 * 60_000, calls: 10, expectedAbandons: 0.1, risk: 0.01, learnt: 0.04 },
    { type: 'placed', at: NOW - 5 * 60_000, calls: 5, expectedAbandons: 0.1, risk: 0.02 }, // no learnt threshold reported
  ];
  const est = estimates(observeAll(createEstimator(), evs), NOW);
  t.same(est.recentSpend, { live: 0, abandoned: 0, riskCalls: 15, riskSum: 0.2, learntCalls: 10, learntSum: 0.4 });
  t.match(est.abandon, { riskCalls: 25, learntCalls: 20 });
  t.ok(near(est.abandon.learntSum, 0.6));
  t.throws(() => observeAll(createEstimator(), [{ type: 'placed', at: NOW, calls: 1, expectedAbandons: 0, learnt: -0.1 }]), /learnt/);
});

t.test('thresholdPriorLearnt: the prior is what the controller learnt, the guards’ low thresholds only evidence', async (t) => {
  const ON: PredictiveMode = { ...LOOSE, thresholdPriorLearnt: true };
  // The last hour: 150 answers under a mean threshold of 0.01 (a guard held the calls), learnt at 0.03 before it.
  // θ = (s·θ̄·live + k·centre) ÷ (abandoned + k): a Gamma prior on c (rate ≈ c·θ) at s ÷ centre, worth k pseudo-abandons.
  const on = figuresOf(TEAM, spend(150, 3, 0.01, 0.03), ON);
  t.ok(near(on.learntThreshold, (S * 0.01 * 150 + K * 0.03) / (3 + K)), `${on.learntThreshold}`);
  const off = figuresOf(TEAM, spend(150, 3, 0.01, 0.03), LOOSE);
  t.ok((on.learntThreshold as number) > 2 * (off.learntThreshold as number), 'the guard’s 0.01 no longer becomes the prior');
  // Where the calls were placed under what was learnt, the two are the same threshold.
  t.ok(
    near(
      figuresOf(TEAM, spend(150, 3, 0.02, 0.02), ON).learntThreshold,
      figuresOf(TEAM, spend(150, 3, 0.02, 0.02), LOOSE).learntThreshold as number,
    ),
  );
  // More abandons from the same calls, lower; fewer, higher.
  t.ok((figuresOf(TEAM, spend(150, 6, 0.01, 0.03), ON).learntThreshold as number) < (on.learntThreshold as number));
  t.ok((figuresOf(TEAM, spend(150, 0, 0.01, 0.03), ON).learntThreshold as number) > (on.learntThreshold as number));
  // The guards still bound it: the spread guard at its default chance.
  const guarded = figuresOf(TEAM, spend(150, 4, 0.01, 0.03), { kind: 'predictive', thresholdPriorLearnt: true });
  t.ok((guarded.perCallRisk as number) <= (guarded.spreadGuard as number) + 1e-9);
  t.ok((guarded.perCallRisk as number) <= (guarded.budgetGuard as number) + 1e-9);
});

t.test('thresholdPriorLearnt at its edges: no answers yet, one abandon at the start, a team of 1', async (t) => {
  const ON: PredictiveMode = { ...LOOSE, thresholdPriorLearnt: true };
  // No answers and no calls reported yet: the budget's τ ÷ calibration, as without the option.
  t.same(figuresOf(TEAM, spend(0, 0), ON).learntThreshold, figuresOf(TEAM, spend(0, 0), LOOSE).learntThreshold);
  // Calls reported a threshold but none a learnt one (a state from before the option): centred on the placed ones.
  t.same(figuresOf(TEAM, spend(20, 0, 0.02), ON).learntThreshold, figuresOf(TEAM, spend(20, 0, 0.02), LOOSE).learntThreshold);
  // One abandon in the first 5 answers, the calls held at 0.005 by a guard, 0.02 learnt: off, the threshold falls to a
  // fifth of the guard's already low one; on, about a sixth under what was learnt (5.1 pseudo-abandons against 1).
  const on = figuresOf(TEAM, spend(5, 1, 0.005, 0.02), ON);
  const off = figuresOf(TEAM, spend(5, 1, 0.005, 0.02), LOOSE);
  t.ok(near(on.learntThreshold, (S * 0.005 * 5 + K * 0.02) / (1 + K)), `${on.learntThreshold}`);
  t.ok(near(off.learntThreshold, (0.005 * (S * 5 + K)) / (1 + K)), `${off.learntThreshold}`);
  // A team of 1 (its first abandon fits the budget only past ≈ 60 answers: 5 would be the 1:1 fallback): the same
  // posterior, which counts answers and abandons, not agents; the guards are one agent's.
  t.match(decideTick(tick(ready(1), spend(5, 1, 0.005, 0.02), ON)).reason, /budget .* spent/);
  const one = figuresOf(ready(1), spend(80, 1, 0.005, 0.02), ON);
  t.ok(near(one.learntThreshold, figuresOf(TEAM, spend(80, 1, 0.005, 0.02), ON).learntThreshold as number), `${one.learntThreshold}`);
  t.ok(near(one.learntThreshold, (S * 0.005 * 80 + K * 0.02) / (1 + K)));
  const oneGuarded = figuresOf(ready(1), spend(80, 1, 0.005, 0.02), { kind: 'predictive', thresholdPriorLearnt: true });
  t.ok((oneGuarded.perCallRisk as number) <= (oneGuarded.budgetGuard as number) + 1e-9);
  t.ok((oneGuarded.perCallRisk as number) <= (oneGuarded.spreadGuard as number) + 1e-9);
});

t.test('thresholdFloor: the allowance left to the close per answer still to come, ÷ the calibration factor', async (t) => {
  // 400 answers, 8 abandons, 300 answers to come: (0.0255 × 700 − 8) ÷ 300.
  t.ok(near(thresholdFloor(8, 400, 300, S, 1), (S * 700 - 8) / 300));
  t.ok(near(thresholdFloor(8, 400, 300, S, 2), (S * 700 - 8) / 600), 'halved when the model under-expected 2×');
  t.equal(thresholdFloor(30, 400, 300, S, 1), 0, 'over-spent beyond the day: no floor');
  t.equal(thresholdFloor(0, 0, Infinity, S, 1), 0, 'no close known: no floor');
  t.equal(thresholdFloor(0, 0, 0, S, 1), 0, 'nothing to come: no floor');
  // No answers yet: the setpoint itself (every answer to come may abandon at s).
  t.ok(near(thresholdFloor(0, 0, 300, S, 1), S));
  // One abandon at the start (5 answers), a 4 h day of a 5-agent team ahead (≈ 360 answers): a little under s.
  t.ok(near(thresholdFloor(1, 5, 360, S, 1), (S * 365 - 1) / 360));
  t.ok(thresholdFloor(1, 5, 360, S, 1) < S);
  // A team of 1 (≈ 72 answers in 4 h): the same abandon leaves less room.
  t.ok(thresholdFloor(1, 5, 72, S, 1) < thresholdFloor(1, 5, 360, S, 1));
  t.ok(thresholdFloor(1, 5, 72, S, 1) > 0);
});

t.test('thresholdFloorToClose in the tick: only with the close known, and never above the budget’s guard', async (t) => {
  const ON: PredictiveMode = { kind: 'predictive', shiftGuardChance: 0, thresholdFloorToClose: true };
  const OFF: PredictiveMode = { kind: 'predictive', shiftGuardChance: 0 };
  // A learnt threshold held low (the last hour's calls at 0.002, 2 abandons of 150): the floor lifts it.
  const low = spend(150, 2, 0.002);
  const lifted = figuresOf(TEAM, low, ON, 180);
  const plain = figuresOf(TEAM, low, OFF, 180);
  t.ok((lifted.thresholdFloor as number) > (plain.learntThreshold as number));
  t.ok(near(lifted.perCallRisk, Math.min(lifted.thresholdFloor as number, lifted.budgetGuard as number)), `${lifted.perCallRisk}`);
  t.ok((lifted.perCallRisk as number) > (plain.perCallRisk as number));
  // No close known: no floor, the same threshold as off.
  const noClose = figuresOf(TEAM, low, ON);
  t.equal(noClose.thresholdFloor, 0);
  t.equal(noClose.perCallRisk, figuresOf(TEAM, low, OFF).perCallRisk);
  // A learnt threshold above the floor (and under the budget's guard) is kept.
  const high = figuresOf(TEAM, spend(150, 2, 0.025), ON, 180);
  t.ok(
    (high.learntThreshold as number) > (high.thresholdFloor as number) && (high.learntThreshold as number) < (high.budgetGuard as number),
  );
  t.equal(high.perCallRisk, figuresOf(TEAM, spend(150, 2, 0.025), OFF, 180).perCallRisk);
  // No answers yet, one abandon at the start, a team of 1: the floor never passes the budget's guard.
  for (const [agents, est] of [
    [TEAM, spend(0, 0)],
    [TEAM, spend(5, 1, 0.005)],
    [ready(1), spend(80, 1, 0.005)],
  ] as const) {
    const f = figuresOf([...agents], est, ON, 240);
    t.ok((f.perCallRisk as number) <= (f.budgetGuard as number) + 1e-9, `${f.perCallRisk} ≤ ${f.budgetGuard}`);
    t.ok((f.thresholdFloor as number) >= 0);
  }
});

t.test('thresholdStartGuarded (round eighteen): the start is the smaller of τ ÷ calibration and the spread guard', async (t) => {
  const DEF: PredictiveMode = { kind: 'predictive', thresholdPriorLearnt: true };
  const ON: PredictiveMode = { ...DEF, thresholdStartGuarded: true };
  t.match(predictiveParams({ kind: 'predictive' }), { thresholdStartGuarded: false });
  // No answers and no call reported yet (a shift's first tick): off, the budget's τ ÷ calibration; on, the spread guard,
  // which is lower there (its allowance a quarter into the horizon is under one abandon).
  const off0 = figuresOf(TEAM, spend(0, 0), DEF);
  const on0 = figuresOf(TEAM, spend(0, 0), ON);
  t.ok(near(off0.learntThreshold, (off0.riskBudget as number) / (off0.modelBias as number), 1e-3), `${off0.learntThreshold}`);
  t.ok((on0.spreadGuard as number) < (off0.learntThreshold as number));
  t.ok(near(on0.learntThreshold, on0.spreadGuard as number), `${on0.learntThreshold} = ${on0.spreadGuard}`);
  t.equal(on0.perCallRisk, off0.perCallRisk, 'the calls are placed under the same guard either way');
  // Once calls reported their thresholds the start is not read: one abandon at the start, a team of 1, as off.
  t.same(figuresOf(TEAM, spend(5, 1, 0.005, 0.02), ON), figuresOf(TEAM, spend(5, 1, 0.005, 0.02), DEF));
  t.same(figuresOf(ready(1), spend(80, 1, 0.005, 0.02), ON), figuresOf(ready(1), spend(80, 1, 0.005, 0.02), DEF));
  // Without the spread guard there is nothing smaller: the budget's start.
  const noGuard = { ...LOOSE, thresholdPriorLearnt: true };
  t.same(figuresOf(TEAM, spend(0, 0), { ...noGuard, thresholdStartGuarded: true }), figuresOf(TEAM, spend(0, 0), noGuard));
});
