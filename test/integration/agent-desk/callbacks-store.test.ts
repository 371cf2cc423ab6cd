import t from 'tap';
import {
  CallbackConflictError,
  claimCallback,
  createCallback,
  dueCallbacks,
  finishCallback,
  getCallback,
  listCallbacks,
  updateCallback,
} from '../../../lib/store/callbacks';
import { startTestRedis } from '../../helpers/redis';

const T0 = 1_700_000_000_000;
const base = { campaignId: 'c1', phone: '+81312345678', createdBy: 'a1' };

t.test('due callbacks in due order; each claimed exactly once even when raced', async (t) => {
  const { redis } = await startTestRedis(t);
  const late = await createCallback(redis, { ...base, dueAt: T0 + 5000, owner: 'a1' }, T0);
  const early = await createCallback(redis, { ...base, phone: '+81312345679', dueAt: T0 + 1000, owner: null }, T0);
  await createCallback(redis, { ...base, campaignId: 'c2', dueAt: T0, owner: null }, T0);
  t.same(await dueCallbacks(redis, 'c1', T0, 10), [], 'nothing due yet');
  t.same(
    (await dueCallbacks(redis, 'c1', T0 + 6000, 10)).map((c) => c.id),
    [early.id, late.id],
  );
  t.same(
    (await dueCallbacks(redis, 'c1', T0 + 6000, 1)).map((c) => c.id),
    [early.id],
    'limit',
  );
  t.equal(await claimCallback(redis, 'c1', late.id, T0 + 4999), null, 'not claimable before it is due');

  const claims = await Promise.all(Array.from({ length: 10 }, () => claimCallback(redis, 'c1', early.id, T0 + 2000)));
  const won = claims.filter((c) => c !== null);
  t.equal(won.length, 1, 'one claim wins');
  t.match(won[0], { id: early.id, state: 'claimed', claimedAt: T0 + 2000, owner: null, phone: '+81312345679' });
  t.same(
    (await dueCallbacks(redis, 'c1', T0 + 6000, 10)).map((c) => c.id),
    [late.id],
    'claimed ones are no longer due',
  );

  await t.rejects(updateCallback(redis, 'c1', early.id, { dueAt: T0 + 9000 }, T0 + 2100), CallbackConflictError, 'being dialled: no edits');
  const retried = await finishCallback(redis, 'c1', early.id, { retryAt: T0 + 60_000 }, T0 + 3000);
  t.match(retried, { state: 'scheduled', dueAt: T0 + 60_000 });
  t.ok(await claimCallback(redis, 'c1', early.id, T0 + 60_000));
  const done = await finishCallback(redis, 'c1', early.id, { attemptId: 'att-7', resultCode: 20 }, T0 + 61_000);
  t.match(done, { state: 'done', attemptId: 'att-7', resultCode: 20 });
  await t.rejects(finishCallback(redis, 'c1', early.id, { attemptId: 'x' }, T0), /is done, not claimed/);
  t.equal(await claimCallback(redis, 'c1', early.id, T0 + 99_000), null, 'done callbacks are never claimed again');
});

t.test('reassign, reschedule, cancel; listing by owner', async (t) => {
  const { redis } = await startTestRedis(t);
  const a = await createCallback(redis, { ...base, dueAt: T0 + 1000, owner: 'a1', note: 'after lunch' }, T0);
  const b = await createCallback(redis, { ...base, dueAt: T0 + 2000, owner: null }, T0 + 1);
  const c = await createCallback(redis, { ...base, dueAt: T0 + 3000, owner: 'a2' }, T0 + 2);
  t.same(
    (await listCallbacks(redis, 'c1', { owner: 'a1' })).map((x) => x.id),
    [a.id],
  );
  t.same(
    (await listCallbacks(redis, 'c1', { owner: 'a1', includeOpen: true })).map((x) => x.id),
    [a.id, b.id],
  );
  const moved = await updateCallback(redis, 'c1', a.id, { owner: 'a2', dueAt: T0 + 10_000 }, T0 + 5);
  t.match(moved, { owner: 'a2', dueAt: T0 + 10_000, note: 'after lunch', updatedAt: T0 + 5 });
  t.same(
    (await dueCallbacks(redis, 'c1', T0 + 5000, 10)).map((x) => x.id),
    [b.id, c.id],
    'rescheduled one left the due window',
  );
  await updateCallback(redis, 'c1', b.id, { state: 'cancelled' }, T0 + 6);
  t.same(
    (await dueCallbacks(redis, 'c1', T0 + 99_000, 10)).map((x) => x.id),
    [c.id, a.id],
  );
  t.equal((await getCallback(redis, 'c1', b.id))?.state, 'cancelled');
  t.same(
    (await listCallbacks(redis, 'c1', { state: 'cancelled' })).map((x) => x.id),
    [b.id],
  );
  t.equal(await updateCallback(redis, 'c1', 'nope', { note: 'x' }, T0), null);
  t.equal(await getCallback(redis, 'c9', a.id), null, 'callbacks are per campaign');
});
