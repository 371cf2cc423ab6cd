/**
 * The shift guard on the spread of the abandons to come, not their mean.
 *
 * The abandon budget steers the window's mean rate toward the setpoint; a small team's abandons are few, so a shift
 * can still end over the cap by chance when little allowance is left. This guard asks, for the next horizon: with a
 * per-answer abandon risk r and E answers expected over the horizon, the abandons to come are about Poisson(r·E)
 * (× a dispersion factor for abandons that come in bursts); the window ends that horizon over the cap when
 * abandoned + N > cap·(live + E). It returns the largest r that keeps that chance within `chance` at each of a few
 * points of the horizon (a window may end at any time, and the allowance of an early point is smaller), so it binds
 * only when the allowance left is small against the spread of what is to come: early in a window (few answers yet)
 * and near the cap; with much allowance it allows more than the budget does and the budget decides.
 */

/** Points of the horizon (fractions) at which the window's rate is checked. */
const CHECK_POINTS = [0.25, 0.5, 1] as const;
/** Above this allowance (abandons) the Poisson quantile uses the normal approximation with continuity correction. */
const EXACT_MAX_ALLOWANCE = 100;

/** P(N ≤ k), N ~ Poisson(mu), k an integer ≥ 0 (summed terms; k is at most EXACT_MAX_ALLOWANCE here). */
export function poissonCdf(k: number, mu: number): number {
  if (k < 0) return 0;
  if (mu <= 0) return 1;
  let term = Math.exp(-mu);
  let sum = term;
  for (let i = 1; i <= k; i++) {
    term *= mu / i;
    sum += term;
  }
  return Math.min(1, sum);
}

/**
 * The largest mean μ for which a Poisson count exceeds `allowance` with chance at most `chance`:
 * P(N > allowance) = 1 − P(N ≤ ⌊allowance⌋) ≤ chance. 0 when the allowance is negative (over already, whatever comes).
 */
export function poissonMeanWithin(allowance: number, chance: number): number {
  if (!(chance > 0 && chance < 1)) throw new RangeError(`chance must be in (0, 1), got ${chance}`);
  if (!(allowance >= 0)) return 0;
  const k = Math.floor(allowance);
  if (k > EXACT_MAX_ALLOWANCE) {
    // μ + z·√μ = k + ½ (normal approximation, continuity-corrected): √μ = (−z + √(z² + 4(k + ½))) ÷ 2.
    const z = normQuantile(1 - chance);
    const r = (-z + Math.sqrt(z * z + 4 * (k + 0.5))) / 2;
    return Math.max(0, r * r);
  }
  if (k === 0) return -Math.log(1 - chance);
  // P(N ≤ k) falls as μ grows: bisect for P(N ≤ k) = 1 − chance.
  let lo = 0;
  let hi = k + 10 * Math.sqrt(k + 1) + 10;
  for (let i = 0; i < 60; i++) {
    const mid = (lo + hi) / 2;
    if (poissonCdf(k, mid) >= 1 - chance) lo = mid;
    else hi = mid;
  }
  return lo;
}

export interface SpreadGuardInput {
  /** Abandons and live answers in the window so far. */
  abandoned: number;
  live: number;
  /** Live answers expected over the guard's horizon. */
  expectedAnswers: number;
  /** The cap on the window's rate (fraction). */
  cap: number;
  /** The chance allowed that the window is over the cap at a point of the horizon. */
  chance: number;
  /** Abandons come in bursts of about this many (≥ 1; 1 = Poisson). */
  dispersion?: number;
  /** Check points before this fraction of the horizon are skipped (default: all of CHECK_POINTS; 1: the end only). */
  firstPoint?: number;
}

/**
 * The largest per-answer abandon risk that keeps P(the window's rate over `cap` at u·horizon) within `chance` at each
 * check point u, the abandons to come Poisson(r·E·u) in bursts of `dispersion`. 0 when the window is over already.
 */
export function spreadGuardRisk(g: SpreadGuardInput): number {
  const d = g.dispersion ?? 1;
  if (!(d >= 1)) throw new RangeError(`dispersion must be ≥ 1, got ${d}`);
  if (!(g.expectedAnswers > 0)) return 0;
  let r = Infinity;
  const first = g.firstPoint ?? CHECK_POINTS[0];
  for (const u of CHECK_POINTS) {
    if (u < first && u < 1) continue;
    const e = g.expectedAnswers * u;
    const allowance = g.cap * (g.live + e) - g.abandoned;
    // N = d·M, M ~ Poisson(μ/d): P(N > a) = P(M > a/d).
    const mu = d * poissonMeanWithin(allowance / d, g.chance);
    r = Math.min(r, mu / e);
  }
  return r;
}

/** Φ⁻¹(p) (Acklam's rational approximation; relative error < 1.2e-9 in the central region used here). */
export function normQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`p must be in (0, 1), got ${p}`);
  const a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const dd = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const lowP = 0.02425;
  if (p < lowP) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (
      (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((dd[0] * q + dd[1]) * q + dd[2]) * q + dd[3]) * q + 1)
    );
  }
  if (p > 1 - lowP) {
    const q = Math.sqrt(-2 * Math.log(1 - p));
    return (
      -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((dd[0] * q + dd[1]) * q + dd[2]) * q + dd[3]) * q + 1)
    );
  }
  const q = p - 0.5;
  const r = q * q;
  return (
    ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q) /
    (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)
  );
}
