/**
 * The floor route's lines counted beyond the noise (media.amd.musicLinesFloorNullZ; spectral-lines.ts subtractNull)
 * and its one-or-two-partial check (musicLinesFloorMinThirdOfTop; thirdOfTopShare). Over a floor by minimum
 * statistics, noise alone leaves peaks at random bins, so the activation's prominences have a binomial spread: its
 * five strongest sum ≈ 1 at 2 s and ≈ 0.45 at 6 s (a Monte Carlo of independent binomial bins gives the same: 0.6–1.0
 * at 2 s; the strongest at 4.1–4.3 standard errors, 5 in 95 % of draws). Counting each line only beyond 5 standard
 * errors leaves ≈ 0 of the noise at every time, and a tone's one or two partials are then all its lines.
 */
import t from 'tap';
import { colored } from '../../../bench/corpus/real';
import { mediaConfig } from '../../../lib/media/config';
import { SpectralLines } from '../../../lib/media/spectral-lines';
import { chords, run, S, white } from '../../helpers/media-signals';

/** Round twenty's candidate: the floor route counted beyond 5 standard errors, with both checks. */
const NULL = {
  musicLineMinFloorLines: 0.4,
  musicLinesFloorNullZ: 5,
  musicLinesFloorMinThirdOfTop: 0.3,
  musicLinesFloorMinPeriodicShare: 0.15,
};
/** Round nineteen's: the raw floor route with its two guards. */
const RAW = {
  musicLineMinFloorLines: 1.6,
  musicLinesFloorMinThirdLine: 0.8,
  musicLinesFloorMinPeriodicShare: 0.15,
  musicLinesFloorNullZ: 0,
  musicLinesFloorMinThirdOfTop: 0,
};

/** The floor map's activation after `ms` of `x`, its lines counted beyond `z` standard errors, as the line rule reads it. */
function floor(x: Float64Array, ms: number, z: number): { value: number; sd: number; thirdOfTop: number } {
  const sl = new SpectralLines(1000, 8);
  const pcm = S.toInt16(x);
  for (let i = 0; i + 160 <= Math.min(pcm.length, ms * 8); i += 160) sl.push(pcm.subarray(i, i + 160), true, -20);
  const value = sl.value(-Infinity, 1, z);
  return { value, sd: sl.nullSd(), thirdOfTop: sl.thirdOfTopShare() };
}

/** A tone plan's cadence (−15 dBFS, dual tones at half amplitude each) after 200 ms of quiet, in white noise at `snr` dB. */
function toneInWhite(freqs: number[], cadenceMs: number[], seed: number, snr = 0): Float64Array {
  const amp = 32768 * Math.pow(10, -15 / 20) * Math.SQRT2;
  const x = S.concat(S.silence(200), S.cadence(freqs, cadenceMs, 7000, freqs.length > 1 ? amp / 2 : amp));
  const nz = colored('white', S.durationMs(x), S.rng(seed));
  const g = S.rms(x, true) / Math.pow(10, snr / 20);
  return Float64Array.from(x, (v, i) => v + g * (nz[i] ?? 0));
}

t.test('on by default since round twenty', async (t) => {
  t.match(mediaConfig().amd, NULL);
  t.equal(floor(S.scale(colored('white', 3000, S.rng(1)), 3000), 2000, 0).sd, 0, 'no standard error without a nullZ');
});

t.test('noise alone: raw lines that shrink with time; beyond the null, none at any time', async (t) => {
  for (const kind of ['white', 'pink'] as const)
    for (const seed of [1, 2, 3]) {
      const nz = S.scale(colored(kind, 7000, S.rng(seed)), 3000);
      const raw2 = floor(nz, 2000, 0).value;
      const raw6 = floor(nz, 6000, 0).value;
      t.ok(raw2 >= 0.9 && raw6 <= 0.55, `${kind} ${seed}: raw ${raw2.toFixed(2)} at 2 s, ${raw6.toFixed(2)} at 6 s`);
      const at2 = floor(nz, 2000, 5);
      const at6 = floor(nz, 6000, 5);
      t.ok(at2.value < 0.05 && at6.value < 0.05, `${kind} ${seed}: beyond 5 se ${at2.value.toFixed(3)} / ${at6.value.toFixed(3)}`);
      // The standard error shrinks as √n: 50 frames at 2 s, 150 at 6 s.
      t.ok(at2.sd > 1.5 * at6.sd, `standard error ${at2.sd.toFixed(3)} → ${at6.sd.toFixed(3)}`);
    }
});

t.test('chords in white noise keep their lines beyond the null, and a third line near the strongest', async (t) => {
  for (const snr of [3, -3]) {
    const m = floor(white(chords(7000, 600, 3), snr), 2000, 5);
    t.ok(m.value >= 1.2, `chords at ${snr} dB: ${m.value.toFixed(3)}`);
    t.ok(m.thirdOfTop >= 0.6, `third of top ${m.thirdOfTop.toFixed(2)}`);
  }
  t.equal(new SpectralLines(1000, 8).thirdOfTopShare(), 0, 'no lines: 0');
});

t.test('a tone has one partial or two: its third line beyond the null is (about) none', async (t) => {
  for (const seed of [1, 2, 3]) {
    for (const [name, freqs, cadence] of [
      ['DE dial (425 Hz, steady)', [425], [7000, 0]],
      ['DE busy (425 Hz)', [425], [480, 480]],
    ] as const) {
      const m = floor(toneInWhite([...freqs], [...cadence], seed), 2000, 5);
      t.equal(m.thirdOfTop, 0, `${name}, seed ${seed}: one line (${m.value.toFixed(3)})`);
    }
    const m = floor(toneInWhite([480, 620], [250, 250], seed), 2000, 5);
    t.ok(m.thirdOfTop < 0.3, `NA reorder, seed ${seed}: third of top ${m.thirdOfTop.toFixed(2)}`);
  }
});

t.test('through the analyser, at the edges', async (t) => {
  // A steady 425 Hz tone (a DE dial tone) in white noise at 0 dB, −19 dBFS: the raw floor route with both of round
  // nineteen's guards calls it music (one line and the noise's: 1.6 and over; its third line over the second is
  // noise over noise); beyond the null it is one line, and not music.
  const r = S.rng(2 * 7919 + 7);
  const amp = 32768 * Math.pow(10, (-24 + 14 * r()) / 20) * Math.SQRT2;
  const tone = S.concat(S.silence(Math.round(500 * r())), S.cadence([425], [8000, 0], 7000, amp, Math.round(r() * 400)));
  const nz = colored('white', S.durationMs(tone), r);
  const g = S.rms(tone, true);
  const x = Float64Array.from(tone, (v, i) => v + g * (nz[i] ?? 0));
  const raw = run(x, { phase: 'answered', region: 'DE', overrides: { amd: RAW } }).find((v) => v.kind === 'music');
  t.match(raw, { reason: /steady spectral lines/, features: { lineFloorLines: Number } }, 'raw route: music');
  const one = run(x, { phase: 'answered', region: 'DE', overrides: { amd: NULL } });
  t.notOk(
    one.some((v) => v.kind === 'music'),
    `beyond the null: not music (${one.map((v) => v.kind).join(', ')})`,
  );
  // Chords at −3 dB have no pitched frame: without the pitched-share check they are music on the lines beyond the
  // null; a bar over their sum, or over their third line's share, refuses them then.
  const c = white(chords(6000, 600, 3), -3);
  const open = { ...NULL, musicLinesFloorMinPeriodicShare: 0 };
  const music = run(c, { phase: 'answered', overrides: { amd: open } }).find((v) => v.kind === 'music');
  t.match(music, { features: { lineFloorLines: Number, lineFloorThirdOfTop: Number, lineFloorNullSd: Number } }, 'chords: music');
  if (music?.kind !== 'music') return;
  const f = music.features!;
  t.ok(
    f.lineFloorLines! >= 0.4 && f.lineFloorThirdOfTop! >= 0.3,
    `at ${music.atMs} ms: ${f.lineFloorLines} over the null, third of top ${f.lineFloorThirdOfTop}`,
  );
  for (const over of [
    { musicLineMinFloorLines: f.lineFloorLines! + 0.01 },
    { musicLinesFloorMinThirdOfTop: f.lineFloorThirdOfTop! + 0.01 },
  ]) {
    const later = run(c, { phase: 'answered', overrides: { amd: { ...open, ...over } } }).find((v) => v.kind === 'music');
    t.ok(!later || later.atMs > music.atMs, `${JSON.stringify(over)}: not music at ${music.atMs} ms`);
  }
});
