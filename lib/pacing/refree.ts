/**
 * Answers ahead whose agent comes free again in time (predictive's `refreeAhead`, round twenty-two, README).
 *
 * The model counts each agent at most once in the supply: free now, or free once its talk and wrap-up end. An answer
 * that comes before the new call's takes an agent; if that talk and its wrap-up are over by the new call's deadline,
 * the same agent is free for it again. Calls whose talk is a few seconds (a machine the detector took for a person,
 * hung up on at once; a wrong number) are what make this happen, and the talk law learnt from the data holds them.
 * Traced in the simulator at a fixed threshold (round twenty-two): 0.05 re-freed agents per live call on the standard
 * scenario, 0.29 at 20 agents and 10 % live, where 14 % of the answers that need an agent are machines; the answers ahead
 * that came free again took away 12 of 89 and 91 of 186 of the cases where the answers ahead reached the agents free.
 *
 * So each answer ahead counts as demand only when its agent is not free again by then: an answer at u before the new
 * call's answer at x holds its agent past x + threshold with chance 1 − h(x + threshold − u), h(y) the chance that a
 * talk starting now and its wrap-up are over within y. The functions return the expected answers ahead that still hold
 * an agent, on the same steps as the plain terms.
 */

/** F(y) of a fresh talk and its wrap-up (from the model's laws), memoised on a grid of `stepMs`. */
export function freshHandleCdf(h: (yMs: number) => number, stepMs: number): (yMs: number) => number {
  const memo = new Map<number, number>();
  return (y) => {
    if (!(y > 0)) return 0;
    const k = Math.round(y / stepMs);
    let v = memo.get(k);
    if (v === undefined) memo.set(k, (v = Math.min(1, Math.max(0, h(k * stepMs)))));
    return v;
  };
}

/**
 * Σ over steps u in (0, x) of [F(a + u + du) − F(a + u)] · (1 − h(x + threshold − u)): the part of a call's chance to be
 * answered by x (from ring age a, F the live ring law, not yet divided by the call's chance to be still ringing) whose
 * agent is still busy at x + threshold. With h ≡ 0 it is F(a + x) − F(a).
 */
export function heldAnswerMass(
  F: (ms: number) => number,
  a: number,
  x: number,
  thresholdMs: number,
  h: (yMs: number) => number,
  stepMs: number,
): number {
  let acc = 0;
  for (let u = 0; u < x; u += stepMs) {
    const hi = Math.min(x, u + stepMs);
    acc += (F(a + hi) - F(a + u)) * (1 - h(x + thresholdMs - (u + hi) / 2));
  }
  return acc;
}

/**
 * ∫₀ˣ F(v) · (1 − h(x + threshold − v)) dv in steps of `stepMs` (midpoints): the calls placed meanwhile at a unit rate
 * whose live answer comes by x (at v, F(v) of them answered by then) and whose agent is still busy at x + threshold.
 * With h ≡ 0 it is predictive's ∫₀ˣ F (the same steps).
 */
export function heldMeanwhileMass(
  F: (ms: number) => number,
  x: number,
  thresholdMs: number,
  h: (yMs: number) => number,
  stepMs: number,
): number {
  let acc = 0;
  for (let v = stepMs / 2; v < x; v += stepMs) acc += F(v) * (1 - h(x + thresholdMs - v)) * Math.min(stepMs, x - v + stepMs / 2);
  return acc;
}
