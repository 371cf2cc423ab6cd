/**
 * Round twenty's `meanwhileByNoneFreed` (README, pacing; lib/pacing/meanwhile.ts windowedSupply): the calls-meanwhile
 * term at the placement rate over a live ring's length before the moments when no agent had come free over it, over
 * that rate before any moment. Off by default; tested at its edges: the window's count and its freed agents, the
 * estimator's tally, the tick's record (afterTick), the window the model reports, the decision, and the simulator.
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
import { RECENT_MS, windowedSupply, type RecentAnswers } from '../../../lib/pacing/meanwhile';
import { meanOfCdf } from '../../../lib/pacing/predictive';

const NOW = 10 * 3600_000;

t.test('windowedSupply: the calls placed in the window, and whether an agent came free in it', async (t) => {
  const first = windowedSupply(undefined, NOW, 10_000, 2);
  t.same(
    first,
    { short: true, windowCalls: 2, windowFreed: 0, recent: { live: [], freedAt: [], placed: [[NOW, 2]] } },
    'no memory: its own calls',
  );
  t.same(windowedSupply(undefined, NOW, 10_000, 0).recent.placed, [], 'a tick that placed nothing is not remembered');
  const memory: RecentAnswers = {
    live: [[NOW - 30_000, NOW - 20_000]],
    freedAt: [NOW - 12_000],
    placed: [
      [NOW - RECENT_MS - 1, 5], // forgotten
      [NOW - 11_000, 3], // before the window
      [NOW - 10_000, 4], // on the window's open edge: out
      [NOW - 9000, 1],
      [NOW - 2000, 2],
    ],
  };
  const w = windowedSupply(memory, NOW, 10_000, 1);
  t.equal(w.windowCalls, 4, '1 + 2 in (NOW − 10 s, NOW], and this tick’s 1');
  t.equal(w.short, true, 'the agent freed 12 s ago is outside the window');
  t.same(w.recent.live, memory.live, 'the live answers are kept as they were');
  t.same(
    w.recent.placed,
    [
      [NOW - 11_000, 3],
      [NOW - 10_000, 4],
      [NOW - 9000, 1],
      [NOW - 2000, 2],
      [NOW, 1],
    ],
    'older than RECENT_MS dropped, this tick added',
  );
  const wide = windowedSupply(memory, NOW, 15_000, 0);
  t.equal(wide.short, false, 'a wider window holds the agent freed 12 s ago');
  t.equal(wide.windowCalls, 10);
  t.equal(windowedSupply({ ...memory, freedAt: [NOW] }, NOW, 10_000, 0).short, false, 'an agent freed at the tick itself counts');
});

t.test('the estimator tallies windowed supply events: each gap at its tick’s window rate, short when nobody came free', async (t) => {
  const W = 10_000;
  const evs: PacingEvent[] = [
    { type: 'supply', at: NOW - 20_000, short: true, calls: 2, windowMs: W }, // the first: no gap yet
    { type: 'wrapEnded', at: NOW - 19_000, wrapMs: 15_000 },
    { type: 'supply', at: NOW - 15_000, short: true, calls: 0, windowMs: W }, // 5 s, 2 in the window, freed 4 s ago
    { type: 'supply', at: NOW - 5000, short: false, calls: 1, windowMs: W }, // 5 s (the cap), 1 in the window, none freed
  ];
  const e = estimates(observeAll(createEstimator(), evs), NOW);
  // Gaps capped at MAX_SUPPLY_GAP_MS (5 s): 5 s × 2 calls ÷ 10 s = 1 (not short: an agent came free), 5 s × 1 ÷ 10 s
  // = 0.5 (short: `short: false` in the event is not read with a window).
  t.same(e.supply, { shortMs: 5000, allMs: 10_000, shortCalls: 0.5, allCalls: 1.5 });
  const s = observeAll(createEstimator(), evs);
  t.same(s.recent?.placed, [
    [NOW - 20_000, 2],
    [NOW - 5000, 1],
  ]);
  t.same(s.supplyLast, { at: NOW - 5000, short: true, windowMs: W }, 'the last window is remembered');
  // A wrap-up's end keeps the placements remembered.
  t.same(observe(s, { type: 'wrapEnded', at: NOW, wrapMs: 1000 }).recent?.placed, s.recent?.placed);
  t.throws(() => observe(createEstimator(), { type: 'supply', at: NOW, short: true, calls: 0, windowMs: 0 }), /windowMs/);
  t.throws(() => observe(createEstimator(), { type: 'supply', at: NOW, short: true, calls: 0, windowMs: NaN }), /windowMs/);
});

const decision = (figures: TickDecision['trace']['figures'], calls = 1): TickDecision => ({
  calls,
  reason: '',
  trace: {
    now: NOW,
    mode: 'predictive',
    agents: { loggedIn: 5, ready: 0, reserved: 0, talking: 5, wrapup: 0 },
    calls: { ringing: 3, queued: 0, connected: 5, inFlight: 3 },
    figures,
    caps: { wanted: calls, room: {}, limitedBy: null },
  },
});

t.test('afterTick: a windowed tick for meanwhileByNoneFreed, at the model’s window or the last one it gave', async (t) => {
  const est = createEstimator();
  const keep = { keepSupply: 'noneFreed', meanwhileWindowMs: 12_000, expectedAbandons: 0 };
  const one = afterTick(est, decision(keep), 2, NOW - 1000);
  t.same(one.supplyLast, { at: NOW - 1000, short: true, windowMs: 12_000 });
  t.same(one.recent?.placed, [[NOW - 1000, 2]]);
  // A fallback tick reports no window: the last one holds.
  const two = afterTick(one, decision({ keepSupply: 'noneFreed' }), 0, NOW);
  // 1 s at 2 calls per 12 s window, nobody freed: 1/6 of a call's worth, short.
  t.same(estimates(two, NOW).supply, { shortMs: 1000, allMs: 1000, shortCalls: 1 / 6, allCalls: 1 / 6 });
  t.equal(afterTick(est, decision({ keepSupply: 'noneFreed' }), 2, NOW), est, 'no window given yet: nothing recorded');
  t.equal(afterTick(est, decision({ expectedAbandons: 0 }), 2, NOW), est, 'the option off: nothing recorded');
  // afterPlaced records the tick too (the simulator and the runner's placing ticks call it alone).
  t.same(afterPlaced(est, decision(keep, 3), 3, NOW).recent?.placed, [[NOW, 3]]);
});

t.test('meanOfCdf: the window is the live ring law’s mean', async (t) => {
  t.equal(meanOfCdf([], 1000), 0);
  t.equal(meanOfCdf([1], 1000), 500, 'uniform over the first bin');
  t.equal(meanOfCdf([0, 0, 1], 1000), 2500, 'uniform over the third');
  t.equal(meanOfCdf([0.5, 0.5, 1], 1000), 250 + 500 + 750, 'half in the first bin, half in the third: (0.5 + 2.5) ÷ 2 s');
});

/** The standard scenario's estimates (test/helpers/pacing-history.ts), with a supply tally. */
function history(supply?: Estimates['supply']): Estimates {
  const e = standardHistory(NOW);
  return supply ? { ...e, supply } : e;
}

const tick = (est: Estimates, mode: PredictiveMode): TickInput => teamTick(NOW, est, mode);
const BASE = MODEL_COUNT_BASE;
const ON: PredictiveMode = { ...BASE, meanwhileByNoneFreed: true };

t.test('meanwhileByNoneFreed: off by default, checked, one measure at most', async (t) => {
  t.match(predictiveParams({ kind: 'predictive' }), { meanwhileByNoneFreed: false, meanwhileNoneFreedPrior: 20 });
  t.throws(() => predictiveParams({ kind: 'predictive', meanwhileNoneFreedPrior: -1 }), /meanwhileNoneFreedPrior/);
  t.throws(() => predictiveParams({ kind: 'predictive', meanwhileByNoneFreed: true, meanwhileBySupply: true }), /one at most/);
  t.throws(() => predictiveParams({ kind: 'predictive', meanwhileByNoneFreed: true, meanwhileByFreed: true }), /one at most/);
});

t.test('meanwhileByNoneFreed in the decision: off or no tally is today’s term; no call before a lull, fewer answers ahead', async (t) => {
  const lull = { shortMs: 600_000, allMs: 1_200_000, shortCalls: 0, allCalls: 800 };
  const off = decideTick(tick(history(lull), BASE));
  t.same(off, decideTick(tick(history(), BASE)), 'off: the tally is not read');
  t.equal(off.trace.figures.keepSupply, undefined);
  t.equal(off.trace.figures.meanwhileWindowMs, undefined);
  const fresh = decideTick(tick(history(), ON));
  t.equal(fresh.trace.figures.meanwhileScale, 1);
  t.equal(fresh.trace.figures.keepSupply, 'noneFreed', 'on: every tick is kept, to learn from');
  // The history's live rings are 3–25 s, evenly: a mean of about 14 s.
  const w = fresh.trace.figures.meanwhileWindowMs as number;
  t.ok(w > 12_000 && w < 16_000, `window ${w} ms`);
  t.equal(fresh.calls, off.calls);
  t.equal(fresh.trace.figures.expectedAnswers, off.trace.figures.expectedAnswers);
  // No call placed in the windows before a lull: given this call finds no agent, none is placed meanwhile.
  const cond = decideTick(tick(history(lull), ON));
  t.ok((cond.trace.figures.meanwhileScale as number) < 0.1, `scale ${cond.trace.figures.meanwhileScale}`);
  t.ok((cond.trace.figures.expectedAnswers as number) < (off.trace.figures.expectedAnswers as number));
  t.ok(cond.calls > off.calls, `${cond.calls} > ${off.calls}`);
  // Placements before lulls at twice the rate before any moment: more answers ahead, no more calls.
  const rush = decideTick(tick(history({ shortMs: 600_000, allMs: 1_200_000, shortCalls: 800, allCalls: 800 }), ON));
  t.ok((rush.trace.figures.meanwhileScale as number) > 1.9, `scale ${rush.trace.figures.meanwhileScale}`);
  t.ok(rush.calls <= off.calls, `${rush.calls} ≤ ${off.calls}`);
});

t.test('the simulator feeds meanwhileByNoneFreed as the runner does: the factor leaves 1 within the shift', async (t) => {
  const scales = shiftFigures({ meanwhileByNoneFreed: true }, 'meanwhileScale');
  t.ok(scales.length > 0 && scales.every((x) => Number.isFinite(x) && x >= 0), 'a factor on each model tick');
  t.ok(
    scales.some((x) => x < 0.95),
    `learnt from the shift: agents that came free take the calls placed before them (${Math.min(...scales)}–${Math.max(...scales)})`,
  );
});
