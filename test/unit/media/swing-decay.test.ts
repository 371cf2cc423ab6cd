/**
 * The voicing swing with a note's decay bridged (amd.musicLineSwingDecayMs, lib/media/amd-model.ts `lineMusic`): the
 * music rule on the line refuses a line whose periodicity swings at the syllable rate (3–8 Hz), as a voice's does. A
 * plucked note's periodicity fades with its level under the line's noise and returns at the next attack, at the note
 * rate, inside that band. With the option, frames on a steady decay (note-decay.ts, a straight line in dB) and the
 * frame after one hold the periodicity of the frame before, as lost-packet holes do. A voice falls off a plateau, so
 * its syllables keep their swing. On by default since round twenty (100 ms, and with musicLineSwingDecayAttackDb 2 dB
 * only a decay that the next attack ends): README "Round twenty".
 */
import t from 'tap';
import { mediaConfig } from '../../../lib/media/config';
import type { Verdict } from '../../../lib/media/types';
import { run, S, voiced, white } from '../../helpers/media-signals';

const cfg = mediaConfig();
const RATE = 8000;
const BAR = cfg.amd.musicLineMaxVoicingSwing;

/** Plucked notes: rich harmonics, each note decaying at `dbPerS` from its attack, `noteMs` apart. */
function plucked(ms: number, noteMs: number, dbPerS: number): Float64Array {
  const notes = [196, 247, 294, 262, 220, 330, 294, 247];
  const x = new Float64Array(ms * 8);
  let ph = 0;
  for (let i = 0; i < x.length; i++) {
    const t = i / RATE;
    const k = Math.floor((t * 1000) / noteMs);
    const f = notes[k % notes.length]!;
    ph += (2 * Math.PI * f) / RATE;
    let v = 0;
    for (let h = 1; h * f < 3000; h++) v += Math.sin(h * ph) / h;
    const since = t - (k * noteMs) / 1000;
    x[i] = 4000 * v * Math.min(1, since / 0.005) * Math.pow(10, (-dbPerS * since) / 20);
  }
  return x;
}

const onLine = (vs: Verdict[]) => vs.find((v) => v.kind === 'music' && /on the line/.test(v.reason));
const amd = (o: Record<string, unknown>) => ({ phase: 'answered' as const, overrides: { amd: o } });

t.test('on by default: 100 ms, only attack-ended decays (2 dB); the residual bar at 1 dB', async (t) => {
  t.match(cfg.amd, { musicLineSwingDecayMs: 100, musicLineSwingDecayAttackDb: 2, musicLineSwingDecayMaxResidualDb: 1 });
});

t.test('plucked notes in white noise: the swing refuses them, with their decay bridged they are music', async (t) => {
  // 200 ms notes decaying at 90 dB/s (the plucked music dev pieces fall 79–94 dB/s), in white noise at 5 dB SNR: each
  // note's periodicity fades into the noise and returns at the next attack, 5 times a second.
  const x = white(plucked(6000, 200, 90), 5);
  const off = run(x, amd({ musicLineSwingDecayMs: 0 }));
  t.notOk(onLine(off), `off (0): not music on the line, ${JSON.stringify(off)}`);
  t.ok(onLine(run(x, amd({ musicLineSwingDecayMs: 0, musicLineMaxVoicingSwing: 0 }))), 'the swing gate is what refuses it');
  const byDefault = run(x, amd({}));
  t.ok(onLine(byDefault), `with the defaults: music on the line, ${JSON.stringify(byDefault)}`);
  // Every decay held (the round-nineteen form): the bars below each refuse it again.
  const on = run(x, amd({ musicLineSwingDecayMs: 100, musicLineSwingDecayAttackDb: 0 }));
  const m = onLine(on);
  t.ok(m, `with the decay bridged: music on the line, ${JSON.stringify(on)}`);
  t.ok(m && 'features' in m && m.features!.lineVoicingSwing! < BAR, `its swing under the bar ${BAR}`);
  const asked = (o: Record<string, unknown>) => !!onLine(run(x, amd({ musicLineSwingDecayMs: 100, musicLineSwingDecayAttackDb: 0, ...o })));
  t.notOk(asked({ musicLineSwingDecayMaxResidualDb: 0.1 }), 'a fit bar tighter than the noise leaves no decay to bridge');
  t.notOk(asked({ musicLinePauseDecayMaxDbPerS: 60 }), 'a fall faster than musicLinePauseDecayMaxDbPerS is not bridged');
  t.notOk(asked({ musicLinePauseDecayMinDbPerS: 100 }), '…nor one slower than musicLinePauseDecayMinDbPerS');
  t.notOk(
    !!onLine(run(x, amd({ musicLineSwingDecayMs: 200, musicLineSwingDecayAttackDb: 0 }))),
    'a window as long as the note spans its attack: no decay',
  );
  t.notOk(!!onLine(run(x, amd({ musicLineSwingDecayMs: 200 }))), '…nor with the default attack bar');
});

t.test('a talker whose other cues pass keeps the swing that refuses it, with the option on', async (t) => {
  // Every other gate of the line rule relaxed, so the swing alone stands between these voices and a music verdict.
  const relaxed = {
    musicLineMaxPauseMs: 0,
    musicLineMaxPitchOnsetsPerS: 0,
    musicLineQuietMinPairs: 1e9,
    musicLineMaxOnePitchShare: 1,
    maxTonalShare: 1,
  };
  // A monotone talker: 5 syllables a second at one pitch, each vowel rising and falling (sin²), the worst case for the
  // pitch-hold cue; and one whose 100 ms vowels hold their level, then a fricative 6 dB below.
  const smooth = voiced(
    6000,
    () => 180,
    (s) => Math.pow(Math.sin((Math.PI * (s % 0.2)) / 0.2), 2) * 0.9 + 0.1,
  );
  const v = voiced(
    6000,
    () => 180,
    () => 1,
  );
  const nz = S.noise(6000, S.rng(5));
  const g = (0.5 * S.rms(v)) / (S.rms(nz) || 1);
  const steady = Float64Array.from(v, (s, i) => ((i / 8) % 200 < 100 ? s : g * nz[i]!));
  for (const [name, x] of [
    ['smooth syllables at 10 dB', white(smooth, 10)],
    ['smooth syllables at 5 dB', white(smooth, 5)],
    ['steady vowels at 5 dB', white(steady, 5)],
  ] as const) {
    t.ok(onLine(run(x, amd({ ...relaxed, musicLineMaxVoicingSwing: 0 }))), `${name}: music on the line without the swing gate`);
    const on = run(x, amd({ ...relaxed, musicLineSwingDecayMs: 100, musicLineSwingDecayAttackDb: 0 }));
    t.notOk(onLine(on), `${name}: not music with every decay bridged, ${JSON.stringify(on)}`);
    const byDefault = run(x, amd(relaxed));
    t.notOk(onLine(byDefault), `${name}: not music with the defaults (attack-ended decays), ${JSON.stringify(byDefault)}`);
  }
});

t.test('musicLineSwingDecayAttackDb: only a decay that the next attack ends is bridged', async (t) => {
  t.equal(cfg.amd.musicLineSwingDecayAttackDb, 2, '2 dB by default (0: every decay and the frame after it)');
  // 800 ms notes at 40 dB/s in white noise at 15 dB (note-decay.test.ts): each tail meets the floor long before the
  // next attack. Holding its periodicity down to there ends in a step, which raises the swing over the bar.
  const slow = white(plucked(6000, 800, 40), 15);
  t.ok(onLine(run(slow, amd({ musicLineSwingDecayMs: 0 }))), 'music on the line with no decay bridged');
  t.notOk(onLine(run(slow, amd({ musicLineSwingDecayMs: 100, musicLineSwingDecayAttackDb: 0 }))), 'not with every decay held');
  t.ok(onLine(run(slow, amd({}))), 'music on the line with the defaults');
  const kept = onLine(run(slow, amd({ musicLineSwingDecayMs: 100, musicLineSwingDecayAttackDb: 2 })));
  t.ok(kept, 'music again when only attack-ended decays are held');
  t.ok(kept && 'features' in kept && kept.features!.lineVoicingSwing! < BAR, `its swing under the bar ${BAR}`);
  // 200 ms notes at 90 dB/s in white noise at 5 dB: the next attack ends each decay, 5–10 dB up.
  const fast = white(plucked(6000, 200, 90), 5);
  t.ok(onLine(run(fast, amd({ musicLineSwingDecayMs: 100, musicLineSwingDecayAttackDb: 2 }))), 'fast notes: music on the line');
  t.notOk(
    onLine(run(fast, amd({ musicLineSwingDecayMs: 100, musicLineSwingDecayAttackDb: 12 }))),
    'an attack bar over the notes’ rise leaves nothing bridged',
  );
});
