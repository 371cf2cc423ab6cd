import t from 'tap';
import { putDialingStatus } from '../../../lib/store/campaign-dialing';
import { build, auth } from '../../helpers/app';
import { createList, listUsersKey, deleteList } from '../../../lib/store/lists';
import { createGroup } from '../../../lib/store/agents';
import { getCampaign, listRunningCampaigns, setCampaignState } from '../../../lib/store/campaigns';
import { IllegalTransitionError } from '../../../lib/domain/campaign';

const json = (role: Parameters<typeof auth>[0]) => ({ ...auth(role), 'content-type': 'application/json' });

t.test('campaigns over the API on a real Redis', async (t) => {
  const { app } = await build(t);
  const post = (url: string, body?: unknown, role: Parameters<typeof auth>[0] = 'supervisor') =>
    app.inject({
      method: 'POST',
      url,
      headers: body === undefined ? auth(role) : json(role),
      payload: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
  const patch = (url: string, body: unknown) =>
    app.inject({ method: 'PATCH', url, headers: json('supervisor'), payload: JSON.stringify(body) });

  await t.test('create fills every default and keeps names of any script', async (t) => {
    const res = await post('/campaigns', { id: 'jp', name: '夏のキャンペーン-2024', callerId: '03-1234-5678' });
    t.equal(res.statusCode, 201, res.body);
    const c = res.json();
    t.match(c, {
      id: 'jp',
      name: '夏のキャンペーン-2024',
      state: 'draft',
      version: 1,
      callerId: '+81312345678',
      presentCallerId: true,
      mode: 'progressive',
      ringTimeoutSec: 40,
      maxAttempts: 1,
      maxConcurrentCalls: 0,
      abandonThresholdSec: 2,
      abandonTargetPct: 3,
      hours: { timeZone: 'Asia/Tokyo', days: { mon: [{ from: '09:00', to: '17:00' }] } },
      lists: [],
      startedAt: null,
    });
    t.same(c.ratioTable, [
      { upToIdleAgents: 5, ratio: 1 },
      { upToIdleAgents: 10, ratio: 1.5 },
      { upToIdleAgents: 20, ratio: 2 },
      { upToIdleAgents: 50, ratio: 2.5 },
      { upToIdleAgents: null, ratio: 3 },
    ]);
    t.same(
      [c.retryPolicy['2'], c.retryPolicy['5'], c.retryPolicy['14'], c.retryPolicy['20']],
      [{ retry: true }, { retry: false }, { retry: true }, { retry: false }],
    );
    const ko = await post('/campaigns', { name: '여름-캠페인' });
    t.equal(ko.statusCode, 201);
    t.match(ko.json().id, /^[0-9a-f-]{36}$/, 'generated id');
    const got = await app.inject({ method: 'GET', url: '/campaigns/jp', headers: auth('agent') });
    t.same(got.json(), c, 'what was stored is what was answered');
  });

  await t.test('the notSure policy: null (the deployment policy) by default, or person / machine / agent-decides', async (t) => {
    const plain = await post('/campaigns', { id: 'ns-default', name: 'ns-default' });
    t.equal(plain.statusCode, 201, plain.body);
    t.equal(plain.json().notSure, null);
    const decides = await post('/campaigns', { id: 'ns-agent', name: 'ns-agent', notSure: 'agent-decides' });
    t.equal(decides.statusCode, 201, decides.body);
    t.equal(decides.json().notSure, 'agent-decides');
    const back = await app.inject({ method: 'GET', url: '/campaigns/ns-agent', headers: auth('supervisor') });
    t.equal(back.json().notSure, 'agent-decides', 'stored');
  });

  await t.test('bad input answers the exact error and loses nothing', async (t) => {
    const before = (await app.inject({ method: 'GET', url: '/campaigns', headers: auth('admin') })).json();
    const cases: [unknown, number, string, string | RegExp][] = [
      ['{"name": "x",', 400, 'INVALID_JSON', /^request body is not valid JSON/],
      [{ name: 'x', colour: 'red' }, 400, 'VALIDATION_FAILED', 'body has unknown property "colour"'],
      [
        { name: 'summer sale!' },
        400,
        'VALIDATION_FAILED',
        'name may contain only letters (any script), digits and "-", and must not be empty',
      ],
      [{ name: 'a', ringTimeoutSec: 0 }, 400, 'VALIDATION_FAILED', 'body.ringTimeoutSec must be >= 1'],
      [{ name: 'a', notSure: 'maybe' }, 400, 'VALIDATION_FAILED', /^body\.notSure must be equal to one of the allowed values/],
      [{ name: 'a', ringTimeoutSec: 301 }, 400, 'VALIDATION_FAILED', 'body.ringTimeoutSec must be <= 300'],
      [
        { name: 'a', mode: 'robocall' },
        400,
        'VALIDATION_FAILED',
        'body.mode must be equal to one of the allowed values: progressive, predictive, power, agentless',
      ],
      [
        { name: 'a', mode: 'agentless' },
        400,
        'VALIDATION_FAILED',
        'agentless mode needs exactly one of agentless.botUri (bot/IVR SIP URI) or agentless.message (recorded message)',
      ],
      [{ name: 'a', callerId: '12' }, 400, 'VALIDATION_FAILED', /^callerId "12": /],
      [
        { name: 'a', hours: { timeZone: 'Asia/Tokio', days: {} } },
        400,
        'VALIDATION_FAILED',
        'hours.timeZone "Asia/Tokio" is not an IANA time zone',
      ],
      [
        {
          name: 'a',
          ratioTable: [
            { upToIdleAgents: 10, ratio: 1 },
            { upToIdleAgents: 5, ratio: 2 },
          ],
        },
        400,
        'VALIDATION_FAILED',
        /ratioTable\[1\]\.upToIdleAgents must be greater than 10/,
      ],
      [{ name: 'a', retryPolicy: { '99': { retry: true } } }, 400, 'VALIDATION_FAILED', /^body\.retryPolicy/],
      [{ name: 'a', agentGroups: ['nope'] }, 404, 'NOT_FOUND', 'agent group nope does not exist'],
      [{ id: 'jp', name: 'again' }, 409, 'DUPLICATE', 'campaign jp already exists'],
    ];
    for (const [body, status, code, message] of cases) {
      const res = await post('/campaigns', body);
      t.equal(res.statusCode, status, JSON.stringify(body));
      t.equal(res.json().code, code);
      if (typeof message === 'string') t.equal(res.json().message, message);
      else t.match(res.json().message, message);
    }
    const after = (await app.inject({ method: 'GET', url: '/campaigns', headers: auth('admin') })).json();
    t.same(after, before, 'no campaign created, changed or lost');
    t.same(await app.redis.smembers('g:{g}:group-users:nope'), [], 'no stale group mark');
  });

  await t.test('roles: 401 without or with an unknown key, 403 for agents writing', async (t) => {
    const none = await app.inject({ method: 'POST', url: '/campaigns', payload: { name: 'x' } });
    t.equal(none.statusCode, 401);
    t.equal(none.json().code, 'UNAUTHORIZED');
    const bad = await app.inject({ method: 'GET', url: '/campaigns', headers: { authorization: 'Bearer nope-nope-nope-nope' } });
    t.equal(bad.statusCode, 401);
    t.equal(bad.json().message, 'unknown API key');
    const agent = await post('/campaigns', { name: 'x' }, 'agent');
    t.equal(agent.statusCode, 403);
    t.equal(agent.json().message, 'this route needs role admin or supervisor; the key has role agent');
    const start = await post('/campaigns/jp/start', undefined, 'agent');
    t.equal(start.statusCode, 403);
    t.equal((await getCampaign(app.redis, 'jp'))!.state, 'draft');
  });

  await t.test('life cycle: draft → running ⇄ paused → closed, with the edit rules', async (t) => {
    t.equal((await post('/campaigns', { id: 'life', name: 'life', callerId: '0312345678' })).statusCode, 201);
    let res = await post('/campaigns/life/start');
    t.equal(res.statusCode, 409);
    t.same([res.json().code, res.json().message], ['CONFLICT', 'campaign life cannot start: the campaign has no contact list attached']);

    res = await post('/campaigns/life/lists', { listId: 'ghost' });
    t.equal(res.statusCode, 404);
    t.equal(res.json().message, 'list ghost does not exist');
    t.same(await app.redis.smembers(listUsersKey('ghost')), [], 'no stale list mark');

    await createList(app.redis, { id: 'L1', name: 'L1', profile: 'default' });
    res = await post('/campaigns/life/lists', { listId: 'L1' });
    t.equal(res.statusCode, 201, res.body);
    t.match(res.json().lists, [{ listId: 'L1', active: true, allocation: null }]);
    t.same(await app.redis.smembers(listUsersKey('L1')), ['life'], 'list marked in use');
    t.equal((await post('/campaigns/life/lists', { listId: 'L1' })).json().code, 'DUPLICATE');

    res = await post('/campaigns/life/start');
    t.equal(res.json().message, 'campaign life cannot start: mode progressive needs at least one agent group');
    await createGroup(app.redis, { id: 'g1', name: 'Sales' });
    t.equal((await patch('/campaigns/life', { agentGroups: ['g1'] })).statusCode, 200);
    res = await app.inject({
      method: 'PUT',
      url: '/campaigns/life/lists/L1/allocation',
      headers: json('supervisor'),
      payload: { by: 'ratio', groups: { g2: 1 } },
    });
    t.equal(res.statusCode, 400);
    t.equal(res.json().message, 'allocation names group "g2", which is not one of the campaign\'s agentGroups');
    res = await app.inject({
      method: 'PUT',
      url: '/campaigns/life/lists/L1/allocation',
      headers: json('supervisor'),
      payload: { by: 'count', groups: { g1: 500 } },
    });
    t.equal(res.statusCode, 200);

    res = await post('/campaigns/life/start');
    t.equal(res.statusCode, 200, res.body);
    t.equal(res.json().campaign.state, 'running');
    t.same(
      res.json().effects.map((e: { type: string }) => e.type),
      ['freezeAllocation', 'startDialing', 'publish'],
    );
    t.same(
      (await listRunningCampaigns(app.redis)).map((c) => c.id),
      ['life'],
    );
    const running = await getCampaign(app.redis, 'life');

    const edits: [string, string, unknown][] = [
      ['PATCH', '/campaigns/life', { callerId: '0311112222' }],
      ['DELETE', '/campaigns/life', undefined],
      ['POST', '/campaigns/life/lists', { listId: 'L1' }],
      ['DELETE', '/campaigns/life/lists/L1', undefined],
      ['PUT', '/campaigns/life/lists/L1/allocation', { by: 'count', groups: { g1: 1 } }],
    ];
    const want = [
      'campaign life cannot be edited: the campaign is running: pause it before editing',
      'campaign life cannot be deleted: the campaign is running: pause and close it before deleting',
      'campaign life is running: lists can be attached only while draft or paused',
      'campaign life is running: lists can be detached only while draft or paused',
      /started dialing at .*: list allocation is fixed/,
    ];
    for (const [i, [method, url, body]] of edits.entries()) {
      const r = await app.inject({
        method: method as 'POST',
        url,
        headers: body === undefined ? auth('supervisor') : json('supervisor'),
        payload: body === undefined ? undefined : JSON.stringify(body),
      });
      t.equal(r.statusCode, 409, `${method} ${url}`);
      const w = want[i]!;
      if (typeof w === 'string') t.equal(r.json().message, w);
      else t.match(r.json().message, w);
    }
    t.same(await getCampaign(app.redis, 'life'), running, 'nothing changed while running');

    res = await post('/campaigns/life/start');
    t.same(
      [res.statusCode, res.json().code, res.json().message],
      [409, 'ILLEGAL_TRANSITION', 'the campaign is running; only a draft campaign can start (use resume for a paused one)'],
    );
    res = await post('/campaigns/life/close');
    t.same(
      [res.statusCode, res.json().code, res.json().message],
      [409, 'ILLEGAL_TRANSITION', 'the campaign is running: pause it before closing'],
    );
    t.same(res.json().details, { from: 'running', event: 'close' });

    t.equal((await post('/campaigns/life/lists/L1/stop')).json().lists[0].active, false, 'a list can be stopped while running');
    t.equal((await post('/campaigns/life/lists/L1/start')).json().lists[0].active, true);

    t.equal((await post('/campaigns/life/pause')).json().campaign.state, 'paused');
    res = await patch('/campaigns/life', { callerId: '0311112222', maxAttempts: 3, period: { end: '2099-01-01T00:00:00Z' } });
    t.equal(res.statusCode, 200, res.body);
    t.match(res.json(), { callerId: '+81311112222', maxAttempts: 3, period: { end: '2099-01-01T00:00:00Z' }, name: 'life' });
    // Hours, retry rules and ring timeout change while paused too (the user who found a campaign outside its hours).
    const weekend = { timeZone: 'UTC', days: { sat: [{ from: '10:00', to: '12:00' }] } };
    res = await patch('/campaigns/life', {
      hours: weekend,
      ringTimeoutSec: 25,
      retryIntervalSec: 600,
      retryPolicy: { '3': { retry: true, intervalSec: 120 } },
    });
    t.equal(res.statusCode, 200, res.body);
    t.match(res.json(), {
      hours: weekend,
      ringTimeoutSec: 25,
      retryIntervalSec: 600,
      retryPolicy: { '3': { retry: true, intervalSec: 120 } },
    });
    res = await patch('/campaigns/life', { callerId: '0399998888', name: 'renamed' });
    t.equal(res.statusCode, 409);
    t.equal(
      res.json().message,
      'campaign life cannot be edited: while paused only maxAttempts, period, callerId, presentCallerId, hours, retryIntervalSec, retryPolicy, ringTimeoutSec, callbackOwnerGraceSec may change; refused: name',
    );
    t.equal((await getCampaign(app.redis, 'life'))!.callerId, '+81311112222', 'the refused edit changed nothing');
    t.equal((await post('/campaigns/life/resume')).json().campaign.state, 'running');
    // Why a running campaign places no call: what the runner stored, as GET shows it.
    await putDialingStatus(app.redis, 'life', {
      state: 'idle',
      reason: 'outside_hours',
      detail: 'outside hours: opens 2026-12-05T10:00:00.000Z',
      until: Date.parse('2026-12-05T10:00:00Z'),
      since: Date.parse('2026-12-04T17:00:00Z'),
    });
    res = await app.inject({ method: 'GET', url: '/campaigns/life', headers: auth('supervisor') });
    t.match(res.json().dialing, {
      state: 'idle',
      reason: 'outside_hours',
      until: '2026-12-05T10:00:00.000Z',
      since: '2026-12-04T17:00:00.000Z',
    });
    t.equal((await post('/campaigns/life/pause')).json().campaign.state, 'paused');
    res = await app.inject({ method: 'DELETE', url: '/campaigns/life', headers: auth('supervisor') });
    t.equal(res.json().message, 'campaign life cannot be deleted: the campaign is paused: close it before deleting');

    await t.rejects(deleteList(app.redis, 'L1'), { message: 'list L1 is used by campaign(s) life' });
    res = await post('/campaigns/life/close');
    t.equal(res.json().campaign.state, 'closed');
    t.same(await app.redis.smembers(listUsersKey('L1')), [], 'closing releases the list');
    t.equal(await deleteList(app.redis, 'L1'), true, 'and the lists engineer can now delete it');
    res = await post('/campaigns/life/resume');
    t.same([res.json().code, res.json().message], ['ILLEGAL_TRANSITION', 'the campaign is closed; a closed campaign cannot resume']);
    t.equal((await app.inject({ method: 'DELETE', url: '/campaigns/life', headers: auth('supervisor') })).statusCode, 204);
    t.equal((await app.inject({ method: 'GET', url: '/campaigns/life', headers: auth('supervisor') })).statusCode, 404);
  });

  await t.test('a race of two pauses: exactly one wins through the guarded transition', async (t) => {
    await createList(app.redis, { id: 'L2', name: 'L2', profile: 'default' });
    await post('/campaigns', { id: 'race', name: 'race', mode: 'agentless', agentless: { botUri: 'sip:bot@127.0.0.1' } });
    await post('/campaigns/race/lists', { listId: 'L2' });
    t.equal((await post('/campaigns/race/start')).statusCode, 200);
    const results = await Promise.allSettled([
      setCampaignState(app.redis, 'race', 'pause'),
      setCampaignState(app.redis, 'race', 'pause'),
      setCampaignState(app.redis, 'race', 'complete'),
    ]);
    const ok = results.filter((r) => r.status === 'fulfilled');
    t.equal(ok.length, 1, 'one transition out of running');
    for (const r of results) if (r.status === 'rejected') t.type(r.reason, IllegalTransitionError);
    const c = await getCampaign(app.redis, 'race');
    t.equal(c!.version, 4, 'create, attach, start, one transition');
  });
});
