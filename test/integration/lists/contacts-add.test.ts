import t from 'tap';
import { startTestRedis } from '../../helpers/redis';
import { createList, listKeys } from '../../../lib/store/lists';
import { addContacts, contactsAddPackedArgs, packRow, parseFailures, type StoredRow } from '../../../lib/store/contacts';

// contacts-add.lua decides every row before writing the batch with a few
// multi-field calls; these are the row-by-row rules it must still follow.
const row = (id: string, phone: string): StoredRow => ({ id, phone, record: JSON.stringify({ p: phone, r: phone, t: 'mobile' }) });

t.test('duplicates, generated ids and dial order within and across batches', async (t) => {
  const { redis } = await startTestRedis(t);
  await createList(redis, { id: 'l', name: 'l', profile: 'default' });
  const k = listKeys('l');
  await redis.hset(k.contacts, 'auto-4', row('auto-4', '+81300000004').record); // an id the generator must skip
  await redis.hset(k.phones, '+81300000004', 'auto-4');
  const first = await addContacts(redis, 'l', [
    row('a', '+81900000001'),
    row('', '+81900000002'), // auto-1
    row('auto-2', '+81900000003'), // taken by hand: the next generated id skips it
    row('', '+81900000004'), // auto-3
    row('a', '+81900000005'), // dup id within the batch
    row('b', '+81900000001'), // dup number within the batch
    row('', '+81900000002'), // dup number: takes a counter value (auto-5) all the same
    row('', '+81900000006'), // auto-4 exists → auto-6
    row('c', '+81300000004'), // number held before the batch
  ]);
  t.same(first.statuses, [
    { ok: true, id: 'a' },
    { ok: true, id: 'auto-1' },
    { ok: true, id: 'auto-2' },
    { ok: true, id: 'auto-3' },
    { ok: false, id: 'a', reason: 'dup-id' },
    { ok: false, id: 'b', reason: 'dup-phone', holder: 'a' },
    { ok: false, id: 'auto-5', reason: 'dup-phone', holder: 'auto-1' },
    { ok: true, id: 'auto-6' },
    { ok: false, id: 'c', reason: 'dup-phone', holder: 'auto-4' },
  ]);
  t.equal(first.written, 5);
  t.same(await redis.zrange(k.order, '0', '-1', 'WITHSCORES'), ['a', '1', 'auto-1', '2', 'auto-2', '3', 'auto-3', '4', 'auto-6', '8']);
  t.equal(await redis.hget(k.phones, '+81900000001'), 'a');
  t.equal(await redis.hexists(k.contacts, 'b'), 0, 'refused rows leave nothing behind');
  t.equal(await redis.hexists(k.contacts, 'auto-5'), 0);
  t.equal(await redis.hget(k.meta, 'contacts'), '5');

  // A later batch (compact reply): duplicates of the first batch, and a head insertion.
  const packed = [
    packRow('a', '+81900000009', '{}'),
    packRow('d', '+81900000004', '{}'),
    packRow('e', '+81900000010', '{}'),
    packRow('', '+81900000011', '{}'),
  ].join('\x1e');
  const out = parseFailures(
    await redis.contactsAdd(...contactsAddPackedArgs('l', packed, { head: true, headBase: -(2 ** 32), seqStart: 0, failuresOnly: true })),
  );
  t.same(out, {
    written: 2,
    failures: [
      { index: 0, id: 'a', ok: false, reason: 'dup-id' },
      { index: 1, id: 'd', ok: false, reason: 'dup-phone', holder: 'auto-3' },
    ],
  });
  t.same(
    await redis.zrange(k.order, '0', '1', 'WITHSCORES'),
    ['e', String(-(2 ** 32) + 2), 'auto-7', String(-(2 ** 32) + 3)],
    'head rows first, in their order',
  );
});

t.test('atomic batches write nothing when a row is refused', async (t) => {
  const { redis } = await startTestRedis(t);
  await createList(redis, { id: 'l', name: 'l', profile: 'default' });
  await addContacts(redis, 'l', [row('x', '+81900000001')]);
  const r = await addContacts(
    redis,
    'l',
    [row('y', '+81900000002'), row('', '+81900000003'), row('z', '+81900000001'), row('y', '+81900000004')],
    { atomic: true },
  );
  t.same(r.statuses, [
    { ok: false, id: 'y', reason: 'unwritten' },
    { ok: false, id: '', reason: 'unwritten' },
    { ok: false, id: 'z', reason: 'dup-phone', holder: 'x' },
    { ok: false, id: 'y', reason: 'dup-id' },
  ]);
  t.equal(r.written, 0);
  t.equal(await redis.hlen(listKeys('l').contacts), 1);
  const ok = await addContacts(redis, 'l', [row('y', '+81900000002'), row('', '+81900000003')], { atomic: true });
  t.same(
    ok.statuses.map((s) => s.ok),
    [true, true],
  );
  t.equal(await redis.hlen(listKeys('l').contacts), 3);
});
