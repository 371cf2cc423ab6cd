import t from 'tap';
import { WorkSpread, liveMembers } from '../../../lib/scale/spread';
import { startTestRedis } from '../../helpers/redis';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

t.test('processes see each other; a silent one drops out after its ttl, a leaving one at once', async (t) => {
  const { redis } = await startTestRedis(t);
  const mk = (owner: string, capacity: number) =>
    new WorkSpread(redis, { owner, memberTtlMs: 800, beatMs: 0, advertise: () => ({ capacity, activeLegs: 1, healthy: true }) });
  const a = mk('A', 10);
  const b = mk('B', 20);
  const c = mk('C', 30);
  await a.beat(1);
  await b.beat(1);
  await c.beat(1);
  await a.beat(1);
  t.same(c.live.map((m) => m.owner).sort(), ['A', 'B', 'C']);
  t.same(
    (await liveMembers(redis)).find((m) => m.owner === 'B'),
    { owner: 'B', capacity: 20, activeLegs: 1, healthy: true, campaigns: 0 },
    'capacity and health advertised',
  );
  const ownedByB = Array.from({ length: 50 }, (_, i) => `c${i}`).filter((id) => !a.mine(id) && !c.mine(id));
  t.ok(ownedByB.length > 0, 'B owns some campaigns');
  // B stops beating (killed); A and C keep going.
  await sleep(500);
  await a.beat(2);
  await c.beat(2);
  await sleep(500);
  await a.beat(3);
  t.same(a.live.map((m) => m.owner).sort(), ['A', 'C'], 'B dropped out within its ttl');
  await c.beat(3);
  t.ok(
    ownedByB.every((id) => a.mine(id) !== c.mine(id)),
    "B's campaigns now have exactly one owner among A and C",
  );
  await c.leave();
  await a.beat(4);
  t.same(
    a.live.map((m) => m.owner),
    ['A'],
    'a clean stop leaves at once',
  );
  t.ok(ownedByB.every((id) => a.mine(id)));
});
