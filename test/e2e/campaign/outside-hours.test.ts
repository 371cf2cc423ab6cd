/**
 * A running campaign outside its hours says so — stored status (GET
 * /campaigns/:id → dialing), a `campaign.dialing` event with the opening time —
 * and starts dialling by itself when the window opens. Real hours (minute
 * granularity), so the test waits for the next minute boundary (≤ 70 s).
 */
import t from 'tap';
import { DialQueue } from '../../../lib/store/dial-queue';
import { getDialingStatus } from '../../../lib/store/campaign-dialing';
import { makeList, numbersFor, runCampaign, startCampaignEnv } from '../../helpers/campaign-env';
import type { DialerEvent } from '../../../lib/dialer/events';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const hhmm = (ms: number) => new Date(ms).toISOString().slice(11, 16);

t.test('outside its hours a campaign exposes why, then dials when the window opens', { timeout: 150000 }, async (t) => {
  const env = await startCampaignEnv(t, { agents: 1 });
  const { redis, services } = env;
  const desk = services.desk;
  desk.on('screen-pop', (e) => setTimeout(() => void desk.hangupCustomer(e.agentId).catch(() => undefined), 500));
  desk.on('state', (e) => {
    if (e.to === 'wrap_up') setTimeout(() => void desk.finishWrapUp(e.agentId, 'continue').catch(() => undefined), 100);
  });
  const events: Extract<DialerEvent, { type: 'campaign.dialing' }>[] = [];
  services.runner.events.onEvent((e) => {
    if (e.type === 'campaign.dialing' && e.campaignId === 'oh') events.push(e);
  });
  await desk.login('ag1');
  for (let i = 0; (await desk.readyCount(['sales'])) < 1; i++) {
    if (i > 100) throw new Error('agent not ready');
    await sleep(100);
  }
  // Opens at the next minute boundary at least 10 s away (UTC, every day until midnight).
  let opensAt = Math.ceil((Date.now() + 1) / 60_000) * 60_000;
  if (opensAt - Date.now() < 10_000) opensAt += 60_000;
  t.ok(hhmm(opensAt) !== '00:00', 'not across midnight');
  const window = [{ from: hhmm(opensAt), to: '24:00' }];
  const hours = { timeZone: 'UTC', days: { mon: window, tue: window, wed: window, thu: window, fri: window, sat: window, sun: window } };
  await makeList(redis, 'L', numbersFor([0]));
  await runCampaign(redis, 'oh', 'L', { mode: 'progressive', ringTimeoutSec: 20, agentGroups: ['sales'], hours });

  for (let i = 0; !(await getDialingStatus(redis, 'oh')); i++) {
    if (i > 50) break;
    await sleep(100);
  }
  const idle = await getDialingStatus(redis, 'oh');
  t.match(idle, { state: 'idle', reason: 'outside_hours', until: opensAt }, 'the stored status says outside hours until the opening');
  t.match(events[0], { state: 'idle', reason: 'outside_hours', until: opensAt }, 'and a campaign.dialing event said so');
  t.equal((await new DialQueue(redis, 'oh').history()).length, 0, 'nothing dialled before the opening');

  for (let i = 0; (await new DialQueue(redis, 'oh').history()).length === 0; i++) {
    if (Date.now() > opensAt + 30_000) break;
    await sleep(250);
  }
  const history = await new DialQueue(redis, 'oh').history();
  t.equal(history.length, 1, 'the contact was dialled once the window opened');
  t.ok(Number(JSON.parse(history[0]?.fields.data ?? '{}').startedAt) >= opensAt, 'not before the opening');
  t.ok(
    events.some((e) => e.state === 'dialing'),
    'a campaign.dialing event announced dialling',
  );
  t.equal(
    events.filter((e) => e.state === 'idle' && e.reason === 'outside_hours').length,
    1,
    'the idle reason was published once, not every tick',
  );
});
