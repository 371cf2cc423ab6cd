/**
 * Notes in a line's pure-tone frames: what tells a melody of pure-sounding notes (a square-wave or flute-like line,
 * an arpeggio) from a call-progress tone, both of which the per-frame purity (features.ts: the share of a frame's
 * energy at its zero-crossing frequency) calls "tonal".
 *
 * A tone is one or two steady partials with a cadence: a dial, busy, reorder or ringback tone holds one frequency
 * (the zero-crossing estimate of a dual tone sits between its two), a beep holds one, a SIT steps through three and
 * then stops (ITU-T Q.35, E.180), and a generated tone has no energy at its half or its multiples
 * (features.ts harmonicShare: ≤ 0.019 on every beep of the dev corpora, noise, codecs and clipping included). A
 * melody moves on a musical grid, one note after another at a semitone or more apart, and an instrument's note
 * carries harmonics (a square wave: its third at a ninth of the fundamental's power).
 *
 * Pure, allocation-free but for the median's scratch; I/O-free.
 */

export interface TonalNotes {
  /** Distinct note frequencies (runs of pure frames held within `tolerance` for at least `minRunFrames`). */
  notes: number;
  /** The median harmonicShare over the pure frames (0 with none). */
  harmonicShare: number;
}

/** Purity over which a frame is a pure tone: the tonal share's own bar (amd-model lineMusic, amd-features tonalShare). */
const PURE = 0.5;

/**
 * Over frames [from, to): the runs of pure frames whose frequency stays within `tolerance` (relative) of the run's
 * first frame, those of at least `minRunFrames` whose frequency spans at most half the tolerance counted as notes, and how many distinct frequencies (again within
 * `tolerance`) those notes take; and the median harmonic share of the pure frames. `scratch` holds at least to − from
 * values.
 */
export function tonalNotes(
  purity: ArrayLike<number>,
  freq: ArrayLike<number>,
  harm: ArrayLike<number>,
  from: number,
  to: number,
  minRunFrames: number,
  tolerance: number,
  scratch: Float32Array,
): TonalNotes {
  const distinct: number[] = [];
  let pure = 0;
  let runStart = -1;
  let runRef = 0;
  let runSum = 0;
  let runMin = 0;
  let runMax = 0;
  const close = (end: number) => {
    // A note holds its frequency: a run whose frequency drifts over half the tolerance is a glide (a siren, a voice's
    // slide), not a note, though each frame stays within the tolerance of the run's first.
    if (runStart >= 0 && end - runStart >= minRunFrames && runMax <= runMin * (1 + tolerance / 2)) {
      const f = runSum / (end - runStart);
      if (!distinct.some((d) => Math.abs(f - d) <= tolerance * d)) distinct.push(f);
    }
    runStart = -1;
  };
  for (let i = from; i < to; i++) {
    const f = freq[i]!;
    const isPure = purity[i]! > PURE && f > 0;
    if (isPure) scratch[pure++] = harm[i]!;
    if (isPure && runStart >= 0 && Math.abs(f - runRef) <= tolerance * runRef) {
      runSum += f;
      if (f < runMin) runMin = f;
      if (f > runMax) runMax = f;
      continue;
    }
    close(i);
    if (isPure) {
      runStart = i;
      runRef = f;
      runSum = f;
      runMin = f;
      runMax = f;
    }
  }
  close(to);
  let median = 0;
  if (pure > 0) {
    const s = scratch.subarray(0, pure).sort();
    median = pure % 2 ? s[pure >> 1]! : (s[(pure >> 1) - 1]! + s[pure >> 1]!) / 2;
  }
  return { notes: distinct.length, harmonicShare: median };
}
