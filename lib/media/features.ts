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
  /** X1 (re, im) of the four bins in a pass. */
  private readonly half1 = new Float64Array(8);
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
    // Four bins per pass over the samples: each Goertzel recurrence is a chain of dependent operations, so one
    // bin at a time leaves the CPU waiting on each step; four independent chains run side by side (the same
    // arithmetic, in the same order, per bin: the results are bit for bit those of one bin at a time; 11 bins:
    // 9.7 → 6.3 µs a frame).
    const top = bins.length - 1;
    for (let b = 0; b <= top; b += 4) this.binQuad(x, energy, b, Math.min(b + 1, top), Math.min(b + 2, top), Math.min(b + 3, top));
    return o;
  }

  /**
   * Goertzel at bins `p`, `q`, `u`, `v` (repeats allowed), read out at half and full frame: X1 (the first half's
   * DFT) and X (the whole frame's, the Goertzel power); X − X1 is the second half's. The phase turn from X1 to X2
   * is the energy's offset from the bin.
   */
  private binQuad(x: Int16Array, energy: number, p: number, q: number, u: number, v: number): void {
    const n = x.length;
    const half = n >> 1;
    const g = this.g;
    const cp = g[p * 8]!;
    const cq = g[q * 8]!;
    const cu = g[u * 8]!;
    const cv = g[v * 8]!;
    let p1 = 0;
    let p2 = 0;
    let q1 = 0;
    let q2 = 0;
    let u1 = 0;
    let u2 = 0;
    let v1 = 0;
    let v2 = 0;
    const h = this.half1;
    for (let i = 0; i < n; i++) {
      if (i === half) {
        this.firstHalf(p, p1, p2, h, 0);
        this.firstHalf(q, q1, q2, h, 2);
        this.firstHalf(u, u1, u2, h, 4);
        this.firstHalf(v, v1, v2, h, 6);
      }
      const xi = x[i]!;
      const p0 = xi + cp * p1 - p2;
      p2 = p1;
      p1 = p0;
      const q0 = xi + cq * q1 - q2;
      q2 = q1;
      q1 = q0;
      const u0 = xi + cu * u1 - u2;
      u2 = u1;
      u1 = u0;
      const v0 = xi + cv * v1 - v2;
      v2 = v1;
      v1 = v0;
    }
    this.readOut(p, p1, p2, h[0]!, h[1]!, energy, n);
    this.readOut(q, q1, q2, h[2]!, h[3]!, energy, n);
    this.readOut(u, u1, u2, h[4]!, h[5]!, energy, n);
    this.readOut(v, v1, v2, h[6]!, h[7]!, energy, n);
  }

  /** X1 of bin b from its Goertzel state after the first half: y = s1 − e^{−jω} s2 = e^{jω(N/2−1)} · X1. */
  private firstHalf(b: number, s1: number, s2: number, h: Float64Array, at: number): void {
    const g = this.g;
    const yr = s1 - g[b * 8 + 1]! * s2;
    const yi = g[b * 8 + 2]! * s2;
    h[at] = yr * g[b * 8 + 3]! + yi * g[b * 8 + 4]!;
    h[at + 1] = yi * g[b * 8 + 3]! - yr * g[b * 8 + 4]!;
  }

  /** A bin's share and offset from its Goertzel state at the frame's end and its first half's DFT (r1, i1). */
  private readOut(b: number, s1: number, s2: number, r1: number, i1: number, energy: number, n: number): void {
    const g = this.g;
    const half = n >> 1;
    const yr = s1 - g[b * 8 + 1]! * s2;
    const yi = g[b * 8 + 2]! * s2;
    const re = yr * g[b * 8 + 5]! + yi * g[b * 8 + 6]!;
    const im = yi * g[b * 8 + 5]! - yr * g[b * 8 + 6]!;
    this.out.bins[b] = energy > 0 ? (2 * (re * re + im * im)) / (n * energy) : 0;
    const r2 = re - r1;
    const i2 = im - i1;
    // arg(X2 · conj X1) = 2π · offset · half / rate.
    const turn = Math.atan2(i2 * r1 - r2 * i1, r2 * r1 + i2 * i1);
    this.out.binOffsetHz[b] = (turn * SAMPLE_RATE) / (2 * Math.PI * half);
  }
}

export const FRAME_LEN = FRAME_SAMPLES;
