/**
 * A running campaign whose calls the telephony gives back unsent says why, and
 * loses nothing. Every call the driver refuses before its INVITE leaves
 * (NO_CAPACITY: drachtio-server down, no media server that answers, the send's
 * admission gone) goes back to the queue uncounted; with none up, the campaign
 * looked like "dialing" (it claimed contacts every tick) while nothing went
 * out. Now it reports `telephony_refused` with the driver's reason, and once
 * the telephony takes calls again they are placed as first attempts. Here the
 * refusal is the embedded driver's own at the send (`beforeSend` answering no),
 * the path the freeswitch driver takes with drachtio-server down
 * (test/e2e/freeswitch/drachtio-restart.test.ts).
 */
import t from 'tap';
import { DialQueue } from '../../../lib/store/dial-queue';
import { getDialingStatus } from '../../../lib/store/campaign-dialing';
import type { OriginateRequest } from '../../../lib/telephony/contract';
import type { DialerEvent } from '../../../lib/dialer/events';
import { agentsTalk, loginReady, makeList, numbersFor, runCampaign, startCampaignEnv, waitCompleted } from '../../helpers/campaign-env';
import { until } from '../../helpers/wait';

t.test(
  'calls given back unsent: the campaign says telephony_refused, and dials them as first attempts later',
  { timeout: 120000 },
  async (t) => {
    const env = await startCampaignEnv(t, { agents: 1 });
    const { redis, services } = env;
    const desk = services.desk;
    agentsTalk(desk, { talkMs: 500, wrapMs: 100 });
    const events: Extract<DialerEvent, { type: 'campaign.dialing' }>[] = [];
    services.runner.events.onEvent((e) => {
      if (e.type === 'campaign.dialing' && e.campaignId === 'tr') events.push(e);
    });
    let refusing = true;
    let refused = 0;
    const driver = services.driver;
    const originate = driver.originate.bind(driver);
    // The campaign's calls only: the agents' phones are called through the same driver.
    driver.originate = (req: OriginateRequest) =>
      originate(refusing && req.tags?.campaignId === 'tr' ? { ...req, beforeSend: async () => (refused++, false) } : req);
    await loginReady(desk, ['ag1']);
    await makeList(redis, 'L', numbersFor([0, 0]));
    await runCampaign(redis, 'tr', 'L', { mode: 'progressive', ringTimeoutSec: 20, maxAttempts: 1, agentGroups: ['sales'] });

    await until(async () => (await getDialingStatus(redis, 'tr'))?.state === 'idle', 'an idle status', 30_000, 100);
    t.match(
      await getDialingStatus(redis, 'tr'),
      { state: 'idle', reason: 'telephony_refused', detail: /gave back every call unsent.*not admitted at the moment of sending/ },
      'the stored status says the telephony refused the calls, and why',
    );
    t.match(events.at(-1), { state: 'idle', reason: 'telephony_refused' }, 'a campaign.dialing event said so');
    await until(() => refused >= 3, 'a few refusals', 30_000, 100);
    t.equal((await new DialQueue(redis, 'tr').history()).length, 0, 'nothing was closed: no attempt counted');

    refusing = false;
    t.equal(await waitCompleted(redis, 'tr', 60_000), 'completed', 'the campaign completed once calls went out');
    const history = await new DialQueue(redis, 'tr').history();
    t.same(
      history.map((h) => [h.fields.code, h.fields.attemptNo]),
      [
        ['20', '1'],
        ['20', '1'],
      ],
      'both contacts connected, each on its first attempt (maxAttempts 1)',
    );
    t.ok(
      events.some((e) => e.state === 'dialing'),
      'a campaign.dialing event announced dialling',
    );
    t.equal(
      events.filter((e) => e.state === 'idle' && e.reason === 'telephony_refused').length,
      1,
      'the reason was published once, not every tick',
    );
  },
);
