/**
 * Inbound routes API (issue 18): strict bodies, 4xx naming the field, DIDs
 * normalised, override with an end time, OpenAPI entries.
 */
import t from 'tap';
import { auth, build } from '../../helpers/app';

const body = {
  name: 'campaign A caller ID',
  timeZone: 'Asia/Tokyo',
  bands: [
    {
      days: [1, 2, 3, 4, 5],
      start: '09:00',
      end: '18:00',
      action: { type: 'agents', groups: ['returns'], noAnswer: { to: 'sip:desk@127.0.0.1:5099' } },
    },
  ],
  holidays: ['2026-12-31'],
  closed: { type: 'message', file: '/tmp/closed.wav' },
};

t.test('create, read, replace, override, delete', async (t) => {
  const { app } = await build(t, { telephony: { driver: 'embedded', trunks: [{ name: 'carrier', address: '127.0.0.1:5070' }] } });
  const put = await app.inject({ method: 'PUT', url: '/inbound-routes/03-1234-5678', headers: auth('admin'), payload: body });
  t.equal(put.statusCode, 201, put.body);
  t.equal(put.json().did, '+81312345678', 'DID normalised to E.164 (region JP)');
  t.equal(put.json().closeRetries, true, 'closeRetries defaults to true');
  t.ok(['band', 'closed', 'holiday'].includes(put.json().current.by), 'answer tells what a call gets now');
  const again = await app.inject({ method: 'PUT', url: '/inbound-routes/+81312345678', headers: auth('admin'), payload: body });
  t.equal(again.statusCode, 200, 'replace');
  const get = await app.inject({ method: 'GET', url: '/inbound-routes/0312345678', headers: auth('supervisor') });
  t.equal(get.statusCode, 200);
  t.equal(get.json().bands[0].action.groups[0], 'returns');

  const until = new Date(Date.now() + 3600_000).toISOString();
  const ov = await app.inject({
    method: 'PUT',
    url: '/inbound-routes/0312345678/override',
    headers: auth('supervisor'),
    payload: { action: { type: 'forward', to: '+81399998888' }, until, reason: 'office move' },
  });
  t.equal(ov.statusCode, 200, ov.body);
  t.equal(ov.json().current.by, 'override');
  t.equal(ov.json().override.until, until);
  const past = await app.inject({
    method: 'PUT',
    url: '/inbound-routes/0312345678/override',
    headers: auth('supervisor'),
    payload: { action: { type: 'forward', to: '+81399998888' }, until: '2020-01-01T00:00:00Z' },
  });
  t.equal(past.statusCode, 400);
  t.match(past.json().message, /override\.until/);
  const off = await app.inject({ method: 'DELETE', url: '/inbound-routes/0312345678/override', headers: auth('supervisor') });
  t.equal(off.statusCode, 200);
  t.notOk(off.json().override, 'override ended');

  const list = await app.inject({ method: 'GET', url: '/inbound-routes', headers: auth('supervisor') });
  t.equal(list.json().routes.length, 1);
  t.equal(
    (await app.inject({ method: 'PUT', url: '/inbound-routes/0312345678', headers: auth('supervisor'), payload: body })).statusCode,
    403,
    'admin only',
  );
  t.equal((await app.inject({ method: 'GET', url: '/inbound-routes', headers: auth('agent') })).statusCode, 403, 'not for agents');
  t.equal((await app.inject({ method: 'DELETE', url: '/inbound-routes/0312345678', headers: auth('admin') })).statusCode, 204);
  t.equal((await app.inject({ method: 'GET', url: '/inbound-routes/0312345678', headers: auth('admin') })).statusCode, 404);
  t.equal((await app.inject({ method: 'GET', url: '/inbound-calls', headers: auth('supervisor') })).json().calls.length, 0);
});

t.test('bad bodies get a 400 naming the field', async (t) => {
  const { app } = await build(t, { telephony: { driver: 'embedded', trunks: [{ name: 'carrier', address: '127.0.0.1:5070' }] } });
  const cases: [unknown, RegExp][] = [
    [{ ...body, colour: 'red' }, /unknown property "colour"/],
    [{ ...body, timeZone: 'Nowhere/City' }, /body\.timeZone/],
    [{ ...body, bands: [{ ...body.bands[0], start: '9' }] }, /body\.bands\[0\]\.start/],
    [{ ...body, closed: { type: 'message' } }, /body\.closed\.file/],
    [{ ...body, closed: { type: 'message', file: 'x.wav', to: 'sip:a@127.0.0.1' } }, /body\.closed\.to/],
    [{ ...body, closed: { type: 'forward', to: '+8131', trunk: 'other' } }, /body\.closed\.trunk/],
    [{ ...body, closed: { type: 'teleport' } }, /body\.closed\.type/],
    [{ ...body, holidays: ['31/12/2026'] }, /body\.holidays\[0\]/],
    [
      { ...body, bands: [{ ...body.bands[0], action: { type: 'agents', groups: ['g'], busy: { to: 'nowhere' } } }] },
      /body\.bands\[0\]\.action\.busy\.to/,
    ],
  ];
  for (const [payload, re] of cases) {
    const res = await app.inject({ method: 'PUT', url: '/inbound-routes/0312345678', headers: auth('admin'), payload: payload as object });
    t.equal(res.statusCode, 400, res.body);
    t.match(res.json().message, re);
  }
  const bad = await app.inject({ method: 'PUT', url: '/inbound-routes/hello', headers: auth('admin'), payload: body });
  t.equal(bad.statusCode, 400);
  t.match(bad.json().message, /params\.did/);
  t.equal((await app.inject({ method: 'GET', url: '/inbound-routes', headers: auth('admin') })).json().routes.length, 0, 'nothing stored');
});

t.test('OpenAPI documents routes, schedules and overrides', async (t) => {
  const { app } = await build(t);
  await app.ready();
  const doc = (await app.inject({ method: 'GET', url: '/openapi.json' })).json() as { paths: Record<string, Record<string, unknown>> };
  for (const p of ['/inbound-routes', '/inbound-routes/{did}', '/inbound-routes/{did}/override', '/inbound-calls']) t.ok(doc.paths[p], p);
  t.ok(doc.paths['/inbound-routes/{did}']!.put, 'PUT route');
  t.ok(doc.paths['/inbound-routes/{did}/override']!.delete, 'DELETE override');
});
