/**
 * A pitch check with a lower floor than the level VAD's (level-vad.ts: 70–400 Hz), read once, over the frames of a
 * long greeting, by amd.musicUnpitchedGreetingFloorHz. The deepest voices speak at 60–70 Hz (a bass, a voice lowered
 * by a codec or a synthesiser: the espeak tune split's male voices lowered 800 cents sit near 63 Hz), whose period is
 * longer than the VAD's longest lag; the VAD then finds them unpitched, like an ambient bed. The recipe is the VAD's
 * (200 Hz high-pass, decimation to 4 kHz, a 24 ms window, the peak normalised autocorrelation after the curve's first
 * dip), over lags up to 4000 / floorHz.
 */
import { FRAME_MS } from './types';

const SAMPLES = (8000 * FRAME_MS) / 1000;
const WIN = 96;
const MIN_LAG = 10;
// Butterworth high-pass, 200 Hz at 8 kHz, as level-vad.ts.
const HP_W = Math.tan((Math.PI * 200) / 8000);
const HP_N = 1 / (1 + Math.SQRT2 * HP_W + HP_W * HP_W);
const HP_A1 = 2 * (HP_W * HP_W - 1) * HP_N;
const HP_A2 = (1 - Math.SQRT2 * HP_W + HP_W * HP_W) * HP_N;

/** The last `capacity` frames of raw samples, addressed by their absolute frame number (0 = the first pushed). */
export class FrameRing {
  private readonly buf: Int16Array;
  /** Frames pushed so far. */
  count = 0;
  constructor(readonly capacity: number) {
    this.buf = new Int16Array(capacity * SAMPLES);
  }
  push(frame: Int16Array): void {
    this.buf.set(frame.subarray(0, SAMPLES), (this.count % this.capacity) * SAMPLES);
    this.count++;
  }
  /** Whether frame `abs` is still held. */
  has(abs: number): boolean {
    return abs >= 0 && abs < this.count && abs >= this.count - this.capacity;
  }
  /** Sample `k` (0…SAMPLES−1) of frame `abs` (which `has`). */
  sample(abs: number, k: number): number {
    return this.buf[(abs % this.capacity) * SAMPLES + k]!;
  }
}

/**
 * The periodicity of frame `abs` (the 24 ms ending with it) over pitch lags MIN_LAG…maxLag at 4 kHz; 0 when the ring
 * no longer holds the frames it needs. `d` and `r` are scratch of at least `decimatedLength(maxLag)` and maxLag + 1.
 */
export function lowFloorPeriodicity(ring: FrameRing, abs: number, maxLag: number, d: Float64Array, r: Float64Array): number {
  const need = decimatedLength(maxLag);
  // Frames back so the high-pass settles (≈ 5 ms at 200 Hz) before the samples read.
  const frames = Math.ceil((2 * need + 80) / SAMPLES);
  const first = abs - frames + 1;
  if (!ring.has(first) || !ring.has(abs)) return 0;
  let x1 = 0;
  let x2 = 0;
  let y1 = 0;
  let y2 = 0;
  let prev = 0;
  const total = frames * SAMPLES;
  const skip = total - 2 * need;
  let k = 0;
  for (let n = 0; n < total; n++) {
    const x0 = ring.sample(first + Math.floor(n / SAMPLES), n % SAMPLES);
    const y0 = HP_N * x0 - 2 * HP_N * x1 + HP_N * x2 - HP_A1 * y1 - HP_A2 * y2;
    x2 = x1;
    x1 = x0;
    y2 = y1;
    y1 = y0;
    // Decimate by 2 with a [¼ ½ ¼] low-pass, as level-vad.ts.
    if (n & 1) {
      if (n >= skip) d[k++] = 0.25 * prev + 0.5 * y2 + 0.25 * y0;
      prev = y0;
    }
  }
  const t0 = k - WIN;
  let e0 = 0;
  for (let n = t0; n < k; n++) e0 += d[n]! * d[n]!;
  if (e0 <= 1e-3 * WIN) return 0;
  for (let lag = MIN_LAG; lag <= maxLag; lag++) {
    let c = 0;
    let e1 = 0;
    for (let n = t0; n < k; n++) {
      c += d[n]! * d[n - lag]!;
      e1 += d[n - lag]! * d[n - lag]!;
    }
    r[lag] = e1 > 0 ? c / Math.sqrt(e0 * e1) : 0;
  }
  let lag = MIN_LAG;
  while (lag < maxLag && r[lag + 1]! <= r[lag]!) lag++;
  let peak = 0;
  for (; lag <= maxLag; lag++) if (r[lag]! > peak) peak = r[lag]!;
  return peak;
}

/** Decimated samples one periodicity reads: the window and the longest lag before it. */
export function decimatedLength(maxLag: number): number {
  return WIN + maxLag + 1;
}

/** The longest pitch lag at 4 kHz for a pitch floor of `floorHz`. */
export function maxLagFor(floorHz: number): number {
  return Math.ceil(4000 / floorHz);
}
