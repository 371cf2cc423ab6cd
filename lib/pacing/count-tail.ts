/**
 * Exact tail of a difference of counts, for small teams where the normal
 * approximation of a Bernoulli sum is poor (5 agents, a dozen calls ringing:
 * the sums are 0–3, skewed, and a continuity-corrected normal misjudges the
 * chance of one more abandon in either direction).
 *
 *   X = fixed + Σ Bernoulli(demand_i) + Poisson(poissonMean) − Σ Bernoulli(supply_j)
 *
 * `differenceTail` returns a function of b ≥ 0: P(X + B ≥ 0) where
 * B ~ Binomial(n, c) is independent of X (the calls placed alongside).
 */

/** PMF of X as an array indexed from `offset` (pmf[i] = P(X = i − offset)). */
export interface Pmf {
  pmf: Float64Array;
  offset: number;
}

const POISSON_TAIL = 1e-12;

export function differencePmf(
  fixed: number,
  demand: readonly number[],
  poissonMean: number,
  supply: readonly number[],
  poissonShare = 1,
): Pmf {
  // Poisson truncated where its tail is negligible.
  const pois: number[] = [];
  let term = Math.exp(-poissonMean);
  let acc = 0;
  for (let k = 0; acc < 1 - POISSON_TAIL && k < 10_000; k++) {
    pois.push(term);
    acc += term;
    term *= poissonMean / (k + 1);
    if (poissonMean === 0) break;
  }
  // poissonShare < 1: the count keeps its mean with less spread, a mix of the Poisson (that share) and the least-spread
  // count with the same mean (the two integers around it); its variance is share·mean + (1 − share)·f(1 − f), f the
  // mean's fraction (predictive's meanwhileVariance).
  if (poissonShare < 1) {
    const lo = Math.floor(poissonMean);
    const f = poissonMean - lo;
    while (pois.length < lo + 2) pois.push(0);
    for (let k = 0; k < pois.length; k++) pois[k] = poissonShare * pois[k]!;
    pois[lo] = pois[lo]! + (1 - poissonShare) * (1 - f);
    pois[lo + 1] = pois[lo + 1]! + (1 - poissonShare) * f;
  }
  const size = supply.length + fixed + demand.length + pois.length;
  let pmf = new Float64Array(size + 1);
  const offset = supply.length;
  // Start: fixed + Poisson.
  for (let k = 0; k < pois.length; k++) pmf[offset + fixed + k] = pois[k]!;
  const step = (q: number, dir: 1 | -1) => {
    const next = new Float64Array(pmf.length);
    for (let i = 0; i < pmf.length; i++) {
      const v = pmf[i]!;
      if (v === 0) continue;
      next[i] += v * (1 - q);
      const j = i + dir;
      if (j >= 0 && j < pmf.length) next[j] += v * q;
    }
    pmf = next;
  };
  for (const q of demand) step(q, 1);
  for (const q of supply) step(q, -1);
  return { pmf, offset };
}

/** b ↦ P(X + Binomial(n, c) ≥ 0) for the X of `d`, n the calls placed alongside. */
export function tailWithBinomial(d: Pmf): (n: number, c: number) => number {
  // atLeast[i] = P(X ≥ i − offset)
  const atLeast = new Float64Array(d.pmf.length + 1);
  for (let i = d.pmf.length - 1; i >= 0; i--) atLeast[i] = atLeast[i + 1]! + d.pmf[i]!;
  const pGe = (v: number) => {
    const i = v + d.offset;
    if (i <= 0) return 1;
    if (i >= d.pmf.length) return 0;
    return atLeast[i]!;
  };
  return (n, c) => {
    // Σ_b P(B = b) · P(X ≥ −b)
    let pb = Math.pow(1 - c, n);
    let total = 0;
    for (let b = 0; b <= n; b++) {
      total += pb * pGe(-b);
      pb *= c < 1 ? ((n - b) / (b + 1)) * (c / (1 - c)) : 0;
    }
    return Math.min(1, total);
  };
}
