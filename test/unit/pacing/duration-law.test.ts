import t from 'tap';
import {
  DURATION_BINS,
  MIN_EMPIRICAL_SAMPLES,
  binLowerMs,
  durationBin,
  empiricalLaw,
  logNormalLaw,
} from '../../../lib/pacing/duration-law';

/** A talk law with a quick hang-up share, as real ones have: 15 % uniform 3–8 s, else Erlang-2 with mean 180 s. */
const QUICK = 0.15;
const THETA = 90_000;
function trueCdf(x: number): number {
  if (x <= 0) return 0;
  const quick = Math.min(1, Math.max(0, (x - 3000) / 5000));
  const erlang = 1 - Math.exp(-x / THETA) * (1 + x / THETA);
  return QUICK * quick + (1 - QUICK) * erlang;
}
function trueFinishWithin(elapsed: number, within: number): number {
  return (trueCdf(elapsed + within) - trueCdf(elapsed)) / (1 - trueCdf(elapsed));
}
/** The law's q-quantile, by bisection. */
function quantile(q: number): number {
  let lo = 0;
  let hi = 3600_000;
  for (let i = 0; i < 60; i++) {
    const mid = (lo + hi) / 2;
    if (trueCdf(mid) < q) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}
/** n durations spread evenly over the law (deterministic "samples"). */
function sample(n: number): number[] {
  return Array.from({ length: n }, (_, i) => quantile((i + 0.5) / n));
}
function histogram(xs: readonly number[]): number[] {
  const h = new Array<number>(DURATION_BINS).fill(0);
  for (const x of xs) h[durationBin(x)]++;
  return h;
}
function momentsOf(xs: readonly number[]): { mean: number; sd: number } {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const sd = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1));
  return { mean, sd };
}

t.test('bins: geometric, every duration in the bin whose edges hold it', async (t) => {
  t.equal(durationBin(0), 0);
  t.equal(durationBin(999), 0);
  t.equal(durationBin(-5), 0);
  t.equal(durationBin(Number.NaN), 0);
  t.equal(durationBin(10 * 3600_000), DURATION_BINS - 1, 'longer than 4 h: the last bin');
  for (const ms of [1000, 4321, 60_000, 179_999, 3 * 3600_000]) {
    const i = durationBin(ms);
    t.ok(binLowerMs(i) <= ms && ms < binLowerMs(i + 1) * (1 + 1e-12), `${ms} ms in bin ${i}`);
  }
});

t.test('thin data: no empirical law', async (t) => {
  t.equal(empiricalLaw(histogram(sample(MIN_EMPIRICAL_SAMPLES - 1)), []), undefined);
  t.ok(empiricalLaw(histogram(sample(MIN_EMPIRICAL_SAMPLES)), []));
});

t.test('the life table follows a law with quick hang-ups where the log-normal fit cannot', async (t) => {
  const xs = sample(400);
  const emp = empiricalLaw(histogram(xs), [])!;
  const m = momentsOf(xs);
  const ln = logNormalLaw(m.mean, m.sd);
  t.equal(emp.kind, 'empirical');
  t.ok(Math.abs(emp.mean - m.mean) / m.mean < 0.03, `mean ${emp.mean} ≈ ${m.mean}`);
  let worstEmp = 0;
  let worstLn = 0;
  for (const elapsed of [0, 10_000, 60_000, 150_000, 300_000])
    for (const within of [5_000, 20_000, 40_000]) {
      const want = trueFinishWithin(elapsed, within);
      worstEmp = Math.max(worstEmp, Math.abs(emp.finishWithin(elapsed, within) - want));
      worstLn = Math.max(worstLn, Math.abs(ln.finishWithin(elapsed, within) - want));
    }
  t.ok(worstEmp < 0.03, `empirical: worst error ${worstEmp.toFixed(4)}`);
  t.ok(worstLn > 0.08, `log-normal fit: worst error ${worstLn.toFixed(4)} (why the shape is read from the data)`);
  const [a, b, c] = emp.terciles();
  t.ok(Math.abs(b - quantile(0.5)) / quantile(0.5) < 0.06, `median ${b} ≈ ${quantile(0.5)}`);
  t.ok(a < b && b < c);
  t.ok(Math.abs(a - quantile(1 / 6)) / quantile(1 / 6) < 0.1, `1/6 quantile ${a} ≈ ${quantile(1 / 6)}`);
});

t.test('talks still going are censored observations, not ignored', async (t) => {
  // Early in a shift: every talk that would end by 120 s has ended; the rest are still going at 120 s.
  const xs = sample(400);
  const ended = xs.filter((x) => x <= 120_000);
  const going = xs.filter((x) => x > 120_000).map(() => 120_000);
  const emp = empiricalLaw(histogram(ended), going)!;
  const naive = empiricalLaw(histogram(ended), [])!;
  // Below the censoring point the life table recovers the whole law.
  for (const x of [8_000, 60_000, 110_000]) {
    const want = trueCdf(x);
    const got = emp.finishWithin(0, x);
    t.ok(Math.abs(got - want) < 0.03, `P(T ≤ ${x}) = ${got.toFixed(3)} ≈ ${want.toFixed(3)}`);
    t.ok(naive.finishWithin(0, x) > want + 0.1, 'ended talks alone say agents come free far sooner');
  }
  // Beyond it the data say nothing: memoryless with the censoring-corrected mean, a chance in (0, 1).
  const p = emp.finishWithin(200_000, 20_000);
  t.ok(p > 0 && p < 1, `past the data: ${p}`);
  t.ok(emp.mean > naive.mean, 'the censoring-corrected mean is longer');
});

t.test('edge cases: no time, long past every ended talk', async (t) => {
  const emp = empiricalLaw(histogram(sample(100)), [])!;
  t.equal(emp.finishWithin(50_000, 0), 0);
  t.equal(emp.finishWithin(50_000, -1), 0);
  const far = emp.finishWithin(5 * 3600_000, 60_000);
  t.ok(far > 0 && far < 1, `hours past every ended talk: ${far}`);
  const lnFar = logNormalLaw(180_000, 120_000).finishWithin(5 * 3600_000, 60_000);
  t.ok(lnFar > 0 && lnFar <= 1);
});
