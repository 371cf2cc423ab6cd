/**
 * A return call forwarded to a target that fails (issue 18, embedded driver):
 * the route forwards before answering, the target (SIPp) answers 486, and the
 * caller (SIPp) gets that 486 passed through, which it ACKs. The dialer
 * records the call as forward-failed with one transfer.failed event.
 * A target that answers and hangs up at once races the bridge: whichever
 * wins, the call gets one outcome and one report of it (on a loaded
 * FreeSWITCH host the BYE can win, and the failed bridge and the ended leg
 * both reported the failure before lib/inbound/service.ts kept to the first;
 * on this driver the bridge won every run so far).
 */
import t from 'tap';
import { putRoute, recentInboundCalls } from '../../../lib/store/inbound';
import type { EmbeddedDriver } from '../../../lib/telephony/drivers/embedded/driver';
import { startCampaignEnv } from '../../helpers/campaign-env';
import { allDay, inboundCalls } from '../../helpers/inbound-calls';
import { untilWithin } from '../../helpers/wait';

const until = untilWithin(15_000);

/** A dialer whose route for `did` forwards every call to a SIPp far end running `scenario`. */
async function forwardingTo(t: Parameters<typeof startCampaignEnv>[0], scenario: string, did: string) {
  const env = await startCampaignEnv(t, { agents: 0 });
  const driver = env.services.driver as EmbeddedDriver;
  const calls = inboundCalls(t, {
    inbound: env.services.inbound,
    remote: `${driver.sipEndpoint.address}:${driver.sipEndpoint.port}`,
    callerTimeoutS: 60,
    farTimeoutS: 60,
  });
  const target = await calls.far(scenario);
  const forward = { type: 'forward' as const, to: `sip:desk@${target.address}` };
  await putRoute(env.redis, { timeZone: 'UTC', holidays: [], closeRetries: false, did, bands: allDay(forward), closed: forward });
  return { env, target, ...calls };
}

t.test('a forward to a busy target: its 486 reaches the caller, one transfer.failed', { timeout: 90_000 }, async (t) => {
  const { env, target: busyTarget, events, callIn } = await forwardingTo(t, 'uas-busy-486', '+81312350001');

  const caller = await callIn('0312350001', '09022220001', { scenario: 'inbound-caller-486' });
  t.equal((await caller.done).code, 0, 'the caller got 486 Busy Here and ACKed it');
  t.equal((await busyTarget.done).code, 0, 'the target answered the forwarded INVITE with 486');

  const mine = () => events.filter((e) => e.data.caller === '+819022220001');
  await until(async () => (await recentInboundCalls(env.redis, 10)).some((r) => r.endedAt), 'the call record closed');
  const failed = mine().filter((e) => e.type === 'transfer.failed');
  t.equal(
    failed.length,
    1,
    `one transfer.failed (${mine()
      .map((e) => e.type)
      .join(', ')})`,
  );
  t.match(failed[0]?.data.error, /486/, 'it names the target status');
  t.notOk(
    mine().some((e) => e.type === 'inbound.forwarded'),
    'no forwarded event',
  );
  const record = (await recentInboundCalls(env.redis, 10)).find((r) => r.caller === '+819022220001');
  t.equal(record?.outcome, 'forward-failed', 'the call record says forward-failed');
  t.equal(record?.forwardedTo, `sip:desk@${busyTarget.address}`, 'and where it was forwarded');
});

t.test('a forward target that answers and hangs up at once: the caller gets our BYE, one outcome', { timeout: 90_000 }, async (t) => {
  const { env, target, events, callIn } = await forwardingTo(t, 'uas-answer-then-bye', '+81312350002');

  const caller = await callIn('0312350002', '09022220002');
  t.equal((await caller.done).code, 0, 'the caller was answered and got our BYE');
  t.equal((await target.done).code, 0, 'the target answered and hung up');
  await until(async () => (await recentInboundCalls(env.redis, 10)).some((r) => r.endedAt), 'the call record closed');
  const mine = events.filter((e) => e.data.caller === '+819022220002');
  const types = mine.map((e) => e.type);
  // Whichever came first (the bridge or the BYE), the call has one outcome and one report of it.
  const failed = types.filter((x) => x === 'transfer.failed').length;
  const forwarded = types.filter((x) => x === 'inbound.forwarded').length;
  t.equal(failed + forwarded, 1, `one outcome reported (${types.join(', ')})`);
  const record = (await recentInboundCalls(env.redis, 10)).find((r) => r.caller === '+819022220002');
  t.equal(record?.outcome, forwarded ? 'forwarded' : 'forward-failed', `the record agrees (${record?.outcome})`);
});
