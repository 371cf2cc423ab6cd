/**
 * media.amd.musicTuningMaxHz (1,333 by default since round twenty-seven, with the tone guard below; 0: the whole band): the tuning grid of amd.musicMinTuning read on the spectral
 * peaks up to that frequency only. GSM 06.10 (RPE-LTP) codes the residual on a grid of every third sample and its
 * decoder puts the pulses back with zeros between them, so the excitation above 8,000/6 ≈ 1,333 Hz is a mirror image
 * of the one below: a partial at f below comes back at 2,667 − f and 2,667 + f, off the piece's semitone grid.
 */
import t from 'tap';
import { mediaConfig } from '../../../lib/media/config';
import { SpectralLines } from '../../../lib/media/spectral-lines';
import { colored } from '../../../bench/corpus/real';
import { chords, feedLines, heldNotes, kinds, run, S, voice } from '../../helpers/media-signals';

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

t.test('1,333 Hz by default since round twenty-seven; the schema takes 0 to 3,400 Hz', async (t) => {
  t.equal(mediaConfig().amd.musicTuningMaxHz, 1333);
  t.equal(mediaConfig().amd.musicTuningMinThirdOfTop, 0.2);
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

/**
 * media.amd.musicTuningMinThirdOfTop (spectral-lines.ts tuningThirdOfTop): the tuning counts only when the line's
 * peaks spread over more places than a tone's one or two. A steady tone's frames give one phasor whatever the grid, so
 * its tuning reads near 1 clean; in deep noise the band up to 1,333 Hz has fewer noise peaks to water it down.
 */
const AMP = 32768 * Math.pow(10, -15 / 20) * Math.SQRT2;
const thirdOfTop = (x: Float64Array, maxHz = 1333) => feedLines(new SpectralLines(1000, 0, true, maxHz), x).tuningThirdOfTop();

/** `x` after 200 ms of quiet, pink noise `snr` dB under its active level. */
function inPink(x: Float64Array, seed: number, snr: number): Float64Array {
  const y = S.concat(S.silence(200), x);
  const nz = colored('pink', S.durationMs(y), S.rng(seed));
  const g = S.rms(y, true) / Math.pow(10, snr / 20);
  return Float64Array.from(y, (v, i) => v + g * (nz[i] ?? 0));
}

t.test('the tone guard: a tone has no third place near its top; music has', async (t) => {
  const tones: [string, Float64Array][] = [
    ['NA reorder 480 + 620 Hz, 250/250 ms', S.cadence([480, 620], [250, 250], 4000, AMP / 2)],
    ['NA busy 480 + 620 Hz, 500/500 ms', S.cadence([480, 620], [500, 500], 4000, AMP / 2)],
    ['NA dial 350 + 440 Hz, steady', S.tone([350, 440], 4000, AMP / 2)],
    ['JP busy 400 Hz, 500/500 ms', S.cadence([400], [500, 500], 4000, AMP)],
  ];
  for (const [name, x] of tones) {
    const tu = tuning(x, 1333);
    // The cadence's switching splatters a few peaks of its own, the same each cycle: 0.6–0.8 with a cadence, 1 steady.
    t.ok(tu >= 0.5, `${name}: its tuning alone (${tu.toFixed(3)}) reaches musicMinTuning's 0.5`);
    const th = thirdOfTop(x);
    t.ok(th < 0.2, `${name}: third place ${th.toFixed(3)} of the top`);
    const noisy = thirdOfTop(inPink(x, 1, 5));
    t.ok(noisy < 0.2, `${name} in pink noise at 5 dB: third place ${noisy.toFixed(3)} of the top`);
  }
  for (const [name, x] of [
    ['the melody', melody(4000, false)],
    ['the melody through the RPE images', melody(4000, true)],
    ['chords', chords(4000, 500)],
    ['held notes', heldNotes()],
    ['held notes in pink noise at 5 dB', inPink(heldNotes(), 1, 5)],
  ] as const) {
    const th = thirdOfTop(x);
    t.ok(th >= 0.3, `${name}: third place ${th.toFixed(3)} of the top`);
  }
  t.equal(new SpectralLines(1000, 0, true, 1333).tuningThirdOfTop(), 0, 'nothing fed: 0');
  t.equal(new SpectralLines(1000, 0, false, 1333).tuningThirdOfTop(), 0, 'no tuning kept: 0');
  const x = melody(4000, false);
  const sl = feedLines(new SpectralLines(1000, 0, true, 1333), x);
  t.equal(sl.tuning(-Infinity, 0, 0.2), sl.tuning(), 'music over the bar: the tuning as it reads');
  const tone = feedLines(new SpectralLines(1000, 0, true, 1333), S.tone([350, 440], 4000, AMP / 2));
  t.equal(tone.tuning(-Infinity, 0, 0.2), 0, 'a tone under the bar: 0');
});

t.test('through the analyser: a reorder in pink noise at 0 dB is music on the band under 1,333 Hz, not with the guard', async (t) => {
  const x = inPink(S.cadence([480, 620], [250, 250], 6000, AMP / 2), 1, 0);
  // music-floor-third-line.test.ts's case (round twenty-six's failure), with its floor route.
  const amd = {
    musicLineMinFloorLines: 1.6,
    musicLinesFloorNullZ: 0,
    musicLinesFloorMinThirdOfTop: 0,
    musicLinesFloorMinPeriodicShare: 0,
    musicLinesFloorMinThirdLine: 0.8,
  };
  const at = (o: Record<string, number>) => run(x, { phase: 'answered', region: 'NA', overrides: { amd: { ...amd, ...o } } });
  const low = at({ musicTuningMaxHz: 1333, musicTuningMinThirdOfTop: 0 });
  t.ok(
    low.some((v) => v.kind === 'music'),
    `band ≤ 1,333 Hz, no guard: music (${kinds(low).join(', ')})`,
  );
  const guarded = at({ musicTuningMaxHz: 1333, musicTuningMinThirdOfTop: 0.2 });
  t.notOk(
    guarded.some((v) => v.kind === 'music'),
    `with the guard: not music (${kinds(guarded).join(', ')})`,
  );
});

t.test('the guard key: 0 to 1', async (t) => {
  t.equal(mediaConfig(undefined, { amd: { musicTuningMinThirdOfTop: 0.2 } }).amd.musicTuningMinThirdOfTop, 0.2);
  t.throws(() => mediaConfig(undefined, { amd: { musicTuningMinThirdOfTop: 1.5 } }));
  t.throws(() => mediaConfig(undefined, { amd: { musicTuningMinThirdOfTop: -0.1 } }));
});
