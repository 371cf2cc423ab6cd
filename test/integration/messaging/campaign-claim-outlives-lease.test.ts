/**
 * A dead runner's send claims can outlive its campaign lease (both last messaging.leaseMs, but
 * they are renewed by different timers): the process that takes the lease over finds those
 * messages still 'held' and must look at them again once the claims end, or the campaign never
 * completes (CI, round ten: 39 accepted, 1 queued forever, the one the dead process had handed
 * to SIPp). Here the dead process's state is written into real Redis as its crash leaves it:
 * its lease ending first, then the claims; one message handed to the channel ('sending'), one
 * only claimed. The survivor closes the first unsent (at most once) and sends the second once.
 */
import t from 'tap';
import { startTestRedis } from '../../helpers/redis';
import { createCampaign, setState } from '../../../lib/messaging/manage';
import { getMessageCampaign } from '../../../lib/store/message-campaigns';
import { listKeys } from '../../../lib/store/lists';
import { claimStep, iterateMessages, newMessageId, putMessage, takeLease, type MessageRecord } from '../../../lib/store/messages';
import { makeContacts, receivedBodies, sipChannel, startMessageCarrier, startWithChannels, until } from './fixture';

const LEASE_MS = 1000;

t.test('claims that outlive the dead runner’s lease are resolved once they end, and the campaign completes', async (t) => {
  const { redis } = await startTestRedis(t);
  const carrier = await startMessageCarrier(t);
  // Numbers ending in 0: SIPp's network accepts them and its phones never reply (uas-message.xml).
  const rows = Array.from({ length: 4 }, (_, i) => ({ id: `k${i}`, phone: `090-1300-${String(1000 + 10 * i)}`, name: `c${i}` }));
  await makeContacts(redis, 'L', rows);
  await createCampaign(redis, { id: 'mc', name: 'mc', kind: 'sms', listId: 'L', template: 'held claim {{name}}', ratePerSec: 8 });
  await setState(redis, 'mc', 'start');

  // The dead runner's last writes: k0 and k1 recorded (cursor moved past both), k0 handed to the
  // channel, k1 claimed only; its lease ends in 200 ms, its claims 2.5 s later.
  const now = Date.now();
  let cursor = '';
  const dead: MessageRecord[] = [];
  for (const id of ['k0', 'k1']) {
    const score = (await redis.zscore(listKeys('L').order, id))!;
    const at = new Date(now).toISOString();
    const rec: MessageRecord = {
      id: newMessageId('mc'),
      campaignId: 'mc',
      kind: 'sms',
      channel: 'sip',
      contactId: id,
      listId: 'L',
      to: `+8190130010${id === 'k0' ? '00' : '10'}`,
      body: `held claim c${id.slice(1)}`,
      status: 'queued',
      history: [{ status: 'queued', at }],
      createdAt: at,
      statusAt: at,
      replies: 0,
    };
    t.equal(await putMessage(redis, rec, { to: score, expect: cursor }), 'ok');
    cursor = score;
    t.equal(await claimStep(redis, 'claim', rec.id, 'dead', now, 2700), 'claimed');
    dead.push(rec);
  }
  t.equal(await claimStep(redis, 'sending', dead[0]!.id, 'dead', now, 2700), 'ok');
  t.ok(await takeLease(redis, 'mc', 'dead', 200), 'the dead runner held the lease');

  await startWithChannels(t, redis, { sms: sipChannel(carrier.sipp.address) }, { leaseMs: LEASE_MS });
  await until(
    'the campaign completed by the survivor',
    async () => (await getMessageCampaign(redis, 'mc'))?.state === 'completed',
    20000,
  ).catch(async (err: Error) => {
    const st: Record<string, string> = {};
    for await (const r of iterateMessages(redis, 'mc')) st[r.contactId ?? ''] = r.status;
    throw new Error(`${err.message}: records ${JSON.stringify(st)}`);
  });

  const recs = new Map<string, MessageRecord>();
  for await (const r of iterateMessages(redis, 'mc')) recs.set(r.contactId ?? '', r);
  t.equal(recs.size, 4, 'one record per contact, none written twice');
  t.equal(recs.get('k0')?.id, dead[0]!.id, 'k0 keeps the dead runner’s record');
  t.equal(recs.get('k0')?.status, 'rejected', 'handed to the channel by the dead runner: closed, not re-sent');
  t.match(recs.get('k0')?.error, /at most once/);
  t.equal(recs.get('k1')?.id, dead[1]!.id, 'k1 keeps the dead runner’s record');
  for (const id of ['k1', 'k2', 'k3']) t.equal(recs.get(id)?.status, 'accepted', `${id} sent by the survivor`);
  await until('the survivor’s sends at SIPp', () => receivedBodies(carrier.trace()).length >= 3, 10000);
  const bodies = receivedBodies(carrier.trace());
  t.same([...bodies].sort(), ['held claim c1', 'held claim c2', 'held claim c3'], 'each once; k0 never sent');
});
