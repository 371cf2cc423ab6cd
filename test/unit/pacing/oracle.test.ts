/** The benchmark's ceiling and rich world: the oracle's true laws and decisions, and what the world's knobs do. */
import t from 'tap';
import { oracleCalls, trueLaws } from '../../../bench/sim/oracle';
import { simulate } from '../../../bench/sim/engine';
import { simCampaign } from '../../../bench/sim/campaign';
import { RICH_WORLD, grid } from '../../../bench/sim/scenario';

t.test('true laws: the chance a call needs an agent includes AMD errors and the ring timeout', async (t) => {
  const plain = trueLaws(0.25, undefined);
  const last = (c: Float64Array) => c[c.length - 1]!;
  t.ok(Math.abs(last(plain.needCdf) - 0.25) < 1e-9, 'a person in 3–25 s, all inside a 40 s timeout');
  t.ok(Math.abs(last(plain.resolvedCdf) - 1) < 1e-9, 'every call ends ringing');
  const rich = trueLaws(0.25, RICH_WORLD);
  t.ok(
    Math.abs(last(rich.needCdf) - (0.25 * (1 - 0.03) + 0.75 * 0.35 * 0.05)) < 1e-9,
    'persons lost to false machines, machines sent as persons',
  );
  const short = trueLaws(0.25, { ...RICH_WORLD, ringTimeoutSec: 20 });
  t.ok(last(short.needCdf) < last(rich.needCdf), 'a 20 s timeout loses the slow answerers');
});

t.test('the oracle places more calls the sooner agents are free, and fewer for a smaller risk', async (t) => {
  const laws = trueLaws(0.25, undefined);
  const base = { now: 100_000, ringing: [], queued: 0, graceMs: 1200, laws, maxCalls: 100 };
  const busy = Array.from({ length: 10 }, () => 100_000 + 600_000);
  const soon = Array.from({ length: 10 }, (_, i) => 100_000 + i * 3_000); // one free every 3 s from now
  const a = oracleCalls({ ...base, freeAt: busy, theta: 0.01 });
  const b = oracleCalls({ ...base, freeAt: soon, theta: 0.01 });
  const c = oracleCalls({ ...base, freeAt: soon, theta: 0.001 });
  t.equal(a, 0, 'nobody free within the answer horizon: nothing');
  t.ok(b > 10, `ten agents coming free within 30 s take more than ten calls at 25 % live (${b})`);
  t.ok(c < b, `a smaller risk, fewer calls (${c} < ${b})`);
  t.ok(
    oracleCalls({ ...base, freeAt: soon, theta: 0.01, ringing: Array.from({ length: 30 }, () => 98_000) }) < b,
    'calls already ringing count',
  );
});

t.test('the rich world: breaks leave occupancy over available time; AMD errors change what counts as live', async (t) => {
  const sc = { ...grid(1).find((s) => s.name === 'a20-live25-talk60')!, shiftHours: 1 };
  const plain = simulate(
    { ...sc, world: undefined },
    { kind: 'tick', name: 'progressive', campaign: simCampaign('progressive') },
    { seed: 3 },
  );
  const rich = simulate(sc, { kind: 'tick', name: 'progressive', campaign: simCampaign('progressive') }, { seed: 3 });
  t.ok(rich.agentHours < plain.agentHours, `breaks take agent time (${rich.agentHours.toFixed(2)} < ${plain.agentHours})`);
  t.equal(rich.abandoned, 0, 'progressive 1:1 still never abandons (bridge delay included)');
  t.ok(rich.occupancy > 0 && rich.occupancy <= 1);
  const oracle = simulate(sc, { kind: 'oracle', name: 'oracle', theta: 0.01 }, { seed: 3 });
  t.ok(oracle.occupancy > rich.occupancy, `the oracle beats 1:1 (${oracle.occupancy.toFixed(3)} > ${rich.occupancy.toFixed(3)})`);
});
