import t from 'tap';
import pino from 'pino';
import { IllegalAgentTransitionError, LiveAgentDesk } from '../../../lib/agents';
import type { ScreenPop } from '../../../lib/dialer/ports';
import { getAgentLive } from '../../../lib/store/agent-live';
import { listUnsaved } from '../../../lib/store/agent-unsaved';
import { deskFixture, loginReady, until } from './fixture';

const pop = (attemptId: string): ScreenPop => ({
  campaignId: 'camp1',
  attemptId,
  listId: 'l1',
  contactId: 'k1',
  phone: '+81312345678',
  name: 'Sato',
  attemptNo: 1,
});

t.test('login calls the phone, answer → ready on hold music', async (t) => {
  const f = await deskFixture(t, [{ id: 'a1', groups: ['sales'] }], { loginRingTimeoutSec: 7 });
  const states: string[] = [];
  f.desk.on('state', (e) => e.agentId === 'a1' && states.push(`${e.from}>${e.to}`));
  const live = await f.desk.login('a1');
  t.equal(live.state, 'connecting');
  const orig = f.driver.calls.find((c) => c.op === 'originate')!;
  t.match(orig.args, { to: 'sip:a1@127.0.0.1:5999', ringTimeoutMs: 7000 }, "the agent's SIP URI with the login ring timeout");
  t.notOk((orig.args as { analysis?: unknown }).analysis, 'no call analysis on the agent leg');
  t.equal(await f.desk.readyCount(['sales']), 0, 'not ready before the phone answers');
  f.driver.answer(orig.leg!);
  await until(async () => (await getAgentLive(f.redis, 'a1'))?.state === 'ready');
  t.same(
    f.driver.calls.find((c) => c.op === 'play'),
    { op: 'play', leg: orig.leg, args: { source: { kind: 'hold' }, loop: true } },
  );
  t.equal(await f.desk.readyCount(['sales']), 1);
  t.same(states, ['logged_out>connecting', 'connecting>ready']);
  await t.rejects(f.desk.login('a1'), IllegalAgentTransitionError, 'a second login is refused');
  await t.rejects(f.desk.login('nobody'), { code: 'NOT_FOUND', message: 'agent nobody does not exist' });
});

t.test('unanswered or unreachable phone: back to logged out with the reason', async (t) => {
  const f = await deskFixture(t, [{ id: 'a1', groups: ['sales'] }]);
  await f.desk.login('a1');
  const leg = (await getAgentLive(f.redis, 'a1'))!.leg!;
  f.driver.emit({ type: 'end', legId: leg, at: 0, cause: { by: 'timeout', answered: false, sipStatus: 487 } });
  await until(async () => (await getAgentLive(f.redis, 'a1'))?.state === 'logged_out');
  t.equal((await getAgentLive(f.redis, 'a1'))?.lastReason, 'phone not answered (487)');
  f.driver.failOriginate = 'no route to host';
  await t.rejects(f.desk.login('a1'), { code: 'UNAVAILABLE', message: /no route to host/ });
  t.equal((await getAgentLive(f.redis, 'a1'))?.state, 'logged_out', 'nothing left half-done');
});

t.test('reserve → connect (beep, stop hold, bridge, screen pop) → customer ends → wrap-up → continue', async (t) => {
  const f = await deskFixture(t, [{ id: 'a1', groups: ['sales'] }], { beep: { freqHz: 800, durationMs: 150 } });
  const leg = await loginReady(f, 'a1');
  const pops: unknown[] = [];
  f.desk.on('screen-pop', (e) => pops.push(e));
  const r = (await f.desk.reserve(['sales'], 'att-1'))!;
  const cust = f.driver.customer();
  const mark = f.driver.calls.length;
  await f.desk.connect(r, cust, pop('att-1'));
  // The beep comes while the hold music still plays: the FreeSWITCH driver writes it over the music (uuid_displace),
  // not as a playback of its own right after one was stopped (lib/agents/state.ts connect).
  t.same(f.driver.ops(leg, mark), ['beep', 'stopPlayback', 'bridge'], 'beep over the hold music, hold music stops, then bridge');
  t.same(f.driver.calls.find((c) => c.op === 'beep')?.args, { freqHz: 800, durationMs: 150 });
  t.equal(f.driver.calls.find((c) => c.op === 'bridge')?.args, cust);
  t.match(pops, [{ agentId: 'a1', pop: pop('att-1') }]);
  let live = (await getAgentLive(f.redis, 'a1'))!;
  t.equal(live.state, 'talking');
  t.same(live.pop, pop('att-1'), 'the screen pop is kept on the agent for the UI');
  t.equal(live.customerLeg, cust);

  await f.desk.customerEnded(r, { attemptId: 'att-1', resultCode: 20 });
  live = (await getAgentLive(f.redis, 'a1'))!;
  t.equal(live.state, 'wrap_up');
  t.equal(f.driver.ops(leg).at(-1), 'play', 'hold music again in wrap-up');
  await f.desk.customerEnded(r, { attemptId: 'att-1', resultCode: 20 });
  t.equal((await getAgentLive(f.redis, 'a1'))?.state, 'wrap_up', 'reported twice (runner + leg event): once');
  t.equal(await f.desk.readyCount(['sales']), 0, 'not ready in wrap-up');
  await t.rejects(f.desk.finishWrapUp('a1', 'continue', 'att-other'), { code: 'CONFLICT' });
  await f.desk.finishWrapUp('a1', 'continue', 'att-1');
  live = (await getAgentLive(f.redis, 'a1'))!;
  t.equal(live.state, 'ready');
  t.notOk(live.pop, 'call forgotten after disposition');
  t.equal(await f.desk.readyCount(['sales']), 1);
});

t.test('the customer leg ending is noticed by the desk itself too', async (t) => {
  const f = await deskFixture(t, [{ id: 'a1', groups: ['sales'] }]);
  await loginReady(f, 'a1');
  const r = (await f.desk.reserve(['sales'], 'att-1'))!;
  const cust = f.driver.customer();
  await f.desk.connect(r, cust, pop('att-1'));
  f.driver.end(cust);
  await until(async () => (await getAgentLive(f.redis, 'a1'))?.state === 'wrap_up', 'wrap-up');
  t.pass('wrap-up after the customer hung up');
});

t.test('connect with a stale reservation is refused; a failed bridge leaves no agent talking', async (t) => {
  const f = await deskFixture(t, [{ id: 'a1', groups: ['sales'] }]);
  await loginReady(f, 'a1');
  const r = (await f.desk.reserve(['sales'], 'att-1'))!;
  await f.desk.release(r);
  await t.rejects(f.desk.connect(r, f.driver.customer(), pop('att-1')), { code: 'CONFLICT', message: /no longer reserved/ });
  const r2 = (await f.desk.reserve(['sales'], 'att-2'))!;
  await t.rejects(f.desk.connect(r2, 'cust-gone', pop('att-2')), { code: 'UNKNOWN_LEG' });
  t.equal((await getAgentLive(f.redis, 'a1'))?.state, 'wrap_up', 'the call is over for the agent');
});

t.test('hang up customer, hold/unhold, blind transfer', async (t) => {
  const f = await deskFixture(t, [{ id: 'a1', groups: ['sales'] }]);
  const leg = await loginReady(f, 'a1');
  let r = (await f.desk.reserve(['sales'], 'att-1'))!;
  let cust = f.driver.customer();
  await f.desk.connect(r, cust, pop('att-1'));

  await f.desk.hold('a1');
  t.same(
    f.driver.calls.slice(-2).map((c) => `${c.op}:${c.leg}`),
    [`unbridge:${leg}`, `play:${cust}`],
    'customer hears hold music',
  );
  t.equal((await getAgentLive(f.redis, 'a1'))?.held, true);
  await t.rejects(f.desk.hold('a1'), { code: 'CONFLICT', message: /already on hold/ });
  await f.desk.unhold('a1');
  t.same(f.driver.calls.at(-1), { op: 'bridge', leg, args: cust });
  await t.rejects(f.desk.unhold('a1'), { code: 'CONFLICT', message: /not on hold/ });

  await f.desk.hangupCustomer('a1');
  t.ok(
    f.driver.calls.some((c) => c.op === 'hangup' && c.leg === cust),
    'customer leg hung up',
  );
  t.equal((await getAgentLive(f.redis, 'a1'))?.state, 'wrap_up');
  await t.rejects(f.desk.hangupCustomer('a1'), IllegalAgentTransitionError);
  await f.desk.finishWrapUp('a1', 'continue');

  r = (await f.desk.reserve(['sales'], 'att-2'))!;
  cust = f.driver.customer();
  await f.desk.connect(r, cust, pop('att-2'));
  await t.rejects(f.desk.transfer('a1', 'sip:fail@x'), { code: 'UNAVAILABLE', message: /REFER rejected/ });
  t.equal((await getAgentLive(f.redis, 'a1'))?.state, 'talking', 'failed transfer: still talking');
  t.same(f.driver.calls.at(-1), { op: 'bridge', leg, args: cust }, 'and bridged again');
  await f.desk.transfer('a1', 'sip:2001@127.0.0.1');
  t.ok(f.driver.calls.some((c) => c.op === 'transfer' && c.leg === cust && c.args === 'sip:2001@127.0.0.1'));
  t.equal((await getAgentLive(f.redis, 'a1'))?.state, 'wrap_up');
  await f.desk.finishWrapUp('a1', 'end');
  t.equal((await getAgentLive(f.redis, 'a1'))?.state, 'logged_out');
  t.ok(
    f.driver.calls.some((c) => c.op === 'hangup' && c.leg === leg),
    'phone leg hung up at end',
  );
});

t.test('phone drop while talking: logged out, customer hung up, call kept as unsaved', async (t) => {
  const f = await deskFixture(t, [{ id: 'a1', groups: ['sales'] }]);
  const leg = await loginReady(f, 'a1');
  const r = (await f.desk.reserve(['sales'], 'att-9'))!;
  const cust = f.driver.customer();
  await f.desk.connect(r, cust, pop('att-9'));
  f.driver.end(leg);
  await until(async () => (await getAgentLive(f.redis, 'a1'))?.state === 'logged_out');
  const un = await listUnsaved(f.redis, { agentId: 'a1' });
  t.equal(un.length, 1);
  t.match(un[0], { agentId: 'a1', campaignId: 'camp1', attemptId: 'att-9', callState: 'talking', state: 'open', pop: pop('att-9') });
  t.match(un[0]!.reason, /phone leg ended/);
  t.ok(
    f.driver.calls.some((c) => c.op === 'hangup' && c.leg === cust),
    'customer not left on a dead bridge',
  );
  t.equal(await f.desk.readyCount(['sales']), 0);
  await f.desk.customerEnded(r, { attemptId: 'att-9', resultCode: 20 });
  t.equal((await getAgentLive(f.redis, 'a1'))?.state, 'logged_out', "the runner's late report is harmless");
});

t.test('phone drop while reserved: the connect fails cleanly', async (t) => {
  const f = await deskFixture(t, [{ id: 'a1', groups: ['sales'] }]);
  const leg = await loginReady(f, 'a1');
  const r = (await f.desk.reserve(['sales'], 'att-1'))!;
  f.driver.end(leg);
  await until(async () => (await getAgentLive(f.redis, 'a1'))?.state === 'logged_out');
  await t.rejects(f.desk.connect(r, f.driver.customer(), pop('att-1')), { code: 'CONFLICT' });
  t.same(await listUnsaved(f.redis), [], 'no call reached the agent, nothing unsaved');
});

t.test('idle sweep releases agents over their limits; wrap-up becomes unsaved', async (t) => {
  const f = await deskFixture(
    t,
    [
      { id: 'a1', groups: ['s'] },
      { id: 'a2', groups: ['s'] },
      { id: 'a3', groups: ['s'] },
    ],
    { idleLimits: { readySec: 600, wrapUpSec: 60, breakSec: 0, awaySec: 120 } },
  );
  const start = f.clock.now;
  const leg1 = await loginReady(f, 'a1');
  await loginReady(f, 'a2');
  await loginReady(f, 'a3');
  await f.desk.setState('a3', 'break');
  const r = (await f.desk.reserve(['s'], 'att-1'))!;
  t.equal(r.agentId, 'a1');
  await f.desk.connect(r, f.driver.customer(), pop('att-1'));
  f.clock.now = start + 30_000;
  await f.desk.customerEnded(r, { attemptId: 'att-1', resultCode: 20 });
  t.same(await f.desk.sweep(start + 59_000), [], 'nobody over a limit yet');
  t.same(await f.desk.sweep(start + 91_000), ['a1'], 'wrap-up over 60 s');
  t.equal((await getAgentLive(f.redis, 'a1'))?.lastReason, 'released: wrap-up for more than 1 min');
  t.ok(f.driver.calls.some((c) => c.op === 'hangup' && c.leg === leg1));
  t.match(await listUnsaved(f.redis, { agentId: 'a1' }), [{ attemptId: 'att-1', callState: 'wrap_up', reason: /released/ }]);
  t.same(await f.desk.sweep(start + 600_000), ['a2'], 'ready over 10 min; break has no limit');
  t.equal((await getAgentLive(f.redis, 'a3'))?.state, 'break');
  t.equal(await f.desk.readyCount(['s']), 0);
});

t.test("a restarted node forgets its agents' lost legs", async (t) => {
  const f = await deskFixture(t, [{ id: 'a1', groups: ['s'] }]);
  await loginReady(f, 'a1');
  const again = new LiveAgentDesk({
    redis: f.redis,
    driver: f.driver,
    log: pino({ level: 'silent' }),
    config: f.config.dialer.agents,
    nodeId: 'test-node',
    directory: async () => null,
  });
  await again.start({ sweep: false });
  t.teardown(() => again.stop());
  const live = await getAgentLive(f.redis, 'a1');
  t.equal(live?.state, 'logged_out');
  t.equal(live?.lastReason, 'dialer restarted: phone leg lost');
  t.equal(await f.desk.readyCount(['s']), 0);
});

t.test("several desks on one Redis: a crashed desk's agents are logged out, a stopped desk logs its own out", async (t) => {
  const f = await deskFixture(t, [
    { id: 'a1', groups: ['s'] },
    { id: 'a2', groups: ['s'] },
  ]);
  const other = new LiveAgentDesk({
    redis: f.redis,
    driver: f.driver,
    log: pino({ level: 'silent' }),
    config: f.config.dialer.agents,
    nodeId: 'node-b',
    directory: async (id) => ({ id, name: id, sipUri: `sip:${id}@127.0.0.1`, groups: ['s'] }),
  });
  await other.start({ sweep: false });
  await loginReady(f, 'a1');
  await loginReady({ ...f, desk: other }, 'a2');
  t.equal((await getAgentLive(f.redis, 'a2'))?.owner, 'node-b');
  t.same(await f.desk.sweep(f.clock.now + 10 * 3600_000), ['a1'], 'a desk releases only the agents whose legs it holds');
  t.equal((await getAgentLive(f.redis, 'a2'))?.state, 'ready');
  t.same(await f.desk.recoverOrphans(), [], 'node-b is alive');
  // node-b crashes: no stop(), its heartbeat expires.
  await f.redis.del('g:{g}:desk-node:node-b');
  t.same(await f.desk.recoverOrphans(), ['a2']);
  t.match(await getAgentLive(f.redis, 'a2'), { state: 'logged_out', lastReason: 'dialer process gone: phone leg lost' });
  await other.stop();

  await loginReady(f, 'a1');
  const leg = (await getAgentLive(f.redis, 'a1'))!.leg!;
  await f.desk.stop();
  t.match(await getAgentLive(f.redis, 'a1'), { state: 'logged_out', lastReason: 'dialer stopped' });
  t.ok(
    f.driver.calls.some((c) => c.op === 'hangup' && c.leg === leg),
    'the phone leg was hung up',
  );
  t.equal(await f.redis.exists('g:{g}:desk-node:test-node'), 0, 'heartbeat withdrawn');
});
