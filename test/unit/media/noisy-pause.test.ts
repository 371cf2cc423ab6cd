/**
 * Round nine's two edges for long answers on a noisy line (lib/media/amd-features.ts, lib/media/amd-model.ts):
 * - optionally (off by default: it cost babble machines and an espeak held-out machine, README), the multi-burst
 *   rule's pause counts only the frames where the voice has stopped (amd.pauseMinPeriodicity): noise sinks the soft,
 *   still-voiced end of a word under the threshold, so a 100 ms breath reads as a 300 ms+ pause between two "sentences";
 * - a greeting the model leans towards a recording without being sure of gets more quiet (amd.unsureSilenceMs)
 *   before the notsure, and the model weighs that quiet.
 */
import t from 'tap';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { FrameSide, FEATURE_NAMES, shape } from '../../../lib/media/amd-features';
import { MODEL_CLASSES, shapeOptions } from '../../../lib/media/amd-model';
import { mediaConfig } from '../../../lib/media/config';
import { LevelVad } from '../../../lib/media/level-vad';
import { FRAME_MS } from '../../../lib/media/types';
import { babble, run, S } from '../../helpers/media-signals';

const dir = mkdtempSync(join(tmpdir(), 'noisy-pause-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

/** One 20 ms frame of `db` dBFS power with periodicity `per`, as LevelVad.push takes it. */
const frame = (v: LevelVad, db: number, per: number) => v.push(160 * 32768 * 32768 * Math.pow(10, db / 10), 160, per, per >= 0.5 ? 40 : 0);
type Seg = [ms: number, db: number, per: number];
function vadOf(segs: Seg[]): LevelVad {
  // The level and periodicity cues alone: the fades keep one pitch lag, which the pitch track (vad.pitchTrackMs, on by
  // default since round seventeen) would make voice, leaving no gap to measure.
  const v = new LevelVad(mediaConfig(undefined, { vad: { pitchTrackMs: 0 } }).vad, 2000);
  for (const [ms, db, per] of segs) for (let i = 0; i < ms / FRAME_MS; i++) frame(v, db, per);
  return v;
}
const LINE: Seg = [0, -40, 0.2];
const line = (ms: number): Seg => [ms, LINE[1], LINE[2]];
const word = (ms: number): Seg => [ms, -20, 0.9];
/** A word's soft, still-voiced end under noise: 2 dB over the floor, periodic (0.55) but under vad.minPeriodicity. */
const fade = (ms: number): Seg => [ms, -38, 0.55];

function shapeWith(v: LevelVad, pauseMinPeriodicity: number, pauseEdgesOnly = false) {
  const c = mediaConfig();
  const o = { ...shapeOptions(c.amd, c.vad, c.amd.backgroundBelowDb), pauseMinPeriodicity, pauseEdgesOnly };
  return shape(v, new FrameSide(v.db.length), o, new Float64Array(FEATURE_NAMES.length));
}

t.test('a breath between two soft word ends is not a sentence pause; a pause where the voice stops is', async (t) => {
  // 1.4 s word, 200 ms fading out, 120 ms breath, 100 ms fading in, 1.4 s word: 420 ms under the threshold.
  const breath = vadOf([line(1000), word(1400), fade(200), line(120), fade(100), word(1400), line(1500)]);
  const all = shapeWith(breath, 0);
  t.equal(all.bursts, 2);
  t.ok(all.x[7]! * 1000 >= 400, `the labelled gap ${all.x[7]! * 1000} ms`);
  t.equal(all.unvoicedPauseMs, all.x[7]! * 1000, 'pauseMinPeriodicity 0: the whole gap');
  const voiced = shapeWith(breath, 0.5);
  t.ok(voiced.unvoicedPauseMs <= 160 && voiced.unvoicedPauseMs >= 100, `voice stopped for ${voiced.unvoicedPauseMs} ms`);
  // A recording's pause between sentences: the voice stops for 400 ms (the line's noise is not periodic).
  const pause = shapeWith(vadOf([line(1000), word(1400), fade(60), line(400), fade(60), word(1400), line(1500)]), 0.5);
  t.ok(pause.unvoicedPauseMs >= 380, `voice stopped for ${pause.unvoicedPauseMs} ms`);
  // A gap at the floor counts whatever its periodicity says (the autocorrelation of a near-silent frame means nothing).
  const still = shapeWith(vadOf([line(1000), word(1400), [400, -40, 0.9], word(1400), line(1500)]), 0.5);
  t.ok(still.unvoicedPauseMs >= 380, `at the floor: ${still.unvoicedPauseMs} ms`);
});

t.test('amd.pauseEdgesOnly: a word fading into the gap is voice, talk in the middle of the gap is pause', async (t) => {
  // The same breath as above: the fading ends are trimmed, 120 ms of pause is left either way.
  const breath = vadOf([line(1000), word(1400), fade(200), line(120), fade(100), word(1400), line(1500)]);
  const edges = shapeWith(breath, 0.5, true);
  t.ok(edges.unvoicedPauseMs <= 160 && edges.unvoicedPauseMs >= 100, `breath: ${edges.unvoicedPauseMs} ms`);
  // A recording's 500 ms pause with a background voice (periodic, over the floor) in its middle: without the edges
  // rule the talk splits the pause into two short quiet runs; with it, the whole gap between the fading ends is pause.
  const talk = vadOf([line(1000), word(1400), fade(60), line(180), fade(140), line(180), fade(60), word(1400), line(1500)]);
  const runs = shapeWith(talk, 0.5);
  t.ok(runs.unvoicedPauseMs <= 200, `quiet runs: ${runs.unvoicedPauseMs} ms`);
  const whole = shapeWith(talk, 0.5, true);
  t.ok(whole.unvoicedPauseMs >= 480, `between the fading ends: ${whole.unvoicedPauseMs} ms`);
});

t.test('amd.unsureSilenceMs: a greeting the model is unsure of gets more quiet, and the model weighs it', async (t) => {
  // A model that knows only the quiet after the greeting: P(person) against machine = σ(2 (trailingSilenceS − 1.6)),
  // below machineConfidence's reach (≥ 0.15 from 720 ms of quiet on), music never.
  const k = FEATURE_NAMES.length;
  const w = (bias: number, trailing: number) => [bias, trailing, ...new Array<number>(k - 1).fill(0)];
  const file = join(dir, 'quiet-only.json');
  writeFileSync(
    file,
    JSON.stringify({
      version: 1,
      classes: MODEL_CLASSES,
      features: FEATURE_NAMES,
      mean: new Array(k).fill(0),
      std: new Array(k).fill(1),
      weights: [w(-3.2, 2), w(0, 0), w(-50, 0)],
    }),
  );
  // A 3.6 s answer (noise shaped into syllables, never silent: one burst, no pitch, not a tone) after 400 ms of a
  // quiet room, then the room alone.
  const room = (ms: number, seed: number) => S.scale(S.noise(ms, S.rng(seed)), 32768 * 1e-3);
  const len = 3600;
  const call = S.concat(room(400, 1), babble(len, 2), room(3000, 3));
  const end = 400 + len;
  const at = (amd: Record<string, unknown>) => run(call, { phase: 'answered', overrides: { amd: { modelFile: file, ...amd } } })[0];
  const off = at({ unsureSilenceMs: 0 });
  t.equal(off?.kind, 'notsure', `the edge: notsure at maxHumanSilenceMs ${JSON.stringify(off)}`);
  t.ok(Math.abs(off!.atMs - (end + 1300)) <= 60, `at ${off!.atMs} ms`);
  const on = at({}); // the default, 2000 ms
  t.equal(on?.kind, 'human', JSON.stringify(on));
  // Decided when the model's person probability reaches 0.5 (1.6 s of quiet), past totalAnalysisTimeMs after onset.
  t.ok(Math.abs(on!.atMs - (end + 1600)) <= 60, `at ${on!.atMs} ms`);
  // Never more quiet than unsureSilenceMs: the model not convinced by then, notsure.
  const short = at({ unsureSilenceMs: 1500 });
  t.equal(short?.kind, 'notsure', JSON.stringify(short));
  t.ok(Math.abs(short!.atMs - (end + 1500)) <= 60, `at ${short!.atMs} ms`);
  // A greeting past maxPersonGreetingMs is never waited on (a recording by its length alone).
  const long = at({ unsureSilenceMs: 2000, maxPersonGreetingMs: 3000 });
  t.not(long?.kind, 'human', JSON.stringify(long));
});
