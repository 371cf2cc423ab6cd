/**
 * media.amd.musicUnpitchedGreetingBelow: a greeting still going at maxPersonGreetingMs that the model takes for music,
 * with a pitch in under that share of its voiced frames, is music rather than a machine. An ambient bed (here a
 * resonator sweeping over noise, like a wind or string wash) has neither a voice-range pitch nor steady spectral lines,
 * so no music rule calls it; a talker's long greeting keeps its pitch, in white noise at 0 dB too.
 */
import t from 'tap';
import { analyzePcm } from '../../../lib/media/analyzer';
import { mediaConfig } from '../../../lib/media/config';
import { babble, S, voiced, white } from '../../helpers/media-signals';

const room = (ms: number, seed: number) => S.scale(S.noise(ms, S.rng(seed)), 30);

/** Noise through a two-pole resonator whose centre sweeps 300–1,500 Hz at 0.2 Hz, swelling at 0.3 Hz. */
function wash(ms: number, seed: number, amp = 2500): Float64Array {
  const r = S.rng(seed);
  const q = 0.9;
  let y1 = 0;
  let y2 = 0;
  const out = new Float64Array(ms * 8);
  for (let i = 0; i < out.length; i++) {
    const f = 300 + 1200 * (0.5 + 0.5 * Math.sin((2 * Math.PI * 0.2 * i) / 8000));
    const y = r() * 2 - 1 + 2 * q * Math.cos((2 * Math.PI * f) / 8000) * y1 - q * q * y2;
    y2 = y1;
    y1 = y;
    out[i] = y;
  }
  const g = amp / Math.sqrt(out.reduce((a, v) => a + v * v, 0) / out.length);
  return out.map((v, i) => v * g * (0.75 + 0.25 * Math.sin((2 * Math.PI * 0.3 * i) / 8000)));
}

/** A talker going on: four syllables a second, the pitch moving around `base`. */
const talk = (ms: number, base = 170) =>
  voiced(
    ms,
    (s) => base * Math.pow(2, 0.3 * Math.sin(2 * Math.PI * 0.7 * s) + 0.1 * Math.sin(2 * Math.PI * 5.1 * s)),
    (s) => {
      const p = s % 0.25;
      return p < 0.17 ? Math.sin((Math.PI * p) / 0.17) : 0.05;
    },
  );

const first = (x: Float64Array, amd: Record<string, unknown> = {}) =>
  analyzePcm(S.toInt16(x), { phase: 'answered', overrides: { amd } }).find((v) =>
    ['music', 'machine', 'human', 'notsure'].includes(v.kind),
  );

const bed = S.concat(room(300, 1), wash(7000, 3));

/** The check off; the cases written before the 45 Hz floor pin it at 0 (the VAD's own periodicity), as they were measured. */
const OFF = { musicUnpitchedGreetingBelow: 0, musicUnpitchedGreetingFloorHz: 0 };

t.test('defaults 0.3 and 45 Hz (round twenty-two): the unpitched bed is music', async (t) => {
  t.equal(mediaConfig().amd.musicUnpitchedGreetingBelow, 0.3);
  t.equal(mediaConfig().amd.musicUnpitchedGreetingFloorHz, 45);
  t.equal(first(bed)?.kind, 'music');
});

t.test('off (0): an unpitched bed that runs on is a machine by its greeting length', async (t) => {
  const v = first(bed, OFF);
  t.equal(v?.kind, 'machine');
  t.match(v && 'reason' in v ? v.reason : '', /greeting longer than 4500 ms/);
});

t.test('on: the same bed is music, at the frame the machine verdict came', async (t) => {
  const off = first(bed, OFF);
  const v = first(bed, { musicUnpitchedGreetingBelow: 0.3, musicUnpitchedGreetingFloorHz: 0 });
  t.equal(v?.kind, 'music');
  t.match(v && 'reason' in v ? v.reason : '', /music-like sound with a pitch in 0 %/);
  t.equal(v?.atMs, off?.atMs);
  // Just over its own share (0): the bar is a strict "under".
  t.equal(first(bed, { musicUnpitchedGreetingBelow: 0.001, musicUnpitchedGreetingFloorHz: 0 })?.kind, 'music');
});

t.test('only when the model takes it for music (musicConfidence)', async (t) => {
  t.equal(first(bed, { musicUnpitchedGreetingBelow: 0.3, musicUnpitchedGreetingFloorHz: 0, musicConfidence: 1 })?.kind, 'machine');
});

t.test('a talker over the bed, pitched in 45 % of its voice: a machine under the bar, music only over it', async (t) => {
  const w = wash(7000, 3);
  const v0 = talk(7000);
  const x = S.concat(
    room(300, 1),
    Float64Array.from(w, (v, i) => v + v0[i]!),
  );
  t.equal(first(x, OFF)?.kind, 'machine');
  t.equal(first(x, { musicUnpitchedGreetingBelow: 0.3, musicUnpitchedGreetingFloorHz: 0 })?.kind, 'machine');
  t.equal(first(x, { musicUnpitchedGreetingBelow: 0.44, musicUnpitchedGreetingFloorHz: 0 })?.kind, 'machine');
  const over = first(x, { musicUnpitchedGreetingBelow: 0.46, musicUnpitchedGreetingFloorHz: 0 });
  t.equal(over?.kind, 'music');
  t.match(over && 'reason' in over ? over.reason : '', /pitch in 45 %/);
});

t.test('a talker in white noise at 0 and 3 dB SNR reaching the greeting rule stays a machine', async (t) => {
  for (const snr of [0, 3]) {
    const x = white(S.concat(room(300, 1), talk(7000)), snr);
    const off = first(x, OFF);
    t.equal(off?.kind, 'machine', `white ${snr} dB, off`);
    t.match(off && 'reason' in off ? off.reason : '', /greeting longer than/);
    t.equal(first(x, { musicUnpitchedGreetingBelow: 0.3, musicUnpitchedGreetingFloorHz: 0 })?.kind, 'machine', `white ${snr} dB, on`);
    // Its pitch holds it, whatever the model says: with the model's bar open too.
    t.equal(
      first(x, { musicUnpitchedGreetingBelow: 0.3, musicUnpitchedGreetingFloorHz: 0, musicConfidence: 0 })?.kind,
      'machine',
      `white ${snr} dB, on, any P(music)`,
    );
  }
});

t.test(
  'musicUnpitchedGreetingFloorHz: a 60 Hz talker, under the VAD pitch floor (70 Hz), stays a machine with the floor at 45 Hz',
  async (t) => {
    const x = S.concat(room(300, 1), talk(7000, 60));
    const at70 = first(x, { musicUnpitchedGreetingBelow: 0.3, musicUnpitchedGreetingFloorHz: 0 });
    t.equal(at70?.kind, 'music', 'read with the VAD own periodicity: unpitched');
    const at45 = first(x, { musicUnpitchedGreetingBelow: 0.3, musicUnpitchedGreetingFloorHz: 45 });
    t.equal(at45?.kind, 'machine');
    t.match(at45 && 'reason' in at45 ? at45.reason : '', /greeting longer than 4500 ms/);
    t.equal(at45?.atMs, at70?.atMs);
    // The bed has no pitch down to 45 Hz either.
    const bedAt45 = first(bed, { musicUnpitchedGreetingBelow: 0.3, musicUnpitchedGreetingFloorHz: 45 });
    t.equal(bedAt45?.kind, 'music');
    t.throws(() => mediaConfig(undefined, { amd: { musicUnpitchedGreetingFloorHz: -1 } }));
  },
);

t.test('schema: 0 to 1', async (t) => {
  t.throws(() => mediaConfig(undefined, { amd: { musicUnpitchedGreetingBelow: 1.5 } }));
  t.throws(() => mediaConfig(undefined, { amd: { musicUnpitchedGreetingBelow: -0.1 } }));
  t.equal(mediaConfig(undefined, { amd: { musicUnpitchedGreetingBelow: 0.3 } }).amd.musicUnpitchedGreetingBelow, 0.3);
});

t.test('a known edge: an unvoiced stream (noise shaped into syllables, a whisper) past the greeting rule is music', async (t) => {
  // No pitch at all, so the rule cannot tell it from an ambient bed; off, it is a machine by its length. No real
  // voicemail greeting in the train corpora is unvoiced for 4.5 s (README "Round twenty-two").
  const x = white(S.concat(room(300, 1), babble(5000)), 3);
  t.equal(first(x, OFF)?.kind, 'machine');
  t.equal(first(x)?.kind, 'music');
});
