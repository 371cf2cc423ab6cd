/**
 * The floor route's third line (media.amd.musicLinesFloorMinThirdLine; spectral-lines.ts thirdLineShare). A dual tone
 * (NA reorder: 480 + 620 Hz, 250 ms on, 250 ms off) in deep pink noise reaches the floor route's bar on two lines at
 * half duty (≈ 0.5 each) and the noise's own lines (≈ 0.2–0.3 each after 2 s of a floor by minimum statistics):
 * round nineteen's trace of the train and dev tones. Music has more lines than two, several of them alike.
 */
import t from 'tap';
import { colored } from '../../../bench/corpus/real';
import { mediaConfig } from '../../../lib/media/config';
import { SpectralLines } from '../../../lib/media/spectral-lines';
import { chords, run, S, white } from '../../helpers/media-signals';

/** Round nineteen's raw route (round twenty's default counts the lines beyond the noise: music-floor-null.test.ts). */
const FLOOR = { musicLineMinFloorLines: 1.6, musicLinesFloorNullZ: 0, musicLinesFloorMinThirdOfTop: 0, musicLinesFloorMinPeriodicShare: 0 };

/** A NA reorder (−15 dBFS) after 200 ms of quiet, with pink noise `snr` dB under its active level. */
function reorderInPink(seed: number, snr = 0, ms = 6000): Float64Array {
  const amp = 32768 * Math.pow(10, -15 / 20) * Math.SQRT2;
  const x = S.concat(S.silence(200), S.cadence([480, 620], [250, 250], ms, amp / 2));
  const nz = colored('pink', S.durationMs(x), S.rng(seed));
  const g = S.rms(x, true) / Math.pow(10, snr / 20);
  return Float64Array.from(x, (v, i) => v + g * (nz[i] ?? 0));
}

/** The floor map's activation and third-line share after `ms` of `x` (as the line rule reads them at musicMinMs). */
function floorLines(x: Float64Array, ms = 2000): { floor: number; third: number } {
  const sl = new SpectralLines(1000, 8);
  const pcm = S.toInt16(x);
  for (let i = 0; i + 160 <= Math.min(pcm.length, (ms * 8000) / 1000); i += 160) sl.push(pcm.subarray(i, i + 160), true, -20);
  const floor = sl.value(-Infinity, 1);
  return { floor, third: sl.thirdLineShare() };
}

t.test('off by default (the pitched share is on since round twenty)', async (t) => {
  t.equal(mediaConfig().amd.musicLinesFloorMinThirdLine, 0);
  t.equal(mediaConfig().amd.musicLinesFloorMinPeriodicShare, 0.15);
});

t.test('a reorder in pink noise has two lines and then the noise; chords have a third line alike', async (t) => {
  for (const seed of [1, 3, 4, 5]) {
    const m = floorLines(reorderInPink(seed));
    t.ok(m.third < 0.8, `reorder, seed ${seed}: third line ${m.third.toFixed(3)} of the second`);
  }
  for (const snr of [3, -3]) {
    const m = floorLines(white(chords(6000, 600, 3), snr));
    t.ok(m.third >= 0.8, `chords in white noise at ${snr} dB: third line ${m.third.toFixed(3)} of the second`);
  }
  const none = new SpectralLines(1000, 8);
  t.equal(none.thirdLineShare(), 0, 'no lines: 0');
});

t.test('through the analyser: the reorder is not music with the third line asked; chords still are', async (t) => {
  for (const seed of [1, 3, 4, 5]) {
    const x = reorderInPink(seed);
    const on = run(x, { phase: 'answered', region: 'NA', overrides: { amd: FLOOR } });
    const music = on.find((v) => v.kind === 'music');
    t.match(
      music,
      { reason: /steady spectral lines/, features: { lineFloorLines: Number } },
      `seed ${seed}: music on the floor route alone`,
    );
    const guarded = run(x, { phase: 'answered', region: 'NA', overrides: { amd: { ...FLOOR, musicLinesFloorMinThirdLine: 0.8 } } });
    t.notOk(
      guarded.some((v) => v.kind === 'music'),
      `seed ${seed}: not music with the third line asked (${guarded.map((v) => v.kind).join(', ')})`,
    );
  }
  const x = white(chords(6000, 600, 3), -3);
  const guarded = run(x, { phase: 'answered', overrides: { amd: { ...FLOOR, musicLinesFloorMinThirdLine: 0.8 } } });
  const music = guarded.find((v) => v.kind === 'music');
  t.match(music, { features: { lineFloorLines: Number, lineFloorThirdLine: Number } }, 'chords at -3 dB: music');
  const third = music && music.kind === 'music' ? (music.features?.lineFloorThirdLine ?? 0) : 0;
  t.ok(third >= 0.8, `with their third line at or over the bar (${third})`);
  // A bar of 1 over their third line at 2 s (0.964): not music then; if music at all, later, on a frame where the
  // third line stands as high as the second.
  const strict = run(x, { phase: 'answered', overrides: { amd: { ...FLOOR, musicLinesFloorMinThirdLine: 1 } } }).find(
    (v) => v.kind === 'music',
  );
  t.ok(!strict || strict.atMs > music!.atMs, `a bar over their third line: not music at ${music!.atMs} ms`);
  if (strict?.kind === 'music') t.equal(strict.features?.lineFloorThirdLine, 1, `music at ${strict.atMs} ms on a third line of 1`);
});

t.test('the floor route asks a pitched share (musicLinesFloorMinPeriodicShare) at its edge', async (t) => {
  // Synthetic chords at -3 dB SNR: the voice-range pitch tracker finds no pitched frame in them at all, yet their
  // lines stand over the floor. With the check they are not music on the floor route: the price of the check (a
  // line with no pitch passes the pause and articulation gates by default).
  const x = white(chords(6000, 600, 3), -3);
  const at = (bar: number) =>
    run(x, { phase: 'answered', overrides: { amd: { ...FLOOR, musicLinesFloorMinPeriodicShare: bar } } }).find((v) => v.kind === 'music');
  const music = at(0);
  t.match(
    music,
    { reason: /steady spectral lines/, features: { linePeriodicShare: 0, lineFloorLines: Number } },
    'off: music, no pitched frame',
  );
  t.notOk(at(0.01), 'a bar over their pitched share (0): not music');
});
