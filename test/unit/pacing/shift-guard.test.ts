import t from 'tap';
import { normQuantile, poissonCdf, poissonMeanWithin, spreadGuardRisk } from '../../../lib/pacing/shift-guard';
import { Rng } from '../../../bench/sim/prng';

t.test('poissonCdf: the edges and a known value', async (t) => {
  t.equal(poissonCdf(-1, 2), 0, 'no count is below 0');
  t.equal(poissonCdf(0, 0), 1, 'a mean of 0 is 0 surely');
  t.ok(Math.abs(poissonCdf(0, 2) - Math.exp(-2)) < 1e-12);
  t.ok(Math.abs(poissonCdf(2, 2) - 5 * Math.exp(-2)) < 1e-12, 'e^-2 (1 + 2 + 2)');
});

t.test('poissonMeanWithin: P(N > allowance) is the chance asked, at the largest mean', async (t) => {
  t.equal(poissonMeanWithin(-0.01, 0.1), 0, 'over already: no abandon may come');
  t.ok(Math.abs(poissonMeanWithin(0, 0.1) - -Math.log(0.9)) < 1e-12, 'allowance 0: P(N ≥ 1) = 1 − e^-μ');
  t.equal(poissonMeanWithin(0.99, 0.1), poissonMeanWithin(0, 0.1), 'a fraction of an abandon allows none');
  for (const k of [1, 3, 10, 60, 100]) {
    const mu = poissonMeanWithin(k, 0.2);
    t.ok(Math.abs(1 - poissonCdf(k, mu) - 0.2) < 1e-9, `k = ${k}: P(N > k) = 0.2 at μ = ${mu.toFixed(3)}`);
    t.ok(mu < k, 'the mean stays under the allowance');
  }
  // Above the exact range, the normal approximation: within 1 % of the exact bisection.
  const exact = (k: number, c: number) => {
    let lo = 0;
    let hi = 2 * k + 50;
    for (let i = 0; i < 60; i++) {
      const mid = (lo + hi) / 2;
      if (poissonCdf(k, mid) >= 1 - c) lo = mid;
      else hi = mid;
    }
    return lo;
  };
  for (const k of [101, 250, 600]) t.ok(Math.abs(poissonMeanWithin(k, 0.1) / exact(k, 0.1) - 1) < 0.01, `k = ${k} normal ≈ exact`);
  t.ok(poissonMeanWithin(10, 0.3) > poissonMeanWithin(10, 0.1), 'a larger chance allows a larger mean');
  t.throws(() => poissonMeanWithin(3, 0), /chance/);
  t.throws(() => poissonMeanWithin(3, 1), /chance/);
});

t.test('normQuantile inverts the normal', async (t) => {
  t.ok(Math.abs(normQuantile(0.5)) < 1e-9);
  t.ok(Math.abs(normQuantile(0.975) - 1.959964) < 1e-5);
  t.ok(Math.abs(normQuantile(0.01) + 2.326348) < 1e-5);
});

t.test('spreadGuardRisk: tight with little allowance, loose with much, 0 once over', async (t) => {
  const g = (abandoned: number, live: number, expectedAnswers: number, chance = 0.1) =>
    spreadGuardRisk({ abandoned, live, expectedAnswers, cap: 0.03, chance });
  t.equal(g(8, 200, 45), 0, '8 of 200 = 4 %, and 45 answers more cannot bring it under 3 % at the first check: nothing');
  t.equal(g(1, 10, 0), 0, 'no answers expected: no risk');
  t.ok(g(0, 0, 45) < 0.03, 'the shift’s start: a small team is held under the cap');
  t.ok(g(4, 400, 45) > 0.03, 'much allowance (1 % spent): the guard allows more than the cap, the budget decides');
  t.ok(g(6, 220, 45) < g(5, 220, 45), 'one abandon more, tighter');
  t.ok(g(6, 220, 45, 0.3) > g(6, 220, 45, 0.1), 'a larger chance allowed, looser');
  t.ok(g(0, 0, 900) > g(0, 0, 45), 'a large team’s abandons spread less against its allowance');
  t.ok(
    spreadGuardRisk({ abandoned: 2, live: 100, expectedAnswers: 45, cap: 0.03, chance: 0.1, dispersion: 2 }) < g(2, 100, 45),
    'abandons in bursts: tighter',
  );
  t.throws(() => spreadGuardRisk({ abandoned: 0, live: 0, expectedAnswers: 45, cap: 0.03, chance: 0.1, dispersion: 0.5 }), /dispersion/);
});

t.test('spreadGuardRisk holds its chance: Poisson abandons at the guard risk end over the cap at most that often', async (t) => {
  const rng = new Rng(7);
  const poisson = (mu: number) => {
    let k = 0;
    let p = Math.exp(-mu);
    let s = p;
    const u = rng.next();
    while (u > s && k < 1000) {
      k++;
      p *= mu / k;
      s += p;
    }
    return k;
  };
  for (const [abandoned, live, e] of [
    [3, 150, 45],
    [0, 0, 200],
    [20, 900, 300],
  ]) {
    const r = spreadGuardRisk({ abandoned, live, expectedAnswers: e, cap: 0.03, chance: 0.1 });
    let over = 0;
    const n = 20000;
    for (let i = 0; i < n; i++) if (abandoned + poisson(r * e) > 0.03 * (live + e)) over++;
    t.ok(over / n <= 0.1 + 0.01, `(${abandoned}, ${live}, ${e}): over at the horizon's end in ${((over / n) * 100).toFixed(1)} % ≤ 10 %`);
  }
});

t.test('spreadGuardRisk firstPoint: the early check points skipped, never tighter; 1 = the horizon’s end alone', async (t) => {
  const base = { abandoned: 0, live: 0, expectedAnswers: 120, cap: 0.03, chance: 0.2 };
  const all = spreadGuardRisk(base);
  const half = spreadGuardRisk({ ...base, firstPoint: 0.5 });
  const end = spreadGuardRisk({ ...base, firstPoint: 1 });
  t.equal(spreadGuardRisk({ ...base, firstPoint: 0.25 }), all, '0.25 is the default: every point');
  t.ok(all < half && half < end, `a shift's start: each early point skipped allows more (${all} < ${half} < ${end})`);
  // At the end alone: the largest μ with P(Poisson(μ) > 3.6) ≤ 0.2, per answer of 120.
  t.equal(end, poissonMeanWithin(0.03 * 120, 0.2) / 120, 'the end point alone is the allowance over the whole horizon');
  t.equal(
    spreadGuardRisk({ ...base, abandoned: 6, live: 50, firstPoint: 1 }),
    0,
    '6 abandons against 3 % of 170 answers: over at the end whatever comes, nothing',
  );
});
