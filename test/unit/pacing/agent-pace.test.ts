import t from 'tap';
import { agentPaces, type PaceMoments } from '../../../lib/pacing/agent-pace';

/** Moments of the durations `xs`. */
const mom = (xs: number[]): PaceMoments => ({ n: xs.length, sum: xs.reduce((a, b) => a + b, 0), sq: xs.reduce((a, b) => a + b * b, 0) });

/** Seeded uniform in [0, 1) (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

/** `n` Erlang-2 talks of mean `mean` (ms). */
function erlang2(r: () => number, n: number, mean: number): number[] {
  return Array.from({ length: n }, () => (-Math.log(1 - r()) - Math.log(1 - r())) * (mean / 2));
}

t.test('no calls, a new agent, a team of one: the team law (pace 1)', async (t) => {
  t.same(agentPaces({}), {});
  t.same(agentPaces({ a: mom([]) }), { a: 1 }, 'an agent with no ended call');
  const r = rng(1);
  t.same(agentPaces({ solo: mom(erlang2(r, 40, 60_000)) }), { solo: 1 }, 'a team of one is its own team law');
  const team = { a: mom(erlang2(r, 30, 60_000)), b: mom(erlang2(r, 30, 120_000)), c: mom(erlang2(r, 30, 90_000)), fresh: mom([]) };
  t.equal(agentPaces(team).fresh, 1, 'the new agent among others keeps the team law');
});

t.test('agents who differ no more than chance all keep the team law', async (t) => {
  // Identical means: the between-agent spread is nil, so nothing is learnt from any one agent's mean.
  const same = [10_000, 30_000, 50_000];
  const paces = agentPaces({ a: mom(same), b: mom(same), c: mom(same) });
  t.same(paces, { a: 1, b: 1, c: 1 });
  // Means that differ less than their noise (Erlang-2 talks, the same law for all): the estimate of τ² is 0 or tiny, so
  // the paces stay near 1, far nearer than the raw ratios.
  const r = rng(7);
  const team = Object.fromEntries(Array.from({ length: 5 }, (_, i) => [`a${i}`, mom(erlang2(r, 12, 120_000))]));
  const p = agentPaces(team);
  const N = Object.values(team).reduce((a, m) => a + m.n, 0);
  const M = Object.values(team).reduce((a, m) => a + m.sum, 0) / N;
  for (const [id, m] of Object.entries(team)) {
    const raw = m.sum / m.n / M;
    t.ok(
      Math.abs(p[id]! - 1) <= Math.abs(raw - 1) + 1e-12,
      `${id}: pace ${p[id]!.toFixed(3)} no further from 1 than its raw ${raw.toFixed(3)}`,
    );
  }
});

t.test('one very fast agent: its own pace once it has calls, shrunk toward the team with few', async (t) => {
  const r = rng(3);
  const slowish = () => mom(erlang2(r, 60, 180_000));
  const many = agentPaces({ a: slowish(), b: slowish(), c: slowish(), d: slowish(), fast: mom(erlang2(r, 60, 45_000)) });
  // The team mean is about (4·180 + 45) ÷ 5 = 153 s, so the fast agent's raw ratio is about 0.3.
  t.ok(many.fast! < 0.45, `60 calls: pace ${many.fast!.toFixed(3)} near its own (≈ 0.3)`);
  for (const id of ['a', 'b', 'c', 'd']) t.ok(many[id]! > 1, `${id} slower than the team that the fast agent pulls down`);
  // A team that really differs (120–240 s, 60 calls each), and the fast agent with only 3 calls: its pace lies between
  // its raw ratio and 1, much nearer 1 (3 Erlang-2 talks say little), while with 60 calls it is near its own.
  const spread = [120_000, 150_000, 180_000, 210_000, 240_000];
  const team = Object.fromEntries(spread.map((m, i) => [`s${i}`, mom(erlang2(r, 60, m))]));
  const fast3 = mom(erlang2(r, 3, 45_000));
  const few = agentPaces({ ...team, fast: fast3 });
  const N = Object.values(team).reduce((a, m) => a + m.n, 0) + 3;
  const raw = fast3.sum / 3 / ((Object.values(team).reduce((a, m) => a + m.sum, 0) + fast3.sum) / N);
  t.ok(few.fast! > raw && few.fast! < 1, `3 calls: pace ${few.fast!.toFixed(3)} between its raw ratio ${raw.toFixed(3)} and 1`);
  const own = agentPaces({ ...team, fast: mom(erlang2(r, 60, 45_000)) });
  t.ok(own.fast! < few.fast!, `60 calls: ${own.fast!.toFixed(3)}, nearer its own speed`);
  t.ok(own.s0! < 1 && own.s4! > 1, "the team's fast and slow agents keep their side of 1");
});

t.test('paces stay within [0.25, 4] whatever the calls say', async (t) => {
  const p = agentPaces({ a: mom([1000, 1000, 1000]), b: mom([1000, 1000, 1000]), c: mom([1e9, 1e9, 1e9]) });
  for (const v of Object.values(p)) t.ok(v >= 0.25 && v <= 4, `pace ${v}`);
});

t.test('uneven agents (speed ×0.7–1.3, Erlang-2 talks): shrunk paces are nearer the true speeds than the raw ratios', async (t) => {
  // The simulator's world: 20 agents, 5–40 calls each. Over 200 teams, the mean squared error of each agent's pace
  // against its true speed ÷ the team's call-weighted mean speed.
  let rawErr = 0;
  let ebErr = 0;
  let n = 0;
  for (let team = 0; team < 200; team++) {
    const r = rng(100 + team);
    const speeds = Array.from({ length: 20 }, () => 0.7 + 0.6 * r());
    const calls = speeds.map(() => 5 + Math.floor(35 * r()));
    const byAgent = Object.fromEntries(speeds.map((s, i) => [`a${i}`, mom(erlang2(r, calls[i]!, 180_000 * s))]));
    const p = agentPaces(byAgent);
    const N = calls.reduce((a, b) => a + b, 0);
    const meanSpeed = speeds.reduce((a, s, i) => a + s * calls[i]!, 0) / N;
    const M = Object.values(byAgent).reduce((a, m) => a + m.sum, 0) / N;
    speeds.forEach((s, i) => {
      const m = byAgent[`a${i}`]!;
      const truth = s / meanSpeed;
      rawErr += (m.sum / m.n / M - truth) ** 2;
      ebErr += (p[`a${i}`]! - truth) ** 2;
      n++;
    });
  }
  const raw = Math.sqrt(rawErr / n);
  const eb = Math.sqrt(ebErr / n);
  t.ok(eb < 0.8 * raw, `rms error: shrunk ${eb.toFixed(4)} against raw ${raw.toFixed(4)}`);
  t.ok(eb < 0.2, `and small against the ±30 % spread: ${eb.toFixed(4)}`);
});
