/** Signal helpers for the media tests (not a test file). */
import { analyzePcm, type CallAnalyzerOptions } from '../../lib/media/analyzer';
import type { Verdict } from '../../lib/media/types';
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

export const kinds = (vs: Verdict[]) => vs.map((v) => v.kind);
