/**
 * A runner tick held up past the attempt lease must not reap the calls this
 * very process is carrying. The tick renews the leases of its live attempts,
 * and reaps the lapsed ones (a dead dialer's); an originate that waits on a
 * stalled media server (fsmrf's endpoint, the analysis attach, the admission
 * before the send) holds the tick, and the lapsed leases were then its own:
 * the next tick closed a person bridged to an agent as 13 (interrupted) while
 * the call went on, and the call's true result was refused as a second close.
 * Seen with a FreeSWITCH SIGSTOPped for 10 s under the live campaign test
 * (test/e2e/freeswitch/campaign.test.ts), whose digit-5 and digit-8 calls
 * ended 13 with `interrupted` in their history.
 *
 * Made certain here, on the real lease (the loopback config's 8 s) and the
 * embedded driver with SIPp far ends: both agents are ready, so one tick
 * places two calls; the second one's last word before its INVITE
 * (OriginateRequest.beforeSend, where the driver's own admission waits) takes
 * one and a half leases. Meanwhile the first call is answered and bridged,
 * and its agent talks on past the stall.
 */
import t from 'tap';
import type { OriginateRequest } from '../../../lib/telephony/contract';
import { DialQueue } from '../../../lib/store/dial-queue';
import { agentsTalk, loginReady, makeList, numbersFor, runCampaign, startCampaignEnv, waitCompleted } from '../../helpers/campaign-env';
import { sleep } from '../../helpers/wait';

t.test('a tick held up past the attempt lease leaves its own live calls alone', { timeout: 150000 }, async (t) => {
  const env = await startCampaignEnv(t, { agents: 2 });
  const { redis, services, config } = env;
  const desk = services.desk;
  const leaseMs = config.dialer.runner.attemptLeaseMs;
  const stallMs = Math.round(leaseMs * 1.5);
  // The first customer is still talking to their agent when the stalled tick ends (and the next one reaps).
  const talkedTo = agentsTalk(desk, { talkMs: stallMs + leaseMs, wrapMs: 100 });

  const driver = services.driver;
  const originate = driver.originate.bind(driver);
  let held = 0;
  let heldUntil = 0;
  driver.originate = (req: OriginateRequest) => {
    // The agents' own legs (their login calls) go through here too: only the campaign's calls count.
    if (!req.tags?.campaignId || held++ !== 1) return originate(req);
    const before = req.beforeSend;
    return originate({
      ...req,
      beforeSend: async () => {
        await sleep(stallMs);
        heldUntil = Date.now();
        return before ? before() : true;
      },
    });
  };

  await loginReady(desk, ['ag1', 'ag2']);
  await makeList(redis, 'L', numbersFor([0, 0]));
  await runCampaign(redis, 'stall', 'L', { mode: 'progressive', ringTimeoutSec: 20, maxAttempts: 1, agentGroups: ['sales'] });

  t.equal(await waitCompleted(redis, 'stall', 120_000), 'completed', 'the campaign completed');
  t.ok(heldUntil > 0, `the second call's send was held ${stallMs} ms (one and a half leases of ${leaseMs} ms)`);
  const history = await new DialQueue(redis, 'stall').history();
  const rows = history
    .map((h) => ({ ref: h.fields.ref, code: h.fields.code, interrupted: /"interrupted":true/.test(h.fields.data ?? '') }))
    .sort((a, b) => String(a.ref).localeCompare(String(b.ref)));
  const want = [
    { ref: 'L:c0', code: '20', interrupted: false },
    { ref: 'L:c1', code: '20', interrupted: false },
  ];
  const wrong = JSON.stringify(rows) === JSON.stringify(want) ? '' : `; history: ${JSON.stringify(history.map((h) => h.fields))}`;
  t.same(rows, want, `both calls connected, neither reaped as interrupted${wrong}`.slice(0, 3000));
  t.equal(Object.keys(talkedTo).length, 2, 'both customers reached an agent');
});
