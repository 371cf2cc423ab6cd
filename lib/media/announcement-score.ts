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
  const len = n - a;
  const k = n - end;
  const sv = v - a;
  if (sv < minSpan) return -1;
  let dotV = 0;
  for (let i = a; i < v; i++) dotV += z[i]! * r[lag + i]!;
  let dot = dotV;
  for (let i = v; i < end; i++) dot += z[i]! * r[lag + i]!;
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

/** Best score over lags `from…to`, within the limits. */
export function bestLag(live: LiveWindow, ref: Contour, lim: LagLimits): { c: number; lag: number } {
  const first = Math.max(lim.from ?? -Infinity, -(live.n - Math.min(lim.minLength, live.n)));
  const last = Math.min(lim.to ?? Infinity, ref.e.length - Math.min(lim.coverTo, live.n));
  let best = { c: -1, lag: NaN };
  for (let lag = first; lag <= last; lag++) {
    const c = scoreAt(live, ref, lag, lim.coverTo, lim.minSpan);
    if (c > best.c) best = { c, lag };
  }
  return best;
}
