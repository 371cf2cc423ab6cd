/**
 * Round twenty-nine (README, pacing): `ledgerToClose`. With the close known and farther than the ledger's horizons, the
 * budget's 1:1 fallback check ('fallback'), and with 'all' τ, the budget guard and the spread guard too, count the
 * answers expected up to the close instead of the next 30 min's. Tested at the decision's edges: off by default and
 * checked; a small team's two early abandons spend the 30 min budget (1:1) but fit in the day's; no close, or a close
 * nearer than the horizon, changes nothing; a rate over the cap beyond chance still falls back; 'fallback' alone leaves
 * the 30 min spread guard at 0 (the state the simulator's losing seeds went through), 'all' does not.
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

const NOW = 10 * 3600_000;

/**
 * A 5-agent shift's first 50 min: 300 resolved calls (one in ten live, 30 live answers), `abandons` of them abandoned,
 * 25 talks ended around 180 s with wrap-ups of 20 s.
 */
function firstHour(abandons: number, live = 30): Estimates {
  const evs: PacingEvent[] = [];
  const start = NOW - 50 * 60_000;
  const every = Math.round(300 / live);
  for (let i = 0; i < 300; i++)
    evs.push({ type: 'resolved', at: start + i * 10_000, ringMs: i % every === 0 ? 8000 : 40_000, live: i % every === 0 });
  for (let i = 0; i < abandons; i++) evs.push({ type: 'abandoned', at: start + 5 * 60_000 + i * 60_000 });
  for (let i = 0; i < 25; i++) {
    evs.push({ type: 'talkEnded', at: start + 60_000 * (i + 1), talkMs: 120_000 + (i % 5) * 30_000 });
    evs.push({ type: 'wrapEnded', at: start + 60_000 * (i + 1) + 20_000, wrapMs: 20_000 });
  }
  return estimates(observeAll(createEstimator(), evs), NOW);
}

const agents: AgentSnapshot[] = [
  { state: 'ready', since: NOW - 1000 },
  ...Array.from({ length: 4 }, () => ({ state: 'talking' as const, since: NOW - 60_000 })),
];
const tick = (est: Estimates, mode: PredictiveMode, closeInMs?: number): TickInput => ({
  now: NOW,
  mode,
  agents,
  calls: { ringing: [], queued: [], connected: 4 },
  caps: { maxSimultaneousCalls: 0 },
  estimates: est,
  ...(closeInMs !== undefined ? { closesAt: NOW + closeInMs } : {}),
});
const OFF: PredictiveMode = { kind: 'predictive' };
const FALLBACK: PredictiveMode = { kind: 'predictive', ledgerToClose: 'fallback' };
const ALL: PredictiveMode = { kind: 'predictive', ledgerToClose: 'all' };
const HOURS_3 = 3 * 3600_000;

t.test('ledgerToClose: off by default, checked', async (t) => {
  t.equal(predictiveParams({ kind: 'predictive' }).ledgerToClose, 'off');
  t.throws(() => predictiveParams({ kind: 'predictive', ledgerToClose: 'day' as never }), RangeError);
  const est = firstHour(2);
  t.same(decideTick(tick(est, { kind: 'predictive', ledgerToClose: 'off' }, HOURS_3)), decideTick(tick(est, OFF, HOURS_3)));
});

t.test('two early abandons: spent against 30 min of answers, not against the day to the close', async (t) => {
  const est = firstHour(2);
  t.equal(est.abandon.live, 30);
  t.equal(est.abandon.abandoned, 2);
  // Off: 30 seen + about 45 expected in 30 min (5 agents, a handle of about 200 s): 3 abandons > 3 % of 75 → 1:1.
  const off = decideTick(tick(est, OFF, HOURS_3));
  t.match(off.reason, /abandon budget of 3\.0 % spent/);
  // To the close 3 h away (about 270 answers): 3 ≤ 3 % of 300, the budget is not spent and the guards decide.
  const fb = decideTick(tick(est, FALLBACK, HOURS_3));
  t.notMatch(fb.reason, /spent/);
  t.equal(fb.trace.figures.ledgerHorizonMs, HOURS_3);
  // 'fallback' alone: the spread guard still looks 30 min ahead, where the window is over the cap at its first check
  // point whatever comes (3 % of 30 + 11 answers < 2 abandons): no risk allowed, the model places no call beyond 1:1.
  t.equal(fb.trace.figures.spreadGuard, 0);
  t.equal(fb.trace.figures.perCallRisk, 0);
  // 'all': the spread guard's points are a quarter, half and the whole of the 3 h: calls are placed under a risk.
  const all = decideTick(tick(est, ALL, HOURS_3));
  t.notMatch(all.reason, /spent/);
  t.ok((all.trace.figures.spreadGuard as number) > 0, `spread guard ${all.trace.figures.spreadGuard}`);
  t.ok((all.trace.figures.perCallRisk as number) > 0, `per-call risk ${all.trace.figures.perCallRisk}`);
  t.ok(all.calls >= off.calls, `${all.calls} calls against 1:1's ${off.calls}`);
});

t.test('no close, or one nearer than the horizon: as off', async (t) => {
  const est = firstHour(2);
  for (const mode of [FALLBACK, ALL]) {
    const none = decideTick(tick(est, mode));
    t.same(none.calls, decideTick(tick(est, OFF)).calls);
    t.match(none.reason, /abandon budget of 3\.0 % spent/, `${mode.ledgerToClose}: no close`);
    t.equal(none.trace.figures.ledgerHorizonMs, undefined);
    // 20 min to the close: the 30 min horizon is the longer one and stays.
    const near = decideTick(tick(est, mode, 20 * 60_000));
    t.match(near.reason, /abandon budget of 3\.0 % spent/, `${mode.ledgerToClose}: close in 20 min`);
    t.equal(near.trace.figures.ledgerHorizonMs, 30 * 60_000);
  }
});

t.test('a rate over the cap beyond chance still falls back, however far the close', async (t) => {
  // 5 abandons in 30 live answers (17 %): beyond what a 3 % process gives in 99 % of windows of 30 answers.
  const est = firstHour(5);
  for (const mode of [FALLBACK, ALL]) t.match(decideTick(tick(est, mode, 8 * 3600_000)).reason, /abandon rate over the cap/);
});
