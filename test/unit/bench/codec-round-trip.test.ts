/**
 * The real-voice corpus's codec rows are the same audio on every build (bench/corpus/real.ts, REAL_VERSION 5):
 * sox dithers, randomly seeded, when it lowers the precision, unless told not to (-D). Real sox, real codecs.
 */
import t from 'tap';
import { augment, sox, type Made } from '../../../bench/corpus/real';

const speechLike = (): Float64Array =>
  Float64Array.from(
    { length: 8000 },
    (_, i) => 0.2 * Math.sin((2 * Math.PI * 210 * i) / 8000) * (0.6 + 0.4 * Math.sin((2 * Math.PI * 4 * i) / 8000)),
  );

t.test('μ-law, A-law and GSM round trips give the same samples twice', async (t) => {
  const m: Made = { x: speechLike(), expect: 'human', region: 'JP', desc: 'test', sigRms: 0.1 };
  for (const aug of ['ulaw', 'alaw', 'gsm'] as const) {
    const a = augment(m, aug, () => 0.5, []).pcm;
    const b = augment(m, aug, () => 0.5, []).pcm;
    t.equal(a.length, m.x.length, `${aug}: as long as the input`);
    t.ok(Buffer.from(a.buffer).equals(Buffer.from(b.buffer)), `${aug}: identical samples`);
  }
});

t.test('the round trip is a codec, not a copy: μ-law moves samples by its step size', async (t) => {
  const pcm = Int16Array.from(speechLike(), (v) => Math.round(v * 32767));
  const out = sox(pcm, ['-t', 'ul'], ['-t', 'ul', '-r', '8000', '-c', '1']);
  let moved = 0;
  for (let i = 0; i < pcm.length; i++) if (out[i] !== pcm[i]) moved++;
  t.ok(moved > pcm.length / 2, `most samples quantised (${moved} of ${pcm.length})`);
  const worst = Math.max(...Array.from(pcm, (v, i) => Math.abs(v - out[i]!)));
  t.ok(worst < 1100, `within μ-law's largest half-step at this level (${worst})`);
});
