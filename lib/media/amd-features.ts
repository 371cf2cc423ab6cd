/**
 * The shape of the answered audio so far, as numbers a model can weigh: when
 * speech started, how many bursts, how long, the pauses, how long it has been
 * quiet now, the energy contour and how tonal/steady the sound is. Computed
 * from the retroactive LevelVad labels over the whole history, so every value
 * reflects the best current knowledge of the floor.
 */
import type { LevelVad } from './level-vad';
import { FRAME_MS } from './types';

export const FEATURE_NAMES = [
  'trailingSilenceS',
  'logTrailingSilence',
  'spanS',
  'logSpan',
  'speechS',
  'bursts',
  'longestBurstS',
  'longestPauseS',
  'voicedShare',
  'onsetDelayS',
  'contrastDb10',
  'flux',
  'tonalShare',
  'steadyPitchShare',
  'floorShare',
  'excessSpanS',
  'multiBurstSpan',
  'periodicShare',
] as const;
export type FeatureName = (typeof FEATURE_NAMES)[number];

export interface Shape {
  /** Frame index (in the VAD history) where speech started; -1 before. */
  onset: number;
  /** Frame index after the last voiced frame of the last burst. */
  end: number;
  bursts: number;
  trailingMs: number;
  spanMs: number;
  /**
   * Of the pairs of consecutive voiced frames in the greeting that both have a pitch (ShapeOptions.minPeriodicity),
   * the share whose pitch period (LevelVad.lag, 0.25 ms steps) did not change: music holds its notes, one voice
   * glides from frame to frame, and many voices at once (babble) have no steady period. 0 with no such pair.
   */
  pitchHold: number;
  /**
   * The longest pause between bursts counting only the frames where the voice has stopped: a frame in the gap that is
   * still periodic (ShapeOptions.pauseMinPeriodicity) and above the floor (voicedMarginDb) is the soft end or start of a
   * word that line noise sank under the threshold, not pause. Equals the longest pause when pauseMinPeriodicity is 0.
   */
  unvoicedPauseMs: number;
  x: Float64Array;
}

export interface ShapeOptions {
  /** Voiced runs separated by less than this are one burst. */
  mergeGapMs: number;
  /** A burst shorter than this is a click, not a word. */
  minBurstMs: number;
  /** Periodicity (LevelVad.per) from which a frame has a pitch. */
  minPeriodicity: number;
  /** A burst whose loudest frame is this far (dB) below the loudest voice is background talk, not the greeting; 0: off. */
  backgroundBelowDb: number;
  /** From this periodicity (and voicedMarginDb over the floor) a frame between bursts is voice fading, not pause (Shape.unvoicedPauseMs); 0: off. */
  pauseMinPeriodicity?: number;
  /** See pauseMinPeriodicity. */
  voicedMarginDb?: number;
  /** With pauseMinPeriodicity: only the voice-like frames joined to a burst (a fading word end or start) are voice. */
  pauseEdgesOnly?: boolean;
  /**
   * With pauseMinPeriodicity: the bar is lowered to the line's own noise periodicity (the pauseNoisePercentile of
   * the frames at its floor, within pauseNoiseAtFloorDb) plus this margin, when that is lower, and the level bar to
   * the floor itself: a word's soft stretch under white noise still has a pitch the noise lacks. 0: off.
   */
  pauseNoiseMargin?: number;
  pauseNoisePercentile?: number;
  pauseNoiseAtFloorDb?: number;
}

/**
 * Per-frame side information kept beside the VAD history: tonal purity and
 * the zero-crossing frequency of each frame.
 */
export class FrameSide {
  purity: Float32Array;
  freq: Float32Array;
  /** features.ts harmonicShare: the energy share at the frequency's half, 1.5×, 2× and 3× (pure frames only, else 0). */
  harm: Float32Array;
  /** Scratch for LevelVad.label. */
  labels: Uint8Array;
  constructor(size: number) {
    this.labels = new Uint8Array(size);
    this.purity = new Float32Array(size);
    this.freq = new Float32Array(size);
    this.harm = new Float32Array(size);
  }
}

const noiseHist = new Uint32Array(101);

export function shape(vad: LevelVad, side: FrameSide, o: ShapeOptions, out: Float64Array): Shape {
  const n = vad.n;
  const lab = vad.label(side.labels);
  const mergeGap = Math.max(1, Math.round(o.mergeGapMs / FRAME_MS));
  const minBurst = Math.max(1, Math.round(o.minBurstMs / FRAME_MS));
  let onset = -1;
  let end = -1;
  let bursts = 0;
  let speech = 0;
  let longestBurst = 0;
  let longestPause = 0;
  let unvoicedPause = 0;
  const pausePer = o.pauseMinPeriodicity ?? 0;
  let voicedAbove = vad.floorDb + (o.voicedMarginDb ?? 0);
  // The bar for a voice-like frame in a gap: pauseMinPeriodicity, or the line's noise periodicity + pauseNoiseMargin.
  let perBar = -1;
  const bar = (): number => {
    if (perBar >= 0) return perBar;
    perBar = pausePer;
    const margin = o.pauseNoiseMargin ?? 0;
    if (margin <= 0) return perBar;
    const hist = noiseHist.fill(0);
    const atFloor = vad.floorDb + (o.pauseNoiseAtFloorDb ?? 1);
    let m = 0;
    for (let i = Math.max(0, vad.firstSoundIndex); i < n; i++)
      if (vad.db[i]! <= atFloor) {
        hist[Math.min(100, Math.max(0, Math.round(vad.per[i]! * 100)))]!++;
        m++;
      }
    if (m < 25) return perBar;
    const want = Math.ceil(((o.pauseNoisePercentile ?? 50) / 100) * m);
    let k = 0;
    let acc = 0;
    while (k < 100 && (acc += hist[k]!) < want) k++;
    const lineBar = k / 100 + margin;
    if (lineBar < pausePer) {
      perBar = lineBar;
      voicedAbove = vad.floorDb;
    }
    return perBar;
  };
  // The longest run of frames in [a, b) where the voice has stopped (not periodic above the floor).
  const quietRun = (a: number, b: number): number => {
    if (pausePer <= 0) return b - a;
    const pb = bar();
    const voiceLike = (i: number) => vad.per[i]! >= pb && vad.db[i]! > voicedAbove;
    if (o.pauseEdgesOnly) {
      // Trim the word ends fading into the gap from both sides; what is left, periodic or not, is pause.
      let s = a;
      while (s < b && voiceLike(s)) s++;
      let e = b;
      while (e > s && voiceLike(e - 1)) e--;
      return e - s;
    }
    let run = 0;
    let best = 0;
    for (let i = a; i < b; i++) {
      if (voiceLike(i)) run = 0;
      else if (++run > best) best = run;
    }
    return best;
  };
  // The loudest voice so far: a burst whose own loudest frame stays far below it is a voice in the background.
  let loudest = -Infinity;
  if (o.backgroundBelowDb > 0) for (let i = 0; i < n; i++) if (lab[i] && vad.db[i]! > loudest) loudest = vad.db[i]!;
  const background = loudest - o.backgroundBelowDb;
  // Current burst under construction.
  let bStart = -1;
  let bEnd = -1;
  let bVoiced = 0;
  let bMax = -Infinity;
  const close = () => {
    if (bStart < 0) return;
    const len = bEnd - bStart;
    if (o.backgroundBelowDb > 0 && bMax < background) lab.fill(0, bStart, bEnd);
    else if (len >= minBurst) {
      if (onset < 0) onset = bStart;
      else {
        longestPause = Math.max(longestPause, bStart - end);
        unvoicedPause = Math.max(unvoicedPause, quietRun(end, bStart));
      }
      end = bEnd;
      bursts++;
      speech += bVoiced;
      if (len > longestBurst) longestBurst = len;
    }
    bStart = -1;
    bVoiced = 0;
    bMax = -Infinity;
  };
  for (let i = 0; i < n; i++) {
    if (!lab[i]) continue;
    if (bStart >= 0 && i - bEnd >= mergeGap) close();
    if (bStart < 0) bStart = i;
    bEnd = i + 1;
    bVoiced++;
    if (vad.db[i]! > bMax) bMax = vad.db[i]!;
  }
  // The last burst: counted if already long enough (a word in progress counts).
  close();
  const trailing = onset < 0 ? 0 : n - end;
  const span = onset < 0 ? 0 : end - onset;
  let flux = 0;
  let tonal = 0;
  let steady = 0;
  let voicedInSpan = 0;
  let atFloor = 0;
  let periodic = 0;
  let pairs = 0;
  let held = 0;
  if (onset >= 0) {
    const floorBand = vad.floorDb + 3;
    for (let i = onset; i < end; i++) {
      if (i > onset) flux += Math.abs(vad.db[i]! - vad.db[i - 1]!);
      if (vad.db[i]! <= floorBand) atFloor++;
      if (!lab[i]) continue;
      voicedInSpan++;
      if (vad.per[i]! >= o.minPeriodicity) {
        periodic++;
        if (i > onset && lab[i - 1] && vad.per[i - 1]! >= o.minPeriodicity) {
          pairs++;
          if (vad.lag[i] === vad.lag[i - 1]) held++;
        }
      }
      if (side.purity[i]! > 0.5) tonal++;
      const f = side.freq[i]!;
      const pf = side.freq[i - 1] ?? 0;
      if (f > 0 && pf > 0 && Math.abs(f - pf) < 0.03 * f) steady++;
    }
  }
  const s = FRAME_MS / 1000;
  const spanS = span * s;
  const trailS = Math.min(trailing * s, 3);
  out[0] = trailS;
  out[1] = Math.log1p(trailS * 4);
  out[2] = Math.min(spanS, 12);
  out[3] = Math.log1p(Math.min(spanS, 12) * 2);
  out[4] = Math.min(speech * s, 12);
  out[5] = Math.min(bursts, 15);
  out[6] = Math.min(longestBurst * s, 8);
  out[7] = Math.min(longestPause * s, 3);
  out[8] = span ? speech / span : 0;
  out[9] = onset < 0 ? 0 : Math.min(onset * s, 5);
  out[10] = Math.min(Math.max(0, vad.peakDb - vad.floorDb), 60) / 10;
  out[11] = span > 1 ? flux / (span - 1) / 10 : 0;
  out[12] = voicedInSpan ? tonal / voicedInSpan : 0;
  out[13] = voicedInSpan ? steady / voicedInSpan : 0;
  out[14] = span ? atFloor / span : 0;
  // Non-linear terms for the linear model: how far past 2 s the greeting runs, and that again when it has several bursts.
  out[15] = Math.max(0, out[2]! - 2);
  out[16] = out[15]! * Math.min(Math.max(bursts - 1, 0), 3);
  // Voice with a pitch: speech ≈ ½–¾ (unvoiced consonants have none), music more, noise that passed the threshold little.
  out[17] = voicedInSpan ? periodic / voicedInSpan : 0;
  return {
    onset,
    end,
    bursts,
    trailingMs: trailing * FRAME_MS,
    spanMs: span * FRAME_MS,
    pitchHold: pairs ? held / pairs : 0,
    unvoicedPauseMs: unvoicedPause * FRAME_MS,
    x: out,
  };
}

/**
 * How strongly the voicing comes and goes at the syllable rate: the RMS of the 3–8 Hz band of the frames'
 * periodicity (LevelVad.per, 0–1) over the greeting's frames [onset, end). Speech turns its pitch on and off with
 * each syllable (vowels against consonants and gaps), 4–8 times a second, and the autocorrelation peak keeps that
 * swing through broadband noise that fills the level's gaps; music keeps sounding pitched through its notes and
 * beats. 0 for less than 0.5 s. Computed only when asked (the music rule), over the band's DFT bins alone.
 */
export function voicingSwing(vad: Pick<LevelVad, 'per'>, onset: number, end: number): number {
  const n = end - onset;
  if (onset < 0 || n < 25) return 0;
  let mean = 0;
  for (let i = onset; i < end; i++) mean += vad.per[i]!;
  mean /= n;
  const rate = 1000 / FRAME_MS;
  const lo = Math.max(1, Math.ceil((3 * n) / rate));
  const hi = Math.min(n >> 1, Math.floor((8 * n) / rate));
  let band = 0;
  for (let k = lo; k <= hi; k++) {
    let re = 0;
    let im = 0;
    const w = (2 * Math.PI * k) / n;
    for (let i = 0; i < n; i++) {
      const v = vad.per[onset + i]! - mean;
      re += v * Math.cos(w * i);
      im -= v * Math.sin(w * i);
    }
    band += re * re + im * im;
  }
  // Parseval: a real sequence's one-sided bins k and n−k together carry 2|X_k|²/n² of its variance.
  return Math.sqrt((2 * band) / (n * n));
}

/** A pitched sound the level VAD has sunk into the line's floor (amd-model's sunk-music rule), over frames [from, to). */
export interface SunkPitch {
  /** Share of the frames left under the VAD's threshold (unlabelled). */
  sunkShare: number;
  /** Of those frames, the share that still has a pitch (periodicity ≥ minPeriodicity). */
  sunkPeriodicShare: number;
  /** Of the consecutive pairs of pitched frames (labelled or not), the share whose pitch period did not change. */
  pitchHold: number;
  /** Share of the frames that are a pure tone (purity > 0.5). */
  tonalShare: number;
}

/**
 * Music whose level barely moves (a pad, a drone, a dense mix) or that line noise half covers is, to the level VAD,
 * the line's floor: its frames sit under the threshold, and the greeting the VAD sees is only its loudest notes, or
 * nothing at all. Periodicity does not depend on level: white, pink and brown noise have no pitch, so frames under the
 * threshold that keep one (and keep the same one from frame to frame) are the sound going on, not quiet. Computed over
 * every frame in [from, to), labelled or not.
 */
export function sunkPitch(vad: LevelVad, side: FrameSide, labels: Uint8Array, from: number, to: number, minPeriodicity: number): SunkPitch {
  let sunk = 0;
  let sunkPer = 0;
  let pairs = 0;
  let held = 0;
  let tonal = 0;
  for (let i = from; i < to; i++) {
    const p = vad.per[i]! >= minPeriodicity;
    if (!labels[i]) {
      sunk++;
      if (p) sunkPer++;
    }
    if (p && i > from && vad.per[i - 1]! >= minPeriodicity) {
      pairs++;
      if (vad.lag[i] === vad.lag[i - 1]) held++;
    }
    if (side.purity[i]! > 0.5) tonal++;
  }
  const n = Math.max(1, to - from);
  return { sunkShare: sunk / n, sunkPeriodicShare: sunk ? sunkPer / sunk : 0, pitchHold: pairs ? held / pairs : 0, tonalShare: tonal / n };
}

/**
 * The model's pitch hold (Shape.pitchHold) tolerant of a note's lag jitter, over the greeting's frames [onset, end):
 * of the pairs of consecutive voiced frames that both have a pitch (periodicity ≥ minPeriodicity), the share that keep
 * the same period, or that sit inside a note: a run of at least minRun consecutive such frames whose periods stay
 * within one lag step of each other (max − min ≤ 1, greedy from the run's first frame). A held note whose period lies
 * between two lag steps (0.25 ms at 4 kHz) reads either one frame by frame once noise or a codec's re-synthesised
 * period (GSM: one quantised lag per 5 ms subframe) moves the autocorrelation peak, and the exact hold fails; a
 * voice's glide leaves a one-step band within a few frames. Never below pitchHold: it only adds held pairs.
 */
export function noteHold(
  vad: Pick<LevelVad, 'per' | 'lag'>,
  labels: Uint8Array,
  onset: number,
  end: number,
  minPeriodicity: number,
  minRun: number,
): number {
  let pairs = 0;
  let held = 0;
  // The current run of consecutive pitched voiced frames, and the start and band of its current note segment.
  let runStart = -1;
  let segStart = -1;
  let lo = 0;
  let hi = 0;
  const closeSeg = (to: number) => {
    // A segment of ≥ minRun frames holds its pairs; its pairs that keep the exact period were counted already.
    if (segStart >= 0 && to - segStart >= minRun) for (let k = segStart + 1; k < to; k++) if (vad.lag[k] !== vad.lag[k - 1]) held++;
  };
  for (let i = onset; i <= end; i++) {
    const pitched = i < end && labels[i] !== 0 && vad.per[i]! >= minPeriodicity;
    if (!pitched) {
      closeSeg(i);
      runStart = segStart = -1;
      continue;
    }
    const l = vad.lag[i]!;
    if (runStart < 0) {
      runStart = segStart = i;
      lo = hi = l;
      continue;
    }
    pairs++;
    if (l === vad.lag[i - 1]) held++;
    const nlo = Math.min(lo, l);
    const nhi = Math.max(hi, l);
    if (nhi - nlo <= 1) {
      lo = nlo;
      hi = nhi;
    } else {
      closeSeg(i);
      segStart = i;
      lo = hi = l;
    }
  }
  return pairs ? held / pairs : 0;
}

/**
 * The model's pitch hold (Shape.pitchHold) tolerant of the tracker's octave errors, over the greeting's frames
 * [onset, end): of the pairs of consecutive voiced frames that both have a pitch (periodicity ≥ minPeriodicity), the
 * share whose periods are equal, or where one is k times the other (k = 2…multiples) within one lag step. A note's
 * autocorrelation peaks at every multiple of its period and the tracker (level-vad.ts: the highest peak after the
 * first dip) takes the first, second or third of them as the partials' balance shifts frame to frame: a chord, a bass
 * under a melody or a note in noise reads 20, 41, 20, 21, 41 (wide real-music set, the runs the exact hold refused).
 * Never below pitchHold: it only adds held pairs.
 */
export function octaveHold(
  vad: Pick<LevelVad, 'per' | 'lag'>,
  labels: Uint8Array,
  onset: number,
  end: number,
  minPeriodicity: number,
  multiples: number,
): number {
  let pairs = 0;
  let held = 0;
  const lag = vad.lag;
  const pitched = (i: number) => labels[i] !== 0 && vad.per[i]! >= minPeriodicity;
  for (let i = onset + 1; i < end; i++) {
    if (!pitched(i) || !pitched(i - 1)) continue;
    pairs++;
    const a = lag[i]!;
    const b = lag[i - 1]!;
    if (a === b) {
      held++;
      continue;
    }
    for (let k = 2; k <= multiples; k++)
      if (Math.abs(a - k * b) <= 1 || Math.abs(b - k * a) <= 1) {
        held++;
        break;
      }
  }
  return pairs ? held / pairs : 0;
}
