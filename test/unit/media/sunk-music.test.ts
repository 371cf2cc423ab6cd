/**
 * Music the level VAD sinks into the line's floor (amd.sunkMusic*, lib/media/amd-model.ts, amd-features.ts sunkPitch):
 * a sound whose level barely moves, or music half under line noise, sits under the VAD's threshold; the model then
 * sees only its loudest notes (a short "greeting", then "quiet": a person) or no onset at all (silence). Frames under
 * the threshold that keep a steady pitch are the sound going on: white noise has no pitch, a voice's pitch comes and
 * goes with its syllables.
 */
import t from 'tap';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateConfig } from '../../../lib/config';
import { BUILTIN_MODEL } from '../../../lib/media/amd-model';
import { kinds, run, S, voiced } from '../../helpers/media-signals';

const NOTES = [196, 220, 247, 262, 294, 330, 294, 262, 247, 220, 196, 220, 247, 262, 294];
const note = (t: number) => NOTES[Math.floor(t / 0.4) % NOTES.length]!;
/** Chords (a note and its fifth) of 400 ms at one level (a pad or organ line): no level contrast for the VAD to find. */
const flatNotes = (ms: number, amp = 3000) => {
  const a = voiced(ms, note, () => 1, amp);
  const b = voiced(
    ms,
    (t) => 1.5 * note(t),
    () => 1,
    amp,
  );
  return Float64Array.from(a, (v, i) => v + b[i]!);
};
const white = (x: Float64Array, snrDb: number, seed = 7) => S.addNoise(x, S.rms(x, true), snrDb, S.rng(seed));
/**
 * On by default since round eleven (README); the tests set the measured setting themselves, so they test the rule
 * whatever the default, and switch the whole-line music rule (on by default since round twelve) off, so each sees this
 * rule alone.
 */
const ON = { amd: { sunkMusicMinShare: 0.5, musicLineMinPeriodicShare: 0 } };

t.test('music at one steady level is music, not silence', async (t) => {
  const vs = run(S.concat(S.silence(200), flatNotes(6000)), { phase: 'answered', overrides: ON });
  t.same(kinds(vs), ['music'], JSON.stringify(vs));
});

t.test('the sunk-music rule off (amd.sunkMusicMinShare 0): the same sound is not called music', async (t) => {
  const vs = run(S.concat(S.silence(200), flatNotes(6000)), {
    phase: 'answered',
    overrides: { amd: { sunkMusicMinShare: 0, musicLineMinPeriodicShare: 0 } },
  });
  t.not(kinds(vs)[0], 'music', JSON.stringify(vs));
});

t.test('held notes under white noise at 5 dB SNR are music', async (t) => {
  const env = (t: number) => 0.35 + 0.65 * Math.exp(-(t % 0.4) / 0.15);
  const a = voiced(6000, note, env);
  const b = voiced(6000, (t) => 1.5 * note(t), env);
  const notes = Float64Array.from(a, (v, i) => v + b[i]!);
  const vs = run(white(S.concat(S.silence(200), notes), 5), { phase: 'answered', overrides: ON });
  t.same(kinds(vs), ['music'], JSON.stringify(vs));
});

t.test('a word in white noise, then only the noise: a person (the quiet has no pitch)', async (t) => {
  const word = voiced(
    450,
    (t) => 210 - 60 * t,
    (t) => Math.sin((Math.PI * t) / 0.45),
  );
  const x = S.concat(S.silence(300), word, S.silence(4000));
  const noisy = S.addNoise(x, S.rms(word), 10, S.rng(3));
  const vs = run(noisy, { phase: 'answered', overrides: ON });
  t.same(kinds(vs), ['human'], JSON.stringify(vs));
});

t.test('syllables gliding in pitch and coming and going at 5 a second, half under white noise: not music', async (t) => {
  // A voice: 120 ms voiced syllables 200 ms apart, pitch gliding, level near the floor.
  const talk = voiced(
    6000,
    (t) => 180 + 40 * Math.sin(2 * Math.PI * 0.7 * t),
    (t) => (t % 0.2 < 0.12 ? 1 : 0.05),
  );
  const vs = run(white(S.concat(S.silence(200), talk), 5, 11), { phase: 'answered', overrides: ON });
  t.not(kinds(vs)[0], 'music', JSON.stringify(vs));
});

t.test('a best guess of music at the end of the analysis needs the music cues (pitch, held notes)', async (t) => {
  // A model that always leans music (and person a little over machine): talk without a pitch that runs to the end of
  // the analysis time must not become music on the model's word alone.
  const dir = mkdtempSync(join(tmpdir(), 'sunk-music-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const m = JSON.parse(readFileSync(BUILTIN_MODEL, 'utf8')) as { weights: number[][] };
  const k = m.weights[0]!.length;
  m.weights = [0.5, 0, 10].map((bias) => [bias, ...new Array<number>(k - 1).fill(0)]);
  const modelFile = join(dir, 'music-leaning.json');
  writeFileSync(modelFile, JSON.stringify(m));
  // Unpitched syllables (shaped noise), 500 ms on and 300 ms off, for 7 s: no rule decides before the analysis time.
  const r = S.rng(5);
  const parts: Float64Array[] = [S.silence(300)];
  for (let i = 0; i < 9; i++) parts.push(S.scale(S.noise(500, r), 3000), S.silence(300));
  const x = S.concat(...parts, S.silence(2000));
  const amd = { modelFile, maxPersonGreetingMs: 8000, musicGuessNeedsCues: true };
  const vs = run(x, { phase: 'answered', overrides: { amd } });
  t.same(kinds(vs), ['human'], JSON.stringify(vs));
  t.match(String((vs[0] as { reason?: string }).reason), /not music/);
  const before = run(x, { phase: 'answered', overrides: { amd: { ...amd, musicGuessNeedsCues: false } } });
  t.same(kinds(before), ['music'], JSON.stringify(before));
});

t.test('the defaults are the set measured together in rounds eleven and twelve (README, call analysis)', async (t) => {
  t.match(validateConfig({}).media.amd, {
    sunkMusicMinShare: 0.5,
    musicGuessNeedsCues: true,
    pauseEdgesOnly: true,
    pauseMinPeriodicity: 0.5,
    musicLineMinPeriodicShare: 0.6,
  });
});
