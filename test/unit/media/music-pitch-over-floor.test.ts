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

const ON = { musicLinePitchOverFloorDb: 3 };
const OFF = { musicLinePitchOverFloorDb: 0 };

/** `x` after 300 ms of quiet, plus `kind` noise `snr` dB under its active level. */
function noisy(x: Float64Array, kind: 'white' | 'pink' | 'brown', snr: number, seed = 3): Float64Array {
  const y = S.concat(S.silence(300), x);
  const nz = colored(kind, S.durationMs(y), S.rng(seed));
  const g = S.rms(y, true) / Math.pow(10, snr / 20);
  return Float64Array.from(y, (v, i) => v + g * (nz[i] ?? 0));
}

function verdict(x: Float64Array, amd: Record<string, unknown> = {}): Verdict | undefined {
  const vs = run(x, { config: mediaConfig(undefined, { amd } as never), phase: 'answered', region: 'NA' });
  return vs.find((v) => ['human', 'machine', 'music', 'silence', 'notsure'].includes(v.kind));
}

t.test('on by default at 3 dB (round twenty-one), and the default is what ON measures', async (t) => {
  t.equal(mediaConfig().amd.musicLinePitchOverFloorDb, 3);
  const x = noisy(chords(6000), 'pink', 5);
  t.same(verdict(x), verdict(x, ON));
});

t.test('chords whose pitch pink or white noise sank are music with the correction, not without', async (t) => {
  for (const [kind, snr] of [
    ['pink', 0],
    ['pink', 5],
    ['white', 3],
  ] as const) {
    const x = noisy(chords(6000), kind, snr);
    t.not(verdict(x, OFF)?.kind, 'music', `${kind} ${snr} dB: not music without`);
    const v = verdict(x, ON);
    t.equal(v?.kind, 'music', `${kind} ${snr} dB: music with the correction`);
    t.match(v && 'reason' in v ? v.reason : '', /on the line/, 'by the rule on the line');
  }
});

t.test('a bar no frame reaches changes nothing', async (t) => {
  for (const [kind, snr] of [
    ['pink', 0],
    ['white', 3],
  ] as const) {
    const x = noisy(chords(6000), kind, snr);
    t.same(verdict(x, { musicLinePitchOverFloorDb: 30 }), verdict(x, OFF), `${kind} ${snr} dB`);
  }
});

t.test('a clean line is not corrected: its floor is the room, not noise over the music', async (t) => {
  const x = S.concat(S.silence(300), chords(6000));
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
        ['noise-shaped syllables', babble(5000)],
      ] as const) {
        const y = noisy(x, kind, snr);
        const off = verdict(y, OFF);
        const on = verdict(y, ON);
        t.equal(on?.kind, off?.kind, `${name}, ${kind} ${snr} dB: ${off?.kind}`);
        t.not(on?.kind, 'music', `${name}, ${kind} ${snr} dB: not music`);
      }
      const nz = noisy(S.scale(S.noise(6000, S.rng(9)), 1000), kind, snr);
      t.equal(verdict(nz, ON)?.kind, verdict(nz, OFF)?.kind, `noise alone, ${kind} ${snr} dB`);
      t.not(verdict(nz, ON)?.kind, 'music', `noise alone, ${kind} ${snr} dB: not music`);
    }
});
