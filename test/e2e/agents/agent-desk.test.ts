/**
 * The agent desk on the embedded driver with SIPp phones: an agent logs in,
 * their SIPp phone answers and receives hold-music RTP, the agent is reserved,
 * beeped and bridged to a SIPp customer with audio both ways, the agent hangs
 * up the customer and is back on hold music in wrap-up, then ends the shift.
 */
import t from 'tap';
import pino from 'pino';
import { createAgentDesk } from '../../../lib/agents';
import { validateConfig } from '../../../lib/config';
import { createAgent, createGroup } from '../../../lib/store/agents';
import { getAgentLive } from '../../../lib/store/agent-live';
import { listUnsaved } from '../../../lib/store/agent-unsaved';
import { startSipp } from '../../../lib/telephony/testing/sipp';
import { startTestDriver } from '../../../lib/telephony/testing/driver';
import type { LegEvent } from '../../../lib/telephony/contract';
import { startTestRedis } from '../../helpers/redis';

/** Polls a condition driven by the network, bounded (fails after `ms`). */
async function until(cond: () => Promise<boolean> | boolean, what: string, ms = 8000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

t.test('login, hold music, reserve, beep, bridge, hang up customer, wrap-up, end', { timeout: 60000 }, async (t) => {
  const { redis } = await startTestRedis(t);
  const phone = await startSipp({ scenario: 'agent-phone', timeoutS: 50 });
  const customer = await startSipp({ scenario: 'uas-person', timeoutS: 50 });
  const driver = await startTestDriver({ trunks: [{ name: 'carrier', address: customer.address }] });
  const config = validateConfig({ log: { level: 'silent' }, dialer: { agents: { beep: { freqHz: 1000, durationMs: 200 } } } });
  const desk = createAgentDesk({ redis, driver, log: pino({ level: 'silent' }), config: config.dialer.agents, nodeId: 'e2e-agents' });
  await desk.start({ sweep: false });
  t.teardown(async () => {
    await desk.stop();
    await driver.stop();
    await phone.stop();
    await customer.stop();
  });
  const events: LegEvent[] = [];
  driver.onEvent((e) => events.push(e));
  const states: string[] = [];
  desk.on('state', (e) => states.push(e.to));
  const pops: unknown[] = [];
  desk.on('screen-pop', (e) => pops.push(e.pop));

  await createGroup(redis, { id: 'sales', name: 'Sales' });
  await createAgent(redis, { id: 'a1', name: 'Agent One', sipUri: `sip:a1@${phone.address}`, groups: ['sales'] });

  await desk.login('a1');
  await until(async () => (await getAgentLive(redis, 'a1'))?.state === 'ready', 'the agent phone to answer');
  const agentLeg = (await getAgentLive(redis, 'a1'))!.leg!;
  t.ok(
    events.some((e) => e.type === 'answer' && e.legId === agentLeg),
    "the SIPp phone answered the dialer's call",
  );
  await until(() => driver.rtpStats(agentLeg).packetsOut >= 25, 'hold music RTP to the phone');
  t.pass(`hold music is streaming to the agent phone (${driver.rtpStats(agentLeg).packetsOut} packets)`);
  t.equal(await desk.readyCount(['sales']), 1);

  const cust = await driver.originate({ to: '0312345670', ringTimeoutMs: 5000 });
  await until(() => events.some((e) => e.type === 'answer' && e.legId === cust), 'the customer to answer');
  const r = await desk.reserve(['sales'], 'att-1');
  t.equal(r?.agentId, 'a1');
  t.equal(r?.legId, agentLeg);
  const beforeBeep = driver.rtpStats(agentLeg).packetsOut;
  await desk.connect(r!, cust, {
    campaignId: 'camp1',
    attemptId: 'att-1',
    listId: 'L1',
    contactId: 'c1',
    phone: '+81312345670',
    name: 'Sato',
    attemptNo: 1,
  });
  // The beep is played (and awaited) on the agent leg before the bridge: 200 ms = 10 packets at least.
  t.ok(driver.rtpStats(agentLeg).packetsOut - beforeBeep >= 10, 'the beep went to the agent phone before the bridge');
  t.ok(
    events.some((e) => e.type === 'bridged' && e.legId === agentLeg && e.peer === cust),
    'agent and customer bridged',
  );
  t.equal((await getAgentLive(redis, 'a1'))?.state, 'talking');
  t.match(pops, [{ contactId: 'c1', name: 'Sato' }], 'screen pop');

  const a0 = driver.rtpStats(agentLeg);
  const c0 = driver.rtpStats(cust);
  await until(
    () => driver.rtpStats(agentLeg).packetsIn - a0.packetsIn >= 30 && driver.rtpStats(cust).packetsIn - c0.packetsIn >= 30,
    'audio from both sides',
  );
  const a1 = driver.rtpStats(agentLeg);
  const c1 = driver.rtpStats(cust);
  t.ok(c1.packetsOut - c0.packetsOut >= 20, `agent audio reaches the customer (${c1.packetsOut - c0.packetsOut} packets)`);
  t.ok(a1.packetsOut - a0.packetsOut >= 20, `customer audio reaches the agent (${a1.packetsOut - a0.packetsOut} packets)`);

  await desk.hangupCustomer('a1');
  await until(() => events.some((e) => e.type === 'end' && e.legId === cust), 'the customer leg to end');
  t.equal((await getAgentLive(redis, 'a1'))?.state, 'wrap_up');
  t.notOk(
    events.some((e) => e.type === 'end' && e.legId === agentLeg),
    'the agent phone stays up (nailed up)',
  );
  const w0 = driver.rtpStats(agentLeg).packetsOut;
  await until(() => driver.rtpStats(agentLeg).packetsOut - w0 >= 20, 'hold music again in wrap-up');
  t.pass('hold music again in wrap-up');

  await desk.finishWrapUp('a1', 'end', 'att-1');
  await until(() => events.some((e) => e.type === 'end' && e.legId === agentLeg), 'the agent leg to end');
  t.equal((await getAgentLive(redis, 'a1'))?.state, 'logged_out');
  t.same(await listUnsaved(redis), [], 'nothing unsaved after a normal wrap-up');
  t.same(states, ['connecting', 'ready', 'reserved', 'talking', 'wrap_up', 'logged_out']);
  t.equal((await phone.done).code, 0, 'the agent SIPp phone saw a clean call');
  t.equal((await customer.done).code, 0, 'the customer SIPp saw a clean call');
});

t.test('the agent hangs up their phone mid-call: the call is kept as unsaved, the customer is released', { timeout: 60000 }, async (t) => {
  const { redis } = await startTestRedis(t);
  // A phone that hangs up by itself 4 s after answering (agent-phone-drops): a dropped agent phone, mid-call.
  const phone = await startSipp({ scenario: 'agent-phone-drops', timeoutS: 50 });
  const customer = await startSipp({ scenario: 'uas-person', timeoutS: 50 });
  const driver = await startTestDriver({ trunks: [{ name: 'carrier', address: customer.address }] });
  const config = validateConfig({ log: { level: 'silent' } });
  const desk = createAgentDesk({ redis, driver, log: pino({ level: 'silent' }), config: config.dialer.agents, nodeId: 'e2e-agents-2' });
  await desk.start({ sweep: false });
  t.teardown(async () => {
    await desk.stop();
    await driver.stop();
    await phone.stop();
    await customer.stop();
  });
  const events: LegEvent[] = [];
  driver.onEvent((e) => events.push(e));
  await createGroup(redis, { id: 'sales', name: 'Sales' });
  await createAgent(redis, { id: 'a1', name: 'Agent One', sipUri: `sip:a1@${phone.address}`, groups: ['sales'] });
  // The customer first, so that the call is connected well inside the phone's 4 s.
  const cust = await driver.originate({ to: '0312345670', ringTimeoutMs: 5000 });
  await until(() => events.some((e) => e.type === 'answer' && e.legId === cust), 'the customer to answer');
  await desk.login('a1');
  await until(async () => (await getAgentLive(redis, 'a1'))?.state === 'ready', 'the agent phone to answer');
  const r = (await desk.reserve(['sales'], 'att-2'))!;
  await desk.connect(r, cust, {
    campaignId: 'camp1',
    attemptId: 'att-2',
    listId: 'L1',
    contactId: 'c2',
    phone: '+81312345670',
    attemptNo: 1,
  });
  await until(async () => (await getAgentLive(redis, 'a1'))?.state === 'logged_out', 'the agent phone to hang up', 15000);
  await until(() => events.some((e) => e.type === 'end' && e.legId === cust), 'the customer leg to be released');
  const un = await listUnsaved(redis, { agentId: 'a1' });
  t.equal(un.length, 1);
  t.match(un[0], { attemptId: 'att-2', callState: 'talking', pop: { contactId: 'c2' } });
});

t.test('blind transfer: the customer is bridged to the target, the agent goes to wrap-up', { timeout: 60000 }, async (t) => {
  const { redis } = await startTestRedis(t);
  const phone = await startSipp({ scenario: 'agent-phone', timeoutS: 50 });
  const target = await startSipp({ scenario: 'agent-phone', timeoutS: 50 });
  const customer = await startSipp({ scenario: 'uas-person', timeoutS: 50 });
  const driver = await startTestDriver({ trunks: [{ name: 'carrier', address: customer.address }] });
  const config = validateConfig({ log: { level: 'silent' } });
  const desk = createAgentDesk({ redis, driver, log: pino({ level: 'silent' }), config: config.dialer.agents, nodeId: 'e2e-agents-3' });
  await desk.start({ sweep: false });
  t.teardown(async () => {
    await desk.stop();
    await driver.stop();
    await Promise.all([phone.stop(), target.stop(), customer.stop()]);
  });
  const events: LegEvent[] = [];
  driver.onEvent((e) => events.push(e));
  await createGroup(redis, { id: 'sales', name: 'Sales' });
  await createAgent(redis, { id: 'a1', name: 'Agent One', sipUri: `sip:a1@${phone.address}`, groups: ['sales'] });
  await desk.login('a1');
  await until(async () => (await getAgentLive(redis, 'a1'))?.state === 'ready', 'the agent phone to answer');
  const cust = await driver.originate({ to: '0312345670', ringTimeoutMs: 5000 });
  await until(() => events.some((e) => e.type === 'answer' && e.legId === cust), 'the customer to answer');
  const r = (await desk.reserve(['sales'], 'att-3'))!;
  await desk.connect(r, cust, {
    campaignId: 'camp1',
    attemptId: 'att-3',
    listId: 'L1',
    contactId: 'c3',
    phone: '+81312345670',
    attemptNo: 1,
  });

  await desk.transfer('a1', `sip:desk@${target.address}`);
  const bridged = events.find((e) => e.type === 'bridged' && e.legId === cust && e.peer !== r.legId);
  t.ok(bridged, 'the customer is bridged to a new leg');
  const targetLeg = (bridged as { peer: string }).peer;
  t.equal((await getAgentLive(redis, 'a1'))?.state, 'wrap_up', 'the agent is in wrap-up');
  t.notOk(
    events.some((e) => e.type === 'end' && e.legId === r.legId),
    'the agent phone stays up',
  );
  const c0 = driver.rtpStats(cust);
  const x0 = driver.rtpStats(targetLeg);
  await until(
    () => driver.rtpStats(cust).packetsOut - c0.packetsOut >= 20 && driver.rtpStats(targetLeg).packetsOut - x0.packetsOut >= 20,
    'audio both ways between customer and target',
  );
  t.pass('customer and transfer target hear each other');
  await driver.hangup(targetLeg);
  await until(() => events.some((e) => e.type === 'end' && e.legId === cust), 'the customer to be hung up when the target hangs up');
  t.pass('the target hanging up ends the customer leg');
});
