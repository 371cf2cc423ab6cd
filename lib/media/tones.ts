/**
 * Single-tone detectors (fax CED/CNG, voicemail beep) and the cadence detector
 * for a region's busy / reorder / ringback tones. All work on FrameFeatures.
 */
import type { MediaConfig, ToneSpec } from '../config/sections/media';
import type { FrameFeatures } from './features';
import { FRAME_MS, SAMPLE_RATE } from './types';

/** Tracks a run of frames holding one steady tone that satisfies `accept`. */
class ToneRun {
  frames = 0;
  freqSum = 0;
  /** Non-matching frames tolerated inside a run (phase reversals, codec glitches). */
  private dropouts = 0;

  constructor(private readonly maxDropouts = 1) {}

  get meanFreq(): number {
    return this.frames ? this.freqSum / this.frames : 0;
  }

  /** Returns the length in ms of a run that has just ended, else 0. */
  push(hit: boolean, freq: number): number {
    if (hit) {
      this.frames += 1 + this.dropouts;
      this.freqSum += freq * (1 + this.dropouts);
      this.dropouts = 0;
      return 0;
    }
    if (this.frames === 0) return 0;
    if (this.dropouts < this.maxDropouts) {
      this.dropouts++;
      return 0;
    }
    const ms = this.frames * FRAME_MS;
    this.reset();
    return ms;
  }

  reset(): void {
    this.frames = 0;
    this.freqSum = 0;
    this.dropouts = 0;
  }
}

export type FaxTone = 'CED' | 'CNG';

/** CED 2100 Hz (answering fax/modem) and CNG 1100 Hz bursts (calling fax), ITU-T T.30. */
export class FaxDetector {
  private readonly ced = new ToneRun(2);
  private readonly cng = new ToneRun(1);
  private lastCngEndMs = -1;
  private t = 0;

  constructor(
    private readonly cfg: MediaConfig['fax'],
    private readonly tones: MediaConfig['tones'],
  ) {}

  /** `speechSeen`: a voice was heard before; then one 1100 Hz burst may be a beep, so CNG needs two bursts 3 s apart. */
  push(f: FrameFeatures, speechSeen: boolean): FaxTone | null {
    this.t += FRAME_MS;
    const c = this.cfg;
    const tone = f.meanAbs >= this.tones.minLevel && f.purity >= this.tones.minPurity;
    this.ced.push(tone && Math.abs(f.freqHz - c.cedHz) <= c.cedToleranceHz, f.freqHz);
    if (this.ced.frames * FRAME_MS >= c.cedMinMs) return 'CED';
    const ended = this.cng.push(tone && Math.abs(f.freqHz - c.cngHz) <= c.cngToleranceHz, f.freqHz);
    if (ended) {
      const slack = this.tones.frameSlackMs;
      if (ended >= c.cngMinMs - slack && ended <= c.cngMaxMs + slack) {
        const start = this.t - ended - 2 * FRAME_MS;
        // T.30: 0.5 s on, 3 s off ± 15 %.
        const gapOk = this.lastCngEndMs >= 0 && Math.abs(start - this.lastCngEndMs - 3000) <= 450 + slack;
        this.lastCngEndMs = this.t - 2 * FRAME_MS;
        if (!speechSeen || gapOk) return 'CNG';
      }
    }
    return null;
  }
}

export interface BeepResult {
  freqHz: number;
  durationMs: number;
  /** Median frame-to-frame level change inside the beep (its first and last frames left out), dB. */
  levelJitterDb: number;
  /** Spread (max − min) of the frame frequencies inside the beep, % of their mean. */
  freqSpreadPct: number;
  /** Median share of the frames' energy at the frequency's half and harmonics (features.ts harmonicShare). */
  harmonicShare: number;
  /** Median level of the beep's first half less that of its second half (first and last frames left out), dB: a struck note decays, a beep holds. */
  levelDropDb: number;
  /**
   * The frequency's slow swing (first and last frames left out), % of the mean: the RMS deviation of the frame
   * frequencies from their mean less what frame-to-frame estimate noise explains, √max(0, var − ½·mean squared
   * successive difference) (von Neumann: independent noise has ½·MSSD = var, a swing over several frames far less):
   * a held note's vibrato.
   */
  vibratoPct: number;
}

/** Frames a beep's statistics keep: maxMs is at most a few seconds; longer runs are cut by maxMs anyway. */
const BEEP_STAT_FRAMES = 256;

/**
 * Voicemail beep: one steady tone in [minHz, maxHz] lasting [minMs, maxMs], reported when it ends.
 *
 * A held vowel can be as pure and as steady in frequency for a few hundred ms (a spoken letter's "ay" read
 * as a 446 Hz beep), so a beep must also lack what a voice has: a fundamental and harmonics beside its
 * strongest partial (`maxHarmonicShare`, the median of the frames' features.ts harmonicShare). The run's
 * level jitter (median frame-to-frame change) and frequency spread are measured too and can be bounded
 * (`maxLevelJitterDb`, `maxFreqSpreadPct`), but are open by default: on the dev corpora they do not
 * separate beeps from vowels (`npm run bench -- detect-beeps`). The first and last frames are left out of
 * all three (a tone's partial frames and fades); medians keep one lost packet from spoiling a real beep.
 */
export class BeepDetector {
  private frames = 0;
  private freqSum = 0;
  private dropout = 0;
  /** Level (dB of meanAbs) and frequency of each frame that matched, in order. */
  private readonly lv = new Float64Array(BEEP_STAT_FRAMES);
  private readonly fq = new Float64Array(BEEP_STAT_FRAMES);
  private readonly hs = new Float64Array(BEEP_STAT_FRAMES);
  private readonly scratch = new Float64Array(BEEP_STAT_FRAMES);
  private k = 0;

  constructor(
    private readonly cfg: MediaConfig['beep'],
    private readonly tones: MediaConfig['tones'],
  ) {}

  push(f: FrameFeatures): BeepResult | null {
    const c = this.cfg;
    const mean = this.frames ? this.freqSum / this.frames : 0;
    const hit =
      f.meanAbs >= this.tones.minLevel &&
      f.purity >= this.tones.minPurity &&
      // The range edges get the measurement tolerance: a 2000 Hz beep reads 2001 Hz.
      f.freqHz >= c.minHz * (1 - this.tones.freqTolerancePct / 100) &&
      f.freqHz <= c.maxHz * (1 + this.tones.freqTolerancePct / 100) &&
      (this.frames === 0 || Math.abs(f.freqHz - mean) <= (mean * c.stabilityPct) / 100);
    if (hit) {
      this.frames += 1 + this.dropout;
      this.freqSum += f.freqHz * (1 + this.dropout);
      this.dropout = 0;
      if (this.k < BEEP_STAT_FRAMES) {
        this.lv[this.k] = 20 * Math.log10(f.meanAbs);
        this.hs[this.k] = f.harmonicShare;
        this.fq[this.k++] = f.freqHz;
      }
      return null;
    }
    if (this.frames === 0) return null;
    if (this.dropout === 0 && f.meanAbs >= this.tones.minLevel) {
      // One odd frame (often the tone's own fade) may sit inside a beep.
      this.dropout = 1;
      return null;
    }
    // The tone's first and last frames are usually partial: count them as half.
    const durationMs = this.frames * FRAME_MS;
    const freqHz = Math.round(mean);
    const { levelJitterDb, freqSpreadPct, harmonicShare, levelDropDb, vibratoPct } = this.stats();
    this.frames = 0;
    this.freqSum = 0;
    this.dropout = 0;
    this.k = 0;
    if (durationMs + this.tones.frameSlackMs < c.minMs || durationMs - this.tones.frameSlackMs > c.maxMs) return null;
    if (levelJitterDb > c.maxLevelJitterDb || freqSpreadPct > c.maxFreqSpreadPct || harmonicShare > c.maxHarmonicShare) return null;
    // A plucked, struck or bell-like note in hold music is as pure as a beep once its attack has faded, but it fades
    // on: its level falls through the note. A beep is a generated tone held at one level.
    if (levelDropDb > c.maxLevelDropDb) return null;
    // A held note with vibrato is as pure and as level as a beep, but its frequency swings smoothly around the note
    // (4–7 Hz, ±1 % a small vibrato: an RMS of 0.71 %, most of it slow against 20 ms frames); a generated beep holds
    // one frequency, and its estimate's noise in a noisy line (≈ 3 Hz RMS at 10 dB: 0.7 % of 440 Hz) is independent
    // from frame to frame, so the swing measure leaves it out.
    if (vibratoPct > c.maxVibratoPct) return null;
    return { freqHz, durationMs, levelJitterDb, freqSpreadPct, harmonicShare, levelDropDb, vibratoPct };
  }

  /** Level jitter and frequency spread of the frames matched so far, edges left out. */
  private stats(): { levelJitterDb: number; freqSpreadPct: number; harmonicShare: number; levelDropDb: number; vibratoPct: number } {
    const from = this.k > 4 ? 1 : 0;
    const to = this.k > 4 ? this.k - 1 : this.k;
    const d = this.scratch;
    let m = 0;
    let lo = Infinity;
    let hi = -Infinity;
    let sum = 0;
    for (let i = from; i < to; i++) {
      const q = this.fq[i]!;
      if (q < lo) lo = q;
      if (q > hi) hi = q;
      sum += q;
      if (i > from) d[m++] = Math.abs(this.lv[i]! - this.lv[i - 1]!);
    }
    const jitter = m ? d.subarray(0, m).sort()[m >> 1]! : 0;
    const mean = to > from ? sum / (to - from) : 0;
    const spread = mean ? ((hi - lo) / mean) * 100 : 0;
    let sq = 0;
    let ssd = 0;
    for (let i = from; i < to; i++) {
      sq += (this.fq[i]! - mean) ** 2;
      if (i > from) ssd += (this.fq[i]! - this.fq[i - 1]!) ** 2;
    }
    const slow = to - from > 2 ? sq / (to - from) - ssd / (to - from - 1) / 2 : 0;
    const vibrato = mean && slow > 0 ? (Math.sqrt(slow) / mean) * 100 : 0;
    const h = this.hs.subarray(from, to);
    d.set(h);
    const harmonic = h.length ? d.subarray(0, h.length).sort()[h.length >> 1]! : 0;
    // The level's fall from the first half to the second, on medians (a lost packet's frame is no fall).
    const mid = (from + to) >> 1;
    const med = (a: number, b: number) => {
      if (b <= a) return 0;
      d.set(this.lv.subarray(a, b));
      return d.subarray(0, b - a).sort()[(b - a) >> 1]!;
    };
    const drop = to - from >= 2 ? med(from, mid) - med(mid, to) : 0;
    const r2 = (v: number) => Math.round(v * 100) / 100;
    return {
      levelJitterDb: r2(jitter),
      freqSpreadPct: r2(spread),
      harmonicShare: Math.round(harmonic * 1000) / 1000,
      levelDropDb: r2(drop),
      vibratoPct: Math.round(vibrato * 1000) / 1000,
    };
  }
}

export type CadenceKind = 'busy' | 'reorder' | 'ringback';

/**
 * A frame's energy less the line's noise floor (FrameFeatures.noiseEnergy), at least (1 − maxNoiseShare) of it:
 * what a tone's share is judged of on a noisy line, since noise that fills the band dilutes a tone's share of the
 * whole frame without touching the tone.
 */
export function toneEnergy(f: FrameFeatures, maxNoiseShare: number): number {
  return Math.max(f.energy - f.noiseEnergy, f.energy * (1 - maxNoiseShare));
}

/**
 * A fixed bin's share of a noisy frame: of the frame's energy less the noise floor (toneEnergy), or of the
 * first difference's energy (the frame pre-emphasised: a tone at f keeps 4 sin²(πf/8000) of its energy, a
 * rumble — brown noise, hum, a voice's low harmonics — far less), whichever is larger: the noise's own tilt
 * decides which view leaves the tone clearer.
 */
export function binShare(f: FrameFeatures, k: number, hz: number, maxNoiseShare: number): number {
  return Math.max(viewShare(f, k, hz, maxNoiseShare, false), viewShare(f, k, hz, maxNoiseShare, true));
}

/** binShare in one view: of the energy less the noise floor, or (`pre`) of the first difference's energy. */
function viewShare(f: FrameFeatures, k: number, hz: number, maxNoiseShare: number, pre: boolean): number {
  if (!pre) {
    const e = toneEnergy(f, maxNoiseShare);
    return e > 0 ? (f.bins[k]! * f.energy) / e : 0;
  }
  const s = Math.sin((Math.PI * hz) / SAMPLE_RATE);
  return f.diffEnergy > 0 ? (f.bins[k]! * f.energy * 4 * s * s) / f.diffEnergy : 0;
}

interface Track {
  freqs: number[];
  /** Bin indexes of the two frequencies of a dual tone in the feature bank. */
  binIdx: number[];
  specs: Array<{ kind: CadenceKind; spec: ToneSpec }>;
  on: boolean;
  runFrames: number;
  pending: number;
  /** Completed segments, newest last: ms, positive = on, negative = off. */
  history: number[];
  /** The first segment began with the stream, so its length is unknown: dropped. */
  sawFirst: boolean;
}

/**
 * Busy / reorder / ringback for one region: frames are classified "tone on"
 * per frequency set (single tone: the plan frequency's bin holds the energy and
 * its phase turn puts the tone within the tolerance; dual: the two bins hold
 * the energy, twist bounded; shares judged against the frame less the line's
 * noise floor, or pre-emphasised: binShare), state changes need
 * two agreeing frames, a run of at most tones.cadenceMaxHoleMs (shorter than
 * any segment of its polarity) is a hole in the segment around it (babble's
 * loud syllables break a tone's share for a few frames), and the completed on/off segments
 * are matched against each tone's cadence at any phase, within the cadence
 * tolerance.
 */
export class CadenceDetector {
  private readonly tracks: Track[] = [];
  private ringbackSent = false;

  /** `bankFreqs`: the fixed bins the FeatureExtractor computes (dual-tone frequencies). */
  constructor(
    region: MediaConfig['regions'][string],
    readonly bankFreqs: number[],
    private readonly tones: MediaConfig['tones'],
  ) {
    for (const kind of ['busy', 'reorder', 'ringback'] as const) {
      const spec = region[kind];
      const key = spec.freqsHz.join('+');
      let tr = this.tracks.find((t) => t.freqs.join('+') === key);
      if (!tr) {
        tr = {
          freqs: spec.freqsHz,
          binIdx: spec.freqsHz.map((f) => bankFreqs.indexOf(f)),
          specs: [],
          on: false,
          runFrames: 0,
          pending: 0,
          history: [],
          sawFirst: false,
        };
        this.tracks.push(tr);
      }
      tr.specs.push({ kind, spec });
    }
  }

  /**
   * A run (on: tone, or off: gap) at most this long is a hole in the segment around it: tones.cadenceMaxHoleMs, and
   * less than any segment of that polarity in the track's cadences (less the cadence tolerance and the frame slack).
   */
  private holeMs(tr: Track, on: boolean): number {
    let min = Infinity;
    for (const { spec } of tr.specs) spec.cadenceMs.forEach((c, i) => (i % 2 === 0) === on && (min = Math.min(min, c)));
    return Math.min(this.tones.cadenceMaxHoleMs, min * (1 - this.tones.cadenceTolerancePct / 100) - this.tones.frameSlackMs - FRAME_MS);
  }

  /** Frequencies that need a fixed bin: every tone of the plan (dual tones' shares, single tones' share and offset). */
  static bankFor(region: MediaConfig['regions'][string]): number[] {
    const s = new Set<number>();
    for (const k of ['busy', 'reorder', 'ringback'] as const) region[k].freqsHz.forEach((f) => s.add(f));
    return [...s];
  }

  push(f: FrameFeatures): CadenceKind | null {
    let result: CadenceKind | null = null;
    for (const tr of this.tracks) {
      const hit = this.matches(tr, f);
      if (hit === tr.on) {
        tr.runFrames += 1 + tr.pending;
        tr.pending = 0;
        continue;
      }
      if (++tr.pending < 2) continue;
      // State flips; the frames that confirmed it belong to the new state.
      const last = tr.history[tr.history.length - 1];
      if (tr.runFrames > 0 && !tr.sawFirst) tr.sawFirst = true;
      else if (last !== undefined && last > 0 === hit && tr.runFrames * FRAME_MS <= this.holeMs(tr, tr.on)) {
        // Shorter than any segment of its polarity in the plan's cadences: a hole in the segment before it (babble's
        // loud syllable over a tone, a tone-like blip of it in a gap), which resumes now and takes the hole in.
        tr.history.pop();
        tr.on = hit;
        tr.runFrames = Math.abs(last) / FRAME_MS + tr.runFrames + tr.pending;
        tr.pending = 0;
        continue;
      } else if (tr.runFrames > 0) {
        tr.history.push((tr.on ? 1 : -1) * tr.runFrames * FRAME_MS);
        if (tr.history.length > 8) tr.history.shift();
        const r = this.evaluate(tr);
        if (r) result = r;
      }
      tr.on = hit;
      tr.runFrames = tr.pending;
      tr.pending = 0;
    }
    return result;
  }

  private matches(tr: Track, f: FrameFeatures): boolean {
    const t = this.tones;
    if (f.meanAbs < t.minLevel && !this.clearOfFloor(f)) return false;
    // Shares of the frame less the line's noise (f.bins are shares of the whole frame's): binShare.
    if (tr.freqs.length === 1) {
      // The bin at the plan's frequency holds the tone, and its phase turn puts the tone within the tolerance:
      // both measured in the tone's own narrow band, which broadband noise leaves alone (zero crossings do not).
      const ref = tr.freqs[0]!;
      const k = tr.binIdx[0]!;
      return binShare(f, k, ref, t.maxNoiseShare) >= t.minPurity && Math.abs(f.binOffsetHz[k]!) <= (ref * t.freqTolerancePct) / 100;
    }
    const minRatio = Math.pow(10, -t.maxTwistDb / 10);
    for (const pre of [false, true]) {
      const a = viewShare(f, tr.binIdx[0]!, tr.freqs[0]!, t.maxNoiseShare, pre);
      const b = viewShare(f, tr.binIdx[1]!, tr.freqs[1]!, t.maxNoiseShare, pre);
      if (a + b >= t.minDualShare && Math.min(a, b) >= Math.max(a, b) * minRatio) return true;
    }
    return false;
  }

  /**
   * A frame under tones.minLevel that still counts for the cadence: at least cadenceQuietMinLevel, and
   * cadenceMinOverFloorDb over the line's noise floor (FrameFeatures.noiseEnergy: a cadence's own off segments). A
   * busy played 30 dB down (a quiet trunk, a far-end PBX's level) sits under the fixed level, yet far over the line's
   * floor; the tone tests that follow (a bin's share, the twist) are level-free. 0 (either key): the fixed level only.
   */
  private clearOfFloor(f: FrameFeatures): boolean {
    const t = this.tones;
    if (t.cadenceQuietMinLevel <= 0 || t.cadenceMinOverFloorDb <= 0 || f.meanAbs < t.cadenceQuietMinLevel) return false;
    return f.energy >= f.noiseEnergy * Math.pow(10, t.cadenceMinOverFloorDb / 10);
  }

  /**
   * A busy or reorder cadence under way and not yet confirmed: the newest completed segment has the length and
   * polarity of one of the cadence's segments, and the run since is no longer than its longest segment. What the
   * analyser holds a music verdict for (a cadence broken up by babble can take longer than musicMinMs to confirm).
   */
  get busyInProgress(): boolean {
    for (const tr of this.tracks) {
      const last = tr.history[tr.history.length - 1];
      if (last === undefined) continue;
      const run = (tr.runFrames + tr.pending) * FRAME_MS;
      for (const { kind, spec } of tr.specs) {
        if (kind === 'ringback') continue;
        const cad = spec.cadenceMs;
        const fits = cad.some((c, i) => (i % 2 === 0) === last > 0 && this.close(Math.abs(last), c));
        if (fits && run <= Math.max(...cad) * (1 + this.tones.cadenceTolerancePct / 100) + this.tones.frameSlackMs) return true;
      }
    }
    return false;
  }

  /**
   * A busy or reorder tone of the plan has been heard for at least one of its cadence's on-segments (a completed
   * on-segment that long, or the tone on that long now), whether or not its segments fit the cadence (babble breaks
   * them up). What the analyser holds a music verdict judged on the whole line for: a steady tone under talk is a
   * pitched, held sound on the line.
   */
  get busyToneHeard(): boolean {
    for (const tr of this.tracks) {
      let minOn = Infinity;
      for (const { kind, spec } of tr.specs)
        if (kind !== 'ringback') spec.cadenceMs.forEach((c, i) => i % 2 === 0 && (minOn = Math.min(minOn, c)));
      if (minOn === Infinity) continue;
      const need = minOn * (1 - this.tones.cadenceTolerancePct / 100) - this.tones.frameSlackMs;
      if ((tr.on && tr.runFrames * FRAME_MS >= need) || tr.history.some((ms) => ms >= need)) return true;
    }
    return false;
  }

  /** The longest a busy or reorder cadence of this region takes to confirm (confirmSegments of its longest segment, and one more). */
  get longestConfirmMs(): number {
    let ms = 0;
    for (const tr of this.tracks)
      for (const { kind, spec } of tr.specs)
        if (kind !== 'ringback') ms = Math.max(ms, (this.tones.confirmSegments + 1) * Math.max(...spec.cadenceMs));
    return ms;
  }

  private evaluate(tr: Track): CadenceKind | null {
    for (const { kind, spec } of tr.specs) {
      if (kind === 'ringback') {
        if (this.ringbackSent) continue;
        // Informational: one on-segment of the ringback's length is enough.
        const last = tr.history[tr.history.length - 1]!;
        if (last > 0 && spec.cadenceMs.some((c, i) => i % 2 === 0 && this.close(last, c))) {
          this.ringbackSent = true;
          return 'ringback';
        }
        continue;
      }
      const k = this.tones.confirmSegments;
      if (tr.history.length < k) continue;
      const recent = tr.history.slice(-k);
      const cad = spec.cadenceMs;
      for (let phase = 0; phase < cad.length; phase++) {
        let ok = true;
        for (let i = 0; i < k && ok; i++) {
          const idx = (phase + i) % cad.length;
          const seg = recent[i]!;
          // Even cadence positions are "on", odd "off".
          ok = (idx % 2 === 0) === seg > 0 && this.close(Math.abs(seg), cad[idx]!);
        }
        if (ok) return kind;
      }
    }
    return null;
  }

  private close(ms: number, ref: number): boolean {
    return Math.abs(ms - ref) <= (ref * this.tones.cadenceTolerancePct) / 100 + this.tones.frameSlackMs;
  }
}
