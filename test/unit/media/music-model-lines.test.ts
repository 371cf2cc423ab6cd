/**
 * The model's music rule asks for spectral lines too (media.amd.musicMinLines; lib/media/spectral-lines.ts, the
 * measure of the line rule's musicLineMinLines): music's partials stay at fixed frequencies, a voice's harmonics glide
 * with its pitch. The model's other music cues (low contrast and flux, a held lag, little voicing swing) are also what
 * a short word in white noise at 0–5 dB SNR shows, once the pitch track (vad.pitchTrackMs) makes it voice.
 */
import t from 'tap';
import { analyzePcm } from '../../../lib/media/analyzer';
import { heldNotes as notes, S, voiced } from '../../helpers/media-signals';

const answered = { phase: 'answered' as const };
const musicRule = (vs: ReturnType<typeof analyzePcm>) => vs.some((v) => v.kind === 'music' && /music-like sound/.test(v.reason));
const room = (ms: number, seed: number) => S.scale(S.noise(ms, S.rng(seed)), 30);

t.test('amd.musicMinLines: a gliding hum the model takes for music is not; held notes still are', async (t) => {
  // One voice humming on, its pitch gliding (no held note): with the hold cue open, only the lines tell it from music.
  const hum = voiced(
    6000,
    (s) => 180 * Math.pow(2, 0.4 * Math.sin(2 * Math.PI * 3 * s) + 0.15 * Math.sin(2 * Math.PI * 7.3 * s)),
    (s) => 0.7 + 0.3 * Math.pow(Math.sin((Math.PI * (s % 0.25)) / 0.25), 2),
  );
  const x = S.toInt16(S.concat(room(300, 3), hum, room(2000, 4)));
  const open = { musicMinPitchHold: 0, musicMinLines: 0 };
  t.ok(musicRule(analyzePcm(x, { ...answered, overrides: { amd: open } })), 'the model alone calls it music');
  const gated = analyzePcm(x, { ...answered, overrides: { amd: { ...open, musicMinLines: 0.5 } } });
  t.notOk(musicRule(gated), `not by the music rule with the lines asked: ${JSON.stringify(gated)}`);
  const m = S.toInt16(S.concat(room(200, 1), notes(), notes()));
  const music = analyzePcm(m, { ...answered, overrides: { amd: { musicMinLines: 0.5, musicLineMinPeriodicShare: 0 } } });
  t.ok(musicRule(music), `held notes: music by the music rule (${JSON.stringify(music[0])})`);
});

t.test('amd.musicMinLines: a short word in white noise at 0 dB that the pitch track makes voice is not music', async (t) => {
  const white = (ms: number, seed: number, amp = 300) => {
    const r = S.rng(seed);
    return Float64Array.from({ length: Math.round(ms * 8) }, () => (r() * 2 - 1) * amp * 1.7);
  };
  const word = voiced(
    120,
    () => 110,
    (s) => Math.sin((Math.PI * s * 1000) / 120) ** 0.5,
    600,
  );
  const n = white(120, 2);
  const call = S.toInt16(
    S.concat(
      white(1000, 1),
      Float64Array.from(word, (v, i) => v + n[i]!),
      white(4000, 3),
    ),
  );
  const track = { vad: { pitchTrackMs: 60 } };
  t.ok(musicRule(analyzePcm(call, { ...answered, overrides: { ...track, amd: { musicMinLines: 0 } } })), 'with the track alone: music');
  const gated = analyzePcm(call, { ...answered, overrides: { ...track, amd: { musicMinLines: 0.5 } } });
  t.notOk(
    gated.some((v) => v.kind === 'music'),
    `not music with the lines asked: ${JSON.stringify(gated)}`,
  );
});
