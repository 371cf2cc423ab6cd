/**
 * The music-gate diagnosis (bench/detect-music-gates.ts): the analyser's model decider names the first failing bar of
 * each music route at every frame (ShapeAmd.musicGates) and the route that called music (musicRoute), and
 * bench/lib/music-gates.ts puts each refused run down to the gate on its clean copy's route.
 */
import t from 'tap';
import { family, refusalGate, tabulate, type Refusal } from '../../../bench/lib/music-gates';
import type { ShapeAmd } from '../../../lib/media/amd-model';
import { analyzePcm } from '../../../lib/media/analyzer';
import { heldNotes, S, voice, white } from '../../helpers/media-signals';

/** The verdicts and the model decider's music gates and route at the end, for `x` analysed as answered audio. */
function gated(x: Float64Array, overrides: Record<string, unknown> = {}) {
  let shape: ShapeAmd | null = null;
  const verdicts = analyzePcm(S.toInt16(x), { phase: 'answered', region: 'NA', overrides, onShape: (s) => (shape = s) });
  const s = shape as ShapeAmd | null;
  if (!s) throw new Error('no model decider');
  return { verdicts, route: s.musicRoute, gates: { ...s.musicGates } };
}

t.test('held notes: music on the whole line, its gate passed', async (t) => {
  const r = gated(S.concat(S.silence(300), heldNotes(), heldNotes()));
  t.equal(r.verdicts[0]?.kind, 'music');
  t.equal(r.route, 'line');
  t.equal(r.gates.line, '', 'the line route passed');
  t.equal(r.gates.model, 'not reached', 'the model route never ran on that frame');
});

t.test('a word then quiet on a 30 dB line: a person, with the music routes refusing it by name', async (t) => {
  const r = gated(white(S.concat(S.silence(300), voice(900), S.silence(3000)), 30));
  t.equal(r.verdicts[0]?.kind, 'human');
  t.equal(r.route, '', 'no route called music');
  t.equal(r.gates.line, 'pause', 'a voice stops; music plays on');
  t.equal(r.gates.sunk, 'pitch share', 'no pitch under the floor');
  t.equal(r.gates.model, 'model score', 'the model does not take it for music');
});

t.test('1.5 s of held notes, the recording ending there: the line route is short of time (musicMinMs)', async (t) => {
  const r = gated(S.concat(S.silence(300), heldNotes().subarray(0, 8 * 1500)));
  t.same(r.verdicts, [], 'no verdict yet');
  t.equal(r.gates.line, 'short');
  t.equal(r.gates.sunk, 'short');
});

t.test('the same held notes with the line route off: refused there as off, called by another route', async (t) => {
  const r = gated(S.concat(S.silence(300), heldNotes(), heldNotes()), { amd: { musicLineMinPeriodicShare: 0 } });
  t.equal(r.gates.line, 'off');
  if (r.verdicts[0]?.kind === 'music') t.ok(['sunk', 'model', 'unpitched', 'guess'].includes(r.route), r.route);
  else t.equal(r.route, '');
});

t.test('refusalGate: the gate on the clean copy route; a best guess reads the model route', async (t) => {
  const gates = { line: 'pause', sunk: 'short', model: 'model score', unpitched: 'not reached' };
  t.equal(refusalGate({ route: 'line', gates }), 'line: pause');
  t.equal(refusalGate({ route: 'model', gates }), 'model: model score');
  t.equal(refusalGate({ route: 'guess', gates }), 'model: model score');
  t.equal(
    refusalGate({ route: 'sunk', gates: { ...gates, sunk: '' } }),
    'sunk: passed',
    'a route that passed (the verdict came from elsewhere)',
  );
});

t.test('family: a cell to its augmentation', async (t) => {
  t.equal(family('gsm'), 'gsm');
  t.equal(family('loss3%'), 'loss');
  t.equal(family('pink@5'), 'pink');
  t.equal(family('brown@10'), 'brown');
});

t.test('tabulate: gate and verdict counts per cell and per family, runs without refusals kept', async (t) => {
  const g = (line: string) => ({ line, sunk: 'short', model: 'model score', unpitched: 'not reached' });
  const refusals: Refusal[] = [
    { row: 'loss1%', route: 'line', gates: g('pause'), called: 'human', early: true },
    { row: 'loss3%', route: 'line', gates: g('pause'), called: 'human', early: false },
    { row: 'loss3%', route: 'line', gates: g('voicing swing'), called: 'notsure', early: false },
    { row: 'pink@5', route: 'model', gates: g('pause'), called: 'machine (beep)', early: true },
  ];
  const { rows, families } = tabulate({ gsm: 10, 'loss1%': 10, 'loss3%': 10, 'pink@5': 10 }, refusals);
  t.same(rows.gsm, { runs: 10, music: 10, refused: 0, gates: {}, called: {}, early: 0 });
  t.same(rows['loss3%'], {
    runs: 10,
    music: 8,
    refused: 2,
    gates: { 'line: pause': 1, 'line: voicing swing': 1 },
    called: { human: 1, notsure: 1 },
    early: 0,
  });
  t.same(families.loss, {
    runs: 20,
    music: 17,
    refused: 3,
    gates: { 'line: pause': 2, 'line: voicing swing': 1 },
    called: { human: 2, notsure: 1 },
    early: 1,
  });
  t.same(families.pink!.gates, { 'model: model score': 1 });
  t.same(Object.keys(families.loss!.gates), ['line: pause', 'line: voicing swing'], 'most first');
});
