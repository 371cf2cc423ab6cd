/**
 * The model's music cue on the pitch hold (musicMinPitchHold) read more leniently, both off by default:
 * - media.amd.musicPitchHoldNoteMs: a pitched pair also holds when it sits inside a note, a run of that many ms whose
 *   periods stay within one lag step (amd-features.ts noteHold). A note whose period lies between two lag steps reads
 *   either one once noise or a codec moves the autocorrelation peak; a voice's glide leaves a one-step band.
 * - media.amd.musicPitchHoldOctaves: a pitched pair also holds when one period is 2 (or 3) times the other within one
 *   lag step (octaveHold), on a line whose floor is steady (not babble): the tracker's octave errors on a note.
 */
import t from 'tap';
import { noteHold, octaveHold } from '../../../lib/media/amd-features';
import { colored } from '../../../bench/corpus/real';
import { analyzePcm } from '../../../lib/media/analyzer';
import { mediaConfig } from '../../../lib/media/config';
import { S, voice } from '../../helpers/media-signals';

/** A VAD history of pitched (periodicity 0.9) voiced frames with these lags; a lag of 0 is an unpitched frame. */
function history(lags: number[]) {
  const per = Float32Array.from(lags, (l) => (l ? 0.9 : 0.2));
  const lag = Uint8Array.from(lags);
  const labels = new Uint8Array(lags.length).fill(1);
  return { vad: { per, lag }, labels, n: lags.length };
}
const hold = (lags: number[], minRun: number, labels?: number[]) => {
  const h = history(lags);
  return noteHold(h.vad, labels ? Uint8Array.from(labels) : h.labels, 0, h.n, 0.6, minRun);
};

t.test('off by default (0), and the schema takes whole ms from 0', async (t) => {
  t.equal(mediaConfig().amd.musicPitchHoldNoteMs, 0);
  t.equal(mediaConfig(undefined, { amd: { musicPitchHoldNoteMs: 100 } }).amd.musicPitchHoldNoteMs, 100);
  t.throws(() => mediaConfig(undefined, { amd: { musicPitchHoldNoteMs: -20 } }));
});

t.test('a note jittering between two lag steps holds with the note rule, not on the exact period', async (t) => {
  const note = [20, 21, 20, 21, 21, 20, 21, 20, 20, 21];
  t.equal(hold(note, 1e9), 2 / 9, 'exact pairs only: the two repeats');
  t.equal(hold(note, 5), 1, 'every pair sits inside the one-step band');
});

t.test('the run length is the edge: a band of exactly minRun frames holds, one frame fewer does not', async (t) => {
  const five = [20, 21, 20, 21, 20];
  t.equal(hold(five, 5), 1);
  t.equal(hold(five, 6), 0);
});

t.test('a glide leaves the one-step band: only its exact repeats hold', async (t) => {
  // One lag step every second frame (a voice's glide at 100-200 Hz is a step every frame or two).
  const glide = [20, 20, 21, 21, 22, 22, 23, 23, 24, 24, 25, 25];
  t.equal(hold(glide, 5), 6 / 11);
  t.equal(hold(glide, 5), hold(glide, 1e9), 'nothing added');
  // Two steps apart is never held, however long it alternates.
  t.equal(hold([20, 22, 20, 22, 20, 22, 20, 22], 2), 0);
});

t.test('an unpitched or unvoiced frame ends the note', async (t) => {
  const broken = [20, 21, 20, 0, 21, 20, 21];
  t.equal(hold(broken, 4), 0, 'two runs of three');
  t.equal(hold(broken, 3), 1);
  const lab = [1, 1, 1, 0, 1, 1, 1];
  t.equal(hold([20, 21, 20, 21, 20, 21, 20], 4, lab), 0, 'unlabelled frame in the middle');
});

t.test('never below the exact hold, and 0 with no pitched pair', async (t) => {
  t.equal(hold([20, 20, 20], 10), 1);
  t.equal(hold([0, 0, 0], 2), 0);
  t.equal(hold([], 2), 0);
});

const octaves = (lags: number[], multiples: number, labels?: number[]) => {
  const h = history(lags);
  return octaveHold(h.vad, labels ? Uint8Array.from(labels) : h.labels, 0, h.n, 0.6, multiples);
};

t.test('musicPitchHoldOctaves: off by default (0), the schema takes 0 to 3', async (t) => {
  t.equal(mediaConfig().amd.musicPitchHoldOctaves, 0);
  t.equal(mediaConfig(undefined, { amd: { musicPitchHoldOctaves: 2 } }).amd.musicPitchHoldOctaves, 2);
  t.throws(() => mediaConfig(undefined, { amd: { musicPitchHoldOctaves: 4 } }));
  t.throws(() => mediaConfig(undefined, { amd: { musicPitchHoldOctaves: 1.5 } }));
});

t.test('octaveHold: a note read at its period and at twice it holds; the edge is one lag step', async (t) => {
  // The wide set's warzone/track23-1 as the tracker read it: a note of period ≈ 20.5 lags and its double.
  const note = [20, 41, 20, 41, 41, 20];
  t.equal(octaves(note, 0), 1 / 5, 'exact pairs only');
  t.equal(octaves(note, 2), 1);
  t.equal(octaves([20, 42, 20], 2), 0, 'two lag steps off twice the period: not held');
  t.equal(octaves([20, 39, 20], 2), 1, 'one step under twice it, either order');
  t.equal(octaves([20, 38, 20], 2), 0, 'two steps under');
});

t.test('octaveHold: three times the period only with 3', async (t) => {
  t.equal(octaves([14, 43, 14], 2), 0);
  t.equal(octaves([14, 43, 14], 3), 1);
});

t.test('octaveHold: a glide, a neighbouring step and an unpitched frame are not held', async (t) => {
  t.equal(octaves([20, 21, 22, 23], 3), 0, 'one lag step apart is not the same period');
  t.equal(octaves([20, 0, 40, 20], 2), 1 / 1, 'the unpitched frame breaks two pairs, the last holds');
  t.equal(octaves([20, 40, 20], 2, [1, 0, 1]), 0, 'unvoiced middle frame: no pair');
  t.equal(octaves([], 2), 0);
});

/** `x` after 300 ms of quiet, plus `kind` noise `snr` dB under its active level. */
function noisy(x: Float64Array, kind: 'white' | 'pink', snr: number): Float64Array {
  const y = S.concat(S.silence(300), x);
  const nz = colored(kind, S.durationMs(y), S.rng(3));
  const g = S.rms(y, true) / Math.pow(10, snr / 20);
  return Float64Array.from(y, (v, i) => v + g * (nz[i] ?? 0));
}
const verdict = (x: Float64Array, amd: Record<string, unknown>) =>
  analyzePcm(S.toInt16(x), { config: mediaConfig(undefined, { amd } as never), phase: 'answered', region: 'NA' }).find((v) =>
    ['human', 'machine', 'music', 'silence', 'notsure'].includes(v.kind),
  );

t.test('voices keep their verdict with either reading on, the floor guard opened too', async (t) => {
  // The unpitched-greeting and line rules off, so the model's own music cues are what is tested.
  const base = { musicUnpitchedGreetingBelow: 0, musicLineMinPeriodicShare: 0 };
  const talker = S.concat(voice(3000), S.silence(2500));
  const long = S.concat(voice(5000, 120), S.silence(500));
  for (const [name, x] of [
    ['a talker', talker],
    ['a long low voice', long],
  ] as const)
    for (const [kind, snr] of [
      ['white', 5],
      ['pink', 5],
      ['pink', 20],
    ] as const) {
      const y = noisy(x, kind, snr);
      const off = verdict(y, base);
      t.not(off?.kind, 'music', `${name}, ${kind} ${snr} dB: ${off?.kind} off`);
      for (const on of [{ musicPitchHoldOctaves: 3, talkFloorSpreadDb: 99 }, { musicPitchHoldNoteMs: 100 }])
        t.same(verdict(y, { ...base, ...on }), off, `${name}, ${kind} ${snr} dB, ${JSON.stringify(on)}`);
    }
});
