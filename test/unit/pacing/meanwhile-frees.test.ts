/**
 * Round twenty-seven (README, pacing): `meanwhileFromFrees`, the calls-meanwhile term from the tick's own free-time
 * forecast (each agent forecast to come free draws one live answer a live ring later) in place of the flat rate λ·p.
 * Off by default; tested at its edges: the mass against worked examples (a steady free rate gives the flat term's
 * integral), the decision's default, and the state it depends on (agents about to come free: more answers ahead than
 * agents who have just started talking, where the flat term gives both the same).
 */
import t from 'tap';
import { MODEL_COUNT_BASE, standardHistory } from '../../helpers/pacing-history';
import { decideTick, predictiveParams, type AgentSnapshot, type PredictiveMode, type TickInput } from '../../../lib/pacing';
import { meanwhileFromFreesMass } from '../../../lib/pacing/predictive';

const NOW = 10 * 3600_000;
/** A live ring law uniform over 0–20 s. */
const F = (ms: number) => Math.min(1, Math.max(0, ms / 20_000));

t.test('meanwhileFromFreesMass: a steady free rate gives r·∫₀ˣ F; no frees nothing; frees late in the step count less', async (t) => {
  const H = 24_000;
  // 12 steps of 2 s, one agent free per 2 s (0.5 per s): at x = 16 s, 0.5 · ∫₀¹⁶ F = 0.5 · 6.4 = 3.2 (the grid's middles
  // are exact for a linear F).
  const steady = Array.from({ length: 13 }, (_, i) => i);
  t.ok(Math.abs(meanwhileFromFreesMass(steady, H, 16_000, F) - 3.2) < 1e-9, `${meanwhileFromFreesMass(steady, H, 16_000, F)}`);
  // x inside a step: its part before x only (x = 3 s: steps 0–2 s and 2–3 s, F at 2 s and 0.5 s) = 1·0.1 + 0.5·0.025.
  t.ok(Math.abs(meanwhileFromFreesMass(steady, H, 3000, F) - (0.1 + 0.5 * 0.025)) < 1e-12);
  t.equal(meanwhileFromFreesMass(Array(13).fill(4), H, 16_000, F), 0, 'nobody comes free: no calls placed for anyone');
  t.equal(meanwhileFromFreesMass(steady, H, 0, F), 0, 'x = 0: nothing answered before it');
  // Three agents free in the first step, three in the sixth: the first are answered by 16 s with F(15 s), the others F(5 s).
  const early = [0, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3];
  const late = [0, 0, 0, 0, 0, 0, 3, 3, 3, 3, 3, 3, 3];
  t.ok(Math.abs(meanwhileFromFreesMass(early, H, 16_000, F) - 3 * 0.75) < 1e-12);
  t.ok(Math.abs(meanwhileFromFreesMass(late, H, 16_000, F) - 3 * 0.25) < 1e-12);
});

/** 20 agents: 14 in the state given (since `ago` ms), 6 ready; four calls ringing. */
function tick(mode: PredictiveMode, state: AgentSnapshot['state'], ago: number, resolvedPerMs?: number): TickInput {
  const est = standardHistory(NOW);
  const agents: AgentSnapshot[] = [
    ...Array.from({ length: 6 }, () => ({ state: 'ready' as const, since: NOW - 1000 })),
    ...Array.from({ length: 14 }, () => ({ state, since: NOW - ago })),
  ];
  return {
    now: NOW,
    mode,
    agents,
    calls: { ringing: [NOW - 2000, NOW - 5000, NOW - 9000, NOW - 12_000], queued: [], connected: 14 },
    caps: { maxSimultaneousCalls: 0 },
    estimates: resolvedPerMs === undefined ? est : { ...est, resolvedPerMs },
  };
}

t.test('meanwhileFromFrees in the decision: off by default; answers ahead follow the agents coming free', async (t) => {
  t.equal(predictiveParams({ kind: 'predictive' }).meanwhileFromFrees, false, 'off by default');
  t.throws(() => predictiveParams({ kind: 'predictive', meanwhileFromFrees: true, meanwhileBySupply: true }), RangeError);
  t.throws(() => predictiveParams({ kind: 'predictive', meanwhileFromFrees: true, refreeAhead: true }), RangeError);
  const on: PredictiveMode = { ...MODEL_COUNT_BASE, meanwhileFromFrees: true };
  const today = decideTick(tick(MODEL_COUNT_BASE, 'wrapup', 25_000));
  t.same(decideTick(tick({ ...MODEL_COUNT_BASE, meanwhileFromFrees: false }, 'wrapup', 25_000)), today, 'false: identical');
  // The flat term adds the same answers whatever the agents do: 14 wrapping up for 25 s (wrap-ups 10–30 s: most free
  // within the horizon) or 14 who started talking 1 s ago (talks 72 s and more: none free within it).
  const flatAbout = today.trace.figures.expectedAnswers as number;
  const flatFresh = decideTick(tick(MODEL_COUNT_BASE, 'talking', 1000)).trace.figures.expectedAnswers as number;
  t.equal(flatAbout, flatFresh, 'flat: the same answers ahead');
  const about = decideTick(tick(on, 'wrapup', 25_000));
  const fresh = decideTick(tick(on, 'talking', 1000));
  const aAbout = about.trace.figures.expectedAnswers as number;
  const aFresh = fresh.trace.figures.expectedAnswers as number;
  t.ok((about.trace.figures.meanwhileFreesAhead as number) > 10, `${about.trace.figures.meanwhileFreesAhead} of 14 free ahead`);
  t.ok((fresh.trace.figures.meanwhileFreesAhead as number) < 0.01, 'none of those talking');
  t.ok(aAbout > aFresh + 3, `answers ahead ${aAbout} (agents about to free) > ${aFresh} (agents just on calls)`);
  t.ok(aFresh < flatFresh, 'no agent coming free: fewer answers ahead than the flat term');
  // Without a placement rate (no calls resolved, or the bench's oursNoMeanwhile) no term, as with λ = 0.
  const none = decideTick(tick(on, 'wrapup', 25_000, 0));
  t.equal(none.trace.figures.meanwhileFreesAhead, undefined);
  t.same(none.trace.figures.expectedAnswers, decideTick(tick(MODEL_COUNT_BASE, 'wrapup', 25_000, 0)).trace.figures.expectedAnswers);
  // A 5-agent team takes the exact tail (count-tail.ts): the term reaches it too.
  const small = (m: PredictiveMode, state: AgentSnapshot['state'], ago: number) => {
    const input = tick(m, state, ago);
    return decideTick({ ...input, agents: input.agents.slice(0, 1).concat(input.agents.slice(16)) });
  };
  t.ok(
    (small(on, 'wrapup', 25_000).trace.figures.expectedAnswers as number) >
      (small(on, 'talking', 1000).trace.figures.expectedAnswers as number),
    'exact path: more answers ahead where agents are about to free',
  );
});
