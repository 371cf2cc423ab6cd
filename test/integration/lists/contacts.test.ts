import t from 'tap';
import { build, auth } from '../../helpers/app';
import { getContact, iterateContacts, recordContactOutcome } from '../../../lib/store/contacts';
import { getList, listExists } from '../../../lib/store/lists';

t.test('contacts: add, refuse, bulk, head order, outcome, delete', async (t) => {
  const { app } = await build(t);
  const admin = auth('admin');
  const redis = app.redis;
  await app.inject({ method: 'POST', url: '/lists', headers: admin, payload: { id: 'jp', name: 'jp' } });
  await app.inject({ method: 'POST', url: '/lists', headers: admin, payload: { id: 'cl', name: 'clova', profile: 'clova' } });
  const add = (list: string, payload: object, q = '') =>
    app.inject({ method: 'POST', url: `/lists/${list}/contacts${q}`, headers: admin, payload });

  let r = await add('jp', { id: 'c1', phone: '03-1234-5678', name: '山田', timeZone: 'Asia/Tokyo', attributes: { 都道府県: '東京都' } });
  t.equal(r.statusCode, 201);
  t.match(r.json(), {
    id: 'c1',
    phone: '+81312345678',
    rawPhone: '03-1234-5678',
    phoneType: 'landline',
    attributes: { 都道府県: '東京都' },
    attempts: 0,
    lastResult: null,
  });

  r = await add('jp', { id: 'c1', phone: '0312345679' });
  t.equal(r.statusCode, 409);
  t.match(r.json(), { code: 'DUPLICATE', message: 'duplicate contact ID: the list already has it (id c1)' });
  r = await add('jp', { id: 'c2', phone: '+81 3 1234 5678' });
  t.equal(r.statusCode, 409);
  t.match(
    r.json(),
    { code: 'DUPLICATE', message: 'duplicate phone number: contact c1 of the list has it (phone +81312345678)' },
    'same number written differently',
  );
  r = await add('jp', { id: 'c3', phone: '12345', key1: 'x'.repeat(1001) });
  t.equal(r.statusCode, 400);
  t.match(r.json(), {
    code: 'VALIDATION_FAILED',
    details: { errors: [{ column: 'phone' }, { column: 'key1', reason: 'longer than 1000 characters (import.maxFieldLength)' }] },
  });
  r = await add('jp', { phone: '0312345670', extra: 1 });
  t.equal(r.statusCode, 400);
  t.match(r.json(), { code: 'VALIDATION_FAILED', message: 'body has unknown property "extra"' });
  r = await app.inject({
    method: 'POST',
    url: '/lists/jp/contacts',
    headers: { ...admin, 'content-type': 'application/json' },
    payload: '{"phone": 0312',
  });
  t.equal(r.json().code, 'INVALID_JSON');
  r = await add('nope', { phone: '0312345670' });
  t.equal(r.statusCode, 404);
  t.equal((await getList(redis, 'jp'))!.counts.contacts, 1, 'refused adds wrote nothing');

  // clova profile: seed rules, number kept as typed
  r = await add('cl', { phone: '090-1234-5678' });
  t.match(r.json(), { statusCode: 400, message: 'phone: phone number must be digits only' });
  r = await add('cl', { phone: '09012345678', key1: 'ABC123', key2: 'Z1' });
  t.match(r.json(), { phone: '09012345678', key1: 'ABC123', key2: 'Z1', phoneType: 'mobile' });

  // bulk: valid kept, others reported by index (validation and duplicates)
  r = await app.inject({
    method: 'POST',
    url: '/lists/jp/contacts/bulk',
    headers: admin,
    payload: {
      contacts: [
        { id: 'b1', phone: '0312340001' },
        { id: 'b2', phone: 'abc' },
        { id: 'b3', phone: '0312340001' },
        { id: 'c1', phone: '0312340003' },
        { phone: '0312340004' },
      ],
    },
  });
  t.equal(r.statusCode, 200);
  t.match(r.json(), { accepted: 2, rejected: 3 });
  t.same(
    r.json().errors.map((e: { index: number; column: string }) => [e.index, e.column]),
    [
      [1, 'phone'],
      [2, 'phone'],
      [3, 'id'],
    ],
  );
  t.same(r.json().ids, ['b1', 'auto-1']);

  // all-or-nothing bulk: one duplicate, nothing written
  const before = (await getList(redis, 'jp'))!.counts.contacts;
  r = await app.inject({
    method: 'POST',
    url: '/lists/jp/contacts/bulk',
    headers: admin,
    payload: {
      allOrNothing: true,
      contacts: [
        { id: 'n1', phone: '0312340010' },
        { id: 'n2', phone: '0312340010' },
      ],
    },
  });
  t.equal(r.statusCode, 422);
  t.match(r.json(), {
    code: 'UNPROCESSABLE',
    message: '1 of 2 contacts refused; nothing was added (allOrNothing)',
    details: {
      errors: [
        { index: 0, reason: /^not written/ },
        { index: 1, column: 'phone', reason: 'duplicate phone number: contact n1 of the list has it' },
      ],
    },
  });
  t.equal((await getList(redis, 'jp'))!.counts.contacts, before);
  t.equal(await getContact(redis, 'jp', 'n1'), null);
  t.equal(await redis.hexists('l:{l:jp}:phones', '+81312340010'), 0, 'number index untouched');
  r = await app.inject({
    method: 'POST',
    url: '/lists/jp/contacts/bulk',
    headers: admin,
    payload: {
      allOrNothing: true,
      contacts: [
        { id: 'n1', phone: '0312340010' },
        { id: 'n2', phone: '0312340011' },
      ],
    },
  });
  t.match(r.json(), { accepted: 2, rejected: 0 });

  // head of list: new head blocks first, each in its own order
  await app.inject({
    method: 'POST',
    url: '/lists/jp/contacts/bulk',
    headers: admin,
    payload: {
      head: true,
      contacts: [
        { id: 'h1', phone: '0312349001' },
        { id: 'h2', phone: '0312349002' },
      ],
    },
  });
  await add('jp', { id: 'h0', phone: '0312349000' }, '?head=true');
  await add('jp', { id: 'tail', phone: '0312349999' });
  const order: string[] = [];
  for await (const c of iterateContacts(redis, 'jp', 3)) order.push(c.id);
  t.same(order, ['h0', 'h1', 'h2', 'c1', 'b1', 'auto-1', 'n1', 'n2', 'tail']);

  // pages through the API
  r = await app.inject({ method: 'GET', url: '/lists/jp/contacts?limit=4', headers: admin });
  t.same(
    r.json().contacts.map((c: { id: string }) => c.id),
    ['h0', 'h1', 'h2', 'c1'],
  );
  r = await app.inject({ method: 'GET', url: `/lists/jp/contacts?limit=4&after=${r.json().next}`, headers: admin });
  t.same(
    r.json().contacts.map((c: { id: string }) => c.id),
    ['b1', 'auto-1', 'n1', 'n2'],
  );
  r = await app.inject({ method: 'GET', url: `/lists/jp/contacts?limit=4&after=${r.json().next}`, headers: admin });
  t.same(
    r.json().contacts.map((c: { id: string }) => c.id),
    ['tail'],
  );
  t.equal(r.json().next, null);

  // outcome recorded by the runtime
  t.equal(await recordContactOutcome(redis, 'jp', 'c1', { code: 2, at: new Date('2026-04-01T09:00:00Z') }), 1);
  t.equal(await recordContactOutcome(redis, 'jp', 'c1', { code: 4, at: Date.parse('2026-04-02T09:00:00Z') }), 2);
  await t.rejects(recordContactOutcome(redis, 'jp', 'ghost', { code: 1, at: 0 }), { message: 'contact ghost does not exist in list jp' });
  r = await app.inject({ method: 'GET', url: '/lists/jp/contacts/c1', headers: auth('agent') });
  t.match(r.json(), { attempts: 2, lastResult: 4, lastAttemptAt: '2026-04-02T09:00:00.000Z', firstAttemptAt: '2026-04-01T09:00:00.000Z' });
  t.match((await getList(redis, 'jp'))!.counts, { contacts: 9, attempted: 1 });

  // delete one: number becomes free again
  t.equal((await app.inject({ method: 'DELETE', url: '/lists/jp/contacts/c1', headers: admin })).statusCode, 204);
  t.equal((await app.inject({ method: 'DELETE', url: '/lists/jp/contacts/c1', headers: admin })).statusCode, 404);
  t.match((await getList(redis, 'jp'))!.counts, { contacts: 8, attempted: 0 });
  t.equal((await add('jp', { id: 'c1b', phone: '0312345678' })).statusCode, 201);
  t.ok(await listExists(redis, 'jp'));
});
