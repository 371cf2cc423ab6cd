/**
 * The laws oracle (bench/sim/laws-oracle.ts): each agent's chance to be free by t from the true laws, conditioned on
 * the time spent, against a seeded Monte Carlo of the same laws; its exact count tail against count-tail.ts; and its
 * decisions.
 */
import t from 'tap';
import { agentLaws, exactTail, freeWithin, lawsOracleCalls, type LawsAgent } from '../../../bench/sim/laws-oracle';
import { oracleCalls, trueLaws } from '../../../bench/sim/oracle';
import { Rng } from '../../../bench/sim/prng';
import { simulate } from '../../../bench/sim/engine';
import { simCampaign } from '../../../bench/sim/campaign';
import { grid, RICH_WORLD } from '../../../bench/sim/scenario';
import { differencePmf, tailWithBinomial } from '../../../lib/pacing/count-tail';

const LAWS = agentLaws(60, RICH_WORLD, 0.1);

/** Monte Carlo of the engine's draws: bridge, talk (or a machine's hang-up), wrap-up; kept when the call outlasts e. */
function monteCarlo(a: LawsAgent, e: number, ys: number[], state: 'talking' | 'wrapup', seed: number): number[] {
  const r = new Rng(seed);
  const hits = ys.map(() => 0);
  let kept = 0;
  while (kept < 40_000) {
    const fp = r.next() < LAWS.falsePersonShare;
    const bridge = r.uniform(LAWS.bridgeMs[0], LAWS.bridgeMs[1]);
    const talk = fp ? r.uniform(LAWS.falsePersonTalkMs[0], LAWS.falsePersonTalkMs[1]) : r.erlang(2, LAWS.talkMeanMs * a.talkSpeed);
    const wrap = fp ? 2000 : r.uniform(LAWS.wrapMs[0], LAWS.wrapMs[1]) * a.wrapSpeed;
    let rest: number;
    if (state === 'talking') {
      if (bridge + talk <= e) continue;
      rest = bridge + talk + wrap - e;
    } else {
      if (wrap <= e) continue;
      rest = wrap - e;
    }
    kept++;
    ys.forEach((y, i) => {
      if (rest <= y) hits[i]!++;
    });
  }
  return hits.map((h) => h / kept);
}

t.test('an agent in a call: P(free within y | time spent) matches a Monte Carlo of the true laws', async (t) => {
  const ys = [5_000, 20_000, 45_000, 90_000, 200_000];
  for (const [e, talkSpeed, wrapSpeed] of [
    [0, 1, 1],
    [4_000, 0.7, 1.3],
    [30_000, 1.3, 0.7],
    [150_000, 1, 1],
  ] as const) {
    const a: LawsAgent = { state: 'talking', since: 1_000_000 - e, talkSpeed, wrapSpeed };
    const mc = monteCarlo(a, e, ys, 'talking', 7 + e);
    ys.forEach((y, i) => {
      const p = freeWithin(LAWS, a, 1_000_000, y);
      t.ok(
        Math.abs(p - mc[i]!) < 0.012,
        `talking ${e / 1000} s (speeds ${talkSpeed}/${wrapSpeed}), within ${y / 1000} s: ${p.toFixed(4)} vs ${mc[i]!.toFixed(4)}`,
      );
    });
  }
});

t.test('an agent in wrap-up: uniform remainder, with machines sent as persons (2 s) mixed in early', async (t) => {
  const ys = [1_000, 3_000, 10_000, 20_000];
  for (const e of [500, 5_000, 15_000]) {
    const a: LawsAgent = { state: 'wrapup', since: 1_000_000 - e, talkSpeed: 1, wrapSpeed: 1.2 };
    const mc = monteCarlo(a, e, ys, 'wrapup', 11 + e);
    ys.forEach((y, i) => {
      const p = freeWithin(LAWS, a, 1_000_000, y);
      t.ok(Math.abs(p - mc[i]!) < 0.012, `wrap-up ${e / 1000} s, within ${y / 1000} s: ${p.toFixed(4)} vs ${mc[i]!.toFixed(4)}`);
    });
  }
  t.equal(freeWithin(LAWS, { state: 'ready', since: 0, talkSpeed: 1, wrapSpeed: 1 }, 5_000, 0), 1, 'ready: free now');
  const onBreak: LawsAgent = { state: 'break', since: 0, breakEndsAt: 900_000, talkSpeed: 1, wrapSpeed: 1 };
  t.equal(freeWithin(LAWS, onBreak, 800_000, 50_000), 0, 'a break ends when it ends');
  t.equal(freeWithin(LAWS, onBreak, 800_000, 100_000), 1);
});

t.test('the exact count tail is count-tail.ts with certain terms folded in', async (t) => {
  const demand = [0.2, 1, 0.05, 0, 0.6];
  const supply = [1, 0.9, 0.3, 0, 0.5, 1];
  const mine = exactTail(2, demand, supply);
  const ref = tailWithBinomial(differencePmf(2, demand, 0, supply));
  for (const [n, c] of [
    [0, 0.2],
    [3, 0.2],
    [7, 0.05],
    [12, 0.5],
  ] as const)
    t.ok(Math.abs(mine(n, c) - ref(n, c)) < 1e-12, `n ${n}, c ${c}: ${mine(n, c).toFixed(6)}`);
});

t.test('the laws oracle places calls by the agents likely free, and fewer than the clairvoyant one when it cannot know', async (t) => {
  const laws = trueLaws(0.25, RICH_WORLD);
  const L = agentLaws(180, RICH_WORLD, laws.falsePersonShare);
  const now = 1_000_000;
  const base = { now, ringing: [], queued: 0, graceMs: 1200, laws, maxCalls: 100, agentLaws: L, theta: 0.01 };
  const speed = { talkSpeed: 1, wrapSpeed: 1 };
  const late = Array.from({ length: 10 }, (): LawsAgent => ({ state: 'wrapup', since: now - 25_000, ...speed }));
  const early = Array.from({ length: 10 }, (): LawsAgent => ({ state: 'talking', since: now - 1_000, ...speed }));
  const a = lawsOracleCalls({ ...base, agents: late });
  const b = lawsOracleCalls({ ...base, agents: early });
  t.ok(a > b, `agents at the end of their wrap-up take more calls than agents who just started talking (${a} > ${b})`);
  t.ok(lawsOracleCalls({ ...base, agents: late, theta: 0.001 }) < a, 'a smaller risk, fewer calls');
  t.ok(lawsOracleCalls({ ...base, agents: late, ringing: Array.from({ length: 30 }, () => now - 2_000) }) < a, 'calls ringing count');
  // Ten agents just talking, three of whom (short calls) the clairvoyant oracle knows are free in 1 s.
  const knows = oracleCalls({
    ...base,
    freeAt: [...Array.from({ length: 3 }, () => now + 1_000), ...Array.from({ length: 7 }, () => now + 600_000)],
  });
  t.ok(knows > b, `the clairvoyant oracle dials for the short calls it knows of, the laws oracle cannot (${knows} > ${b})`);
  const big = Array.from({ length: 70 }, (_, i): LawsAgent => ({ state: 'wrapup', since: now - 20_000 - 100 * i, ...speed }));
  t.ok(lawsOracleCalls({ ...base, agents: big }) > 2 * a, 'a large team (normal approximation) takes more calls still');
});

t.test('in the simulator the laws oracle beats 1:1 and abandons less at a smaller risk', async (t) => {
  const sc = { ...grid(1).find((s) => s.name === 'a5-live25-talk60')!, shiftHours: 0.5 };
  const prog = simulate(sc, { kind: 'tick', name: 'progressive', campaign: simCampaign('progressive') }, { seed: 5 });
  const hi = simulate(sc, { kind: 'lawsOracle', name: 'lawsOracle', theta: 0.02 }, { seed: 5 });
  const lo = simulate(sc, { kind: 'lawsOracle', name: 'lawsOracle', theta: 0.001 }, { seed: 5 });
  t.ok(hi.occupancy > prog.occupancy, `θ 0.02: ${hi.occupancy.toFixed(3)} > 1:1 ${prog.occupancy.toFixed(3)}`);
  t.ok(lo.abandoned <= hi.abandoned, `θ 0.001 abandons ${lo.abandoned} ≤ θ 0.02's ${hi.abandoned}`);
  t.same(simulate(sc, { kind: 'lawsOracle', name: 'lawsOracle', theta: 0.02 }, { seed: 5 }), hi, 'a function of its seed');
});
