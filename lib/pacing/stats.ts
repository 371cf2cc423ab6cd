/** Small numeric helpers for the predictive model (normal and log-normal laws). */

const INV_SQRT_2PI = 0.3989422804014327;

/** Standard normal density. */
export function normPdf(z: number): number {
  return INV_SQRT_2PI * Math.exp(-0.5 * z * z);
}

/** Standard normal distribution function (Abramowitz & Stegun 7.1.26 on erf; |error| < 1.5e-7). */
export function normCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
  return z >= 0 ? 0.5 * (1 + y) : 0.5 * (1 - y);
}

/**
 * E[max(X, 0)] for X ~ Normal(mean, sd²): the expected shortfall of agents
 * (live answers that find nobody) when demand minus supply is X.
 */
export function expectedPositivePart(mean: number, sd: number): number {
  if (sd <= 1e-9) return Math.max(mean, 0);
  const z = mean / sd;
  return sd * normPdf(z) + mean * normCdf(z);
}

/** A log-normal law fitted by moments; call and wrap-up durations are commonly modelled so. */
export interface LogNormal {
  mu: number;
  sigma: number;
  mean: number;
}

export function logNormalFromMoments(mean: number, sd: number): LogNormal {
  const m = Math.max(mean, 1e-6);
  const cv2 = Math.max((sd * sd) / (m * m), 1e-4);
  const sigma2 = Math.log(1 + cv2);
  return { mu: Math.log(m) - sigma2 / 2, sigma: Math.sqrt(sigma2), mean: m };
}

export function logNormalCdf(d: LogNormal, x: number): number {
  if (x <= 0) return 0;
  return normCdf((Math.log(x) - d.mu) / d.sigma);
}

/** Quantile points at probabilities 1/6, 1/2, 5/6 (equal-weight three-point quadrature). */
export function logNormalTerciles(d: LogNormal): [number, number, number] {
  const z = 0.9674215661017008; // Φ⁻¹(5/6)
  return [Math.exp(d.mu - d.sigma * z), Math.exp(d.mu), Math.exp(d.mu + d.sigma * z)];
}

/**
 * P(done within `within` | still going after `elapsed`) for a duration law `d`.
 * Past the law's far tail (nothing left to condition on) the remainder is taken
 * as exponential with the law's mean.
 */
export function finishWithin(d: LogNormal, elapsed: number, within: number): number {
  if (within <= 0) return 0;
  const survive = 1 - logNormalCdf(d, elapsed);
  if (survive < 1e-9) return 1 - Math.exp(-within / d.mean);
  const p = (logNormalCdf(d, elapsed + within) - logNormalCdf(d, elapsed)) / survive;
  return Math.min(1, Math.max(0, p));
}
