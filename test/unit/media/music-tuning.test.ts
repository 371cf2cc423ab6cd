/**
 * media.amd.musicMinTuning (0.5 by default since round twenty-four; 0: off): the model's music may pass on its spectral peaks keeping to one grid of
 * semitones (lib/media/spectral-lines.ts `tuning`) instead of the voice-range pitch and its hold. Every note of a tonal
 * piece, and each of its harmonics 1, 2, 3, 4, 6, 8, sits on the piece's equal-tempered grid, whatever the chord or the
 * melody; a voice's pitch glides through every fraction of a semitone, and noise's peaks land anywhere.
 */
import t from 'tap';
import { colored } from '../../../bench/corpus/real';
import { analyzePcm } from '../../../lib/media/analyzer';
import { mediaConfig } from '../../../lib/media/config';
import { SpectralLines } from '../../../lib/media/spectral-lines';
import { chords, heldNotes, S, voice, voiced, white, feedLines } from '../../helpers/media-signals';

/** The line of `x` fed frame by frame, as the analyser feeds it (every frame counted, each with its level). */
function fed(x: Float64Array): SpectralLines {
  return feedLines(new SpectralLines(1000, 0, true), x);
}
const tuning = (x: Float64Array, minDb = -Infinity) => fed(x).tuning(minDb);

/** `x` after 300 ms of quiet, plus `kind` noise `snr` dB under its active level. */
function noisy(x: Float64Array, kind: 'white' | 'pink' | 'brown', snr: number): Float64Array {
  const y = S.concat(S.silence(300), x);
  const nz = colored(kind, S.durationMs(y), S.rng(3));
  const g = S.rms(y, true) / Math.pow(10, snr / 20);
  return Float64Array.from(y, (v, i) => v + g * (nz[i] ?? 0));
}

/** A melody of harmonic notes `cents` off A 440's grid: one note every 300 ms from a major scale. */
const melody = (ms: number, cents: number) => {
  const steps = [0, 2, 4, 5, 7, 9, 11, 12, 7, 4];
  const k = Math.pow(2, cents / 1200);
  return voiced(
    ms,
    (t) => 220 * k * Math.pow(2, steps[Math.floor(t / 0.3) % steps.length]! / 12),
    (t) => 0.2 + 0.8 * Math.exp(-(t % 0.3) / 0.2),
  );
};

t.test('0.5 by default; the schema takes 0 (off) to 1', async (t) => {
  t.equal(mediaConfig().amd.musicMinTuning, 0.5);
  t.equal(mediaConfig(undefined, { amd: { musicMinTuning: 0.6 } }).amd.musicMinTuning, 0.6);
  t.throws(() => mediaConfig(undefined, { amd: { musicMinTuning: 1.5 } }));
  t.throws(() => mediaConfig(undefined, { amd: { musicMinTuning: -0.1 } }));
});

t.test('notes on one grid keep their phase; the grid is the piece own, not A 440', async (t) => {
  for (const [name, x] of [
    ['chords', chords(4000, 500)],
    ['held notes', heldNotes()],
    ['a melody on A 440', melody(4000, 0)],
    ['the melody 37 cents sharp', melody(4000, 37)],
    ['the melody 50 cents flat', melody(4000, -50)],
  ] as const) {
    const v = tuning(x);
    t.ok(v > 0.9, `${name}: ${v}`);
  }
});

t.test('a gliding voice and noise do not', async (t) => {
  for (const [name, x] of [
    ['a talker', voice(4000)],
    ['a low talker', voice(4000, 110, 1)],
    ['white noise', S.scale(S.noise(4000, S.rng(3)), 3000)],
    ['pink noise', S.scale(colored('pink', 4000, S.rng(4)), 3000)],
  ] as const) {
    const v = tuning(x);
    t.ok(v < 0.35, `${name}: ${v}`);
  }
});

t.test('in noise the notes keep their grid, the voice does not gain one', async (t) => {
  for (const kind of ['white', 'pink', 'brown'] as const) {
    const m = tuning(noisy(melody(4000, 20), kind, 5));
    t.ok(m > 0.6, `melody, ${kind} 5 dB: ${m}`);
    const v = tuning(noisy(voice(4000), kind, 5));
    t.ok(v < 0.35, `talker, ${kind} 5 dB: ${v}`);
  }
  t.ok(tuning(white(chords(4000, 500), 5)) > 0.6, 'chords in white noise at 5 dB');
});

t.test('not kept unless asked: 0', async (t) => {
  const sl = new SpectralLines(1000);
  const pcm = S.toInt16(melody(3000, 0));
  for (let i = 0; i + 160 <= pcm.length; i += 160) sl.push(pcm.subarray(i, i + 160), true, -20);
  t.equal(sl.tuning(), 0);
  t.ok(sl.value() > 0, 'its lines are read as before');
});

t.test('only frames louder than minDb count; under a second analysed gives 0', async (t) => {
  // A loud talker, then quiet chords: with the bar over the chords only the voice is read.
  const x = S.concat(voice(2000), S.scale(chords(3000, 500), 0.01));
  t.ok(tuning(x) > 0.5, `all frames: ${tuning(x)}`);
  t.ok(tuning(x, -45) < 0.35, `the chords under the bar: ${tuning(x, -45)}`);
  t.equal(tuning(melody(900, 0)), 0, '900 ms');
  t.ok(tuning(melody(1100, 0)) > 0.9, '1,100 ms');
});

const verdict = (x: Float64Array, amd: Record<string, unknown>) =>
  analyzePcm(S.toInt16(x), { config: mediaConfig(undefined, { amd } as never), phase: 'answered', region: 'NA' }).find((v) =>
    ['human', 'machine', 'music', 'silence', 'notsure'].includes(v.kind),
  );
// The unpitched-greeting and line rules off, so the model's own music cues are what is tested; the tuning off unless asked.
const base = { musicUnpitchedGreetingBelow: 0, musicLineMinPeriodicShare: 0, musicMinTuning: 0 };

t.test('chords in noise: no pitch for the tracker, so not music off; music on their tuning', async (t) => {
  for (const kind of ['pink', 'brown'] as const) {
    const y = noisy(chords(7000, 500), kind, 5);
    const off = verdict(y, base);
    t.not(off?.kind, 'music', `${kind} 5 dB off: ${off?.kind}`);
    const on = verdict(y, { ...base, musicMinTuning: 0.6 });
    t.equal(on?.kind, 'music', `${kind} 5 dB on: ${on?.kind} at ${on?.atMs} ms`);
    t.ok((on?.atMs ?? Infinity) <= 2500, 'as soon as musicMinMs has passed');
    t.same(verdict(y, { ...base, musicMinTuning: 1 }), off, `${kind} 5 dB, a bar of 1: the verdict without the tuning`);
  }
});

t.test('voices keep their verdict with the tuning on', async (t) => {
  const talker = S.concat(voice(3000), S.silence(2500));
  const long = S.concat(voice(5000, 120), S.silence(500));
  for (const [name, x] of [
    ['a talker', talker],
    ['a long low voice', long],
  ] as const)
    for (const [kind, snr] of [
      ['white', 5],
      ['pink', 5],
      ['brown', 5],
      ['pink', 20],
    ] as const) {
      const y = noisy(x, kind, snr);
      const off = verdict(y, base);
      t.not(off?.kind, 'music', `${name}, ${kind} ${snr} dB: ${off?.kind} off`);
      t.same(verdict(y, { ...base, musicMinTuning: 0.5 }), off, `${name}, ${kind} ${snr} dB`);
    }
});
