/**
 * Carrier-announcement matching. An operator registers reference recordings
 * per carrier and class (the result code it leads to: 6, 16, 17, 18, 21, 22);
 * live audio is compared with them by normalised cross-correlation of two
 * per-frame log contours (energy and spectral tilt, see announcement-contours.ts),
 * which makes the match independent of level and barely moved by G.711.
 *
 * Each attempt takes all the audio since voice onset (up to a cap) and:
 * 1. coarse search: every lag of every reference at half the frame rate;
 * 2. fine search: for the references that came close, every playback rate in
 *    STRETCHES around the coarse lag, at the full frame rate.
 * The window may run past the end of a reference (joined late; see
 * announcement-score.ts), so a short remainder still matches, and a longer
 * message that only opens like a reference does not.
 */
import { readdirSync, statSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { readAudioFile } from './audio-file';
import { contourOf, decimate, frameContour, measure, type Contour } from './announcement-contours';
import { bestLag, liveWindow } from './announcement-score';
import { FRAME_MS, FRAME_SAMPLES, type AnnouncementClass } from './types';

export { frameContour } from './announcement-contours';

export const ANNOUNCEMENT_CLASSES: readonly AnnouncementClass[] = [6, 16, 17, 18, 21, 22];
const AUDIO_EXT = new Set(['.wav', '.ulaw', '.ul', '.pcmu', '.alaw', '.al', '.pcma', '.raw', '.sln']);

/**
 * Playback rates tried per reference: ±4 % in 1 % steps. Renditions of one
 * message differ by a few per cent; 1 % steps leave at most 0.5 % mismatch,
 * i.e. one frame of drift over a 4 s window.
 */
export const STRETCHES: readonly number[] = [0.96, 0.97, 0.98, 0.99, 1, 1.01, 1.02, 1.03, 1.04];
const MAX_STRETCH_DEV = 0.04;

export interface AnnouncementRef {
  class: AnnouncementClass;
  carrier?: string;
  /** File name or label, reported as Verdict.reference. */
  name: string;
  durationMs: number;
  /** Contours at each rate of STRETCHES, same order. */
  stretched: Contour[];
  /** The rate-1 contours at half the frame rate, for the coarse search. */
  coarse: Contour;
}

export interface AnnouncementMatch {
  ref: AnnouncementRef;
  confidence: number;
  /** Confidence minus the best confidence of any other class. */
  margin: number;
  /** Playback rate of the live audio relative to the reference. */
  stretch: number;
  /** The live audio reached the end of the reference (else it matched a part that may open another message too). */
  ends: boolean;
}

export class AnnouncementLibrary {
  readonly refs: AnnouncementRef[] = [];

  get size(): number {
    return this.refs.length;
  }

  /** Adds a reference from 8 kHz PCM. */
  add(pcm: Int16Array, meta: { class: AnnouncementClass; carrier?: string; name: string }): AnnouncementRef {
    if (!ANNOUNCEMENT_CLASSES.includes(meta.class))
      throw new Error(`announcement class ${meta.class} is not one of ${ANNOUNCEMENT_CLASSES.join(', ')}`);
    const n = Math.floor(pcm.length / FRAME_SAMPLES);
    if (n < 25) throw new Error(`announcement ${meta.name} is shorter than 0.5 s`);
    const stretched = STRETCHES.map((s) => measure(pcm, s));
    const plain = stretched[STRETCHES.indexOf(1)]!;
    const ref: AnnouncementRef = { ...meta, durationMs: n * FRAME_MS, stretched, coarse: contourOf(decimate(plain.e), decimate(plain.t)) };
    this.refs.push(ref);
    return ref;
  }

  /**
   * Loads `<dir>/<carrier>/<class>[-label].<ext>` and `<dir>/<class>[-label].<ext>`
   * (ext: wav, ulaw, alaw, raw). A file whose name does not start with a known
   * class is an error, so a typo does not silently disable a reference.
   */
  static load(dir: string): AnnouncementLibrary {
    const lib = new AnnouncementLibrary();
    const visit = (d: string, carrier?: string) => {
      for (const entry of readdirSync(d).sort()) {
        const p = join(d, entry);
        if (statSync(p).isDirectory()) {
          if (!carrier) visit(p, entry);
          continue;
        }
        const ext = extname(entry).toLowerCase();
        if (!AUDIO_EXT.has(ext)) continue;
        const m = /^(\d+)(?:[-_.].*)?$/.exec(basename(entry, extname(entry)));
        const cls = m ? (Number(m[1]) as AnnouncementClass) : NaN;
        if (!ANNOUNCEMENT_CLASSES.includes(cls as AnnouncementClass)) {
          throw new Error(`${p}: announcement file names start with the class (${ANNOUNCEMENT_CLASSES.join(', ')}), e.g. 16-busy.wav`);
        }
        lib.add(readAudioFile(p), { class: cls as AnnouncementClass, carrier, name: carrier ? `${carrier}/${entry}` : entry });
      }
    };
    visit(dir);
    return lib;
  }
}

/** Frames between attempts (400 ms). */
const ATTEMPT_FRAMES = 20;
/** A frame is sound, not the line's silence, when its energy is 10 dB over the quietest of the window (as the VAD's ratio of 3 in level). */
const ACTIVE_OVER_FLOOR = 1;
/** References whose coarse score is below this, or this far below the best, are not refined. */
const COARSE_MIN = 0.4;
const COARSE_SPAN = 0.3;

export interface MatcherConfig {
  minConfidence: number;
  windowMs: number;
  maxAttempts: number;
  minMargin: number;
}

/**
 * Confidence needed from a window of `n` frames shorter than the full `w`:
 * the same significance as `minConfidence` over `w` frames (Fisher's z:
 * atanh(r)·√(n−3) held constant), so a shorter window must correlate better.
 */
export function shortWindowConfidence(minConfidence: number, w: number, n: number): number {
  if (n >= w || minConfidence >= 1) return minConfidence;
  return Math.tanh(Math.atanh(Math.min(minConfidence, 0.999999)) * Math.sqrt((w - 3) / Math.max(1, n - 3)));
}

/**
 * Matches one live stream against a library. Fed every frame. Counting from
 * voice onset, it attempts a match every 400 ms: from half a window on (early
 * attempts, which need the higher confidence of a shorter window, so that a
 * message joined late still matches before it ends), then from the full
 * `windowMs` on, `maxAttempts` times. Each attempt scores all the audio since
 * onset (the longest overlap tells apart messages that open alike). It may run
 * past the end of a reference where the live audio is silent (10 dB over the
 * window's quietest frame at most: the message ended), and, over at least `windowMs`, start before the reference (the
 * message started after other sound: ringback, or an earlier loop of itself).
 * A match needs `minConfidence` and a lead of `minMargin` over the best other
 * class; the last attempt waives the lead.
 */
export class AnnouncementMatcher {
  private readonly w: number;
  private readonly minW: number;
  private readonly maxW: number;
  private readonly ringE: Float64Array;
  private readonly ringT: Float64Array;
  private count = 0;
  private onsetFrame = -1;
  private attempts = 0;
  /** Best confidence seen so far (for reports). */
  best = 0;

  constructor(
    private readonly lib: AnnouncementLibrary,
    private readonly cfg: MatcherConfig,
  ) {
    this.w = Math.round(cfg.windowMs / FRAME_MS);
    // Half a window, and never less than 0.5 s (the shortest reference).
    this.minW = Math.max(25, Math.round(this.w / 2));
    // All the audio up to the last attempt, at most three windows.
    this.maxW = Math.max(this.w, Math.min(this.w + ATTEMPT_FRAMES * (cfg.maxAttempts - 1), 3 * this.w));
    this.ringE = new Float64Array(this.maxW);
    this.ringT = new Float64Array(this.maxW);
  }

  get finished(): boolean {
    return this.attempts >= this.cfg.maxAttempts || this.lib.size === 0;
  }

  push(energy: number, diffEnergy: number, voiced: boolean): AnnouncementMatch | null {
    if (this.finished) return null;
    if (this.onsetFrame < 0) {
      if (!voiced) return null;
      this.onsetFrame = this.count;
    }
    const slot = this.count % this.maxW;
    [this.ringE[slot], this.ringT[slot]] = frameContour(energy, diffEnergy);
    this.count++;
    const since = this.count - this.onsetFrame;
    if (since < this.minW || (this.w - since) % ATTEMPT_FRAMES !== 0) return null;
    const full = since >= this.w;
    if (full) this.attempts++;
    const n = Math.min(since, this.maxW);
    const m = this.attempt(n);
    if (m && m.confidence > this.best) this.best = m.confidence;
    const need = shortWindowConfidence(this.cfg.minConfidence, this.w, n);
    const last = full && this.attempts >= this.cfg.maxAttempts;
    // Before a full window, only a message that has ended: the start of a longer one is not enough.
    if (m && m.confidence >= need && (full || m.ends) && (m.margin >= this.cfg.minMargin || last)) {
      this.attempts = this.cfg.maxAttempts;
      return m;
    }
    return null;
  }

  /** Best reference per class for the latest `n` frames (see the class comment); null when nothing can be scored. */
  private attempt(n: number): AnnouncementMatch | null {
    const e = new Float64Array(n);
    const t = new Float64Array(n);
    let floor = Infinity;
    for (let i = 0; i < n; i++) {
      const slot = (this.count - n + i) % this.maxW;
      e[i] = this.ringE[slot]!;
      t[i] = this.ringT[slot]!;
      floor = Math.min(floor, e[i]!);
    }
    let lastActive = n - 1;
    while (lastActive >= 0 && e[lastActive]! <= floor + ACTIVE_OVER_FLOOR) lastActive--;
    const perClass = new Map<number, AnnouncementMatch>();
    // Every sound frame must lie inside the reference, and there must be half a window of it, so that one short burst (a tone, a "hello") is not enough.
    if (lastActive + 1 >= this.minW) this.search(e, t, lastActive + 1, perClass);
    const ranked = [...perClass.values()].sort((a, b) => b.confidence - a.confidence);
    const [best, second] = ranked;
    if (!best) return null;
    return { ...best, margin: best.confidence - (second?.confidence ?? 0) };
  }

  /** Coarse search of every reference, then the rates of STRETCHES for those that came close; keeps the best per class. */
  private search(e: Float64Array, t: Float64Array, coverTo: number, perClass: Map<number, AnnouncementMatch>): void {
    const live = liveWindow(e, t);
    const coarseLive = liveWindow(decimate(e), decimate(t));
    if (!live || !coarseLive) return;
    const coarseLim = { coverTo: Math.ceil(coverTo / 2), minLength: Math.ceil(this.w / 2), minSpan: Math.ceil(this.minW / 4) };
    const coarse = this.lib.refs.map((ref) => bestLag(coarseLive, ref.coarse, coarseLim));
    const top = Math.max(...coarse.map((c) => c.c));
    // How far the best lag can move from the coarse one: a frame of coarse rounding each way plus the rate's drift over half the window.
    const reach = 2 + Math.ceil((e.length / 2) * MAX_STRETCH_DEV);
    this.lib.refs.forEach((ref, k) => {
      const c = coarse[k]!;
      if (Number.isNaN(c.lag) || c.c < COARSE_MIN || c.c < top - COARSE_SPAN) return;
      STRETCHES.forEach((s, si) => {
        const centre = Math.round((2 * c.lag) / s);
        const contour = ref.stretched[si]!;
        const f = bestLag(live, contour, {
          coverTo,
          minLength: this.w,
          minSpan: Math.ceil(this.minW / 2),
          from: centre - reach,
          to: centre + reach,
        });
        const cur = perClass.get(ref.class);
        if (!Number.isNaN(f.lag) && (!cur || f.c > cur.confidence))
          perClass.set(ref.class, { ref, confidence: f.c, margin: 0, stretch: s, ends: f.lag + e.length >= contour.e.length });
      });
    });
  }
}
