/**
 * Pitch-shifted training copies of the real-voice corpus's speech (scripts/train-amd.ts).
 *
 * Why: the train split's three speakers are women (en/es Allison, fr June, fundamental ≈ 170–250 Hz), so the model
 * has never heard a low voice, and real callers are half men (≈ 85–155 Hz). Round fourteen measured the cost on train
 * persons in noise (detect-noise-dev): 98.5 % at the voices' own pitch, 97.7 % at `--pitch -800`.
 *
 * Off by default (`--pitch-copies n` turns it on): round fifteen retrained with one copy per item and measured no
 * gain for lowered voices (train persons in noise at `--pitch -800`: 97.7 % with the shipped weights, 97.5 % with
 * the copies, 97.4 % retrained without them); what loses low voices is the rules (README, "Call analysis model").
 *
 * The recipe: every clean train person and machine gets one copy (or `copies`) moved by sox `pitch` (tempo kept),
 * 70 % of them lower by 300–900 cents (200 Hz → 118–168 Hz: a man's range) and 30 % higher by 200–400 cents (a
 * higher woman's or a child's voice), drawn per item with the corpus's seeded PRNG, so every run trains on the same
 * audio. Each copy is used clean and with the same two augmentations as its unshifted siblings (with draws of its
 * own): the class balance and the augmentation mix stay as the corpus made them. Music and tones are not speech and
 * get no copies. Pure: which copies, which shifts; the audio is made by the caller.
 */
import type { Augmentation, RealItem } from './real';
import { rng } from './synth';

export interface PitchCopy {
  /** The clean train item the copy is made from. */
  base: RealItem;
  cents: number;
  /** The augmentations of the base's siblings in the corpus, applied to the shifted copy too. */
  augs: Augmentation[];
  /** The PRNG seed of this copy's augmentation draws. */
  seed: number;
}

export const PITCH_LOW_CENTS: readonly [number, number] = [-900, -300];
export const PITCH_HIGH_CENTS: readonly [number, number] = [200, 400];
export const PITCH_LOW_SHARE = 0.7;

/** One shift: lower (a man's range) with probability PITCH_LOW_SHARE, else higher; rounded to whole cents. */
export function drawCents(r: () => number): number {
  const [a, b] = r() < PITCH_LOW_SHARE ? PITCH_LOW_CENTS : PITCH_HIGH_CENTS;
  return Math.round(a + r() * (b - a));
}

/** The copies to make from the train split's persons and machines; `copies` per item, each with its own shift. */
export function pitchPlan(items: readonly RealItem[], copies = 1, seed = 1615): PitchCopy[] {
  const train = items.filter((i) => i.split === 'train');
  const augsOf = new Map<string, Augmentation[]>();
  for (const i of train) if (i.aug !== 'clean') (augsOf.get(i.base) ?? augsOf.set(i.base, []).get(i.base)!).push(i.aug);
  const r = rng(seed);
  const out: PitchCopy[] = [];
  let n = 0;
  for (const base of train) {
    if (base.aug !== 'clean' || (base.expect !== 'human' && base.expect !== 'machine')) continue;
    for (let k = 0; k < copies; k++) out.push({ base, cents: drawCents(r), augs: augsOf.get(base.id) ?? [], seed: seed * 100003 + ++n * 7919 });
  }
  return out;
}
