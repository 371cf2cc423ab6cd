/** AMD decisions on constructed voiced/silent frame sequences (20 ms each), then end to end on speech. */
import t from 'tap';
import { Amd } from '../../../lib/media/amd';
import { mediaConfig } from '../../../lib/media/config';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { speak } from '../../../bench/corpus/speech';
import { kinds, run, S } from '../../helpers/media-signals';

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

// End to end through the analyser (its default decider, the shape model): real speech (espeak-ng, installed by
// scripts/setup.sh) over a quiet room, since the model weighs pitch and noise shaped into syllables has none.
const db = (x: number) => Math.pow(10, x / 20);
const room = (ms: number, seed = 1) => S.scale(S.noise(ms, S.rng(seed)), 32768 * db(-60));
const dir = mkdtempSync(join(tmpdir(), 'amd-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
/** Spoken text with espeak's leading/trailing zeros cut, over room noise (no line carries digital zeros mid-call). */
async function say(text: string): Promise<Float64Array> {
  const x = Float64Array.from(await speak(join(dir, 'cache'), { voice: 'en-us', text, speed: 165, pitch: 50 }));
  let a = 0;
  let b = x.length;
  while (a < b && Math.abs(x[a]!) < 100) a++;
  while (b > a && Math.abs(x[b - 1]!) < 100) b--;
  const r = room(S.durationMs(x.subarray(a, b)), 9);
  return Float64Array.from(x.subarray(a, b), (v, i) => v + (r[i] ?? 0));
}

t.test('analyser end to end: "hello" → human; a 5 s greeting → machine; line noise only → silence', async (t) => {
  const hello = await say('Hello?');
  t.same(kinds(run(S.concat(room(1500, 2), hello, room(3000, 3)), { phase: 'answered' })), ['human']);
  const greeting = await say(
    'Hi, this is Sam. I cannot take your call right now, please leave a message after the tone and I will call you back.',
  );
  t.ok(S.durationMs(greeting) >= 5000, `greeting of ${Math.round(S.durationMs(greeting))} ms`);
  t.same(kinds(run(S.concat(room(500, 4), greeting, room(2000, 5)), { phase: 'answered' })), ['machine']);
  const line = S.addNoise(S.silence(7000), 120, 0, S.rng(9));
  t.same(kinds(run(line, { phase: 'answered' })), ['silence']);
  // Background noise well above the absolute threshold (≈ 24 dB below the speech): the adaptive floor still finds the greeting.
  const noisy = S.addNoise(S.concat(S.silence(600), hello, S.silence(3000)), 600, 0, S.rng(3));
  t.same(kinds(run(noisy, { phase: 'answered' })), ['human']);
});

t.test('early media then answer: the AMD clock starts at answer, not at the first frame', async (t) => {
  const x = S.concat(S.cadence([440, 480], [2000, 4000], 6000, 5000), await say('Hello?'), room(3000, 6));
  const vs = run(x, { phase: 'early', answerAtMs: 6000, region: 'NA' });
  t.same(kinds(vs), ['ringback', 'human']);
});

t.test('per-call overrides are validated and name the key', async (t) => {
  t.throws(() => mediaConfig(undefined, { amd: { greetingMs: -1 } }), /media\.amd\.greetingMs/);
  t.equal(mediaConfig(undefined, { amd: { greetingMs: 2000 } }).amd.greetingMs, 2000);
});
