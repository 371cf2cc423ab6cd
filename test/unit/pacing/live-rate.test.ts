import t from 'tap';
import { trackLiveRate, type LiveBucket } from '../../../lib/pacing/live-rate';

const MIN = 60_000;
const BUCKET = 5 * MIN;

/** Buckets of `resolved` calls each from `from` for `n` buckets, live answers by a fixed pattern at `rate`. */
function buckets(n: number, resolved: number, rate: (k: number) => number, from = 0): LiveBucket[] {
  let carry = 0;
  return Array.from({ length: n }, (_, k) => {
    // Deterministic counts: the live answers a rate gives, rounding carried from bucket to bucket.
    const exact = resolved * rate(k) + carry;
    const live = Math.floor(exact);
    carry = exact - live;
    return { start: from + k * BUCKET, resolved, live };
  });
}

/** Seeded binomial draws, for the noise cases. */
function noisy(n: number, resolved: number, rate: (k: number) => number, seed: number): LiveBucket[] {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) | 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
  return Array.from({ length: n }, (_, k) => {
    let live = 0;
    for (let i = 0; i < resolved; i++) if (next() < rate(k)) live++;
    return { start: k * BUCKET, resolved, live };
  });
}

t.test('no answers yet: no rate, and buckets with no resolved call or after now are not read', async (t) => {
  t.same(trackLiveRate([], 0, 0.02), { rate: 0, sd: 0, resolved: 0 });
  t.same(trackLiveRate([{ start: 0, resolved: 0, live: 0 }], BUCKET, 0.02), { rate: 0, sd: 0, resolved: 0 });
  const later = trackLiveRate([{ start: 10 * BUCKET, resolved: 50, live: 5 }], BUCKET, 0.02);
  t.equal(later.resolved, 0, 'a bucket from after now is not read');
});

t.test('one bucket: its own rate with half an answer of prior, so 0 of n is not certainty', async (t) => {
  const r = trackLiveRate([{ start: 0, resolved: 9, live: 0 }], BUCKET, 0.02);
  t.equal(r.rate, 0.05);
  t.ok(r.sd > 0.05, `still unsure: sd ${r.sd}`);
  t.equal(trackLiveRate([{ start: 0, resolved: 49, live: 9 }], BUCKET, 0.02).rate, 0.19);
});

t.test('a steady rate is read from more calls than the last 30 min: smaller error than the window on the same draws', async (t) => {
  // A 5-agent team at 10 % live: about 50 calls resolved per 5 min bucket, four hours.
  let trackedSq = 0;
  let windowSq = 0;
  for (let seed = 1; seed <= 20; seed++) {
    const b = noisy(48, 50, () => 0.1, seed);
    const now = 48 * BUCKET;
    const w = b.slice(-6);
    const windowRate = w.reduce((a, x) => a + x.live, 0) / w.reduce((a, x) => a + x.resolved, 0);
    trackedSq += (trackLiveRate(b, now, 0.01).rate - 0.1) ** 2;
    windowSq += (windowRate - 0.1) ** 2;
  }
  t.ok(trackedSq < 0.6 * windowSq, `rms error tracked ${Math.sqrt(trackedSq / 20)} against the window's ${Math.sqrt(windowSq / 20)}`);
});

t.test('a swing: a step from 10 % to 20 % is followed, faster with more drift', async (t) => {
  const b = buckets(36, 50, (k) => (k < 24 ? 0.1 : 0.2));
  const now = 36 * BUCKET;
  const slow = trackLiveRate(b, now, 0.005).rate;
  const fast = trackLiveRate(b, now, 0.04).rate;
  t.ok(fast > 0.18, `an hour after the step a large drift reads ${fast}`);
  t.ok(slow < fast && slow > 0.12, `a small drift lags: ${slow}`);
  // Just before the step both read 10 %.
  t.ok(Math.abs(trackLiveRate(b.slice(0, 24), 24 * BUCKET, 0.04).rate - 0.1) < 0.01);
});

t.test('the uncertainty grows with the time since the last calls (a gap in dialling)', async (t) => {
  const b = buckets(12, 50, () => 0.1);
  const soon = trackLiveRate(b, 12 * BUCKET, 0.02);
  const hoursLater = trackLiveRate(b, 12 * BUCKET + 8 * 60 * MIN, 0.02);
  t.equal(hoursLater.rate, soon.rate, 'the level itself does not move without calls');
  t.ok(hoursLater.sd > 2 * soon.sd, `sd ${soon.sd} → ${hoursLater.sd}`);
});

t.test('a team of 1: a few calls per bucket, many buckets without a live answer, the rate stays between 0 and 1', async (t) => {
  // One agent at 10 % live and a 180 s talk: about 2 calls resolved per 5 min bucket.
  const b = noisy(48, 2, () => 0.1, 7);
  t.ok(
    b.some((x) => x.live === 0),
    'buckets of no live answer',
  );
  const r = trackLiveRate(b, 48 * BUCKET, 0.02);
  t.ok(r.rate > 0.02 && r.rate < 0.3, `rate ${r.rate}`);
  t.ok(r.sd > 0 && r.sd < 0.1, `sd ${r.sd}`);
  // A run of buckets with no live answer pulls it down but not to 0.
  const dry = [...b, ...buckets(6, 2, () => 0, 48 * BUCKET)];
  const d = trackLiveRate(dry, 54 * BUCKET, 0.02);
  t.ok(d.rate > 0 && d.rate < r.rate, `after 30 min of no live answer: ${d.rate}`);
});

t.test('the drift must be a positive number', async (t) => {
  for (const bad of [0, -0.01, Number.NaN, Number.POSITIVE_INFINITY]) t.throws(() => trackLiveRate([], 0, bad), RangeError);
});
