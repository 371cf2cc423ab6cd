/**
 * Signal building blocks for the labelled corpus (pure, seeded): tones,
 * cadences, SIT, fax, beeps, music, noise, mixing, G.711 round trip.
 * Levels are given as peak amplitude of a sine in 16-bit linear units.
 */
import { decodeG711, encodeG711, type G711Law } from '../../lib/media/g711';

export const RATE = 8000;
const ms = (x: number) => Math.round((x * RATE) / 1000);

/** Mulberry32: small, fast, reproducible. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function silence(durMs: number): Float64Array {
  return new Float64Array(ms(durMs));
}

/** Sum of sines; `amps` per frequency; 5 ms raised-cosine edges avoid clicks. */
export function tone(freqs: number[], durMs: number, amps: number[] | number, opts: { am?: { hz: number; depth: number } } = {}): Float64Array {
  const n = ms(durMs);
  const out = new Float64Array(n);
  const edge = Math.min(ms(5), n >> 1);
  for (let i = 0; i < n; i++) {
    let v = 0;
    freqs.forEach((f, k) => (v += (Array.isArray(amps) ? amps[k]! : amps) * Math.sin((2 * Math.PI * f * i) / RATE)));
    if (opts.am) v *= 1 - opts.am.depth / 2 + (opts.am.depth / 2) * Math.sin((2 * Math.PI * opts.am.hz * i) / RATE);
    const g = i < edge ? 0.5 - 0.5 * Math.cos((Math.PI * i) / edge) : i >= n - edge ? 0.5 - 0.5 * Math.cos((Math.PI * (n - 1 - i)) / edge) : 1;
    out[i] = v * g;
  }
  return out;
}

/** Repeats an on/off cadence for `totalMs`, starting `phaseMs` into it. */
export function cadence(freqs: number[], cadenceMs: number[], totalMs: number, amp: number, phaseMs = 0, am?: { hz: number; depth: number }): Float64Array {
  const parts: Float64Array[] = [];
  let t = -phaseMs;
  let i = 0;
  while (t < totalMs) {
    const d = cadenceMs[i % cadenceMs.length]!;
    const start = Math.max(t, 0);
    const end = Math.min(t + d, totalMs);
    if (end > start) parts.push(i % 2 === 0 ? tone(freqs, end - start, amp / freqs.length, am ? { am } : {}) : silence(end - start));
    t += d;
    i++;
  }
  return concat(...parts);
}

export function concat(...parts: Float64Array[]): Float64Array {
  const out = new Float64Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Adds `b` into `a` at sample offset (a is extended if needed). */
export function mixAt(a: Float64Array, b: Float64Array, atMs: number): Float64Array {
  const off = ms(atMs);
  const out = new Float64Array(Math.max(a.length, off + b.length));
  out.set(a);
  for (let i = 0; i < b.length; i++) out[off + i]! += b[i]!;
  return out;
}

export function scale(x: Float64Array | Int16Array, g: number): Float64Array {
  return Float64Array.from(x, (v) => v * g);
}

/** Scales so the active audio (samples of at least 200, as `rms(x, true)` reads it) sits at `dbfs`. */
export function atLevel(x: Float64Array, dbfs: number): Float64Array {
  return scale(x, (32768 * Math.pow(10, dbfs / 20)) / (rms(x, true) || 1));
}

export function rms(x: Float64Array | Int16Array, activeOnly = false): number {
  let s = 0;
  let n = 0;
  for (const v of x) {
    if (activeOnly && Math.abs(v) < 200) continue;
    s += v * v;
    n++;
  }
  return n ? Math.sqrt(s / n) : 0;
}

/** Background noise: white mixed with low-passed white (room/street-like), unit RMS. */
export function noise(durMs: number, r: () => number): Float64Array {
  const n = ms(durMs);
  const out = new Float64Array(n);
  let lp = 0;
  for (let i = 0; i < n; i++) {
    // Box-Muller.
    const g = Math.sqrt(-2 * Math.log(r() + 1e-12)) * Math.cos(2 * Math.PI * r());
    lp = 0.9 * lp + 0.1 * g;
    out[i] = 0.5 * g + 2.2 * lp;
  }
  const k = 1 / (rms(out) || 1);
  for (let i = 0; i < n; i++) out[i]! *= k;
  return out;
}

/** Adds noise at `snrDb` below the RMS of `ref` (the signal's active parts). */
export function addNoise(x: Float64Array, refRms: number, snrDb: number, r: () => number): Float64Array {
  const nz = noise((x.length * 1000) / RATE, r);
  const g = refRms / Math.pow(10, snrDb / 20);
  return Float64Array.from(x, (v, i) => v + g * nz[i]!);
}

/** Music-on-hold-like audio: chords of harmonic-rich notes changing every 300–600 ms, with a melody. */
export function music(durMs: number, r: () => number, amp = 3000): Float64Array {
  const n = ms(durMs);
  const out = new Float64Array(n);
  const scaleHz = [261.6, 293.7, 329.6, 349.2, 392, 440, 493.9, 523.3, 587.3, 659.3];
  let i = 0;
  while (i < n) {
    const len = ms(300 + r() * 300);
    const root = Math.floor(r() * 5);
    const notes = [scaleHz[root]!, scaleHz[root + 2]!, scaleHz[root + 4]!, scaleHz[Math.floor(r() * scaleHz.length)]! * 2];
    for (let j = 0; j < len && i + j < n; j++) {
      const env = Math.exp(-j / ms(250));
      let v = 0;
      for (const f of notes) for (let h = 1; h <= 4; h++) v += Math.sin((2 * Math.PI * f * h * j) / RATE) / (h * h);
      out[i + j] = (amp / 4) * v * env;
    }
    i += len;
  }
  return out;
}

export function toInt16(x: Float64Array): Int16Array {
  return Int16Array.from(x, (v) => Math.max(-32768, Math.min(32767, Math.round(v))));
}

/** Through the codec, as a trunk would deliver it: returns the G.711 bytes. */
export function g711(x: Float64Array, law: G711Law): Uint8Array {
  return encodeG711(law, toInt16(x));
}

export function fromG711(bytes: Uint8Array, law: G711Law): Int16Array {
  return decodeG711(law, bytes);
}

/** Last sample above `thr`, in ms (end of the audible part). */
export function audibleEndMs(x: Float64Array | Int16Array, thr = 300): number {
  for (let i = x.length - 1; i >= 0; i--) if (Math.abs(x[i]!) > thr) return Math.round(((i + 1) * 1000) / RATE);
  return 0;
}

export function durationMs(x: Float64Array | Int16Array): number {
  return Math.round((x.length * 1000) / RATE);
}
