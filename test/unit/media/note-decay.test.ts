/**
 * A note's decay is not a pause (lib/media/note-decay.ts, amd.musicLinePauseDecay*): the music rule on the line refuses
 * a line with a pause (a voice stops), but a plucked note's tail decays along a straight line in dB and sinks under
 * the noise, where it reads as a pause. The check is a line fit over the frames before the run; a voice falls off a
 * plateau instead.
 */
import t from 'tap';
import { mediaConfig } from '../../../lib/media/config';
import { steadyDecay, type DecayOptions } from '../../../lib/media/note-decay';
import type { Verdict } from '../../../lib/media/types';
import { run, white } from '../../helpers/media-signals';

const cfg = mediaConfig();
const RATE = 8000;
const O: DecayOptions = { frames: 10, minDbPerS: 15, maxDbPerS: 120, maxResidualDb: 1 };
/** A level path (dB per 20 ms frame): `lead` frames at -20 dB, then a fall of `dbPerS`, then `tail` frames at `floor`. */
const fall = (dbPerS: number, frames = 12, floor = -45): number[] => {
  const y = [-20, -20];
  for (let i = 1; i <= frames; i++) y.push(-20 - (dbPerS * i) / 50);
  return [...y, floor, floor, floor];
};

t.test('a straight fall in dB into the run is a decay; its edges', async (t) => {
  const d = fall(60);
  const at = 13; // the last frame of the fall (the fall goes on into the run's first frame, as a note sinking under noise)
  t.ok(steadyDecay(d, at, 0, O), '60 dB/s, on the line');
  t.notOk(steadyDecay(d, at, at - 9, O), 'not when the window reaches before the first frame that may be read');
  t.notOk(steadyDecay(fall(10), at, 0, O), '10 dB/s: slower than minDbPerS');
  t.ok(steadyDecay(fall(10), at, 0, { ...O, minDbPerS: 9.9 }), '…and within it at 9.9');
  t.notOk(steadyDecay(fall(130), at, 0, O), '130 dB/s: faster than maxDbPerS');
  t.ok(steadyDecay(fall(130), at, 0, { ...O, maxDbPerS: 131 }), '…and within it at 131');
  // One frame off the line by more than maxResidualDb (the fit moves too, so the offset is taken well past the bar).
  const bent = fall(60);
  bent[at - 5]! += 2;
  t.notOk(steadyDecay(bent, at, 0, O), 'a frame 2 dB off the line');
  t.ok(steadyDecay(bent, at, 0, { ...O, maxResidualDb: 2 }), '…within a 2 dB bar');
  // A voice that stops: its vowel holds its level, then drops in two frames.
  const stop = [...Array(12).fill(-20), -24, -38, -45, -45];
  t.notOk(steadyDecay(stop, 13, 0, O), 'a plateau, then a drop');
  t.notOk(steadyDecay(stop, 13, 0, { ...O, maxResidualDb: 4 }), '…not even at a 4 dB bar');
});

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
const lineMusic = (vs: Verdict[]) => vs.some((v) => v.kind === 'music' && /on the line/.test(v.reason));
const amd = (o: Record<string, unknown>) => ({ phase: 'answered' as const, overrides: { amd: o } });

t.test('on by default at 200 ms (round eighteen), with the bars measured', async (t) => {
  t.match(cfg.amd, {
    musicLinePauseDecayMs: 200,
    musicLinePauseDecayMinDbPerS: 15,
    musicLinePauseDecayMaxDbPerS: 120,
    musicLinePauseDecayMaxResidualDb: 1,
  });
});

t.test('plucked notes whose tails sink under white noise: a pause to the gate, music with the decay asked', async (t) => {
  // 800 ms notes decaying at 40 dB/s (a guitar's or a harp's): in white noise at 15 dB SNR their last 100–300 ms sink
  // under the floor.
  const x = white(plucked(6000, 800, 40), 15);
  const off = run(x, amd({ musicLinePauseDecayMs: 0 }));
  t.notOk(lineMusic(off), `without the decay check: not music on the line, ${JSON.stringify(off)}`);
  t.ok(lineMusic(run(x, amd({ musicLinePauseDecayMs: 0, musicLineMaxPauseMs: 0 }))), 'the pause gate is what refuses it');
  const on = run(x, amd({ musicLinePauseDecayMs: 200, musicLinePauseDecayMaxResidualDb: 1 }));
  t.ok(lineMusic(on), `with it: music on the line, ${JSON.stringify(on)}`);
  t.match(on[0], { reason: /pitched sound with held notes/, features: { linePauseMs: 0 } }, 'on its held pitch, with no pause left');
  const asked = (o: Record<string, unknown>) =>
    lineMusic(run(x, amd({ musicLinePauseDecayMs: 200, musicLinePauseDecayMaxResidualDb: 1, ...o })));
  t.notOk(asked({ musicLinePauseDecayMaxDbPerS: 20 }), 'a decay faster than musicLinePauseDecayMaxDbPerS is a pause again');
  t.notOk(asked({ musicLinePauseDecayMinDbPerS: 60 }), '…and one slower than musicLinePauseDecayMinDbPerS');
  t.notOk(asked({ musicLinePauseDecayMaxResidualDb: 0.1 }), '…and one further off a straight line than musicLinePauseDecayMaxResidualDb');
});
