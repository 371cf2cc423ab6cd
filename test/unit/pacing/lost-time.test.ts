import t from 'tap';
import { simulate, type Strategy } from '../../../bench/sim/engine';
import { simCampaign } from '../../../bench/sim/campaign';
import { RICH_WORLD } from '../../../bench/sim/scenario';
import {
  bookInterval,
  emptyLost,
  END_MS,
  lostGap,
  RAMP_MS,
  summarize,
  uncoveredWhy,
  WHEN,
  WHY,
  whenOf,
} from '../../../bench/sim/lost-time';

const cell = (lost: number[], when: (typeof WHEN)[number], why: (typeof WHY)[number]) =>
  lost[WHEN.indexOf(when) * WHY.length + WHY.indexOf(why)]!;

t.test('when: the first and last minutes of a shift, else a spell after a break, else steady', async (t) => {
  const shift = 4 * 3_600_000;
  t.equal(whenOf(0, shift, true), 'rampUp');
  t.equal(whenOf(RAMP_MS - 1, shift, false), 'rampUp');
  t.equal(whenOf(RAMP_MS, shift, false), 'steady');
  t.equal(whenOf(RAMP_MS, shift, true), 'afterBreak');
  t.equal(whenOf(shift - END_MS, shift, true), 'shiftEnd');
});

t.test('why: the longest-waiting agents are covered by the persons expected, the rest by the decision’s reason', async (t) => {
  const lost = emptyLost();
  // Three waiting, 1.5 persons expected in flight (2.5 with the model's live rate); the decision's threshold held it.
  bookInterval(lost, {
    t: RAMP_MS + 1,
    dt: 1000,
    shiftMs: 3_600_000,
    waiting: [{ fromBreak: false }, { fromBreak: true }, { fromBreak: false }],
    cover: 1.5,
    coverEstimated: 2.5,
    uncovered: 'threshold',
  });
  t.equal(cell(lost, 'steady', 'awaitingAnswers'), 1000, 'the first agent: a person expected for them');
  t.equal(cell(lost, 'afterBreak', 'awaitingAnswers'), 500, 'the second: half covered');
  t.equal(cell(lost, 'afterBreak', 'estimateOff'), 500, 'the model’s live rate would have covered the other half');
  t.equal(cell(lost, 'steady', 'estimateOff'), 500);
  t.equal(cell(lost, 'steady', 'threshold'), 500, 'the third: half to the estimate, half to the threshold');
  t.equal(
    lost.reduce((a, x) => a + x, 0),
    3000,
    'every waiting agent-ms booked once',
  );
  // A trace with no reasons (the oracle): neither the estimate nor a reason, only "no call for them".
  const o = emptyLost();
  bookInterval(o, {
    t: 0,
    dt: 10,
    shiftMs: 3_600_000,
    waiting: [{ fromBreak: false }],
    cover: 0,
    coverEstimated: 1,
    uncovered: 'noCallForThem',
  });
  t.equal(cell(o, 'rampUp', 'noCallForThem'), 10);
});

t.test('the trace tells the ledger from the threshold, thin estimates and caps', async (t) => {
  const tr = (figures: Record<string, number | string | boolean | null>, limitedBy: string | null = null) => ({
    mode: 'predictive',
    figures,
    caps: { limitedBy },
  });
  t.equal(uncoveredWhy(tr({ confidence: 0.5, perCallRisk: 0.01, learntThreshold: 0.01 })), 'thinEstimates');
  t.equal(uncoveredWhy(tr({ confidence: 1 })), 'abandonLimit', 'the 1:1 fallback sets no per-call risk');
  t.equal(uncoveredWhy(tr({ confidence: 1 }), 'abandon budget of 3.0 % spent: progressive 1:1 (2)'), 'abandonLimit', 'a spent budget');
  t.equal(uncoveredWhy(tr({ confidence: 1 }), 'abandon rate over the cap of 3.0 %: progressive 1:1 (2)'), 'overCap', 'a rate over the cap');
  const guarded = { confidence: 1, perCallRisk: 0.004, learntThreshold: 0.01 };
  t.equal(uncoveredWhy(tr({ ...guarded, spreadGuard: 0.004, budgetGuard: 0.02 })), 'spreadGuard', 'the spread guard under the threshold');
  t.equal(uncoveredWhy(tr({ ...guarded, spreadGuard: 0.02, budgetGuard: 0.004 })), 'budgetGuard', 'the budget guard under the threshold');
  t.equal(uncoveredWhy(tr({ confidence: 1, perCallRisk: 0.01, learntThreshold: 0.01 })), 'threshold');
  t.equal(uncoveredWhy(tr({ confidence: 1, perCallRisk: 0.01, learntThreshold: 0.01 }, 'trunkCps')), 'caps');
  t.equal(uncoveredWhy({ mode: 'progressive', figures: {}, caps: { limitedBy: null } }), 'noCallForThem');
});

t.test('in the simulator the split accounts for all of the waiting time, for predictive and the oracle alike', async (t) => {
  const sc = { name: 'a8-live25-talk60', agents: 8, liveRate: 0.25, talkMeanSec: 60, shiftHours: 1, world: RICH_WORLD };
  const strategies: Strategy[] = [
    { kind: 'tick', name: 'predictive', campaign: simCampaign('predictive') },
    { kind: 'oracle', name: 'oracle', theta: 0.01 },
  ];
  const [pred, oracle] = strategies.map((st) => simulate(sc, st, { seed: 3, lostTime: true }));
  for (const r of [pred!, oracle!]) {
    const s = summarize(r.lost!, r.agentHours * 3_600_000);
    t.ok(Math.abs(s.total - (r.idleUnderDialled + r.idleAwaitingAnswers)) < 1e-9, `${r.strategy}: ${s.total.toFixed(4)} lost`);
    t.ok(Math.abs(s.total + r.occupancy - 1) < 0.005, `${r.strategy}: occupancy + lost = 1`);
    t.ok(s.when.rampUp > 0 && s.when.steady > 0 && s.when.shiftEnd > 0, `${r.strategy}: time in every part of the shift`);
    t.ok(s.why.awaitingAnswers > 0, `${r.strategy}: some waiting with calls in flight`);
  }
  const sp = summarize(pred!.lost!, pred!.agentHours * 3_600_000);
  const so = summarize(oracle!.lost!, oracle!.agentHours * 3_600_000);
  t.equal(
    so.why.thinEstimates + so.why.threshold + so.why.abandonLimit + so.why.spreadGuard + so.why.estimateOff,
    0,
    'the oracle has no reasons to split',
  );
  t.equal(sp.why.noCallForThem, 0, 'predictive books every uncovered ms under a reason');
  t.ok(sp.why.thinEstimates > 0, 'predictive starts on thin estimates');
  t.ok(sp.when.afterBreak > 0, 'breaks in the rich world: spells after a return');
  const gap = lostGap(sp, so);
  t.ok(Math.abs(gap.total - Math.round((sp.total - so.total) * 10000) / 100) < 1e-9);
  t.ok(Math.abs(gap.awaitingAnswers + gap.noCallForThem - gap.total) < 0.02, 'covered + uncovered = the gap');
  // Off by default: the booking costs CPU, and the figures are the same without it.
  const plain = simulate(sc, strategies[0]!, { seed: 3 });
  t.equal(plain.lost, undefined, 'no split unless asked');
  t.equal(plain.occupancy, pred!.occupancy, 'booking changes no figure');
});
