/**
 * The model's pitch-shifted training copies (bench/corpus/pitch-recipe.ts, scripts/train-amd.ts): which items get
 * copies, the shifts drawn, and that sox's `pitch` moves the voice and keeps its timing (real sox).
 */
import t from 'tap';
import { drawCents, PITCH_HIGH_CENTS, PITCH_LOW_CENTS, pitchPlan } from '../../../bench/corpus/pitch-recipe';
import { shiftPitch } from '../../../bench/corpus/real';
import { rng } from '../../../bench/corpus/synth';
import { realItem } from '../../helpers/real-items';

t.test('only clean train persons and machines get copies, with their siblings augmentations', async (t) => {
  const items = [
    realItem('p', 'human', 'clean'),
    realItem('p', 'human', 'white'),
    realItem('p', 'human', 'gsm'),
    realItem('m', 'machine', 'clean'),
    realItem('m', 'machine', 'lead'),
    realItem('mu', 'music', 'clean'),
    realItem('b', 'busy', 'clean'),
    realItem('h', 'human', 'clean', 'holdout'),
  ];
  const plan = pitchPlan(items);
  t.same(
    plan.map((c) => [c.base.id, c.augs]),
    [
      ['p', ['white', 'gsm']],
      ['m', ['lead']],
    ],
  );
  t.equal(pitchPlan(items, 3).length, 6, 'three copies per item');
  t.same(pitchPlan(items), plan, 'the same copies and shifts on every run');
  t.not(plan[0]!.seed, plan[1]!.seed, 'each copy draws its own augmentation');
});

t.test('shifts: about 70 % lower by 300–900 cents, the rest higher by 200–400', async (t) => {
  const r = rng(7);
  const xs = Array.from({ length: 2000 }, () => drawCents(r));
  const low = xs.filter((c) => c < 0);
  t.ok(
    low.every((c) => c >= PITCH_LOW_CENTS[0] && c <= PITCH_LOW_CENTS[1]),
    'lower shifts in range',
  );
  t.ok(
    xs.filter((c) => c > 0).every((c) => c >= PITCH_HIGH_CENTS[0] && c <= PITCH_HIGH_CENTS[1]),
    'higher shifts in range',
  );
  t.ok(low.length > 1300 && low.length < 1500, `${low.length} of 2000 lower`);
  t.ok(Math.min(...low) < -850 && Math.max(...low) > -350, 'the whole lower range is drawn');
});

t.test('sox pitch moves a voice down and keeps its length and timing', async (t) => {
  // A 200 Hz buzz (harmonics to 2 kHz) from 0.5 s to 1.5 s of 2 s.
  const pcm = new Int16Array(16000);
  for (let i = 4000; i < 12000; i++) {
    let v = 0;
    for (let h = 1; h <= 10; h++) v += Math.sin((2 * Math.PI * 200 * h * i) / 8000) / h;
    pcm[i] = Math.round(4000 * v);
  }
  const out = shiftPitch(pcm, -900);
  t.ok(Math.abs(out.length - pcm.length) <= 2, `length kept (${out.length} of ${pcm.length})`);
  // The fundamental's period: the autocorrelation's peak over 80–400 Hz.
  const period = (x: Int16Array) => {
    let best = 0;
    let lag = 0;
    for (let L = 20; L <= 100; L++) {
      let s = 0;
      for (let i = 6000; i < 10000; i++) s += x[i]! * x[i + L]!;
      if (s > best) [best, lag] = [s, L];
    }
    return lag;
  };
  t.equal(period(pcm), 40, 'the buzz: 200 Hz');
  // 900 cents down: 200 Hz × 2^(−0.75) = 118.9 Hz, a period of 67.3 samples.
  t.ok(Math.abs(period(out) - 67) <= 1, `900 cents down: ${period(out)} samples`);
  // The recipe cuts a machine's snapshots 40 ms before its beep: the shift may not bring the beep earlier than that.
  for (const cents of [-900, -300, 400]) {
    const onset = (x: Int16Array) => x.findIndex((v) => Math.abs(v) > 2000);
    const moved = (onset(shiftPitch(pcm, cents)) - onset(pcm)) / 8;
    t.ok(moved > -40 && moved < 60, `${cents} cents: onset moved ${moved} ms`);
  }
});
