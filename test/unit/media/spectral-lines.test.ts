/**
 * Spectral lines (lib/media/spectral-lines.ts): the continuous frequency activation of a line. Partials that stay at
 * fixed frequencies (a chord, whatever its pitch tracker reading) pile their spectral peaks up on a few bins; a voice's
 * gliding harmonics and noise spread theirs over the band.
 */
import t from 'tap';
import { realPower, SpectralLines } from '../../../lib/media/spectral-lines';
import { chords, S, voice, white, feedLines } from '../../helpers/media-signals';

/** The line of `x` fed frame by frame, as the analyser feeds it (every frame counted, each with its level). */
function fed(x: Float64Array): SpectralLines {
  return feedLines(new SpectralLines(1000), x);
}

const lines = (x: Float64Array, minDb = -Infinity): number => fed(x).value(minDb);

t.test('the real FFT matches a plain DFT', async (t) => {
  const x = Float64Array.from({ length: 512 }, (_, i) => Math.sin(i * 0.37) + 0.5 * Math.cos(i * 1.1) + ((i * 7919) % 13) / 13);
  const p = realPower(x, new Float64Array(257));
  let worst = 0;
  for (let k = 0; k <= 256; k++) {
    let re = 0;
    let im = 0;
    for (let n = 0; n < 512; n++) {
      re += x[n]! * Math.cos((2 * Math.PI * k * n) / 512);
      im -= x[n]! * Math.sin((2 * Math.PI * k * n) / 512);
    }
    worst = Math.max(worst, Math.abs(re * re + im * im - p[k]!) / (1 + re * re + im * im));
  }
  t.ok(worst < 1e-9, `relative error ${worst}`);
});

t.test('chords stand out; a voice, white noise and a voice in noise do not', async (t) => {
  const music = lines(chords(4000, 600, 3));
  const music5 = lines(white(chords(4000, 600, 3), 5));
  const speech = lines(voice(4000));
  const noise = lines(S.scale(S.noise(4000, S.rng(3)), 3000));
  const speech10 = lines(white(voice(4000), 10));
  t.ok(music > 1, `chords ${music}`);
  t.ok(music5 > 1, `chords in white noise at 5 dB ${music5}`);
  t.ok(speech < 0.8, `gliding voice ${speech}`);
  t.ok(speech10 < 0.8, `voice in white noise at 10 dB ${speech10}`);
  t.ok(noise < 0.5, `white noise ${noise}`);
});

t.test('only frames louder than minDb count, over every analysed frame; under a second analysed gives 0', async (t) => {
  // Chords at -50 dB under a loud 200 ms burst of noise: their lines count only while the bar lets them in.
  const quiet = S.scale(chords(4000, 600, 3), 0.005);
  const x = S.concat(S.scale(S.noise(200, S.rng(1)), 8000), quiet);
  t.ok(lines(x) > 1, 'all frames');
  const barred = lines(x, -40);
  t.ok(barred < 0.2, `the chords under the bar: ${barred}`);
  t.equal(lines(chords(900, 600, 3)), 0, 'under a second');
});

t.test('lazy: nothing is analysed until the value is asked, and asking every frame or once gives the same value', async (t) => {
  const pcm = S.toInt16(white(chords(4000, 600, 3), 10));
  const once = new SpectralLines(1000);
  const every = new SpectralLines(1000);
  const seen: number[] = [];
  for (let i = 0; i + 160 <= pcm.length; i += 160) {
    const f = pcm.subarray(i, i + 160);
    // The first 10 frames before the line's first sound: only the window's history.
    const count = i >= 1600;
    once.push(f, count, -20);
    every.push(f, count, -20);
    seen.push(every.value(-30));
  }
  t.equal(once.n, 0, 'no spectrum before the value is asked');
  const v = once.value(-30);
  t.equal(once.n, Math.floor((pcm.length / 160 - 10) / 2), 'then every other counted frame');
  t.ok(v > 1, `chords in noise ${v}`);
  t.equal(seen[seen.length - 1], v, 'the same value, asked every frame or once');
  t.equal(once.value(-30), v, 'asked again: unchanged');
});

t.test('past its capacity no frame is analysed', async (t) => {
  const pcm = S.toInt16(chords(4000, 600, 3));
  const small = new SpectralLines(30);
  for (let i = 0; i + 160 <= pcm.length; i += 160) small.push(pcm.subarray(i, i + 160), true, -20);
  small.value();
  t.equal(small.n, 30);
});

t.test('valueSince: the activation over the tail of the line only, from the given frame on', async (t) => {
  // From the first frame: the whole line's value.
  const x = chords(4000, 600, 3);
  t.equal(fed(x).valueSince(0, 400), fed(x).value(), 'from frame 0: as value()');
  // A voice, then chords: the tail read alone stands out where the whole line is diluted by the voice.
  const vc = S.concat(voice(2000), chords(2000, 600, 3));
  const tail = fed(vc).valueSince(100, 400);
  t.ok(tail > 1, `the chords after the voice: ${tail}`);
  t.ok(tail > fed(vc).value() + 0.3, `more than the whole line's ${fed(vc).value()}`);
  // Chords, then white noise: the noise's tail has no line of its own (counted beyond the binomial null).
  const cn = S.concat(chords(2000, 600, 3), S.scale(S.noise(2000, S.rng(4)), 1500));
  const noiseTail = fed(cn).valueSince(100, 400, -Infinity, 0, 5);
  t.ok(noiseTail < 0.1, `white noise after the chords: ${noiseTail}`);
  t.ok(fed(cn).valueSince(0, 400, -Infinity, 0, 5) > 0.3, 'the whole line keeps the chords');
  // Fewer than minMs of analysed frames in the tail: 0.
  t.equal(fed(x).valueSince(190, 400), 0, '200 ms of tail, under 400 ms');
  t.ok(fed(x).valueSince(170, 400) > 0, '600 ms of tail');
});
