/** A real-voice corpus item (bench/corpus/real.ts) for the training-recipe tests: only its label fields matter. */
import type { Augmentation, RealExpect, RealItem } from '../../bench/corpus/real';

export const realItem = (base: string, expect: RealExpect, aug: Augmentation, split: 'train' | 'holdout' = 'train'): RealItem => ({
  id: aug === 'clean' ? base : `${base}~${aug}`,
  file: `audio/${base}.raw`,
  split,
  aug,
  base,
  expect,
  region: 'NA',
  desc: 'test',
});
