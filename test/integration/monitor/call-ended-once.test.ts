/**
 * A close keeps its call.ended until it is in the webhook log, and the log
 * takes it once whoever records it: the process that closed the attempt, or
 * the campaign's next holder after that one died between the close and the
 * event (a close and its event are two writes in two hash slots; the fault
 * test once lost an event that way). Real redis-server.
 */
import t from 'tap';
import { DialQueue } from '../../../lib/store/dial-queue';
import { keys } from '../../../lib/store/keys';
import { appendCallEndedOnce, readLog } from '../../../lib/notify/webhooks/log';
import { makeList, runCampaign } from '../../helpers/campaign-env';
import { syncList } from '../../../lib/dialer/sync';
import { startTestRedis } from '../../helpers/redis';

t.test('a closed attempt keeps its call.ended until recorded; recorded once by either process', async (t) => {
  const { redis } = await startTestRedis(t);
  await makeList(redis, 'L1', ['03-1200-0001']);
  await runCampaign(redis, 'c1', 'L1', { mode: 'agentless', agentless: { message: '/tmp/none.wav' } });
  const q = new DialQueue(redis, 'c1');
  await syncList(redis, 'c1', 'L1');
  const [claim] = await q.claim({ now: Date.now(), n: 1, leaseMs: 30000, owner: 'A', lists: ['L1'], filters: { maxAttempts: 3 } });
  t.ok(claim, 'claimed');
  const event = {
    type: 'call.ended' as const,
    at: Date.now(),
    campaignId: 'c1',
    attemptId: claim!.attemptId,
    ref: claim!.ref,
    code: 4,
    final: true,
  };
  const closed = await q.close({
    attemptId: claim!.attemptId,
    code: 4,
    now: Date.now(),
    final: true,
    nextAt: 0,
    live: false,
    abandoned: false,
    data: {},
    announce: JSON.stringify({ by: 'A#1', event }),
  });
  t.ok(closed);
  const kept = keys.campaign('c1', 'unannounced');
  t.same(JSON.parse((await redis.hget(kept, claim!.attemptId))!), { by: 'A#1', event }, 'the event is kept with the close');

  const monitorEvent = { type: 'call.ended', at: event.at, campaignId: 'c1', data: { ...event } };
  // A died after the close; B, the next holder, records it; then A's own late recording (or a third holder's) finds it done.
  t.equal(await appendCallEndedOnce(redis, monitorEvent, claim!.attemptId, 1000), true, 'recorded by the next holder');
  t.equal(await redis.hexists(kept, claim!.attemptId), 0, 'and no longer kept');
  t.equal(await appendCallEndedOnce(redis, monitorEvent, claim!.attemptId, 1000), false, 'a second recording adds nothing');
  const logged = (await readLog(redis, '0-0', 100)).filter((e) => e.type === 'call.ended');
  t.equal(logged.length, 1, 'one call.ended in the log');
  t.match(logged[0], { campaignId: 'c1', data: { attemptId: claim!.attemptId, code: 4 } });
});
