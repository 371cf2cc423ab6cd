/**
 * Round nineteen's `meanwhileBySupply` (README, pacing; lib/pacing/meanwhile.ts): the calls-meanwhile term at the
 * placement rate of the ticks whose supply was short, not the campaign's average rate. Off by default; tested at its
 * edges: no history, every placement while an agent was free, none; the estimator's `supply` tally; the tick's record
 * (afterTick); and the decision.
 */
import t from 'tap';
import { MODEL_COUNT_BASE, shiftFigures, standardHistory, teamTick } from '../../helpers/pacing-history';
import { afterPlaced, afterTick } from '../../../lib/dialer/steps/campaign-tick';
import {
  createEstimator,
  decideTick,
  estimates,
  observe,
  observeAll,
  predictiveParams,
  type Estimates,
  type PacingEvent,
  type PredictiveMode,
  type TickDecision,
  type TickInput,
} from '../../../lib/pacing';
import { MAX_SUPPLY_GAP_MS } from '../../../lib/pacing/estimator';
import { meanwhileFreedScale, meanwhileScale, overtakeOf, RECENT_MS, type RecentAnswers } from '../../../lib/pacing/meanwhile';

const NOW = 10 * 3600_000;

t.test('meanwhileScale at its edges', async (t) => {
  t.equal(meanwhileScale(undefined, 20), 1, 'no history: the average rate (today’s term)');
  t.equal(meanwhileScale({ shortMs: 0, allMs: 0, shortCalls: 0, allCalls: 0 }, 20), 1, 'no tick yet');
  t.equal(meanwhileScale({ shortMs: 60_000, allMs: 600_000, shortCalls: 0, allCalls: 0 }, 20), 1, 'no call placed yet');
  // Every call placed while an agent was free: 600 calls in 10 min, 2 min of it short, none then. The short time is
  // worth 120 calls at the average rate: (0 + 20) ÷ (120 + 20).
  const free = { shortMs: 120_000, allMs: 600_000, shortCalls: 0, allCalls: 600 };
  t.equal(meanwhileScale(free, 20), 20 / 140);
  t.equal(meanwhileScale(free, 0), 0, 'no prior: no call is placed meanwhile when none comes free');
  t.ok(
    meanwhileScale({ ...free, shortMs: 240_000 }, 20) < meanwhileScale(free, 20),
    'more short time without a call: further from the average',
  );
  // None while free: every call in short ticks. All the time short too: the average rate itself.
  t.equal(meanwhileScale({ shortMs: 600_000, allMs: 600_000, shortCalls: 600, allCalls: 600 }, 20), 1);
  // Every call in a fifth of the time: five times the average rate there, a little less with the prior.
  t.equal(meanwhileScale({ shortMs: 120_000, allMs: 600_000, shortCalls: 600, allCalls: 600 }, 20), 620 / 140);
  // Short ticks placing at the average rate: 1, whatever the prior.
  t.equal(meanwhileScale({ shortMs: 120_000, allMs: 600_000, shortCalls: 120, allCalls: 600 }, 7), 1);
});

t.test('the estimator tallies supply events: each gap is the previous tick’s state, within the rate window', async (t) => {
  const s0 = createEstimator();
  const evs: PacingEvent[] = [
    { type: 'supply', at: NOW - 10_000, short: false, calls: 2 },
    { type: 'supply', at: NOW - 9000, short: true, calls: 1 }, // the 1 s before was not short
    { type: 'supply', at: NOW - 8000, short: true, calls: 0 }, // 1 s short
    { type: 'supply', at: NOW - 7000, short: false, calls: 3 }, // 1 s short
    { type: 'supply', at: NOW - 6000, short: false, calls: 0 }, // 1 s free
  ];
  const e = estimates(observeAll(s0, evs), NOW);
  t.same(e.supply, { shortMs: 2000, allMs: 4000, shortCalls: 1, allCalls: 6 });
  t.equal(estimates(s0, NOW).supply, undefined, 'no supply event: no tally');
  // A gap longer than a runner's tick is a runner that stopped: at most MAX_SUPPLY_GAP_MS of it counts.
  const later = observe(observeAll(s0, evs), { type: 'supply', at: NOW + 3600_000, short: true, calls: 0 });
  const gap = estimates(later, NOW + 3600_000).supply!;
  t.equal(gap.allMs, MAX_SUPPLY_GAP_MS, 'only the capped gap, and the first tally has left the 30 min window');
  t.equal(gap.shortMs, 0, 'the state before the gap was free');
  t.throws(() => observe(s0, { type: 'supply', at: NOW, short: true, calls: -1 }), /calls/);
  t.same(JSON.parse(JSON.stringify(later)), later, 'still a plain JSON value');
});

const decision = (figures: TickDecision['trace']['figures'], ready: number, queued: number, calls = 1): TickDecision => ({
  calls,
  reason: '',
  trace: {
    now: NOW,
    mode: 'predictive',
    agents: { loggedIn: 5, ready, reserved: 0, talking: 5 - ready, wrapup: 0 },
    calls: { ringing: 3, queued, connected: 5 - ready, inFlight: 3 + queued },
    figures,
    caps: { wanted: calls, room: {}, limitedBy: null },
  },
});

t.test('afterTick records a tick only for a mode that keeps supply; short = no agent ready beyond the persons waiting', async (t) => {
  const est = createEstimator();
  t.equal(afterTick(est, decision({}, 0, 0), 1, NOW), est, 'the option off: nothing recorded, the state unchanged');
  t.equal(afterPlaced(est, decision({ expectedAbandons: 0 }, 0, 0), 0, NOW), est);
  const keep = { keepSupply: true, expectedAbandons: 0 };
  const tally = (ready: number, queued: number) => {
    let s = afterTick(est, decision(keep, ready, queued), 2, NOW - 1000);
    s = afterTick(s, decision(keep, 1, 0), 0, NOW);
    return estimates(s, NOW).supply!;
  };
  t.same(tally(0, 0), { shortMs: 1000, allMs: 1000, shortCalls: 2, allCalls: 2 }, 'no agent ready: short');
  t.same(tally(1, 1), { shortMs: 1000, allMs: 1000, shortCalls: 2, allCalls: 2 }, 'the one ready agent is a waiting person’s');
  t.same(tally(2, 1), { shortMs: 0, allMs: 1000, shortCalls: 0, allCalls: 2 }, 'an agent free: not short');
  // afterPlaced records the tick too (the simulator and the runner's placing ticks call it alone).
  const placed = afterPlaced(est, decision(keep, 0, 0, 3), 3, NOW);
  t.same(estimates(placed, NOW).supply, { shortMs: 0, allMs: 0, shortCalls: 3, allCalls: 3 });
});

/** The standard scenario's estimates (test/helpers/pacing-history.ts), with a supply tally. */
function history(supply?: Estimates['supply']): Estimates {
  const e = standardHistory(NOW);
  return supply ? { ...e, supply } : e;
}

const tick = (est: Estimates, mode: PredictiveMode): TickInput => teamTick(NOW, est, mode);
const BASE = MODEL_COUNT_BASE;
const ON: PredictiveMode = { ...BASE, meanwhileBySupply: true };

t.test('meanwhileBySupply: off by default and checked', async (t) => {
  t.match(predictiveParams({ kind: 'predictive' }), { meanwhileBySupply: false, meanwhileSupplyPrior: 20 });
  t.throws(() => predictiveParams({ kind: 'predictive', meanwhileSupplyPrior: -1 }), /meanwhileSupplyPrior/);
  t.throws(() => predictiveParams({ kind: 'predictive', meanwhileSupplyPrior: Infinity }), /meanwhileSupplyPrior/);
});

t.test(
  'meanwhileBySupply in the decision: off or no history is today’s term; placements only while free, fewer answers ahead',
  async (t) => {
    const free = { shortMs: 600_000, allMs: 1_200_000, shortCalls: 0, allCalls: 800 };
    const off = decideTick(tick(history(free), BASE));
    t.same(off, decideTick(tick(history(), BASE)), 'off: the tally is not read');
    t.equal(off.trace.figures.keepSupply, undefined, 'off: no tick is kept');
    t.equal(off.trace.figures.meanwhileScale, undefined);
    // On with no tally yet: the scale is 1, the same calls and counts as off.
    const fresh = decideTick(tick(history(), ON));
    t.equal(fresh.trace.figures.meanwhileScale, 1);
    t.equal(fresh.trace.figures.keepSupply, true, 'on: every tick is kept, to learn from');
    t.equal(fresh.calls, off.calls);
    t.equal(fresh.trace.figures.expectedAnswers, off.trace.figures.expectedAnswers);
    // Every call placed while an agent was free: given this call finds none, almost no call is placed meanwhile.
    const cond = decideTick(tick(history(free), ON));
    t.ok((cond.trace.figures.meanwhileScale as number) < 0.1, `scale ${cond.trace.figures.meanwhileScale}`);
    t.ok(
      (cond.trace.figures.expectedAnswers as number) < (off.trace.figures.expectedAnswers as number),
      'fewer answers expected ahead of a new call',
    );
    t.ok(cond.calls > off.calls, `${cond.calls} > ${off.calls}`);
    // None placed while free, in the same share of the time: above the average rate, more answers ahead, fewer calls.
    const busy = decideTick(tick(history({ shortMs: 600_000, allMs: 1_200_000, shortCalls: 800, allCalls: 800 }), ON));
    t.ok((busy.trace.figures.meanwhileScale as number) > 1.9, `scale ${busy.trace.figures.meanwhileScale}`);
    t.ok(busy.calls <= off.calls, `${busy.calls} ≤ ${off.calls}`);
    t.ok((busy.trace.figures.expectedAnswers as number) > (off.trace.figures.expectedAnswers as number), 'more answers ahead');
  },
);

t.test('overtakeOf: a live answer’s overtakers are the remembered live answers placed after its call, answered first', async (t) => {
  const first = overtakeOf(undefined, NOW, 20_000);
  t.same(first, { overtakers: 0, ahead: 0, freed: 0, recent: { live: [[NOW - 20_000, NOW]], freedAt: [] } }, 'no memory: none');
  const memory: RecentAnswers = {
    live: [
      [NOW - 20_000, NOW], // placed before this one (NOW − 10 s)
      [NOW - 5000, NOW], // placed after it, answered before it: an overtaker
      [NOW - 4000, NOW + 3000], // placed after it, answered after it (told early): not one
      [NOW - RECENT_MS - 60_000, NOW - RECENT_MS - 1], // forgotten
    ],
    freedAt: [NOW - 12_000, NOW - 4000, NOW + 1000],
  };
  const o = overtakeOf(memory, NOW + 2000, 12_000);
  t.equal(o.overtakers, 1);
  t.equal(o.freed, 2, 'agents freed at NOW − 4 s and NOW + 1 s, between the placing (NOW − 10 s) and the answer (NOW + 2 s)');
  t.same(
    o.recent.live,
    [
      [NOW - 20_000, NOW],
      [NOW - 5000, NOW],
      [NOW - 4000, NOW + 3000],
      [NOW - 10_000, NOW + 2000],
    ],
    'older than RECENT_MS dropped, this one added',
  );
});

t.test('meanwhileFreedScale at its edges', async (t) => {
  t.equal(meanwhileFreedScale(undefined, 20), 1, 'no live answer yet: today’s term');
  t.equal(meanwhileFreedScale({ answers: 50, overtakers: 0, answersNoneFreed: 20, overtakersNoneFreed: 0 }, 20), 1, 'no overtaker yet');
  // No overtaker while no agent came free, 100 answers so: (0 + 20·r) ÷ ((100 + 20)·r) = 1/6; with no prior, 0.
  const none = { answers: 400, overtakers: 160, answersNoneFreed: 100, overtakersNoneFreed: 0 };
  t.ok(Math.abs(meanwhileFreedScale(none, 20) - 1 / 6) < 1e-12);
  t.equal(meanwhileFreedScale(none, 0), 0);
  // Overtakers as many while none freed as on average: 1.
  t.equal(meanwhileFreedScale({ answers: 400, overtakers: 160, answersNoneFreed: 100, overtakersNoneFreed: 40 }, 20), 1);
  // No answer while none freed yet: the prior alone, 1.
  t.equal(meanwhileFreedScale({ answers: 400, overtakers: 160, answersNoneFreed: 0, overtakersNoneFreed: 0 }, 20), 1);
  t.equal(meanwhileFreedScale({ answers: 400, overtakers: 160, answersNoneFreed: 0, overtakersNoneFreed: 0 }, 0), 1);
});

t.test('the estimator tallies overtakers over the handle window from answered events, wrap-ups’ ends as agents freed', async (t) => {
  const evs: PacingEvent[] = [
    { type: 'answered', at: NOW - 30_000, ringMs: 10_000 }, // placed −40 s: nothing before it
    { type: 'answered', at: NOW - 20_000, ringMs: 25_000 }, // placed −45 s: the first overtook it, no agent freed
    { type: 'wrapEnded', at: NOW - 18_000, wrapMs: 20_000 },
    { type: 'resolved', at: NOW - 15_000, ringMs: 30_000, live: true }, // the call's end: no tally
    { type: 'answered', at: NOW - 10_000, ringMs: 40_000 }, // placed −50 s: two overtook it, one agent freed
  ];
  const e = estimates(observeAll(createEstimator(), evs), NOW);
  t.same(e.overtaken, { answers: 3, overtakers: 3, answersNoneFreed: 2, overtakersNoneFreed: 1 });
  t.equal(e.live, 1, 'answered events do not count as resolved calls');
  t.equal(estimates(createEstimator(), NOW).overtaken, undefined);
  t.equal(estimates(observeAll(createEstimator(), evs), NOW + 2 * 3600_000).overtaken, undefined, 'out of the handle window');
  t.throws(() => observe(createEstimator(), { type: 'answered', at: NOW, ringMs: -1 }), /ringMs/);
});

t.test('meanwhileByFreed in the decision; one measure at most', async (t) => {
  const FREED: PredictiveMode = { ...BASE, meanwhileByFreed: true };
  t.throws(() => predictiveParams({ kind: 'predictive', meanwhileByFreed: true, meanwhileBySupply: true }), /one at most/);
  t.throws(() => predictiveParams({ kind: 'predictive', meanwhileFreedPrior: -1 }), /meanwhileFreedPrior/);
  const off = decideTick(tick(history(), BASE));
  const fresh = decideTick(tick(history(), FREED));
  t.equal(fresh.trace.figures.meanwhileScale, 1, 'no tally: the average term');
  t.equal(fresh.calls, off.calls);
  t.equal(fresh.trace.figures.keepSupply, undefined, 'no tick is kept: the tally comes from the answers');
  const none = { answers: 400, overtakers: 160, answersNoneFreed: 100, overtakersNoneFreed: 0 };
  const cond = decideTick(tick({ ...history(), overtaken: none }, FREED));
  t.ok(Math.abs((cond.trace.figures.meanwhileScale as number) - 1 / 6) < 1e-3);
  t.ok(cond.calls > off.calls, `${cond.calls} > ${off.calls}`);
  t.same(decideTick(tick({ ...history(), overtaken: none }, BASE)), off, 'off: the tally is not read');
});

t.test('the simulator feeds both measures as the runner does: the factor leaves 1 once the shift has run a while', async (t) => {
  const run = (predictive: Omit<PredictiveMode, 'kind'>) => shiftFigures(predictive, 'meanwhileScale');
  t.same(run({}), [], 'off: no factor');
  for (const o of [{ meanwhileBySupply: true }, { meanwhileByFreed: true }]) {
    const s = run(o);
    t.ok(s.length > 0 && s.every((x) => Number.isFinite(x) && x >= 0), `${JSON.stringify(o)}: a factor on each model tick`);
    t.ok(
      s.some((x) => x !== 1),
      `${JSON.stringify(o)}: learnt from the shift (${Math.min(...s)}–${Math.max(...s)})`,
    );
  }
});
