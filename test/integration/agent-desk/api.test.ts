import t from 'tap';
import type { FastifyInstance } from 'fastify';
import { auth } from '../../helpers/app';
import { getDisposition } from '../../../lib/store/agent-dispositions';
import { getAgentLive } from '../../../lib/store/agent-live';
import { apiFixture, type ApiFixture } from './api-fixture';
import { until } from './fixture';

type Role = 'admin' | 'supervisor' | 'agent' | 'agent2';
const call = (app: FastifyInstance, role: Role | null, method: 'GET' | 'POST' | 'PUT' | 'PATCH', url: string, payload?: unknown) =>
  app.inject({ method, url, headers: role ? auth(role) : {}, ...(payload !== undefined ? { payload: payload as object } : {}) });

async function readyAgent(f: Awaited<ReturnType<typeof apiFixture>>, id: string, role: Role) {
  const res = await call(f.app, role, 'POST', `/agents/${id}/login`);
  if (res.statusCode !== 202) throw new Error(res.body);
  const leg = (await getAgentLive(f.app.redis, id))!.leg!;
  f.driver.answer(leg);
  await until(async () => (await getAgentLive(f.app.redis, id))?.state === 'ready');
  return leg;
}

let shared: ApiFixture | undefined;
/** One app per file (building it is the slow part); a clean store for each subtest. */
async function fresh(): Promise<ApiFixture> {
  if (!shared) shared = await apiFixture(t);
  else await shared.reset();
  return shared;
}

t.test('role checks: an agent key acts only on its own agent; no key is 401', async (t) => {
  const f = await fresh();
  const none = await call(f.app, null, 'POST', '/agents/a1/login');
  t.equal(none.statusCode, 401);
  t.equal(none.json().code, 'UNAUTHORIZED');
  const other = await call(f.app, 'agent', 'POST', '/agents/a2/login');
  t.equal(other.statusCode, 403);
  t.same(other.json(), { statusCode: 403, code: 'FORBIDDEN', error: 'Forbidden', message: 'an agent key may act only on agent a1' });
  for (const [m, url, body] of [
    ['PUT', '/agents/a2/state', { state: 'break' }],
    ['POST', '/agents/a2/disposition', { next: 'continue' }],
    ['POST', '/agents/a2/call/hangup'],
    ['POST', '/agents/a2/call/transfer', { target: '2001' }],
    ['POST', '/agents/a2/call/hold'],
    ['GET', '/agents/a2/live'],
    ['GET', '/agents/a2/unsaved'],
  ] as const) {
    const r = await call(f.app, 'agent', m, url, body);
    t.equal(r.statusCode, 403, `${m} ${url}`);
  }
  t.equal((await call(f.app, 'agent', 'GET', '/live-agents')).statusCode, 403, 'the live board is for supervisors');
  t.equal((await call(f.app, 'agent', 'GET', '/unsaved')).statusCode, 403);
  t.equal(f.driver.calls.length, 0, 'nothing was dialled by refused requests');
  const sup = await call(f.app, 'supervisor', 'POST', '/agents/a2/login');
  t.equal(sup.statusCode, 202, 'a supervisor logs any agent in');
  t.match(sup.json(), { id: 'a2', state: 'connecting', groups: ['sales'] });
});

t.test('login → ready → break → ready, with exact errors for illegal requests', async (t) => {
  const f = await fresh();
  await readyAgent(f, 'a1', 'agent');
  const live = await call(f.app, 'agent', 'GET', '/agents/a1/live');
  t.match(live.json(), { id: 'a1', state: 'ready', secondsInState: Number, releaseAt: String });
  const again = await call(f.app, 'agent', 'POST', '/agents/a1/login');
  t.equal(again.statusCode, 409);
  t.same(again.json(), {
    statusCode: 409,
    code: 'ILLEGAL_TRANSITION',
    error: 'Conflict',
    message: 'cannot login while ready',
    details: { from: 'ready', event: 'login' },
  });
  const bad = await call(f.app, 'agent', 'PUT', '/agents/a1/state', { state: 'talking' });
  t.equal(bad.statusCode, 400);
  t.equal(bad.json().code, 'VALIDATION_FAILED');
  t.match(bad.json().message, /body.state must be equal to one of the allowed values: ready, return_calls, break, away/);
  const extra = await call(f.app, 'agent', 'PUT', '/agents/a1/state', { state: 'break', why: 'coffee' });
  t.equal(extra.json().message, 'body has unknown property "why"');
  t.equal((await call(f.app, 'agent', 'PUT', '/agents/a1/state', { state: 'break' })).json().state, 'break');
  t.equal(await f.desk.readyCount(['sales']), 0);
  const same = await call(f.app, 'agent', 'PUT', '/agents/a1/state', { state: 'break' });
  t.equal(same.statusCode, 409);
  t.equal(same.json().message, 'the agent is already break');
  t.equal((await call(f.app, 'agent', 'PUT', '/agents/a1/state', { state: 'ready' })).json().state, 'ready');
  const unknown = await call(f.app, 'admin', 'POST', '/agents/nobody/login');
  t.equal(unknown.statusCode, 404);
  t.equal(unknown.json().message, 'agent nobody does not exist');
  f.driver.failOriginate = 'ECONNREFUSED';
  const down = await call(f.app, 'agent2', 'POST', '/agents/a2/login');
  t.equal(down.statusCode, 503);
  t.equal(down.json().code, 'TELEPHONY_UNAVAILABLE');
  t.match(down.json().message, /cannot call agent a2's phone sip:a2@127.0.0.1:5999: ECONNREFUSED/);
  const lo = await call(f.app, 'agent', 'POST', '/agents/a1/logout');
  t.equal(lo.json().state, 'logged_out');
  t.equal(lo.json().lastReason, 'logged out');
});

t.test('return calls: log in to take them, switch to and from ready, bad bodies named', async (t) => {
  const f = await fresh();
  const bad = await call(f.app, 'agent', 'POST', '/agents/a1/login', { returnCalls: 'yes' });
  t.equal(bad.statusCode, 400);
  t.match(bad.json().message, /body.returnCalls must be boolean/);
  const extra = await call(f.app, 'agent', 'POST', '/agents/a1/login', { inbound: true });
  t.equal(extra.json().message, 'body has unknown property "inbound"');
  t.equal(f.driver.calls.length, 0, 'a refused login dials nothing');
  const res = await call(f.app, 'agent', 'POST', '/agents/a1/login', { returnCalls: true });
  t.equal(res.statusCode, 202);
  t.match(res.json(), { id: 'a1', state: 'connecting', returnCalls: true });
  f.driver.answer((await getAgentLive(f.app.redis, 'a1'))!.leg!);
  await until(async () => (await getAgentLive(f.app.redis, 'a1'))?.state === 'return_calls');
  t.match((await call(f.app, 'agent', 'GET', '/agents/a1/live')).json(), { state: 'return_calls', returnCalls: true, releaseAt: String });
  t.equal(await f.desk.readyCount(['sales']), 0, 'no campaign agent');
  const ready = await call(f.app, 'agent', 'PUT', '/agents/a1/state', { state: 'ready' });
  t.equal(ready.json().state, 'ready');
  t.notOk('returnCalls' in ready.json(), 'ready is not return calls');
  t.equal(await f.desk.readyCount(['sales']), 1);
  const back = await call(f.app, 'agent', 'PUT', '/agents/a1/state', { state: 'return_calls' });
  t.match(back.json(), { state: 'return_calls', returnCalls: true });
  const spec = (await call(f.app, 'admin', 'GET', '/openapi.json')).json() as {
    paths: Record<string, Record<string, { requestBody?: unknown }>>;
  };
  t.match(JSON.stringify(spec.paths['/agents/{id}/login']), /returnCalls/, 'the login body is in the OpenAPI document');
});

t.test('a call: screen pop on the live view, hold, hang up, disposition from the campaign list', async (t) => {
  const f = await fresh();
  await readyAgent(f, 'a1', 'agent');
  const r = (await f.desk.reserve(['sales'], 'att-1'))!;
  const cust = f.driver.customer();
  await f.desk.connect(r, cust, {
    campaignId: 'camp1',
    attemptId: 'att-1',
    listId: 'l1',
    contactId: 'k1',
    phone: '+81312345678',
    name: 'Sato',
    attemptNo: 1,
  });
  const live = (await call(f.app, 'agent', 'GET', '/agents/a1/live')).json();
  t.match(live, {
    state: 'talking',
    call: { attemptId: 'att-1', campaignId: 'camp1', onHold: false, contact: { name: 'Sato', phone: '+81312345678' } },
  });
  t.notOk('releaseAt' in live, 'no idle limit while talking');
  const early = await call(f.app, 'agent', 'POST', '/agents/a1/disposition', { disposition: 'sale', next: 'continue' });
  t.equal(early.statusCode, 409);
  t.match(early.json().message, /cannot dispose while talking/);
  t.equal((await call(f.app, 'agent', 'POST', '/agents/a1/call/hold')).json().call.onHold, true);
  t.equal((await call(f.app, 'agent', 'POST', '/agents/a1/call/hold')).json().message, "agent a1's customer is already on hold");
  t.equal((await call(f.app, 'agent', 'POST', '/agents/a1/call/unhold')).json().call.onHold, false);
  const badT = await call(f.app, 'agent', 'POST', '/agents/a1/call/transfer', { target: 'not a uri' });
  t.equal(badT.statusCode, 400);
  t.equal((await call(f.app, 'agent', 'POST', '/agents/a1/call/hangup')).json().state, 'wrap_up');
  t.ok(f.driver.calls.some((c) => c.op === 'hangup' && c.leg === cust));

  const missing = await call(f.app, 'agent', 'POST', '/agents/a1/disposition', { next: 'continue' });
  t.equal(missing.statusCode, 422);
  t.same(missing.json(), {
    statusCode: 422,
    code: 'UNPROCESSABLE',
    error: 'Unprocessable Entity',
    message: 'campaign camp1 requires a disposition: one of sale, no-interest',
    details: { allowed: ['sale', 'no-interest'] },
  });
  const wrong = await call(f.app, 'agent', 'POST', '/agents/a1/disposition', { disposition: 'maybe', next: 'continue' });
  t.equal(wrong.json().message, 'disposition "maybe" is not one of campaign camp1\'s: sale, no-interest');
  const stale = await call(f.app, 'agent', 'POST', '/agents/a1/disposition', { attemptId: 'att-0', disposition: 'sale', next: 'continue' });
  t.equal(stale.statusCode, 409);
  t.equal(stale.json().message, 'agent a1 is wrapping up attempt att-1, not att-0');
  t.equal(await getDisposition(f.app.redis, 'camp1', 'att-1'), null, 'nothing saved by refused submissions');
  t.equal((await getAgentLive(f.app.redis, 'a1'))?.state, 'wrap_up', 'still in wrap-up');

  const done = await call(f.app, 'agent', 'POST', '/agents/a1/disposition', {
    attemptId: 'att-1',
    disposition: 'sale',
    note: 'wants the blue one',
    next: 'break',
  });
  t.equal(done.statusCode, 200);
  t.match(done.json(), { state: 'break' });
  t.notOk(done.json().call);
  t.match(await getDisposition(f.app.redis, 'camp1', 'att-1'), {
    agentId: 'a1',
    disposition: 'sale',
    note: 'wants the blue one',
    by: 'agent:a1',
  });
});

t.test('unsaved records: listed for the agent and supervisors, completed once', async (t) => {
  const f = await fresh();
  const leg = await readyAgent(f, 'a1', 'agent');
  const r = (await f.desk.reserve(['sales'], 'att-5'))!;
  await f.desk.connect(r, f.driver.customer(), {
    campaignId: 'camp1',
    attemptId: 'att-5',
    listId: 'l1',
    contactId: 'k5',
    phone: '+81312345670',
    attemptNo: 2,
  });
  f.driver.end(leg);
  await until(async () => (await getAgentLive(f.app.redis, 'a1'))?.state === 'logged_out');
  const mine = (await call(f.app, 'agent', 'GET', '/agents/a1/unsaved')).json().records;
  t.equal(mine.length, 1);
  t.match(mine[0], {
    agentId: 'a1',
    campaignId: 'camp1',
    attemptId: 'att-5',
    callState: 'talking',
    state: 'open',
    contact: { contactId: 'k5' },
  });
  t.same(
    (await call(f.app, 'supervisor', 'GET', '/unsaved')).json().records.map((x: { id: string }) => x.id),
    [mine[0].id],
  );
  const uid = mine[0].id as string;
  t.equal((await call(f.app, 'agent2', 'GET', `/unsaved/${uid}`)).statusCode, 403, 'another agent may not see it');
  t.equal((await call(f.app, 'agent2', 'POST', `/unsaved/${uid}/complete`, { disposition: 'sale' })).statusCode, 403);
  const wrong = await call(f.app, 'agent', 'POST', `/unsaved/${uid}/complete`, { disposition: 'maybe' });
  t.equal(wrong.statusCode, 422);
  const ok = await call(f.app, 'supervisor', 'POST', `/unsaved/${uid}/complete`, { disposition: 'no-interest', note: 'line dropped' });
  t.equal(ok.statusCode, 200);
  t.match(ok.json(), { state: 'completed', completion: { disposition: 'no-interest', note: 'line dropped', by: 'supervisor:sv' } });
  t.match(await getDisposition(f.app.redis, 'camp1', 'att-5'), { disposition: 'no-interest', fromUnsaved: true, agentId: 'a1' });
  const twice = await call(f.app, 'agent', 'POST', `/unsaved/${uid}/complete`, { disposition: 'sale' });
  t.equal(twice.statusCode, 409);
  t.equal(twice.json().message, `unsaved record ${uid} was already completed by supervisor:sv`);
  t.same((await call(f.app, 'agent', 'GET', '/agents/a1/unsaved')).json().records, []);
  t.equal((await call(f.app, 'agent', 'GET', '/unsaved/nope')).statusCode, 404);
});

t.test('the live board lists logged-in agents', async (t) => {
  const f = await fresh();
  await readyAgent(f, 'a1', 'agent');
  await call(f.app, 'supervisor', 'POST', '/agents/a3/login');
  const board = (await call(f.app, 'supervisor', 'GET', '/live-agents')).json().agents;
  t.same(
    board.map((a: { id: string; state: string }) => `${a.id}:${a.state}`),
    ['a1:ready', 'a3:connecting'],
  );
});

t.test('the desk routes are in the OpenAPI document', async (t) => {
  const f = await fresh();
  const doc = (await call(f.app, null, 'GET', '/openapi.json')).json();
  for (const p of [
    '/agents/{id}/login',
    '/agents/{id}/disposition',
    '/agents/{id}/call/transfer',
    '/unsaved/{uid}/complete',
    '/campaigns/{id}/callbacks/{cbId}',
  ]) {
    t.ok(doc.paths[p], p);
  }
});
