/** The exact tail behind small-team pacing, against enumeration and a seeded Monte Carlo. */
import t from 'tap';
import { differencePmf, tailWithBinomial } from '../../../lib/pacing/count-tail';
import { Rng } from '../../../bench/sim/prng';

t.test('the PMF of fixed + Bernoulli demand − Bernoulli supply matches enumeration', async (t) => {
  const demand = [0.2, 0.5];
  const supply = [0.9, 0.3];
  const d = differencePmf(1, demand, 0, supply);
  const want = new Map<number, number>();
  for (let m = 0; m < 16; m++) {
    const bits = [0, 1, 2, 3].map((i) => (m >> i) & 1);
    const qs = [demand[0]!, demand[1]!, supply[0]!, supply[1]!];
    const p = bits.reduce((acc, b, i) => acc * (b ? qs[i]! : 1 - qs[i]!), 1);
    const x = 1 + bits[0]! + bits[1]! - bits[2]! - bits[3]!;
    want.set(x, (want.get(x) ?? 0) + p);
  }
  for (const [x, p] of want) t.ok(Math.abs(d.pmf[x + d.offset]! - p) < 1e-12, `P(X = ${x}) = ${p.toFixed(4)}`);
  t.ok(Math.abs(d.pmf.reduce((a, b) => a + b, 0) - 1) < 1e-12, 'sums to 1');
});

t.test('with a Poisson term and calls placed alongside, the tail matches a seeded Monte Carlo', async (t) => {
  const demand = [0.1, 0.3, 0.05, 0.2];
  const supply = [1, 0.4, 0.2];
  const tail = tailWithBinomial(differencePmf(1, demand, 0.7, supply));
  const r = new Rng(7);
  const poisson = (m: number) => {
    const limit = Math.exp(-m);
    let k = 0;
    let p = r.next();
    while (p > limit) {
      k++;
      p *= r.next();
    }
    return k;
  };
  const N = 200_000;
  let hit = 0;
  for (let i = 0; i < N; i++) {
    let x = 1 + poisson(0.7);
    for (const q of demand) if (r.next() < q) x++;
    for (const q of supply) if (r.next() < q) x--;
    for (let b = 0; b < 3; b++) if (r.next() < 0.25) x++;
    if (x >= 0) hit++;
  }
  const exact = tail(3, 0.25);
  t.ok(Math.abs(exact - hit / N) < 0.005, `exact ${exact.toFixed(4)} vs Monte Carlo ${(hit / N).toFixed(4)}`);
  t.equal(tail(0, 0.25), tail(3, 0), 'no calls alongside = calls that never answer');
  t.ok(tail(5, 0.25) > tail(3, 0.25), 'more calls alongside, more risk');
  t.equal(tailWithBinomial(differencePmf(0, [], 0, [1, 1]))(0, 0.5), 0, 'two agents certainly free, nothing ahead: no risk');
  t.equal(tailWithBinomial(differencePmf(2, [], 0, [1, 1]))(0, 0.5), 1, 'two persons waiting for two agents: certain');
});
