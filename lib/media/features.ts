/**
 * Per-frame measurements shared by every detector, computed once per 20 ms
 * frame without allocation: level, a zero-crossing frequency estimate, how
 * much of the energy sits at that frequency ("purity", a generalised Goertzel
 * at the estimate), and the energy share of a few fixed bins (dual tones).
 */
import { FRAME_SAMPLES, SAMPLE_RATE } from './types';

export interface FrameFeatures {
  /** Mean |sample| (16-bit linear), the level app_amd and Asterisk compare. */
  meanAbs: number;
  /** Sum of squares. */
  energy: number;
  /** Sum of squares of the first difference (spectral tilt, for fingerprints). */
  diffEnergy: number;
  /** Dominant frequency from interpolated zero crossings; 0 when there are too few. */
  freqHz: number;
  /** Share (0…1) of the frame energy at freqHz: 1 for a pure tone. */
  purity: number;
  /** Share of the frame energy at each fixed bin (same order as the bank's frequencies). */
  bins: Float64Array;
  /**
   * Share of the frame energy at freqHz's relatives a voice has and a generated tone lacks: half of it (a
   * voice's fundamental when freqHz is its strong second harmonic), 1.5× and 2× and 3× (harmonics). Only
   * measured on frames pure enough to be a tone (purity ≥ HARMONIC_MIN_PURITY), 0 elsewhere.
   */
  harmonicShare: number;
}

/** Frames purer than this get harmonicShare (the beep detector's candidates; tones.minPurity is higher). */
export const HARMONIC_MIN_PURITY = 0.5;
const HARMONIC_RATIOS = [0.5, 1.5, 2, 3];
const NYQUIST_MARGIN_HZ = 3900;

/** Goertzel power at `freq` of `x`, normalised so a pure tone at `freq` gives its energy. */
export function goertzelShare(x: Int16Array, freq: number, energy: number): number {
  if (energy <= 0) return 0;
  const w = (2 * Math.PI * freq) / SAMPLE_RATE;
  const coeff = 2 * Math.cos(w);
  let s1 = 0;
  let s2 = 0;
  for (let i = 0; i < x.length; i++) {
    const s0 = x[i]! + coeff * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  const power = s1 * s1 + s2 * s2 - coeff * s1 * s2;
  return (2 * power) / (x.length * energy);
}

export class FeatureExtractor {
  readonly out: FrameFeatures;
  private readonly coeffs: Float64Array;

  constructor(readonly binFreqs: readonly number[] = []) {
    this.coeffs = Float64Array.from(binFreqs, (f) => 2 * Math.cos((2 * Math.PI * f) / SAMPLE_RATE));
    this.out = { meanAbs: 0, energy: 0, diffEnergy: 0, freqHz: 0, purity: 0, bins: new Float64Array(binFreqs.length), harmonicShare: 0 };
  }

  compute(x: Int16Array): FrameFeatures {
    const o = this.out;
    const n = x.length;
    let abs = 0;
    let energy = 0;
    let diffE = 0;
    let prev = x[0]!;
    let crossings = 0;
    let first = -1;
    let last = -1;
    for (let i = 0; i < n; i++) {
      const s = x[i]!;
      abs += s < 0 ? -s : s;
      energy += s * s;
      if (i > 0) {
        const d = s - prev;
        diffE += d * d;
        // A sign change between i-1 and i: interpolate where the line crosses zero.
        if ((prev < 0 && s >= 0) || (prev >= 0 && s < 0)) {
          const pos = i - 1 + prev / (prev - s);
          if (first < 0) first = pos;
          last = pos;
          crossings++;
        }
      }
      prev = s;
    }
    o.meanAbs = abs / n;
    o.energy = energy;
    o.diffEnergy = diffE;
    o.freqHz = crossings >= 3 && last > first ? ((crossings - 1) / 2 / (last - first)) * SAMPLE_RATE : 0;
    o.purity = o.freqHz > 0 ? Math.min(1, goertzelShare(x, o.freqHz, energy)) : 0;
    let h = 0;
    if (o.purity >= HARMONIC_MIN_PURITY)
      for (const r of HARMONIC_RATIOS) if (o.freqHz * r < NYQUIST_MARGIN_HZ) h += goertzelShare(x, o.freqHz * r, energy);
    o.harmonicShare = h;
    const bins = o.bins;
    for (let b = 0; b < this.coeffs.length; b++) {
      const c = this.coeffs[b]!;
      let s1 = 0;
      let s2 = 0;
      for (let i = 0; i < n; i++) {
        const s0 = x[i]! + c * s1 - s2;
        s2 = s1;
        s1 = s0;
      }
      bins[b] = energy > 0 ? (2 * (s1 * s1 + s2 * s2 - c * s1 * s2)) / (n * energy) : 0;
    }
    return o;
  }
}

export const FRAME_LEN = FRAME_SAMPLES;
