import t from 'tap';
import { build, auth } from '../../helpers/app';

t.test("an agent key is narrowed to its groups' campaigns for callbacks and to listed / not listed for DNC checks", async (t) => {
  const { app } = await build(t);
  const as = (role: 'admin' | 'agent') => ({ ...auth(role), 'content-type': 'application/json' });
  const post = (url: string, body: unknown, role: 'admin' | 'agent' = 'admin') =>
    app.inject({ method: 'POST', url, headers: as(role), payload: JSON.stringify(body) });
  for (const g of ['G1', 'G2']) t.equal((await post('/groups', { id: g, name: g })).statusCode, 201);
  t.equal((await post('/agents', { id: 'a1', name: 'a1', sipUri: 'sip:a1@127.0.0.1', groups: ['G1'] })).statusCode, 201);
  t.equal((await post('/campaigns', { id: 'theirs', name: 'theirs', agentGroups: ['G2'] })).statusCode, 201);
  t.equal((await post('/campaigns', { id: 'mine', name: 'mine', agentGroups: ['G1'] })).statusCode, 201);
  const due = new Date(Date.now() + 3600_000).toISOString();

  const refused = await post('/campaigns/theirs/callbacks', { phone: '0312345678', dueAt: due }, 'agent');
  t.equal(refused.statusCode, 403);
  t.match(refused.json(), { code: 'FORBIDDEN', message: "agent a1 is in none of campaign theirs's groups (G2)" });
  t.equal(
    (await app.inject({ method: 'GET', url: '/campaigns/theirs/callbacks', headers: auth('agent') })).statusCode,
    403,
    'nor list them',
  );
  const ok = await post('/campaigns/mine/callbacks', { phone: '0312345678', dueAt: due }, 'agent');
  t.equal(ok.statusCode, 201, ok.body);
  t.equal((await post('/campaigns/theirs/callbacks', { phone: '0312345678', dueAt: due })).statusCode, 201, 'a supervisor key may');

  t.equal((await post('/dnc', { phone: '0312345679', reason: 'complaint: called the CEO' })).statusCode, 201);
  const forAgent = await app.inject({ method: 'GET', url: '/dnc/check?phone=0312345679', headers: auth('agent') });
  t.same(forAgent.json(), { phone: '+81312345679', listed: true, scope: 'global' }, 'an agent learns only that it is listed, and where');
  const forAdmin = await app.inject({ method: 'GET', url: '/dnc/check?phone=0312345679', headers: auth('admin') });
  t.match(
    forAdmin.json(),
    { phone: '+81312345679', listed: true, scope: 'global', entry: { phone: '+81312345679' } },
    'a supervisor sees the entry',
  );
});
