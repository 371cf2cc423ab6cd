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
 * Periodicity (voicing): level alone cannot tell a quiet vowel from noise at
 * the same power, so each frame also gets the peak of its normalised
 * autocorrelation over pitch lags (70–400 Hz; 40 ms of high-passed audio
 * decimated to 4 kHz, a 24 ms window). Voiced speech and music score
 * 0.6–0.95, white/pink/brown noise below ≈ 0.4 (the peak is taken after the
 * autocorrelation's first dip, so the slow decay of low-pass noise is not a
 * pitch). A frame whose power is within the margin but clearly above the
 * floor (`voicedMarginDb`) counts as voice when it is periodic
 * (`minPeriodicity`): the quiet syllables and the falling ends of words keep
 * a greeting in one piece under noise, where level alone cuts it into
 * bursts with long "pauses" between them.
 *
 * Cost: one percentile of ≤ 150 values per frame (a copy and a sort), the
 * per-frame log and ≈ 4.6 k multiply-adds for the autocorrelation; measured
 * with the whole analyser by `npm run bench -- detect`.
 */
import type { MediaConfig } from './config';
import { SortedFloats } from './sorted-floats';
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

// Periodicity: 160 samples (40 ms) at 4 kHz, a 96-sample (24 ms) window, lags 10…57 (400…70 Hz) by default
// (vad.pitchFloorHz moves the longest lag, and the buffer grows to hold it).
const PER_LEN = 160;
const PER_WIN = 96;
const PER_MIN_LAG = 10;
const PER_MAX_LAG = 57; // PER_MAX_LAG − PER_MIN_LAG + 1 is a multiple of 4 (periodicity sums four lags at a time)

/**
 * The longest pitch lag (samples at 4 kHz) for a pitch floor of `floorHz` (vad.pitchFloorHz): 4000 / floorHz,
 * rounded up to the periodicity's four-lag step (70 Hz → 57, as before the option; 60 Hz → 69, 58 Hz).
 */
export function vadMaxLag(floorHz: number): number {
  const lags = Math.floor(4000 / floorHz) - PER_MIN_LAG + 1;
  return PER_MIN_LAG - 1 + 4 * Math.max(1, Math.ceil(lags / 4));
}

/** Decimated samples the periodicity needs for a longest lag of `maxLag`: the window and the lags before it. */
function perLength(maxLag: number): number {
  return Math.max(PER_LEN, PER_WIN + maxLag);
}

/** r[lag] from the lag's sum c and the energies e0, e1 of the two windows; returns e1 slid one sample earlier. */
function normalise(d: Float64Array, r: Float64Array, lag: number, c: number, e0: number, e1: number): number {
  r[lag] = e1 > 0 ? c / Math.sqrt(e0 * e1) : 0;
  const len = d.length;
  const out = d[len - 1 - lag]!;
  const inn = d[len - PER_WIN - lag - 1] ?? 0;
  return e1 + (inn * inn - out * out);
}

/**
 * Peak normalised autocorrelation of the last PER_WIN samples of `d` against
 * themselves PER_MIN_LAG…maxLag earlier, taken after the curve's first
 * dip (low-pass noise decays smoothly from lag 0 and never rises again).
 * `d` holds at least PER_WIN + maxLag samples, `r` maxLag + 1; maxLag − PER_MIN_LAG + 1 is a multiple of 4 (vadMaxLag).
 */
export function periodicity(d: Float64Array, r: Float64Array, best = { lag: 0 }, maxLag = PER_MAX_LAG): number {
  const len = d.length;
  const t0 = len - PER_WIN;
  let e0 = 0;
  for (let n = t0; n < len; n++) e0 += d[n]! * d[n]!;
  if (e0 <= 1e-3 * PER_WIN) return 0;
  let e1 = 0;
  for (let n = t0 - PER_MIN_LAG; n < len - PER_MIN_LAG; n++) e1 += d[n]! * d[n]!;
  // Four lags per pass over the window: each lag's sum is a chain of dependent additions, and four independent
  // chains run side by side (each summed in the same order as alone, so bit for bit the same; 48 lags).
  for (let lag = PER_MIN_LAG; lag <= maxLag; lag += 4) {
    let c0 = 0;
    let c1 = 0;
    let c2 = 0;
    let c3 = 0;
    for (let n = t0; n < len; n++) {
      const dn = d[n]!;
      const k = n - lag;
      c0 += dn * d[k]!;
      c1 += dn * d[k - 1]!;
      c2 += dn * d[k - 2]!;
      c3 += dn * d[k - 3]!;
    }
    e1 = normalise(d, r, lag, c0, e0, e1);
    e1 = normalise(d, r, lag + 1, c1, e0, e1);
    e1 = normalise(d, r, lag + 2, c2, e0, e1);
    e1 = normalise(d, r, lag + 3, c3, e0, e1);
  }
  let lag = PER_MIN_LAG;
  while (lag < maxLag && r[lag + 1]! <= r[lag]!) lag++;
  let peak = 0;
  best.lag = 0;
  for (; lag <= maxLag; lag++)
    if (r[lag]! > peak) {
      peak = r[lag]!;
      best.lag = lag;
    }
  return peak;
}

export class LevelVad {
  /** Smoothed frame power, dBFS, since the start (capped at maxFrames, oldest dropped). */
  db: Float32Array;
  /** Periodicity (0…1) of each frame, same indexing as db. */
  per: Float32Array;
  /** The pitch lag (samples at 4 kHz, 10…maxLag: 57 at the default 70 Hz floor; 0: none) of each frame's periodicity peak, same indexing. */
  lag: Uint8Array;
  /** 1 for a frame inside a pitch track (vad.pitchTrackMs) at the last `label`, same indexing (stale with the option off). */
  track: Uint8Array;
  n = 0;
  floorDb = SILENT_DBFS;
  peakDb = SILENT_DBFS;
  thresholdDb = 0;
  /** How much the floor itself fluctuates (dB, its 5th–20th percentile spread): steady hiss ≈ 0.5, background talk several dB. */
  floorSpreadDb = 0;
  private prevPower = 0;
  private firstSound = -1;
  // 2nd-order Butterworth high-pass state (direct form I).
  private x1 = 0;
  private x2 = 0;
  private y1 = 0;
  private y2 = 0;
  private readonly win: number;
  /** The floor window's values (the last `win` frames since the first sound), and the whole history's, in order. */
  private readonly winSorted: SortedFloats;
  private readonly histSorted: SortedFloats;
  /** The value the history dropped last (its oldest, once it holds maxFrames). */
  private dropped = 0;
  /** Last 40 ms of high-passed audio at 4 kHz, and the decimator's previous input. */
  private readonly dec: Float64Array;
  private readonly acf: Float64Array;
  /** The longest pitch lag read (vad.pitchFloorHz). */
  readonly maxLag: number;
  private decPrev = 0;
  private readonly best = { lag: 0 };
  /** Frames that were under the threshold when they came (cfg.quietSpread): their power, and when they came (frame count). */
  private readonly quiet: Float32Array;
  private readonly quietAt: Float64Array;
  private readonly quietScratch: Float32Array;
  private quietN = 0;
  private quietHead = 0;
  private frames = 0;

  constructor(
    private readonly cfg: MediaConfig['vad'],
    private readonly maxFrames = 1500,
  ) {
    this.maxLag = vadMaxLag(cfg.pitchFloorHz);
    this.dec = new Float64Array(perLength(this.maxLag));
    this.acf = new Float64Array(this.maxLag + 1);
    this.db = new Float32Array(maxFrames);
    this.per = new Float32Array(maxFrames);
    this.lag = new Uint8Array(maxFrames);
    this.track = new Uint8Array(maxFrames);
    this.win = Math.max(5, Math.round(cfg.floorWindowMs / FRAME_MS));
    this.winSorted = new SortedFloats(this.win + 1);
    this.histSorted = new SortedFloats(maxFrames);
    this.quiet = new Float32Array(this.win);
    this.quietAt = new Float64Array(this.win);
    this.quietScratch = new Float32Array(this.win);
  }

  /** Feeds one frame of samples: high-passes it, then pushes its power. */
  pushFrame(x: Int16Array): void {
    let e = 0;
    let { x1, x2, y1, y2, decPrev } = this;
    const half = x.length >> 1;
    const dec = this.dec;
    const len = dec.length;
    dec.copyWithin(0, half);
    let k = len - half;
    for (let i = 0; i < x.length; i++) {
      const x0 = x[i]!;
      const y0 = HP_B0 * x0 + HP_B1 * x1 + HP_B2 * x2 - HP_A1 * y1 - HP_A2 * y2;
      x2 = x1;
      x1 = x0;
      y2 = y1;
      y1 = y0;
      e += y0 * y0;
      // Decimate by 2 with a [¼ ½ ¼] low-pass (zero at 4 kHz): pitch lives far below 2 kHz.
      if (i & 1) {
        if (k < len) dec[k++] = 0.25 * decPrev + 0.5 * y2 + 0.25 * y0;
        decPrev = y0;
      }
    }
    Object.assign(this, { x1, x2, y1, y2, decPrev });
    const ok = x.length === 2 * half && half <= len;
    this.best.lag = 0;
    this.push(e, x.length, ok ? periodicity(dec, this.acf, this.best, this.maxLag) : 0, this.best.lag);
  }

  /** Feeds a frame's sum of squares (and periodicity); updates floor, peak and threshold. */
  push(energy: number, samples: number, periodic = 0, lag = 0): void {
    const p = energy / samples;
    const smooth = (p + this.prevPower) / 2 || p;
    this.prevPower = p;
    const d = smooth > 0 ? Math.max(SILENT_DBFS, 10 * Math.log10(smooth / FULL_SCALE_POWER)) : SILENT_DBFS;
    if (this.n === this.maxFrames) {
      this.dropped = this.db[0]!;
      this.histSorted.remove(this.dropped);
      this.db.copyWithin(0, 1);
      this.per.copyWithin(0, 1);
      this.lag.copyWithin(0, 1);
      this.n--;
      if (this.firstSound > 0) this.firstSound--;
    }
    this.per[this.n] = periodic;
    this.lag[this.n] = lag;
    this.db[this.n++] = d;
    this.histSorted.insert(d);
    this.frames++;
    // Under the threshold of the moment it came (the line between the words): kept for the floor's fluctuation.
    if (this.cfg.quietSpread && this.firstSound >= 0 && d <= this.thresholdDb) {
      this.quiet[this.quietHead] = d;
      this.quietAt[this.quietHead] = this.frames;
      this.quietHead = (this.quietHead + 1) % this.quiet.length;
      if (this.quietN < this.quiet.length) this.quietN++;
    }
    this.update();
  }

  /**
   * The 5th–20th percentile spread of the frames that were quiet when they came within the last two floor windows,
   * when voice fills most of the floor window (`windowFrames`); -1 otherwise, or while fewer than 0.5 s of them are known.
   */
  private quietSpreadDb(windowFrames: number): number {
    const since = this.frames - 2 * this.win;
    const inWindow = this.frames - windowFrames;
    let m = 0;
    let recent = 0;
    for (let k = 0; k < this.quietN; k++) {
      const at = this.quietAt[k]!;
      if (at > since) this.quietScratch[m++] = this.quiet[k]!;
      if (at > inWindow) recent++;
    }
    // Only while voice fills most of the window (a long sentence): otherwise the window's own spread is the line's.
    if (m < 25 || recent * 2 >= windowFrames) return -1;
    const w = this.quietScratch.subarray(0, m);
    w.sort();
    return w[Math.min(m - 1, Math.floor(0.2 * m))]! - w[Math.floor(0.05 * m)]!;
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
    // The window: the last `win` frames since the first sound, within the history. The frame that leaves it came
    // `span` frames before this one; when the window spans the whole history, it is the one the history just dropped.
    const w = this.winSorted;
    const span = Math.min(this.win, this.maxFrames);
    w.insert(this.db[this.n - 1]!);
    if (w.size > span) w.remove(span === this.maxFrames ? this.dropped : this.db[this.n - 1 - span]!);
    const m = w.size;
    this.floorDb = w.at(Math.min(m - 1, Math.floor((c.floorPercentile / 100) * m)));
    const low = w.at(Math.floor(0.05 * m));
    const high = w.at(Math.min(m - 1, Math.floor(0.2 * m)));
    // The peak needs the whole history (a person's word may be seconds ago); read every 5th frame, as when it was sorted afresh.
    if (this.n % 5 === 1 || this.n < 10)
      this.peakDb = this.histSorted.at(Math.min(this.n - 1, Math.floor((c.peakPercentile / 100) * this.n)));
    // The floor's own fluctuation: steady hiss needs a few dB of margin, babble more. Measured on the frames that were
    // quiet when they came (quietSpread): a window that a long sentence fills is mostly speech, whose spread is not the
    // line's and would lift the threshold into the sentence's soft syllables (a breath then reads as a pause).
    const q = c.quietSpread ? this.quietSpreadDb(m) : -1;
    const spread = q >= 0 ? q : high - low;
    this.floorSpreadDb = spread;
    let margin = Math.min(c.maxMarginDb, c.minMarginDb + c.fluctuationGain * spread);
    // Never above half-way from floor to peak (a steady sound that fluctuates, as music, would sink whole).
    const contrast = this.peakDb - this.floorDb;
    if (contrast >= 2 * c.minMarginDb) margin = Math.min(margin, contrast / 2);
    this.thresholdDb = Math.max(c.absoluteMinDbfs, this.floorDb + margin);
  }

  /**
   * Labels every kept frame (1 = voice) under the current floor and threshold, with hysteresis: a frame
   * above the threshold is voice; a periodic frame (minPeriodicity) above the lower bar — voicedMarginDb
   * over the floor, or half the threshold's margin on a fluctuating line (babble: other voices are
   * periodic too) — is voice when it touches voice (the quiet start and end of a word, a soft syllable
   * inside it). The lower bar never starts a word by itself.
   */
  label(out: Uint8Array): Uint8Array {
    const n = this.n;
    const c = this.cfg;
    const thr = this.thresholdDb;
    const on = c.minPeriodicity < 1;
    const low = Math.max(c.absoluteMinDbfs, this.floorDb + Math.max(c.voicedMarginDb, (thr - this.floorDb) / 2));
    // 2: candidate (periodic, above the lower bar); resolved by the two passes.
    for (let i = 0; i < n; i++) {
      const d = this.db[i]!;
      out[i] = d > thr ? 1 : on && d > low && this.per[i]! >= c.minPeriodicity ? 2 : 0;
    }
    if (c.pitchTrackMs > 0) {
      this.pitchTracks(c.pitchTrackMs, this.track);
      for (let i = 0; i < n; i++) if (this.track[i]) out[i] = 1;
    }
    for (let i = 1; i < n; i++) if (out[i] === 2 && out[i - 1] === 1) out[i] = 1;
    for (let i = n - 2; i >= 0; i--) if (out[i] === 2 && out[i + 1] === 1) out[i] = 1;
    for (let i = 0; i < n; i++) if (out[i] === 2) out[i] = 0;
    return out;
  }

  /**
   * A voice under a broadband floor (vad.pitchTrackMs, amd.pitchedGreetingTrackMs): marks in `into` (1) every frame of
   * every run of at least `minMs` of consecutive frames above the floor whose periodicity reaches
   * pitchTrackMinPeriodicity and whose pitch lag moves at most pitchTrackMaxLagStep from frame to frame, when the run
   * stands voicedMarginDb above the floor on average; the rest 0. White, pink and brown noise have no pitch
   * (periodicity 0.23 median, 0.36 at the 99th percentile, a random lag each frame), so in steady noise such a run is a
   * voice; in white noise at 0–5 dB SNR a low voice's word stands only 1–4 dB over the floor, under the threshold,
   * while its pitch track holds (periodicity 0.45–0.8, lag moving 0–2 steps a frame). Nothing on a line whose floor is
   * not steady (floorSpreadDb from pitchTrackMaxFloorSpreadDb up): in babble other talkers have pitch tracks of their own.
   */
  pitchTracks(minMs: number, into: Uint8Array): Uint8Array {
    const c = this.cfg;
    const n = this.n;
    into.fill(0, 0, n);
    if (this.floorSpreadDb >= c.pitchTrackMaxFloorSpreadDb) return into;
    const minRun = Math.max(2, Math.round(minMs / FRAME_MS));
    const floor = this.floorDb;
    const { db, per, lag } = this;
    let a = 0;
    let sum = 0;
    for (let i = 0; i <= n; i++) {
      const inTrack = i < n && per[i]! >= c.pitchTrackMinPeriodicity && db[i]! > floor;
      const goesOn = inTrack && i > a && Math.abs(lag[i]! - lag[i - 1]!) <= c.pitchTrackMaxLagStep;
      if (!goesOn) {
        if (i - a >= minRun && sum / (i - a) >= floor + c.voicedMarginDb) into.fill(1, a, i);
        a = inTrack ? i : i + 1;
        sum = 0;
      }
      if (inTrack) sum += db[i]!;
    }
    return into;
  }

  /** Index (in the kept history) of the first frame with sound (digital silence before it left out); -1 before it. */
  get firstSoundIndex(): number {
    return this.firstSound;
  }

  /** Frame i (0 = oldest kept) is above the current threshold (no hysteresis; `label` gives the full labels). */
  voiced(i: number): boolean {
    return this.db[i]! > this.thresholdDb;
  }
}
