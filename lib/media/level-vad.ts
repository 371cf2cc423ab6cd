/**
 * Voice activity that does not depend on the level of the line: each 20 ms
 * frame's power (dBFS, smoothed over 40 ms) is compared with the call's own
 * noise floor (a low percentile of the last seconds) and its own speech peak
 * (a high percentile since answer), never with a fixed level. The threshold
 * sits a share of the way from floor to peak, clamped, so −30 dB speech, a
 * noisy line and a clean line are cut the same way.
 *
 * Power is measured after a 200 Hz high-pass (the telephone band starts at
 * 300 Hz): rumble and brown noise carry no speech and would otherwise
 * fluctuate across the threshold. The margin above the floor grows with how
 * much the floor itself fluctuates (its 5th to 20th percentile spread):
 * steady hiss needs a few dB, babble more.
 *
 * The labels are retroactive: the history is kept (≤ maxFrames) and judged
 * against the current floor. A person who says "hello" from the very first
 * frame is labelled correctly as soon as the pause after it shows what the
 * floor is, instead of the first syllable being taken for the floor.
 *
 * Cost: one percentile of ≤ 150 values per frame (a copy and a sort) and the
 * per-frame log; measured with the whole analyser by `npm run bench -- detect`.
 */
import type { MediaConfig } from './config';
import { FRAME_MS } from './types';

export const SILENT_DBFS = -100;
const FULL_SCALE_POWER = 32768 * 32768;

// Butterworth high-pass, 200 Hz at 8 kHz (bilinear transform, Q = 1/√2).
const HP_W = Math.tan((Math.PI * 200) / 8000);
const HP_N = 1 / (1 + Math.SQRT2 * HP_W + HP_W * HP_W);
const HP_B0 = HP_N;
const HP_B1 = -2 * HP_N;
const HP_B2 = HP_N;
const HP_A1 = 2 * (HP_W * HP_W - 1) * HP_N;
const HP_A2 = (1 - Math.SQRT2 * HP_W + HP_W * HP_W) * HP_N;

export class LevelVad {
  /** Smoothed frame power, dBFS, since the start (capped at maxFrames, oldest dropped). */
  db: Float32Array;
  n = 0;
  floorDb = SILENT_DBFS;
  peakDb = SILENT_DBFS;
  thresholdDb = 0;
  private prevPower = 0;
  private firstSound = -1;
  // 2nd-order Butterworth high-pass state (direct form I).
  private x1 = 0;
  private x2 = 0;
  private y1 = 0;
  private y2 = 0;
  private readonly win: number;
  private readonly scratch: Float32Array;
  private readonly peakScratch: Float32Array;

  constructor(
    private readonly cfg: MediaConfig['vad'],
    private readonly maxFrames = 1500,
  ) {
    this.db = new Float32Array(maxFrames);
    this.win = Math.max(5, Math.round(cfg.floorWindowMs / FRAME_MS));
    this.scratch = new Float32Array(this.win);
    this.peakScratch = new Float32Array(maxFrames);
  }

  /** Feeds one frame of samples: high-passes it, then pushes its power. */
  pushFrame(x: Int16Array): void {
    let e = 0;
    let { x1, x2, y1, y2 } = this;
    for (let i = 0; i < x.length; i++) {
      const x0 = x[i]!;
      const y0 = HP_B0 * x0 + HP_B1 * x1 + HP_B2 * x2 - HP_A1 * y1 - HP_A2 * y2;
      x2 = x1;
      x1 = x0;
      y2 = y1;
      y1 = y0;
      e += y0 * y0;
    }
    Object.assign(this, { x1, x2, y1, y2 });
    this.push(e, x.length);
  }

  /** Feeds a frame's sum of squares; updates floor, peak and threshold. */
  push(energy: number, samples: number): void {
    const p = energy / samples;
    const smooth = (p + this.prevPower) / 2 || p;
    this.prevPower = p;
    const d = smooth > 0 ? Math.max(SILENT_DBFS, 10 * Math.log10(smooth / FULL_SCALE_POWER)) : SILENT_DBFS;
    if (this.n === this.maxFrames) {
      this.db.copyWithin(0, 1);
      this.n--;
      if (this.firstSound > 0) this.firstSound--;
    }
    this.db[this.n++] = d;
    this.update();
  }

  private update(): void {
    const c = this.cfg;
    // Digital silence before any sound (the far end's audio path not yet connected) is not the line's
    // noise: the floor starts at the first frame with sound. Zeros later on (pauses, lost packets) count.
    if (this.firstSound < 0) {
      if (this.db[this.n - 1]! <= c.absoluteMinDbfs) {
        this.floorDb = c.absoluteMinDbfs;
        this.thresholdDb = c.absoluteMinDbfs + c.minMarginDb;
        return;
      }
      this.firstSound = this.n - 1;
    }
    const from = Math.max(this.firstSound, this.n - this.win);
    const m = this.n - from;
    this.scratch.set(this.db.subarray(from, this.n));
    const w = this.scratch.subarray(0, m);
    w.sort();
    this.floorDb = w[Math.min(m - 1, Math.floor((c.floorPercentile / 100) * m))]!;
    const low = w[Math.floor(0.05 * m)]!;
    const high = w[Math.min(m - 1, Math.floor(0.2 * m))]!;
    // The peak needs the whole history (a person's word may be seconds ago); recomputed every 5th frame.
    if (this.n % 5 === 1 || this.n < 10) {
      const all = this.peakScratch.subarray(0, this.n);
      all.set(this.db.subarray(0, this.n));
      all.sort();
      this.peakDb = all[Math.min(this.n - 1, Math.floor((c.peakPercentile / 100) * this.n))]!;
    }
    const margin = Math.min(c.maxMarginDb, c.minMarginDb + c.fluctuationGain * (high - low));
    this.thresholdDb = Math.max(c.absoluteMinDbfs, this.floorDb + margin);
  }

  /** Frame i (0 = oldest kept) is voiced under the current threshold. */
  voiced(i: number): boolean {
    return this.db[i]! > this.thresholdDb;
  }
}
