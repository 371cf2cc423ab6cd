/**
 * Round twenty-two (README, pacing): `refreeAhead`, an answer ahead of the new call counted as demand only while the
 * agent it takes is still busy at the new call's deadline (refree.ts). Off by default; tested at its edges: the held
 * masses against worked examples, no short talks (the same decision), short talks (fewer answers ahead, no fewer
 * calls), the exact small-team tail, and the option's default.
 */
import t from 'tap';
import { MODEL_COUNT_BASE, standardHistory, teamTick } from '../../helpers/pacing-history';
import {
  createEstimator,
  decideTick,
  estimates,
  observeAll,
  predictiveParams,
  type PacingEvent,
  type PredictiveMode,
} from '../../../lib/pacing';
import { freshHandleCdf, heldAnswerMass, heldMeanwhileMass } from '../../../lib/pacing/refree';

const NOW = 10 * 3600_000;
/** A live ring law uniform over 0–20 s. */
const F = (ms: number) => Math.min(1, Math.max(0, ms / 20_000));
const never = () => 0;
const always = () => 1;

t.test('heldAnswerMass: F(a + x) − F(a) when no agent comes back, 0 when every one does, the weighed part between', async (t) => {
  t.ok(Math.abs(heldAnswerMass(F, 3000, 9000, 2000, never, 250) - (F(12_000) - F(3000))) < 1e-12, 'h ≡ 0: the plain chance');
  t.equal(heldAnswerMass(F, 3000, 9000, 2000, always, 250), 0, 'h ≡ 1: every agent back in time');
  // Back within 10 s with chance 0.2: answers at u ≤ 8 s (x + threshold − u ≥ 10 s) weigh 0.8, later ones 1.
  const step = (y: number) => (y >= 10_000 ? 0.2 : 0);
  t.ok(Math.abs(heldAnswerMass(F, 0, 16_000, 2000, step, 250) - (0.4 * 0.8 + 0.4)) < 1e-12, '0.72 of the 0.8 answered by 16 s');
  t.equal(heldAnswerMass(F, 0, 0, 2000, step, 250), 0, 'x = 0: nothing answered before it');
});

t.test('heldMeanwhileMass: ∫₀ˣ F with no agent back, 0 with every one back', async (t) => {
  let plain = 0;
  for (let v = 125; v < 16_000; v += 250) plain += F(v) * Math.min(250, 16_000 - v + 125);
  t.ok(Math.abs(heldMeanwhileMass(F, 16_000, 2000, never, 250) - plain) < 1e-9, 'h ≡ 0: the plain term, the same steps');
  t.ok(Math.abs(plain - 0.5 * 16_000 * 0.8) < 1, `∫₀¹⁶ F = 6.4 s (${plain})`);
  t.equal(heldMeanwhileMass(F, 16_000, 2000, always, 250), 0);
  const half = heldMeanwhileMass(F, 16_000, 2000, () => 0.5, 250);
  t.ok(Math.abs(half - plain / 2) < 1e-9, 'a flat h scales it');
});

t.test('freshHandleCdf: memoised on its grid, within [0, 1], 0 at or below 0', async (t) => {
  let calls = 0;
  const h = freshHandleCdf((y) => {
    calls++;
    return y / 10_000;
  }, 250);
  t.equal(h(0), 0);
  t.equal(h(-5), 0);
  t.equal(h(1000), 0.1);
  t.equal(h(1100), 0.1, 'rounded to the grid');
  t.equal(calls, 1, 'one evaluation per grid point');
  t.equal(h(50_000), 1, 'clamped');
});

/** The standard history with `short` talks of 5 s and their 2 s wrap-ups among its ended talks (machines put through). */
function withShortTalks(short: number) {
  const start = NOW - 20 * 60_000;
  const evs: PacingEvent[] = [];
  for (let i = 0; i < 800; i++) {
    const at = start + i * 1000;
    if (i % 4 === 0) evs.push({ type: 'resolved', at, ringMs: 3000 + ((i * 7) % 23) * 1000, live: true });
    else evs.push({ type: 'resolved', at, ringMs: i % 3 === 0 ? 2000 : 40_000, live: false });
  }
  for (let i = 0; i < 100; i++) {
    const talkMs = i < short ? 5000 : 180_000 * (0.4 + (i % 13) / 10.8);
    evs.push({ type: 'talkEnded', at: start + i * 1000, talkMs });
    evs.push({ type: 'wrapEnded', at: start + i * 1000 + 1, wrapMs: i < short ? 2000 : 10_000 + (i % 21) * 1000 });
  }
  return estimates(observeAll(createEstimator(), evs), NOW);
}

const BASE = MODEL_COUNT_BASE;
const ringing = [NOW - 2000, NOW - 5000, NOW - 9000, NOW - 12_000];

t.test('refreeAhead in the decision: off by default; no short talks, the same decision; short talks, fewer answers ahead', async (t) => {
  t.equal(predictiveParams({ kind: 'predictive' }).refreeAhead, false, 'off by default');
  const est = standardHistory(NOW);
  const today = decideTick(teamTick(NOW, est, BASE, 14, ringing));
  t.same(decideTick(teamTick(NOW, est, { ...BASE, refreeAhead: false }, 14, ringing)), today, 'false: identical');
  // Every talk at least 72 s and every wrap-up 10 s: no agent that takes an answer ahead is back within the horizon.
  const on: PredictiveMode = { ...BASE, refreeAhead: true };
  const noShort = decideTick(teamTick(NOW, est, on, 14, ringing));
  t.equal(noShort.calls, today.calls, 'no short talks: the same calls');
  t.equal(noShort.trace.figures.expectedAnswers, today.trace.figures.expectedAnswers, 'and the same answers ahead');
  // A fifth of the talks 5 s long: an answer ahead early in the ring gives its agent back.
  const est2 = withShortTalks(20);
  const plain = decideTick(teamTick(NOW, est2, BASE, 14, ringing));
  const held = decideTick(teamTick(NOW, est2, on, 14, ringing));
  const a0 = plain.trace.figures.expectedAnswers as number;
  const a1 = held.trace.figures.expectedAnswers as number;
  t.ok(a1 < a0, `answers ahead ${a1} < ${a0}`);
  t.ok(a1 > 0.6 * a0, 'but most still hold their agent (the short talks are a fifth, and late answers have no time)');
  t.ok((held.trace.figures.modelCalls as number) >= (plain.trace.figures.modelCalls as number), 'no fewer calls');
  t.ok(
    (held.trace.figures.lastCallAbandonChance as number) <= (plain.trace.figures.lastCallAbandonChance as number) + 1e-9 ||
      (held.trace.figures.modelCalls as number) > (plain.trace.figures.modelCalls as number),
    'the same calls carry less risk, or more calls fit',
  );
  // A small team takes the exact tail (count-tail.ts): the held answers reach it too.
  const small = (m: PredictiveMode) => {
    const input = teamTick(NOW, est2, m, 14, ringing);
    return decideTick({ ...input, agents: input.agents.slice(0, 5) });
  };
  t.ok((small(on).trace.figures.expectedAnswers as number) < (small(BASE).trace.figures.expectedAnswers as number), 'exact path');
  t.ok((small(on).trace.figures.modelCalls as number) >= (small(BASE).trace.figures.modelCalls as number));
});
