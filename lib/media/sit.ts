/**
 * Special information tones: three consecutive single-frequency segments.
 * Bell codes (913.8/985.2, 1370.6/1428.5, 1776.7 Hz; 274 or 380 ms) are told
 * apart by frequency and length; anything else inside the ITU ranges
 * (950/1400/1800 ± 50 Hz, 330 ± 70 ms) is reported as 'ITU'.
 * Frequencies are measured by zero crossings averaged over a segment's
 * interior frames, which resolves the ±0.2 % Bell tolerance.
 */
import type { MediaConfig } from './config';
import type { FrameFeatures } from './features';
import { binShare } from './tones';
import { FRAME_MS, type SitCode } from './types';

interface Segment {
  freq: number;
  ms: number;
}

const BELL_LOW = [913.8, 985.2];
const BELL_MID = [1370.6, 1428.5];
const BELL_HIGH = 1776.7;
const SHORT = 274;
const LONG = 380;
/** Bell codes by (first freq, first len, second freq, second len); the third is always 1776.7/380. */
const BELL_CODES: Array<[SitCode, number, number, number, number]> = [
  ['NC', 985.2, LONG, 1428.5, LONG],
  ['IC', 913.8, SHORT, 1370.6, SHORT],
  ['VC', 985.2, LONG, 1370.6, SHORT],
  ['RO', 913.8, SHORT, 1428.5, LONG],
];
const MAX_SEG_FRAMES = 64;

/**
 * Fixed bins for a SIT on a noisy line: the Bell frequencies and the ITU centres. Zero crossings cannot read a
 * tone's frequency under broadband noise; a bin and its phase turn (features.ts binOffsetHz) can, within ±25 Hz.
 */
export const SIT_BANK = [913.8, 950, 985.2, 1370.6, 1400, 1428.5, 1776.7, 1800];

export interface SitResult {
  code: SitCode;
  freqsHz: number[];
}

export class SitDetector {
  private readonly freqs = new Float64Array(MAX_SEG_FRAMES);
  private n = 0;
  private headAdj = 0;
  private gap = 0;
  private readonly done: Segment[] = [];
  private readonly maxGapFrames: number;
  /** Indexes of SIT_BANK's frequencies in the extractor's bins (empty: zero crossings only). */
  private readonly binIdx: number[];

  /** `bankFreqs`: the fixed bins the FeatureExtractor computes; those of SIT_BANK serve noisy lines. */
  constructor(
    private readonly cfg: MediaConfig['sit'],
    private readonly tones: MediaConfig['tones'],
    private readonly bankFreqs: readonly number[] = [],
  ) {
    this.maxGapFrames = Math.ceil((cfg.maxGapMs + tones.frameSlackMs) / FRAME_MS);
    this.binIdx = SIT_BANK.map((f) => bankFreqs.indexOf(f)).filter((i) => i >= 0);
  }

  /**
   * The frame's SIT tone frequency, or 0: zero crossings when the frame is pure; else (a noisy line) the SIT bin
   * holding the most energy, if its share of the frame's energy less the noise floor is pure enough, moved by its
   * phase turn.
   */
  private toneHz(f: FrameFeatures): number {
    const t = this.tones;
    if (f.meanAbs < t.minLevel) return 0;
    if (f.purity >= t.minPurity && f.freqHz >= 850 && f.freqHz <= 1900) return f.freqHz;
    let best = -1;
    for (const k of this.binIdx) if (best < 0 || f.bins[k]! > f.bins[best]!) best = k;
    if (best < 0) return 0;
    const hz = this.bankFreqs[best]!;
    return binShare(f, best, hz, t.maxNoiseShare) >= t.minPurity ? hz + f.binOffsetHz[best]! : 0;
  }

  /**
   * A tone has just ended and another of a different frequency follows it within the gap: the two may be
   * the first segments of a SIT, so a beep reported at that boundary waits for this detector (analyzer).
   */
  get inSequence(): boolean {
    return this.n > 0 && this.done.length > 0;
  }

  /**
   * A tone near `hz` (within 3 %) is still on by this detector's measure (its open segment, dropouts within the gap
   * included): a beep the zero-crossing beep detector reports while it lasts is a break inside one tone (babble or
   * noise spoiling the purity of a frame or two), and may be a SIT's first segment, so it waits for this detector too.
   */
  toneOn(hz: number): boolean {
    if (this.n === 0) return false;
    const mean = this.mean();
    return Math.abs(hz - mean) <= mean * 0.03;
  }

  push(f: FrameFeatures): SitResult | null {
    const hz = this.toneHz(f);
    if (!hz) {
      this.gap++;
      if (this.n > 0 && this.gap > this.maxGapFrames) return this.close(0, true);
      return null;
    }
    if (this.n > 0) {
      const mean = this.mean();
      if (Math.abs(hz - mean) <= mean * 0.03 && this.n < MAX_SEG_FRAMES) {
        // A short dropout inside one tone belongs to it.
        this.n += this.gap;
        for (let i = this.n - this.gap; i < this.n; i++) this.freqs[i] = 0;
        this.gap = 0;
        this.freqs[this.n++] = hz;
        return null;
      }
      // A new frequency: the gap (a mixed boundary frame, or ≤ 30 ms of silence) is split between the two.
      const half = (this.gap * FRAME_MS) / 2;
      const r = this.close(half, false);
      this.headAdj = half;
      this.gap = 0;
      this.freqs[0] = hz;
      this.n = 1;
      return r;
    }
    if (this.gap > this.maxGapFrames) this.done.length = 0;
    this.gap = 0;
    this.headAdj = this.done.length ? this.headAdj : 0;
    this.freqs[0] = hz;
    this.n = 1;
    return null;
  }

  /** Mean over the interior frames (edge frames may mix two tones); zeros are dropouts. */
  private mean(): number {
    const lo = this.n >= 4 ? 1 : 0;
    const hi = this.n >= 4 ? this.n - 1 : this.n;
    let s = 0;
    let k = 0;
    for (let i = lo; i < hi; i++) {
      const v = this.freqs[i]!;
      if (v > 0) {
        s += v;
        k++;
      }
    }
    return k ? s / k : this.freqs[0]!;
  }

  private close(tailAdj: number, breakRun: boolean): SitResult | null {
    const seg: Segment = { freq: this.mean(), ms: this.n * FRAME_MS + this.headAdj + tailAdj };
    this.n = 0;
    this.headAdj = 0;
    // One-frame segments are boundary artefacts, not tones.
    if (seg.ms - tailAdj > FRAME_MS) this.done.push(seg);
    if (this.done.length > 3) this.done.shift();
    const r = this.done.length === 3 ? this.classify(this.done) : null;
    if (r || breakRun) this.done.length = 0;
    return r;
  }

  classify(s: Segment[]): SitResult | null {
    const c = this.cfg;
    const freqsHz = s.map((x) => Math.round(x.freq * 10) / 10);
    const slack = this.tones.frameSlackMs;
    const near = (f: number, ref: number) => Math.abs(f - ref) <= (ref * c.bellFreqTolerancePct) / 100;
    const lenOk = (ms: number, ref: number) => Math.abs(ms - ref) <= (ref * c.bellDurationTolerancePct) / 100 + slack;
    const [a, b, d] = s as [Segment, Segment, Segment];
    if (near(d.freq, BELL_HIGH) && lenOk(d.ms, LONG) && BELL_LOW.some((f) => near(a.freq, f)) && BELL_MID.some((f) => near(b.freq, f))) {
      for (const [code, f1, l1, f2, l2] of BELL_CODES) {
        if (near(a.freq, f1) && lenOk(a.ms, l1) && near(b.freq, f2) && lenOk(b.ms, l2)) return { code, freqsHz };
      }
    }
    const tol = c.ituFreqToleranceHz;
    const inItu = (x: Segment, lo: number, hi: number) =>
      x.freq >= lo && x.freq <= hi && x.ms >= c.ituMinMs - slack && x.ms <= c.ituMaxMs + slack;
    if (
      inItu(a, Math.min(950 - tol, c.ituLowestFirstHz), 950 + tol) &&
      inItu(b, 1400 - tol, 1400 + tol) &&
      inItu(d, 1800 - tol, 1800 + tol)
    ) {
      return { code: 'ITU', freqsHz };
    }
    return null;
  }
}
