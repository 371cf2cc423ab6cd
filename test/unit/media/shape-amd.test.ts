/**
 * The person / machine / music decision (lib/media/amd-model.ts) at its edges,
 * end to end through the analyser with the shipped model and defaults.
 */
import t from 'tap';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { analyzePcm } from '../../../lib/media/analyzer';
import { babble, kinds, run, S } from '../../helpers/media-signals';

const answered = { phase: 'answered' as const };
const db = (x: number) => Math.pow(10, x / 20);
/** Quiet room: pink-ish noise at about −60 dBFS. */
const room = (ms: number, seed = 1) => S.scale(S.noise(ms, S.rng(seed)), 32768 * db(-60));

t.test('speech from the very first frame: a person, not silence', async (t) => {
  const vs = run(S.concat(babble(700, 11), room(3000)), answered);
  t.equal(vs[0]?.kind, 'human');
  const v = vs[0] as Extract<(typeof vs)[number], { kind: 'human' }>;
  t.ok(v.confidence !== undefined && v.confidence >= 0.6, `confidence ${v.confidence}`);
  t.ok(v.features && Object.keys(v.features).length > 0, 'the deciding features are named');
  t.ok(v.atMs >= 700 + 600 && v.atMs <= 700 + 1000, `decided ${v.atMs - 700} ms after the greeting`);
});

t.test('−30 dB: the same decisions as at full level (no fixed speech threshold)', async (t) => {
  const g = db(-30);
  t.same(
    kinds(
      run(
        S.concat(
          room(300).map((v) => v * g),
          S.scale(babble(800, 12), g),
          S.scale(room(3000, 2), g),
        ),
        answered,
      ),
    ),
    ['human'],
  );
  t.same(kinds(run(S.concat(S.silence(300), S.scale(babble(6000, 13), g), S.silence(2000)), answered)), ['machine']);
});

t.test('a beep in the middle of a greeting makes it a machine, never a person', async (t) => {
  const x = S.concat(room(200), babble(1500, 14), S.tone([1000], 400, 8000), babble(1500, 15), room(3000));
  const vs = run(x, answered);
  t.notOk(
    vs.some((v) => v.kind === 'human'),
    JSON.stringify(vs),
  );
  t.equal(vs[0]?.kind, 'machine');
});

t.test('a 2 s machine greeting is told by its beep', async (t) => {
  const x = S.concat(room(300), babble(2000, 16), room(300), S.tone([850], 500, 8000), room(3000));
  const vs = run(x, { ...answered, waitForBeep: true });
  t.same(kinds(vs), ['machine', 'beep']);
});

t.test('a person who answers with one 4 s sentence is not hung up on as a machine', async (t) => {
  // Timing alone cannot tell this from a short recording without a beep: a person, or notsure for the campaign's policy.
  const vs = run(S.concat(room(300), babble(4000, 17), room(3000)), answered);
  t.ok(vs[0]?.kind === 'human' || vs[0]?.kind === 'notsure', JSON.stringify(vs));
  t.ok(vs[0]!.atMs <= 300 + 4000 + 1000, 'decided within a second of the end of the sentence');
});

t.test('a long greeting is a machine before it ends', async (t) => {
  const vs = run(S.concat(room(300), babble(9000, 18), room(2000)), answered);
  t.equal(vs[0]?.kind, 'machine');
  t.ok(vs[0]!.atMs < 300 + 9000, `decided at ${vs[0]!.atMs}`);
});

t.test('music after answer is never a person', async (t) => {
  for (const seed of [21, 22, 23]) {
    const vs = run(S.concat(room(200), S.music(8000, S.rng(seed), 6000)), answered);
    t.notOk(
      vs.some((v) => v.kind === 'human'),
      `seed ${seed}: ${JSON.stringify(vs)}`,
    );
  }
});

t.test('noise from the first frame (white, 10 dB below the voice): still a person', async (t) => {
  const clean = S.concat(babble(800, 19), S.silence(3000));
  const vs = run(S.addNoise(clean, 3000 * 0.7, 10, S.rng(5)), answered);
  t.equal(vs[0]?.kind, 'human', JSON.stringify(vs));
});

t.test('busy played after answer is busy, not a person', async (t) => {
  const x = S.concat(room(300), S.cadence([480, 620], [500, 500], 5000, 4000));
  t.match(run(x, { ...answered, region: 'NA' })[0], { kind: 'busy', pattern: 'busy' });
});

t.test('the model is replaceable by configuration, and a bad one is refused by name', async (t) => {
  const bad = join(tmpdir(), `amd-bad-${process.pid}.json`);
  writeFileSync(bad, JSON.stringify({ version: 1, classes: ['human'], features: [], mean: [], std: [], weights: [] }));
  t.throws(
    () => analyzePcm(S.toInt16(S.concat(babble(700, 11), room(2000))), { ...answered, overrides: { amd: { modelFile: bad } } }),
    new RegExp(bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')),
  );
  // The app_amd-style rules remain one setting away.
  t.same(kinds(run(S.concat(room(300), babble(700, 11), room(3000)), { ...answered, overrides: { amd: { decider: 'rules' } } })), [
    'human',
  ]);
});
