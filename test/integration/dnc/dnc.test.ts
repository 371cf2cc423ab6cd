import t from 'tap';
import iconv from 'iconv-lite';
import { build, auth } from '../../helpers/app';
import { isDoNotCall } from '../../../lib/store/dnc';

t.test('do-not-call over the API on a real Redis', async (t) => {
  const { app } = await build(t);
  type Role = Parameters<typeof auth>[0];
  const call = (method: string, url: string, body?: unknown, role: Role = 'supervisor') =>
    app.inject({
      method: method as 'GET',
      url,
      headers: body === undefined ? auth(role) : { ...auth(role), 'content-type': 'application/json' },
      payload: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
  const csv = (url: string, body: string | Buffer, type = 'text/csv') =>
    app.inject({ method: 'POST', url, headers: { ...auth('supervisor'), 'content-type': type }, payload: body });
  const check = async (phone: string, extra = '') =>
    (await call('GET', `/dnc/check?phone=${encodeURIComponent(phone)}${extra}`, undefined, 'supervisor')).json();

  await t.test('add, check, channels, scopes', async (t) => {
    let res = await call('POST', '/dnc', { phone: '090-1234-5678', reason: 'complaint' });
    t.equal(res.statusCode, 201, res.body);
    t.match(res.json(), {
      outcome: 'added',
      entry: { phone: '+819012345678', channels: ['email', 'sms', 'voice'], expiresAt: null, reason: 'complaint', addedBy: 'supervisor' },
    });
    t.match(
      await check('０９０１２３４５６７８'),
      { phone: '+819012345678', listed: true, scope: 'global' },
      'full-width digits normalise the same',
    );
    t.match(await check('+81 90 1234 5678'), { listed: true });

    res = await call('POST', '/dnc', { phone: '0312345678', channels: ['sms'] });
    t.equal(res.statusCode, 201);
    t.same(await check('0312345678'), { phone: '+81312345678', listed: false }, 'an SMS-only entry does not bar calls');
    t.match(await check('0312345678', '&channel=sms'), { listed: true, scope: 'global' });

    t.equal((await call('POST', '/campaigns', { id: 'c1', name: 'c1' })).statusCode, 201);
    res = await call('POST', '/dnc', { phone: '0312340000', campaignId: 'c1' });
    t.equal(res.statusCode, 201);
    t.same(await check('0312340000'), { phone: '+81312340000', listed: false }, 'a campaign entry is not global');
    t.match(await check('0312340000', '&campaignId=c1'), { listed: true, scope: 'campaign', entry: { phone: '+81312340000' } });
    t.match(await check('090-1234-5678', '&campaignId=c1'), { listed: true, scope: 'global' }, 'global bars every campaign');
    res = await call('POST', '/dnc', { phone: '0312340000', campaignId: 'nope' });
    t.same([res.statusCode, res.json().message], [404, 'campaign nope does not exist']);

    const page = (await call('GET', '/dnc')).json();
    t.equal(page.total, 2);
    t.same(page.entries.map((e: { phone: string }) => e.phone).sort(), ['+81312345678', '+819012345678']);
  });

  await t.test('expiry', async (t) => {
    const res = await call('POST', '/dnc', { phone: '0311110000', expiresAt: '2000-01-01T00:00:00Z' });
    t.same(
      [res.statusCode, res.json().code, res.json().message],
      [400, 'VALIDATION_FAILED', 'expiresAt "2000-01-01T00:00:00Z" is in the past'],
    );
    t.equal(
      (await call('POST', '/dnc', { phone: '0311110000', expiresAt: '2099-01-01T09:00:00+09:00' })).json().entry.expiresAt,
      '2099-01-01T00:00:00.000Z',
    );
    t.match(await isDoNotCall(app.redis, { phone: '+81311110000', now: new Date('2098-12-31T23:59:59Z') }), { listed: true });
    t.same(
      await isDoNotCall(app.redis, { phone: '+81311110000', now: new Date('2099-01-01T00:00:00Z') }),
      { listed: false },
      'expired at expiresAt',
    );
    t.match(
      await isDoNotCall(app.redis, { phone: '0311110000', now: new Date('2050-01-01T00:00:00Z') }),
      { listed: true, scope: 'global' },
      'national form normalised',
    );
  });

  await t.test('bad input answers the exact error and loses nothing', async (t) => {
    const before = (await call('GET', '/dnc')).json();
    const cases: [unknown, number, string, string][] = [
      ['{"phone": ', 400, 'INVALID_JSON', ''],
      [{ phone: '0312345678', colour: 'red' }, 400, 'VALIDATION_FAILED', 'body has unknown property "colour"'],
      [
        { phone: 'call me' },
        400,
        'VALIDATION_FAILED',
        'phone "call me": phone number has characters other than digits, +, spaces, dashes and parentheses',
      ],
      [
        { phone: '0312345678', channels: ['fax'] },
        400,
        'VALIDATION_FAILED',
        'body.channels/0 must be equal to one of the allowed values: voice, sms, email',
      ],
    ];
    for (const [body, status, code, message] of cases) {
      const res = await call('POST', '/dnc', body);
      t.equal(res.statusCode, status, JSON.stringify(body));
      t.equal(res.json().code, code);
      if (message) t.equal(res.json().message.replace('body.channels.0', 'body.channels/0'), message);
    }
    t.same((await call('GET', '/dnc')).json().total, before.total);
    t.equal((await call('POST', '/dnc', { phone: '0312345678' }, 'agent')).statusCode, 403);
    t.equal((await app.inject({ method: 'GET', url: '/dnc/check?phone=0312345678' })).statusCode, 401);
  });

  await t.test('remove and the audit trail', async (t) => {
    t.equal((await call('DELETE', `/dnc/entries/${encodeURIComponent('+819012345678')}`)).statusCode, 204);
    const again = await call('DELETE', '/dnc/entries/09012345678');
    t.same([again.statusCode, again.json().message], [404, '+819012345678 is not on the global do-not-call list']);
    t.same(await check('09012345678'), { phone: '+819012345678', listed: false });
    await call('POST', '/dnc', { phone: '09012345678', reason: 'again' }, 'admin');
    const audit = (await call('GET', `/dnc/audit?phone=${encodeURIComponent('090 1234 5678')}`)).json().records;
    t.same(
      audit.map((r: { action: string; actor: string }) => [r.action, r.actor]),
      [
        ['added', 'admin'],
        ['removed', 'supervisor'],
        ['added', 'supervisor'],
      ],
      'newest first, who and what',
    );
    t.match(audit[1], { phone: '+819012345678', scope: 'global', source: 'api', entry: { reason: 'complaint' } });
    const campaignAudit = (await call('GET', '/dnc/audit?campaignId=c1')).json().records;
    t.match(campaignAudit, [{ action: 'added', phone: '+81312340000', scope: 'campaign', campaignId: 'c1' }]);
    const paged = (await call('GET', `/dnc/audit?limit=1&before=${audit[0].id}`)).json().records;
    t.equal(paged.length, 1);
    t.not(paged[0].id, audit[0].id);
  });

  await t.test('CSV import keeps valid rows and reports bad ones', async (t) => {
    const file = [
      'phone,channels,expiresAt,reason,branch',
      '0120-000-111,,,"complaint, loud",Tokyo',
      'not-a-number,,,x,Osaka',
      '0120000222,voice;sms,2099-12-31T00:00:00Z,,Osaka',
      '0120000333,pigeon,,,Nagoya',
      '0120000444,,1999-01-01T00:00:00Z,,Nagoya',
      '0120000111,voice,,,Tokyo',
    ].join('\r\n');
    const res = await csv('/dnc/import?campaignId=c1', '\ufeff' + file);
    t.equal(res.statusCode, 200, res.body);
    const r = res.json();
    t.match(r, { rows: 6, added: 2, updated: 1, rejected: 3, ignoredColumns: ['branch'] });
    t.same(r.errors, [
      {
        row: 3,
        column: 'phone',
        value: 'not-a-number',
        reason: 'phone "not-a-number": phone number has characters other than digits, +, spaces, dashes and parentheses',
      },
      { row: 5, column: 'channels', value: 'pigeon', reason: 'channel "pigeon" is not one of voice, sms, email' },
      { row: 6, column: 'expiresAt', value: '1999-01-01T00:00:00Z', reason: 'expiresAt "1999-01-01T00:00:00Z" is in the past' },
    ]);
    t.match(
      await check('0120000111', '&campaignId=c1'),
      { listed: true, scope: 'campaign', entry: { channels: ['voice'], reason: '' } },
      'a later row updates an earlier one',
    );
    t.match(await check('0120000222', '&campaignId=c1'), { listed: true });
    t.same((await check('0120000333', '&campaignId=c1')).listed, false);
    const audit = (await call('GET', '/dnc/audit?campaignId=c1&limit=3')).json().records;
    t.match(audit[0], { action: 'updated', actor: 'supervisor', source: /^import:/ });
  });

  await t.test('Shift_JIS CSV with a Japanese header', async (t) => {
    const body = iconv.encode('電話番号,理由\r\n０３－５５５５－１２３４,苦情\r\n', 'cp932');
    const res = await csv('/dnc/import?encoding=shift_jis', body);
    t.equal(res.statusCode, 200, res.body);
    t.match(res.json(), { rows: 1, added: 1, rejected: 0 });
    t.match(await check('0355551234'), { listed: true, entry: { reason: '苦情' } });
  });

  await t.test('file-level errors keep what was imported before them', async (t) => {
    let res = await csv('/dnc/import', 'name,reason\r\nx,y\r\n');
    t.same(
      [res.statusCode, res.json().code, res.json().message],
      [400, 'INVALID_FILE', 'the header row has no phone column (expected one of: phone, number, tel, phone_number, 電話番号)'],
    );
    res = await csv('/dnc/import', 'phone,reason\r\n0120999001,ok\r\n0120999002,"unterminated\r\n');
    t.equal(res.statusCode, 400);
    t.equal(res.json().code, 'INVALID_FILE');
    t.match(res.json().message, /^the file is not valid CSV: /);
    t.match(await check('0120999001'), { listed: true }, 'the valid row before the break is kept');
    res = await csv('/dnc/import', '');
    t.same([res.statusCode, res.json().message], [400, 'the file is empty: expected a header row with a phone column']);
    res = await call('POST', '/dnc/import', { phone: '0120999003' });
    t.same([res.statusCode, res.json().code], [415, 'UNSUPPORTED_MEDIA_TYPE']);
  });
});

t.test('the OpenAPI document lists every DNC route with its schemas', async (t) => {
  const { app } = await build(t);
  const doc = (await app.inject({ method: 'GET', url: '/openapi.json' })).json();
  for (const p of ['/dnc', '/dnc/check', '/dnc/entries/{phone}', '/dnc/import', '/dnc/audit']) t.ok(doc.paths[p], p);
  t.ok(doc.paths['/dnc/import'].post.requestBody.content['text/csv'], 'CSV body documented');
  const bad = await app.inject({
    method: 'POST',
    url: '/dnc/import?encoding=latin1',
    headers: { ...auth('supervisor'), 'content-type': 'text/csv' },
    payload: 'phone\n0312345678\n',
  });
  t.same([bad.statusCode, bad.json().message], [400, 'querystring.encoding must be equal to one of the allowed values: utf8, shift_jis']);
  t.equal((await app.inject({ method: 'GET', url: '/dnc', headers: auth('supervisor') })).json().total, 0, 'nothing imported');
});
