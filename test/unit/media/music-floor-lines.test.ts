/**
 * Spectral lines against the line's own noise floor (media.amd.musicLineMinFloorLines, musicLinesFloorRatio;
 * lib/media/spectral-lines.ts floorPeaks). Broadband noise fills a partial's neighbourhood, so its peaks drop under the
 * ±8-bin neighbourhood bar as the SNR falls, while the partial still stands over the noise: each bin's floor by
 * minimum statistics (Martin 2001) keeps the lines' contrast.
 */
import t from 'tap';
import { mediaConfig } from '../../../lib/media/config';
import { SpectralLines } from '../../../lib/media/spectral-lines';
import { chords, run, S, voice, white } from '../../helpers/media-signals';

function measure(x: Float64Array, ratio = 8): { lines: number; floor: number } {
  const sl = new SpectralLines(1000, ratio);
  const pcm = S.toInt16(x);
  for (let i = 0; i + 160 <= pcm.length; i += 160) sl.push(pcm.subarray(i, i + 160), true, -20);
  return { lines: sl.value(), floor: sl.value(-Infinity, 1) };
}

/** Round eighteen's raw route: the lines counted as they stand, none of the later checks (round twenty made the
 * floor route a default, counted beyond the noise: music-floor-null.test.ts). */
const RAW = { musicLinesFloorNullZ: 0, musicLinesFloorMinThirdOfTop: 0, musicLinesFloorMinPeriodicShare: 0 };

t.test('on by default since round twenty (counted beyond the noise); the ratio over the floor', async (t) => {
  t.equal(mediaConfig().amd.musicLineMinFloorLines, 0.4);
  t.equal(mediaConfig().amd.musicLinesFloorNullZ, 5);
  t.equal(mediaConfig().amd.musicLinesFloorRatio, 8);
});

t.test('chords keep their contrast over the floor as white noise rises; a voice has none to keep', async (t) => {
  let prev = Infinity;
  for (const snr of [10, 3, 0, -3]) {
    const m = measure(white(chords(5000, 600, 3), snr));
    t.ok(m.floor > m.lines, `chords at ${snr} dB: over the floor ${m.floor} > over the neighbourhood ${m.lines}`);
    t.ok(m.floor >= 1.6, `chords at ${snr} dB: ${m.floor} at or over the bar`);
    t.ok(m.lines <= prev, 'the neighbourhood measure falls with the SNR');
    prev = m.lines;
  }
  t.ok(measure(white(chords(5000, 600, 3), 0)).lines < 1.3, 'at 0 dB under the neighbourhood bar (1.3)');
  for (const snr of [10, 5, 0]) {
    const m = measure(white(voice(5000), snr));
    t.ok(m.floor < 0.8, `a gliding voice at ${snr} dB: ${m.floor}`);
  }
  t.equal(measure(white(chords(5000, 600, 3), 0), 0).floor, 0, 'no floor map without a ratio');
  t.equal(measure(white(chords(900, 600, 3), 0)).floor, 0, 'under a second: 0');
});

t.test('through the analyser: chords in white noise at -3 dB are music with the floor lines asked', async (t) => {
  const x = white(chords(6000, 600, 3), -3);
  const on = run(x, { phase: 'answered', overrides: { amd: { ...RAW, musicLineMinFloorLines: 1.6 } } });
  const music = on.find((v) => v.kind === 'music');
  t.ok(music, 'on: music');
  t.match(music, { reason: /steady spectral lines/, features: { lineFloorLines: Number } });
  t.notOk(
    run(x, { phase: 'answered', overrides: { amd: { musicLineMinFloorLines: 0 } } }).some((v) => v.kind === 'music'),
    'off: not music (its neighbourhood lines are under 1.3)',
  );
  t.notOk(
    run(x, { phase: 'answered', overrides: { amd: { ...RAW, musicLineMinFloorLines: 3 } } }).some((v) => v.kind === 'music'),
    'a bar over its own floor lines: not music',
  );
  // Only on a noisy line: with noisyLineSnrDb at 0 this line (a few dB over its floor) counts as quiet.
  t.notOk(
    run(x, { phase: 'answered', overrides: { amd: { ...RAW, musicLineMinFloorLines: 1.6, noisyLineSnrDb: 0 } } }).some(
      (v) => v.kind === 'music',
    ),
    'not on a line the noisy-line bar calls quiet',
  );
  for (const snr of [0, 5]) {
    const vs = run(white(voice(4000), snr), { phase: 'answered', overrides: { amd: { ...RAW, musicLineMinFloorLines: 1.6 } } });
    t.notOk(
      vs.some((v) => v.kind === 'music'),
      `a voice in white noise at ${snr} dB: not music`,
    );
  }
});
