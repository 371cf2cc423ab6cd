import t from 'tap';
import type { FastifyInstance } from 'fastify';
import { auth } from '../../helpers/app';
import { makeEntry, putDncEntries } from '../../../lib/store/dnc';
import { claimCallback, createCallback, dueCallbacks, listCallbacks } from '../../../lib/store/callbacks';
import { createCampaign } from '../../../lib/store/campaigns';
import { createGroup } from '../../../lib/store/agents';
import { apiFixture, type ApiFixture } from './api-fixture';

type Role = 'admin' | 'supervisor' | 'agent' | 'agent2';
const call = (app: FastifyInstance, role: Role, method: 'GET' | 'POST' | 'PATCH', url: string, payload?: unknown) =>
  app.inject({ method, url, headers: auth(role), ...(payload !== undefined ? { payload: payload as object } : {}) });
const inAnHour = () => new Date(Date.now() + 3600_000).toISOString();

let shared: ApiFixture | undefined;
/** One app per file (building it is the slow part); a clean store for each subtest. */
async function fresh(): Promise<ApiFixture> {
  if (!shared) shared = await apiFixture(t);
  else await shared.reset();
  return shared;
}

t.test('an agent promises a callback for itself; the runner sees it due and claims it once', async (t) => {
  const { app } = await fresh();
  const res = await call(app, 'agent', 'POST', '/campaigns/camp1/callbacks', {
    phone: '03-1234-5678',
    dueAt: inAnHour(),
    name: 'Sato',
    note: 'after 3pm',
  });
  t.equal(res.statusCode, 201);
  const cb = res.json();
  t.match(cb, { campaignId: 'camp1', phone: '+81312345678', owner: 'a1', state: 'scheduled', createdBy: 'agent:a1', name: 'Sato' });
  const later = Date.parse(cb.dueAt) + 1;
  t.same(
    (await dueCallbacks(app.redis, 'camp1', later, 10)).map((c) => c.id),
    [cb.id],
  );
  t.match(await claimCallback(app.redis, 'camp1', cb.id, later), { id: cb.id, owner: 'a1', state: 'claimed' });
  const edit = await call(app, 'agent', 'PATCH', `/campaigns/camp1/callbacks/${cb.id}`, { note: 'x' });
  t.equal(edit.statusCode, 409);
  t.equal(edit.json().message, `callback ${cb.id} is being dialled now and cannot be changed`);
});

t.test('bad input gets exact errors and nothing is stored', async (t) => {
  const { app } = await fresh();
  const cases: [Role, string, unknown, number, string | RegExp][] = [
    [
      'agent',
      '/campaigns/camp1/callbacks',
      { phone: 'abc', dueAt: inAnHour() },
      400,
      'body.phone phone number has characters other than digits, +, spaces, dashes and parentheses',
    ],
    ['agent', '/campaigns/camp1/callbacks', { phone: '0312345678', dueAt: 'tomorrow' }, 400, /body.dueAt must match format "date-time"/],
    [
      'agent',
      '/campaigns/camp1/callbacks',
      { phone: '0312345678', dueAt: '2020-01-01T00:00:00Z' },
      400,
      'body.dueAt 2020-01-01T00:00:00Z is in the past',
    ],
    [
      'agent',
      '/campaigns/camp1/callbacks',
      { phone: '0312345678', dueAt: inAnHour(), colour: 'red' },
      400,
      'body has unknown property "colour"',
    ],
    [
      'agent',
      '/campaigns/camp1/callbacks',
      { phone: '0312345678', dueAt: inAnHour(), owner: 'a2' },
      403,
      'an agent key may promise callbacks only for agent a1 or open to the group',
    ],
    [
      'supervisor',
      '/campaigns/camp1/callbacks',
      { phone: '0312345678', dueAt: inAnHour(), owner: 'ghost' },
      422,
      'owner ghost is not an agent',
    ],
    ['supervisor', '/campaigns/nope/callbacks', { phone: '0312345678', dueAt: inAnHour() }, 404, 'campaign nope does not exist'],
  ];
  for (const [role, url, body, status, msg] of cases) {
    const r = await call(app, role, 'POST', url, body);
    t.equal(r.statusCode, status, JSON.stringify(body));
    if (typeof msg === 'string') t.equal(r.json().message, msg);
    else t.match(r.json().message, msg);
  }
  t.same(await listCallbacks(app.redis, 'camp1'), []);
});

t.test('do-not-call numbers are refused with 409 (global and campaign lists)', async (t) => {
  const { app } = await fresh();
  const now = new Date();
  await putDncEntries(app.redis, {}, [makeEntry({ phone: '0312345678' }, { region: 'JP', actor: 't', now })], { actor: 't', now });
  await putDncEntries(app.redis, { campaignId: 'camp1' }, [makeEntry({ phone: '0312345679' }, { region: 'JP', actor: 't', now })], {
    actor: 't',
    now,
  });
  await putDncEntries(app.redis, {}, [makeEntry({ phone: '0312345670', channels: ['sms'] }, { region: 'JP', actor: 't', now })], {
    actor: 't',
    now,
  });
  const g = await call(app, 'agent', 'POST', '/campaigns/camp1/callbacks', { phone: '03 1234 5678', dueAt: inAnHour() });
  t.equal(g.statusCode, 409);
  t.same(g.json(), {
    statusCode: 409,
    code: 'CONFLICT',
    error: 'Conflict',
    message: '+81312345678 is on the global do-not-call list; no callback can be scheduled',
    details: { scope: 'global' },
  });
  const c = await call(app, 'supervisor', 'POST', '/campaigns/camp1/callbacks', { phone: '0312345679', dueAt: inAnHour() });
  t.equal(c.statusCode, 409);
  t.equal(c.json().message, "+81312345679 is on the campaign camp1's do-not-call list; no callback can be scheduled");
  const sms = await call(app, 'agent', 'POST', '/campaigns/camp1/callbacks', { phone: '0312345670', dueAt: inAnHour() });
  t.equal(sms.statusCode, 201, 'an SMS-only opt-out does not block a voice callback');
  t.equal((await listCallbacks(app.redis, 'camp1')).length, 1);
});

t.test('visibility and editing: own + open for agents; supervisors reassign and reschedule', async (t) => {
  const { app } = await fresh();
  const mk = async (role: Role, body: Record<string, unknown>) =>
    (await call(app, role, 'POST', '/campaigns/camp1/callbacks', { phone: '0312345678', dueAt: inAnHour(), ...body })).json();
  const own1 = await mk('agent', {});
  const open = await mk('supervisor', {});
  const own2 = await mk('agent2', {});
  t.equal(open.owner, null, "a supervisor's callback is open to the group unless an owner is given");
  const ids = (role: Role, q = '') =>
    call(app, role, 'GET', `/campaigns/camp1/callbacks${q}`).then((r) => r.json().callbacks.map((c: { id: string }) => c.id));
  t.same(await ids('agent'), [own1.id, open.id]);
  t.same(await ids('agent2'), [open.id, own2.id]);
  t.same(await ids('supervisor'), [own1.id, open.id, own2.id]);
  t.same(await ids('supervisor', '?owner=a2'), [own2.id]);
  t.equal(
    (await call(app, 'agent', 'GET', `/campaigns/camp1/callbacks/${own2.id}`)).statusCode,
    404,
    "another agent's callback is invisible",
  );
  t.equal((await call(app, 'agent', 'PATCH', `/campaigns/camp1/callbacks/${own2.id}`, { note: 'mine now' })).statusCode, 404);
  const steal = await call(app, 'agent', 'PATCH', `/campaigns/camp1/callbacks/${open.id}`, { owner: 'a1' });
  t.equal(steal.statusCode, 403);
  t.equal(steal.json().message, 'only supervisors reassign callbacks');
  const when = new Date(Date.now() + 2 * 3600_000).toISOString();
  const moved = await call(app, 'supervisor', 'PATCH', `/campaigns/camp1/callbacks/${own1.id}`, { owner: 'a2', dueAt: when });
  t.equal(moved.statusCode, 200);
  t.match(moved.json(), { owner: 'a2', dueAt: when });
  t.same(await ids('agent'), [open.id], 'a1 no longer sees the reassigned one');
  const resched = await call(app, 'agent', 'PATCH', `/campaigns/camp1/callbacks/${open.id}`, { dueAt: when, note: 'moved by a1' });
  t.match(resched.json(), { dueAt: when, note: 'moved by a1', owner: null });
  t.equal((await call(app, 'agent2', 'PATCH', `/campaigns/camp1/callbacks/${own2.id}`, { state: 'cancelled' })).json().state, 'cancelled');
  const again = await call(app, 'agent2', 'PATCH', `/campaigns/camp1/callbacks/${own2.id}`, { note: 'x' });
  t.equal(again.statusCode, 409);
  t.equal(again.json().message, `callback ${own2.id} is cancelled; reopen it with state "scheduled"`);
  t.equal((await call(app, 'agent2', 'PATCH', `/campaigns/camp1/callbacks/${own2.id}`, { state: 'scheduled' })).json().state, 'scheduled');
  const empty = await call(app, 'supervisor', 'PATCH', `/campaigns/camp1/callbacks/${own2.id}`, {});
  t.equal(empty.statusCode, 400);
  t.equal((await call(app, 'supervisor', 'PATCH', '/campaigns/camp1/callbacks/nope', { note: 'x' })).statusCode, 404);
});

t.test("an agent's own callbacks across every campaign the agent serves", async (t) => {
  const { app } = await fresh();
  await createGroup(app.redis, { id: 'support', name: 'Support' });
  await createCampaign(app.redis, { id: 'camp2', name: 'camp2', agentGroups: ['sales'] }, { region: 'JP' });
  await createCampaign(app.redis, { id: 'camp3', name: 'camp3', agentGroups: ['support'] }, { region: 'JP' });
  const soon = new Date(Date.now() + 1800_000).toISOString();
  t.equal((await call(app, 'agent', 'POST', '/campaigns/camp1/callbacks', { phone: '0312345678', dueAt: inAnHour() })).statusCode, 201);
  t.equal((await call(app, 'agent', 'POST', '/campaigns/camp2/callbacks', { phone: '0312345679', dueAt: soon })).statusCode, 201);
  // Not a1's: open to the group, another agent's, and one in a campaign a1 does not serve.
  t.equal(
    (await call(app, 'agent', 'POST', '/campaigns/camp2/callbacks', { phone: '0312345670', dueAt: soon, owner: null })).statusCode,
    201,
  );
  t.equal((await call(app, 'agent2', 'POST', '/campaigns/camp1/callbacks', { phone: '0312345671', dueAt: soon })).statusCode, 201);
  await createCallback(
    app.redis,
    { campaignId: 'camp3', phone: '+81312345672', dueAt: Date.now() + 600_000, owner: 'a1', createdBy: 'x' },
    Date.now(),
  );

  const res = await call(app, 'agent', 'GET', '/agents/a1/callbacks');
  t.equal(res.statusCode, 200);
  t.same(
    (res.json() as { campaignId: string; phone: string; owner: string }[]).map((c) => [c.campaignId, c.phone, c.owner]),
    [
      ['camp2', '+81312345679', 'a1'],
      ['camp1', '+81312345678', 'a1'],
    ],
    "own callbacks of camp1 and camp2, soonest first; not the open one, not a2's, not camp3 (another group)",
  );
  t.equal((await call(app, 'agent2', 'GET', '/agents/a1/callbacks')).statusCode, 403, "an agent key cannot list another agent's callbacks");
  t.equal((await call(app, 'supervisor', 'GET', '/agents/a1/callbacks')).statusCode, 200, 'a supervisor can');
});
