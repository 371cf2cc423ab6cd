/**
 * The call analyser: one per call leg. Fed 20 ms frames of incoming audio,
 * first early media (SIT, busy/reorder, ringback, fax, announcements), then,
 * after `answered()`, the answered audio (human / machine / notsure, fax,
 * beep, silence, announcements). Verdicts come out as they are decided;
 * `done` turns true with the final one.
 */
import { AnnouncementMatcher, type AnnouncementLibrary } from './announcements';
import { Amd } from './amd';
import { ShapeAmd } from './amd-model';
import { mediaConfig, type MediaConfig } from './config';
import { FeatureExtractor } from './features';
import { SIT_BANK, SitDetector } from './sit';
import { BeepDetector, CadenceDetector, FaxDetector, type BeepResult } from './tones';
import { FRAME_MS, FRAME_SAMPLES, type AnalysisPhase, type CallAnalyzer, type Verdict } from './types';
import { Vad } from './vad';

export interface CallAnalyzerOptions {
  /** Media config (e.g. the loaded `config.media`); schema defaults when omitted. */
  config?: Partial<MediaConfig> | MediaConfig;
  /** Per-call overrides deep-merged over `config` (AnalysisRequest.overrides). */
  overrides?: Record<string, unknown>;
  /** Tone plan for busy/reorder/ringback; config.defaultRegion when omitted. */
  region?: string;
  /** After a machine verdict keep listening for the voicemail beep. */
  waitForBeep?: boolean;
  announcements?: AnnouncementLibrary;
  /** Where the first frame is: early media (default) or already answered. */
  phase?: AnalysisPhase;
  /** Diagnosis: handed the model decider when the answer creates it (bench/detect-music-gates.ts reads its musicGates). */
  onShape?: (shape: ShapeAmd) => void;
}

const NONE: Verdict[] = [];
/** A tone frame is not speech: speech rarely puts half its energy in one frequency. */
const SPEECH_MAX_PURITY = 0.5;

const resolved = new WeakMap<object, MediaConfig>();
function resolve(opts: CallAnalyzerOptions): MediaConfig {
  if (opts.overrides || !opts.config) return mediaConfig(opts.config, opts.overrides);
  let c = resolved.get(opts.config);
  if (!c) resolved.set(opts.config, (c = mediaConfig(opts.config)));
  return c;
}

class Analyzer implements CallAnalyzer {
  private readonly cfg: MediaConfig;
  private readonly fx: FeatureExtractor;
  private readonly vad: Vad;
  private readonly sit: SitDetector;
  private fax: FaxDetector;
  private readonly cadence: CadenceDetector;
  private readonly beep: BeepDetector;
  private amd: Amd | null = null;
  private shape: ShapeAmd | null = null;
  private matcher: AnnouncementMatcher | null;
  private phase: AnalysisPhase = 'early';
  private t = 0;
  private speechSeen = false;
  private speechRun = 0;
  private voiceRun = 0;
  private pendingMachine: Verdict | null = null;
  /** A beep whose tone ran straight into another tone (a SIT's first segment?): held while that run lasts. */
  private heldBeep: BeepResult | null = null;
  /** A music verdict held while a busy/reorder cadence is under way (answeredFrame). */
  private heldMusic: Verdict | null = null;
  private machineAt = -1;
  private finished = false;

  constructor(private readonly opts: CallAnalyzerOptions) {
    this.cfg = resolve(opts);
    // A bare media config (no phone region to follow) reads tones as North American, as before.
    const regionName = opts.region ?? (this.cfg.defaultRegion || 'NA');
    const region = this.cfg.regions[regionName];
    if (!region) throw new Error(`unknown tone region "${regionName}" (configured: ${Object.keys(this.cfg.regions).join(', ')})`);
    const bank = [...CadenceDetector.bankFor(region), ...SIT_BANK];
    this.fx = new FeatureExtractor(bank, this.cfg.tones.noiseFloorWindowMs / FRAME_MS);
    this.vad = new Vad(this.cfg.vad);
    this.sit = new SitDetector(this.cfg.sit, this.cfg.tones, bank);
    this.fax = new FaxDetector(this.cfg.fax, this.cfg.tones);
    this.cadence = new CadenceDetector(region, bank, this.cfg.tones);
    this.beep = new BeepDetector(this.cfg.beep, this.cfg.tones);
    this.regionName = regionName;
    this.matcher = this.newMatcher();
    if (opts.phase === 'answered') this.answered();
  }

  private readonly regionName: string;

  get done(): boolean {
    return this.finished;
  }

  private newMatcher(): AnnouncementMatcher | null {
    const lib = this.opts.announcements;
    return lib && lib.size ? new AnnouncementMatcher(lib, this.cfg.announcements) : null;
  }

  answered(): Verdict[] {
    if (this.finished || this.phase === 'answered') return NONE;
    this.phase = 'answered';
    if (this.cfg.amd.decider === 'model') {
      this.shape = new ShapeAmd(this.cfg.amd, this.cfg.vad);
      this.opts.onShape?.(this.shape);
    } else this.amd = new Amd(this.cfg.amd);
    this.speechSeen = false;
    this.speechRun = 0;
    this.fax = new FaxDetector(this.cfg.fax, this.cfg.tones);
    this.matcher = this.newMatcher();
    return NONE;
  }

  push(frame: Int16Array): Verdict[] {
    if (this.finished) return NONE;
    if (frame.length !== FRAME_SAMPLES) throw new RangeError(`frames are ${FRAME_SAMPLES} samples (20 ms at 8 kHz), got ${frame.length}`);
    this.t += FRAME_MS;
    const t = this.t;
    const f = this.fx.compute(frame);
    const voiced = this.vad.push(f.meanAbs);
    // Speech, not tone: tones (fax, beeps) must neither arm the beep detector nor look like a greeting.
    const speech = voiced && f.purity < this.cfg.tones.minPurity;
    this.speechRun = speech ? this.speechRun + FRAME_MS : 0;
    if (this.speechRun >= this.cfg.amd.minWordLengthMs && f.purity < SPEECH_MAX_PURITY) this.speechSeen = true;

    const sit = this.sit.push(f);
    if (sit) return this.final({ kind: 'sit', atMs: t, code: sit.code, freqsHz: sit.freqsHz });
    if (this.machineAt < 0) {
      const fax = this.fax.push(f, this.speechSeen);
      if (fax) return this.final({ kind: 'fax', atMs: t, tone: fax });
    }
    const match = this.matcher?.push(f.energy, f.diffEnergy, voiced);
    if (match) {
      const { ref, confidence } = match;
      return this.final({
        kind: 'announcement',
        atMs: t,
        class: ref.class,
        ...(ref.carrier ? { carrier: ref.carrier } : {}),
        reference: ref.name,
        confidence: Math.round(confidence * 1000) / 1000,
      });
    }
    return this.phase === 'early' ? this.early(f, t) : this.answeredFrame(frame, f, speech, t);
  }

  private early(f: ReturnType<FeatureExtractor['compute']>, t: number): Verdict[] {
    const c = this.cadence.push(f);
    if (c === 'ringback') return [{ kind: 'ringback', atMs: t, region: this.regionName }];
    if (c) return this.final({ kind: 'busy', atMs: t, region: this.regionName, pattern: c });
    return NONE;
  }

  private answeredFrame(frame: Int16Array, f: ReturnType<FeatureExtractor['compute']>, speech: boolean, t: number): Verdict[] {
    const shape = this.shape;
    let onset = this.amd ? this.amd.onset : -1;
    let decided: ReturnType<ShapeAmd['push']> = null;
    if (shape && this.machineAt < 0) {
      // Some carriers answer, then play busy/reorder: the region's cadence counts after answer too.
      const c = this.cadence.push(f);
      if (c && c !== 'ringback') return this.final({ kind: 'busy', atMs: t, region: this.regionName, pattern: c });
      decided = shape.push(frame, f.purity, f.freqHz, f.harmonicShare);
      onset = shape.onsetMs;
      // The level-independent VAD hears voice (not tone): a beep after it is a voicemail beep, −30 dB lines included.
      const v = shape.vad;
      this.voiceRun = v.n && v.voiced(v.n - 1) && f.purity < SPEECH_MAX_PURITY ? this.voiceRun + FRAME_MS : 0;
      if (this.voiceRun >= this.cfg.amd.minWordLengthMs) this.speechSeen = true;
    }
    // A beep after speech means a machine, even when its greeting was short enough to pass for a person.
    let beep = this.speechSeen ? this.beep.push(f) : null;
    // A tone that runs straight into another tone of a different frequency (within sit.maxGapMs) is not a
    // voicemail beep yet: it may be a SIT's first segment (noise before it can pass for speech), so it waits
    // until the SIT detector has judged the run — a SIT ends the call above, else the beep stands.
    // So does a beep that ended while the SIT detector, which reads the tone's own bin (robust to broadband noise),
    // still hears it: noise broke the tone's purity for the beep detector, the tone goes on (a SIT's first segment).
    if (beep && (this.sit.inSequence || this.sit.toneOn(beep.freqHz))) {
      this.heldBeep ??= beep;
      beep = null;
    }
    if (this.heldBeep) {
      if (this.sit.inSequence || this.sit.toneOn(this.heldBeep.freqHz)) return NONE;
      beep = this.heldBeep;
      this.heldBeep = null;
    }
    if (beep) {
      const out: Verdict[] = [];
      if (this.machineAt < 0) {
        const reason = `beep ${beep.freqHz} Hz after ${onset >= 0 ? t - onset : 0} ms of audio`;
        out.push(this.pendingMachine ? { ...this.pendingMachine, atMs: t } : { kind: 'machine', atMs: t, reason });
      }
      this.pendingMachine = null;
      out.push({ kind: 'beep', atMs: t, freqHz: beep.freqHz, durationMs: beep.durationMs });
      return this.final(...out);
    }
    if (this.machineAt >= 0) {
      if (t - this.machineAt >= this.cfg.amd.beepTimeoutMs) this.finished = true;
      return NONE;
    }
    // Held music (below): released once no busy/reorder cadence is under way, or after the longest one's confirmation.
    const held = this.heldMusic;
    if (held) {
      if (this.cadenceMayFollow() && t - held.atMs < this.cadence.longestConfirmMs) return NONE;
      this.heldMusic = null;
      return this.final({ ...held, atMs: t });
    }
    const d = shape ? decided : this.amd!.push(speech);
    if (d && d.kind !== 'silence' && 'confidence' in d) {
      const { kind, ...rest } = d;
      const v = { kind, atMs: t, ...rest } as Verdict;
      // A steady tone with a busy/reorder cadence under way looks like music to the model (pitched, held notes); in
      // babble its segments break up and it can take longer than musicMinMs to confirm: the cadence has the first say.
      if (kind === 'music' && shape && this.cadenceMayFollow()) {
        this.heldMusic = v;
        return NONE;
      }
      if (kind !== 'machine') return this.final(v);
      if (this.matcher && !this.matcher.finished) this.pendingMachine = v;
      else return this.machine(v, t);
    } else if (d) {
      if (d.kind === 'silence') return this.final({ kind: 'silence', atMs: t, durationMs: d.durationMs });
      const v: Verdict = { kind: d.kind, atMs: t, reason: d.reason };
      if (d.kind !== 'machine') return this.final(v);
      if (this.matcher && !this.matcher.finished) this.pendingMachine = v;
      else return this.machine(v, t);
    } else if (this.pendingMachine && (!this.matcher || this.matcher.finished)) {
      const v = { ...this.pendingMachine, atMs: t };
      this.pendingMachine = null;
      return this.machine(v, t);
    }
    return NONE;
  }

  /**
   * A music verdict waits (at most the region's longest cadence confirmation) while a busy/reorder cadence is under
   * way; one judged on the whole line's pitch (ShapeAmd.musicOnLine) also while a busy/reorder tone of the plan has
   * been heard at all: talk over a busy breaks its segments, and the tone under it is a pitched, held sound.
   */
  private cadenceMayFollow(): boolean {
    return this.cadence.busyInProgress || (!!this.shape?.musicOnLine && this.cadence.busyToneHeard);
  }

  private machine(v: Verdict, t: number): Verdict[] {
    if (this.opts.waitForBeep) {
      this.machineAt = t;
      return [v];
    }
    return this.final(v);
  }

  private final(...v: Verdict[]): Verdict[] {
    this.finished = true;
    return v;
  }
}

/** Creates the analyser for one call leg (see CallAnalyzer in ./types). */
export function createCallAnalyzer(opts: CallAnalyzerOptions = {}): CallAnalyzer {
  return new Analyzer(opts);
}

/** Runs a whole recording through a fresh analyser; `answerAtMs` switches phase mid-file. */
export function analyzePcm(pcm: Int16Array, opts: CallAnalyzerOptions & { answerAtMs?: number } = {}): Verdict[] {
  const a = createCallAnalyzer(opts);
  const out: Verdict[] = [];
  const frame = new Int16Array(FRAME_SAMPLES);
  for (let i = 0; i < pcm.length && !a.done; i += FRAME_SAMPLES) {
    if (opts.answerAtMs !== undefined && (i / FRAME_SAMPLES) * FRAME_MS === Math.round(opts.answerAtMs / FRAME_MS) * FRAME_MS)
      out.push(...a.answered());
    frame.fill(0);
    frame.set(pcm.subarray(i, Math.min(i + FRAME_SAMPLES, pcm.length)));
    out.push(...a.push(frame));
  }
  return out;
}
