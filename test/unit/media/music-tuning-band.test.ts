/**
 * media.amd.musicTuningMaxHz (0: off, the whole band; 1,333 measured): the tuning grid of amd.musicMinTuning read on the spectral
 * peaks up to that frequency only. GSM 06.10 (RPE-LTP) codes the residual on a grid of every third sample and its
 * decoder puts the pulses back with zeros between them, so the excitation above 8,000/6 ≈ 1,333 Hz is a mirror image
 * of the one below: a partial at f below comes back at 2,667 − f and 2,667 + f, off the piece's semitone grid.
 */
import t from 'tap';
import { mediaConfig } from '../../../lib/media/config';
import { SpectralLines } from '../../../lib/media/spectral-lines';
import { feedLines, S, voice } from '../../helpers/media-signals';

const RPE_IMAGE_HZ = 8000 / 3;

/**
 * A melody on A 440's grid, one note every 300 ms, partials 1–`n` of each note: those under 1,333 Hz as they are, and
 * in place of those above, the images of the ones below at 2,667 ∓ f, as strong (the zero-stuffed grid's spectrum
 * repeats the band below, before the LPC envelope shapes it).
 */
function melody(ms: number, images: boolean): Float64Array {
  const steps = [0, 2, 4, 5, 7, 9, 11, 12, 7, 4];
  const out = new Float64Array(Math.round((ms * 8000) / 1000));
  for (let i = 0; i < out.length; i++) {
    const tt = i / 8000;
    const f0 = 220 * Math.pow(2, steps[Math.floor(tt / 0.3) % steps.length]! / 12);
    let v = 0;
    for (let k = 1; k * f0 < 3400; k++) {
      const f = k * f0;
      if (f < RPE_IMAGE_HZ / 2) {
        v += Math.sin(2 * Math.PI * f * tt) / k;
        if (images) for (const g of [RPE_IMAGE_HZ - f, RPE_IMAGE_HZ + f]) if (g < 3400) v += Math.sin(2 * Math.PI * g * tt) / k;
      } else if (!images) v += Math.sin(2 * Math.PI * f * tt) / k;
    }
    out[i] = 3000 * v;
  }
  return out;
}

const tuning = (x: Float64Array, maxHz: number) => feedLines(new SpectralLines(1000, 0, true, maxHz), x).tuning();

t.test('off (0) by default; the schema takes 0 to 3,400 Hz', async (t) => {
  t.equal(mediaConfig().amd.musicTuningMaxHz, 0);
  t.equal(mediaConfig(undefined, { amd: { musicTuningMaxHz: 1333 } }).amd.musicTuningMaxHz, 1333);
  t.throws(() => mediaConfig(undefined, { amd: { musicTuningMaxHz: 4000 } }));
  t.throws(() => mediaConfig(undefined, { amd: { musicTuningMaxHz: -1 } }));
});

t.test('0 and 3,400 Hz read the same whole band', async (t) => {
  const x = melody(4000, true);
  t.equal(tuning(x, 0), tuning(x, 3400));
});

t.test('the RPE images above 1,333 Hz pull the whole band off the grid; the band under them keeps it', async (t) => {
  const plain = melody(4000, false);
  const coded = melody(4000, true);
  t.ok(tuning(plain, 0) > 0.9, `the melody, whole band: ${tuning(plain, 0)}`);
  t.ok(tuning(plain, 1333) > 0.9, `the melody, up to 1,333 Hz: ${tuning(plain, 1333)}`);
  const whole = tuning(coded, 0);
  const low = tuning(coded, 1333);
  t.ok(low > 0.9, `with the images, up to 1,333 Hz: ${low}`);
  t.ok(whole < low - 0.03, `with the images, whole band: ${whole}, under the band up to 1,333 Hz`);
});

t.test('a gliding voice stays off the grid in the band under 1,333 Hz too', async (t) => {
  for (const [name, x] of [
    ['a voice at 170 Hz', voice(4000)],
    ['a voice at 120 Hz', voice(4000, 120, 3)],
  ] as const) {
    const v = tuning(S.concat(S.silence(300), x), 1333);
    t.ok(v < 0.3, `${name}: ${v}`);
  }
});
