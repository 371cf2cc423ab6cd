/**
 * The external plugins' HTTP defaults (lib/api/plugins/external): helmet-like headers on every answer
 * (a JSON route, an error, the dashboard page, a 404), and CORS off: a preflight and a cross-origin GET
 * get no Access-Control-Allow-* header, so a page on another origin cannot read an answer. The
 * auth-failure rate limit is tested in secrets.test.ts.
 */
import t from 'tap';
import { build, auth } from '../../helpers/app';
import { SECURITY_HEADERS } from '../../../lib/api/plugins/external/security-headers';

t.test('security headers on answers of every kind, and no CORS', async (t) => {
  const { app } = await build(t);
  const answers = {
    'GET /campaigns (JSON)': await app.inject({ url: '/campaigns', headers: auth('admin') }),
    'GET /campaigns without a key (401)': await app.inject({ url: '/campaigns' }),
    'GET /dashboard (HTML)': await app.inject({ url: '/dashboard' }),
    'GET /nowhere (404)': await app.inject({ url: '/nowhere' }),
    'POST /campaigns bad body (400)': await app.inject({ method: 'POST', url: '/campaigns', headers: auth('admin'), payload: { nope: 1 } }),
  };
  t.same(
    Object.entries(answers).map(([k, r]) => [k, r.statusCode]),
    [
      ['GET /campaigns (JSON)', 200],
      ['GET /campaigns without a key (401)', 401],
      ['GET /dashboard (HTML)', 200],
      ['GET /nowhere (404)', 404],
      ['POST /campaigns bad body (400)', 400],
    ],
    'the answers are what each request gets',
  );
  t.ok(Object.keys(SECURITY_HEADERS).length >= 5, 'several headers');
  for (const [what, r] of Object.entries(answers)) {
    for (const [h, v] of Object.entries(SECURITY_HEADERS)) t.equal(r.headers[h], v, `${what}: ${h}: ${v}`);
  }
  t.equal(answers['GET /nowhere (404)'].json().code, 'NOT_FOUND', 'the 404 in the error catalogue shape');

  const origin = 'https://elsewhere.example';
  const preflight = await app.inject({
    method: 'OPTIONS',
    url: '/campaigns',
    headers: { origin, 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' },
  });
  const cross = await app.inject({ url: '/campaigns', headers: { ...auth('admin'), origin } });
  for (const r of [preflight, cross]) {
    const cors = Object.keys(r.headers).filter((h) => h.startsWith('access-control-'));
    t.same(cors, [], `no CORS header on ${r.raw.req.method} (status ${r.statusCode})`);
  }
  t.not(preflight.statusCode, 204, 'a preflight is not answered as allowed');
});
