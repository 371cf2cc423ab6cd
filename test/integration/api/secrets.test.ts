/**
 * No secrets in URLs or logs. One API run against a real Redis, with its pino
 * log captured: keys by header, a browser-style session, keys made and revoked
 * through the API, numbers in bodies and paths, old clients putting `?apiKey=`
 * in URLs. Then the whole log is scanned for every key and, with
 * `log.redactPhoneNumbers`, every full phone number: none may appear.
 */
import { Writable } from 'node:stream';
import t, { type Test } from 'tap';
import { buildApp } from '../../../lib/api/app';
import { hashKey } from '../../../lib/api/auth';
import { validateConfig } from '../../../lib/config';
import { createLogger } from '../../../lib/log';
import { startTestRedis } from '../../helpers/redis';

const KEYS = {
  admin: 'sec-admin-key-000000000001',
  supervisor: 'sec-supervisor-key-0000001',
  agent: 'sec-agent-key-a1-000000001',
  hashedOnly: 'sec-hashed-supervisor-00001',
};
// E.164 and national forms of the numbers used below.
const PHONES = ['+819012345678', '09012345678', '9012345678', '+81312345678', '0312345678', '+819087654321', '09087654321'];

async function setup(t: Test, redactPhoneNumbers: boolean) {
  const { redis } = await startTestRedis(t);
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      lines.push(chunk.toString('utf8'));
      cb();
    },
  });
  const config = validateConfig({
    log: { level: 'debug', redactPhoneNumbers },
    api: {
      keys: [
        { key: KEYS.admin, role: 'admin' },
        { key: KEYS.supervisor, role: 'supervisor' },
        { key: KEYS.agent, role: 'agent', agentId: 'a1' },
        { keyHash: hashKey(KEYS.hashedOnly), role: 'supervisor', name: 'from a hash' },
      ],
    },
  });
  const logger = createLogger(config, sink);
  const app = await buildApp({ config, redis, logger });
  t.teardown(() => app.close());
  return { app, redis, lines, logger };
}

const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

t.test('keys by header, sessions, key management; the log holds no key and no full number', async (t) => {
  const { app, redis, lines, logger } = await setup(t, true);

  // Keys in URLs are refused, and say how to do it instead.
  const inUrl = await app.inject({ url: `/campaigns?apiKey=${KEYS.supervisor}` });
  t.equal(inUrl.statusCode, 400);
  t.match(inUrl.json().message, /not accepted in URLs/);
  t.equal((await app.inject({ url: `/events?apiKey=${KEYS.supervisor}` })).statusCode, 400, '/events too');
  t.equal((await app.inject({ url: `/dashboard?apiKey=${KEYS.supervisor}` })).statusCode, 400, 'the dashboard too');

  t.equal((await app.inject({ url: '/campaigns', headers: bearer(KEYS.admin) })).statusCode, 200);
  t.equal((await app.inject({ url: '/campaigns', headers: { 'x-api-key': KEYS.supervisor } })).statusCode, 200, 'X-API-Key');
  t.equal(
    (await app.inject({ url: '/campaigns', headers: bearer(KEYS.hashedOnly) })).statusCode,
    200,
    'a key configured only by its SHA-256',
  );
  const unknown = await app.inject({ url: '/campaigns', headers: bearer('sec-not-a-key-0000000000001') });
  t.equal(unknown.statusCode, 401);
  t.notMatch(unknown.body, 'sec-not-a-key', 'the answer does not echo the key');
  t.equal((await app.inject({ url: '/campaigns' })).statusCode, 401, 'no credentials');

  // Browser sign-in: the key once in a header, then only the cookie.
  const signIn = await app.inject({ method: 'POST', url: '/auth/session', headers: bearer(KEYS.supervisor) });
  t.equal(signIn.statusCode, 200, signIn.body);
  const setCookie = String(signIn.headers['set-cookie']);
  t.match(setCookie, /^dialer_session=[^;]+; Path=\/; Max-Age=43200; HttpOnly; SameSite=Strict$/);
  t.notMatch(setCookie, KEYS.supervisor, 'the cookie does not hold the key');
  const cookie = setCookie.split(';')[0]!;
  const who = await app.inject({ url: '/auth/session', headers: { cookie } });
  t.match(who.json(), { role: 'supervisor', via: 'session' });
  t.equal((await app.inject({ url: '/monitor/snapshot', headers: { cookie } })).statusCode, 200, 'the dashboard snapshot by cookie');
  t.equal((await app.inject({ url: '/api-keys', headers: { cookie } })).statusCode, 403, 'a supervisor session is no admin');
  const forged = `${cookie.slice(0, -3)}xyz`;
  t.equal((await app.inject({ url: '/monitor/snapshot', headers: { cookie: forged } })).statusCode, 401, 'a tampered cookie is refused');
  const crossSite = await app.inject({
    method: 'POST',
    url: '/campaigns',
    headers: { cookie, origin: 'http://evil.example', host: 'localhost:80' },
    payload: {},
  });
  t.equal(crossSite.statusCode, 403, 'a cross-origin write with the cookie is refused');
  const out = await app.inject({ method: 'DELETE', url: '/auth/session' });
  t.match(String(out.headers['set-cookie']), /^dialer_session=; Path=\/; Max-Age=0; HttpOnly; SameSite=Strict$/);

  // Keys through the API: shown once, stored hashed, revocable at once (with their sessions).
  t.equal(
    (await app.inject({ method: 'POST', url: '/api-keys', headers: bearer(KEYS.supervisor), payload: { role: 'agent', agentId: 'a9' } }))
      .statusCode,
    403,
  );
  t.equal(
    (await app.inject({ method: 'POST', url: '/api-keys', headers: bearer(KEYS.admin), payload: { role: 'agent' } })).statusCode,
    400,
    'an agent key needs its agent',
  );
  const made = await app.inject({
    method: 'POST',
    url: '/api-keys',
    headers: bearer(KEYS.admin),
    payload: { role: 'agent', agentId: 'a9', name: 'desk 9' },
  });
  t.equal(made.statusCode, 201, made.body);
  const { id, key } = made.json() as { id: string; key: string };
  t.match(made.json(), { role: 'agent', agentId: 'a9', name: 'desk 9', source: 'api', prefix: key.slice(0, 6) });
  const listed = await app.inject({ url: '/api-keys', headers: bearer(KEYS.admin) });
  t.notMatch(listed.body, key, 'the list never shows a key');
  t.notMatch(listed.body, hashKey(key), 'nor its hash');
  t.equal((listed.json() as { id: string }[]).length, 5, 'four configured keys and the new one');
  t.match(await app.inject({ url: '/auth/session', headers: bearer(key) }).then((r) => r.json()), {
    role: 'agent',
    agentId: 'a9',
    keyId: id,
  });
  const dump: unknown[] = [];
  for (const full of await redis.keys('*')) {
    const k = full.replace(/^test:/, '');
    dump.push((await redis.type(k)) === 'hash' ? await redis.hgetall(k) : await redis.get(k));
  }
  t.notMatch(JSON.stringify(dump), key, 'Redis holds no key in clear');
  const agentSession = (await app.inject({ method: 'POST', url: '/auth/session', headers: bearer(key) })).headers['set-cookie'];
  const agentCookie = String(agentSession).split(';')[0]!;
  t.equal((await app.inject({ url: '/auth/session', headers: { cookie: agentCookie } })).statusCode, 200);
  t.equal((await app.inject({ method: 'DELETE', url: `/api-keys/${id}`, headers: bearer(KEYS.admin) })).statusCode, 204);
  t.equal((await app.inject({ url: '/auth/session', headers: bearer(key) })).statusCode, 401, 'a revoked key stops working at once');
  t.equal((await app.inject({ url: '/auth/session', headers: { cookie: agentCookie } })).statusCode, 401, 'and so do its sessions');
  const cfgId = (listed.json() as { id: string; source: string }[]).find((k) => k.source === 'config')!.id;
  t.equal(
    (await app.inject({ method: 'DELETE', url: `/api-keys/${cfgId}`, headers: bearer(KEYS.admin) })).statusCode,
    409,
    'config keys are changed in the config',
  );

  // Numbers in bodies, paths and queries.
  t.equal(
    (
      await app.inject({
        method: 'POST',
        url: '/dnc',
        headers: bearer(KEYS.supervisor),
        payload: { phone: PHONES[1], reason: `asked on ${PHONES[3]}` },
      })
    ).statusCode,
    201,
  );
  t.equal((await app.inject({ url: `/dnc/entries/${encodeURIComponent(PHONES[0]!)}`, headers: bearer(KEYS.supervisor) })).statusCode, 200);
  t.equal((await app.inject({ url: `/dnc/check?phone=${PHONES[5]}`, headers: bearer(KEYS.supervisor) })).statusCode, 200);
  t.equal((await app.inject({ url: `/dnc/entries/${PHONES[4]}`, headers: bearer(KEYS.supervisor) })).statusCode, 404);
  // What the runner and drivers log: numbers in fields, SIP URIs, messages, bindings and errors.
  const call = logger.child({ campaignId: 'c1', phone: PHONES[0], to: `sip:${PHONES[5]}@127.0.0.1:5080` });
  call.info({ contact: { phone: PHONES[3], attrs: ['x', PHONES[2]] } }, `dialing ${PHONES[0]}`);
  call.warn({ err: new Error(`486 from sip:${PHONES[6]}@carrier`) }, 'call failed');

  await new Promise((r) => setImmediate(r));
  const log = lines.join('');
  t.ok(lines.length > 20, `the run logged (${lines.length} lines)`);
  t.match(log, /"url":"\/dnc\/entries\/%2B8190\*\*\*678"|"url":"\/dnc\/entries\/\*\*\*678"/, 'request paths are logged, numbers masked');
  t.match(log, /"url":"\/campaigns\?\[redacted\]"/, 'query strings are not logged');
  t.match(log, /dialing \*\*\*678/);
  for (const [name, k] of Object.entries({ ...KEYS, created: key })) t.notMatch(log, k, `the log does not hold the ${name} key`);
  for (const p of PHONES) t.notMatch(log, p, `the log does not hold ${p}`);
  t.notMatch(log, /authorization|cookie/i, 'no credential headers in the log');
});

t.test('without number redaction the log still holds no key', async (t) => {
  const { app, lines } = await setup(t, false);
  await app.inject({ url: `/events?apiKey=${KEYS.agent}` });
  await app.inject({ url: '/campaigns', headers: bearer(KEYS.admin) });
  await app.inject({ method: 'POST', url: '/auth/session', headers: bearer(KEYS.supervisor) });
  await app.inject({ url: '/campaigns', headers: bearer('sec-not-a-key-0000000000002') });
  await new Promise((r) => setImmediate(r));
  const log = lines.join('');
  t.ok(log.includes('"url":"/campaigns"'), 'requests are logged');
  for (const k of [...Object.values(KEYS), 'sec-not-a-key-0000000000002']) t.notMatch(log, k);
});

t.test('failed authentications are limited per address', async (t) => {
  const { app } = await setup(t, false);
  const codes: number[] = [];
  for (let i = 0; i < 31; i++)
    codes.push((await app.inject({ url: '/campaigns', headers: bearer(`sec-wrong-${i}-00000000000`) })).statusCode);
  t.same([...new Set(codes.slice(0, 30))], [401]);
  t.equal(codes[30], 429, 'the 31st failure within a minute is refused');
  t.equal(
    (await app.inject({ url: '/campaigns', headers: bearer(KEYS.admin) })).statusCode,
    429,
    'also with a good key, until the minute is over',
  );
});
