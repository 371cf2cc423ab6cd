/**
 * The level-independent VAD's periodicity cue (lib/media/level-vad.ts): the
 * pitch autocorrelation separates a voice from noise at the same power, and a
 * quiet periodic frame counts as voice only when it touches voice.
 */
import t from 'tap';
import { LevelVad } from '../../../lib/media/level-vad';
import { mediaConfig } from '../../../lib/media/config';
import { colored } from '../../../bench/corpus/real';
import { S } from '../../helpers/media-signals';

const cfg = mediaConfig();

/** Periodicity of every 20 ms frame of `x` (after the first two, which fill the 40 ms buffer). */
function periodicities(x: Float64Array): number[] {
  const v = new LevelVad(cfg.vad, 2000);
  const f = new Int16Array(160);
  for (let i = 0; i + 160 <= x.length; i += 160) {
    for (let k = 0; k < 160; k++) f[k] = Math.max(-32768, Math.min(32767, Math.round(x[i + k]!)));
    v.pushFrame(f);
  }
  return Array.from(v.per.subarray(2, v.n));
}
const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.floor(q * (xs.length - 1))]!;

t.test('a voiced sound is periodic; white, pink and brown noise are not', async (t) => {
  // A glottal-like source: harmonics of a gliding 110–160 Hz pitch.
  const n = 8000 * 2;
  const vowel = new Float64Array(n);
  let ph = 0;
  for (let i = 0; i < n; i++) {
    ph += (2 * Math.PI * (110 + 50 * (i / n))) / 8000;
    for (let h = 1; h * 160 < 3400; h++) vowel[i]! += (Math.sin(h * ph) / h) * 3000;
  }
  t.ok(quantile(periodicities(vowel), 0.1) >= 0.8, 'vowel: 90 % of frames ≥ 0.8');
  let seed = 7;
  const r = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
  for (const kind of ['white', 'pink', 'brown'] as const) {
    const p = periodicities(S.scale(colored(kind, 4000, r), 2000));
    t.ok(
      quantile(p, 0.95) < cfg.vad.minPeriodicity,
      `${kind}: 95th percentile ${quantile(p, 0.95).toFixed(2)} < ${cfg.vad.minPeriodicity}`,
    );
  }
});

/** Frames of a given dBFS power (20 ms, 160 samples) and periodicity. */
function feed(v: LevelVad, dbfs: number, periodic: number, frames: number): void {
  const e = 160 * 32768 * 32768 * Math.pow(10, dbfs / 10);
  for (let i = 0; i < frames; i++) v.push(e, 160, periodic);
}

t.test('a quiet periodic syllable joins the word it touches, never starts one, and noise at its level stays noise', async (t) => {
  // The level and periodicity cues alone: these frames keep one pitch lag, so the pitch track (vad.pitchTrackMs, on by
  // default since round seventeen; its own test below) would make the lone run voice.
  const cfg = mediaConfig(undefined, { vad: { pitchTrackMs: 0 } });
  // A line whose noise wanders over 4 dB (-54…-50 dBFS, aperiodic), never reaching the threshold.
  const line = (v: LevelVad, frames: number) => {
    for (let i = 0; i < frames; i++) feed(v, -54 + 4 * ((i * 0.618034) % 1), 0.2, 1);
  };
  // The labels are judged against the floor of the last 3 s, which the call ends with: that line alone.
  const ref = new LevelVad(cfg.vad, 1000);
  line(ref, 150);
  const bar = ref.floorDb + Math.max(cfg.vad.voicedMarginDb, (ref.thresholdDb - ref.floorDb) / 2);
  // The soft level: between the lower bar (half the threshold's margin over the floor) and the threshold.
  const soft = (bar + ref.thresholdDb) / 2;
  const v = new LevelVad(cfg.vad, 1000);
  line(v, 100);
  const loud = v.n;
  feed(v, -20, 0.9, 10); // a vowel
  const tail = v.n;
  feed(v, soft, 0.8, 5); // its soft, periodic end: under the threshold, over the lower bar
  line(v, 20);
  const lone = v.n;
  feed(v, soft, 0.8, 5); // the same soft periodic sound alone
  line(v, 20);
  const noise = v.n;
  feed(v, -20, 0.9, 10);
  const noiseTail = v.n;
  feed(v, soft, 0.2, 6); // a noise burst at the soft level right after a vowel
  line(v, 150);
  t.ok(Math.abs(v.thresholdDb - ref.thresholdDb) < 0.5, 'judged against the line alone');
  t.ok(
    v.thresholdDb > soft + 0.5 && bar < soft - 0.5,
    `soft ${soft.toFixed(1)} dBFS between ${bar.toFixed(1)} and ${v.thresholdDb.toFixed(1)}`,
  );
  const lab = v.label(new Uint8Array(v.n));
  const all = (a: number, b: number, want: number) => Array.from(lab.subarray(a, b)).every((x) => x === want);
  t.ok(all(loud, tail, 1), 'the vowel is voice');
  t.ok(all(tail, tail + 5, 1), 'its soft periodic end is voice');
  t.ok(all(lone, lone + 5, 0), 'a soft periodic sound touching no voice is not');
  t.ok(all(noise, noiseTail, 1) && all(noiseTail + 1, noiseTail + 6, 0), 'noise at the soft level after a vowel is not');
  // minPeriodicity 1 turns the cue off: the soft end is silence again.
  const off = new LevelVad(mediaConfig(undefined, { vad: { minPeriodicity: 1, pitchTrackMs: 0 } }).vad, 1000);
  line(off, 100);
  feed(off, -20, 0.9, 10);
  feed(off, soft, 0.8, 6);
  line(off, 150);
  const lab2 = off.label(new Uint8Array(off.n));
  // (The first frame after the vowel shares its 40 ms smoothing.)
  t.ok(
    Array.from(lab2.subarray(111, 116)).every((x) => x === 0),
    'cue off: level alone',
  );
});

t.test('a pitch track under a steady floor is voice (vad.pitchTrackMs); noise, a jumping lag, a short run or babble are not', async (t) => {
  const on = mediaConfig(undefined, { vad: { pitchTrackMs: 100 } }).vad;
  const e = (dbfs: number) => 160 * 32768 * 32768 * Math.pow(10, dbfs / 10);
  // Steady hiss: ±0.25 dB, periodicity 0.25, a new lag every frame (as white noise measures).
  let k = 0;
  const hiss = (v: LevelVad, frames: number, wander = 0.5) => {
    for (let i = 0; i < frames; i++, k++) v.push(e(-40 + wander * ((k * 0.618034) % 1)), 160, 0.25, 10 + ((k * 17) % 48));
  };
  /** A soft voiced run 2.5 dB over the hiss: periodicity 0.5 (under minPeriodicity), its lag stepping by `step`. */
  const track = (v: LevelVad, frames: number, step: (i: number) => number) => {
    for (let i = 0; i < frames; i++) v.push(e(-37.5), 160, 0.5, 30 + step(i));
  };
  const run = (cfg: typeof on, frames: number, step: (i: number) => number, wander = 0.5) => {
    const v = new LevelVad(cfg, 1000);
    hiss(v, 100, wander);
    const at = v.n;
    track(v, frames, step);
    hiss(v, 100, wander);
    t.ok(v.thresholdDb > -37.5, `the run (-37.5 dBFS) is under the threshold (${v.thresholdDb.toFixed(1)})`);
    const lab = v.label(new Uint8Array(v.n));
    return { on: Array.from(lab.subarray(at, at + frames)).every((x) => x === 1), rest: lab.reduce((a, x) => a + x, 0) - frames };
  };
  const glide = (i: number) => Math.floor(i / 2);
  const r = run(on, 8, glide);
  t.ok(r.on && r.rest === 0, '160 ms of a gliding pitch track: voice, and the hiss around it is not');
  t.notOk(run(mediaConfig(undefined, { vad: { pitchTrackMs: 0 } }).vad, 8, glide).on, 'off (0): level alone, under the threshold');
  t.equal(cfg.vad.pitchTrackMs, 60, 'on by default since round seventeen, at 60 ms');
  t.notOk(run(on, 4, glide).on, '80 ms: shorter than pitchTrackMs');
  t.notOk(run(on, 8, (i) => (i % 2 ? 12 : 0)).on, 'a lag that jumps 12 steps every frame: no track');
  t.notOk(run(on, 8, (i) => 3 * i).on, 'a lag that moves 3 steps a frame (over pitchTrackMaxLagStep): no track');
  t.notOk(run(on, 8, glide, 8).on, 'a floor that wanders 8 dB (spread over pitchTrackMaxFloorSpreadDb, as babble): not used');
  const exact = run(mediaConfig(undefined, { vad: { pitchTrackMs: 100, pitchTrackMinPeriodicity: 0.51 } }).vad, 8, glide);
  t.notOk(exact.on, 'periodicity under pitchTrackMinPeriodicity: no track');
});
