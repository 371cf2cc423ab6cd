/** AMD decisions on constructed voiced/silent frame sequences (20 ms each). */
import t from 'tap';
import { Amd } from '../../../lib/media/amd';
import { mediaConfig } from '../../../lib/media/config';
import { babble, kinds, run, S } from '../../helpers/media-signals';

const cfg = mediaConfig().amd;
/** Feeds runs of [voiced, ms] and returns the decision with its time. */
function feed(seq: Array<[boolean, number]>, c = cfg) {
  const amd = new Amd(c);
  let t = 0;
  for (const [voiced, ms] of seq) {
    for (let i = 0; i < ms / 20; i++) {
      t += 20;
      const d = amd.push(voiced);
      if (d) return { ...d, t };
    }
  }
  return null;
}

t.test('short greeting then silence → human, after_greeting_silence later', async (t) => {
  const d = feed([
    [false, 300],
    [true, 500],
    [false, 2000],
  ]);
  t.equal(d?.kind, 'human');
  t.equal(d?.t, 300 + 500 + 800);
});

t.test('timing starts at speech onset: 3 s of carrier silence before "hello" is still a person', async (t) => {
  const d = feed([
    [false, 3000],
    [true, 600],
    [false, 2000],
  ]);
  t.equal(d?.kind, 'human');
});

t.test('app_amd initial_silence can be switched on', async (t) => {
  const d = feed(
    [
      [false, 3000],
      [true, 600],
      [false, 2000],
    ],
    { ...cfg, initialSilenceMs: 2500 },
  );
  t.equal(d?.kind, 'machine');
  t.equal(d?.t, 2500);
});

t.test('long greeting with short pauses → machine when the greeting passes greetingMs', async (t) => {
  const words: Array<[boolean, number]> = [];
  for (let i = 0; i < 10; i++) words.push([true, 400], [false, 200]);
  const d = feed([[false, 200], ...words]);
  t.equal(d?.kind, 'machine');
  t.ok(d && d.t - 200 > cfg.greetingMs && d.t - 200 <= cfg.greetingMs + 40, `decided at ${d?.t}`);
});

t.test('too many words → machine; one very long word → machine', async (t) => {
  const many: Array<[boolean, number]> = [];
  for (let i = 0; i < 12; i++) many.push([true, 120], [false, 80]);
  t.match(feed(many), { kind: 'machine', reason: /words/ });
  t.match(feed([[true, 6000]], { ...cfg, greetingMs: 10000 }), { kind: 'machine', reason: /word longer/ });
});

t.test('a pause of 700 ms inside a greeting is not yet the end of it (800 ms is)', async (t) => {
  t.equal(
    feed([
      [true, 400],
      [false, 700],
      [true, 2800],
      [false, 100],
    ])?.kind,
    'machine',
  );
  t.equal(
    feed([
      [true, 400],
      [false, 800],
      [true, 2800],
    ])?.kind,
    'human',
  );
});

t.test('no voice for the silence timeout → silence; undecided → notsure', async (t) => {
  t.match(feed([[false, 6000]]), { kind: 'silence', durationMs: 5000 });
  const slow: Array<[boolean, number]> = [];
  for (let i = 0; i < 10; i++) slow.push([true, 300], [false, 500]);
  t.match(feed(slow, { ...cfg, greetingMs: 20000, maximumNumberOfWords: 100 }), { kind: 'notsure', t: 5000 });
});

t.test('analyser end to end: babble greeting of 0.8 s → human; 5 s → machine; noise only → silence', async (t) => {
  t.same(kinds(run(S.concat(S.silence(1500), babble(800, 4), S.silence(3000)), { phase: 'answered' })), ['human']);
  t.same(kinds(run(S.concat(S.silence(500), babble(5000, 5), S.silence(2000)), { phase: 'answered' })), ['machine']);
  const line = S.addNoise(S.silence(7000), 120, 0, S.rng(9));
  t.same(kinds(run(line, { phase: 'answered' })), ['silence']);
  // Background noise well above the absolute threshold: the adaptive floor still finds the short greeting.
  const noisy = S.addNoise(S.concat(S.silence(600), babble(700, 6, 6000), S.silence(3000)), 600, 0, S.rng(3));
  t.same(kinds(run(noisy, { phase: 'answered' })), ['human']);
});

t.test('early media then answer: the AMD clock starts at answer, not at the first frame', async (t) => {
  const x = S.concat(S.cadence([440, 480], [2000, 4000], 6000, 5000), babble(600, 7), S.silence(3000));
  const vs = run(x, { phase: 'early', answerAtMs: 6000, region: 'NA' });
  t.same(kinds(vs), ['ringback', 'human']);
});

t.test('per-call overrides are validated and name the key', async (t) => {
  t.throws(() => mediaConfig(undefined, { amd: { greetingMs: -1 } }), /media\.amd\.greetingMs/);
  t.equal(mediaConfig(undefined, { amd: { greetingMs: 2000 } }).amd.greetingMs, 2000);
});
