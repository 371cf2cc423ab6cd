/**
 * The music rule's pitch-hold cue (lib/media/amd-features.ts `pitchHold`,
 * `media.amd.musicMinPitchHold`): music holds each note's pitch period from
 * frame to frame, a speaking voice glides, and several voices at once
 * (babble behind a person) have no steady period. Measured through the model
 * VAD (lib/media/level-vad.ts) and the shape features, on harmonic sources
 * whose pitch is known.
 */
import t from 'tap';
import { mediaConfig } from '../../../lib/media/config';
import { heldNotes as notes, kinds, run, S, shapeOf, voiced } from '../../helpers/media-signals';

const cfg = mediaConfig();
/**
 * A speaking voice: 5 syllables a second, quiet between them, and an intonation that keeps moving (about ±5
 * semitones at 3 Hz with a faster wobble), as running speech does; `seed` shifts its phase.
 */
const voice = (durMs: number, base = 170, seed = 1) => {
  const p = S.rng(seed)() * 2 * Math.PI;
  return voiced(
    durMs,
    (t) => base * Math.pow(2, 0.4 * Math.sin(2 * Math.PI * 3 * t + p) + 0.15 * Math.sin(2 * Math.PI * 7.3 * t + 2 * p)),
    (t) => Math.pow(Math.sin((Math.PI * (t % 0.2)) / 0.2), 2) * 0.9 + 0.1,
  );
};
/** Babble: five such voices at once, each with its own pitch range and timing. */
const babble = (durMs: number) => {
  const out = new Float64Array(durMs * 8);
  for (let k = 0; k < 5; k++) {
    const v = voice(durMs + 200, 110 + 30 * k, 10 + k);
    const off = Math.round(((37 * k) % 200) * 8);
    for (let i = 0; i < out.length; i++) out[i]! += (v[i + off] ?? 0) / 2;
  }
  return out;
};

/** The pitch-hold share the analyser sees over the whole sound (with room noise before and after it). */
function pitchHold(x: Float64Array): { hold: number; periodicShare: number } {
  const room = (ms: number) => S.scale(S.noise(ms, S.rng(3)), 32768 * 0.001);
  const { shape } = shapeOf(S.concat(room(500), x, room(2000)));
  return { hold: shape.pitchHold, periodicShare: shape.x[17]! };
}

t.test('held notes keep their pitch period; a speaking voice and babble do not', async (t) => {
  const min = cfg.amd.musicMinPitchHold;
  t.equal(min, 0.4, 'the default the train split was measured with');
  const m = pitchHold(notes());
  t.ok(m.periodicShare >= 0.8, `notes have a pitch (${m.periodicShare.toFixed(2)})`);
  t.ok(m.hold >= min + 0.2, `notes: ${m.hold.toFixed(2)} ≥ ${min} + 0.2`);
  const v = pitchHold(voice(3000));
  t.ok(v.periodicShare >= 0.5, `the voice has a pitch (${v.periodicShare.toFixed(2)})`);
  t.ok(v.hold < min, `voice: ${v.hold.toFixed(2)} < ${min}`);
  const b = pitchHold(babble(3000));
  t.ok(b.hold < min, `babble: ${b.hold.toFixed(2)} < ${min}`);
});

t.test('no pitched frames: the hold is 0 (and the music rule needs a pitch anyway)', async (t) => {
  t.equal(pitchHold(S.scale(S.noise(2000, S.rng(4)), 3000)).hold, 0);
});

t.test(
  'the music rule at its edge: held notes are music; a gliding voice the model takes for music is not, unless the cue is off',
  async (t) => {
    const room = (ms: number, seed: number) => S.scale(S.noise(ms, S.rng(seed)), 30);
    const answered = { phase: 'answered' as const };
    const music = run(S.concat(room(200, 1), notes(), notes()), answered);
    t.equal(music[0]?.kind, 'music', JSON.stringify(music));
    // One voice humming on, its pitch gliding (no held note), loud and soft 4 times a second.
    const hum = voiced(
      6000,
      (t) => 180 * Math.pow(2, 0.4 * Math.sin(2 * Math.PI * 3 * t) + 0.15 * Math.sin(2 * Math.PI * 7.3 * t)),
      (t) => 0.7 + 0.3 * Math.pow(Math.sin((Math.PI * (t % 0.25)) / 0.25), 2),
    );
    const x = S.concat(room(300, 3), hum, room(2000, 4));
    const off = run(x, { ...answered, overrides: { amd: { musicMinPitchHold: 0, musicMinLines: 0 } } });
    t.match(off[0], { kind: 'music', reason: /music-like sound/ }, 'the model alone calls it music');
    const on = run(x, answered);
    t.notOk(
      on.some((v) => v.kind === 'music' && /music-like sound/.test(v.reason)),
      `not music by the music rule: ${JSON.stringify(on)}`,
    );
    t.notOk(kinds(on).includes('human'), 'nor a person');
  },
);
