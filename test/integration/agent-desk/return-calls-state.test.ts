/**
 * The "return calls" agent state (issue 18, seed 001: agents waiting on a call
 * job get no inbound calls, so return calls need agents of their own): on a
 * real Redis, an agent taking return calls waits in the return-call queues
 * only — campaigns never reserve them, inbound routes do — and goes back there
 * after a call taken from there.
 */
import t from 'tap';
import type { ScreenPop } from '../../../lib/dialer/ports';
import { getAgentLive, readyQueue } from '../../../lib/store/agent-live';
import { reserveAgentOnNode } from '../../../lib/scale/agents';
import { deskFixture, loginReady, until } from './fixture';

const pop = (attemptId: string): ScreenPop => ({
  campaignId: 'camp1',
  attemptId,
  listId: 'l1',
  contactId: 'k1',
  phone: '+81312345678',
  attemptNo: 1,
});

const AGENTS = [
  { id: 'a1', groups: ['sales'] },
  { id: 'a2', groups: ['sales', 'support'] },
  { id: 'a3', groups: ['support'] },
];

t.test('logging in to take return calls: not a campaign agent, reserved only from the return-call pool', async (t) => {
  const f = await deskFixture(t, AGENTS);
  const states: string[] = [];
  f.desk.on('state', (e) => e.agentId === 'a1' && states.push(`${e.from}>${e.to}`));
  await f.desk.login('a1', { returnCalls: true });
  const leg = (await getAgentLive(f.redis, 'a1'))!.leg!;
  f.driver.answer(leg);
  await until(async () => (await getAgentLive(f.redis, 'a1'))?.state === 'return_calls', 'a1 taking return calls');
  const live = (await getAgentLive(f.redis, 'a1'))!;
  t.equal(live.returnCalls, true);
  t.same(
    f.driver.calls.find((c) => c.op === 'play'),
    { op: 'play', leg, args: { source: { kind: 'hold' }, loop: true } },
    'on hold music like a ready agent',
  );
  t.same(await readyQueue(f.redis, 'sales'), [], 'not in the campaigns’ queue');
  t.same(
    (await readyQueue(f.redis, 'sales', 'return_calls')).map((q) => q.agentId),
    ['a1'],
  );
  t.equal(await f.desk.readyCount(['sales']), 0, 'campaign pacing sees nobody ready');
  t.same(await f.desk.snapshot(['sales']), [], 'nor anyone to pace on');
  t.equal(await f.desk.reserve(['sales'], 'att-1'), null, 'a campaign call does not get the agent');
  t.equal((await getAgentLive(f.redis, 'a1'))?.state, 'return_calls', 'and the failed reservation left them as they were');

  const r = (await f.desk.reserve(['sales'], 'in-1', undefined, { pool: 'return_calls' }))!;
  t.equal(r.agentId, 'a1', 'a return call does');
  t.equal(r.legId, leg);
  t.same(await readyQueue(f.redis, 'sales', 'return_calls'), [], 'out of the queue while reserved');
  t.same(await f.desk.snapshot(['sales']), [], 'a return-call agent on a call is not paced on either');
  await f.desk.release(r);
  t.equal((await getAgentLive(f.redis, 'a1'))?.state, 'return_calls', 'a released reservation goes back to return calls');
  t.same(states, ['logged_out>connecting', 'connecting>return_calls', 'return_calls>reserved', 'reserved>return_calls']);

  // A whole call: connect, the customer ends, wrap-up "continue" → back to return calls, not ready.
  const r2 = (await f.desk.reserve(['sales'], 'in-2', undefined, { pool: 'return_calls' }))!;
  const cust = f.driver.customer();
  await f.desk.connect(r2, cust, pop('in-2'));
  t.equal((await getAgentLive(f.redis, 'a1'))?.state, 'talking');
  t.equal((await getAgentLive(f.redis, 'a1'))?.returnCalls, true, 'the mode lasts through the call');
  await f.desk.customerEnded(r2, { attemptId: 'in-2', resultCode: 0 });
  t.equal((await getAgentLive(f.redis, 'a1'))?.state, 'wrap_up');
  await f.desk.finishWrapUp('a1', 'continue', 'in-2');
  t.equal((await getAgentLive(f.redis, 'a1'))?.state, 'return_calls', 'continue goes back to return calls');
  t.same(await readyQueue(f.redis, 'sales'), []);
  t.same(
    (await readyQueue(f.redis, 'sales', 'return_calls')).map((q) => q.agentId),
    ['a1'],
  );
});

t.test('switching between ready and return calls moves the agent between the queues; break leaves both', async (t) => {
  const f = await deskFixture(t, AGENTS);
  await loginReady(f, 'a2');
  t.same(
    (await readyQueue(f.redis, 'support')).map((q) => q.agentId),
    ['a2'],
  );
  await f.desk.setState('a2', 'return_calls');
  let live = (await getAgentLive(f.redis, 'a2'))!;
  t.equal(live.state, 'return_calls');
  t.equal(live.returnCalls, true);
  for (const g of ['sales', 'support']) {
    t.same(await readyQueue(f.redis, g), [], `left the campaigns' ${g} queue`);
    t.same(
      (await readyQueue(f.redis, g, 'return_calls')).map((q) => q.agentId),
      ['a2'],
      `in the return-call ${g} queue`,
    );
  }
  await t.rejects(f.desk.setState('a2', 'return_calls'), { message: 'the agent is already return calls' });
  await f.desk.setState('a2', 'break');
  for (const g of ['sales', 'support']) {
    t.same(await readyQueue(f.redis, g), []);
    t.same(await readyQueue(f.redis, g, 'return_calls'), [], `on break: in no ${g} queue`);
  }
  t.equal((await getAgentLive(f.redis, 'a2'))?.returnCalls, false, 'a break ends the mode');
  await f.desk.setState('a2', 'return_calls');
  await f.desk.setState('a2', 'ready');
  live = (await getAgentLive(f.redis, 'a2'))!;
  t.equal(live.state, 'ready');
  t.equal(live.returnCalls, false);
  t.same(await readyQueue(f.redis, 'sales', 'return_calls'), []);
  t.equal((await f.desk.reserve(['sales'], 'att-1'))?.agentId, 'a2', 'ready again: campaigns get the agent');
});

t.test('an outbound agent may choose return calls after wrap-up; longest idle first; node-scoped reservations too', async (t) => {
  const f = await deskFixture(t, AGENTS);
  await loginReady(f, 'a1');
  f.clock.now += 1000;
  await loginReady(f, 'a3');
  await f.desk.setState('a3', 'return_calls');
  f.clock.now += 1000;
  const r = (await f.desk.reserve(['sales'], 'att-1'))!;
  t.equal(r.agentId, 'a1');
  await f.desk.connect(r, f.driver.customer(), pop('att-1'));
  await f.desk.customerEnded(r, { attemptId: 'att-1', resultCode: 20 });
  await f.desk.finishWrapUp('a1', 'return_calls', 'att-1');
  t.equal((await getAgentLive(f.redis, 'a1'))?.state, 'return_calls');
  // a3 has waited longer (across sales+support) than a1, who just came back.
  const first = await f.desk.reserve(['sales', 'support'], 'in-1', undefined, { pool: 'return_calls' });
  t.equal(first?.agentId, 'a3', 'longest idle return-call agent first');
  // The several-process reservation (only this desk's agents) reads the same pool.
  const node = await reserveAgentOnNode(f.redis, ['sales'], 'test-node', {
    token: 'tk',
    attemptId: 'in-2',
    now: f.clock.now,
    pool: 'return_calls',
  });
  t.equal(node?.agentId, 'a1');
  t.equal(
    await reserveAgentOnNode(f.redis, ['sales'], 'test-node', { token: 'tk2', attemptId: 'att-2', now: f.clock.now }),
    null,
    'nobody ready for campaigns',
  );
});

t.test('the idle limit of waiting (readySec) releases an agent left taking return calls', async (t) => {
  const f = await deskFixture(t, [{ id: 'a1', groups: ['s'] }], {
    idleLimits: { readySec: 600, wrapUpSec: 60, breakSec: 0, awaySec: 120 },
  });
  const start = f.clock.now;
  await loginReady(f, 'a1');
  await f.desk.setState('a1', 'return_calls');
  t.same(await f.desk.sweep(start + 599_000), []);
  t.same(await f.desk.sweep(start + 601_000), ['a1']);
  const live = (await getAgentLive(f.redis, 'a1'))!;
  t.equal(live.state, 'logged_out');
  t.match(live.lastReason, /return-calls for more than 10 min/);
  t.same(await readyQueue(f.redis, 's', 'return_calls'), [], 'and out of the queue');
});
