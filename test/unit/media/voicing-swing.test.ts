/**
 * The music rule's voicing-swing cue (lib/media/amd-features.ts `voicingSwing`,
 * `media.amd.musicMaxVoicingSwing`): a voice's pitch comes and goes with its
 * syllables (vowels against consonants), 4–8 times a second, and white noise
 * that fills the gaps of its level leaves that swing in the periodicity track;
 * held notes stay pitched. Measured through the model VAD (lib/media/level-vad.ts)
 * and the shape features on harmonic sources whose voicing is known.
 */
import t from 'tap';
import { voicingSwing } from '../../../lib/media/amd-features';
import { mediaConfig } from '../../../lib/media/config';
import { LevelVad } from '../../../lib/media/level-vad';
import { heldNotes as notes, run, S, shapeOf, voiced } from '../../helpers/media-signals';

const cfg = mediaConfig();
const MAX = cfg.amd.musicMaxVoicingSwing;

/**
 * A monotone talker, 5 syllables a second: a 100 ms vowel at a steady 180 Hz (so the pitch-hold cue alone cannot
 * tell it from a note), then a 100 ms fricative (noise) 6 dB below it.
 */
function syllables(durMs: number): Float64Array {
  const v = voiced(
    durMs,
    () => 180,
    () => 1,
  );
  const nz = S.noise(durMs, S.rng(5));
  const g = (0.5 * S.rms(v)) / (S.rms(nz) || 1);
  return Float64Array.from(v, (s, i) => ((i / 8) % 200 < 100 ? s : g * nz[i]!));
}

const room = (ms: number, seed: number) => S.scale(S.noise(ms, S.rng(seed)), 30);

/** `x` with room noise before and after, in white noise at `snrDb` (against its active level); Infinity: none. */
function line(x: Float64Array, snrDb: number): Float64Array {
  const y = S.concat(room(300, 3), x, room(2000, 4));
  if (snrDb === Infinity) return y;
  const nz = S.noise(y.length / 8, S.rng(9));
  const g = S.rms(y, true) / (S.rms(nz) || 1) / Math.pow(10, snrDb / 20);
  return Float64Array.from(y, (v, i) => v + g * (nz[i] ?? 0));
}

/** The voicing swing and pitch hold the analyser sees over the whole sound. */
function measure(x: Float64Array): { swing: number; hold: number } {
  const { vad, shape } = shapeOf(x);
  return { swing: voicingSwing(vad, shape.onset, shape.end), hold: shape.pitchHold };
}

t.test('held notes stay pitched; a talker’s voicing swings at the syllable rate, also in white noise', async (t) => {
  t.equal(MAX, 0.12, 'the default the train split was measured with');
  for (const snr of [Infinity, 20, 10]) {
    const m = measure(line(S.concat(notes(), notes()), snr));
    t.ok(m.swing < MAX, `notes at ${snr} dB SNR: ${m.swing.toFixed(3)} < ${MAX}`);
  }
  for (const snr of [Infinity, 10, 5]) {
    const m = measure(line(syllables(6000), snr));
    t.ok(
      m.hold >= cfg.amd.musicMinPitchHold,
      `the talker holds its pitch at ${snr} dB SNR (${m.hold.toFixed(2)}): the pitch-hold cue passes it`,
    );
    t.ok(m.swing >= MAX + 0.08, `talker at ${snr} dB SNR: ${m.swing.toFixed(3)} ≥ ${MAX} + 0.08`);
  }
});

t.test('the swing of a known voicing track: on and off at 5 Hz, steady, too short', async (t) => {
  const track = (per: (i: number) => number) => {
    const vad = new LevelVad(cfg.vad, 100);
    for (let i = 0; i < 100; i++) vad.push(1e6, 160, per(i), 20);
    return vad;
  };
  // A 0/1 square wave at 5 Hz (5 frames on, 5 off): its fundamental's RMS is (4/π)·0.5/√2 ≈ 0.45.
  const sq = voicingSwing(
    track((i) => (Math.floor(i / 5) % 2 ? 0 : 1)),
    0,
    100,
  );
  t.ok(Math.abs(sq - 0.45) < 0.02, `5 Hz on/off: ${sq.toFixed(3)} ≈ 0.45`);
  t.ok(
    voicingSwing(
      track(() => 0.9),
      0,
      100,
    ) < 1e-9,
    'steady voicing: 0',
  );
  t.equal(
    voicingSwing(
      track((i) => i % 2),
      0,
      24,
    ),
    0,
    'under half a second: 0',
  );
  t.equal(
    voicingSwing(
      track((i) => i % 2),
      -1,
      100,
    ),
    0,
    'no onset: 0',
  );
});

t.test(
  'the music rule at its edge: a talker in white noise that the model takes for music is not music, unless the cue is off',
  async (t) => {
    const answered = { phase: 'answered' as const };
    const x = line(syllables(6000), 5);
    const off = run(x, { ...answered, overrides: { amd: { musicMaxVoicingSwing: 0 } } });
    t.match(
      off[0],
      { kind: 'music', reason: /music-like sound/ },
      `the model and the other music cues call it music: ${JSON.stringify(off)}`,
    );
    const on = run(x, answered);
    t.notOk(
      on.some((v) => v.kind === 'music'),
      `not music: ${JSON.stringify(on)}`,
    );
    t.match(on[0], { kind: 'machine' }, 'a 6 s greeting is a recording');
    const held = line(S.concat(notes(), notes()), Infinity);
    // The model's path, which the swing cue guards: these pure held notes would otherwise be called music first by the
    // whole-line rule (amd.musicLineTonalMinNotes, on since round eighteen), whose verdict the cue does not touch.
    const music = run(held, { ...answered, overrides: { amd: { musicLineTonalMinNotes: 0 } } });
    t.match(music[0], { kind: 'music', reason: /music-like sound/ }, 'held notes are still music on the model path');
    t.match(run(held, answered)[0], { kind: 'music' }, 'and music with the defaults');
  },
);
