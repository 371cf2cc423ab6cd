import t from 'tap';
import ExcelJS from 'exceljs';
import { build, auth } from '../../helpers/app';
import { listUsersKey } from '../../../lib/store/lists';

t.test('lists: create, list, get, delete, templates', async (t) => {
  const { app } = await build(t);
  const admin = auth('admin');

  let r = await app.inject({
    method: 'POST',
    url: '/lists',
    headers: admin,
    payload: { id: 'spring', name: '春キャンペーン', description: 'seed 000 targets', profile: 'clova' },
  });
  t.equal(r.statusCode, 201);
  t.match(r.json(), { id: 'spring', name: '春キャンペーン', profile: 'clova', counts: { contacts: 0, attempted: 0 } });

  r = await app.inject({ method: 'POST', url: '/lists', headers: admin, payload: { name: 'generated' } });
  t.equal(r.statusCode, 201);
  const genId = r.json().id as string;
  t.match(genId, /^[0-9a-f]{8}$/);
  t.equal(r.json().profile, 'default');

  r = await app.inject({ method: 'POST', url: '/lists', headers: admin, payload: { id: 'spring', name: 'again' } });
  t.equal(r.statusCode, 409);
  t.match(r.json(), { code: 'DUPLICATE', message: 'list spring already exists' });

  r = await app.inject({
    method: 'POST',
    url: '/lists',
    headers: { ...admin, 'content-type': 'application/json' },
    payload: '{"name": "x",',
  });
  t.equal(r.statusCode, 400);
  t.equal(r.json().code, 'INVALID_JSON');
  r = await app.inject({ method: 'POST', url: '/lists', headers: admin, payload: { name: 'x', profile: 'strict' } });
  t.equal(r.statusCode, 400);
  t.match(r.json(), { code: 'VALIDATION_FAILED', message: 'body.profile must be equal to one of the allowed values: default, clova' });
  r = await app.inject({ method: 'POST', url: '/lists', headers: admin, payload: { id: 'a b', name: 'x' } });
  t.equal(r.statusCode, 400);
  r = await app.inject({ method: 'POST', url: '/lists', headers: auth('agent'), payload: { name: 'x' } });
  t.equal(r.statusCode, 403);

  r = await app.inject({ method: 'GET', url: '/lists', headers: auth('supervisor') });
  t.same(
    r
      .json()
      .lists.map((l: { id: string }) => l.id)
      .sort(),
    [genId, 'spring'].sort(),
  );
  r = await app.inject({ method: 'GET', url: '/lists/nope', headers: admin });
  t.equal(r.statusCode, 404);
  t.equal(r.json().message, 'list nope does not exist');

  // Templates: CSV with BOM, XLSX with text-formatted phone column.
  r = await app.inject({ method: 'GET', url: '/lists/spring/template?format=csv', headers: admin });
  t.equal(r.statusCode, 200);
  t.equal(r.body, '\ufeffid,phone,key1,key2\r\n');
  t.match(r.headers['content-disposition'], 'contacts-template-clova.csv');
  r = await app.inject({ method: 'GET', url: '/list-templates/default?format=xlsx', headers: admin });
  t.equal(r.statusCode, 200);
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(r.rawPayload as unknown as ArrayBuffer);
  const ws = wb.worksheets[0]!;
  t.same((ws.getRow(1).values as unknown[]).slice(1), ['id', 'phone', 'name', 'key1', 'key2', 'timeZone']);
  t.equal(ws.getColumn(2).numFmt, '@');

  // Deletion: refused while a campaign uses the list, final afterwards.
  await app.inject({ method: 'POST', url: '/lists/spring/contacts', headers: admin, payload: { phone: '0312345678' } });
  await app.redis.sadd(listUsersKey('spring'), 'camp-2', 'camp-1');
  r = await app.inject({ method: 'DELETE', url: '/lists/spring', headers: admin });
  t.equal(r.statusCode, 409);
  t.match(r.json(), {
    code: 'IN_USE',
    message: 'list spring is used by campaign(s) camp-1, camp-2; detach it first',
    details: { campaigns: ['camp-1', 'camp-2'] },
  });
  t.equal((await app.inject({ method: 'GET', url: '/lists/spring', headers: admin })).json().counts.contacts, 1, 'nothing lost');
  await app.redis.del(listUsersKey('spring'));
  t.ok((await app.redis.keys('*{l:spring}*')).length >= 4, 'the list has keys before deletion');
  r = await app.inject({ method: 'DELETE', url: '/lists/spring', headers: admin });
  t.equal(r.statusCode, 204);
  t.same(await app.redis.keys('*{l:spring}*'), [], 'every key of the list is gone');
  t.equal((await app.inject({ method: 'DELETE', url: '/lists/spring', headers: admin })).statusCode, 404);
  r = await app.inject({ method: 'GET', url: '/lists', headers: admin });
  t.same(
    r.json().lists.map((l: { id: string }) => l.id),
    [genId],
  );
});

t.test('every list route is in the OpenAPI document with schemas', async (t) => {
  const { app } = await build(t);
  const doc = (await app.inject({ method: 'GET', url: '/openapi.json' })).json();
  for (const p of [
    '/lists',
    '/lists/{listId}',
    '/lists/{listId}/contacts',
    '/lists/{listId}/contacts/bulk',
    '/lists/{listId}/contacts/{contactId}',
    '/lists/{listId}/imports',
    '/lists/{listId}/imports/{jobId}',
    '/lists/{listId}/imports/{jobId}/errors',
    '/lists/relist',
    '/list-templates/{profile}',
    '/lists/{listId}/template',
  ]) {
    t.ok(doc.paths[p], `${p} documented`);
  }
  t.ok(doc.paths['/lists/{listId}/imports'].post.requestBody.content['text/csv'], 'import body types listed');
  t.ok(doc.paths['/lists'].post.responses['201'], 'responses listed');
});
