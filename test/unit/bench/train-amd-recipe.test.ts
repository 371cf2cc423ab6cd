/**
 * The model's training recipe (scripts/train-amd.ts, bench/lib/amd-training.ts, bench/corpus/music-aug-recipe.ts): the augmented music copies,
 * the cross-validation groups and folds, the recording/class weighting, and that the grouped cross-validation scores
 * audio the fold was not fitted to.
 */
import t from 'tap';
import { MUSIC_TRAIN_AUGS, musicAugPlan } from '../../../bench/corpus/music-aug-recipe';
import { MUSIC, VOICES } from '../../../bench/corpus/real';
import { rng } from '../../../bench/corpus/synth';
import { realItem } from '../../helpers/real-items';
import { FEATURE_NAMES } from '../../../lib/media/amd-features';
import { crossValidate, foldOf, groupOf, weightRows } from '../../../bench/lib/amd-training';

t.test('music copies: every clean train excerpt through every noise, codec and loss condition', async (t) => {
  const items = [
    realItem(`${MUSIC.train[0]}-0`, 'music', 'clean'),
    realItem(`${MUSIC.train[0]}-0`, 'music', 'white'),
    realItem(`${MUSIC.train[1]}-3`, 'music', 'clean'),
    realItem(`${MUSIC.holdout[0]}-0`, 'music', 'clean', 'holdout'),
    realItem(`${VOICES.train[0]}-person-0`, 'human', 'clean'),
    realItem('train-tone-0', 'busy', 'clean'),
  ];
  const plan = musicAugPlan(items);
  t.same(
    MUSIC_TRAIN_AUGS,
    ['white', 'pink', 'brown', 'babble', 'ulaw', 'alaw', 'gsm', 'loss'],
    'the held-out rows music loses: noise, codecs, loss',
  );
  t.equal(plan.length, 2 * MUSIC_TRAIN_AUGS.length, 'two clean train excerpts × every condition; no held-out, speech or tone item');
  t.same([...new Set(plan.map((c) => c.base.base))], [`${MUSIC.train[0]}-0`, `${MUSIC.train[1]}-3`]);
  t.same(
    plan.slice(0, MUSIC_TRAIN_AUGS.length).map((c) => c.aug),
    MUSIC_TRAIN_AUGS,
  );
  t.equal(musicAugPlan(items, 3).length, 6 * MUSIC_TRAIN_AUGS.length, 'three copies per condition');
  t.equal(new Set(plan.map((c) => c.seed)).size, plan.length, 'each copy draws its own SNR, noise and losses');
  t.same(musicAugPlan(items), plan, 'the same copies on every run');
});

t.test('cross-validation groups: a voice or a music track, and the fold that leaves it out', async (t) => {
  t.equal(groupOf({ base: `${VOICES.train[1]}-machine-7`, expect: 'machine' }), VOICES.train[1]);
  t.equal(groupOf({ base: `${MUSIC.train[2]}-5`, expect: 'music' }), MUSIC.train[2]);
  t.equal(groupOf({ base: 'train-tone-3', expect: 'busy' }), '', 'tones are not trained on');
  t.same(
    VOICES.train.map((v) => foldOf(v)),
    [0, 1, 2],
  );
  t.same(
    MUSIC.train.map((m) => foldOf(m)),
    [0, 1, 2],
  );
  t.equal(foldOf(''), -1, 'espeak and labelled calls: always trained on');
});

t.test('weighting: each recording weighs the same within its class, each class the same', async (t) => {
  const x = () => new Float64Array(FEATURE_NAMES.length);
  // Class 0: two recordings of 1 and 3 snapshots; class 2: one recording of 2; an empty recording counts for nothing.
  const rows = weightRows([0, 0, 2, 1], [[x()], [x(), x(), x()], [x(), x()], []]);
  const sum = (f: (r: (typeof rows)[number]) => boolean) => rows.filter(f).reduce((s, r) => s + r.w, 0);
  t.equal(rows.length, 6);
  t.ok(
    Math.abs(sum((r) => r.k === 0) - 0.5) < 1e-12 && Math.abs(sum((r) => r.k === 1) - 0.5) < 1e-12,
    'two recordings of class 0 weigh half each',
  );
  t.ok(Math.abs(sum((r) => r.y === 2) - 1) < 1e-12, 'class 2 weighs as much as class 0');
});

t.test('grouped cross-validation scores each fold on recordings it did not fit', async (t) => {
  const K = FEATURE_NAMES.length;
  const r = rng(24);
  // Three classes, each on its own stretch of feature 0 (±0.5 around 0, 4, 8); fold = recording % 3, one fold-less recording per class.
  const meta: Array<{ label: number; fold: number; augmented: boolean }> = [];
  const snaps: Float64Array[][] = [];
  for (let k = 0; k < 30; k++) {
    const label = k % 3;
    meta.push({ label, fold: k < 27 ? Math.floor(k / 3) % 3 : -1, augmented: label === 2 && k % 2 === 0 });
    snaps.push(Array.from({ length: 5 }, () => Float64Array.from({ length: K }, (_, i) => (i === 0 ? 4 * label + r() - 0.5 : 0))));
  }
  const cv = crossValidate(meta, snaps, { iters: 200, lr: 1, l2: 1e-3 });
  t.same(cv.recall, { human: 1, machine: 1, music: 1 }, 'separable classes are recalled on held-out folds');
  t.equal(cv.augmentedMusicRecall, 1);
  t.ok(cv.logLoss.music < 0.2, `held-out music log loss ${cv.logLoss.music}`);
  // Labels that the features do not carry: held-out recall falls to chance, where a fit scored on its own rows would not.
  const shuffled = meta.map((m, k) => ({ ...m, label: Math.floor(rng(k * 31 + 5)() * 3) }));
  const noise = snaps.map((s) => s.map(() => Float64Array.from({ length: K }, () => r())));
  const cv2 = crossValidate(shuffled, noise, { iters: 200, lr: 1, l2: 1e-3 });
  const mean = (cv2.recall.human + cv2.recall.machine + cv2.recall.music) / 3;
  t.ok(mean < 0.6, `labels from nowhere: mean held-out recall ${mean.toFixed(2)}`);
});
