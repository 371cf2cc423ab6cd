/**
 * A message campaign survives its runner (issue 14): the process driving a
 * running SMS campaign (its lease in Redis) is SIGKILLed mid-campaign; another
 * process takes the lease over once it runs out (messaging.leaseMs) and
 * completes the campaign. Every contact gets exactly one message record, no
 * message reaches the network twice, and each one either reached it (accepted)
 * or, handed to the channel by the dead process when it died, is closed
 * `rejected` with the "at most once" reason, never re-sent. Real Redis, real
 * SIGKILL, SIPp as the mobile network (its trace counts what arrived).
 */
import t from 'tap';
import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { startTestRedis } from '../../helpers/redis';
import { createCampaign, setState } from '../../../lib/messaging/manage';
import { getMessageCampaign } from '../../../lib/store/message-campaigns';
import { iterateMessages, type MessageRecord } from '../../../lib/store/messages';
import { makeContacts, receivedBodies, sipChannel, startMessageCarrier, startWithChannels, until } from './fixture';

const ROOT = resolve(__dirname, '../../..');
const N = 40;

t.test('a SIGKILLed runner’s message campaign is completed by another process, each contact once', { timeout: 150000 }, async (t) => {
  const { redis, url } = await startTestRedis(t);
  const carrier = await startMessageCarrier(t);
  // Numbers ending in 0: SIPp's network accepts them and its phones never reply (uas-message.xml).
  const rows = Array.from({ length: N }, (_, i) => ({ id: `k${i}`, phone: `090-1200-${String(1000 + 10 * i)}`, name: `c${i}` }));
  await makeContacts(redis, 'L', rows);
  await createCampaign(redis, { id: 'mc', name: 'mc', kind: 'sms', listId: 'L', template: 'crash campaign {{name}}', ratePerSec: 8 });
  await setState(redis, 'mc', 'start');

  const loader = pathToFileURL(join(ROOT, 'node_modules/tsx/dist/loader.mjs')).href;
  const child = spawn(process.execPath, ['--import', loader, join(__dirname, 'campaign-crash-runner.ts'), url, carrier.sipp.address], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  t.teardown(() => child.kill('SIGKILL'));
  const sent = () => receivedBodies(carrier.trace()).filter((b) => b.startsWith('crash campaign '));
  // Killed mid-campaign: some sent, most not yet.
  await until('the dead-to-be runner sending', () => sent().length >= 8, 60000);
  child.kill('SIGKILL');
  await new Promise((r) => child.once('exit', r));
  const before = sent().length;
  t.ok(before < N, `killed mid-campaign (${before} of ${N} sent)`);

  await startWithChannels(t, redis, { sms: sipChannel(carrier.sipp.address) }, { leaseMs: 1000 });
  await until(
    'the campaign completed by the survivor',
    async () => (await getMessageCampaign(redis, 'mc'))?.state === 'completed',
    90000,
  ).catch(async (err: Error) => {
    // What CI prints is the failure's line: say there how far the survivor got.
    const byStatus = new Map<string, number>();
    for await (const r of iterateMessages(redis, 'mc')) byStatus.set(r.status, (byStatus.get(r.status) ?? 0) + 1);
    throw new Error(
      `${err.message}: records ${JSON.stringify(Object.fromEntries(byStatus))}, ${sent().length} at SIPp, campaign ${JSON.stringify(await getMessageCampaign(redis, 'mc'))}`,
    );
  });

  const recs: MessageRecord[] = [];
  for await (const r of iterateMessages(redis, 'mc')) recs.push(r);
  const perContact = new Map<string, number>();
  for (const r of recs) perContact.set(r.contactId ?? '', (perContact.get(r.contactId ?? '') ?? 0) + 1);
  t.equal(recs.length, N, 'one message record per contact');
  t.same(
    rows.filter((r) => perContact.get(r.id) !== 1).map((r) => r.id),
    [],
    'no contact without a record or with two',
  );
  await until('the last sends at SIPp', () => sent().length >= recs.filter((r) => r.status === 'accepted').length, 20000);
  const bodies = sent();
  const twice = bodies.filter((b, i) => bodies.indexOf(b) !== i);
  t.same(twice, [], 'no message reached the network twice');
  for (const r of recs) {
    const arrived = bodies.includes(r.body);
    if (r.status === 'accepted') t.ok(arrived, `${r.contactId} accepted and at SIPp`);
    else {
      t.equal(r.status, 'rejected', `${r.contactId}: in the dead process's channel when it died`);
      t.match(r.error, /at most once/, 'closed with the reason, not re-sent');
    }
  }
  t.ok(bodies.length > before, `the survivor sent the rest (${bodies.length - before} more)`);
});
