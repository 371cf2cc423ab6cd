/**
 * Round thirteen's edge for a short word in white noise (lib/media/amd-model.ts, amd.minPitchedGreetingMs): noise sinks
 * a short word's soft ends under the threshold and leaves its voiced core, 140–180 ms, under the 200 ms of voice a
 * greeting needs (amd.minGreetingSpeechMs): the call got no verdict. A greeting now also counts from
 * minPitchedGreetingMs of voice with a pitch; a click or a breath of the same length (no pitch) still does not.
 */
import t from 'tap';
import { analyzePcm } from '../../../lib/media/analyzer';
import { S, voiced } from '../../helpers/media-signals';

const answered = { phase: 'answered' as const };
/** White noise at a steady level (mean |sample| ≈ 0.8 × amp). */
const white = (ms: number, seed: number, amp = 300) => {
  const r = S.rng(seed);
  return Float64Array.from({ length: Math.round(ms * 8) }, () => (r() * 2 - 1) * amp * 1.7);
};
/** A short voiced word ("ten"): a 130 Hz voice for `ms`, rising and falling, over the line's noise. */
const word = (ms: number, seed: number) => {
  const w = voiced(
    ms,
    () => 130,
    (t) => Math.sin((Math.PI * t * 1000) / ms) ** 0.5,
    2500,
  );
  const n = white(ms, seed);
  return Float64Array.from(w, (v, i) => v + n[i]!);
};
/** A click or a breath: unpitched, as loud as the word, as long. */
const breath = (ms: number, seed: number) => white(ms, seed, 2500);

const first = (x: Float64Array, overrides?: Record<string, unknown>) =>
  analyzePcm(S.toInt16(x), { ...answered, ...(overrides ? { overrides } : {}) })[0];

t.test('a short pitched word in white noise is a greeting (a person); a breath as long is not', async (t) => {
  const call = S.concat(white(1000, 1), word(150, 2), white(3000, 3));
  const off = first(call, { amd: { minPitchedGreetingMs: 0 } });
  t.not(off?.kind, 'human', `with the rule off: ${JSON.stringify(off)}`);
  const on = first(call);
  t.equal(on?.kind, 'human', JSON.stringify(on));
  const f = (on as { features?: Record<string, number> }).features;
  t.ok(on && on.atMs >= 1800 && on.atMs <= 2700, `decided at ${on?.atMs} ms`);
  t.ok(f?.speechS !== undefined && f.speechS < 0.2, `under minGreetingSpeechMs: ${JSON.stringify(f)}`);
  // The same length of unpitched sound: no greeting, whatever the key says.
  const b = first(S.concat(white(1000, 1), breath(140, 4), white(3000, 3)));
  t.not(b?.kind, 'human', JSON.stringify(b));
});

t.test('amd.minPitchedGreetingMs: under it, a pitched sound is still no greeting', async (t) => {
  const call = S.concat(white(1000, 1), word(150, 2), white(3000, 3));
  const high = first(call, { amd: { minPitchedGreetingMs: 180 } });
  t.not(high?.kind, 'human', JSON.stringify(high));
});

t.test('amd.pitchedGreetingMaxQuietPitch: not on a line with a pitch of its own (music or voices under the threshold)', async (t) => {
  // A steady hum (220 Hz, gliding a little) under the line's noise from the first frame: the quiet after the word has
  // a pitch, so pitch no longer tells the word from the line.
  const hum = (x: Float64Array) => {
    const h = voiced(
      S.durationMs(x),
      (s) => 220 + 20 * Math.sin(s * 3),
      () => 1,
      300,
    );
    return Float64Array.from(x, (v, i) => v + h[i]!);
  };
  const call = hum(S.concat(white(1000, 1), word(150, 2), white(3000, 3)));
  // (amd.musicLinesMaxModulation, round seventeen, lets this hum's lines pass as music on the line first: off here, so
  // the person rule's edge is what is measured.)
  // (The person hold on the quiet's lines, on since round twenty-nine, holds this word over its hum until the line
  // rule reads the hum's lines: off here too.)
  const off = first(call, { amd: { pitchedGreetingMaxQuietPitch: 1, musicLinesMaxModulation: 0, musicHoldsPersonOnLines: 0 } });
  t.equal(off?.kind, 'human', `the edge, without the guard: ${JSON.stringify(off)}`);
  const on = first(call);
  t.not(on?.kind, 'human', JSON.stringify(on));
});

t.test('amd.pitchedGreetingTrackMs: a word whose voiced core holds only a pitch track is a greeting', async (t) => {
  // A low (110 Hz) 160 ms word 1–2 dB over the hiss: its frames reach periodicity 0.45–0.59 (measured), a pitch track
  // but under vad.minPeriodicity, so with the track (vad.pitchTrackMs) it is voice yet no greeting: no verdict.
  const low = (ms: number, seed: number) => {
    const w = voiced(
      ms,
      () => 110,
      (s) => Math.sin((Math.PI * s * 1000) / ms) ** 0.5,
      400,
    );
    const n = white(ms, seed);
    return Float64Array.from(w, (v, i) => v + n[i]!);
  };
  const call = S.concat(white(1000, 1), low(160, 2), white(4000, 3));
  const track = { vad: { pitchTrackMs: 60 } };
  const trackOnly = first(call, { ...track, amd: { pitchedGreetingTrackMs: 0 } });
  t.not(trackOnly?.kind, 'human', `the track alone: ${JSON.stringify(trackOnly)}`);
  const on = first(call, { ...track, amd: { pitchedGreetingTrackMs: 60 } });
  t.equal(on?.kind, 'human', JSON.stringify(on));
  t.ok(on && on.atMs <= 2700, `decided at ${on?.atMs} ms`);
  // Its own track length: 140 ms of track is under 160 ms.
  const longer = first(call, { ...track, amd: { pitchedGreetingTrackMs: 160 } });
  t.not(longer?.kind, 'human', `tracks of 160 ms asked: ${JSON.stringify(longer)}`);
  // Without vad.pitchTrackMs the word is under the threshold: no voice to count, whatever the key says.
  const noTrack = first(call, { vad: { pitchTrackMs: 0 }, amd: { pitchedGreetingTrackMs: 60 } });
  t.not(noTrack?.kind, 'human', `without vad.pitchTrackMs: ${JSON.stringify(noTrack)}`);
  // Unpitched sound as loud and as long holds no track: still no greeting.
  const b = first(S.concat(white(1000, 1), white(160, 4, 700), white(4000, 3)), { ...track, amd: { pitchedGreetingTrackMs: 60 } });
  t.not(b?.kind, 'human', JSON.stringify(b));
});
