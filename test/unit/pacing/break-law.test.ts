/**
 * Round nineteen's `breakLaw` (README, pacing): agents on a break counted by a break-length law learnt from the desk's
 * completed breaks (lib/pacing/break-law.ts), in the supply and the budget's agent count. Off by default; tested at its
 * edges: no break seen yet, a break longer than any seen, agents logging out from a break; and in the decision.
 */
import t from 'tap';
import {
  createEstimator,
  decideTick,
  estimates,
  observe,
  observeAll,
  predictiveParams,
  type AgentSnapshot,
  type BreakSnapshot,
  type Estimates,
  type PacingEvent,
  type PredictiveMode,
  type TickInput,
} from '../../../lib/pacing';
import { breakLaw, type BreakSample } from '../../../lib/pacing/break-law';
import { leavingShare } from '../../../lib/pacing/predictive';
import { campaignTick } from '../../../lib/dialer/steps/campaign-tick';
import { campaignDefaults } from '../../../lib/domain/campaign';

const MIN = 60_000;
const NOW = 10 * 3600_000;
const PRIOR = { meanMs: 15 * MIN, breaks: 1 };
const near = (t: { ok: (v: boolean, m: string) => unknown }, a: number, b: number, eps: number, what: string) =>
  t.ok(Math.abs(a - b) <= eps, `${what}: ${a} ≈ ${b}`);
const fifteen = (n: number, returned = true): BreakSample[] => Array.from({ length: n }, () => ({ ms: 15 * MIN, returned }));

t.test('no break seen yet: the prior alone, memoryless', async (t) => {
  const law = breakLaw([], PRIOR);
  for (const s of [0, 5 * MIN, 60 * MIN]) {
    near(t, law.backWithin(s, 15 * MIN), 1 - Math.exp(-1), 1e-12, `back within 15 min, ${s / MIN} min in`);
    // (1/h)·∫₀ʰ (1 − e^(−t/m)) dt = 1 − m·(1 − e^(−h/m))/h
    near(t, law.shareBack(s, 30 * MIN), 1 - 0.5 * (1 - Math.exp(-2)), 1e-12, `share of 30 min back, ${s / MIN} min in`);
  }
  t.equal(law.backWithin(0, 0), 0, 'within no time: nobody');
  t.equal(law.shareBack(0, 0), 0);
});

t.test('breaks seen: the empirical conditional law outweighs the prior', async (t) => {
  const law = breakLaw(fifteen(20), PRIOR);
  // 10 min into a 15 min break: hardly back within 4 min (only the prior's mass), almost surely within 6.
  t.ok(law.backWithin(10 * MIN, 4 * MIN) < 0.02, `within 4 min: ${law.backWithin(10 * MIN, 4 * MIN)}`);
  t.ok(law.backWithin(10 * MIN, 6 * MIN) > 0.98, `within 6 min: ${law.backWithin(10 * MIN, 6 * MIN)}`);
  // Back 5 min from now, so back for 25 of the next 30 min.
  near(t, law.shareBack(10 * MIN, 30 * MIN), 25 / 30, 0.01, 'share of the horizon back');
  // Monotone in x, and a share between the two ends.
  let last = 0;
  for (let x = 0; x <= 40 * MIN; x += MIN) {
    const p = law.backWithin(3 * MIN, x);
    t.ok(p >= last - 1e-12 && p <= 1, `monotone at ${x / MIN} min`);
    last = p;
  }
});

t.test('a break longer than any seen: the prior, neither "back now" nor "never"', async (t) => {
  const law = breakLaw(fifteen(50), PRIOR);
  const p = law.backWithin(40 * MIN, 10 * MIN);
  near(t, p, 1 - Math.exp(-10 / 15), 1e-9, 'the memoryless prior past every break seen');
  t.ok(law.shareBack(40 * MIN, 30 * MIN) > 0 && law.shareBack(40 * MIN, 30 * MIN) < 1);
});

t.test('agents logging out from a break: at risk, never back', async (t) => {
  const half = breakLaw([...fifteen(50), ...fifteen(50, false)], PRIOR);
  near(t, half.backWithin(10 * MIN, 10 * MIN), 0.5, 0.01, 'half the breaks end in a logout');
  near(t, half.shareBack(10 * MIN, 30 * MIN), 0.5 * (25 / 30), 0.01, 'and half the share');
  const none = breakLaw(fifteen(50, false), PRIOR);
  t.ok(none.backWithin(10 * MIN, 10 * MIN) < 0.01, 'every break ended in a logout: hardly anyone back');
});

t.test('bad priors throw; the options are off by default and checked', async (t) => {
  t.throws(() => breakLaw([], { meanMs: 0, breaks: 1 }), /mean/);
  t.throws(() => breakLaw([], { meanMs: MIN, breaks: 0 }), /pseudo-breaks/);
  t.match(predictiveParams({ kind: 'predictive' }), { breakLaw: false, breakLawIn: 'both', breakPriorMs: 15 * MIN, breakPriorBreaks: 1 });
  t.throws(() => predictiveParams({ kind: 'predictive', breakPriorMs: 0 }), /breakPriorMs/);
  t.throws(() => predictiveParams({ kind: 'predictive', breakPriorBreaks: -1 }), /breakPriorBreaks/);
  t.throws(() => predictiveParams({ kind: 'predictive', breakLawIn: 'both ' as 'both' }), /breakLawIn/);
});

t.test('the estimator keeps completed breaks over its break window', async (t) => {
  let s = createEstimator({ bucketMs: 5 * MIN, breakWindowMs: 60 * MIN });
  s = observe(s, { type: 'breakEnded', at: NOW - 90 * MIN, breakMs: 12 * MIN, returned: true });
  s = observe(s, { type: 'breakEnded', at: NOW - 20 * MIN, breakMs: 15 * MIN, returned: true, agentId: 'a' });
  s = observe(s, { type: 'breakEnded', at: NOW - 10 * MIN, breakMs: 30 * MIN, returned: false });
  t.same(estimates(s, NOW).breaks, [
    { ms: 15 * MIN, returned: true },
    { ms: 30 * MIN, returned: false },
  ]);
  t.equal(estimates(createEstimator(), NOW).breaks, undefined, 'none ended: absent');
  t.throws(() => observe(s, { type: 'breakEnded', at: NOW, breakMs: -1, returned: true }), /breakMs/);
});

/** 40 min of a 5-agent shift: 200 resolved calls, every 18th live (12); talks of 200 s and wraps of 40 s; no abandon. */
function shift(breaks: number): Estimates {
  return shiftAt(NOW, breaks);
}

function shiftAt(now: number, breaks: number): Estimates {
  const evs: PacingEvent[] = [];
  const start = now - 40 * MIN;
  for (let i = 0; i < 200; i++)
    evs.push({ type: 'resolved', at: start + i * 12_000, ringMs: i % 18 === 0 ? 8000 : 30_000, live: i % 18 === 0 });
  for (let i = 0; i < 20; i++) {
    evs.push({ type: 'talkEnded', at: start + 2 * MIN * (i + 1), talkMs: 200_000 });
    evs.push({ type: 'wrapEnded', at: start + 2 * MIN * (i + 1) + 1000, wrapMs: 40_000 });
  }
  for (let i = 0; i < breaks; i++) evs.push({ type: 'breakEnded', at: start + i * MIN, breakMs: 15 * MIN, returned: true });
  return estimates(observeAll(createEstimator(), evs), now);
}

const agentsOf = (ready: number, talking: number): AgentSnapshot[] => [
  ...Array.from({ length: ready }, () => ({ state: 'ready' as const, since: NOW - 1000 })),
  ...Array.from({ length: talking }, () => ({ state: 'talking' as const, since: NOW - 60_000 })),
];
const tick = (agents: AgentSnapshot[], est: Estimates, mode: PredictiveMode, onBreak?: BreakSnapshot[]): TickInput => ({
  now: NOW,
  mode,
  agents,
  ...(onBreak ? { onBreak } : {}),
  calls: { ringing: [], queued: [], connected: agents.filter((a) => a.state === 'talking').length },
  caps: { maxSimultaneousCalls: 0 },
  estimates: est,
});
const ON: PredictiveMode = { kind: 'predictive', breakLaw: true };

t.test('off: agents on a break change nothing', async (t) => {
  const est = shift(6);
  const team = agentsOf(1, 1);
  const away = [{ since: NOW - 5 * MIN }, { since: NOW - 14 * MIN }, { since: NOW - 14.9 * MIN }];
  t.same(decideTick(tick(team, est, { kind: 'predictive' }, away)), decideTick(tick(team, est, { kind: 'predictive' })));
  // And on, with nobody on a break, the defaults' decision.
  t.same(decideTick(tick(team, est, ON, [])), decideTick(tick(team, est, { kind: 'predictive' })));
});

t.test('the budget: three of five on a break no longer make one abandon "not fit"', async (t) => {
  // 2 present agents, handle 240 s: 15 answers over 30 min + 12 seen; one abandon is over 3 % of 27. The three on a
  // break, 5 min into 15 min breaks, are each back for about 20 of those 30 min: 12 + 30 answers, and it fits.
  const est = shift(6);
  t.equal(est.abandon.abandoned, 0);
  const team = agentsOf(1, 1);
  const away = [{ since: NOW - 5 * MIN }, { since: NOW - 5 * MIN }, { since: NOW - 5 * MIN }];
  const off = decideTick(tick(team, est, { kind: 'predictive' }, away));
  t.match(off.reason, /abandon budget of 3\.0 % spent/, 'the defaults fall back to 1:1');
  const on = decideTick(tick(team, est, { ...ON, breakLawIn: 'budget' }, away));
  t.notMatch(on.reason, /budget of 3\.0 % spent/, on.reason);
  t.equal(on.trace.figures.onBreak, 3);
  t.equal(on.trace.figures.breaksSeen, 6);
  near(t, Number(on.trace.figures.breakShareBack), 3 * (20 / 30), 0.05, 'each back for 20 of the 30 min');
  // No break seen: the prior (mean 15 min, memoryless) counts them too, less.
  const prior = decideTick(tick(team, shift(0), { ...ON, breakLawIn: 'budget' }, away));
  t.ok(Number(prior.trace.figures.breakShareBack) < Number(on.trace.figures.breakShareBack));
  t.equal(prior.trace.figures.breaksSeen, 0);
});

t.test('the supply: an agent about to come back is an agent for the next answers', async (t) => {
  const est = shift(6);
  const team = agentsOf(2, 3);
  const none = decideTick(tick(team, est, { ...ON, breakLawIn: 'supply' }));
  // Two agents 14 min 50 s into 15 min breaks: back within the ring time.
  const back = decideTick(tick(team, est, { ...ON, breakLawIn: 'supply' }, [{ since: NOW - 890_000 }, { since: NOW - 890_000 }]));
  t.ok(Number(back.trace.figures.expectedFreeAgents) > Number(none.trace.figures.expectedFreeAgents) + 1.5, 'two more agents free');
  t.ok(back.calls >= none.calls, `${back.calls} ≥ ${none.calls}`);
  // Just gone on a break, with 15 min breaks learnt: nobody back within the ring time.
  const gone = decideTick(tick(team, est, { ...ON, breakLawIn: 'supply' }, [{ since: NOW - 1000 }, { since: NOW - 1000 }]));
  near(t, Number(gone.trace.figures.expectedFreeAgents), Number(none.trace.figures.expectedFreeAgents), 0.05, 'just gone: about nobody');
});

t.test('the campaign tick passes the agents on a break through', async (t) => {
  // Monday 2026-12-07 10:00 Asia/Tokyo: inside the default hours.
  const now = Date.UTC(2026, 11, 7, 1, 0, 0);
  const r = campaignTick({
    now,
    campaign: { ...campaignDefaults(), mode: 'predictive', callsPerSecond: 0 },
    predictive: { breakLaw: true },
    sessions: [],
    agents: [{ state: 'ready', since: now - 1000 }],
    onBreak: [{ since: now - 5 * MIN, agentId: 'b1' }],
    startedLastSecond: 0,
    trunkInUse: 0,
    trunkStartedLastSecond: 0,
    estimates: shiftAt(now, 6),
  });
  t.equal(r.decision?.trace.figures.onBreak, 1);
});

t.test('leavers: on a steady floor the agents leaving for a break balance those coming back', async (t) => {
  // Breaks of 15 min, one per 105 min present: ρ·(∫₀¹⁵ t dt + ∫₁₅³⁰ 15 dt) ÷ 30 = (1/105)·337.5/30 of a present agent away.
  const law = breakLaw(fifteen(40), PRIOR);
  near(t, leavingShare(law, 1 / (105 * MIN), 30 * MIN), 337.5 / 30 / 105, 0.003, 'the share away');
  t.equal(leavingShare(law, 0, 30 * MIN), 0, 'no break ever starts: nobody leaves');
  t.equal(leavingShare(law, 1, 0), 0, 'no horizon');
  // Breaks that end in a logout: away for the rest of the horizon, so more is lost.
  t.ok(leavingShare(breakLaw(fifteen(40, false), PRIOR), 1 / (105 * MIN), 30 * MIN) > leavingShare(law, 1 / (105 * MIN), 30 * MIN));
});

t.test('leavers in the decision: the budget counts present agents less those expected to leave', async (t) => {
  const evs: PacingEvent[] = [{ type: 'staffed', at: NOW - 30 * MIN, agentMs: 8 * 105 * MIN }];
  const est0 = shift(6);
  const est = { ...est0, staffedMs: estimates(observeAll(createEstimator(), evs), NOW).staffedMs };
  t.equal(est.staffedMs, 8 * 105 * MIN, 'the estimator sums the present agent-time');
  const team = agentsOf(3, 2);
  const away = [{ since: NOW - 5 * MIN }];
  const returners = decideTick(tick(team, est, { ...ON, breakLawIn: 'budget' }, away));
  const both = decideTick(tick(team, est, { ...ON, breakLawIn: 'budget', breakLeavers: true }, away));
  // ρ = (6 seen + 1 under way + 1 prior) ÷ (840 + 120 min); away share ≈ ρ·337.5/30.
  near(t, Number(both.trace.figures.breakLeaving), (8 / (960 * MIN)) * (337.5 / 30) * MIN, 0.01, 'the share of a present agent leaving');
  t.equal(returners.trace.figures.breakLeaving, undefined, 'off: not computed');
  // τ = s·(live + E) ÷ E with no abandon: fewer answers E expected ahead, and the answers seen weigh more in it.
  t.ok(Number(both.trace.figures.riskBudget) > Number(returners.trace.figures.riskBudget), 'fewer answers expected ahead');
  t.throws(() => predictiveParams({ kind: 'predictive', breakPriorEveryMs: 0 }), /breakPriorEveryMs/);
  t.throws(() => observe(createEstimator(), { type: 'staffed', at: NOW, agentMs: -5 }), /agentMs/);
});

/** Every figure but the break law's own: what the decision would be with nobody on a break counted. */
const withoutBreakFigures = (d: ReturnType<typeof decideTick>) => {
  const { onBreak: _o, breaksSeen: _s, breakShareBack: _b, ...rest } = d.trace.figures as Record<string, unknown>;
  return { calls: d.calls, reason: d.reason, figures: rest };
};

t.test("breakLawIn 'fallback': the returners count in the 1:1 fallback check and nowhere else", async (t) => {
  const est = shift(6);
  const team = agentsOf(1, 1);
  const away = [{ since: NOW - 5 * MIN }, { since: NOW - 5 * MIN }, { since: NOW - 5 * MIN }];
  t.match(decideTick(tick(team, est, { kind: 'predictive' }, away)).reason, /abandon budget of 3\.0 % spent/, 'the defaults fall back');
  const fb = decideTick(tick(team, est, { ...ON, breakLawIn: 'fallback' }, away));
  t.notMatch(fb.reason, /budget of 3\.0 % spent/, fb.reason);
  // τ from the two present agents only: s·(live + E) ÷ E with no abandon, E = 2 × 30 min ÷ the handle time.
  const E = (2 * 30 * MIN) / Number(fb.trace.figures.handleMs);
  const s = Number(fb.trace.figures.setpoint);
  near(t, Number(fb.trace.figures.riskBudget), (s * (est.abandon.live + E)) / E, 0.002, 'τ counts the present agents');
  const bud = decideTick(tick(team, est, { ...ON, breakLawIn: 'budget' }, away));
  t.ok(Number(bud.trace.figures.riskBudget) < Number(fb.trace.figures.riskBudget) - 0.002, "'budget' counts the returners in τ too");
  t.ok(Number(bud.trace.figures.spreadGuard) !== Number(fb.trace.figures.spreadGuard), 'and in the spread guard');
  // Where the present team alone passes the check, the decision is the defaults' to the last figure.
  const five = agentsOf(3, 2);
  const one = [{ since: NOW - 5 * MIN }];
  const def = decideTick(tick(five, est, { kind: 'predictive' }, one));
  t.notMatch(def.reason, /spent/);
  t.same(withoutBreakFigures(decideTick(tick(five, est, { ...ON, breakLawIn: 'fallback' }, one))), withoutBreakFigures(def));
  // Returners that bring too few answers: still 1:1 (just gone on 15 min breaks, one abandon already spent).
  const spent = { ...est, abandon: { ...est.abandon, abandoned: 1 } };
  const gone = [{ since: NOW - 1000 }];
  t.match(decideTick(tick(team, spent, { ...ON, breakLawIn: 'fallback' }, gone)).reason, /abandon budget of 3\.0 % spent/);
});

t.test("breakLawIn 'notSpread': the returners count in the budget, not in the spread guard", async (t) => {
  const est = shift(6);
  const five = agentsOf(3, 2);
  const one = [{ since: NOW - 5 * MIN }, { since: NOW - 10 * MIN }];
  const def = decideTick(tick(five, est, { kind: 'predictive' }, one));
  const ns = decideTick(tick(five, est, { ...ON, breakLawIn: 'notSpread' }, one));
  const bud = decideTick(tick(five, est, { ...ON, breakLawIn: 'budget' }, one));
  t.equal(ns.trace.figures.spreadGuard, def.trace.figures.spreadGuard, 'the spread guard counts the present agents');
  t.not(bud.trace.figures.spreadGuard, def.trace.figures.spreadGuard, "'budget' counts the returners there");
  t.equal(ns.trace.figures.riskBudget, bud.trace.figures.riskBudget, 'τ counts them as budget does');
  t.equal(ns.trace.figures.budgetGuard, bud.trace.figures.budgetGuard, 'and the learnt threshold budget guard');
  t.not(ns.trace.figures.riskBudget, def.trace.figures.riskBudget);
  // The fallback check counts them too: three of five away no longer fall back with no abandon.
  const away = [{ since: NOW - 5 * MIN }, { since: NOW - 5 * MIN }, { since: NOW - 5 * MIN }];
  t.notMatch(decideTick(tick(agentsOf(1, 1), est, { ...ON, breakLawIn: 'notSpread' }, away)).reason, /spent/);
  t.match(predictiveParams({ kind: 'predictive', breakLawIn: 'notSpread' }), { breakLawIn: 'notSpread' });
  t.match(predictiveParams({ kind: 'predictive', breakLawIn: 'fallback' }), { breakLawIn: 'fallback' });
});
