import t from 'tap';
import { build, auth } from '../../helpers/app';
import { iterateContacts, recordContactOutcome } from '../../../lib/store/contacts';

t.test('re-list builds a new list from a query over contacts (seed 002)', async (t) => {
  const { app } = await build(t);
  const admin = auth('admin');
  const redis = app.redis;
  const mk = async (id: string, rows: string, profile = 'default') => {
    await app.inject({ method: 'POST', url: '/lists', headers: admin, payload: { id, name: id, profile } });
    const r = await app.inject({
      method: 'POST',
      url: `/lists/${id}/imports`,
      headers: { ...admin, 'content-type': 'text/csv' },
      payload: rows,
    });
    t.equal(r.json().job.accepted, rows.trim().split('\n').length - 1, `${id} imported`);
  };
  await mk(
    'first',
    'id,phone,segment\nm1,09011110001,gold\nm2,0311110002,gold\nm3,09011110003,silver\nm4,0311110004,gold\nm5,09011110005,gold\n',
  );
  await mk('second', 'id,phone,segment\nm1,09022220001,gold\ns2,09011110001,gold\ns3,0322220003,gold\n');
  const at = Date.parse('2026-05-01T10:00:00Z');
  await recordContactOutcome(redis, 'first', 'm1', { code: 4, at }); // answering machine
  await recordContactOutcome(redis, 'first', 'm2', { code: 2, at }); // no answer
  await recordContactOutcome(redis, 'first', 'm2', { code: 2, at: at + 1 });
  await recordContactOutcome(redis, 'first', 'm3', { code: 4, at });
  await recordContactOutcome(redis, 'first', 'm4', { code: 1, at });
  await recordContactOutcome(redis, 'second', 'm1', { code: 2, at });
  await recordContactOutcome(redis, 'second', 's2', { code: 4, at });
  await recordContactOutcome(redis, 'second', 's3', { code: 4, at });

  const relist = (payload: object) => app.inject({ method: 'POST', url: '/lists/relist', headers: admin, payload });

  let r = await relist({
    id: 'again',
    name: '留守電・コール音',
    sources: ['first', 'second'],
    where: { lastResult: [4, 2], attributes: { segment: 'gold' } },
  });
  t.equal(r.statusCode, 201);
  // hits: first m1 m2, second m1 (id taken) s2 (number taken by first/m1) s3
  t.match(r.json(), {
    list: { id: 'again', name: '留守電・コール音', profile: 'default', counts: { contacts: 3, attempted: 0 } },
    scanned: 8,
    matched: 5,
    added: 3,
    duplicates: 2,
  });
  const got = [];
  for await (const c of iterateContacts(redis, 'again')) got.push([c.id, c.phone, c.attempts, c.attributes.segment]);
  t.same(got, [
    ['m1', '+819011110001', 0, 'gold'],
    ['m2', '+81311110002', 0, 'gold'],
    ['s3', '+81322220003', 0, 'gold'],
  ]);

  r = await relist({ name: 'two tries', sources: ['first'], where: { attempts: { min: 2 } } });
  t.match(r.json(), { matched: 1, added: 1 });
  r = await relist({ name: 'never', sources: ['first'], where: { attempts: { max: 0 } } });
  t.match(r.json(), { matched: 1, added: 1 }, 'untouched contacts (m5)');
  r = await relist({ name: 'mobiles', sources: ['first'], where: { phoneType: ['mobile'], lastResult: [4] } });
  t.match(r.json(), { matched: 2 });

  r = await relist({ name: 'x', sources: ['first', 'ghost'], where: {} });
  t.equal(r.statusCode, 404);
  t.equal(r.json().message, 'list ghost does not exist');
  r = await relist({ id: 'again', name: 'x', sources: ['first'], where: {} });
  t.match(r.json(), { statusCode: 409, code: 'DUPLICATE' });
  r = await relist({ name: 'x', sources: ['first'], where: { attempts: { min: 3, max: 1 } } });
  t.match(r.json(), { statusCode: 400, message: 'body.where.attempts.min is greater than body.where.attempts.max' });
  r = await relist({ name: 'x', sources: ['first'], where: { result: [1] } });
  t.match(r.json(), { statusCode: 400, message: 'body.where has unknown property "result"' });
  await app.inject({ method: 'POST', url: '/lists', headers: admin, payload: { id: 'cl', name: 'cl', profile: 'clova' } });
  r = await relist({ name: 'x', sources: ['first', 'cl'], where: {} });
  t.match(r.json(), {
    statusCode: 409,
    message: 'source lists use different profiles (default, clova); re-list from lists of one profile',
  });
});
