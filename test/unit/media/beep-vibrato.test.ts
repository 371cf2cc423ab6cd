/**
 * beep.maxVibratoPct at its edges: a held note with vibrato (the music dev set's 470 Hz vibrato line, taken for a
 * voicemail beep in pink and brown noise at 5 dB) swings smoothly around its pitch, a generated beep holds one
 * frequency. The bound reads the frequency's slow swing (tones.ts BeepResult.vibratoPct): the frames' variance less
 * half their mean squared successive difference, which leaves out the estimate's frame-to-frame noise — a 440 Hz beep
 * in white noise at 10 dB has ≈ 0.6 % of plain RMS deviation, as much as a ±1 % vibrato, and almost no slow swing.
 */
import t from 'tap';
import { mediaConfig } from '../../../lib/media/config';
import { beeps, S } from '../../helpers/media-signals';

/** A pure note at `hz` with a vibrato of ±`depth` (a share: 0.01 is ±1 %) at `rateHz`, as a flute, a whistle or a pad plays it. */
function vibratoNote(hz: number, ms: number, depth: number, rateHz = 5.5, amp = 6000): Float64Array {
  const n = Math.round((ms * 8000) / 1000);
  const out = new Float64Array(n);
  let ph = 0;
  for (let i = 0; i < n; i++) {
    ph += (2 * Math.PI * hz * (1 + depth * Math.sin((2 * Math.PI * rateHz * i) / 8000))) / 8000;
    out[i] = amp * Math.sin(ph);
  }
  return out;
}

const ON = { beep: { maxVibratoPct: 0.3 } };

t.test('a held note with ±1 % vibrato passes every other beep test, and the swing bound refuses it', async (t) => {
  for (const hz of [470, 880, 1500])
    for (const rate of [4.5, 6.5]) {
      const open = beeps(vibratoNote(hz, 400, 0.01, rate));
      t.equal(open.length, 1, `${hz} Hz, ${rate} Hz vibrato: a beep with the bound open (the default)`);
      const v = open[0]!.vibratoPct;
      t.ok(v > 0.5 && v < 0.75, `${hz} Hz, ${rate} Hz vibrato: swing ${v} % (±1 % is 0.71 % RMS, most of it slow)`);
      t.same(beeps(vibratoNote(hz, 400, 0.01, rate), ON), [], `${hz} Hz with ${rate} Hz vibrato is no beep at 0.3 %`);
    }
  // At the edge: a slight vibrato (±0.3 %) is under the bound and stays a beep; ±0.6 % is refused.
  t.equal(beeps(vibratoNote(470, 400, 0.003), ON).length, 1, '±0.3 % vibrato stays a beep');
  t.same(beeps(vibratoNote(470, 400, 0.006), ON), [], '±0.6 % vibrato is a note');
});

t.test('a generated beep keeps under the bound: clean, in white noise down to 10 dB, quiet, short and long', async (t) => {
  const r = S.rng(11);
  for (const f of [440, 1000, 2000])
    for (const ms of [160, 400, 1200]) {
      const tone = S.tone([f], ms, 6000);
      const b = beeps(tone, ON);
      t.equal(b.length, 1, `${f} Hz ${ms} ms`);
      t.ok(b[0]!.vibratoPct < 0.05, `${f} Hz ${ms} ms clean: swing ${b[0]?.vibratoPct} %`);
      t.equal(beeps(S.scale(tone, 0.05), ON).length, 1, `${f} Hz ${ms} ms at −26 dB`);
      // In noise the plain deviation grows (a 440 Hz beep at 10 dB: ≈ 0.6 %), the slow swing does not: every run the
      // open detector finds (noise may split a beep) is found with the bound too.
      for (const snr of [15, 10]) {
        const noisy = S.addNoise(tone, S.rms(tone), snr, r);
        t.same(beeps(noisy, ON), beeps(noisy), `${f} Hz ${ms} ms at ${snr} dB SNR (white): the same runs`);
      }
    }
});

t.test('maxVibratoPct is configuration, open by default and checked by the schema', async (t) => {
  t.equal(mediaConfig().beep.maxVibratoPct, 100);
  t.throws(() => mediaConfig(undefined, { beep: { maxVibratoPct: -1 } }), /media\.beep\.maxVibratoPct/);
});
