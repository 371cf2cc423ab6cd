/**
 * Which agent takes a return call (issue 18, seed 001): agents in the "return
 * calls" state first, by the route's `agentPool` rule. Embedded driver, real
 * Redis, SIPp agent phones and SIPp customers calling in:
 *  - return-calls-first (default): the agent taking return calls gets the call
 *    although the ready (campaign) agent has waited longer; with them busy, the
 *    ready agent takes the next one;
 *  - return-calls-only: the ready agent is never offered the call; nobody taking
 *    return calls is free → the busy forward at once, to a second SIPp;
 *  - after the call the agent is back taking return calls ("continue").
 */
import t from 'tap';
import { putRoute } from '../../../lib/store/inbound';
import { getAgentLive } from '../../../lib/store/agent-live';
import type { EmbeddedDriver } from '../../../lib/telephony/drivers/embedded/driver';
import type { ScreenPop } from '../../../lib/dialer/ports';
import { startCampaignEnv } from '../../helpers/campaign-env';
import { allDay, inboundCalls } from '../../helpers/inbound-calls';
import { untilWithin } from '../../helpers/wait';

const until = untilWithin(30_000);

t.test('return calls go to agents taking return calls first, per the route', { timeout: 150_000 }, async (t) => {
  const env = await startCampaignEnv(t, { agents: 2 });
  const driver = env.services.driver as EmbeddedDriver;
  const { desk, inbound } = env.services;
  const { events, ofCaller, callIn, far } = inboundCalls(t, {
    inbound,
    remote: `${driver.sipEndpoint.address}:${driver.sipEndpoint.port}`,
    callerTimeoutS: 120,
    farTimeoutS: 120,
  });
  const pops: { agentId: string; pop: ScreenPop }[] = [];
  desk.on('screen-pop', (e) => pops.push({ agentId: e.agentId, pop: e.pop }));
  const state = async (id: string) => (await getAgentLive(env.redis, id))?.state;

  // The busy forward's target: a person who answers and talks 5 s (uas-forward-target), not uas-callee-hangup's
  // 0.8 s, which races the bridge on a loaded host (round twenty-three's CI run lost a forward that way).
  const busyTarget = await far('uas-forward-target');
  const base = { timeZone: 'UTC', holidays: [], closeRetries: false, closed: { type: 'forward' as const, to: 'sip:x@127.0.0.1:9' } };
  await putRoute(env.redis, { ...base, did: '+81312350001', bands: allDay({ type: 'agents', groups: ['sales'] }) });
  await putRoute(env.redis, {
    ...base,
    did: '+81312350002',
    bands: allDay({
      type: 'agents',
      groups: ['sales'],
      agentPool: 'return-calls-only',
      busy: { to: `sip:desk@${busyTarget.address}` },
    }),
  });

  // ag1 ready first (waits longest), then ag2 logs in to take return calls.
  await desk.login('ag1');
  await until(async () => (await state('ag1')) === 'ready', 'ag1 ready');
  await desk.login('ag2', { returnCalls: true });
  await until(async () => (await state('ag2')) === 'return_calls', 'ag2 taking return calls');

  // ---- default rule: the return-call agent first, although ag1 waited longer ----
  const c1 = await callIn('0312350001', '09022220001');
  await until(() => pops.length === 1, 'first screen pop');
  t.equal(pops[0]!.agentId, 'ag2', 'the agent taking return calls got it');
  t.equal(await state('ag2'), 'talking');
  t.equal(await state('ag1'), 'ready', 'the ready agent was left to the campaigns');

  // ---- return-calls-only: ag2 busy, ag1 ready but not a return-call agent → busy forward at once ----
  const busyAt = Date.now();
  const c2 = await callIn('0312350002', '09022220002');
  t.equal((await c2.done).code, 0, 'the busy-forwarded caller ended cleanly');
  const fwd = ofCaller('inbound.forwarded', '+819022220002');
  t.ok(fwd, 'forwarded on busy');
  if (!fwd) t.comment(JSON.stringify(events.filter((e) => e.data.caller === '+819022220002')));
  t.ok(fwd!.at - busyAt < 10_000, `at once (${fwd!.at - busyAt} ms), not after the no-answer time`);
  t.equal(ofCaller('inbound.no-agent', '+819022220002')?.data.why, 'busy');
  t.equal((await busyTarget.done).code, 0, 'the second SIPp took the forwarded call');
  t.equal(await state('ag1'), 'ready', 'the ready agent was never reserved for it');
  t.equal(pops.length, 1);

  // ---- default rule with ag2 busy: the ready agent takes the next return call ----
  const c3 = await callIn('0312350001', '09022220003');
  await until(() => pops.length === 2, 'second screen pop');
  t.equal(pops[1]!.agentId, 'ag1', 'nobody taking return calls is free: the ready agent');

  // ---- after the call, "continue" puts ag2 back to taking return calls ----
  await desk.hangupCustomer('ag2');
  t.equal((await c1.done).code, 0, 'the first caller got our BYE when ag2 hung up');
  await until(async () => (await state('ag2')) === 'wrap_up', 'ag2 wrap-up');
  await desk.finishWrapUp('ag2', 'continue');
  t.equal(await state('ag2'), 'return_calls', 'back to return calls, not ready');
  await desk.hangupCustomer('ag1');
  t.equal((await c3.done).code, 0);
  await until(async () => (await state('ag1')) === 'wrap_up', 'ag1 wrap-up');
  await desk.finishWrapUp('ag1', 'continue');
  t.equal(await state('ag1'), 'ready', 'the campaign agent goes back to ready');
});
