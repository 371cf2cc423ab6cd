/**
 * Scoring a live window against one reference contour at one lag: Pearson
 * correlation of each contour, averaged over the two contours.
 *
 * The window may run past the end of the reference (the live call joined the
 * announcement late, or the announcement has ended): the reference is then
 * taken as digital silence there, and the score is the lower of
 * - the correlation over the whole window (the message must stop where the
 *   reference stops, so a longer message that merely starts alike scores low),
 * - the correlation over the live window's voiced span alone (the words must
 *   match too, not only the step from sound to silence, which any short
 *   utterance or tone burst shows).
 */
import { SILENCE_E, SILENCE_T, type Contour } from './announcement-contours';

/** A live window, z-scored (mean 0, variance 1), with prefix sums of z and z². */
export interface LiveWindow {
  n: number;
  ze: Float64Array;
  zt: Float64Array;
  pze: Float64Array;
  pze2: Float64Array;
  pzt: Float64Array;
  pzt2: Float64Array;
}

const EPS = 1e-9;

/** Null when either contour is flat (digital silence, a steady tone): nothing to correlate. */
export function liveWindow(e: Float64Array, t: Float64Array): LiveWindow | null {
  const ze = zscore(e);
  const zt = zscore(t);
  if (!ze || !zt) return null;
  return { n: e.length, ze, zt, pze: prefix(ze, false), pze2: prefix(ze, true), pzt: prefix(zt, false), pzt2: prefix(zt, true) };
}

function zscore(x: Float64Array): Float64Array | null {
  const n = x.length;
  let s = 0;
  let s2 = 0;
  for (let i = 0; i < n; i++) {
    s += x[i]!;
    s2 += x[i]! * x[i]!;
  }
  const mean = s / n;
  const v = s2 / n - mean * mean;
  if (!(v > EPS)) return null;
  const sd = Math.sqrt(v);
  return Float64Array.from(x, (y) => (y - mean) / sd);
}

function prefix(x: Float64Array, sq: boolean): Float64Array {
  const p = new Float64Array(x.length + 1);
  for (let i = 0; i < x.length; i++) p[i + 1] = p[i]! + (sq ? x[i]! * x[i]! : x[i]!);
  return p;
}

/**
 * One contour's score; −1 when a span is flat. The scored window is live
 * frames a…n−1 with a = max(0, −lag) (live audio before the reference starts
 * is another sound and is ignored); live frame i faces reference frame i+lag,
 * or silence (c0) past the reference's end. The score is the lower of the
 * correlation over that window and over its voiced span a…cover−1 alone.
 * z is an affine image of the live contour, so correlations over any span of
 * it equal those of the contour itself.
 */
function corr1(
  z: Float64Array,
  pz: Float64Array,
  pz2: Float64Array,
  r: Float64Array,
  pr: Float64Array,
  pr2: Float64Array,
  c0: number,
  lag: number,
  n: number,
  cover: number,
  minSpan: number,
): number {
  const a = Math.max(0, -lag);
  const end = Math.min(n, r.length - lag);
  const v = Math.min(cover, end);
  if (v - a < minSpan) return -1;
  let dotV = 0;
  for (let i = a; i < v; i++) dotV += z[i]! * r[lag + i]!;
  let dot = dotV;
  for (let i = v; i < end; i++) dot += z[i]! * r[lag + i]!;
  return corrOf(dotV, dot, pz, pz2, pr, pr2, c0, lag, n, a, end, v);
}

/**
 * corr1 from its two dot products: dotV over the voiced span a…v−1, dot over the whole overlap a…end−1 (the
 * live frames facing the reference; from `end` on they face silence, c0).
 */
function corrOf(
  dotV: number,
  dot: number,
  pz: Float64Array,
  pz2: Float64Array,
  pr: Float64Array,
  pr2: Float64Array,
  c0: number,
  lag: number,
  n: number,
  a: number,
  end: number,
  v: number,
): number {
  const len = n - a;
  const k = n - end;
  const sv = v - a;
  const so = pr[lag + end]! - pr[lag + a]!;
  const so2 = pr2[lag + end]! - pr2[lag + a]!;
  const zAll = pz[n]! - pz[a]!;
  const zAll2 = pz2[n]! - pz2[a]!;
  const zo = pz[end]! - pz[a]!;
  const sr = so + k * c0;
  const vr = so2 + k * c0 * c0 - (sr * sr) / len;
  const vz = zAll2 - (zAll * zAll) / len;
  if (!(vr > EPS) || !(vz > EPS)) return -1;
  const full = (dot + c0 * (zAll - zo) - (zAll * sr) / len) / Math.sqrt(vz * vr);
  // The voiced span alone: the words must match, not only where speech stops.
  const zv = pz[v]! - pz[a]!;
  const zv2 = pz2[v]! - pz2[a]!;
  const rv = pr[lag + v]! - pr[lag + a]!;
  const rv2 = pr2[lag + v]! - pr2[lag + a]!;
  const vzv = zv2 - (zv * zv) / sv;
  const vrv = rv2 - (rv * rv) / sv;
  if (!(vzv > EPS) || !(vrv > EPS)) return -1;
  const voiced = (dotV - (zv * rv) / sv) / Math.sqrt(vzv * vrv);
  return Math.min(full, voiced);
}

/**
 * Score of `live` against `ref` with live frame i facing reference frame
 * i + lag; frames from `cover` on are silent; −1 when fewer than `minSpan`
 * voiced frames are scored.
 */
export function scoreAt(live: LiveWindow, ref: Contour, lag: number, cover = live.n, minSpan = 1): number {
  const ce = corr1(live.ze, live.pze, live.pze2, ref.e, ref.pe, ref.pe2, SILENCE_E, lag, live.n, cover, minSpan);
  const ct = corr1(live.zt, live.pzt, live.pzt2, ref.t, ref.pt, ref.pt2, SILENCE_T, lag, live.n, cover, minSpan);
  return (ce + ct) / 2;
}

export interface LagLimits {
  /** Live frames from coverTo on are silent; those before (that are scored) must lie inside the reference. */
  coverTo: number;
  /** A window starting after live frame 0 (negative lag) keeps at least this many frames. */
  minLength: number;
  /** Voiced frames that must be scored. */
  minSpan: number;
  from?: number;
  to?: number;
}

/** Lags scored per pass over the live window (scoreBlock). */
const BLOCK = 4;

/** Best score over lags `from…to`, within the limits (the first of equal bests). */
export function bestLag(live: LiveWindow, ref: Contour, lim: LagLimits): { c: number; lag: number } {
  const first = Math.max(lim.from ?? -Infinity, -(live.n - Math.min(lim.minLength, live.n)));
  const last = Math.min(lim.to ?? Infinity, ref.e.length - Math.min(lim.coverTo, live.n));
  let best = { c: -1, lag: NaN };
  const s = new Float64Array(BLOCK);
  const acc = new Float64Array(2 * BLOCK);
  let lag = first;
  for (; lag + BLOCK - 1 <= last; lag += BLOCK) {
    scoreBlock(live, ref, lag, lim.coverTo, lim.minSpan, s, acc);
    for (let j = 0; j < BLOCK; j++) if (s[j]! > best.c) best = { c: s[j]!, lag: lag + j };
  }
  for (; lag <= last; lag++) {
    const c = scoreAt(live, ref, lag, lim.coverTo, lim.minSpan);
    if (c > best.c) best = { c, lag };
  }
  return best;
}

/**
 * scoreAt for lags lag…lag+3 into out[0…3], bit for bit: the eight dot products (two contours × four lags) run
 * side by side over the span all four share, each summed in the same order as alone (a dot product is a chain of
 * dependent additions, so one at a time leaves the CPU waiting on each). Lag j's overlap starts at a_j and ends at
 * end_j; both fall as j grows, so the shared span is a_0…v_3, and each lag adds its own few frames before and after.
 */
export function scoreBlock(
  live: LiveWindow,
  ref: Contour,
  lag: number,
  cover: number,
  minSpan: number,
  out: Float64Array,
  acc = new Float64Array(2 * BLOCK),
): void {
  const n = live.n;
  const R = ref.e.length;
  const A = Math.max(0, -lag);
  const V = Math.min(cover, n, R - lag - 3);
  if (V - A < 1) {
    for (let j = 0; j < 4; j++) out[j] = scoreAt(live, ref, lag + j, cover, minSpan);
    return;
  }
  const { ze, zt } = live;
  const re = ref.e;
  const rt = ref.t;
  acc.fill(0); // the e sums of lags 0…3, then their t sums
  // Each lag's frames before the shared span: a negative lag's overlap starts at −lag, so the later lags start earlier.
  for (let j = 1; j < 4; j++)
    for (let i = Math.max(0, -lag - j); i < A; i++) {
      acc[j] = acc[j]! + ze[i]! * re[lag + j + i]!;
      acc[4 + j] = acc[4 + j]! + zt[i]! * rt[lag + j + i]!;
    }
  let e0 = acc[0]!;
  let e1 = acc[1]!;
  let e2 = acc[2]!;
  let e3 = acc[3]!;
  let t0 = acc[4]!;
  let t1 = acc[5]!;
  let t2 = acc[6]!;
  let t3 = acc[7]!;
  for (let i = A; i < V; i++) {
    const z = ze[i]!;
    const y = zt[i]!;
    const k = lag + i;
    e0 += z * re[k]!;
    e1 += z * re[k + 1]!;
    e2 += z * re[k + 2]!;
    e3 += z * re[k + 3]!;
    t0 += y * rt[k]!;
    t1 += y * rt[k + 1]!;
    t2 += y * rt[k + 2]!;
    t3 += y * rt[k + 3]!;
  }
  acc[0] = e0;
  acc[1] = e1;
  acc[2] = e2;
  acc[3] = e3;
  acc[4] = t0;
  acc[5] = t1;
  acc[6] = t2;
  acc[7] = t3;
  for (let j = 0; j < 4; j++) {
    const l = lag + j;
    const a = Math.max(0, -l);
    const end = Math.min(n, R - l);
    const v = Math.min(cover, end);
    if (v - a < minSpan) {
      out[j] = -1;
      continue;
    }
    // The rest of lag j's voiced span, then the rest of its overlap.
    let de = acc[j]!;
    let dt = acc[4 + j]!;
    for (let i = V; i < v; i++) {
      de += ze[i]! * re[l + i]!;
      dt += zt[i]! * rt[l + i]!;
    }
    const deV = de;
    const dtV = dt;
    for (let i = v; i < end; i++) {
      de += ze[i]! * re[l + i]!;
      dt += zt[i]! * rt[l + i]!;
    }
    const ce = corrOf(deV, de, live.pze, live.pze2, ref.pe, ref.pe2, SILENCE_E, l, n, a, end, v);
    const ct = corrOf(dtV, dt, live.pzt, live.pzt2, ref.pt, ref.pt2, SILENCE_T, l, n, a, end, v);
    out[j] = (ce + ct) / 2;
  }
}
