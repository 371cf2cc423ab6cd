/**
 * A note's free decay before a "pause" (amd.musicLinePauseDecayMs): the music rule on the line (amd-model.ts
 * `lineMusic`) refuses a line with a pause, a run with no pitch well under the line's peak, because a voice stops (a
 * breath, a comma, a person waiting for a reply) where music plays on. A plucked or struck note does not stop either:
 * it decays exponentially, a straight line in dB, and in noise its tail sinks under the floor (or under the line's
 * background bar) and reads as a pause. A voice that stops falls off a plateau: its vowel holds its level, then drops
 * 4–15 dB in a frame or two as the sound ends.
 *
 * Measured where the pause gate alone refused the line (train and dev sets only; README "Round eighteen"), over the
 * 200 ms before the run and its first frame: plucked music dev pieces in noise fall 79–94 dB/s and FM bells 22–27 dB/s,
 * at most 0.96 dB off a least-squares line (31 of 39 distinct events; the rest 1.0–4.4 dB); the wide monotone dev set's
 * flat synthetic voices (124 events) are at least 1.29 dB off it (a plateau, then the drop).
 */
import { FRAME_MS } from './types';

export interface DecayOptions {
  /** Frames before the pause's first frame that must decay (with that first frame, one more point on the line). */
  frames: number;
  /** The fall's least-squares slope must lie within [minDbPerS, maxDbPerS] (dB per second, a fall positive). */
  minDbPerS: number;
  maxDbPerS: number;
  /** No point may lie further than this (dB) from the fitted line. */
  maxResidualDb: number;
}

/**
 * Whether the level `db` (dB per frame) falls along a straight line over frames [at − frames, at], `at` the first frame
 * of a pause and `from` the first frame that may be read: an exponential decay ran into the pause. Pure; O(frames).
 */
export function steadyDecay(db: ArrayLike<number>, at: number, from: number, o: DecayOptions): boolean {
  const a = at - o.frames;
  if (o.frames < 2 || a < from || at >= db.length) return false;
  const n = o.frames + 1;
  const mx = o.frames / 2;
  let my = 0;
  for (let i = 0; i < n; i++) my += db[a + i]!;
  my /= n;
  let sxx = 0;
  let sxy = 0;
  for (let i = 0; i < n; i++) {
    sxx += (i - mx) ** 2;
    sxy += (i - mx) * (db[a + i]! - my);
  }
  const b = sxy / sxx;
  const fall = (-b * 1000) / FRAME_MS;
  if (fall < o.minDbPerS || fall > o.maxDbPerS) return false;
  for (let i = 0; i < n; i++) if (Math.abs(db[a + i]! - (my + b * (i - mx))) > o.maxResidualDb) return false;
  return true;
}
