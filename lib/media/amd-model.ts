/**
 * Person / machine / music from the shape of the answered audio: a small
 * multinomial logistic regression over amd-features.ts, trained by
 * scripts/train-amd.ts on the real-voice corpus (see the README's "Call
 * analysis model" section). The weights live in amd-weights.json beside this
 * file; `media.amd.modelFile` points at another one (e.g. retrained on an
 * operator's own labelled calls). Every threshold is in `media.amd`.
 *
 * Decide early when the evidence is clear, wait when it is not: a class wins
 * only once its probability passes its confidence threshold (a person also
 * needs a short silence, so a voicemail beep has time to show up); when the
 * analysis time runs out the best class is given with its confidence, or
 * `notsure` (with the lean) below `notSureBelow` — the campaign's notSure
 * policy then decides.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FEATURE_NAMES, FrameSide, noteHold, octaveHold, shape, sunkPitch, voicingSwing, type ShapeOptions } from './amd-features';
import type { MediaConfig } from './config';
import { LevelVad, SILENT_DBFS } from './level-vad';
import { decimatedLength, FrameRing, lowFloorPeriodicity, maxLagFor } from './low-pitch';
import { steadyDecay, type DecayOptions } from './note-decay';
import { SpectralLines } from './spectral-lines';
import { tonalNotes, type TonalNotes } from './tonal-notes';
import { FRAME_MS } from './types';

export const MODEL_CLASSES = ['human', 'machine', 'music'] as const;
export type ModelClass = (typeof MODEL_CLASSES)[number];

export interface AmdModel {
  version: number;
  classes: ModelClass[];
  features: string[];
  mean: number[];
  std: number[];
  /** Per class: [bias, w1 … wk] on standardised features. */
  weights: number[][];
  trainedOn?: string;
  figures?: Record<string, unknown>;
}

const models = new Map<string, AmdModel>();
export const BUILTIN_MODEL = join(__dirname, 'amd-weights.json');

/** Loads (once) and checks a model file; throws naming the file and what is wrong. */
export function loadModel(file: string): AmdModel {
  const path = file || BUILTIN_MODEL;
  let m = models.get(path);
  if (m) return m;
  const raw = JSON.parse(readFileSync(path, 'utf8')) as AmdModel;
  const k = FEATURE_NAMES.length;
  if (raw.features?.join() !== FEATURE_NAMES.join()) throw new Error(`AMD model ${path}: features must be ${FEATURE_NAMES.join(', ')}`);
  if (raw.mean?.length !== k || raw.std?.length !== k) throw new Error(`AMD model ${path}: mean/std need ${k} values`);
  if (
    raw.classes?.join() !== MODEL_CLASSES.join() ||
    raw.weights?.length !== MODEL_CLASSES.length ||
    raw.weights.some((w) => w.length !== k + 1)
  ) {
    throw new Error(`AMD model ${path}: classes must be ${MODEL_CLASSES.join(', ')} with ${k + 1} weights each`);
  }
  m = raw;
  models.set(path, m);
  return m;
}

/** Class probabilities for a raw feature vector; `contrib` receives each feature's push towards `cls`. */
export function predict(m: AmdModel, x: ArrayLike<number>, probs: Float64Array, z = new Float64Array(x.length)): Float64Array {
  for (let i = 0; i < x.length; i++) z[i] = (x[i]! - m.mean[i]!) / (m.std[i]! || 1);
  let max = -Infinity;
  for (let c = 0; c < m.weights.length; c++) {
    const w = m.weights[c]!;
    let s = w[0]!;
    for (let i = 0; i < z.length; i++) s += w[i + 1]! * z[i]!;
    probs[c] = s;
    if (s > max) max = s;
  }
  let sum = 0;
  for (let c = 0; c < probs.length; c++) sum += probs[c] = Math.exp(probs[c]! - max);
  for (let c = 0; c < probs.length; c++) probs[c]! /= sum;
  return probs;
}

/**
 * The quiet a person the model is sure of needs after the greeting, given the line's SNR (speech peak over the
 * noise floor, dB): minHumanSilenceMs on a quiet line, up to maxHumanSilenceMs on a noisy one. A recording's
 * sentences end in quiet tails (-75…-70 dBFS) that keep its greeting in one piece on a clean line; line noise hides
 * them, and a first sentence and its pause then look like a person's answer. The weaker the evidence of that pause,
 * the longer the wait, so the recording's next sentence can arrive.
 */
export function personSilenceMs(c: MediaConfig['amd'], snrDb: number): number {
  return bySnr(c, snrDb, c.minHumanSilenceMs, c.maxHumanSilenceMs);
}

/** `quiet` on a line at or above quietLineSnrDb, `noisy` at or below noisyLineSnrDb, linear between (ms, rounded); `quiet` when `noisy` is not longer. */
function bySnr(c: MediaConfig['amd'], snrDb: number, quiet: number, noisy: number): number {
  const lo = c.noisyLineSnrDb;
  const hi = c.quietLineSnrDb;
  if (lo >= hi || snrDb >= hi || noisy <= quiet) return quiet;
  const k = snrDb <= lo ? 1 : (hi - snrDb) / (hi - lo);
  return Math.round(quiet + k * (noisy - quiet));
}

/**
 * The pause between two bursts from which they are two sentences (the multi-burst rule), given the line's SNR (speech
 * peak over the noise floor, dB): multiBurstMinPauseMs on a quiet line, up to noisyMultiBurstMinPauseMs on a noisy one
 * (linear between quietLineSnrDb and noisyLineSnrDb, as personSilenceMs). Line noise hides the soft, fading ends of a
 * sentence's words: a 80 ms catch of breath inside one sentence, 15 dB under its peak on either side, reads as a
 * 300–350 ms pause in white noise at 10–20 dB SNR. 0 (or ≤ multiBurstMinPauseMs): the same pause on every line.
 */
export function multiBurstPauseMs(c: MediaConfig['amd'], snrDb: number): number {
  return bySnr(c, snrDb, c.multiBurstMinPauseMs, c.noisyMultiBurstMinPauseMs);
}

/**
 * The model's lean towards a recording, P(machine) / (P(machine) + P(person)), the multi-burst rule needs given the
 * line's SNR (speech peak over the noise floor, dB): 0.5 (the model leaning that way at all) on a quiet line, up to
 * noisyMultiBurstLean at noisyLineSnrDb and below (linear between, as personSilenceMs). Line noise hides the fading
 * tails of a sentence's words and sinks its soft voiced stretches, so on a noisy line the pause that splits a person's
 * one sentence into two bursts is weaker evidence of a recording's two sentences: the model must lean further. ≤ 0.5:
 * the same bar on every line.
 */
export function multiBurstLean(c: MediaConfig['amd'], snrDb: number): number {
  const noisy = c.noisyMultiBurstLean;
  const lo = c.noisyLineSnrDb;
  const hi = c.quietLineSnrDb;
  if (noisy <= 0.5 || lo >= hi || snrDb >= hi) return 0.5;
  const k = snrDb <= lo ? 1 : (hi - snrDb) / (hi - lo);
  return 0.5 + k * (noisy - 0.5);
}

/**
 * How far (dB) below the loudest voice a burst is background talk rather than the greeting: backgroundBelowDb, or on a
 * noisy line (speech peak at most noisyLineSnrDb over the floor) whose floor fluctuates as talk does (the VAD's floor
 * spread ≥ talkFloorSpreadDb: babble 1.3–2.9 dB on the train split, white/pink/brown noise 0.2–0.8 dB)
 * noisyBackgroundBelowDb: with other people talking a few dB under the person, their talk after the person's answer
 * would otherwise read as more greeting (a long one: a machine) or as music.
 */
export function backgroundBelowDbFor(c: MediaConfig['amd'], vad: Pick<LevelVad, 'peakDb' | 'floorDb' | 'floorSpreadDb'>): number {
  if (c.noisyBackgroundBelowDb > 0 && vad.peakDb - vad.floorDb <= c.noisyLineSnrDb && vad.floorSpreadDb >= c.talkFloorSpreadDb)
    return Math.min(c.backgroundBelowDb, c.noisyBackgroundBelowDb);
  return c.backgroundBelowDb;
}

/** The greeting-shape options of the amd and vad config, with the line's background bar (backgroundBelowDbFor). */
export function shapeOptions(c: MediaConfig['amd'], v: MediaConfig['vad'], backgroundBelowDb: number): ShapeOptions {
  return {
    mergeGapMs: c.mergeGapMs,
    minBurstMs: c.minWordLengthMs,
    minPeriodicity: v.minPeriodicity,
    backgroundBelowDb,
    pauseMinPeriodicity: c.pauseMinPeriodicity,
    pauseEdgesOnly: c.pauseEdgesOnly,
    voicedMarginDb: v.voicedMarginDb,
    pauseNoiseMargin: c.pauseNoiseMargin,
    pauseNoisePercentile: c.pauseNoisePercentile,
    pauseNoiseAtFloorDb: c.pauseNoiseAtFloorDb,
  };
}

export type ShapeDecision =
  | { kind: ModelClass; confidence: number; reason: string; features: Record<string, number> }
  | { kind: 'notsure'; confidence: number; lean: ModelClass; reason: string; features: Record<string, number> }
  | { kind: 'silence'; durationMs: number };

/** Feature snapshot for training (scripts/train-amd.ts). */
export type Trace = (tMs: number, x: Float64Array) => void;

/** The four ways to a music verdict: the whole line (lineMusic), sunk under the floor, the model with its cues, an unpitched long greeting. */
export type MusicRoute = 'line' | 'sunk' | 'model' | 'unpitched';

const r3 = (v: number) => Math.round(v * 1000) / 1000;
/** A note's frequency held within 3 % (tonalNotes): adjacent semitones are 5.9 % apart. */
const NOTE_TOLERANCE = 0.03;
/** linePer: frames this near the VAD's floor (dB) are the floor's own, and noise alone reads under this periodicity (level-vad.ts). */
const FLOOR_NEAR_DB = 1;
const NOISE_MAX_PERIODICITY = 0.4;
/**
 * linesGoOn: the fewest ms of quiet its lines are read over (10 analysed frames): the binomial null needs a few frames
 * to mean anything, and the person verdict comes after minHumanSilenceMs (720 ms) of quiet at the soonest.
 */
const QUIET_LINES_MIN_MS = 400;
const median3 = (a: number, b: number, c: number) => Math.max(Math.min(a, b), Math.min(Math.max(a, b), c));

export class ShapeAmd {
  readonly vad: LevelVad;
  private readonly side: FrameSide;
  private readonly model: AmdModel | null;
  private readonly x = new Float64Array(FEATURE_NAMES.length);
  private readonly z = new Float64Array(FEATURE_NAMES.length);
  private readonly p = new Float64Array(MODEL_CLASSES.length);
  private t = 0;
  decided: ShapeDecision | null = null;
  /** A person verdict waiting for a noisy line's longer pause (personSilenceMs): times in ms of analysis, level in dBFS. */
  private pending: { endMs: number; needMs: number; refDb: number; loudMs: number; conf: number; spanMs: number; bursts: number } | null =
    null;
  /** A person verdict waited on the quiet's spectral lines at least once (linesGoOn; amd.musicHoldsPersonLineMinLines). */
  private heldOnLines = false;
  /** The multi-burst rule held back by the noisy line's bar (amd.noisyMultiBurstLean) at least once. */
  private heldBursts = false;
  /** Speech onset in ms from the start of analysis, or -1. */
  onsetMs = -1;
  /** The music verdict came from the whole line's pitch (lineMusic), not from the model. */
  musicOnLine = false;
  /**
   * Diagnosis (bench/detect-music-gates.ts): at the latest frame, the gate that refused music on each route ('' where
   * the route called it, 'not reached' where this frame's decision never came to it), and the route that called music.
   * Plain strings set as the rules run: reading them costs nothing when nobody does.
   */
  readonly musicGates: Record<MusicRoute, string> = { line: '', sunk: '', model: '', unpitched: '' };
  musicRoute: MusicRoute | 'guess' | '' = '';
  /** Frames since the line's first sound (the music rule on the whole line, amd.musicLineMinPeriodicShare). */
  private lineFrames = 0;
  /** Scratch: pitched frames per pitch lag (lineMusic). */
  private readonly lagCount: Uint16Array;
  /** Per frame (VAD indexing): 1 when every sample was zero (a lost packet with no concealment, or digital silence). */
  private readonly zero: Uint8Array;
  /** Scratch (lineMusic): the noise-corrected periodicity it reads with amd.musicLinePitchOverFloorDb (linePer). */
  private perCorr: Float32Array = new Float32Array(0);
  /** Scratch (lineMusic): 1 for a frame inside a loss burst (amd.musicLineLossHoleMs); and the periodicity with those frames bridged. */
  private readonly hole: Uint8Array;
  private readonly perBridged: Float32Array;
  /** Per frame (VAD indexing), with amd.musicLineSwingDecayMs: 1 when the level over that long up to the frame fell along a steady decay. */
  private readonly decayed: Uint8Array;
  /** amd.musicLineSwingDecay* as note-decay.ts takes them, built on first use. */
  private swingDecayOpts: DecayOptions | undefined;
  /** Scratch (pitchedVoiceMs): pitch tracks of amd.pitchedGreetingTrackMs when vad.pitchTrackMs is another length. */
  private trackScratch: Uint8Array | undefined;
  /** Scratch (tonalNotes): the pure frames' harmonic shares. */
  private noteScratch: Float32Array | undefined;
  /** The line's spectral peaks (amd.musicLineMinLines), fed from the first sound on; null when the cue is off. */
  private readonly lines: SpectralLines | null;
  /** amd.musicLinePauseDecay* as note-decay.ts takes them, built on first use. */
  private decayOpts: DecayOptions | undefined;
  /** With amd.musicUnpitchedGreetingFloorHz: the raw frames of the last totalAnalysisTimeMs and more (low-pitch.ts). */
  private readonly ring: FrameRing | null;

  constructor(
    private readonly cfg: MediaConfig['amd'],
    private readonly vadCfg: MediaConfig['vad'],
    private readonly trace?: Trace,
  ) {
    const frames = Math.ceil((cfg.silenceTimeoutMs + cfg.totalAnalysisTimeMs + 2000) / FRAME_MS) + 50;
    this.vad = new LevelVad(vadCfg, Math.max(frames, 1500));
    // Room for every lag the VAD reads and one over (the ±1 sum below); 64 at the default floor, as before vad.pitchFloorHz.
    this.lagCount = new Uint16Array(Math.max(64, this.vad.maxLag + 2));
    this.side = new FrameSide(this.vad.db.length);
    this.zero = new Uint8Array(this.vad.db.length);
    this.hole = new Uint8Array(this.vad.db.length);
    this.perBridged = new Float32Array(this.vad.db.length);
    this.decayed = new Uint8Array(this.vad.db.length);
    this.model = trace ? null : loadModel(cfg.modelFile);
    this.ring =
      cfg.musicUnpitchedGreetingBelow > 0 && cfg.musicUnpitchedGreetingFloorHz > 0
        ? new FrameRing(Math.ceil((cfg.totalAnalysisTimeMs + cfg.unsureSilenceMs + 1000) / FRAME_MS))
        : null;
    this.lines =
      !trace &&
      ((cfg.musicLineMinLines > 0 && cfg.musicLineMinPeriodicShare > 0) ||
        cfg.musicMinLines > 0 ||
        cfg.musicMinTuning > 0 ||
        (cfg.musicHoldsPersonVerdict && cfg.musicHoldsPersonOnLines > 0) ||
        cfg.musicWhilePendingOnLines > 0)
        ? new SpectralLines(
            frames,
            cfg.musicLineMinFloorLines > 0 ? cfg.musicLinesFloorRatio : 0,
            cfg.musicMinTuning > 0,
            cfg.musicTuningMaxHz,
            cfg.musicMinLines > 0 && cfg.musicLinesPeakTest === 'lpc' ? cfg.musicLinesLpcOrder : 0,
            cfg.musicLinesLpcBandwidthHz,
          )
        : null;
  }

  push(frame: Int16Array, purity: number, freqHz: number, harmonicShare = 0): ShapeDecision | null {
    if (this.decided) return null;
    this.t += FRAME_MS;
    const g = this.musicGates;
    g.line = g.sunk = g.model = g.unpitched = 'not reached';
    const vad = this.vad;
    const full = vad.n === vad.db.length;
    vad.pushFrame(frame);
    this.ring?.push(frame);
    if (full) {
      this.side.purity.copyWithin(0, 1);
      this.side.freq.copyWithin(0, 1);
      this.side.harm.copyWithin(0, 1);
      this.zero.copyWithin(0, 1);
      this.decayed.copyWithin(0, 1);
    }
    let silent = 1;
    for (let i = 0; i < frame.length; i++)
      if (frame[i] !== 0) {
        silent = 0;
        break;
      }
    this.zero[vad.n - 1] = silent;
    this.side.purity[vad.n - 1] = purity;
    this.side.freq[vad.n - 1] = freqHz;
    this.side.harm[vad.n - 1] = harmonicShare;
    const c = this.cfg;
    // Once per frame, as it arrives (its level never changes after): the line fit of note-decay.ts over the frames before.
    this.decayed[vad.n - 1] =
      c.musicLineSwingDecayMs > 0 &&
      vad.firstSoundIndex >= 0 &&
      steadyDecay(vad.db, vad.n - 1, vad.firstSoundIndex, this.swingDecayOptions())
        ? 1
        : 0;
    if (vad.firstSoundIndex >= 0) this.lineFrames++;
    this.lines?.push(frame, vad.firstSoundIndex >= 0, vad.db[vad.n - 1]!);
    const s = shape(vad, this.side, shapeOptions(c, this.vadCfg, backgroundBelowDbFor(c, vad)), this.x);
    const dropped = Math.round(this.t / FRAME_MS) - vad.n;
    if (!this.trace) {
      const music = this.lineMusic();
      if (music) return music;
    }
    const sunk = this.sunkMusic(s.onset);
    if (sunk) return sunk;
    if (s.onset < 0) {
      this.onsetMs = -1;
      g.model = 'no onset';
      if (this.t >= c.silenceTimeoutMs) return this.decide({ kind: 'silence', durationMs: this.t });
      return null;
    }
    this.onsetMs = (s.onset + dropped) * FRAME_MS;
    const since = this.t - this.onsetMs;
    if (this.trace) {
      this.trace(this.t, this.x);
      return null;
    }
    // Waiting out a noisy line's longer pause after a greeting the model took for a person's: sound near the
    // greeting's own level is the greeting resuming (a recording's next sentence) and the decision goes on as usual;
    // anything quieter (or a mere spike) is the line's background (babble, noise the VAD let through), not a reason to
    // doubt the pause.
    const pd = this.pending;
    // While it waits: 'wait' (no verdict this frame) or 'person' (the pause was long enough); null when not waiting.
    let waited: 'wait' | 'person' | null = null;
    if (pd) {
      g.model = 'person pending';
      if (vad.db[vad.n - 1]! > pd.refDb - c.resumeWithinDb) pd.loudMs += FRAME_MS;
      // A word's worth of it (amd.minWordLengthMs), not a spike of the background.
      if (pd.loudMs >= c.minWordLengthMs) this.pending = null;
      else if (this.t - pd.endMs >= pd.needMs) waited = since < c.totalAnalysisTimeMs && this.quietPlaysOn(s.end) ? 'wait' : 'person';
      else waited = 'wait';
      // With amd.musicWhilePending the model's music rule is judged below first, as on a line that is not noisy; with
      // amd.musicWhilePendingOnLines only once the wait's quiet keeps spectral lines (a bed of music plays on there).
      if (waited && !c.musicWhilePending && !this.waitKeepsLines(pd)) return this.pendingOutcome(waited);
    }
    const p = predict(this.model!, this.x, this.p, this.z);
    const [ph, pm, pmu] = [p[0]!, p[1]!, p[2]!];
    // A run of pure tone (busy, SIT, a beep) is left to the tone detectors, never taken for a greeting.
    const tonal = this.x[12]! >= c.maxTonalShare;
    // Music has pitch: a sound with (almost) none is noise or speech in noise, whatever the model extrapolates. And it
    // holds its notes: a voice glides, and a voice in babble (other talkers under it) has no steady pitch at all. And it
    // stays pitched: a voice's pitch comes and goes with its syllables, which noise filling the gaps does not hide.
    // And (musicMinLines) its partials stay at fixed frequencies (spectral-lines.ts, counting only frames within
    // backgroundBelowDb of the line's peak, as the line rule does): a voice's harmonics glide with its pitch, whatever
    // the noise around it, while the model's other cues (low contrast and flux, a held lag) are what a short word in
    // white noise at 0–5 dB shows too.
    // Or (musicMinTuning) its spectral peaks keep to one grid of semitones in place of the pitch and its hold: the
    // voice-range pitch tracker reads a chord, an octave error or a bass under noise as a moving period, but every
    // note of a tonal piece sits on the same tuning (spectral-lines.ts tuning), and a voice's gliding pitch does not.
    const bgDb = c.backgroundBelowDb > 0 ? vad.peakDb - c.backgroundBelowDb : -Infinity;
    // The first cue that fails, '' when all hold (the gate's name for bench/detect-music-gates.ts).
    const musicCueGate = (): string =>
      !(
        (this.x[17]! >= c.musicMinPeriodicShare && (s.pitchHold >= c.musicMinPitchHold || this.laxHold(s.onset, s.end))) ||
        (c.musicMinTuning > 0 && this.lines!.tuning(bgDb, 0, c.musicTuningMinThirdOfTop) >= c.musicMinTuning)
      )
        ? this.x[17]! < c.musicMinPeriodicShare
          ? 'pitch share'
          : 'pitch hold'
        : c.musicMaxVoicingSwing > 0 && voicingSwing(vad, s.onset, s.end) >= c.musicMaxVoicingSwing
          ? 'voicing swing'
          : c.musicMinLines > 0 && this.modelLinesBelowBar(bgDb)
            ? 'lines'
            : '';
    const musicCues = () => musicCueGate() === '';
    g.model = pmu < c.musicConfidence ? 'model score' : since < c.musicMinMs ? 'short' : musicCueGate();
    if (g.model === '') {
      this.passed('model');
      return this.verdict(2, `music-like sound for ${since} ms`);
    }
    if (waited) return this.pendingOutcome(waited);
    if (!tonal && s.trailingMs < c.minHumanSilenceMs) {
      // Talking on: past maxPersonGreetingMs no person's answer is that long; past machineEarlyMs the model may call it sooner.
      if (s.spanMs >= c.maxPersonGreetingMs) {
        // …unless it is no voice (musicUnpitchedGreetingBelow): the model takes it for music, and so little of it has a
        // pitch as no talker's greeting of that length has (train machines there, clean to babble at 0 dB: ≥ 0.58).
        // An ambient bed, a pad or a dense mix gives the voice-range pitch tracker little, which is why the model's
        // music cues refused it (round twenty-two: the wide real-music set's runs called a machine here, median 0.11).
        g.unpitched = pmu < c.musicConfidence ? 'model score' : 'pitched';
        if (pmu >= c.musicConfidence && this.x[17]! < c.musicUnpitchedGreetingBelow) {
          // With musicUnpitchedGreetingFloorHz, read down to the deepest voices' pitch (low-pitch.ts).
          const share = this.ring ? this.lowFloorPitchedShare(s.onset, s.end, dropped) : this.x[17]!;
          if (share < c.musicUnpitchedGreetingBelow) {
            this.passed('unpitched');
            return this.verdict(2, `${s.spanMs} ms of music-like sound with a pitch in ${Math.round(share * 100)} % of it`);
          }
        }
        return this.verdict(1, `greeting longer than ${c.maxPersonGreetingMs} ms (${s.bursts} bursts)`, pm / (pm + ph));
      }
      if (c.machineEarlyMs > 0 && s.spanMs >= c.machineEarlyMs && pm >= c.machineConfidence)
        return this.verdict(1, `${s.bursts} bursts over ${s.spanMs} ms look like a recording`);
    }
    // Several sentences (bursts apart by a pause) adding up to this long: a recording, as app_amd's word count says.
    // The model must lean that way too (a person's one long sentence has a breath in it), and two of the bursts must be
    // a real pause apart: a sentence split at a soft or noise-masked syllable (100–250 ms) is not two sentences.
    // On a noisy line a pause under noisyMultiBurstLeanBelowPauseMs is weaker evidence (noise made a sentence's word
    // tails and soft stretches into 300–500 ms of pause), so the model must lean further (multiBurstLean); a longer
    // pause is a recording's pause between sentences, noise or not.
    const pauseMs = Math.min(this.x[7]! * 1000, s.unvoicedPauseMs);
    if (
      !tonal &&
      c.multiBurstGreetingMs > 0 &&
      s.bursts >= 2 &&
      s.spanMs >= c.multiBurstGreetingMs &&
      s.trailingMs >= c.mergeGapMs &&
      pauseMs >= multiBurstPauseMs(c, vad.peakDb - vad.floorDb) &&
      pm >= ph
    ) {
      if (
        (c.noisyMultiBurstLeanBelowPauseMs > 0 && pauseMs >= c.noisyMultiBurstLeanBelowPauseMs) ||
        pm / (pm + ph) >= multiBurstLean(c, vad.peakDb - vad.floorDb)
      )
        return this.verdict(1, `${s.bursts} bursts over ${s.spanMs} ms`, pm / (pm + ph));
      // Held back by the noisy line's bar: what tells the two apart now is what follows. A person's one sentence ends
      // in quiet (the person verdict below); a recording goes on talking, and still does at the end of the analysis.
      this.heldBursts = true;
    }
    // Enough voice for a greeting: minGreetingSpeechMs of it, or minPitchedGreetingMs with a pitch (a click or a breath
    // has none; a short word whose soft ends noise sank under the threshold keeps its voiced core) when the quiet after
    // it has none either (pitchedGreetingMaxQuietPitch): pitch tells a voice from the line's noise only where the line
    // has no pitch of its own (music going on under the threshold, other voices in babble).
    const speechMs = this.x[4]! * 1000;
    const greeting =
      speechMs >= c.minGreetingSpeechMs ||
      (c.minPitchedGreetingMs > 0 &&
        (c.pitchedGreetingTrackMs > 0 ? this.pitchedVoiceMs(s.onset, s.end) : speechMs * this.x[17]!) >= c.minPitchedGreetingMs &&
        this.pitchedShare(s.end, vad.n) < c.pitchedGreetingMaxQuietPitch);
    if (!tonal && s.trailingMs >= c.minHumanSilenceMs && greeting) {
      // The greeting is over and no beep came: a person, unless the model is sure of a recording. A pause this long
      // also happens inside a recording (between its sentences), so a greeting the model is not sure is a person's
      // gets more silence (up to maxHumanSilenceMs) before the verdict. When the model then leans the other way
      // without being sure, the answer is notsure (with its lean): the campaign's policy decides.
      const conf = ph / (ph + pm);
      if (1 - conf >= c.machineConfidence)
        return this.verdict(1, `${s.spanMs} ms greeting in ${s.bursts} bursts, then quiet: shaped like a recording`, 1 - conf);
      const waited = s.trailingMs >= c.maxHumanSilenceMs;
      // Leaning towards a recording without being sure, after a greeting short enough for a person: more quiet is more
      // evidence (the model weighs trailingSilenceS), so listen on up to unsureSilenceMs before the notsure. A person who
      // has said a long sentence stops and waits for a reply; a recording goes on (the greeting resumes) or beeps. Only
      // what was a notsure can change here: a person once the model leans that way, or still a notsure.
      const unsure = waited && conf < 0.5 && s.trailingMs < c.unsureSilenceMs && s.spanMs < c.maxPersonGreetingMs;
      if (unsure) return null;
      // A noisy line: the pause is weaker evidence, so a person the model is sure of waits longer (personSilenceMs)
      // for a recording's next sentence, judged against the greeting's own level from here on (see `pending`).
      const needMs = personSilenceMs(c, vad.peakDb - vad.floorDb);
      if (conf >= c.humanConfidence && s.trailingMs < needMs && !waited) {
        // The greeting's loudest frame: background talk on a noisy line reaches the greeting's median level often
        // (measured: babble persons at 5 dB SNR 82 % against the median's 74 %), its loudest syllable seldom.
        let refDb = -Infinity;
        const lab = this.side.labels;
        for (let i = s.onset; i < s.end; i++) if (lab[i] && vad.db[i]! > refDb) refDb = vad.db[i]!;
        this.pending = { endMs: this.t - s.trailingMs, needMs, refDb, loudMs: 0, conf, spanMs: s.spanMs, bursts: s.bursts };
        return null;
      }
      // A person's quiet has no held pitch; music's softer passage, which the VAD took for quiet, does: no person yet.
      const goesOn = since < c.totalAnalysisTimeMs && this.quietPlaysOn(s.end);
      if (!goesOn && (conf >= c.humanConfidence || (waited && conf >= 0.5)))
        return this.verdict(0, `${s.spanMs} ms greeting in ${s.bursts} burst(s), then ${s.trailingMs} ms quiet`, conf);
      if (waited)
        return this.decide({
          kind: 'notsure',
          confidence: r3(1 - conf),
          lean: 'machine',
          reason: `${s.spanMs} ms greeting, then quiet: as much a recording as a person`,
          features: this.deciding(1),
        });
    }
    // A greeting that ended near the limit is in the middle of its quiet: finish measuring it (bounded by
    // maxHumanSilenceMs, decided just above) rather than cutting it into a notsure.
    const waiting = c.finishSilenceWait && !tonal && s.trailingMs >= c.minHumanSilenceMs && s.trailingMs < c.maxHumanSilenceMs && greeting;
    if (since >= c.totalAnalysisTimeMs && !waiting) {
      // Two sentences the noisy line's bar held back, and no person's quiet after them (the voice went on): a recording.
      if (this.heldBursts && !tonal && s.trailingMs < c.minHumanSilenceMs)
        return this.verdict(
          1,
          `${s.bursts} bursts over ${s.spanMs} ms held back on a noisy line, and no quiet after them in ${c.totalAnalysisTimeMs} ms`,
          pm / (pm + ph),
        );
      let best = pm >= ph && pm >= pmu ? 1 : ph >= pmu ? 0 : 2;
      let conf = p[best]!;
      let why = '';
      // The best guess is music only with the music rule's own cues (pitch, held notes, no syllable swing): the model
      // alone extrapolates music from talk in babble that broke a recording into bursts (a machine the rules left open).
      if (best === 2 && c.musicGuessNeedsCues && !musicCues()) {
        best = pm >= ph ? 1 : 0;
        conf = p[best]! / (pm + ph);
        why = ' (not music: no held pitch)';
      }
      if (conf >= c.notSureBelow && best === 2) this.passed('guess');
      if (conf >= c.notSureBelow) return this.verdict(best, `best guess after ${c.totalAnalysisTimeMs} ms of analysis${why}`, conf);
      return this.decide({
        kind: 'notsure',
        confidence: r3(conf),
        lean: MODEL_CLASSES[best]!,
        reason: `no class above ${c.notSureBelow} after ${c.totalAnalysisTimeMs} ms`,
        features: this.deciding(best),
      });
    }
    return null;
  }

  /**
   * The model's music asks for spectral lines (amd.musicMinLines): the activation over the frames louder than `bgDb`
   * below its bar. With amd.musicLinesPeakTest "lpc" the peaks are those over each frame's all-pole envelope
   * (spectral-lines.ts lpcPeaks), read against amd.musicMinLinesLpc.
   */
  private modelLinesBelowBar(bgDb: number): boolean {
    const c = this.cfg;
    return c.musicLinesPeakTest === 'lpc' ? this.lines!.value(bgDb, 2) < c.musicMinLinesLpc : this.lines!.value(bgDb) < c.musicMinLines;
  }

  /**
   * Voice in [a, b) with a pitch, in ms (amd.pitchedGreetingTrackMs): voiced frames at vad.minPeriodicity, or inside a
   * pitch track of at least pitchedGreetingTrackMs (LevelVad.pitchTracks). In white noise at 0–5 dB a short word's voiced
   * core keeps its track at periodicity 0.45–0.6 (the noise pulls the autocorrelation down), under the 0.6 bar.
   */
  private pitchedVoiceMs(a: number, b: number): number {
    const vad = this.vad;
    const c = this.cfg;
    const track =
      this.vadCfg.pitchTrackMs === c.pitchedGreetingTrackMs
        ? vad.track
        : vad.pitchTracks(c.pitchedGreetingTrackMs, (this.trackScratch ??= new Uint8Array(vad.db.length)));
    const lab = this.side.labels;
    const minPer = this.vadCfg.minPeriodicity;
    let k = 0;
    for (let i = Math.max(0, a); i < b; i++) if (lab[i] && (vad.per[i]! >= minPer || track[i])) k++;
    return k * FRAME_MS;
  }

  /**
   * The share of the voiced frames in [a, b) (VAD indexing; `dropped` frames shifted out before it) with a pitch: the
   * VAD's periodicity, or the same measure down to amd.musicUnpitchedGreetingFloorHz (low-pitch.ts), at
   * vad.minPeriodicity. Frames the ring no longer holds are left out.
   */
  private lowFloorPitchedShare(a: number, b: number, dropped: number): number {
    const ring = this.ring!;
    const maxLag = maxLagFor(this.cfg.musicUnpitchedGreetingFloorHz);
    const d = new Float64Array(decimatedLength(maxLag));
    const r = new Float64Array(maxLag + 1);
    const minPer = this.vadCfg.minPeriodicity;
    const lab = this.side.labels;
    let voiced = 0;
    let pitched = 0;
    for (let i = Math.max(0, a); i < b; i++) {
      if (!lab[i] || !ring.has(i + dropped)) continue;
      voiced++;
      if (this.vad.per[i]! >= minPer || lowFloorPeriodicity(ring, i + dropped, maxLag, d, r) >= minPer) pitched++;
    }
    return voiced ? pitched / voiced : 0;
  }

  /** The share of frames [a, b) with a pitch (vad.minPeriodicity); 0 when empty. */
  private pitchedShare(a: number, b: number): number {
    if (b <= a) return 0;
    let k = 0;
    for (let i = a; i < b; i++) if (this.vad.per[i]! >= this.vadCfg.minPeriodicity) k++;
    return k / (b - a);
  }

  /**
   * Music judged on the whole line since its first sound (amd.musicLineMinPeriodicShare; see the config): music is one
   * continuous sound, and the level VAD that cuts speech into a greeting and its pauses takes music's quieter passages
   * (and in noise most of it) for the floor, while its pitch goes on through them. Over every frame since the first
   * sound: the share with a pitch, counting only a pitch heard within backgroundBelowDb of the line's peak (talk far
   * below the greeting is the room's, as for the bursts); how often consecutive such frames keep their period, over
   * the whole line and where the VAD hears quiet; how much of it sits on one pitch (a tone, not notes); the pure-tone
   * share; the voicing's swing at the syllable rate; how often a voiced run starts; and the longest pause (no pitch,
   * well under the peak) after the first pitched frame: a voice stops, music plays on. Confidence: the share of the
   * line with a pitch.
   */
  private lineMusic(): ShapeDecision | null {
    const c = this.cfg;
    const ms = this.lineFrames * FRAME_MS;
    if (c.musicLineMinPeriodicShare <= 0) return this.refused('line', 'off');
    if (ms < c.musicMinMs) return this.refused('line', 'short');
    const vad = this.vad;
    const from = vad.firstSoundIndex;
    const minPer = this.vadCfg.minPeriodicity;
    const lo = c.backgroundBelowDb > 0 ? vad.peakDb - c.backgroundBelowDb : -Infinity;
    // A lost packet (no concealment: the jitter buffer plays zeros) is a hole in the measurement, not a rest in the
    // music: a burst of all-zero frames no longer than musicLineLossHoleMs, and the frame after it (its pitch window
    // still reaches into the zeros), count neither as pitched, nor as unpitched, nor as a pause. Longer zero runs (a
    // far end that sends digital silence in its pauses) stay in.
    const hole = this.hole;
    const maxHole = Math.round(c.musicLineLossHoleMs / FRAME_MS);
    hole.fill(0, from, vad.n);
    if (maxHole > 0) {
      for (let i = from; i < vad.n;) {
        if (!this.zero[i]) {
          i++;
          continue;
        }
        let j = i;
        while (j < vad.n && this.zero[j]) j++;
        if (j - i <= maxHole) hole.fill(1, i, Math.min(vad.n, j + 1));
        i = j;
      }
    }
    const lags = this.lagCount;
    lags.fill(0);
    let n = 0;
    let periodic = 0;
    let periodicAll = 0;
    let pairs = 0;
    let held = 0;
    let tonal = 0;
    let prev = false;
    let prevKept = false;
    let onsets = 0;
    // The longest pause (no pitch, well under the peak) after the first pitched frame, in frames.
    const pauseBelow = vad.peakDb - c.musicLinePauseBelowDb;
    let pitchedYet = false;
    let pauseRun = 0;
    let tail = false;
    const decay = c.musicLinePauseDecayMs > 0 ? this.decayOptions() : null;
    let pause = 0;
    // The same pairs where the VAD hears quiet (labels from shape(), this frame's).
    const lab = this.side.labels;
    let quietPairs = 0;
    let quietHeld = 0;
    // The pitch with musicLinePitchOverFloorDb corrected for the noise; the voicing swing reads the raw measure: the
    // correction grows as a frame nears the floor, so it would carry the level's own rise and fall at the note rate
    // into the swing's syllable band (round twenty-one: corrected, the wide set's music was called later, median
    // +160 ms, and one more hold message called a person).
    const per = this.linePer(from);
    const raw = vad.per;
    const lag = vad.lag;
    const bridged = this.perBridged;
    // The periodicity the voicing swing reads: a loss hole (above) and, with musicLineSwingDecayMs, a note's decay and
    // the frame after it hold the last value before them.
    let swingPer = raw[from]!;
    let runFrom = -1;
    const decayed = c.musicLineSwingDecayMs > 0 ? this.decayed : null;
    const attackDb = decayed ? c.musicLineSwingDecayAttackDb : 0;
    for (let i = from; i < vad.n; i++) {
      if (this.side.purity[i]! > 0.5) tonal++;
      const pitched = per[i]! >= minPer && vad.db[i]! > lo;
      if (pitched) pitchedYet = true;
      if (!hole[i]) {
        n++;
        if (pitched) {
          periodic++;
          if (!prevKept) onsets++;
        }
        prevKept = pitched;
        if (!pitched && pitchedYet && vad.db[i]! < pauseBelow) {
          // A run that a steady decay ran into is a note's tail sinking under the noise, not a pause (note-decay.ts).
          if (pauseRun++ === 0) tail = decay !== null && steadyDecay(vad.db, i, from, decay);
          if (!tail && pauseRun > pause) pause = pauseRun;
        } else pauseRun = 0;
      }
      // A note's decay (note-decay.ts): periodicity fades with the note's level under the noise and returns at the next
      // attack, whose frame straddles two pitches, at the note rate (2–8 Hz, the syllable band the swing reads). A voice
      // mostly falls off a plateau: 20–24 % of its voicing breaks follow such a line, 71 % of plucked notes' (train/dev
      // in noise, README "Round nineteen"), and where the swing alone refuses a voice it stays over the bar.
      if (attackDb > 0) {
        // Only a decay that the next attack ends (the level rises by attackDb into the frame after the run): a slow
        // note's tail that meets the noise floor keeps its own ramp (holding it would end in a step), and so does a run
        // still going at the line's end, until an attack ends it.
        if (decayed![i] === 1) {
          if (runFrom < 0) runFrom = i;
          bridged[i] = raw[i]!;
        } else {
          if (runFrom >= 0 && vad.db[i]! - vad.db[i - 1]! >= attackDb) bridged.fill(swingPer, runFrom, i + 1);
          else {
            if (!hole[i]) swingPer = raw[i]!;
            bridged[i] = swingPer;
          }
          if (runFrom >= 0 && !hole[i]) swingPer = raw[i]!;
          runFrom = -1;
        }
      } else {
        const decaying = decayed !== null && (decayed[i] === 1 || (i > from && decayed[i - 1] === 1));
        if (!hole[i] && !decaying) swingPer = raw[i]!;
        bridged[i] = swingPer;
      }
      if (pitched) {
        periodicAll++;
        lags[lag[i]!]!++;
        if (prev) {
          // A held note: the same pitch period as the frame before; with musicLineHoldMedian, the same 3-frame running
          // median (a note's period estimated in noise jitters a lag step either way around it; a voice's glide moves it).
          pairs++;
          if (lag[i] === lag[i - 1]) held++;
          if (!lab[i] && !lab[i - 1]) {
            quietPairs++;
            if (lag[i] === lag[i - 1]) quietHeld++;
          }
        }
      }
      prev = pitched;
    }
    const all = vad.n - from;
    const share = n ? periodic / n : 0;
    let hold = pairs ? held / pairs : 0;
    // In noise a held note's period estimate jitters a lag step frame by frame, and the exact hold fails: with
    // musicLineHoldMedian the pairs may hold on the period's 3-frame running median instead, when the line's pitch sits
    // on notes (musicLineMinNoteShare): a slow voice's glide holds its median for a few frames too, but speech does not
    // stay on one pitch for a note's length. The pairs where the VAD hears quiet then hold on the median too.
    let notes = -1;
    if (share >= c.musicLineMinPeriodicShare && hold < c.musicLineMinPitchHold && c.musicLineHoldMedian) {
      let heldMedian = 0;
      let quietHeldMedian = 0;
      for (let i = from + 1; i < vad.n; i++)
        if (per[i]! >= minPer && vad.db[i]! > lo && per[i - 1]! >= minPer && vad.db[i - 1]! > lo && this.heldMedian(i, from, per)) {
          heldMedian++;
          if (!lab[i] && !lab[i - 1]) quietHeldMedian++;
        }
      if (heldMedian / pairs >= c.musicLineMinPitchHold) {
        notes = this.noteShare(from, lo, per);
        if (notes >= c.musicLineMinNoteShare) {
          hold = heldMedian / pairs;
          quietHeld = Math.max(quietHeld, quietHeldMedian);
        }
      }
    }
    // Held notes on the voice-range pitch, or (musicLineMinLines) spectral lines: a chord, an FM bell's inharmonic
    // partials, a tremolo or a fast arpeggio give the pitch tracker no steady period, but their partials stay put.
    const onPitch = share >= c.musicLineMinPeriodicShare && hold >= c.musicLineMinPitchHold;
    // Which of the pitch's two bars failed, for the gates' names (bench/detect-music-gates.ts).
    const offPitch = onPitch ? '' : share < c.musicLineMinPeriodicShare ? '(pitch share)' : '(pitch hold)';
    if (!onPitch && !(this.lines && c.musicLineMinLines > 0)) return this.refused('line', `pitch ${offPitch}`);
    // A line of pure-tone frames is a tone (busy, dial, a beep), unless (musicLineTonalMinNotes) those frames step
    // through notes and carry harmonics, as a melody on a square-wave or reed-like instrument does (tonal-notes.ts).
    let stepped: TonalNotes | null = null;
    if (tonal / all >= c.maxTonalShare) {
      if (c.musicLineTonalMinNotes <= 0) return this.refused('line', 'tonal');
      stepped = tonalNotes(
        this.side.purity,
        this.side.freq,
        this.side.harm,
        from,
        vad.n,
        Math.round(c.musicLineTonalNoteMinMs / FRAME_MS),
        NOTE_TOLERANCE,
        (this.noteScratch ??= new Float32Array(vad.db.length)),
      );
      if (stepped.notes < c.musicLineTonalMinNotes || stepped.harmonicShare < c.musicLineTonalMinHarmonicShare)
        return this.refused('line', 'tonal');
    }
    // A voice stops (a breath, the end of a phrase, a person waiting for a reply); music plays on.
    const pauseMs = pause * FRAME_MS;
    if (c.musicLineMaxPauseMs > 0 && pauseMs >= c.musicLineMaxPauseMs) return this.refused('line', 'pause');
    // Music goes on through what the VAD takes for quiet, its notes held there too; a person's pause holds only the
    // room's talk, which glides (a voice that holds its own pitch must not carry the line's hold alone).
    if (onPitch && quietPairs >= c.musicLineQuietMinPairs && quietHeld / quietPairs < c.musicLineMinPitchHold)
      return this.refused('line', 'quiet hold');
    // One pitch (±1 lag step) for most of it is a tone (a dial tone, a tone in noise), not notes.
    let one = 0;
    for (let l = 1; l < lags.length - 1; l++) one = Math.max(one, lags[l - 1]! + lags[l]! + lags[l + 1]!);
    if (periodicAll > 0 && one / periodicAll >= c.musicLineMaxOnePitchShare) return this.refused('line', 'one pitch');
    const swing = voicingSwing({ per: bridged }, from, vad.n);
    if (c.musicLineMaxVoicingSwing > 0 && swing >= c.musicLineMaxVoicingSwing) return this.refused('line', 'voicing swing');
    // Speech articulates: its pitch breaks off at every unvoiced consonant and pause, a new voiced run every syllable
    // or two; music holds its notes through (legato) and re-attacks at most at the beat.
    const onsetsPerS = onsets / ((n * FRAME_MS) / 1000);
    const articulates = c.musicLineMaxPitchOnsetsPerS > 0 && onsetsPerS >= c.musicLineMaxPitchOnsetsPerS;
    // In noise a chord's or an arpeggio's pitch flickers (music dev: 7.7–8.5 voiced runs a second) while its lines stay:
    // on the lines the articulation is judged on the spectrum instead (musicLinesMaxModulation), below.
    if (articulates && (onPitch || c.musicLinesMaxModulation <= 0)) return this.refused('line', 'articulates');
    // Last, the costlier cue: the line's spectral peaks pile up on a few frequencies (spectral-lines.ts), counting
    // only the peaks heard within backgroundBelowDb of the line's peak, as the pitch is.
    const lines = onPitch ? -1 : this.lines!.value(lo);
    // In broadband noise a partial's neighbourhood fills and its peaks drop under the neighbourhood bar, while it
    // still stands over the line's own noise floor (musicLineMinFloorLines: the same activation, its peaks taken over
    // each bin's minimum statistics, spectral-lines.ts floorPeaks).
    let floorLines = -1;
    let thirdLine = -1;
    let thirdOfTop = -1;
    // While a person verdict waits on the quiet's own lines (musicHoldsPersonLineMinLines), the whole line's bar is lower:
    // the quiet after the phrase has already shown partials that persist, which no person's quiet in the dev sets did.
    const minLines =
      this.heldOnLines && c.musicHoldsPersonLineMinLines > 0
        ? Math.min(c.musicLineMinLines, c.musicHoldsPersonLineMinLines)
        : c.musicLineMinLines;
    if (!onPitch && lines < minLines) {
      // Only on a noisy line (its peak at most noisyLineSnrDb over the VAD's floor): on a clean line there is no noise
      // to fill a partial's neighbourhood, and every peak of a voice stands over a near-silent floor (train, round
      // eighteen's trace at ratio 8: a clean person read 1.52 here, persons and machines in noise at most 1.32).
      if (!(c.musicLineMinFloorLines > 0) || vad.peakDb - vad.floorDb > c.noisyLineSnrDb) return this.refused('line', `lines ${offPitch}`);
      // With musicLinesFloorNullZ each line counts only beyond the activation's binomial spread (spectral-lines.ts
      // subtractNull), the noise's own lines out of the sum, so the bar means the same at every SNR and time.
      floorLines = this.lines!.value(lo, 1, c.musicLinesFloorNullZ);
      if (floorLines < c.musicLineMinFloorLines) return this.refused('line', `floor lines ${offPitch}`);
      // Two partials and the noise's own lines are a dual tone (busy, reorder, ringback), whatever their contrast over
      // the floor: its two lines at half duty give 1.0, and in deep noise the noise lines add the rest
      // (musicLinesFloorMinThirdLine; spectral-lines.ts thirdLineShare).
      thirdLine = this.lines!.thirdLineShare();
      if (thirdLine < c.musicLinesFloorMinThirdLine) return this.refused('line', 'floor third line');
      // A tone has one partial or two; with the lines counted beyond the noise's spread (musicLinesFloorNullZ) that is
      // all it has, whatever the cadence, so music needs a third line near its strongest (musicLinesFloorMinThirdOfTop).
      if (c.musicLinesFloorMinThirdOfTop > 0) {
        thirdOfTop = this.lines!.thirdOfTopShare();
        if (thirdOfTop < c.musicLinesFloorMinThirdOfTop) return this.refused('line', 'floor third of top');
      }
      // The pause and articulation gates above read the pitch: a line with (almost) none passes them by default, so
      // the floor route asks some (musicLinesFloorMinPeriodicShare; round nineteen: a wide monotone dev voicemail
      // greeting in white noise, no pitched frame at all, read 1.88 over the floor with a third line of 0.86).
      if (share < c.musicLinesFloorMinPeriodicShare) return this.refused('line', 'floor pitch share');
    }
    // The pitch says it articulates, the lines say music: a voice's syllables modulate its band levels at ≈ 4 Hz, and a
    // flat voice's lines are one harmonic series; a chord's or an arpeggio's are not, and its levels move at its own
    // note and beat rates.
    let modulation = -1;
    let comb = -1;
    if (articulates) {
      // The comb first: it reads the lines `value` just found, the modulation reads every frame's bands.
      if (c.musicLinesMaxCombShare > 0) {
        comb = this.lines!.combShare();
        if (comb >= c.musicLinesMaxCombShare) return this.refused('line', 'comb');
      }
      modulation = this.lines!.modulation();
      if (modulation >= c.musicLinesMaxModulation) return this.refused('line', 'modulation');
    }
    this.musicOnLine = true;
    this.passed('line');
    return this.decide({
      kind: 'music',
      // On the pitch: the share of the line with a pitch; on the spectral lines: how far past the bar, 1 at twice it.
      confidence: r3(onPitch ? share : Math.min(1, lines / (2 * c.musicLineMinLines))),
      reason: `${onPitch ? 'pitched sound with held notes' : 'sound with steady spectral lines'} on the line for ${ms} ms`,
      features: {
        linePeriodicShare: r3(share),
        linePitchHold: r3(hold),
        lineVoicingSwing: r3(swing),
        linePitchOnsetsPerS: r3(onsetsPerS),
        linePauseMs: pauseMs,
        ...(notes >= 0 ? { lineNoteShare: r3(notes) } : {}),
        ...(lines >= 0 ? { lineSpectralLines: r3(lines) } : {}),
        ...(floorLines >= 0 ? { lineFloorLines: r3(floorLines), lineFloorThirdLine: r3(thirdLine) } : {}),
        ...(thirdOfTop >= 0 ? { lineFloorThirdOfTop: r3(thirdOfTop) } : {}),
        ...(floorLines >= 0 && c.musicLinesFloorNullZ > 0 ? { lineFloorNullSd: r3(this.lines!.nullSd()) } : {}),
        ...(modulation >= 0 ? { lineModulation: r3(modulation) } : {}),
        ...(comb >= 0 ? { lineCombShare: r3(comb) } : {}),
        ...(stepped ? { lineTonalNotes: stepped.notes, lineTonalHarmonicShare: r3(stepped.harmonicShare) } : {}),
      },
    });
  }

  /** amd.musicLineSwingDecay*: the steady decay whose frames the voicing swing bridges; the fall's bars are the pause check's. */
  private swingDecayOptions(): DecayOptions {
    const c = this.cfg;
    return (this.swingDecayOpts ??= {
      frames: Math.round(c.musicLineSwingDecayMs / FRAME_MS),
      minDbPerS: c.musicLinePauseDecayMinDbPerS,
      maxDbPerS: c.musicLinePauseDecayMaxDbPerS,
      maxResidualDb: c.musicLineSwingDecayMaxResidualDb,
    });
  }

  /** amd.musicLinePauseDecay*: the steady decay that makes a pause a note's tail (note-decay.ts). */
  private decayOptions(): DecayOptions {
    const c = this.cfg;
    return (this.decayOpts ??= {
      frames: Math.round(c.musicLinePauseDecayMs / FRAME_MS),
      minDbPerS: c.musicLinePauseDecayMinDbPerS,
      maxDbPerS: c.musicLinePauseDecayMaxDbPerS,
      maxResidualDb: c.musicLinePauseDecayMaxResidualDb,
    });
  }

  /**
   * The "quiet" after a greeting, frames [from, now), is a sound that goes on with held notes (amd.musicHoldsPersonVerdict):
   * at least musicLineMinPeriodicShare of it pitched within backgroundBelowDb of the line's peak, and at least
   * musicLineMinPitchHold of its consecutive pitched pairs holding their note (as lineMusic counts them). A person's
   * quiet after "hello" has no pitch (a quiet room, white/pink/brown noise) or one that glides and jumps (other people
   * talking); music's softer passage, which the level VAD takes for quiet after a loud note, holds its notes. Or, with
   * amd.musicHoldsPersonOnLines, it keeps spectral lines (linesGoOn): most real beds hold partials the voice-range
   * pitch tracker finds no one period in.
   */
  private quietPlaysOn(from: number): boolean {
    const c = this.cfg;
    const vad = this.vad;
    if (!c.musicHoldsPersonVerdict || from < 0 || vad.n - from < 10) return false;
    // The pitch first: it is read every frame anyway, the lines take a spectrum per two frames of the quiet.
    if (c.musicLineMinPeriodicShare <= 0) return this.linesGoOn(from);
    const minPer = this.vadCfg.minPeriodicity;
    const lo = c.backgroundBelowDb > 0 ? vad.peakDb - c.backgroundBelowDb : -Infinity;
    let periodic = 0;
    let pairs = 0;
    let held = 0;
    let prev = false;
    for (let i = from; i < vad.n; i++) {
      const pitched = vad.per[i]! >= minPer && vad.db[i]! > lo;
      if (pitched) {
        periodic++;
        if (prev) {
          pairs++;
          if (this.held(i, from)) held++;
        }
      }
      prev = pitched;
    }
    if (periodic / (vad.n - from) >= c.musicLineMinPeriodicShare && pairs > 0 && held / pairs >= c.musicLineMinPitchHold) return true;
    return this.linesGoOn(from);
  }

  /**
   * The "quiet" after a greeting, frames [from, now), keeps spectral lines (amd.musicHoldsPersonOnLines): the activation
   * of spectral-lines.ts over those frames alone (the ones within backgroundBelowDb of the line's peak), each line
   * counted beyond musicLinesFloorNullZ binomial standard errors (what noise alone gives over so few frames). A bed of
   * music holds its partials there whether or not the voice-range pitch tracker finds one period in it; a room's noise
   * has no persisting peak, and other talkers' harmonics glide.
   */
  private linesGoOn(from: number): boolean {
    const c = this.cfg;
    const lines = this.lines;
    if (!(c.musicHoldsPersonOnLines > 0) || !lines) return false;
    const vad = this.vad;
    // A bounded hold: past this much quiet, a bed that is still not music is the person's background (a radio, a TV).
    if (c.musicHoldsPersonOnLinesMaxMs > 0 && (vad.n - from) * FRAME_MS >= c.musicHoldsPersonOnLinesMaxMs) return false;
    // The lines are indexed from the line's first sound, one per frame pushed since (lineFrames).
    const since = this.lineFrames - (vad.n - from);
    if (since < 0) return false;
    const lo = c.backgroundBelowDb > 0 ? vad.peakDb - c.backgroundBelowDb : -Infinity;
    const held = lines.valueSince(since, QUIET_LINES_MIN_MS, lo, 0, c.musicLinesFloorNullZ) >= c.musicHoldsPersonOnLines;
    if (held) this.heldOnLines = true;
    return held;
  }

  /**
   * A noisy line's person wait (`pending`) has quiet that keeps spectral lines (amd.musicWhilePendingOnLines): the
   * activation over the frames since the greeting ended alone, within backgroundBelowDb of the line's peak, each line
   * counted beyond musicLinesFloorNullZ binomial standard errors (linesGoOn's read). A person's quiet on a noisy line
   * is the line's noise (no persisting peak once the binomial null is out) or other talkers (their harmonics glide):
   * round twenty-two measured 1,207 train and espeak person verdicts there, max 0.32. Music's soft passage, which the
   * level VAD took for the floor, keeps its bed's partials.
   */
  private waitKeepsLines(pd: NonNullable<ShapeAmd['pending']>): boolean {
    const c = this.cfg;
    const lines = this.lines;
    if (!(c.musicWhilePendingOnLines > 0) || !lines) return false;
    const vad = this.vad;
    // Frames since the greeting's end; its end as an index among the frames pushed since the line's first sound (lineFrames).
    const quiet = Math.round((this.t - pd.endMs) / FRAME_MS);
    if (quiet <= 0 || quiet > vad.n) return false;
    const since = this.lineFrames - quiet;
    if (since < 0) return false;
    const lo = c.backgroundBelowDb > 0 ? vad.peakDb - c.backgroundBelowDb : -Infinity;
    return lines.valueSince(since, QUIET_LINES_MIN_MS, lo, 0, c.musicLinesFloorNullZ) >= c.musicWhilePendingOnLines;
  }

  /**
   * The greeting's pitch hold read more leniently, asked only once the exact hold (Shape.pitchHold) failed
   * musicMinPitchHold: with amd.musicPitchHoldNoteMs, the pairs inside notes of that length (periods within one lag
   * step; amd-features.ts noteHold) hold too; with amd.musicPitchHoldOctaves, a pair whose periods are 2 (…that many)
   * times one another within one lag step (the tracker's octave errors; octaveHold) holds too, on a line whose floor
   * is steady (vad.floorSpreadDb under talkFloorSpreadDb): in babble other talkers' periods land on each other's
   * multiples (train machines in babble at 0–5 dB: 29 of 100 would have been music without it, none with it).
   */
  private laxHold(onset: number, end: number): boolean {
    const c = this.cfg;
    const minPer = this.vadCfg.minPeriodicity;
    const labels = this.side.labels;
    if (c.musicPitchHoldNoteMs > 0) {
      const minRun = Math.max(2, Math.round(c.musicPitchHoldNoteMs / FRAME_MS));
      if (noteHold(this.vad, labels, onset, end, minPer, minRun) >= c.musicMinPitchHold) return true;
    }
    return (
      c.musicPitchHoldOctaves >= 2 &&
      this.vad.floorSpreadDb < c.talkFloorSpreadDb &&
      octaveHold(this.vad, labels, onset, end, minPer, c.musicPitchHoldOctaves) >= c.musicMinPitchHold
    );
  }

  /** The pitched pair (i-1, i) holds its note (see amd.musicLineHoldMedian), counting frames from `from` on. */
  private held(i: number, from: number): boolean {
    const lag = this.vad.lag;
    if (!this.cfg.musicLineHoldMedian) return lag[i] === lag[i - 1];
    return this.heldMedian(i, from);
  }

  /**
   * The periodicity the music rule on the line reads (frames from `from` on): the VAD's own, or with
   * amd.musicLinePitchOverFloorDb each frame at least that far over the line's floor divided by its power's share over
   * the floor. Additive noise, uncorrelated with the music, raises the normalised autocorrelation's energy terms and not
   * its lag terms, so a note's periodicity reads its own times P/(P+N); the VAD's floor is N's level (level-vad.ts).
   */
  private linePer(from: number): Float32Array {
    const vad = this.vad;
    const minDb = this.cfg.musicLinePitchOverFloorDb;
    if (!(minDb > 0)) return vad.per;
    const floor = vad.floorDb;
    // Only on a noisy line (its peak at most noisyLineSnrDb over the floor): on a clean one the floor is the room,
    // and an ambient piece's floor is its own quieter passage (round twenty-one, the wide set: corrected on every line,
    // clean pieces lost, 2 of 148, and loss runs 12 of 444).
    if (vad.peakDb - floor > this.cfg.noisyLineSnrDb) return vad.per;
    // And only when the floor is noise: its frames (within FLOOR_NEAR_DB of it; not the lost packets' digital zeros)
    // aperiodic on average, as noise alone reads (level-vad.ts: white, pink and brown noise under ≈ 0.4).
    let fp = 0;
    let fk = 0;
    for (let i = from; i < vad.n; i++)
      if (vad.db[i]! - floor < FLOOR_NEAR_DB && vad.db[i]! > SILENT_DBFS) {
        fp += vad.per[i]!;
        fk++;
      }
    if (fk === 0 || fp / fk >= NOISE_MAX_PERIODICITY) return vad.per;
    if (this.perCorr.length !== vad.per.length) this.perCorr = new Float32Array(vad.per.length);
    const out = this.perCorr;
    for (let i = from; i < vad.n; i++) {
      const d = vad.db[i]! - floor;
      const p = vad.per[i]!;
      out[i] = d >= minDb ? Math.min(1, p / (1 - Math.pow(10, -d / 10))) : p;
    }
    return out;
  }

  /** The pitched pair (i-1, i) keeps the pitch period's 3-frame running median (frames from `from` on). */
  private heldMedian(i: number, from: number, per: Float32Array = this.vad.per): boolean {
    const vad = this.vad;
    const lag = vad.lag;
    const minPer = this.vadCfg.minPeriodicity;
    return (
      i + 1 < vad.n &&
      i - 2 >= from &&
      per[i + 1]! >= minPer &&
      per[i - 2]! >= minPer &&
      median3(lag[i - 2]!, lag[i - 1]!, lag[i]!) === median3(lag[i - 1]!, lag[i]!, lag[i + 1]!)
    );
  }

  /**
   * The share of the line's pitched frames (per >= vad.minPeriodicity, over `lo` dBFS; from `from` on) that sit on a note:
   * a run of at least musicLineNoteMinMs of consecutive pitched frames whose periods, on the 3-frame running median,
   * stay within one lag step of each other (a note's period jittering in noise). Lost-packet frames (the loss holes
   * lineMusic marked) are passed over. Music holds its notes for a beat or more; a voice's pitch moves within a
   * syllable, even where it is slow and flat enough to keep its median for a few frames.
   */
  private noteShare(from: number, lo: number, per: Float32Array): number {
    const vad = this.vad;
    const lag = vad.lag;
    const hole = this.hole;
    const minPer = this.vadCfg.minPeriodicity;
    const minRun = Math.max(2, Math.round(this.cfg.musicLineNoteMinMs / FRAME_MS));
    const pitched = (i: number) => per[i]! >= minPer && vad.db[i]! > lo;
    let all = 0;
    let onNotes = 0;
    let run = 0;
    let bandLo = 0;
    let bandHi = 0;
    // The previous and next kept (not hole) frames of i, for the running median.
    let prev = -1;
    for (let i = from; i < vad.n; i++) {
      if (hole[i]) continue;
      let next = i + 1;
      while (next < vad.n && hole[next]) next++;
      if (!pitched(i)) {
        if (run >= minRun) onNotes += run;
        run = 0;
        prev = i;
        continue;
      }
      all++;
      const m = prev >= from && next < vad.n && pitched(prev) && pitched(next) ? median3(lag[prev]!, lag[i]!, lag[next]!) : lag[i]!;
      if (run > 0 && Math.max(bandHi, m) - Math.min(bandLo, m) <= 1) {
        run++;
        bandLo = Math.min(bandLo, m);
        bandHi = Math.max(bandHi, m);
      } else {
        if (run >= minRun) onNotes += run;
        run = 1;
        bandLo = bandHi = m;
      }
      prev = i;
    }
    if (run >= minRun) onNotes += run;
    return all ? onNotes / all : 0;
  }

  /**
   * Music the level VAD has sunk into the floor (see sunkPitch): after musicMinMs of sound, when at least
   * sunkMusicMinShare of the frames since the sound began (the greeting's onset, or the first sound when the VAD has
   * none) are under the threshold, at least sunkMusicMinPeriodicShare of those keep a pitch, the pitch holds
   * (sunkMusicMinPitchHold) and the voicing does not swing at the syllable rate (sunkMusicMaxVoicingSwing): a person's
   * quiet in white, pink or brown noise has no pitch, and a voice's pitch comes and goes with its syllables.
   */
  private sunkMusic(onset: number): ShapeDecision | null {
    const c = this.cfg;
    const vad = this.vad;
    // Not while tracing features for training (scripts/train-amd.ts): the trace runs to the end of the recording.
    if (this.trace || c.sunkMusicMinShare <= 0) return this.refused('sunk', 'off');
    const from = onset >= 0 ? onset : vad.firstSoundIndex;
    if (from < 0 || (vad.n - from) * FRAME_MS < c.musicMinMs) return this.refused('sunk', 'short');
    const lab = this.side.labels;
    const k = sunkPitch(vad, this.side, lab, from, vad.n, this.vadCfg.minPeriodicity);
    if (k.sunkShare < c.sunkMusicMinShare) return this.refused('sunk', 'sunk share');
    if (k.sunkPeriodicShare < c.sunkMusicMinPeriodicShare) return this.refused('sunk', 'pitch share');
    if (k.pitchHold < c.sunkMusicMinPitchHold) return this.refused('sunk', 'pitch hold');
    if (k.tonalShare >= c.maxTonalShare) return this.refused('sunk', 'tonal');
    const swing = voicingSwing(vad, from, vad.n);
    if (swing >= c.sunkMusicMaxVoicingSwing) return this.refused('sunk', 'voicing swing');
    this.passed('sunk');
    return this.decide({
      kind: 'music',
      confidence: r3(k.sunkPeriodicShare),
      reason: `pitched sound under the line's floor for ${(vad.n - from) * FRAME_MS} ms`,
      features: {
        sunkShare: r3(k.sunkShare),
        sunkPeriodicShare: r3(k.sunkPeriodicShare),
        pitchHold: r3(k.pitchHold),
        voicingSwing: r3(swing),
      },
    });
  }

  /** A noisy line's pending person (see `pending`): still waiting (no verdict), or the person verdict now. */
  private pendingOutcome(waited: 'wait' | 'person'): ShapeDecision | null {
    const pd = this.pending!;
    if (waited === 'wait') return null;
    return this.verdict(
      0,
      `${pd.spanMs} ms greeting in ${pd.bursts} burst(s), then ${this.t - pd.endMs} ms with nothing within ${this.cfg.resumeWithinDb} dB of its loudest (noisy line)`,
      pd.conf,
    );
  }

  /** A music route refused at `gate` (musicGates). */
  private refused(route: MusicRoute, gate: string): null {
    this.musicGates[route] = gate;
    return null;
  }

  /** A music route called it (musicRoute, musicGates). */
  private passed(route: MusicRoute | 'guess'): void {
    this.musicRoute = route;
    if (route !== 'guess') this.musicGates[route] = '';
  }

  private verdict(cls: number, reason: string, confidence = this.p[cls]!): ShapeDecision {
    return this.decide({ kind: MODEL_CLASSES[cls]!, confidence: r3(confidence), reason, features: this.deciding(cls) });
  }

  /** The three features that pushed hardest towards `cls` (raw values, as the operator can read them). */
  private deciding(cls: number): Record<string, number> {
    const m = this.model!;
    const w = m.weights;
    const push = FEATURE_NAMES.map((_, i) => {
      let other = 0;
      for (let c = 0; c < w.length; c++) if (c !== cls) other += w[c]![i + 1]!;
      return (w[cls]![i + 1]! - other / (w.length - 1)) * this.z[i]!;
    });
    const top = push
      .map((v, i) => [v, i] as const)
      .sort((a, b) => b[0] - a[0])
      .slice(0, 3);
    return Object.fromEntries(top.map(([, i]) => [FEATURE_NAMES[i]!, r3(this.x[i]!)]));
  }

  private decide(d: ShapeDecision): ShapeDecision {
    this.decided = d;
    return d;
  }
}
