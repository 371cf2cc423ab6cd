/**
 * vad.pitchFloorHz at its edges (lib/media/level-vad.ts): the lowest pitch the VAD's periodicity reads. At the
 * default 70 Hz the lags are 10…57 at 4 kHz, as before the key; a voice under the floor reads a fraction of its
 * period (a wrong pitch, a weaker peak), or the longest lag when the autocorrelation is still rising there.
 */
import t from 'tap';
import { LevelVad, periodicity, vadMaxLag } from '../../../lib/media/level-vad';
import { mediaConfig } from '../../../lib/media/config';
import { colored } from '../../../bench/corpus/real';
import { S, voiced } from '../../helpers/media-signals';

/** Periodicity and lag of every 20 ms frame of `x` after the first four (the buffer filled), under `floorHz`. */
function read(x: Float64Array, floorHz?: number): { per: number[]; lag: number[]; v: LevelVad } {
  const cfg = mediaConfig(undefined, floorHz === undefined ? {} : { vad: { pitchFloorHz: floorHz } });
  const v = new LevelVad(cfg.vad, 2000);
  const pcm = S.toInt16(x);
  for (let i = 0; i + 160 <= pcm.length; i += 160) v.pushFrame(pcm.subarray(i, i + 160));
  return { per: Array.from(v.per.subarray(4, v.n)), lag: Array.from(v.lag.subarray(4, v.n)), v };
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;
const hum = (f0: number) =>
  voiced(
    600,
    () => f0,
    () => 1,
  );

t.test('vadMaxLag: 70 Hz keeps the lags as before the key (10…57); lower floors round up to a four-lag step', async (t) => {
  t.equal(vadMaxLag(70), 57);
  t.equal(vadMaxLag(60), 69, '4000 / 60 = 66.7 → 69 (58 Hz)');
  t.equal(vadMaxLag(50), 81);
  t.equal((vadMaxLag(55) - 9) % 4, 0, 'a whole number of four-lag passes');
  t.equal(new LevelVad(mediaConfig().vad).maxLag, 57, 'the default');
});

t.test('the default floor reads the same as the fixed 10…57 lags did (a 160-sample buffer)', async (t) => {
  const r = S.rng(21);
  let wrong = 0;
  for (let k = 0; k < 50; k++) {
    const lag0 = 12 + Math.floor(r() * 60);
    const d = Float64Array.from({ length: 160 }, (_, i) => Math.sin((2 * Math.PI * i) / lag0) * 1000 + (r() - 0.5) * 400);
    const a = new Float64Array(58);
    const b = new Float64Array(58);
    const ba = { lag: 0 };
    const bb = { lag: 0 };
    // The same last 160 samples inside a longer buffer (as a lower floor's) give the same answer over 10…57.
    const long = new Float64Array(200);
    long.set(d, 40);
    if (periodicity(d, a, ba) !== periodicity(long, b, bb, 57) || ba.lag !== bb.lag) wrong++;
  }
  t.equal(wrong, 0);
});

t.test('a 62 Hz voice: unpitched at the default floor (a fraction of its period at best), pitched at its own lag with 60 Hz', async (t) => {
  const x = hum(62);
  const def = read(x);
  const low = read(x, 60);
  // Its period (64.5 lags) is past the default's longest lag: the peak lands on a fraction of it (a wrong pitch), weaker.
  t.ok(
    def.lag.every((l) => l <= 57),
    `default lags ${[...new Set(def.lag)].join(',')}`,
  );
  t.ok(median(def.per) < median(low.per) - 0.1, `default ${median(def.per).toFixed(2)} < 60 Hz floor ${median(low.per).toFixed(2)}`);
  t.ok(median(low.per) >= 0.9, `60 Hz floor: median periodicity ${median(low.per).toFixed(2)}`);
  t.ok(
    low.lag.every((l) => Math.abs(l - 4000 / 62) <= 1),
    `60 Hz floor: lags ${[...new Set(low.lag)].join(',')} ≈ 64.5`,
  );
});

t.test('a 75 Hz voice (inside both ranges) reads the same periodicity and lag at either floor', async (t) => {
  const x = hum(75);
  const def = read(x);
  const low = read(x, 60);
  t.same(low.lag, def.lag);
  t.ok(
    low.per.every((p, i) => Math.abs(p - def.per[i]!) < 1e-9),
    'same periodicity',
  );
  t.ok(median(def.per) >= 0.9);
});

t.test('a 55 Hz voice stays under a 60 Hz floor (its period, 72.7 lags, past 69)', async (t) => {
  const low = read(hum(55), 60);
  t.ok(
    low.lag.every((l) => Math.abs(l - 4000 / 55) > 2),
    `lags ${[...new Set(low.lag)].join(',')}`,
  );
});

t.test('white, pink and brown noise stay under minPeriodicity with the lower floor (more lags, no pitch)', async (t) => {
  const minP = mediaConfig().vad.minPeriodicity;
  let seed = 7;
  const r = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
  for (const kind of ['white', 'pink', 'brown'] as const) {
    const p = read(S.scale(colored(kind, 4000, r), 2000), 60).per;
    const p95 = [...p].sort((a, b) => a - b)[Math.floor(0.95 * (p.length - 1))]!;
    t.ok(p95 < minP, `${kind}: 95th percentile ${p95.toFixed(2)} < ${minP}`);
  }
});
