/** Signal helpers for the media tests (not a test file). */
import { FrameSide, shape, type Shape } from '../../lib/media/amd-features';
import { analyzePcm, type CallAnalyzerOptions } from '../../lib/media/analyzer';
import { mediaConfig } from '../../lib/media/config';
import { FeatureExtractor } from '../../lib/media/features';
import { LevelVad } from '../../lib/media/level-vad';
import type { SpectralLines } from '../../lib/media/spectral-lines';
import { BeepDetector, type BeepResult } from '../../lib/media/tones';
import { FRAME_SAMPLES, type Verdict } from '../../lib/media/types';
import * as S from '../../bench/corpus/synth';

export { S };

/** Speech-like audio without a TTS: noise shaped into syllables (no single frequency dominates). */
export function babble(durMs: number, seed = 1, amp = 3000): Float64Array {
  const r = S.rng(seed);
  const n = S.noise(durMs, r);
  return Float64Array.from(n, (v, i) => {
    const t = i / 8000;
    // ~4 syllables per second, never fully silent inside a "word".
    const env = 0.55 + 0.45 * Math.sin(2 * Math.PI * 4 * t);
    return v * amp * env;
  });
}

export function run(x: Float64Array, opts: CallAnalyzerOptions & { answerAtMs?: number } = {}): Verdict[] {
  return analyzePcm(S.toInt16(x), opts);
}

/** Every beep the beep detector alone reports over `x` (followed by silence so the last run ends). */
export function beeps(x: Float64Array, overrides: Record<string, unknown> = {}): BeepResult[] {
  const cfg = mediaConfig(undefined, overrides);
  const det = new BeepDetector(cfg.beep, cfg.tones);
  const fx = new FeatureExtractor();
  const pcm = S.toInt16(S.concat(S.silence(200), x, S.silence(200)));
  const out: BeepResult[] = [];
  for (let i = 0; i + FRAME_SAMPLES <= pcm.length; i += FRAME_SAMPLES) {
    const r = det.push(fx.compute(pcm.subarray(i, i + FRAME_SAMPLES)));
    if (r) out.push(r);
  }
  return out;
}

export const kinds = (vs: Verdict[]) => vs.map((v) => v.kind);

const RATE = 8000;

/** A harmonic source (harmonics up to 3.4 kHz falling as 1/h) following `f0(t)`, with an amplitude envelope. */
export function voiced(durMs: number, f0: (t: number) => number, env: (t: number) => number, amp = 3000): Float64Array {
  const n = Math.round((durMs * RATE) / 1000);
  const x = new Float64Array(n);
  let ph = 0;
  for (let i = 0; i < n; i++) {
    const t = i / RATE;
    const f = f0(t);
    ph += (2 * Math.PI * f) / RATE;
    let v = 0;
    for (let h = 1; h * f < 3400; h++) v += Math.sin(h * ph) / h;
    x[i] = v * amp * env(t);
  }
  return x;
}

const NOTES = [196, 220, 247, 262, 294, 330, 294, 262, 247, 220];

/** Held notes, 400 ms each, as a melody line plays them (a short decay between notes). */
/** `x` plus white noise `snr` dB under its active level. */
export function white(x: Float64Array, snr: number, seed = 5): Float64Array {
  const sig = S.rms(S.toInt16(x), true) || 1;
  const n = S.noise(x.length / 8, S.rng(seed));
  const nr = Math.sqrt(n.reduce((a, v) => a + v * v, 0) / n.length) || 1;
  const g = sig / Math.pow(10, snr / 20) / nr;
  return Float64Array.from(x, (v, i) => v + g * (n[i] ?? 0));
}

/** A speaking voice: 5 syllables a second and an intonation that keeps moving. */
export const voice = (ms: number, base = 170, seed = 0) =>
  voiced(
    ms,
    (t) => base * Math.pow(2, 0.4 * Math.sin(2 * Math.PI * 3 * t + seed) + 0.15 * Math.sin(2 * Math.PI * 7.3 * t + 2 * seed)),
    (t) => Math.pow(Math.sin((Math.PI * (t % 0.2)) / 0.2), 2) * 0.9 + 0.1,
  );

export const heldNotes = (): Float64Array =>
  voiced(
    NOTES.length * 400,
    (t) => NOTES[Math.min(NOTES.length - 1, Math.floor(t / 0.4))]!,
    (t) => 0.1 + 0.9 * Math.exp(-(t % 0.4) / 0.15),
  );

/** Four three-note chords of one key (C, Am, G, F), each note with four harmonics. */
const CHORDS = [
  [262, 330, 392],
  [220, 262, 330],
  [196, 247, 294],
  [175, 220, 262],
];

/**
 * Chords at 8 kHz, a new one every `chordMs`, the first `count` of CHORDS round and round: partials at fixed
 * frequencies that give the voice-range pitch tracker no single period (the spectral-lines cue's case).
 */
export function chords(ms: number, chordMs = 500, count = CHORDS.length): Float64Array {
  return Float64Array.from({ length: ms * 8 }, (_, i) => {
    const ch = CHORDS[Math.floor(i / (8 * chordMs)) % count]!;
    let v = 0;
    for (const f of ch) for (let h = 1; h <= 4; h++) v += Math.sin((2 * Math.PI * f * h * i) / 8000) / h;
    return 1200 * v;
  });
}

/** The model VAD and the shape features over a whole sound, with the default media config. */
export function shapeOf(x: Float64Array): { vad: LevelVad; shape: Shape } {
  const cfg = mediaConfig();
  const pcm = S.toInt16(x);
  const vad = new LevelVad(cfg.vad, 3000);
  const side = new FrameSide(3000);
  const f = new Int16Array(160);
  for (let i = 0; i + 160 <= pcm.length; i += 160) {
    f.set(pcm.subarray(i, i + 160));
    vad.pushFrame(f);
  }
  const o = {
    mergeGapMs: cfg.amd.mergeGapMs,
    minBurstMs: cfg.amd.minWordLengthMs,
    minPeriodicity: cfg.vad.minPeriodicity,
    backgroundBelowDb: cfg.amd.backgroundBelowDb,
  };
  return { vad, shape: shape(vad, side, o, new Float64Array(18)) };
}

/** `sl` fed `x` frame by frame, as the analyser feeds it (every frame counted, each with its level). */
export function feedLines(sl: SpectralLines, x: Float64Array): SpectralLines {
  const pcm = S.toInt16(x);
  for (let i = 0; i + FRAME_SAMPLES <= pcm.length; i += FRAME_SAMPLES) {
    const f = pcm.subarray(i, i + FRAME_SAMPLES);
    let e = 0;
    for (const v of f) e += v * v;
    sl.push(f, true, 10 * Math.log10(e / FRAME_SAMPLES / 32768 ** 2 + 1e-12));
  }
  return sl;
}
