import t from 'tap';
import { build, auth } from '../../helpers/app';

const json = { ...auth('admin'), 'content-type': 'application/json' };

t.test('JSON bodies are not coerced: null and wrong types are refused, "unlimited" is spelled out', async (t) => {
  const { app } = await build(t);
  const send = (method: 'POST' | 'PATCH', url: string, body: unknown) =>
    app.inject({ method, url, headers: json, payload: JSON.stringify(body) });
  const created = await send('POST', '/campaigns', { id: 'C1', name: 'c1', maxConcurrentCalls: 5, callsPerSecond: 2 });
  t.equal(created.statusCode, 201, created.body);

  for (const [body, field] of [
    [{ maxConcurrentCalls: null, callsPerSecond: null }, 'maxConcurrentCalls'],
    [{ callsPerSecond: null }, 'callsPerSecond'],
    [{ presentCallerId: null }, 'presentCallerId'],
    [{ presentCallerId: 'false' }, 'presentCallerId'],
    [{ maxAttempts: '3' }, 'maxAttempts'],
    [{ maxConcurrentCalls: 'lots' }, 'maxConcurrentCalls'],
  ] as const) {
    const r = await send('PATCH', '/campaigns/C1', body);
    t.equal(r.statusCode, 400, JSON.stringify(body));
    t.match(r.json(), { code: 'VALIDATION_FAILED', message: new RegExp(`^body\\.${field} `) });
  }
  t.match(
    (await app.inject({ method: 'GET', url: '/campaigns/C1', headers: json })).json(),
    { maxConcurrentCalls: 5, callsPerSecond: 2, presentCallerId: true },
    'nothing changed',
  );

  const unlimited = await send('PATCH', '/campaigns/C1', { maxConcurrentCalls: 'unlimited', callsPerSecond: 'unlimited' });
  t.equal(unlimited.statusCode, 200, unlimited.body);
  t.match(unlimited.json(), { maxConcurrentCalls: 0, callsPerSecond: 0 });

  const hook = await send('POST', '/webhooks', { url: 'http://127.0.0.1:9/x', events: ['call.ended'], active: null });
  t.equal(hook.statusCode, 400, 'a webhook with active: null is refused');
  t.match(hook.json().message, /^body\.active /);
  t.equal((await app.inject({ method: 'GET', url: '/webhooks', headers: json })).json().webhooks?.length ?? 0, 0, 'and not created');

  // Query strings are text: still coerced.
  const q = await app.inject({ method: 'GET', url: '/dnc?limit=5', headers: json });
  t.equal(q.statusCode, 200, q.body);
});

t.test('a cursor Redis cannot take is a 400, not a 500', async (t) => {
  const { app } = await build(t);
  const r = await app.inject({ method: 'GET', url: '/dnc?cursor=99999999999999999999999', headers: json });
  t.equal(r.statusCode, 400);
  t.match(r.json(), { code: 'VALIDATION_FAILED', message: /^querystring\.cursor / });
});
