/**
 * The music rule on the line reading each frame's periodicity corrected for the line's noise
 * (media.amd.musicLinePitchOverFloorDb; amd-model.ts linePer). Noise uncorrelated with the music adds power to the
 * normalised autocorrelation's energy terms and none to its lag terms, so a note's periodicity reads its own times
 * P/(P+N): a frame Δ dB over the VAD's floor is divided by 1 − 10^(−Δ/10), capped at 1, on a noisy line whose floor
 * is noise only. Chords whose pitch the noise sank under vad.minPeriodicity are music again; voices and noise alone
 * are what they were.
 */
import t from 'tap';
import { colored } from '../../../bench/corpus/real';
import { mediaConfig } from '../../../lib/media/config';
import type { Verdict } from '../../../lib/media/types';
import { babble, chords, run, S, voice } from '../../helpers/media-signals';

// The unpitched-greeting rule (musicUnpitchedGreetingBelow, on since round twenty-two) is off here: it calls the
// noise-shaped syllables below music in 0–5 dB noise by their lack of pitch, whatever this option does (its own edge
// is in music-unpitched-greeting.test.ts); this file isolates the line rule's correction. So is the model's tuning cue
// (musicMinTuning, on since round twenty-four): chords in pink noise at 5 dB are music on their tuning alone (its own
// edges are in music-tuning.test.ts).
const ON = { musicLinePitchOverFloorDb: 3, musicUnpitchedGreetingBelow: 0, musicMinTuning: 0 };
const OFF = { musicLinePitchOverFloorDb: 0, musicUnpitchedGreetingBelow: 0, musicMinTuning: 0 };

/**
 * Each input and each verdict is computed once for the file (they are deterministic): the subtests read the
 * same chords in the same noise, and the noise of one colour and length is the same for every signal and SNR.
 * About a sixth of the file's analyser runs and most of its noise generation were repeats.
 */
const memo = new Map<string, unknown>();
const once = <T>(key: string, f: () => T): T => {
  if (!memo.has(key)) memo.set(key, f());
  return memo.get(key) as T;
};
const CHORDS = () => once('chords', () => chords(6000));

/** `x` after 300 ms of quiet, plus `kind` noise `snr` dB under its active level. */
function noisy(x: Float64Array, kind: 'white' | 'pink' | 'brown', snr: number, seed = 3): Float64Array {
  const y = S.concat(S.silence(300), x);
  const nz = once(`${kind} ${S.durationMs(y)} ${seed}`, () => colored(kind, S.durationMs(y), S.rng(seed)));
  const g = S.rms(y, true) / Math.pow(10, snr / 20);
  return Float64Array.from(y, (v, i) => v + g * (nz[i] ?? 0));
}

/** The chords in `kind` noise at `snr` dB, built once. */
const noisyChords = (kind: 'white' | 'pink', snr: number) => once(`chords ${kind} ${snr}`, () => noisy(CHORDS(), kind, snr));

function verdict(x: Float64Array, amd: Record<string, unknown> = {}): Verdict | undefined {
  const vs = run(x, { config: mediaConfig(undefined, { amd } as never), phase: 'answered', region: 'NA' });
  return vs.find((v) => ['human', 'machine', 'music', 'silence', 'notsure'].includes(v.kind));
}

/** `verdict` of the input named `name` (the same name, the same samples), computed once per settings. */
const verdictOf = (name: string, x: Float64Array, amd: Record<string, unknown> = {}) =>
  once(`verdict ${name} ${JSON.stringify(amd)}`, () => verdict(x, amd));

t.test('on by default at 3 dB (round twenty-one), and the default is what ON measures', async (t) => {
  t.equal(mediaConfig().amd.musicLinePitchOverFloorDb, 3);
  const x = noisyChords('pink', 5);
  t.same(verdictOf('chords pink 5', x, { musicUnpitchedGreetingBelow: 0 }), verdictOf('chords pink 5', x, ON));
});

t.test('chords whose pitch pink or white noise sank are music with the correction, not without', async (t) => {
  for (const [kind, snr] of [
    ['pink', 0],
    ['pink', 5],
    ['white', 3],
  ] as const) {
    const x = noisyChords(kind, snr);
    t.not(verdictOf(`chords ${kind} ${snr}`, x, OFF)?.kind, 'music', `${kind} ${snr} dB: not music without`);
    const v = verdictOf(`chords ${kind} ${snr}`, x, ON);
    t.equal(v?.kind, 'music', `${kind} ${snr} dB: music with the correction`);
    t.match(v && 'reason' in v ? v.reason : '', /on the line/, 'by the rule on the line');
  }
});

t.test('a bar no frame reaches changes nothing', async (t) => {
  for (const [kind, snr] of [
    ['pink', 0],
    ['white', 3],
  ] as const) {
    const x = noisyChords(kind, snr);
    t.same(verdict(x, { musicLinePitchOverFloorDb: 30 }), verdictOf(`chords ${kind} ${snr}`, x, OFF), `${kind} ${snr} dB`);
  }
});

t.test('a clean line is not corrected: its floor is the room, not noise over the music', async (t) => {
  const x = S.concat(S.silence(300), CHORDS());
  t.same(verdict(x, ON), verdict(x, OFF));
});

t.test('voices and noise alone stay what they were', async (t) => {
  const talker = S.concat(voice(3000), S.silence(2500));
  const long = S.concat(voice(5000, 120), S.silence(500));
  for (const kind of ['white', 'pink', 'brown'] as const)
    for (const snr of [0, 3, 5]) {
      for (const [name, x] of [
        ['a talker', talker],
        ['a long low voice', long],
        ['noise-shaped syllables', once('babble', () => babble(5000))],
      ] as const) {
        const y = noisy(x, kind, snr);
        const off = verdict(y, OFF);
        const on = verdict(y, ON);
        t.equal(on?.kind, off?.kind, `${name}, ${kind} ${snr} dB: ${off?.kind}`);
        t.not(on?.kind, 'music', `${name}, ${kind} ${snr} dB: not music`);
      }
      const nz = noisy(
        once('noise', () => S.scale(S.noise(6000, S.rng(9)), 1000)),
        kind,
        snr,
      );
      const on = verdict(nz, ON)?.kind;
      t.equal(on, verdict(nz, OFF)?.kind, `noise alone, ${kind} ${snr} dB`);
      t.not(on, 'music', `noise alone, ${kind} ${snr} dB: not music`);
    }
});
