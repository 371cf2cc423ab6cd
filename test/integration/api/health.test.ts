import t from 'tap';
import { build, auth } from '../../helpers/app';

// One app and one Redis for the file: every case only reads (the tagged ping counts on its own key), and
// building the app is most of this file's time.
const built = build(t);

t.test('health reports a reachable Redis', async (t) => {
  const { app } = await built;
  const res = await app.inject({ method: 'GET', url: '/health' });
  t.equal(res.statusCode, 200);
  t.same(res.json(), { ok: true, redis: 'PONG' });
});

t.test('unknown routes answer a catalogue 404', async (t) => {
  const { app } = await built;
  const res = await app.inject({ method: 'GET', url: '/nope', headers: auth('admin') });
  t.equal(res.statusCode, 404);
  t.match(res.json(), { code: 'NOT_FOUND', message: 'no route GET /nope' });
});

t.test('Lua scripts are registered on the real server', async (t) => {
  const { app } = await built;
  const [n] = await app.redis.pingTagged('probe');
  t.equal(n, 1);
  const [m] = await app.redis.pingTagged('probe');
  t.equal(m, 2);
});

t.test('the OpenAPI document is served', async (t) => {
  const { app } = await built;
  const res = await app.inject({ method: 'GET', url: '/openapi.json' });
  t.equal(res.statusCode, 200);
  t.equal(res.json().openapi, '3.0.3');
});
