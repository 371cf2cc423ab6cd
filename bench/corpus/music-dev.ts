/**
 * A varied music dev set, made by script (pure, seeded; nothing committed): the real-voice corpus has three train
 * hold-music tracks, and rules tuned on them fit them. These pieces vary what a music rule may lean on:
 *
 * - timbre: a plucked string (Karplus–Strong: a decaying note), square and sawtooth (odd / all harmonics), a sine
 *   with vibrato and tremolo (a pitch that moves ±1 % within the note), an organ (octave partials, sustained), an
 *   FM bell (inharmonic partials, decaying);
 * - texture: a single line, chords with a melody, a fast arpeggio;
 * - tempo: fast (120–200 ms notes), medium (250–450 ms), slow (600–1,200 ms);
 * - with or without a percussive noise part (hi-hat bursts, a kick), and with or without a sustained pad under it;
 * - level −26…−12 dBFS of active audio, 0–400 ms of room first, 8–10 s long.
 *
 * And hold messages: one of the train voices' prompts ("your call is important"-like IVR sentences) spoken over a
 * piece, 4–14 dB above it. Those must be music or a machine, never a person.
 *
 * The held-out music tracks and speaker are never read: only the train voices' prompts (bench/corpus/real.ts).
 */
import * as S from './synth';

const RATE = S.RATE;
const ms = (x: number) => Math.round((x * RATE) / 1000);
type R = () => number;
const uni = (r: R, a: number, b: number) => a + r() * (b - a);
const pick = <T>(r: R, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;

export const TIMBRES = ['pluck', 'square', 'saw', 'vibrato', 'organ', 'bell'] as const;
export const TEXTURES = ['line', 'chords', 'arpeggio'] as const;
export const TEMPOS = { fast: [120, 200], medium: [250, 450], slow: [600, 1200] } as const;
export type Timbre = (typeof TIMBRES)[number];
export type Texture = (typeof TEXTURES)[number];
export type Tempo = keyof typeof TEMPOS;

export interface Piece {
  timbre: Timbre;
  texture: Texture;
  tempo: Tempo;
  drums: boolean;
  pad: boolean;
}

/** A major / minor scale from a root (Hz), `n` degrees up. */
function scale(rootHz: number, minor: boolean, n: number): number[] {
  const steps = minor ? [2, 1, 2, 2, 1, 2, 2] : [2, 2, 1, 2, 2, 2, 1];
  const out = [rootHz];
  let semi = 0;
  for (let i = 1; i < n; i++) {
    semi += steps[(i - 1) % 7]!;
    out.push(rootHz * Math.pow(2, semi / 12));
  }
  return out;
}

/** One note of `timbre` at `hz`, `n` samples, unit peak-ish, added into `out` at `at` with gain `g`. */
function note(out: Float64Array, at: number, n: number, hz: number, timbre: Timbre, g: number, r: R): void {
  const end = Math.min(out.length, at + n);
  const att = ms(timbre === 'organ' || timbre === 'vibrato' ? 15 : 4);
  const rel = Math.min(ms(30), n >> 2);
  if (timbre === 'pluck') {
    // Karplus–Strong: a noise burst in a delay line of one period, low-passed a little each pass (a string's decay).
    // The plain two-point average loses far more per period at 8 kHz than at 44.1 kHz (a 450 Hz note would die at
    // 80 dB/s); the stretched form (weight 0.1 on the next sample) decays 15–40 dB/s, as a guitar or harp does.
    const p = Math.max(2, Math.round(RATE / hz));
    const buf = Float64Array.from({ length: p }, () => r() * 2 - 1);
    for (let i = 0, k = 0; at + i < end; i++, k = (k + 1) % p) {
      const v = buf[k]!;
      buf[k] = 0.998 * (0.9 * v + 0.1 * buf[(k + 1) % p]!);
      const e = at + i >= end - rel ? (end - at - i) / rel : 1;
      out[at + i]! += g * v * e;
    }
    return;
  }
  let ph = 0;
  let ph2 = 0;
  const vibHz = uni(r, 4.5, 6.5);
  for (let i = 0; at + i < end; i++) {
    const t = i / RATE;
    let f = hz;
    if (timbre === 'vibrato') f = hz * (1 + 0.01 * Math.sin(2 * Math.PI * vibHz * t));
    ph += (2 * Math.PI * f) / RATE;
    let v = 0;
    if (timbre === 'square') for (let h = 1; h * hz < 3800; h += 2) v += Math.sin(h * ph) / h;
    else if (timbre === 'saw') for (let h = 1; h * hz < 3800; h++) v += Math.sin(h * ph) / h;
    else if (timbre === 'vibrato') v = Math.sin(ph) * (1 - 0.3 * (0.5 + 0.5 * Math.sin(2 * Math.PI * vibHz * t)));
    else if (timbre === 'organ') v = Math.sin(ph) + 0.6 * Math.sin(2 * ph) + 0.4 * Math.sin(4 * ph) + 0.2 * Math.sin(3 * ph);
    else {
      // FM bell: a modulator at 1.4× the carrier, its index decaying with the note.
      ph2 += (2 * Math.PI * 1.4 * hz) / RATE;
      v = Math.sin(ph + 3 * Math.exp(-t * 6) * Math.sin(ph2));
    }
    const decay = timbre === 'bell' ? Math.exp(-t * 3) : timbre === 'square' || timbre === 'saw' ? Math.exp(-t * 1.2) : 1;
    const e = (i < att ? i / att : 1) * (at + i >= end - rel ? (end - at - i) / rel : 1) * decay;
    out[at + i]! += g * v * e;
  }
}

/** A percussive part: a hi-hat (a 30 ms decaying noise burst) every half beat, a kick (60→40 Hz, 120 ms) every other beat. */
function drums(out: Float64Array, beat: number, g: number, r: R): void {
  for (let b = 0, at = 0; at < out.length; b++, at += beat >> 1) {
    for (let i = 0; i < ms(30) && at + i < out.length; i++) out[at + i]! += 0.5 * g * (r() * 2 - 1) * Math.exp(-i / ms(8));
    if (b % 4 === 0) {
      let ph = 0;
      for (let i = 0; i < ms(120) && at + i < out.length; i++) {
        ph += (2 * Math.PI * (40 + 20 * Math.exp(-i / ms(30)))) / RATE;
        out[at + i]! += g * Math.sin(ph) * Math.exp(-i / ms(40));
      }
    }
  }
}

/** A piece of `durMs`, peak about 10,000 (16-bit units) before atLevel. */
export function piece(p: Piece, durMs: number, r: R): Float64Array {
  const n = ms(durMs);
  const out = new Float64Array(n);
  // Melodies in G3–E4 and up to an octave and a half above (hold music's melodies sit at about 200–1,000 Hz);
  // chords an octave under the melody.
  const root = uni(r, 196, 330);
  const deg = scale(root, r() < 0.4, 12);
  const low = (k: number) => deg[k]! / 2;
  const [lo, hi] = TEMPOS[p.tempo];
  const beat = ms(uni(r, lo, hi));
  let at = 0;
  let d = Math.floor(r() * 7);
  while (at < n) {
    const len = p.tempo === 'slow' ? ms(uni(r, lo, hi)) : beat * (r() < 0.2 ? 2 : 1);
    // A melody moves by steps and small leaps.
    d = Math.max(0, Math.min(deg.length - 1, d + pick(r, [-2, -1, -1, 0, 1, 1, 2, 3, -3])));
    if (p.texture === 'line') note(out, at, len, deg[d]!, p.timbre, 1, r);
    else if (p.texture === 'chords') {
      const c = Math.min(d, 7);
      for (const k of [0, 2, 4]) note(out, at, len, low(c + k), p.timbre, 0.45, r);
      note(out, at, len, deg[d]!, p.timbre, 0.8, r);
    } else {
      // An arpeggio: the chord's notes one after another, a quarter of the beat each.
      const c = Math.min(d, 4);
      // Four notes to a beat at most as fast as 100 ms each (sixteenths at 150 bpm).
      const q = Math.max(ms(100), len >> 2);
      for (let k = 0; k < 4 && at + k * q < n; k++) note(out, at + k * q, q, deg[c + [0, 2, 4, 7][k]!]!, p.timbre, 0.8, r);
    }
    at += len;
  }
  const peak = out.reduce((m, v) => Math.max(m, Math.abs(v)), 0) || 1;
  for (let i = 0; i < n; i++) out[i]! /= peak;
  if (p.pad) {
    // A sustained pad: a soft three-note chord that changes every two seconds, 10–16 dB under the lead.
    const padG = Math.pow(10, -uni(r, 10, 16) / 20);
    for (let a = 0; a < n; a += ms(2000)) {
      const c = Math.floor(r() * 5);
      for (const k of [0, 2, 4]) note(out, a, ms(2000), low(c + k), 'organ', padG / 2, r);
    }
  }
  if (p.drums) drums(out, beat, Math.pow(10, -uni(r, 4, 12) / 20), r);
  // In 16-bit units (peak about 10,000): atLevel's active-audio RMS skips samples under 200.
  return S.scale(out, 10000);
}

export interface MusicDevItem {
  id: string;
  /** music: a piece; message: a train voice's prompt over a piece (music or machine, never a person). */
  kind: 'music' | 'message';
  desc: string;
  pcm: Int16Array;
}

/**
 * The dev set: every timbre × texture once (18 pieces) with a tempo, drums and pad drawn for each, plus `messages`
 * hold messages over further pieces. `prompts` are the train voices' prompts (bench/corpus/real.ts loadVoice).
 */
export function musicDevSet(prompts: readonly Float64Array[], messages: number, seed = 1616): MusicDevItem[] {
  const r = S.rng(seed);
  const tempos = Object.keys(TEMPOS) as Tempo[];
  const draw = (timbre: Timbre, texture: Texture): Piece => ({ timbre, texture, tempo: pick(r, tempos), drums: r() < 0.4, pad: r() < 0.4 });
  const name = (p: Piece) => `${p.timbre}-${p.texture}-${p.tempo}${p.drums ? '+drums' : ''}${p.pad ? '+pad' : ''}`;
  const roomLead = () => S.scale(S.noise(uni(r, 0, 400), r), 32768 * Math.pow(10, uni(r, -70, -55) / 20));
  const items: MusicDevItem[] = [];
  for (const timbre of TIMBRES)
    for (const texture of TEXTURES) {
      const p = draw(timbre, texture);
      const x = S.atLevel(piece(p, uni(r, 8000, 10000), r), uni(r, -26, -12));
      items.push({ id: `music-${items.length}`, kind: 'music', desc: name(p), pcm: S.toInt16(S.concat(roomLead(), x)) });
    }
  for (let i = 0; i < messages; i++) {
    const p = draw(pick(r, TIMBRES), pick(r, TEXTURES));
    const durMs = uni(r, 8000, 10000);
    const musicDb = uni(r, -30, -20);
    const bed = S.atLevel(piece(p, durMs, r), musicDb);
    const voice = S.atLevel(pick(r, prompts), musicDb + uni(r, 4, 14));
    const x = S.mixAt(bed, voice, uni(r, 300, 1500));
    items.push({ id: `message-${i}`, kind: 'message', desc: `voice over ${name(p)}`, pcm: S.toInt16(S.concat(roomLead(), x.subarray(0, bed.length))) });
  }
  return items;
}
