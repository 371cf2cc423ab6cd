/**
 * Round fourteen's edge for the multi-burst rule on a noisy line (lib/media/amd-model.ts, amd.noisyMultiBurstLean):
 * line noise hides the fading tails of a sentence's words and sinks its soft voiced stretches, so a person's one
 * sentence reads as two bursts a pause apart. That pause is weaker evidence of a recording's two sentences when the
 * noise is close to the speech, so on a noisy line the model's lean towards a recording, P(machine) / (P(machine) +
 * P(person)), must reach a higher bar: 0.5 on a quiet line (quietLineSnrDb and up), noisyMultiBurstLean at
 * noisyLineSnrDb and below, linear between.
 */
import t from 'tap';
import { multiBurstLean } from '../../../lib/media/amd-model';
import { mediaConfig } from '../../../lib/media/config';
import type { Verdict } from '../../../lib/media/types';
import { run, S, voice, white } from '../../helpers/media-signals';

const answered = { phase: 'answered' as const };
const room = (ms: number, seed = 1) => S.scale(S.noise(ms, S.rng(seed)), 32768 * Math.pow(10, -60 / 20));

t.test('the lean the multi-burst rule needs grows as the line gets noisier (amd.noisyMultiBurstLean)', async (t) => {
  const c = { ...mediaConfig().amd, noisyMultiBurstLean: 0.7 };
  t.equal(multiBurstLean(c, 80), 0.5, 'a clean line: the model leaning that way at all');
  t.equal(multiBurstLean(c, c.quietLineSnrDb), 0.5);
  t.equal(multiBurstLean(c, c.noisyLineSnrDb), 0.7, 'a noisy line: noisyMultiBurstLean');
  t.equal(multiBurstLean(c, 2), 0.7, 'never more than noisyMultiBurstLean');
  t.ok(Math.abs(multiBurstLean(c, (c.quietLineSnrDb + c.noisyLineSnrDb) / 2) - 0.6) < 1e-9, 'linear in between');
  t.equal(multiBurstLean({ ...c, noisyMultiBurstLean: 0.5 }, 2), 0.5, '0.5: off');
  t.equal(multiBurstLean({ ...c, noisyMultiBurstLean: 0 }, 2), 0.5, 'under 0.5: off');
  t.equal(multiBurstLean({ ...c, noisyLineSnrDb: 0, quietLineSnrDb: 0 }, 2), 0.5, 'equal SNR bounds: off');
});

const firing = (v: Verdict | undefined) => (v && v.kind === 'machine' && /^\d+ bursts over \d+ ms$/.test(v.reason) ? v : null);

t.test('a noisy line: the multi-burst rule fires only when the model leans at least noisyMultiBurstLean', async (t) => {
  // A 3.3 s sentence with a 350 ms break in it, then quiet: white noise 8 dB under it (the line's SNR ≈ 11 dB, under
  // noisyLineSnrDb, so the bar is noisyMultiBurstLean itself).
  const x = white(S.concat(room(300), voice(1400, 170, 1), room(350, 3), voice(1500, 170, 2), room(3000, 4)), 8);
  const off = firing(run(x, { ...answered, overrides: { amd: { noisyMultiBurstLean: 0 } } })[0]);
  t.ok(off, 'the edge: the rule fires with the bar off');
  const lean = off!.confidence ?? 0;
  t.ok(lean > 0.5 && lean < 0.98, `at a lean of ${lean}`);
  const below = run(x, { ...answered, overrides: { amd: { noisyMultiBurstLean: lean - 0.01 } } })[0];
  t.same(
    [below?.kind, below?.atMs, below && 'reason' in below ? below.reason : ''],
    [off!.kind, off!.atMs, off!.reason],
    'a bar under the lean: the same verdict',
  );
  const above = run(x, { ...answered, overrides: { amd: { noisyMultiBurstLean: Math.min(1, lean + 0.01) } } });
  t.notOk(
    above.some((v) => firing(v) && v.atMs === off!.atMs),
    `a bar over the lean: not two sentences at that pause (${JSON.stringify(above[0])})`,
  );
});

t.test('a quiet line: noisyMultiBurstLean changes nothing', async (t) => {
  const x = S.concat(room(300), voice(1400, 170, 1), room(350, 3), voice(1500, 170, 2), room(3000, 4));
  const base = run(x, { ...answered, overrides: { amd: { noisyMultiBurstLean: 0 } } });
  t.same(run(x, { ...answered, overrides: { amd: { noisyMultiBurstLean: 1 } } }), base);
});

t.test('a noisy line: a pause of noisyMultiBurstLeanBelowPauseMs or more is two sentences whatever the lean', async (t) => {
  // Two sentences 700 ms apart, then quiet, in white noise 8 dB under them.
  const x = white(S.concat(room(300), voice(1400, 170, 1), room(700, 3), voice(1500, 170, 2), room(3000, 4)), 8);
  const base = run(x, { ...answered, overrides: { amd: { noisyMultiBurstLean: 0 } } })[0];
  t.ok(firing(base), `the rule fires with the bar off: ${JSON.stringify(base)}`);
  const high = run(x, { ...answered, overrides: { amd: { noisyMultiBurstLean: 0.99 } } })[0];
  t.same([high?.kind, high?.atMs], [base?.kind, base?.atMs], 'a bar no lean reaches: the same verdict, the pause is long enough');
  const every = run(x, { ...answered, overrides: { amd: { noisyMultiBurstLean: 0.99, noisyMultiBurstLeanBelowPauseMs: 0 } } })[0];
  t.equal(every?.kind, 'human', `the edge: the bar asked at every pause, ${JSON.stringify(every)}`);
});

t.test('a noisy line: held back by the bar, a recording that goes on is a machine at the end of the analysis', async (t) => {
  // Three sentences 350 and 400 ms apart (both pauses under noisyMultiBurstLeanBelowPauseMs), white noise 8 dB under.
  const x = white(
    S.concat(room(300), voice(1400, 170, 1), room(350, 3), voice(1500, 170, 2), room(400, 5), voice(750, 170, 3), room(3000, 4)),
    8,
  );
  const base = run(x, { ...answered, overrides: { amd: { noisyMultiBurstLean: 0 } } })[0];
  t.ok(firing(base), `the rule fires with the bar off: ${JSON.stringify(base)}`);
  const held = run(x, { ...answered, overrides: { amd: { noisyMultiBurstLean: 0.99 } } })[0];
  t.equal(held?.kind, 'machine', JSON.stringify(held));
  t.match(held && 'reason' in held ? held.reason : '', /held back on a noisy line, and no quiet after them/);
  t.ok(held!.atMs > base!.atMs, `decided later: ${held!.atMs} against ${base!.atMs} ms`);
  // The same first two sentences ending in quiet: a person (a person's one sentence split by the noise).
  const person = white(S.concat(room(300), voice(1400, 170, 1), room(350, 3), voice(1500, 170, 2), room(3000, 4)), 8);
  t.equal(run(person, { ...answered, overrides: { amd: { noisyMultiBurstLean: 0.99 } } })[0]?.kind, 'human');
});
