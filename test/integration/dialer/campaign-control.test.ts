/** Campaign control: a transition is applied, then published for every runner to wake on (real Redis pub/sub). */
import t from 'tap';
import { applyTransition, onControl, type ControlMessage } from '../../../lib/dialer/campaign-control';
import { createCampaign, attachList } from '../../../lib/store/campaigns';
import { makeAgents, makeList } from '../../../lib/demo/store-setup';
import { startTestRedis } from '../../helpers/redis';

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
