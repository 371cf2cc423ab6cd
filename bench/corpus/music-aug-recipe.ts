/**
 * Augmented training copies of the real-voice corpus's train music (scripts/train-amd.ts `--music-augs n`).
 *
 * Why: the train split's music is three tracks × 8 excerpts, each used clean and with two augmentations drawn at
 * random, so a given line condition reaches the model's music class through only 3–6 recordings (the persons and
 * machines: 150 clean each, plus the espeak tune split). The held-out rows the music class still loses are line
 * conditions (pink, brown, GSM, loss: 0.813 against 0.875 clean, round twenty-three). This recipe gives every clean
 * train music excerpt `copies` copies through every one of those conditions — the four noises at the corpus's
 * 5–30 dB SNR, the three codec round trips, 1–5 % packet loss — with the corpus's own augment() and draws of their
 * own, so the music class sees each condition ≈ 24 × copies times. No new audio: only the train tracks.
 *
 * Pure: which copies, which seeds; the audio is made by the caller.
 */
import type { Augmentation, RealItem } from './real';

/** The line conditions of the held-out rows that read the music class: noise, codecs, loss. */
export const MUSIC_TRAIN_AUGS: readonly Augmentation[] = ['white', 'pink', 'brown', 'babble', 'ulaw', 'alaw', 'gsm', 'loss'];

export interface MusicAugCopy {
  /** The clean train music item the copy is made from. */
  base: RealItem;
  aug: Augmentation;
  /** The PRNG seed of this copy's draws (SNR, noise, loss pattern). */
  seed: number;
}

/** `copies` copies of every clean train music item through every augmentation of `augs`, each with its own seed. */
export function musicAugPlan(items: readonly RealItem[], copies = 1, augs: readonly Augmentation[] = MUSIC_TRAIN_AUGS, seed = 2416): MusicAugCopy[] {
  const out: MusicAugCopy[] = [];
  let n = 0;
  for (const base of items) {
    if (base.split !== 'train' || base.aug !== 'clean' || base.expect !== 'music') continue;
    for (let k = 0; k < copies; k++) for (const aug of augs) out.push({ base, aug, seed: seed * 100019 + ++n * 7907 });
  }
  return out;
}
