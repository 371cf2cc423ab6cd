/**
 * Contours for announcement matching: per 20 ms frame, log energy and spectral
 * tilt (log of first-difference energy over energy). Both are logarithms, so
 * a level change is an additive constant that a correlation removes, and
 * G.711 quantisation barely moves them.
 *
 * A reference is kept at several playback rates ("stretches"): another
 * rendition of the same message, or the same recording replayed by another
 * switch, is often a few per cent faster or slower, which slides the frames
 * apart by several frames over a few seconds. A stretched contour is measured
 * directly on the recording, 160-sample frames taken every 160·s samples, so
 * frame j is what a rendition s times faster shows at its frame j.
 */
import { FRAME_SAMPLES } from './types';

/** Energy floor added before the logarithm, ≈ a mean |sample| of 25: quieter is "silence" alike. */
const ENERGY_FLOOR = 1e5;

/** The contour values of digital silence, used past the end of a reference. */
export const SILENCE_E = Math.log10(ENERGY_FLOOR);
export const SILENCE_T = 0;

/** Contour values of one frame. */
export function frameContour(energy: number, diffEnergy: number): [number, number] {
  return [Math.log10(energy + ENERGY_FLOOR), Math.log10((diffEnergy + ENERGY_FLOOR) / (energy + ENERGY_FLOOR))];
}

/** Two contours with prefix sums of values and squares (mean and variance of any span in O(1)). */
export interface Contour {
  e: Float64Array;
  t: Float64Array;
  pe: Float64Array;
  pe2: Float64Array;
  pt: Float64Array;
  pt2: Float64Array;
}

export function contourOf(e: Float64Array, t: Float64Array): Contour {
  return { e, t, pe: prefix(e, false), pe2: prefix(e, true), pt: prefix(t, false), pt2: prefix(t, true) };
}

function prefix(x: Float64Array, sq: boolean): Float64Array {
  const p = new Float64Array(x.length + 1);
  for (let i = 0; i < x.length; i++) p[i + 1] = p[i]! + (sq ? x[i]! * x[i]! : x[i]!);
  return p;
}

/**
 * Contours of `pcm` as a rendition `stretch` times faster would show them
 * (stretch 1: plain 20 ms frames). Energies as in FeatureExtractor: Σx² and
 * Σ(x[i]−x[i−1])² within the frame.
 */
export function measure(pcm: Int16Array, stretch = 1): Contour {
  const hop = FRAME_SAMPLES * stretch;
  const n = Math.max(0, Math.floor((pcm.length - FRAME_SAMPLES) / hop) + 1);
  const e = new Float64Array(n);
  const t = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    const start = Math.round(j * hop);
    let energy = 0;
    let diff = 0;
    let prev = pcm[start]!;
    for (let i = start; i < start + FRAME_SAMPLES; i++) {
      const s = pcm[i]!;
      energy += s * s;
      const d = s - prev;
      diff += d * d;
      prev = s;
    }
    [e[j], t[j]] = frameContour(energy, diff);
  }
  return contourOf(e, t);
}

/** Halves the frame rate by averaging pairs (for the coarse search). */
export function decimate(x: Float64Array): Float64Array {
  const out = new Float64Array(x.length >> 1);
  for (let i = 0; i < out.length; i++) out[i] = (x[2 * i]! + x[2 * i + 1]!) / 2;
  return out;
}
