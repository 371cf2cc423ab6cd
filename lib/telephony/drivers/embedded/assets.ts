/**
 * Audio the embedded driver plays, made here so that nothing of unknown
 * licence ships: a hold-music loop (a slow arpeggio of soft sine chords), the
 * agent beep, tones; and loading of operator files (raw G.711 or 8 kHz WAV).
 */
import { readAudioFile } from '../../../media/audio-file';
import type { G711Law } from '../../../media/g711';
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
 * Loads an operator file as linear PCM: raw `.ulaw`/`.alaw`, or a WAV (the
 * one reader of lib/media, which also resamples other rates to 8 kHz mono).
 * Throws a message naming the file and the problem.
 */
export function loadAudio(path: string): Int16Array {
  return readAudioFile(path);
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
