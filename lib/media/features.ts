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
  /**
   * The line's noise floor as a frame's energy: the lowest 60 ms mean frame energy of the last noise window
   * (FeatureExtractor's `noiseWindowFrames`; a cadence's off segments, the quiet before a tone). 0 when off.
   */
  noiseEnergy: number;
  /** Sum of squares of the first difference (spectral tilt, for fingerprints). */
  diffEnergy: number;
  /** Dominant frequency from interpolated zero crossings; 0 when there are too few. */
  freqHz: number;
  /** Share (0…1) of the frame energy at freqHz: 1 for a pure tone. */
  purity: number;
  /** Share of the frame energy at each fixed bin (same order as the bank's frequencies). */
  bins: Float64Array;
  /**
   * Each fixed bin's frequency offset, Hz: how far the energy at that bin sits from the bin's frequency,
   * from the phase turn between the frame's two halves (±50 Hz unambiguous; the bin's main lobe is as wide).
   * Measured in the bin's own narrow band, so broadband noise barely moves it, unlike zero crossings.
   */
  binOffsetHz: Float64Array;
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
  /** Per bin (8 slots): 2 cos ω, cos ω, sin ω, then cos and sin of ω(N/2 − 1) and of ω(N − 1). */
  private readonly g: Float64Array;
  /** The last noiseWindowFrames 60 ms mean frame energies (a ring), and the last three frames' energies. */
  private readonly floorRing: Float64Array;
  private floorK = 0;
  private floorN = 0;
  private readonly last3 = [0, 0, 0];
  private frames = 0;

  constructor(
    readonly binFreqs: readonly number[] = [],
    noiseWindowFrames = 0,
  ) {
    this.floorRing = new Float64Array(Math.max(0, Math.round(noiseWindowFrames)));
    const n = FRAME_SAMPLES;
    this.g = new Float64Array(binFreqs.length * 8);
    binFreqs.forEach((f, b) => {
      const w = (2 * Math.PI * f) / SAMPLE_RATE;
      this.g.set(
        [
          2 * Math.cos(w),
          Math.cos(w),
          Math.sin(w),
          Math.cos(w * (n / 2 - 1)),
          Math.sin(w * (n / 2 - 1)),
          Math.cos(w * (n - 1)),
          Math.sin(w * (n - 1)),
        ],
        b * 8,
      );
    });
    this.out = {
      meanAbs: 0,
      energy: 0,
      noiseEnergy: 0,
      diffEnergy: 0,
      freqHz: 0,
      purity: 0,
      bins: new Float64Array(binFreqs.length),
      binOffsetHz: new Float64Array(binFreqs.length),
      harmonicShare: 0,
    };
  }

  /** The lowest 60 ms mean frame energy of the window (0 when the window is off or before 60 ms). */
  private floor(e: number): number {
    const ring = this.floorRing;
    if (!ring.length) return 0;
    const l = this.last3;
    l[this.frames % 3] = e;
    this.frames++;
    if (this.frames < 3) return 0;
    ring[this.floorK] = (l[0]! + l[1]! + l[2]!) / 3;
    this.floorK = (this.floorK + 1) % ring.length;
    if (this.floorN < ring.length) this.floorN++;
    let m = Infinity;
    for (let i = 0; i < this.floorN; i++) if (ring[i]! < m) m = ring[i]!;
    return m;
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
    o.noiseEnergy = this.floor(energy);
    o.diffEnergy = diffE;
    o.freqHz = crossings >= 3 && last > first ? ((crossings - 1) / 2 / (last - first)) * SAMPLE_RATE : 0;
    o.purity = o.freqHz > 0 ? Math.min(1, goertzelShare(x, o.freqHz, energy)) : 0;
    let h = 0;
    if (o.purity >= HARMONIC_MIN_PURITY)
      for (const r of HARMONIC_RATIOS) if (o.freqHz * r < NYQUIST_MARGIN_HZ) h += goertzelShare(x, o.freqHz * r, energy);
    o.harmonicShare = h;
    const bins = o.bins;
    const half = n >> 1;
    const g = this.g;
    for (let b = 0; b < bins.length; b++) {
      // Goertzel at the bin's frequency, read out at half and full frame: X1 (the first half's DFT) and X (the
      // whole frame's, the Goertzel power); X − X1 is the second half's. The phase turn from X1 to X2 is the
      // energy's offset from the bin.
      const c = g[b * 8]!;
      let s1 = 0;
      let s2 = 0;
      for (let i = 0; i < half; i++) {
        const s0 = x[i]! + c * s1 - s2;
        s2 = s1;
        s1 = s0;
      }
      // y = s1 − e^{−jω} s2 = e^{jω(N−1)} · X over the first N samples.
      let yr = s1 - g[b * 8 + 1]! * s2;
      let yi = g[b * 8 + 2]! * s2;
      const r1 = yr * g[b * 8 + 3]! + yi * g[b * 8 + 4]!;
      const i1 = yi * g[b * 8 + 3]! - yr * g[b * 8 + 4]!;
      for (let i = half; i < n; i++) {
        const s0 = x[i]! + c * s1 - s2;
        s2 = s1;
        s1 = s0;
      }
      yr = s1 - g[b * 8 + 1]! * s2;
      yi = g[b * 8 + 2]! * s2;
      const re = yr * g[b * 8 + 5]! + yi * g[b * 8 + 6]!;
      const im = yi * g[b * 8 + 5]! - yr * g[b * 8 + 6]!;
      bins[b] = energy > 0 ? (2 * (re * re + im * im)) / (n * energy) : 0;
      const r2 = re - r1;
      const i2 = im - i1;
      // arg(X2 · conj X1) = 2π · offset · half / rate.
      const turn = Math.atan2(i2 * r1 - r2 * i1, r2 * r1 + i2 * i1);
      o.binOffsetHz[b] = (turn * SAMPLE_RATE) / (2 * Math.PI * half);
    }
    return o;
  }
}

export const FRAME_LEN = FRAME_SAMPLES;
