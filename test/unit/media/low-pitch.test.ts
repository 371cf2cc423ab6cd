/**
 * lib/media/low-pitch.ts: the VAD's periodicity recipe with a lower pitch floor, over a ring of raw frames.
 */
import t from 'tap';
import { decimatedLength, FrameRing, lowFloorPeriodicity, maxLagFor } from '../../../lib/media/low-pitch';
import { S, voiced } from '../../helpers/media-signals';

const frames = (x: Float64Array): Int16Array[] => {
  const pcm = S.toInt16(x);
  const out: Int16Array[] = [];
  for (let i = 0; i + 160 <= pcm.length; i += 160) out.push(pcm.slice(i, i + 160));
  return out;
};
const read = (x: Float64Array, floorHz: number, capacity = 100) => {
  const ring = new FrameRing(capacity);
  for (const f of frames(x)) ring.push(f);
  const maxLag = maxLagFor(floorHz);
  return lowFloorPeriodicity(ring, ring.count - 1, maxLag, new Float64Array(decimatedLength(maxLag)), new Float64Array(maxLag + 1));
};
const hum = (f0: number) =>
  voiced(
    400,
    () => f0,
    () => 1,
  );

t.test('maxLagFor: 4 kHz lags', async (t) => {
  t.equal(maxLagFor(70), 58);
  t.equal(maxLagFor(45), 89);
});

t.test('a 60 Hz voice is pitched with a 45 Hz floor, not with the VAD range (70 Hz)', async (t) => {
  const x = hum(60);
  t.ok(read(x, 45) >= 0.6, `45 Hz floor: ${read(x, 45)}`);
  t.ok(read(x, 70) < 0.6, `70 Hz floor: ${read(x, 70)}`);
});

t.test('a 150 Hz voice is pitched either way; white noise is not', async (t) => {
  t.ok(read(hum(150), 45) >= 0.6);
  t.ok(read(hum(150), 70) >= 0.6);
  const r = S.rng(3);
  const noise = Float64Array.from({ length: 3200 }, () => (r() * 2 - 1) * 3000);
  t.ok(read(noise, 45) < 0.5, `noise: ${read(noise, 45)}`);
});

t.test('the ring: frames no longer held read 0', async (t) => {
  const ring = new FrameRing(4);
  for (const f of frames(hum(60))) ring.push(f);
  t.equal(ring.count, 20);
  t.ok(ring.has(19) && ring.has(16));
  t.notOk(ring.has(15));
  const maxLag = maxLagFor(45);
  const d = new Float64Array(decimatedLength(maxLag));
  const r = new Float64Array(maxLag + 1);
  t.ok(lowFloorPeriodicity(ring, 19, maxLag, d, r) >= 0.6, 'the newest frame, its history held');
  t.equal(lowFloorPeriodicity(ring, 17, maxLag, d, r), 0, 'its history gone');
});
