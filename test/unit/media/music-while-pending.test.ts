/**
 * media.amd.musicWhilePending: while a person verdict waits out a noisy line's longer pause (the `pending` person of
 * lib/media/amd-model.ts), the model's music rule is still judged every frame. Music's softer passages are the level
 * VAD's floor, so a piece reads as a noisy line by itself and its loudest phrase arms that wait; without the key the
 * wait skips the music rule and ends in a person.
 */
import t from 'tap';
import type { ShapeAmd } from '../../../lib/media/amd-model';
import { analyzePcm } from '../../../lib/media/analyzer';
import { mediaConfig } from '../../../lib/media/config';
import { chords, S, voice, white } from '../../helpers/media-signals';
import { colored } from '../../../bench/corpus/real';

const gain = (x: Float64Array, db: number) => Float64Array.from(x, (s) => s * Math.pow(10, db / 20));
/** A loud phrase of chords `loudMs` long, then chords `db` softer for 6 s: no held pitch for the line's pitch rules. */
const piece = (loudMs: number, db: number) => S.concat(S.silence(300), chords(loudMs), gain(chords(6000, 500), db));
/** The line route off: what is left is the model route and the pending person (not held on the quiet's lines either). */
const LINE_OFF = { musicLineMinPeriodicShare: 0, musicHoldsPersonOnLines: 0 };
/** The wait's gate on its quiet's lines (musicWhilePendingOnLines, on by default) off: musicWhilePending alone. */
const LINES_OFF = { musicWhilePendingOnLines: 0 };

function first(x: Float64Array, amd: Record<string, unknown>) {
  let shape: ShapeAmd | null = null;
  const vs = analyzePcm(S.toInt16(x), { phase: 'answered', region: 'NA', overrides: { amd }, onShape: (s) => (shape = s) });
  return { v: vs[0], gates: { ...(shape as ShapeAmd | null)!.musicGates } };
}

t.test('off by default; the schema takes a boolean', async (t) => {
  t.equal(mediaConfig().amd.musicWhilePending, false);
  t.equal(mediaConfig(undefined, { amd: { musicWhilePending: true } }).amd.musicWhilePending, true);
  t.throws(() => mediaConfig(undefined, { amd: { musicWhilePending: 1 } }));
});

t.test('chords after a loud phrase, 8 and 10 dB softer: a pending person without, music by the model with', async (t) => {
  for (const db of [-8, -10]) {
    const x = piece(1200, db);
    const off = first(x, { ...LINE_OFF, ...LINES_OFF, musicWhilePending: false });
    t.equal(off.v?.kind, 'human', `${db} dB, off: ${JSON.stringify(off.v)}`);
    t.match((off.v as { reason?: string }).reason, /noisy line/, 'the noisy line wait ended in it');
    t.equal(off.gates.model, 'person pending', 'the model route was skipped while waiting');
    const on = first(x, { ...LINE_OFF, ...LINES_OFF, musicWhilePending: true });
    t.equal(on.v?.kind, 'music', `${db} dB, on: ${JSON.stringify(on.v)}`);
    t.match((on.v as { reason?: string }).reason, /music-like sound/, 'the model route called it');
    t.ok(on.v!.atMs < off.v!.atMs, `sooner than the person was: ${on.v!.atMs} < ${off.v!.atMs} ms`);
  }
});

t.test('the wait still ends in a person before musicMinMs of sound: the key does not make music sooner', async (t) => {
  const x = piece(600, -8);
  const on = first(x, { ...LINE_OFF, ...LINES_OFF, musicWhilePending: true });
  t.equal(on.v?.kind, 'human', JSON.stringify(on.v));
  t.equal(on.gates.model, 'short', 'the model route was asked, and it was too soon');
  const off = first(x, { ...LINE_OFF, ...LINES_OFF, musicWhilePending: false }).v;
  // The verdict's deciding features may differ: the model's scores are read on this frame instead of the wait's first.
  const core = (v: typeof off) => ({ ...v, features: undefined });
  t.same(core(on.v), core(off), 'the same verdict as without (kind, time, reason, confidence)');
});

t.test('a person on a noisy line: the same person verdict with it, at the same time', async (t) => {
  const hello = S.concat(S.silence(300), voice(900), S.silence(4000));
  const pink = colored('pink', S.durationMs(hello), S.rng(3));
  const g = S.rms(S.toInt16(hello), true) / Math.pow(10, 5 / 20);
  for (const [name, x] of [
    ['white 10 dB', white(hello, 10)],
    ['pink 5 dB', Float64Array.from(hello, (v, i) => v + g * (pink[i] ?? 0))],
  ] as const) {
    const off = first(x, { ...LINES_OFF, musicWhilePending: false });
    const on = first(x, { ...LINES_OFF, musicWhilePending: true });
    t.equal(off.v?.kind, 'human', `${name}: ${JSON.stringify(off.v)}`);
    t.match((off.v as { reason?: string }).reason, /noisy line/, `${name}: through the wait`);
    t.equal(on.v?.kind, 'human', `${name}, on`);
    t.equal(on.v?.atMs, off.v?.atMs, `${name}: at the same time`);
    t.equal(on.gates.model, 'model score', `${name}: the model does not take it for music`);
  }
});

// amd.musicWhilePendingOnLines: the wait opens to the model's music rule only while its quiet keeps spectral lines.
t.test('musicWhilePendingOnLines: 0.4 by default; the schema takes 0–5', async (t) => {
  t.equal(mediaConfig().amd.musicWhilePendingOnLines, 0.4);
  t.equal(mediaConfig(undefined, { amd: { musicWhilePendingOnLines: 0 } }).amd.musicWhilePendingOnLines, 0);
  t.equal(mediaConfig(undefined, { amd: { musicWhilePendingOnLines: 0.4 } }).amd.musicWhilePendingOnLines, 0.4);
  t.throws(() => mediaConfig(undefined, { amd: { musicWhilePendingOnLines: -0.1 } }));
  t.throws(() => mediaConfig(undefined, { amd: { musicWhilePendingOnLines: 5.5 } }));
});

t.test('musicWhilePendingOnLines: chords after a loud phrase keep their lines in the wait: music, as musicWhilePending', async (t) => {
  for (const db of [-8, -10]) {
    const x = piece(1200, db);
    const open = first(x, { ...LINE_OFF, ...LINES_OFF, musicWhilePending: true });
    const on = first(x, { ...LINE_OFF, musicWhilePendingOnLines: 0.4 });
    t.equal(on.v?.kind, 'music', `${db} dB, 0.4: ${JSON.stringify(on.v)}`);
    t.match((on.v as { reason?: string }).reason, /music-like sound/, 'the model route called it');
    t.equal(on.v?.atMs, open.v?.atMs, `as soon as with the wait wide open: ${on.v?.atMs} ms`);
    // A bar no quiet reaches (its edge): the wait stays closed, the person as without the key.
    const shut = first(x, { ...LINE_OFF, musicWhilePendingOnLines: 5 });
    const off = first(x, { ...LINE_OFF, ...LINES_OFF });
    t.equal(shut.v?.kind, 'human', `${db} dB, bar 5: ${JSON.stringify(shut.v)}`);
    t.equal(shut.v?.atMs, off.v?.atMs, 'at the same time as off');
    t.equal(shut.gates.model, 'person pending', 'the model route was skipped while waiting');
  }
});

t.test('musicWhilePendingOnLines: a person on a noisy line keeps the same verdict at the same time', async (t) => {
  const hello = S.concat(S.silence(300), voice(900), S.silence(4000));
  const pink = colored('pink', S.durationMs(hello), S.rng(3));
  const brown = colored('brown', S.durationMs(hello), S.rng(4));
  const g = S.rms(S.toInt16(hello), true) / Math.pow(10, 5 / 20);
  for (const [name, x] of [
    ['white 10 dB', white(hello, 10)],
    ['white 5 dB', white(hello, 5)],
    ['pink 5 dB', Float64Array.from(hello, (v, i) => v + g * (pink[i] ?? 0))],
    ['brown 5 dB', Float64Array.from(hello, (v, i) => v + g * (brown[i] ?? 0))],
  ] as const) {
    const off = first(x, LINES_OFF);
    const on = first(x, { musicWhilePendingOnLines: 0.4 });
    t.equal(off.v?.kind, 'human', `${name}: ${JSON.stringify(off.v)}`);
    t.equal(on.v?.kind, 'human', `${name}, on`);
    t.equal(on.v?.atMs, off.v?.atMs, `${name}: at the same time`);
    t.equal(on.gates.model, off.gates.model, `${name}: the model route's gate as without (${off.gates.model})`);
  }
});
