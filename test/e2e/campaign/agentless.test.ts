/**
 * Agentless to a voice bot (seed 000): a person is bridged to the campaign's
 * bot/IVR SIP URI (a SIPp phone here) → 20; machines and busy end as usual.
 */
import t from 'tap';
import { DialQueue } from '../../../lib/store/dial-queue';
import { getCampaign } from '../../../lib/store/campaigns';
import { startSipp } from '../../../lib/telephony/testing/sipp';
import { makeList, numbersFor, runCampaign, startCampaignEnv } from '../../helpers/campaign-env';

t.test('an agentless campaign bridges people to the bot URI', { timeout: 120000 }, async (t) => {
  const env = await startCampaignEnv(t, { agents: 0 });
  // A bot that answers, talks and hangs up 5 s later (uas-forward-target), as an IVR would when done.
  // uas-callee-hangup's 0.8 s is shorter than a loaded host may take to bridge the person to it (the race
  // round twenty-three's CI run lost with a forward target): no bot ends a call within a second.
  const bot = await startSipp({ scenario: 'uas-forward-target', calls: 10, timeoutS: 100 });
  t.teardown(() => bot.stop());
  const digits = [0, 0, 1, 3];
  await makeList(env.redis, 'L', numbersFor(digits));
  const bridges: string[] = [];
  env.services.driver.onEvent((e) => {
    if (e.type === 'bridged') bridges.push(e.legId);
  });
  await runCampaign(env.redis, 'bot', 'L', {
    mode: 'agentless',
    agentless: { botUri: `sip:bot@${bot.address}` },
    maxConcurrentCalls: 4,
    ringTimeoutSec: 3,
    maxAttempts: 1,
  });
  for (let i = 0; (await getCampaign(env.redis, 'bot'))!.state !== 'completed'; i++) {
    if (i > 300) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  t.equal((await getCampaign(env.redis, 'bot'))!.state, 'completed');
  const codes = (await new DialQueue(env.redis, 'bot').history()).map((h) => [h.fields.ref, h.fields.code]);
  t.same(
    Object.fromEntries(codes),
    { 'L:c0': '20', 'L:c1': '20', 'L:c2': '4', 'L:c3': '3' },
    'people reached the bot, the rest ended by their own codes',
  );
  t.ok(bridges.length >= 4, `both people were bridged to a bot leg (${bridges.length} bridge events)`);
});
