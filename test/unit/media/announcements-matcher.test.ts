/**
 * Announcement matcher: other playback rates, messages that open alike, joined
 * late, looped or after ringback, and sounds that must not match. Speech is
 * made by espeak-ng + sox at test time (a temp folder; nothing committed); the
 * texts are not the benchmark corpus's.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { AnnouncementLibrary, AnnouncementMatcher, shortWindowConfidence, STRETCHES } from '../../../lib/media/announcements';
import { measure } from '../../../lib/media/announcement-contours';
import { bestLag, liveWindow, scoreAt } from '../../../lib/media/announcement-score';
import { mediaConfig } from '../../../lib/media/config';
import { FeatureExtractor } from '../../../lib/media/features';
import { Vad } from '../../../lib/media/vad';
import { FRAME_SAMPLES, type AnnouncementClass, type Verdict } from '../../../lib/media/types';
import { speak } from '../../../bench/corpus/speech';
import { babble, run, S } from '../../helpers/media-signals';

const dir = mkdtempSync(join(tmpdir(), 'ann-matcher-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
const say = (text: string, tempo = 1, voice = 'en-us') => speak(join(dir, 'cache'), { voice, text, speed: 165, pitch: 50, tempo });

const TEXTS: Record<number, string> = {
  // Three that open alike, as carriers' messages do.
  6: 'The number you have called has been disconnected and is no longer in service.',
  21: 'The number you have called cannot receive calls.',
  17: 'The number you have called is switched off.',
  16: 'The line is engaged. Please hang up and try again in a few minutes.',
};

async function library(): Promise<AnnouncementLibrary> {
  const lib = new AnnouncementLibrary();
  for (const [cls, text] of Object.entries(TEXTS))
    lib.add(await say(text), { class: Number(cls) as AnnouncementClass, carrier: 'telco', name: `telco/${cls}.wav` });
  return lib;
}

const announcement = (vs: Verdict[]) => vs.find((v): v is Extract<Verdict, { kind: 'announcement' }> => v.kind === 'announcement');
const early = (x: Float64Array, lib: AnnouncementLibrary) => run(S.concat(x, S.silence(400)), { phase: 'early', announcements: lib });

t.test('a window scores 1 against itself and the voiced span must match on its own', async (t) => {
  const pcm = await say(TEXTS[6]!);
  const c = measure(pcm);
  const live = liveWindow(c.e.slice(40, 140), c.t.slice(40, 140))!;
  t.ok(scoreAt(live, c, 40) > 0.999);
  t.ok(scoreAt(live, c, 55) < 0.6, 'off by 300 ms it does not');
  // A 1 s tone burst then silence, placed where the reference ends: the step matches, the words do not.
  const burst = measure(S.toInt16(S.concat(S.tone([425], 1000, 8000), S.silence(1000))));
  const bl = liveWindow(burst.e, burst.t)!;
  const best = bestLag(bl, c, { coverTo: 50, minLength: 100, minSpan: 25 });
  t.ok(best.c < 0.5, `tone burst scores ${best.c.toFixed(2)}`);
  // Voiced frames may not run past the end of the reference.
  const tail = liveWindow(c.e.slice(c.e.length - 60), c.t.slice(c.t.length - 60))!;
  t.ok(
    Number.isNaN(bestLag(tail, c, { coverTo: 60, minLength: 100, minSpan: 25, from: c.e.length - 59 }).lag),
    'no lag leaves voiced frames outside',
  );
});

t.test('shorter windows need more confidence, in the same measure (Fisher z)', async (t) => {
  t.equal(shortWindowConfidence(0.75, 100, 100), 0.75);
  t.equal(shortWindowConfidence(0.75, 100, 150), 0.75, 'never less than minConfidence');
  const c60 = shortWindowConfidence(0.75, 100, 60);
  const c80 = shortWindowConfidence(0.75, 100, 80);
  t.ok(c60 > c80 && c80 > 0.75 && c60 < 1);
  t.ok(Math.abs(Math.atanh(c60) * Math.sqrt(57) - Math.atanh(0.75) * Math.sqrt(97)) < 1e-9);
  t.equal(shortWindowConfidence(1, 100, 50), 1);
});

t.test('renditions up to 4 % faster or slower match their class, and the rate is found', async (t) => {
  const lib = await library();
  const cfg = mediaConfig().announcements;
  const fx = new FeatureExtractor();
  for (const [cls, tempo] of [
    [6, 1.04],
    [6, 0.96],
    [21, 1.03],
    [17, 0.97],
    [16, 1.035],
  ] as const) {
    const x = S.concat(S.silence(300), S.scale(await say(TEXTS[cls]!, tempo), 0.5), S.silence(600));
    const pcm = S.toInt16(x);
    const m = new AnnouncementMatcher(lib, cfg);
    const vad = new Vad(mediaConfig().vad);
    let got: ReturnType<AnnouncementMatcher['push']> = null;
    for (let i = 0; i + FRAME_SAMPLES <= pcm.length && !got; i += FRAME_SAMPLES) {
      const f = fx.compute(pcm.subarray(i, i + FRAME_SAMPLES));
      got = m.push(f.energy, f.diffEnergy, vad.push(f.meanAbs));
    }
    t.equal(got?.ref.class, cls, `class ${cls} at tempo ${tempo}`);
    t.ok(got && Math.abs(got.stretch - tempo) <= 0.015, `rate ${got?.stretch} for tempo ${tempo}`);
  }
  t.same(STRETCHES.at(0), 0.96);
});

t.test('messages that open alike are told apart; an unregistered one with the same opening is not matched', async (t) => {
  const lib = await library();
  for (const [cls, tempo] of [
    [6, 1.03],
    [21, 0.97],
    [17, 1.02],
  ] as const) {
    const live = S.fromG711(S.g711(S.addNoise(S.scale(await say(TEXTS[cls]!, tempo), 0.4), 600, 25, S.rng(cls)), 'ulaw'), 'ulaw');
    const a = announcement(early(S.concat(S.silence(500), Float64Array.from(live)), lib));
    t.equal(a?.class, cls, `class ${cls} at tempo ${tempo}`);
  }
  const other = await say('The number you have called is being checked by the operator. Please wait while we connect you to an assistant.');
  t.same(early(Float64Array.from(other), lib), [], 'unregistered, same opening');
});

t.test('joined late: the last 1.3 s of speech of a message still match before the stream ends', async (t) => {
  const lib = await library();
  const full = await say(TEXTS[6]!, 1.02);
  const end = S.audibleEndMs(full);
  const tail = S.scale(full.subarray((end - 1300) * 8), 0.7);
  const vs = early(tail, lib);
  t.equal(announcement(vs)?.class, 6);
  t.ok(vs[0]!.atMs <= S.durationMs(tail) + 400, `decided at ${vs[0]!.atMs} ms, within the audio`);
  const short = S.scale(full.subarray((end - 700) * 8), 0.7);
  t.same(early(short, lib), [], '0.7 s is too little to tell');
});

t.test('a message after ringback, or looped after a fragment of itself, matches', async (t) => {
  const lib = await library();
  const msg = S.scale(await say(TEXTS[16]!, 0.98), 0.5);
  const ringback = S.tone([440, 480], 2000, [2000, 2000]);
  // The matcher listens for windowMs + 400 ms × (maxAttempts − 1) from the first sound: 4 s by default, too short here.
  const after = S.concat(ringback, S.silence(1500), msg, S.silence(400));
  t.notOk(announcement(run(after, { phase: 'early', announcements: lib })), 'not with the default 4 s of listening');
  t.equal(
    announcement(run(after, { phase: 'early', announcements: lib, overrides: { announcements: { maxAttempts: 12 } } }))?.class,
    16,
    'after a ringback burst, with 6 s of listening',
  );
  const fragment = msg.subarray(msg.length - 1200 * 8);
  t.equal(
    announcement(early(S.concat(S.scale(Float64Array.from(fragment), 0.01), S.silence(300), msg), lib))?.class,
    16,
    'inaudible fragment, then the message',
  );
  t.equal(
    announcement(early(S.concat(Float64Array.from(fragment.subarray(0, 400 * 8)), S.silence(700), msg), lib))?.class,
    16,
    'a loop: 0.4 s of its end, a pause, then the message',
  );
});

t.test('tone bursts, ringback, a short "hello" and babble match nothing', async (t) => {
  const lib = await library();
  for (const ms of [600, 1000, 1500, 2000]) {
    const vs = early(S.concat(S.tone([425], ms, 6000), S.silence(4000)), lib);
    t.notOk(announcement(vs), `${ms} ms tone burst`);
  }
  const jp = S.cadence([400], [1000, 2000], 7000, 5000, 0, { hz: 16, depth: 0.8 });
  t.notOk(announcement(early(S.addNoise(jp, 3500, 20, S.rng(4)), lib)), 'JP ringback in noise');
  t.notOk(announcement(early(S.concat(babble(2500, 7), S.silence(2000)), lib)), 'babble');
  const hello = await say('Hello? Who is it?', 1, 'en-gb');
  t.match(run(S.concat(S.silence(300), Float64Array.from(hello), S.silence(2500)), { phase: 'answered', announcements: lib }), [
    { kind: 'human' },
  ]);
});
