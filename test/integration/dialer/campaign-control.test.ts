/** Campaign control: a transition is applied, then published for every runner to wake on (real Redis pub/sub). */
import t from 'tap';
import { applyTransition, onControl, type ControlMessage } from '../../../lib/dialer/campaign-control';
import { createCampaign, attachList } from '../../../lib/store/campaigns';
import { makeAgents, makeList } from '../../../lib/demo/store-setup';
import { startTestRedis } from '../../helpers/redis';
import { MonitorHub } from '../../../lib/monitor/hub';
import { CampaignWatcher } from '../../../lib/monitor/watcher';

t.test('start, pause and resume are published with their dialing effect', async (t) => {
  const { redis } = await startTestRedis(t);
  const seen: ControlMessage[] = [];
  const off = await onControl(redis, (m) => seen.push(m));
  t.teardown(off);
  await makeAgents(redis, 'sales', []);
  await makeList(redis, 'L', ['03-1234-5670']);
  await createCampaign(redis, { id: 'cc', name: 'cc', agentGroups: ['sales'] }, { region: 'JP' });
  await attachList(redis, 'cc', { listId: 'L', active: true });
  await applyTransition(redis, 'cc', 'start');
  await applyTransition(redis, 'cc', 'pause');
  await applyTransition(redis, 'cc', 'resume');
  await t.rejects(applyTransition(redis, 'cc', 'start'), { name: 'IllegalTransitionError' }, 'a refused transition publishes nothing');
  for (let i = 0; seen.length < 3 && i < 50; i++) await new Promise((r) => setTimeout(r, 20));
  t.same(seen, [
    { campaignId: 'cc', event: 'start', state: 'running', dialing: 'start' },
    { campaignId: 'cc', event: 'pause', state: 'paused', dialing: 'stop' },
    { campaignId: 'cc', event: 'resume', state: 'running', dialing: 'start' },
  ]);
});

t.test('the campaign watcher publishes campaign.state on a control message, not on its next poll', async (t) => {
  const { redis } = await startTestRedis(t);
  const hub = new MonitorHub();
  const states: unknown[] = [];
  hub.onPublish((e) => {
    if (e.type === 'campaign.state') states.push(e.data);
  });
  // A poll period far longer than the test: only the control message can make the watcher look again.
  const watcher = new CampaignWatcher(redis, hub, { pollMs: 3_600_000, abandonWarnRatio: 0.8, abandonWarnMinCalls: 10 });
  await makeAgents(redis, 'sales', []);
  await makeList(redis, 'L', ['03-1234-5670']);
  await createCampaign(redis, { id: 'cw', name: 'cw', agentGroups: ['sales'] }, { region: 'JP' });
  await attachList(redis, 'cw', { listId: 'L', active: true });
  watcher.start();
  t.teardown(() => watcher.stop());
  const until = async (n: number) => {
    for (let i = 0; states.length < n && i < 100; i++) await new Promise((r) => setTimeout(r, 20));
  };
  await watcher.poll();
  await watcher.subscribed();
  await applyTransition(redis, 'cw', 'start');
  await until(1);
  await applyTransition(redis, 'cw', 'pause');
  await until(2);
  t.same(states, [
    { campaignId: 'cw', name: 'cw', from: 'draft', to: 'running' },
    { campaignId: 'cw', name: 'cw', from: 'running', to: 'paused' },
  ]);
});
