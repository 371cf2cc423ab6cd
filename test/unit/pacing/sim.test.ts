import t from 'tap';
import { CALIBRATION_EDGES, simulate, type Strategy } from '../../../bench/sim/engine';
import { Rng } from '../../../bench/sim/prng';
import { simCampaign } from '../../../bench/sim/campaign';
import type { Caps } from '../../../lib/pacing';

const small = { name: 'a8-live25-talk60', agents: 8, liveRate: 0.25, talkMeanSec: 60, shiftHours: 0.5 };
const PROGRESSIVE: Strategy = { kind: 'tick', name: 'progressive', campaign: simCampaign('progressive') };
const RATIO: Strategy = { kind: 'tick', name: 'ratioTable', campaign: simCampaign('ratioTable') };
const PREDICTIVE: Strategy = { kind: 'tick', name: 'predictive', campaign: simCampaign('predictive') };
const ADAPTIVE: Strategy = { kind: 'adaptive', name: 'adaptive' };

t.test('the seeded generator is reproducible and uniform enough', async (t) => {
  const a = new Rng(42);
  const b = new Rng(42);
  const xs = Array.from({ length: 10_000 }, () => a.next());
  t.same(
    Array.from({ length: 5 }, () => b.next()),
    xs.slice(0, 5),
  );
  t.ok(xs.every((x) => x >= 0 && x < 1));
  const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
  t.ok(Math.abs(mean - 0.5) < 0.02, `mean ${mean}`);
  const e = Array.from({ length: 10_000 }, () => a.erlang(2, 60));
  t.ok(Math.abs(e.reduce((s, x) => s + x, 0) / e.length - 60) < 3, 'Erlang-2 mean');
});

t.test('a run is a function of its seed', async (t) => {
  const r1 = simulate(small, PREDICTIVE, { seed: 11 });
  const r2 = simulate(small, PREDICTIVE, { seed: 11 });
  const r3 = simulate(small, PREDICTIVE, { seed: 12 });
  t.same(r1, r2);
  t.not(r1.placed, r3.placed);
});

t.test('progressive 1:1 never abandons: every call in flight has a waiting agent', async (t) => {
  for (const seed of [1, 2, 3]) {
    const r = simulate(small, PROGRESSIVE, { seed });
    t.ok(r.live > 20, `seed ${seed}: ${r.live} live answers`);
    t.equal(r.abandoned, 0, `seed ${seed}`);
    t.ok(r.maxLegs <= small.agents, `seed ${seed}: at most one leg per agent (${r.maxLegs})`);
  }
});

t.test('caps are never exceeded, by any strategy', async (t) => {
  const caps: Caps = { maxSimultaneousCalls: 10, trunk: { channels: 0, inUse: 0, callsPerSecond: 2, startedLastSecond: 0 } };
  for (const st of [RATIO, PREDICTIVE, ADAPTIVE]) {
    let decisions = 0;
    let overRoom = 0;
    const r = simulate(small, st, {
      seed: 5,
      caps,
      onDecision: (d) => {
        decisions++;
        for (const room of Object.values(d.trace.caps.room)) if (d.calls > Math.max(0, room!)) overRoom++;
      },
    });
    t.ok(r.maxLegs <= 10, `${st.name}: ${r.maxLegs} legs`);
    t.ok(r.maxStartsPerSecond <= 2, `${st.name}: ${r.maxStartsPerSecond} starts in a second`);
    t.equal(overRoom, 0, `${st.name}: no decision above a cap's room`);
    if (st.kind === 'tick') t.ok(decisions > 1000, `${st.name}: decideTick drove the run (${decisions} ticks)`);
  }
});

t.test('predictive keeps agents busier than progressive on the same world, within the abandon cap', async (t) => {
  const sc = { name: 'a20-live25-talk180', agents: 20, liveRate: 0.25, talkMeanSec: 180, shiftHours: 2 };
  const prog = simulate(sc, PROGRESSIVE, { seed: 3 });
  const pred = simulate(sc, PREDICTIVE, { seed: 3 });
  t.ok(pred.occupancy > prog.occupancy + 0.03, `occupancy ${pred.occupancy.toFixed(3)} vs ${prog.occupancy.toFixed(3)}`);
  t.ok(pred.meanAgentWaitSec < prog.meanAgentWaitSec);
  t.ok(pred.abandonRate <= 0.03, `abandon rate ${pred.abandonRate.toFixed(4)}`);
  t.ok(pred.occupancy > 0 && pred.occupancy < 1);
});

t.test('the idle-time profile accounts for all of the waiting time, and dialling ahead shrinks the under-dialled part', async (t) => {
  const prog = simulate(small, PROGRESSIVE, { seed: 4 });
  const pred = simulate(small, PREDICTIVE, { seed: 4 });
  for (const r of [prog, pred]) {
    // Busy + waiting (split in two) = available time; only the stretch after the last event is left out.
    const sum = r.occupancy + r.idleUnderDialled + r.idleAwaitingAnswers;
    t.ok(Math.abs(sum - 1) < 0.005, `${r.strategy}: occupancy + idle = ${sum.toFixed(4)}`);
    t.ok(r.idleUnderDialled >= 0 && r.idleAwaitingAnswers >= 0);
  }
  // One call per waiting agent at 25 % live brings a quarter of a person each: progressive idles under-dialled.
  t.ok(prog.idleUnderDialled > pred.idleUnderDialled, `${prog.idleUnderDialled.toFixed(3)} vs ${pred.idleUnderDialled.toFixed(3)}`);
});

t.test("the calibration profile bins every predictive call by its decision's expected abandons, and every abandon with it", async (t) => {
  let expected = 0;
  // A seed whose half hour has abandons to bin (seed 6 had none under round thirteen's threshold).
  const r = simulate(small, PREDICTIVE, { seed: 8, onDecision: (d) => (expected += Number(d.trace.figures.expectedAbandons ?? 0)) });
  const c = r.calibration!;
  t.ok(c, 'predictive reports one');
  const sum = (xs: number[]) => xs.reduce((a, x) => a + x, 0);
  t.equal(c.calls.length, CALIBRATION_EDGES.length);
  t.equal(sum(c.calls), r.placed, 'each call placed in one bin');
  t.equal(sum(c.observed), r.abandoned, 'each abandon in its call’s bin');
  t.ok(Math.abs(sum(c.expected) - expected) < 1e-6, `abandons expected: ${sum(c.expected).toFixed(3)}`);
  t.ok(r.abandoned > 0, `some abandons to bin (${r.abandoned})`);
  t.equal(simulate(small, PROGRESSIVE, { seed: 8 }).calibration, undefined, 'progressive expects none');
});
