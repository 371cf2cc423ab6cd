/**
 * Outcome entry from the customer search (issue 18, seed 001): a supervisor
 * records the result of a customer found by search; an agent only for a
 * return call they took (another agent's call, or none, is 403; seed 001's
 * role rule); the campaign must use the contact's list and the disposition be
 * one of the campaign's (422), bad bodies are 400 naming the field; the
 * contact's outcomes list newest first, per the agent's lists. Real Redis.
 */
import t from 'tap';
import { auth, build } from '../../helpers/app';
import { putInboundCall, type InboundCallRecord } from '../../../lib/store/inbound';
import { outcomeRefusal } from '../../../lib/domain/customer-outcome';

type Role = 'admin' | 'supervisor' | 'agent' | 'agent2';

t.test('who may record an outcome (pure)', async (t) => {
  const input = { listId: 'L1', contactId: 'c', campaignId: 'mine', note: 'called back' };
  const ctx = { campaignLists: ['L1'], visibleLists: ['L1'], call: undefined };
  t.equal(outcomeRefusal({ role: 'supervisor' }, input, ctx), undefined);
  t.equal(outcomeRefusal({ role: 'admin' }, input, ctx), undefined);
  t.match(outcomeRefusal({ role: 'agent', agentId: 'a1' }, input, ctx), { code: 'FORBIDDEN', message: /only for a return call they took/ });
  const withCall = { ...input, inboundCallId: 'in-1' };
  t.equal(outcomeRefusal({ role: 'agent', agentId: 'a1' }, withCall, { ...ctx, call: { agentId: 'a1' } }), undefined);
  t.match(outcomeRefusal({ role: 'agent', agentId: 'a2' }, withCall, { ...ctx, call: { agentId: 'a1' } }), {
    code: 'FORBIDDEN',
    message: 'inbound call in-1 was not taken by agent a2',
  });
  t.match(outcomeRefusal({ role: 'agent', agentId: 'a1' }, withCall, { ...ctx, visibleLists: [], call: { agentId: 'a1' } }), {
    code: 'FORBIDDEN',
  });
  t.match(outcomeRefusal({ role: 'supervisor' }, withCall, { ...ctx, call: null }), { code: 'UNPROCESSABLE', message: /does not exist/ });
  t.match(outcomeRefusal({ role: 'supervisor' }, input, { ...ctx, campaignLists: ['L2'] }), {
    code: 'UNPROCESSABLE',
    message: 'campaign mine does not use list L1',
  });
  t.match(outcomeRefusal({ role: 'supervisor' }, { ...input, note: ' ' }, ctx), { code: 'VALIDATION_FAILED' });
});

t.test('outcome entry API: roles, checks, listing', async (t) => {
  const { app } = await build(t);
  const call = (role: Role, method: 'GET' | 'POST', url: string, body?: unknown) =>
    app.inject({
      method,
      url,
      headers: { ...auth(role), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { payload: JSON.stringify(body) } : {}),
    });
  const setup = async (url: string, body: unknown) => {
    const r = await call('admin', 'POST', url, body);
    t.ok(r.statusCode < 300, `${url} ${r.body}`);
  };
  for (const g of ['G1', 'G2']) await setup('/groups', { id: g, name: g });
  await setup('/agents', { id: 'a1', name: 'a1', sipUri: 'sip:a1@127.0.0.1', groups: ['G1'] });
  await setup('/agents', { id: 'a2', name: 'a2', sipUri: 'sip:a2@127.0.0.1', groups: ['G2'] });
  await setup('/lists', { id: 'L1', name: 'mine' });
  await setup('/lists', { id: 'L2', name: 'theirs' });
  await setup('/campaigns', {
    id: 'mine',
    name: 'mine',
    agentGroups: ['G1'],
    dispositions: [
      { code: 'sale', label: 'Sale' },
      { code: 'later', label: 'Call later' },
    ],
  });
  await setup('/campaigns', { id: 'theirs', name: 'theirs', agentGroups: ['G2'] });
  await setup('/campaigns/mine/lists', { listId: 'L1' });
  await setup('/campaigns/theirs/lists', { listId: 'L2' });
  await setup('/lists/L1/contacts/bulk', { contacts: [{ id: 'sato', phone: '03-1234-5678', name: '佐藤 花子' }] });
  await setup('/lists/L2/contacts/bulk', { contacts: [{ id: 'kato', phone: '03-9999-0000', name: 'Kato' }] });
  // A return call a1 took (the inbound service writes this record when the agent is connected).
  const rec: InboundCallRecord = {
    id: 'in-test-1',
    did: '+81312340001',
    caller: '+81312345678',
    at: Date.now(),
    by: 'band',
    action: 'agents',
    outcome: 'agent',
    agentId: 'a1',
    contacts: [],
    retries: [],
  };
  await putInboundCall(app.redis, rec);
  const url = '/customers/L1/sato/outcomes';

  // Supervisor: any contact.
  const sup = await call('supervisor', 'POST', url, { campaignId: 'mine', disposition: 'sale', note: 'rang back, bought' });
  t.equal(sup.statusCode, 201, sup.body);
  t.match(sup.json(), { listId: 'L1', contactId: 'sato', campaignId: 'mine', disposition: 'sale', role: 'supervisor', by: /^supervisor/ });
  t.ok(Date.parse(sup.json().at as string) > 0);

  // Agent: refused without a return call of theirs (seed 001's role rule) …
  const none = await call('agent', 'POST', url, { campaignId: 'mine', note: 'x' });
  t.equal(none.statusCode, 403);
  t.match(none.json().message, /only for a return call they took/);
  const other = await call('agent2', 'POST', url, { campaignId: 'mine', note: 'x', inboundCallId: 'in-test-1' });
  t.equal(other.statusCode, 403);
  t.equal(other.json().message, 'inbound call in-test-1 was not taken by agent a2');
  // … allowed for the call they took.
  const own = await call('agent', 'POST', url, {
    campaignId: 'mine',
    disposition: 'later',
    note: 'wants a call on Monday',
    inboundCallId: 'in-test-1',
  });
  t.equal(own.statusCode, 201, own.body);
  t.match(own.json(), { role: 'agent', by: 'agent:a1', inboundCallId: 'in-test-1' });
  // An agent's own call, but a contact of a campaign they do not serve.
  await setup('/campaigns/theirs/lists', { listId: 'L1' });
  const notMine = await call('agent', 'POST', '/customers/L2/kato/outcomes', {
    campaignId: 'theirs',
    note: 'x',
    inboundCallId: 'in-test-1',
  });
  t.equal(notMine.statusCode, 403);
  t.equal(notMine.json().message, 'agent a1 serves no campaign using list L2');

  // Checks with the field or the rule named.
  const bad = async (role: Role, u: string, body: unknown, status: number, message: RegExp) => {
    const r = await call(role, 'POST', u, body);
    t.equal(r.statusCode, status, `${JSON.stringify(body)} → ${r.body}`);
    t.match(r.json().message, message);
  };
  await bad(
    'supervisor',
    url,
    { campaignId: 'mine', disposition: 'nope' },
    422,
    /disposition "nope" is not one of campaign mine's: sale, later/,
  );
  await bad('supervisor', url, { campaignId: 'mine' }, 400, /give a disposition or a note/);
  await bad('supervisor', url, { campaignId: 'mine', note: 'x', extra: 1 }, 400, /body has unknown property "extra"/);
  await bad('supervisor', url, { note: 'x' }, 400, /campaignId/);
  await bad('supervisor', '/customers/L2/kato/outcomes', { campaignId: 'mine', note: 'x' }, 422, /campaign mine does not use list L2/);
  await bad('supervisor', url, { campaignId: 'mine', note: 'x', inboundCallId: 'in-nope' }, 422, /inbound call in-nope does not exist/);
  await bad('supervisor', '/customers/L1/nobody/outcomes', { campaignId: 'mine', note: 'x' }, 404, /nobody/);
  await bad('supervisor', url, { campaignId: 'ghost', note: 'x' }, 404, /ghost/);

  // Listing: newest first; an agent only for lists of campaigns they serve.
  const list = await call('agent', 'GET', url);
  t.equal(list.statusCode, 200);
  t.same(
    (list.json() as { note: string }[]).map((o) => o.note),
    ['wants a call on Monday', 'rang back, bought'],
  );
  t.equal((await call('agent', 'GET', '/customers/L2/kato/outcomes')).statusCode, 403);
  t.same((await call('supervisor', 'GET', '/customers/L2/kato/outcomes')).json(), []);
  const spec = (await call('admin', 'GET', '/openapi.json')).json() as { paths: Record<string, unknown> };
  t.ok(spec.paths['/customers/{listId}/{contactId}/outcomes'], 'in the OpenAPI document');
});
