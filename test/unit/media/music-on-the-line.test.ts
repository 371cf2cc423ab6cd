/**
 * The music rule on the whole line (lib/media/amd-model.ts `lineMusic`, `media.amd.musicLine*`): music is one
 * continuous sound, and the level VAD that cuts speech into a greeting and its pauses takes music's quieter passages
 * for the floor — in noise, or when its level barely moves, it hears no greeting at all (silence at 5 s) or a short
 * one and then "quiet" (a person). Its pitch goes on through those passages: judged over every frame since the
 * line's first sound, held notes are music; a voice, a voice with talk far below it, and a steady tone are not.
 */
import t from 'tap';
import { mediaConfig } from '../../../lib/media/config';
import type { Verdict } from '../../../lib/media/types';
import { run, S, voice, voiced, white } from '../../helpers/media-signals';

const cfg = mediaConfig();
const RATE = 8000;
const NOTES = [196, 220, 247, 262, 294, 330, 294, 262, 247, 220, 196, 220, 247, 262, 294];
/** Held notes (400 ms each) with a rich timbre: harmonics up to 2 kHz falling as 1/√h, so no single frequency holds the energy. */
function notes(ms: number, env: (t: number) => number, amp = 1500): Float64Array {
  const x = new Float64Array(ms * 8);
  let ph = 0;
  for (let i = 0; i < x.length; i++) {
    const t = i / RATE;
    const f = NOTES[Math.floor(t / 0.4) % NOTES.length]!;
    ph += (2 * Math.PI * f) / RATE;
    let v = 0;
    for (let h = 1; h * f < 2000; h++) v += Math.sin(h * ph) / Math.sqrt(h);
    x[i] = v * amp * env(t);
  }
  return x;
}
/**
 * The rule is on by default since round twelve (musicLineMinPeriodicShare 0.6; README): these tests switch it on at the
 * measured share. Sunk music (amd.sunkMusicMinShare, on by default) answers some of the same lines; it is off on
 * both sides here, so each test sees this rule alone (sunk-music.test.ts tests that one).
 */
const ON = { musicLineMinPeriodicShare: 0.6, sunkMusicMinShare: 0 };
const answered = { phase: 'answered' as const, overrides: { amd: ON } };
// Without the rule: the line and sunk routes off, and the person hold on the quiet's lines (on since round twenty-nine),
// which would give the model route the time to call the soft music music by itself.
const off = {
  phase: 'answered' as const,
  overrides: { amd: { musicLineMinPeriodicShare: 0, sunkMusicMinShare: 0, musicHoldsPersonOnLines: 0 } },
};
const lineMusic = (vs: Verdict[]) => vs.some((v) => v.kind === 'music' && /on the line/.test(v.reason));

t.test('on by default (round twelve) with the gates the dev sets were measured with', async (t) => {
  t.match(cfg.amd, {
    musicLineMinPeriodicShare: 0.6,
    musicLineMinPitchHold: 0.5,
    musicLineMaxOnePitchShare: 0.85,
    musicLineQuietMinPairs: 5,
    musicLineMaxVoicingSwing: 0.09,
    musicLineMaxPitchOnsetsPerS: 6,
    musicLineMaxPauseMs: 100,
    musicLinePauseBelowDb: 10,
  });
});

t.test('music whose level never moves: no greeting for the level VAD (silence), music on the line', async (t) => {
  const x = notes(6000, () => 1);
  t.match(run(x, off), [{ kind: 'silence' }], 'without the rule: silence at 5 s');
  const on = run(x, answered);
  t.match(on, [{ kind: 'music', atMs: cfg.amd.musicMinMs }], JSON.stringify(on));
  t.ok((on[0] as { confidence: number }).confidence >= 0.9, 'pitched throughout');
  t.match(run(white(x, 10), answered), [{ kind: 'music' }], 'and under white noise at 10 dB SNR');
});

t.test('music that turns soft under white noise: a "greeting" and then "quiet" to the VAD, music on the line', async (t) => {
  for (const snr of [5, 10]) {
    const x = white(
      notes(6000, (t) => (t < 1 ? 1 : 0.3)),
      snr,
    );
    t.match(run(x, off)[0], { kind: 'human' }, `${snr} dB: without the rule a person`);
    const on = run(x, answered);
    t.ok(lineMusic(on), `${snr} dB: music, ${JSON.stringify(on)}`);
  }
});

t.test(
  'not music, and nothing changed by the rule: a person, a person with talk below, a long greeting in noise, a dial tone',
  async (t) => {
    const same = (name: string, x: Float64Array) => {
      const on = run(x, answered);
      t.notOk(lineMusic(on), `${name}: ${JSON.stringify(on)}`);
      t.same(on, run(x, off), `${name}: as without the rule`);
      return on;
    };
    const hello = S.concat(voice(900), new Float64Array(4 * RATE));
    for (const snr of [5, 10, 30]) t.match(same(`hello at ${snr} dB white`, white(hello, snr))[0], { kind: 'human' });
    // Talk under the person all along (five gliding voices, each 26 dB down): periodic, but never held.
    const room = new Float64Array(hello.length);
    for (let k = 0; k < 5; k++) {
      const v = voice(hello.length / 8 + 100, 110 + 30 * k, k);
      for (let i = 0; i < room.length; i++) room[i]! += (v[i + 37 * k] ?? 0) * 0.05;
    }
    same(
      'hello with talk behind',
      Float64Array.from(hello, (v, i) => v + room[i]!),
    );
    t.match(same('5 s greeting at 5 dB white', white(S.concat(voice(5000), new Float64Array(16000)), 5))[0], { kind: 'machine' });
    const dial = new Float64Array(6 * RATE).map(
      (_, i) => 3000 * (Math.sin((2 * Math.PI * 350 * i) / RATE) + Math.sin((2 * Math.PI * 440 * i) / RATE)),
    );
    same('a dial tone (one pitch, not notes)', dial);
    t.ok(
      lineMusic(run(dial, { ...answered, overrides: { amd: { ...ON, musicLineMaxOnePitchShare: 1 } } })),
      'only the one-pitch gate keeps it out',
    );
  },
);

t.test('music on the line waits while a busy/reorder tone of the plan has been heard, then stands', async (t) => {
  // Steady notes with one DE busy segment (425 Hz, 480 ms) over them at 0.5 s: talk or music over a busy breaks its
  // cadence, and the tone under it is pitched and held, so the whole-line verdict gives the cadence time to confirm.
  const x = notes(8000, () => 1);
  const tone = S.tone([425], 480, 6000);
  for (let i = 0; i < tone.length; i++) x[4000 + i]! += tone[i]!;
  const plain = run(x, { ...answered, region: 'NA' });
  t.match(plain, [{ kind: 'music', atMs: cfg.amd.musicMinMs }], `no DE tone in the NA plan: music at once, ${JSON.stringify(plain)}`);
  const de = run(x, { ...answered, region: 'DE' });
  t.match(de, [{ kind: 'music' }], JSON.stringify(de));
  t.ok(de[0]!.atMs > cfg.amd.musicMinMs && de[0]!.atMs <= cfg.amd.musicMinMs + 4 * 480 + 100, `held, then music at ${de[0]!.atMs} ms`);
});

t.test(
  'where the VAD hears quiet, the pitch must hold too: one held sound and then a pitch that jumps is not music on the line',
  async (t) => {
    // A held note for 1.3 s (a voice can hold its pitch that long), then a softer pitched sound whose pitch jumps every
    // 20 ms (as talk in the room does): the whole line holds its period often enough, the quiet part does not.
    const r = S.rng(9);
    const jumps = Array.from({ length: 250 }, () => 110 + 200 * r());
    const rich = (ms: number, f0: (t: number) => number, env: (t: number) => number) => {
      const x = new Float64Array(ms * 8);
      let ph = 0;
      for (let i = 0; i < x.length; i++) {
        const t = i / RATE;
        const f = f0(t);
        ph += (2 * Math.PI * f) / RATE;
        let v = 0;
        for (let h = 1; h * f < 2000; h++) v += Math.sin(h * ph) / Math.sqrt(h);
        x[i] = v * 1500 * env(t);
      }
      return x;
    };
    const x = S.concat(
      rich(
        1300,
        () => 196,
        (t) => Math.min(1, t * 20, (1.3 - t) * 20),
      ),
      rich(
        4000,
        (t) => jumps[Math.floor(t / 0.02)]!,
        () => 0.35,
      ),
    );
    t.notOk(lineMusic(run(x, answered)), 'not music on the line');
    t.ok(
      lineMusic(run(x, { ...answered, overrides: { amd: { ...ON, musicLineQuietMinPairs: 1000 } } })),
      'without the quiet gate it would be',
    );
  },
);

t.test('a monotone voice (one pitch per phrase, a new voiced run every syllable) is not music on the line', async (t) => {
  // Eight syllables a second on three-quarters voicing, the rest an unvoiced consonant; the pitch steps between phrases
  // like notes and is otherwise flat (a synthetic voice with no intonation): held "notes" for the other line gates.
  const r = S.rng(3);
  const syl = (t: number) => (t * 8) % 1 < 0.75;
  const v = voiced(
    5000,
    (t) => [180, 200, 170, 190][Math.floor(t / 1.1) % 4]!,
    (t) => (syl(t) ? 1 : 0),
  );
  const n = S.noise(5000, r);
  const x = S.concat(
    S.silence(200),
    Float64Array.from(v, (y, i) => y + (syl(i / RATE) ? 0 : 900 * n[i]!)),
    S.silence(1500),
  );
  // Its pitch is flat within each phrase, so it holds frame to frame: the hold on the running median (musicLineHoldMedian,
  // on by default since round fourteen) is asked only where that exact hold fails, and changes nothing here. The
  // articulation gate keeps it out.
  const median = run(x, { phase: 'answered', overrides: { amd: { ...ON, musicLineMaxPitchOnsetsPerS: 0, musicLineHoldMedian: true } } });
  t.ok(lineMusic(median), `without the articulation gate, with the median hold: music on the line, ${JSON.stringify(median)}`);
  t.equal(
    (median[0] as { features: Record<string, number> }).features.lineNoteShare,
    undefined,
    'held frame to frame: no note share asked',
  );
  const ungated = run(x, { phase: 'answered', overrides: { amd: { ...ON, musicLineMaxPitchOnsetsPerS: 0, musicLineHoldMedian: false } } });
  t.ok(lineMusic(ungated), `without the articulation gate and the median hold: music on the line, ${JSON.stringify(ungated)}`);
  t.ok((ungated[0] as { features: Record<string, number> }).features.linePitchOnsetsPerS! >= 7.5, 'eight voiced runs a second');
  const gated = run(x, { phase: 'answered', overrides: { amd: { ...ON, musicLineMaxPitchOnsetsPerS: 6, musicLineHoldMedian: false } } });
  t.notOk(lineMusic(gated), `with it (6 a second): not music on the line, ${JSON.stringify(gated)}`);
  // Held notes re-attack at most at the beat: the notes under the same gate stay music.
  t.match(
    run(
      notes(6000, () => 1),
      { phase: 'answered', overrides: { amd: { ...ON, musicLineMaxPitchOnsetsPerS: 6 } } },
    ),
    [{ kind: 'music' }],
  );
});

t.test('a slow, flat voice that pauses is not music on the line; music that plays on (short rests, soft notes) still is', async (t) => {
  // A slow synthetic voice: voiced through each phrase (its syllables dips in level, voiced consonants between them),
  // its pitch flat within a syllable and stepping between syllables like notes, so it is pitched, held and breaks its
  // voicing too seldom for the articulation gate; then a 300 ms pause (a comma, a breath), a second phrase, and the
  // person waits.
  const rich = (ms: number, f0: (t: number) => number, env: (t: number) => number) => {
    const y = new Float64Array(ms * 8);
    let ph = 0;
    for (let i = 0; i < y.length; i++) {
      const t = i / RATE;
      const f = f0(t);
      ph += (2 * Math.PI * f) / RATE;
      let v = 0;
      for (let h = 1; h * f < 3400; h++) v += Math.sin(h * ph) / Math.sqrt(h);
      y[i] = v * 1500 * env(t);
    }
    return y;
  };
  const phrase = (ms: number, f0: number[]) =>
    rich(
      ms,
      (t) => f0[Math.floor(t / 0.4) % f0.length]!,
      (t) => 0.4 + 0.6 * Math.pow(Math.sin((Math.PI * (t % 0.4)) / 0.4), 2),
    );
  const x = S.concat(S.silence(200), phrase(1200, [180, 200, 170]), S.silence(300), phrase(1200, [190, 175, 205]), S.silence(4000));
  const gate = (ms: number) => ({ phase: 'answered' as const, overrides: { amd: { ...ON, musicLineMaxPauseMs: ms } } });
  const ungated = run(x, gate(0));
  t.ok(lineMusic(ungated), `without the pause gate: music on the line, ${JSON.stringify(ungated)}`);
  const f = (ungated[0] as { features: Record<string, number> }).features;
  t.ok(f.linePitchOnsetsPerS! < 6, `too few voiced runs for the articulation gate (${f.linePitchOnsetsPerS} a second)`);
  t.ok(f.linePauseMs! >= 200, `its pause is seen (${f.linePauseMs} ms)`);
  const gated = run(x, gate(cfg.amd.musicLineMaxPauseMs));
  t.notOk(lineMusic(gated), `with it (the default): not music on the line, ${JSON.stringify(gated)}`);
  t.equal(gated[0]?.kind, 'human', 'a person');
  // The edge: a pause shorter than the gate leaves the line to the other gates.
  t.ok(lineMusic(run(x, gate(f.linePauseMs! + 20))), 'a gate longer than the pause lets it through');
  // Music plays on: notes with 80 ms rests between them at a low level, and notes turning soft (pitched, so no pause).
  const rests = rich(
    6000,
    (t) => [196, 220, 247, 262, 294][Math.floor(t / 0.5) % 5]!,
    (t) => (t % 0.5 < 0.42 ? 1 : 0.01),
  );
  const rested = run(rests, gate(cfg.amd.musicLineMaxPauseMs));
  t.match(rested, [{ kind: 'music' }], `notes with 80 ms rests: music, ${JSON.stringify(rested)}`);
  t.ok(
    (rested[0] as { features: Record<string, number> }).features.linePauseMs! < cfg.amd.musicLineMaxPauseMs,
    'its rests are shorter than the gate',
  );
  const soft = notes(6000, (t) => (t < 1 ? 1 : 0.3));
  t.ok(
    lineMusic(run(white(soft, 10), gate(cfg.amd.musicLineMaxPauseMs))),
    'notes turning soft under white noise at 10 dB: music on the line',
  );
});
