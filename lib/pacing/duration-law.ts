/**
 * Duration laws for agents' talk and wrap-up times: when does an agent who has
 * been talking for `elapsed` come free?
 *
 * Real talk times are no textbook law: a share of quick hang-ups (a machine put
 * through by mistake, a wrong person) on top of the conversations, and each
 * centre has its own shape. A log-normal fitted by moments keeps the mean and
 * spread but not that shape, and the shape is what decides the chance that a
 * call 150 s old ends in the next 20 s. So once enough talks have ended the law
 * is read from the data itself: a life table (actuarial Kaplan–Meier) over
 * geometric bins, with the talks still going as right-censored observations
 * (early in a shift only the short talks have ended). Within a bin the hazard is
 * constant; past the longest ended talk the remainder is memoryless with the
 * censoring-corrected mean (an exponential MLE), since the data say nothing of
 * it. Thin data fall back to the log-normal.
 */
import { finishWithin as logNormalFinishWithin, logNormalFromMoments, logNormalTerciles, type LogNormal } from './stats';

/** Bin edges: geometric from 1 s to 4 h, 10 % wide; shorter durations fall in bin 0, longer in the last. */
const FIRST_EDGE_MS = 1000;
const RATIO = 1.1;
export const DURATION_BINS = Math.ceil(Math.log((4 * 3600_000) / FIRST_EDGE_MS) / Math.log(RATIO)) + 1;
/** Ended durations below which the law is the log-normal fit, not the life table. */
export const MIN_EMPIRICAL_SAMPLES = 40;

/** Lower edge of bin `i` (ms): bin 0 starts at 0, bin i ≥ 1 at FIRST_EDGE·RATIO^(i−1). */
export function binLowerMs(i: number): number {
  return i <= 0 ? 0 : FIRST_EDGE_MS * RATIO ** (i - 1);
}

/**
 * Classes of the talk a wrap-up followed (upper edges, ms; the last class is open): geometric, ×2 from 5 s. A
 * wrap-up is not independent of its talk — a machine put through by mistake is hung up on within seconds and needs
 * almost no wrap-up, a conversation a full one — so the wrap-up law is kept per class of the talk before it.
 */
export const TALK_CLASS_EDGES_MS: readonly number[] = Object.freeze([5_000, 10_000, 20_000, 40_000, 80_000, 160_000, 320_000]);
export const TALK_CLASSES = TALK_CLASS_EDGES_MS.length + 1;

/** The class of a talk of `ms`. */
export function talkClass(ms: number): number {
  let c = 0;
  while (c < TALK_CLASS_EDGES_MS.length && ms >= TALK_CLASS_EDGES_MS[c]) c++;
  return c;
}

/** Lower and upper edge (ms) of talk class `c` (the last is open: Infinity). */
export function talkClassRange(c: number): [number, number] {
  return [c === 0 ? 0 : TALK_CLASS_EDGES_MS[c - 1], c < TALK_CLASS_EDGES_MS.length ? TALK_CLASS_EDGES_MS[c] : Infinity];
}

/**
 * Quantile points at 1/6, 1/2, 5/6 of the durations counted in `counts` (per duration bin, no censoring: the
 * wrap-ups after one class of talk), linear within a bin. Undefined when fewer than `min` were counted.
 */
export function histogramTerciles(counts: readonly number[], min: number): [number, number, number] | undefined {
  let n = 0;
  for (const c of counts) n += c;
  if (n < min || n <= 0) return undefined;
  const q = (p: number): number => {
    const target = p * n;
    let acc = 0;
    for (let i = 0; i < counts.length; i++) {
      const c = counts[i] ?? 0;
      if (c > 0 && acc + c >= target) {
        const lo = binLowerMs(i);
        const hi = binLowerMs(i + 1);
        return lo + ((target - acc) / c) * (hi - lo);
      }
      acc += c;
    }
    return binLowerMs(counts.length);
  };
  return [q(1 / 6), q(1 / 2), q(5 / 6)];
}

/** The bin a duration of `ms` falls in. */
export function durationBin(ms: number): number {
  if (!(ms >= FIRST_EDGE_MS)) return 0;
  return Math.min(DURATION_BINS - 1, 1 + Math.floor(Math.log(ms / FIRST_EDGE_MS) / Math.log(RATIO)));
}

export interface DurationLaw {
  /** Mean duration (ms), censoring-corrected for the empirical law. */
  readonly mean: number;
  /** P(done within `within` ms | still going after `elapsed` ms). */
  finishWithin(elapsed: number, within: number): number;
  /** Quantiles at 1/6, 1/2, 5/6: an equal-weight three-point quadrature of the law. */
  terciles(): [number, number, number];
  readonly kind: 'log-normal' | 'empirical';
}

export function logNormalLaw(meanMs: number, sdMs: number): DurationLaw {
  const d: LogNormal = logNormalFromMoments(meanMs, sdMs);
  return {
    kind: 'log-normal',
    mean: d.mean,
    finishWithin: (elapsed, within) => logNormalFinishWithin(d, elapsed, within),
    terciles: () => logNormalTerciles(d),
  };
}

/**
 * The life-table law from `counts` (ended durations per bin) and the elapsed
 * times of those still going. Undefined when fewer than MIN_EMPIRICAL_SAMPLES ended.
 */
export function empiricalLaw(counts: readonly number[], censoredMs: readonly number[]): DurationLaw | undefined {
  const n = DURATION_BINS;
  let ended = 0;
  for (let i = 0; i < n; i++) ended += counts[i] ?? 0;
  if (ended < MIN_EMPIRICAL_SAMPLES) return undefined;
  const censored = new Array<number>(n).fill(0);
  let exposure = 0;
  for (const c of censoredMs) {
    censored[durationBin(c)]++;
    exposure += Math.max(0, c);
  }
  for (let i = 0; i < n; i++) exposure += (counts[i] ?? 0) * midMs(i);
  const mean = exposure / ended;
  // s[i] = S(lower edge of bin i); h[i] = hazard over bin i.
  const s = new Float64Array(n + 1);
  const h = new Float64Array(n);
  let atRisk = ended + censoredMs.length;
  let last = -1;
  s[0] = 1;
  for (let i = 0; i < n; i++) {
    const d = counts[i] ?? 0;
    const r = atRisk - censored[i] / 2;
    h[i] = r > 0 ? Math.min(1, d / r) : 0;
    if (d > 0) last = i;
    s[i + 1] = s[i] * (1 - h[i]);
    atRisk -= d + censored[i];
  }
  const tailFrom = binLowerMs(last + 1);
  const survival = (t: number): number => {
    if (t <= 0) return 1;
    if (t >= tailFrom) return s[last + 1] * Math.exp(-(t - tailFrom) / mean);
    const i = durationBin(t);
    const lo = binLowerMs(i);
    const width = binLowerMs(i + 1) - lo;
    return s[i] * (1 - h[i]) ** ((t - lo) / width);
  };
  const quantile = (q: number): number => {
    // S(t) = 1 − q, by bisection on the monotone survival.
    let lo = 0;
    let hi = tailFrom + mean * 20;
    for (let k = 0; k < 50; k++) {
      const mid = (lo + hi) / 2;
      if (1 - survival(mid) < q) lo = mid;
      else hi = mid;
    }
    return (lo + hi) / 2;
  };
  return {
    kind: 'empirical',
    mean,
    finishWithin(elapsed, within) {
      if (within <= 0) return 0;
      const se = survival(Math.max(0, elapsed));
      if (se < 1e-9) return 1 - Math.exp(-within / mean);
      return Math.min(1, Math.max(0, 1 - survival(Math.max(0, elapsed) + within) / se));
    },
    terciles: () => [quantile(1 / 6), quantile(1 / 2), quantile(5 / 6)],
  };
}

/** A bin's representative duration: the geometric middle (bin 0: half its width). */
function midMs(i: number): number {
  return i === 0 ? FIRST_EDGE_MS / 2 : binLowerMs(i) * Math.sqrt(RATIO);
}
