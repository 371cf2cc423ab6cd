import t from 'tap';
import { build, auth } from '../../helpers/app';

t.test('agents and groups over the API on a real Redis', async (t) => {
  const { app } = await build(t);
  type Role = Parameters<typeof auth>[0];
  const call = (method: string, url: string, body?: unknown, role: Role = 'supervisor') =>
    app.inject({
      method: method as 'GET',
      url,
      headers: body === undefined ? auth(role) : { ...auth(role), 'content-type': 'application/json' },
      payload: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });

  await t.test('groups and agents with memberships', async (t) => {
    t.equal((await call('POST', '/groups', { id: 'sales', name: 'Sales' })).statusCode, 201);
    t.equal((await call('POST', '/groups', { id: 'care', name: 'Care', description: 'retention' })).statusCode, 201);
    let res = await call('POST', '/agents', { id: 'a1', name: '山田 太郎', sipUri: 'sip:1001@127.0.0.1:5070', groups: ['sales', 'care'] });
    t.equal(res.statusCode, 201, res.body);
    t.match(res.json(), { id: 'a1', name: '山田 太郎', sipUri: 'sip:1001@127.0.0.1:5070', groups: ['care', 'sales'] });
    t.equal((await call('POST', '/agents', { id: 'a2', name: 'Kim', sipUri: 'sip:1002@127.0.0.1', groups: ['sales'] })).statusCode, 201);
    t.same((await call('GET', '/groups/sales')).json().members, ['a1', 'a2']);
    t.same(
      (await call('GET', '/agents?group=care')).json().agents.map((a: { id: string }) => a.id),
      ['a1'],
    );

    res = await call('PATCH', '/agents/a2', { groups: ['care'] });
    t.same(res.json().groups, ['care']);
    t.same((await call('GET', '/groups/sales')).json().members, ['a1'], 'membership moved atomically');

    res = await call('DELETE', '/groups/care');
    t.equal(res.statusCode, 204);
    t.same((await call('GET', '/agents/a1')).json().groups, ['sales'], 'deleting a group drops it from its agents');
    t.same((await call('GET', '/agents/a2')).json().groups, []);
  });

  await t.test('bad input answers the exact error and loses nothing', async (t) => {
    const before = (await call('GET', '/agents')).json();
    const cases: [string, string, unknown, number, string, string][] = [
      ['POST', '/agents', '{"id":', 400, 'INVALID_JSON', ''],
      [
        'POST',
        '/agents',
        { id: 'a3', name: 'x', sipUri: 'sip:1@h', extra: 1 },
        400,
        'VALIDATION_FAILED',
        'body has unknown property "extra"',
      ],
      [
        'POST',
        '/agents',
        { id: 'bad id', name: 'x', sipUri: 'sip:1@h' },
        400,
        'VALIDATION_FAILED',
        'body.id must match pattern "^[A-Za-z0-9_.@-]{1,64}$"',
      ],
      [
        'POST',
        '/agents',
        { id: 'a3', name: 'x', sipUri: 'tel:+8131234' },
        400,
        'VALIDATION_FAILED',
        'body.sipUri "tel:+8131234" is not a SIP URI (e.g. sip:1001@10.0.0.5:5060)',
      ],
      [
        'POST',
        '/agents',
        { id: 'a3', name: 'x', sipUri: 'sip:1@h', groups: ['nope'] },
        404,
        'NOT_FOUND',
        'agent group nope does not exist',
      ],
      ['POST', '/agents', { id: 'a1', name: 'dup', sipUri: 'sip:1@h' }, 409, 'DUPLICATE', 'agent a1 already exists'],
      ['PATCH', '/agents/a1', { groups: ['sales', 'nope'] }, 404, 'NOT_FOUND', 'agent group nope does not exist'],
      ['PATCH', '/agents/zz', { name: 'x' }, 404, 'NOT_FOUND', 'agent zz does not exist'],
      ['POST', '/groups', { id: 'sales', name: 'again' }, 409, 'DUPLICATE', 'agent group sales already exists'],
    ];
    for (const [method, url, body, status, code, message] of cases) {
      const res = await call(method, url, body);
      t.equal(res.statusCode, status, `${method} ${url} ${JSON.stringify(body)}`);
      t.equal(res.json().code, code);
      if (message) t.equal(res.json().message, message);
    }
    t.same((await call('GET', '/agents')).json(), before, 'nothing created or changed');
    t.same((await call('GET', '/groups/sales')).json().members, ['a1']);
  });

  await t.test('agent keys act only on their own agent', async (t) => {
    let res = await call('GET', '/agents/a1', undefined, 'agent');
    t.equal(res.statusCode, 200);
    res = await call('GET', '/agents/a2', undefined, 'agent');
    t.same([res.statusCode, res.json().code, res.json().message], [403, 'FORBIDDEN', 'an agent key may act only on agent a1']);
    res = await call('PATCH', '/agents/a2', { sipUri: 'sip:evil@127.0.0.1' }, 'agent');
    t.equal(res.statusCode, 403);
    t.equal((await call('GET', '/agents/a2')).json().sipUri, 'sip:1002@127.0.0.1', 'the other agent is untouched');
    res = await call('PATCH', '/agents/a1', { sipUri: 'sip:2001@127.0.0.1' }, 'agent');
    t.equal(res.statusCode, 200, 'own phone may change');
    res = await call('PATCH', '/agents/a1', { groups: [] }, 'agent');
    t.same([res.statusCode, res.json().message], [403, 'an agent key cannot change group membership; ask a supervisor']);
    t.equal((await call('GET', '/agents', undefined, 'agent')).statusCode, 403);
    t.equal((await call('POST', '/agents', { id: 'a9', name: 'x', sipUri: 'sip:1@h' }, 'agent')).statusCode, 403);
    t.equal((await call('DELETE', '/agents/a1', undefined, 'agent2')).statusCode, 403);
    t.equal((await app.inject({ method: 'GET', url: '/agents/a1' })).statusCode, 401);
  });

  await t.test('a group used by a campaign cannot be deleted', async (t) => {
    const res = await call('POST', '/campaigns', { id: 'c1', name: 'c1', agentGroups: ['sales'] });
    t.equal(res.statusCode, 201, res.body);
    const del = await call('DELETE', '/groups/sales');
    t.same(
      [del.statusCode, del.json().code, del.json().message],
      [409, 'IN_USE', 'agent group sales is used by campaign(s) c1; remove it from them first'],
    );
    t.same((await call('GET', '/groups/sales')).json().members, ['a1'], 'members kept');
    t.equal((await call('PATCH', '/campaigns/c1', { agentGroups: [] })).statusCode, 200);
    t.equal((await call('DELETE', '/groups/sales')).statusCode, 204, 'free once the campaign lets go');
    t.equal((await call('DELETE', '/agents/a1')).statusCode, 204);
    t.equal((await call('GET', '/agents/a1')).statusCode, 404);
  });
});
