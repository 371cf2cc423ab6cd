/**
 * An agent's leg outlives each customer it is bridged to, on the freeswitch
 * driver, live (drachtio-server + FreeSWITCH from freeswitch-conf/).
 *
 * Found by reproducing the FreeSWITCH desktop test's intermittent failure
 * ("hang up customer" after a barge never reached wrap-up): it was not the
 * BYE. Once the customer's endpoint was destroyed, FreeSWITCH hung the agent's
 * endpoint up too (NORMAL_CLEARING about 60-140 ms later): when a uuid_bridge
 * ends, the surviving channel goes back to its dialplan, whose last action
 * (`socket ... async full`) has already returned, so the channel is cleared;
 * `hangup_after_bridge=false` does not apply to uuid_bridge. Hold music sent
 * to the agent at that moment sometimes won the race, hence "intermittent".
 * The dialplan now sets `park_after_bridge=true`: the survivor is parked (as
 * `unbridge` parks it), still under the driver's control.
 *
 * Nothing is played to the agent between the hang-up and the check, so
 * without the fix the agent's leg ends every time. Three customers in turn
 * go through one agent leg, as in a shift.
 *
 * Second part: a far end that never answers our BYE (SIPp scenario
 * phone-probe-mute-bye) does not hold `hangup` for Timer F (64·T1 = 32 s):
 * RFC 3261 §15.1.1 ends the session once the BYE is handed to its client
 * transaction, so the hang-up returns at once and the BYE's fate is only
 * logged.
 */
import t from 'tap';
import type { RtpProbe } from '../../../lib/telephony/testing/rtp-probe';
import { holdUntilHeard, probePhone, startLiveDriver, watchLegs } from '../../helpers/live-freeswitch';
import { liveServersMissing, startLiveServers } from '../../helpers/live-servers';
import { untilWithin } from '../../helpers/wait';

const AGENT = 600;
const CUSTOMER = 1100;
const PROMPT = 1700;
/** Timer F (64·T1, RFC 3261 §17.1.2.2): what a hang-up waiting for the BYE's answer would take. */
const TIMER_F_MS = 32000;

const until = untilWithin(20000, 20);

/** The share of `hz` in what the probe received over the last second, once a second of frames has come in since `since`. */
function recentShare(p: RtpProbe, hz: number, since: number): number {
  const now = Date.now();
  const from = Math.max(since, now - 1000);
  if (p.frames.filter((f) => f.at >= from).length < 25) return 0;
  return p.heard([hz], from, now).shares[hz]!;
}

t.test(
  'freeswitch driver: the agent leg outlives the customers hung up from it; a BYE never answered does not hold the hang-up',
  { skip: liveServersMissing() ?? false, timeout: 180000 },
  async (t) => {
    const live = await startLiveServers(t);
    const agent = await probePhone(t, { toneHz: AGENT, timeoutS: 170 });
    // Each customer is its own SIPp phone: the trunk is replaced per call by a full SIP URI.
    const driver = await startLiveDriver(t, live, { trunk: agent.sipp.address });
    const { answered, ended } = watchLegs(driver, 20000);

    const a = await driver.originate({ to: `sip:agent@${agent.sipp.address}`, ringTimeoutMs: 10000 });
    await answered(a);

    for (let round = 1; round <= 3; round++) {
      const customer = await probePhone(t, { toneHz: CUSTOMER });
      const c = await driver.originate({ to: `sip:customer@${customer.sipp.address}`, ringTimeoutMs: 10000 });
      await answered(c);
      await holdUntilHeard(driver, c, customer.probe, 20000);
      await driver.bridge(a, c);
      const bridgedAt = Date.now();
      await until(() => recentShare(agent.probe, CUSTOMER, bridgedAt) > 0.5, `round ${round}: the agent to hear the customer`);

      await driver.hangup(c, { reason: 'agent hung up' });
      t.match(ended(c), { by: 'local', answered: true }, `round ${round}: the customer leg ended`);
      // Nothing is sent to the agent now: FreeSWITCH alone decides whether the agent's channel lives on.
      // The proof it does is audio, not a quiet interval: a prompt played afterwards reaches the agent's phone.
      const hungUpAt = Date.now();
      while (Date.now() - hungUpAt < 300 && !ended(a)) await new Promise((r) => setTimeout(r, 20));
      if (!ended(a)) await driver.play(a, { kind: 'tone', freqHz: PROMPT, durationMs: 60000 }).catch(() => undefined);
      await until(
        () => !!ended(a) || recentShare(agent.probe, PROMPT, hungUpAt) > 0.5,
        `round ${round}: the agent to hear the prompt`,
      ).catch(() => undefined);
      const agentEnd = ended(a);
      t.notOk(agentEnd, `round ${round}: the agent leg lives on${agentEnd ? ` (ended: ${JSON.stringify(agentEnd)})` : ''}`);
      if (agentEnd) return;
      t.ok(recentShare(agent.probe, PROMPT, hungUpAt) > 0.5, `round ${round}: the agent hears what is played to them after the hang-up`);
      await driver.stopPlayback(a);
    }

    // A far end that never answers the BYE: the hang-up returns without waiting for Timer F.
    const mute = await probePhone(t, { toneHz: CUSTOMER, scenario: 'phone-probe-mute-bye' });
    const c = await driver.originate({ to: `sip:customer@${mute.sipp.address}`, ringTimeoutMs: 10000 });
    await answered(c);
    await holdUntilHeard(driver, c, mute.probe, 20000);
    await driver.bridge(a, c);
    const started = Date.now();
    const outcome = await Promise.race([
      driver.hangup(c, { reason: 'agent hung up' }).then(() => 'returned' as const),
      new Promise<'held'>((r) => setTimeout(() => r('held'), TIMER_F_MS / 2)),
    ]);
    t.equal(
      outcome,
      'returned',
      `the hang-up returned without the BYE's answer (after ${Date.now() - started} ms; Timer F is ${TIMER_F_MS} ms)`,
    );
    t.match(ended(c), { by: 'local', answered: true, sipReason: 'BYE' }, 'the leg ended by our BYE');
    t.notOk(ended(a), 'the agent leg lives on');
  },
);
