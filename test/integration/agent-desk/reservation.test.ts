import t from 'tap';
import { getAgentLive, readyQueue } from '../../../lib/store/agent-live';
import { deskFixture, loginReady } from './fixture';

const AGENTS = [
  { id: 'a1', groups: ['sales'] },
  { id: 'a2', groups: ['sales', 'support'] },
  { id: 'a3', groups: ['support'] },
  { id: 'a4', groups: ['collections'] },
];

t.test('longest-waiting ready agent first, groups respected, each agent once', async (t) => {
  const f = await deskFixture(t, AGENTS);
  // Ready in order a3, a1, a2 (clock moves between logins), a4 in another group.
  for (const id of ['a3', 'a1', 'a2', 'a4']) {
    await loginReady(f, id);
    f.clock.now += 1000;
  }
  t.equal(await f.desk.readyCount(['sales']), 2);
  t.equal(await f.desk.readyCount(['sales', 'support']), 3, 'a2 is in both groups and counts once');
  t.equal(await f.desk.readyCount(['nobody']), 0);
  t.same(
    (await readyQueue(f.redis, 'support')).map((q) => q.agentId),
    ['a3', 'a2'],
  );

  const r1 = await f.desk.reserve(['sales'], 'att-1');
  t.equal(r1?.agentId, 'a1', 'a1 has waited longest in sales (a3 is not in sales)');
  t.equal(r1?.legId, (await getAgentLive(f.redis, 'a1'))!.leg);
  const r2 = await f.desk.reserve(['sales', 'support'], 'att-2');
  t.equal(r2?.agentId, 'a3', 'a3 waited longest across sales+support');
  const r3 = await f.desk.reserve(['support'], 'att-3');
  t.equal(r3?.agentId, 'a2');
  t.same(await readyQueue(f.redis, 'sales'), [], 'a2 left every group queue when reserved');
  t.equal(await f.desk.reserve(['sales', 'support'], 'att-4'), null, 'nobody left');
  const live = await getAgentLive(f.redis, 'a1');
  t.equal(live?.state, 'reserved');
  t.equal(live?.attemptId, 'att-1');
  t.equal(await f.desk.readyCount(['collections']), 1, 'other groups untouched');
});

t.test("a released reservation keeps the agent's place; preferring an agent", async (t) => {
  const f = await deskFixture(t, AGENTS);
  for (const id of ['a1', 'a2']) {
    await loginReady(f, id);
    f.clock.now += 1000;
  }
  const r = (await f.desk.reserve(['sales'], 'att-1'))!;
  t.equal(r.agentId, 'a1');
  await f.desk.release(r);
  t.equal((await getAgentLive(f.redis, 'a1'))?.state, 'ready');
  t.same(
    (await readyQueue(f.redis, 'sales')).map((q) => q.agentId),
    ['a1', 'a2'],
    'a1 still first',
  );
  await f.desk.release(r);
  t.equal((await getAgentLive(f.redis, 'a1'))?.state, 'ready', 'a second release of the same reservation changes nothing');

  const p = await f.desk.reserve(['sales'], 'att-2', 'a2');
  t.equal(p?.agentId, 'a2', 'the preferred agent (a callback owner) gets it when ready');
  const q = await f.desk.reserve(['sales'], 'att-3', 'a2');
  t.equal(q?.agentId, 'a1', 'preferred agent not ready: longest waiting instead');
  t.equal(await f.desk.reserve(['support'], 'att-4', 'a1'), null, 'a preferred agent outside the groups is not taken');
});

t.test('concurrent reservations never get the same agent', async (t) => {
  const ids = Array.from({ length: 12 }, (_, i) => ({ id: `c${i}`, groups: ['g'] }));
  const f = await deskFixture(t, ids);
  for (const a of ids) {
    await loginReady(f, a.id);
    f.clock.now += 10;
  }
  // Two dialer clients on the same Redis racing: 40 reservations for 12 agents.
  const results = await Promise.all(Array.from({ length: 40 }, (_, i) => f.desk.reserve(['g'], `att-${i}`)));
  const got = results.filter((r) => r !== null).map((r) => r!.agentId);
  t.equal(got.length, 12, 'exactly the ready agents were reserved');
  t.equal(new Set(got).size, 12, 'no agent twice');
  t.equal(await f.desk.readyCount(['g']), 0);
  for (const a of ids) t.equal((await getAgentLive(f.redis, a.id))?.state, 'reserved');
});

t.test('agents on break or away are not reserved; back to ready goes to the end of the queue', async (t) => {
  const f = await deskFixture(t, AGENTS);
  await loginReady(f, 'a1');
  f.clock.now += 1000;
  await loginReady(f, 'a2');
  await f.desk.setState('a1', 'break');
  t.equal(await f.desk.readyCount(['sales']), 1);
  f.clock.now += 1000;
  await f.desk.setState('a1', 'ready');
  t.same(
    (await readyQueue(f.redis, 'sales')).map((q) => q.agentId),
    ['a2', 'a1'],
  );
  await f.desk.setState('a2', 'away');
  t.equal((await f.desk.reserve(['sales'], 'x'))?.agentId, 'a1');
  t.equal(await f.desk.reserve(['sales'], 'y'), null);
});

t.test('snapshot for pacing: agents of the groups who can take calls, with their state times', async (t) => {
  const f = await deskFixture(t, AGENTS);
  const t0 = f.clock.now;
  await loginReady(f, 'a1');
  f.clock.now = t0 + 1000;
  await loginReady(f, 'a2');
  await loginReady(f, 'a4');
  await f.desk.login('a3');
  f.clock.now = t0 + 2000;
  const r = (await f.desk.reserve(['sales'], 'att-1'))!;
  t.equal(r.agentId, 'a1');
  const sales = await f.desk.snapshot(['sales']);
  t.same(
    sales,
    [
      { state: 'reserved', since: t0 + 2000, agentId: 'a1' },
      { state: 'ready', since: t0 + 1000, agentId: 'a2' },
    ],
    'a3 is still connecting and a4 is in another group; each named (a callback owner is kept out of pacing by id)',
  );
  await f.desk.setState('a2', 'away');
  t.same(
    await f.desk.snapshot(['sales', 'support']),
    [{ state: 'reserved', since: t0 + 2000, agentId: 'a1' }],
    'away agents are not counted',
  );
});

t.test("agents on a break for pacing (predictive breakLaw): the groups' agents on a break, since when", async (t) => {
  const f = await deskFixture(t, AGENTS);
  const t0 = f.clock.now;
  await loginReady(f, 'a1');
  await loginReady(f, 'a2');
  await loginReady(f, 'a4');
  f.clock.now = t0 + 5000;
  await f.desk.setState('a1', 'break');
  await f.desk.setState('a4', 'break');
  await f.desk.setState('a2', 'away');
  t.same(await f.desk.onBreak(['sales']), [{ since: t0 + 5000, agentId: 'a1' }], 'a4 is in another group; away is not a break');
  t.same(await f.desk.snapshot(['sales']), [], 'and not in the snapshot of agents who can take calls');
  f.clock.now = t0 + 9000;
  await f.desk.setState('a1', 'ready');
  t.same(await f.desk.onBreak(['sales']), [], 'back');
});
