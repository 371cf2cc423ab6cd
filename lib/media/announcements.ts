/**
 * Carrier-announcement matching. An operator registers reference recordings
 * per carrier and class (the result code it leads to: 6, 16, 17, 18, 21, 22);
 * live audio is compared with them by normalised cross-correlation of two
 * per-frame contours (log energy and spectral tilt = log of first-difference
 * energy over energy). Both are logarithms, so a level change is an additive
 * constant that the per-window mean removes; G.711 quantisation barely moves
 * them; every lag of the reference is searched, so the live audio may start
 * anywhere in the recording.
 */
import { readdirSync, statSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { readAudioFile } from './audio-file';
import { FeatureExtractor } from './features';
import { FRAME_MS, FRAME_SAMPLES, type AnnouncementClass } from './types';

export const ANNOUNCEMENT_CLASSES: readonly AnnouncementClass[] = [6, 16, 17, 18, 21, 22];
const AUDIO_EXT = new Set(['.wav', '.ulaw', '.ul', '.pcmu', '.alaw', '.al', '.pcma', '.raw', '.sln']);
/** Energy floor added before the logarithm, ≈ a mean |sample| of 25: quieter is "silence" alike. */
const ENERGY_FLOOR = 1e5;

export interface AnnouncementRef {
  class: AnnouncementClass;
  carrier?: string;
  /** File name or label, reported as Verdict.reference. */
  name: string;
  /** Contours, one value per 20 ms frame. */
  logE: Float64Array;
  tilt: Float64Array;
  /** Prefix sums of each contour and of its square (for per-lag mean and variance). */
  sums: { e: Float64Array; e2: Float64Array; t: Float64Array; t2: Float64Array };
}

export interface AnnouncementMatch {
  ref: AnnouncementRef;
  confidence: number;
  /** Confidence minus the best confidence of any other class. */
  margin: number;
}

/** Contour values of one frame. */
export function frameContour(energy: number, diffEnergy: number): [number, number] {
  return [Math.log10(energy + ENERGY_FLOOR), Math.log10((diffEnergy + ENERGY_FLOOR) / (energy + ENERGY_FLOOR))];
}

function prefix(x: Float64Array, sq: boolean): Float64Array {
  const p = new Float64Array(x.length + 1);
  for (let i = 0; i < x.length; i++) p[i + 1] = p[i]! + (sq ? x[i]! * x[i]! : x[i]!);
  return p;
}

export class AnnouncementLibrary {
  readonly refs: AnnouncementRef[] = [];

  get size(): number {
    return this.refs.length;
  }

  /** Adds a reference from 8 kHz PCM. */
  add(pcm: Int16Array, meta: { class: AnnouncementClass; carrier?: string; name: string }): AnnouncementRef {
    if (!ANNOUNCEMENT_CLASSES.includes(meta.class)) throw new Error(`announcement class ${meta.class} is not one of ${ANNOUNCEMENT_CLASSES.join(', ')}`);
    const n = Math.floor(pcm.length / FRAME_SAMPLES);
    if (n < 25) throw new Error(`announcement ${meta.name} is shorter than 0.5 s`);
    const fx = new FeatureExtractor();
    const logE = new Float64Array(n);
    const tilt = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const f = fx.compute(pcm.subarray(i * FRAME_SAMPLES, (i + 1) * FRAME_SAMPLES));
      [logE[i], tilt[i]] = frameContour(f.energy, f.diffEnergy);
    }
    const ref: AnnouncementRef = { ...meta, logE, tilt, sums: { e: prefix(logE, false), e2: prefix(logE, true), t: prefix(tilt, false), t2: prefix(tilt, true) } };
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

/**
 * Matches one live stream against a library. Fed every frame; after voice
 * onset, once `windowMs` of audio has arrived, it compares the latest window
 * with every reference at every lag, every 400 ms, up to `maxAttempts` times.
 */
export class AnnouncementMatcher {
  private readonly w: number;
  private readonly liveE: Float64Array;
  private readonly liveT: Float64Array;
  private readonly zE: Float64Array;
  private readonly zT: Float64Array;
  private count = 0;
  private onsetFrame = -1;
  private attempts = 0;
  /** Best confidence seen so far (for reports). */
  best = 0;

  constructor(
    private readonly lib: AnnouncementLibrary,
    private readonly cfg: { minConfidence: number; windowMs: number; maxAttempts: number; minMargin: number },
  ) {
    this.w = Math.round(cfg.windowMs / FRAME_MS);
    this.liveE = new Float64Array(this.w);
    this.liveT = new Float64Array(this.w);
    this.zE = new Float64Array(this.w);
    this.zT = new Float64Array(this.w);
  }

  get finished(): boolean {
    return this.attempts >= this.cfg.maxAttempts || this.lib.size === 0;
  }

  push(energy: number, diffEnergy: number, voiced: boolean): AnnouncementMatch | null {
    if (this.finished) return null;
    const slot = this.count % this.w;
    [this.liveE[slot], this.liveT[slot]] = frameContour(energy, diffEnergy);
    this.count++;
    if (this.onsetFrame < 0) {
      if (!voiced) return null;
      this.onsetFrame = this.count - 1;
    }
    const since = this.count - this.onsetFrame;
    // 20 frames = 400 ms between attempts.
    if (since < this.w || (since - this.w) % 20 !== 0) return null;
    this.attempts++;
    const m = this.attempt();
    if (m && m.confidence > this.best) this.best = m.confidence;
    const last = this.attempts >= this.cfg.maxAttempts;
    if (m && m.confidence >= this.cfg.minConfidence && (m.margin >= this.cfg.minMargin || last)) {
      this.attempts = this.cfg.maxAttempts;
      return m;
    }
    return null;
  }

  private attempt(): AnnouncementMatch | null {
    const w = this.w;
    const start = this.count % w; // oldest sample in the ring
    if (!zscore(this.liveE, start, this.zE) || !zscore(this.liveT, start, this.zT)) return null;
    // Best confidence per class, and the reference that gave it.
    const perClass = new Map<number, { ref: AnnouncementRef; c: number }>();
    for (const ref of this.lib.refs) {
      const n = ref.logE.length;
      const { e, e2, t, t2 } = ref.sums;
      for (let lag = 0; lag + w <= n; lag++) {
        const ve = e2[lag + w]! - e2[lag]! - (e[lag + w]! - e[lag]!) ** 2 / w;
        const vt = t2[lag + w]! - t2[lag]! - (t[lag + w]! - t[lag]!) ** 2 / w;
        if (ve <= 1e-9 || vt <= 1e-9) continue;
        let de = 0;
        let dt = 0;
        for (let i = 0; i < w; i++) {
          de += this.zE[i]! * ref.logE[lag + i]!;
          dt += this.zT[i]! * ref.tilt[lag + i]!;
        }
        // z has unit variance: corr = Σ z·r / (√w · √Σ(r−r̄)²).
        const c = (de / Math.sqrt(ve) + dt / Math.sqrt(vt)) / (2 * Math.sqrt(w));
        const cur = perClass.get(ref.class);
        if (!cur || c > cur.c) perClass.set(ref.class, { ref, c });
      }
    }
    const ranked = [...perClass.values()].sort((a, b) => b.c - a.c);
    if (!ranked.length) return null;
    const [top, second] = ranked;
    return { ref: top!.ref, confidence: top!.c, margin: top!.c - (second?.c ?? 0) };
  }
}

/** Unrolls a ring buffer into z-scores; false when the window is flat. */
function zscore(ring: Float64Array, start: number, out: Float64Array): boolean {
  const w = ring.length;
  let s = 0;
  let s2 = 0;
  for (let i = 0; i < w; i++) {
    const v = ring[(start + i) % w]!;
    s += v;
    s2 += v * v;
  }
  const mean = s / w;
  const v = s2 / w - mean * mean;
  if (v <= 1e-9) return false;
  const sd = Math.sqrt(v);
  for (let i = 0; i < w; i++) out[i] = (ring[(start + i) % w]! - mean) / sd;
  return true;
}
