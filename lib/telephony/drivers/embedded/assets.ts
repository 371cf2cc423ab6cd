/**
 * Audio the embedded driver plays, made here so that nothing of unknown
 * licence ships: a hold-music loop (a slow arpeggio of soft sine chords), the
 * agent beep, tones; and loading of operator files (raw G.711 or 8 kHz WAV).
 */
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { decodeG711, type G711Law } from '../../../media/g711';
import { SAMPLE_RATE } from '../../../media/types';

/** A sine tone with 5 ms raised-cosine edges (no clicks). `level` is peak amplitude 0..1. */
export function tone(freqHz: number, durationMs: number, level = 0.3): Int16Array {
  const n = Math.round((durationMs * SAMPLE_RATE) / 1000);
  const out = new Int16Array(n);
  const ramp = Math.min(40, Math.floor(n / 2));
  for (let i = 0; i < n; i++) {
    const edge = i < ramp ? i / ramp : i >= n - ramp ? (n - 1 - i) / ramp : 1;
    const env = 0.5 - 0.5 * Math.cos(Math.PI * edge);
    out[i] = Math.round(32767 * level * env * Math.sin((2 * Math.PI * freqHz * i) / SAMPLE_RATE));
  }
  return out;
}

let holdCache: Int16Array | undefined;

/** 9.6 s loop: I–vi–IV–V in C, each chord's notes arpeggiated with a soft decay. */
export function holdMusic(): Int16Array {
  if (holdCache) return holdCache;
  const chords = [
    [261.63, 329.63, 392.0],
    [220.0, 261.63, 329.63],
    [174.61, 220.0, 261.63],
    [196.0, 246.94, 293.66],
  ];
  const noteMs = 400;
  const noteN = (noteMs * SAMPLE_RATE) / 1000;
  const out = new Int16Array(chords.length * 6 * noteN);
  let pos = 0;
  for (const chord of chords) {
    for (let k = 0; k < 6; k++) {
      const f = chord[k % 3]! * (k >= 3 ? 2 : 1);
      for (let i = 0; i < noteN; i++) {
        const t = i / SAMPLE_RATE;
        const env = Math.min(1, i / 80) * Math.exp(-3 * t);
        const bass = 0.35 * Math.sin(2 * Math.PI * (chord[0]! / 2) * ((pos + i) / SAMPLE_RATE));
        const v = 0.18 * env * (Math.sin(2 * Math.PI * f * t) + 0.3 * Math.sin(4 * Math.PI * f * t)) + 0.12 * bass;
        out[pos + i] = Math.round(32767 * v);
      }
      pos += noteN;
    }
  }
  holdCache = out;
  return out;
}

/** The "customer is here" beep an agent hears before the bridge. */
export function beep(freqHz = 1000, durationMs = 200): Int16Array {
  return tone(freqHz, durationMs, 0.35);
}

/**
 * Loads an operator file as linear PCM: raw `.ulaw`/`.ul`/`.pcmu`, `.alaw`/`.al`/`.pcma`,
 * or a WAV of 8 kHz mono 16-bit PCM, μ-law or A-law. Throws a message naming the problem.
 */
export function loadAudio(path: string): Int16Array {
  const data = readFileSync(path);
  const ext = extname(path).toLowerCase();
  if (['.ulaw', '.ul', '.pcmu'].includes(ext)) return decodeG711('ulaw', data);
  if (['.alaw', '.al', '.pcma'].includes(ext)) return decodeG711('alaw', data);
  if (ext === '.wav') return parseWav(data, path);
  throw new Error(`${path}: unsupported audio file (use .ulaw, .alaw or 8 kHz mono .wav)`);
}

function parseWav(b: Buffer, path: string): Int16Array {
  if (b.toString('ascii', 0, 4) !== 'RIFF' || b.toString('ascii', 8, 12) !== 'WAVE') throw new Error(`${path}: not a WAV file`);
  let off = 12;
  let format = 0;
  let channels = 0;
  let rate = 0;
  let bits = 0;
  while (off + 8 <= b.length) {
    const id = b.toString('ascii', off, off + 4);
    const size = b.readUInt32LE(off + 4);
    const body = off + 8;
    if (id === 'fmt ') {
      format = b.readUInt16LE(body);
      channels = b.readUInt16LE(body + 2);
      rate = b.readUInt32LE(body + 4);
      bits = b.readUInt16LE(body + 14);
    } else if (id === 'data') {
      if (channels !== 1 || rate !== SAMPLE_RATE) throw new Error(`${path}: need 8000 Hz mono, got ${rate} Hz × ${channels} channels`);
      const data = b.subarray(body, Math.min(b.length, body + size));
      if (format === 1 && bits === 16) {
        const out = new Int16Array(data.length >> 1);
        for (let i = 0; i < out.length; i++) out[i] = data.readInt16LE(i * 2);
        return out;
      }
      if (format === 7) return decodeG711('ulaw', data);
      if (format === 6) return decodeG711('alaw', data);
      throw new Error(`${path}: WAV format ${format}/${bits}-bit not supported (use 16-bit PCM, μ-law or A-law)`);
    }
    off = body + size + (size % 2);
  }
  throw new Error(`${path}: WAV has no data chunk`);
}

/** Encoded audio per law, cached by key (hold music is shared by every agent leg). */
export class EncodedCache {
  private cache = new Map<string, Uint8Array>();
  get(key: string, law: G711Law, make: () => Uint8Array): Uint8Array {
    const k = `${law}|${key}`;
    let v = this.cache.get(k);
    if (!v) {
      v = make();
      if (this.cache.size > 64) this.cache.clear();
      this.cache.set(k, v);
    }
    return v;
  }
}
