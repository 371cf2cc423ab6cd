/**
 * Announcement matching and `dialer analyze`, on speech made by espeak-ng + sox
 * at test time (a temp folder; nothing committed).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import t from 'tap';
import { AnnouncementLibrary } from '../../../lib/media/announcements';
import { writeWav } from '../../../lib/media/audio-file';
import { speak } from '../../../bench/corpus/speech';
import { run, S } from '../../helpers/media-signals';

const exec = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'media-test-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
const say = (text: string, voice = 'en-us') => speak(join(dir, 'cache'), { voice, text, speed: 165, pitch: 50 });

t.test('announcements: matched through level change, G.711, shifted start and noise; others are not', async (t) => {
  const busy = await say('The subscriber you are calling is busy. Please call again later.');
  const off = await say('The mobile phone you are calling is switched off or outside the service area.');
  const other = await say('Thank you for calling. All of our agents are helping other customers.');
  mkdirSync(join(dir, 'ann', 'carrierA'), { recursive: true });
  writeWav(join(dir, 'ann', 'carrierA', '16-busy.wav'), busy);
  writeWav(join(dir, 'ann', 'carrierA', '17.wav'), off);
  const lib = AnnouncementLibrary.load(join(dir, 'ann'));
  t.equal(lib.size, 2);

  const live = S.fromG711(S.g711(S.addNoise(S.scale(off.subarray(4000), 0.3), 800, 25, S.rng(1)), 'alaw'), 'alaw');
  const vs = run(S.concat(S.silence(700), Float64Array.from(live)), { phase: 'early', announcements: lib });
  t.match(vs, [{ kind: 'announcement', class: 17, carrier: 'carrierA', reference: 'carrierA/17.wav' }]);
  t.ok((vs[0] as { confidence: number }).confidence >= 0.75);

  const b = run(S.concat(S.scale(busy, 2), S.silence(500)), { phase: 'answered', announcements: lib });
  t.match(b, [{ kind: 'announcement', class: 16 }], 'after answer too, before any machine verdict');

  t.same(run(S.concat(S.scale(other, 1), S.silence(500)), { phase: 'early', announcements: lib }), [], 'unregistered message');
  const person = await say('Hello?');
  t.match(run(S.concat(S.silence(300), S.scale(person, 1), S.silence(2500)), { phase: 'answered', announcements: lib }), [
    { kind: 'human' },
  ]);
});

t.test('a misnamed reference file is an error naming the file', async (t) => {
  mkdirSync(join(dir, 'bad'), { recursive: true });
  writeWav(join(dir, 'bad', 'busy.wav'), new Int16Array(8000));
  t.throws(() => AnnouncementLibrary.load(join(dir, 'bad')), /busy\.wav: announcement file names start with the class/);
});

t.test('dialer analyze --json on generated recordings', async (t) => {
  const cli = join(__dirname, '../../../bin/dialer');
  const person = await say('Hello, who is this?', 'en-gb');
  const file = join(dir, 'person.wav');
  writeWav(file, S.toInt16(S.concat(S.silence(800), Float64Array.from(person), S.silence(2500))));
  const { stdout } = await exec(cli, ['analyze', file, '--phase', 'answered', '--json']);
  const out = JSON.parse(stdout) as { verdicts: Array<{ kind: string; atMs: number }>; phase: string; durationMs: number };
  t.equal(out.phase, 'answered');
  t.equal(out.verdicts.length, 1);
  t.equal(out.verdicts[0]!.kind, 'human');
  t.ok(out.verdicts[0]!.atMs > 800, 'time in the audio');

  const busy = join(dir, 'busy.ulaw');
  writeFileSync(busy, S.g711(S.cadence([400], [500, 500], 4000, 6000), 'ulaw'));
  const r = JSON.parse((await exec(cli, ['analyze', busy, '--phase', 'early', '--region', 'JP', '--json'])).stdout) as {
    verdicts: unknown[];
  };
  t.match(r.verdicts, [{ kind: 'busy', region: 'JP', pattern: 'busy' }]);

  const bad = await exec(cli, ['analyze', join(dir, 'missing.wav')]).catch((e: { code: number; stderr: string }) => e);
  t.equal((bad as { code: number }).code, 1);
  t.match((bad as { stderr: string }).stderr, /missing\.wav: cannot read/);
  const usage = await exec(cli, ['analyze', file, '--region', 'XX']).catch((e: { code: number; stderr: string }) => e);
  t.equal((usage as { code: number }).code, 2);
  t.match((usage as { stderr: string }).stderr, /unknown region "XX"/);
});
