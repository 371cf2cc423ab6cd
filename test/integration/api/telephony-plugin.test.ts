/**
 * Telephony starts only when enabled, in its plugin (lib/api/plugins/app/telephony.ts), and stops with the
 * app: an API-only build has no dialer and no live routes; `buildApp({ telephony: {} })` starts the embedded
 * driver (a real SIP socket on loopback), the desk and the runner, and `app.close()` stops them before the
 * caller closes Redis; a build that fails after telephony started stops it. A real redis-server; no calls
 * are placed (graceful-stop.test.ts places one).
 */
import { createSocket } from 'node:dgram';
import { Writable } from 'node:stream';
import t from 'tap';
import { buildApp } from '../../../lib/api/app';
import { validateConfig } from '../../../lib/config';
import { createLogger } from '../../../lib/log';
import { startTestRedis } from '../../helpers/redis';

const ADMIN = 'tel-admin-key-0000000001';
const auth = { authorization: `Bearer ${ADMIN}` };

function config(sipPort: number) {
  return validateConfig({
    log: { level: 'info' },
    api: { keys: [{ key: ADMIN, role: 'admin' }] },
    messaging: { enabled: false },
    telephony: {
      driver: 'embedded',
      embedded: { sip: { host: '127.0.0.1', port: sipPort } },
      trunks: [{ name: 'nowhere', address: '127.0.0.1:9', callsPerSecond: 1 }],
    },
  });
}

/** A free UDP port on loopback (bound and released). */
async function freeUdpPort(): Promise<number> {
  const s = createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
  const { port } = s.address();
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** Whether something holds UDP `port` on loopback (a bind fails with EADDRINUSE). */
async function udpTaken(port: number): Promise<boolean> {
  const s = createSocket('udp4');
  return new Promise((resolve) => {
    s.once('error', () => resolve(true));
    s.bind(port, '127.0.0.1', () => s.close(() => resolve(false)));
  });
}

t.test('API only: no dialer, no live routes, no SIP socket', async (t) => {
  const { redis } = await startTestRedis(t);
  const port = await freeUdpPort();
  const app = await buildApp({ config: config(port), redis, logger: false });
  t.teardown(() => app.close());
  t.equal(app.dialer, undefined, 'app.dialer is not decorated');
  t.notOk(await udpTaken(port), 'the SIP port is not bound');
  const health = (await app.inject({ url: '/health' })).json<{ telephony?: unknown }>();
  t.equal(health.telephony, undefined, '/health reports no telephony');
  const login = await app.inject({ method: 'POST', url: '/agents/a1/login', headers: auth, payload: {} });
  t.equal(login.statusCode, 404);
  t.match(login.json<{ message: string }>().message, /^no route POST \/agents\/a1\/login/, 'the agent desk routes are not offered');
});

t.test('telephony enabled: started by its plugin, stopped by app.close() before Redis', async (t) => {
  const { redis } = await startTestRedis(t);
  const port = await freeUdpPort();
  const lines: { msg?: string }[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const l of chunk.toString('utf8').split('\n').filter(Boolean)) lines.push(JSON.parse(l) as { msg?: string });
      cb();
    },
  });
  const cfg = config(port);
  const app = await buildApp({ config: cfg, redis, logger: createLogger(cfg, sink), telephony: {} });
  let closed = false;
  t.teardown(() => (closed ? undefined : app.close()));
  t.ok(app.dialer?.runner, 'app.dialer has the runner');
  t.equal(app.dialer?.driver.name, 'embedded', 'and the driver telephony.driver names');
  t.ok(await udpTaken(port), 'the driver holds its SIP port');
  const health = (await app.inject({ url: '/health' })).json<{ telephony?: { driver: string } }>();
  t.equal(health.telephony?.driver, 'embedded', '/health reports the driver');
  const login = await app.inject({ method: 'POST', url: '/agents/a1/login', headers: auth, payload: {} });
  t.notMatch(
    login.json<{ message: string }>().message,
    /^no route /,
    `the agent desk routes are offered (${login.statusCode} ${login.body})`,
  );

  await app.close();
  closed = true;
  t.ok(
    lines.some((l) => l.msg === 'dialer services stopped'),
    'app.close() stopped the dialer services',
  );
  t.notOk(await udpTaken(port), 'the SIP port is released');
  t.equal(await redis.ping(), 'PONG', "Redis is the caller's: still open after app.close()");
});

t.test('a plugin failing after telephony started stops it: buildApp rejects and the SIP port is released', async (t) => {
  const { redis } = await startTestRedis(t);
  const port = await freeUdpPort();
  // Messaging (registered after telephony) cannot bind its SIP socket: something holds the port.
  const holder = createSocket('udp4');
  await new Promise<void>((r) => holder.bind(0, '127.0.0.1', () => r()));
  t.teardown(() => new Promise<void>((r) => holder.close(() => r())));
  const cfg = validateConfig({
    ...config(port),
    messaging: { enabled: true, sip: { host: '127.0.0.1', port: holder.address().port } },
  });
  await t.rejects(buildApp({ config: cfg, redis, logger: false, telephony: {} }), /EADDRINUSE|address already in use/i);
  t.notOk(await udpTaken(port), "the driver's SIP port is released (telephony stopped by the failed build)");
  t.equal(await redis.ping(), 'PONG', "Redis is the caller's: still open");
});

t.test('telephony and a caller-started runtime together are refused', async (t) => {
  const { redis } = await startTestRedis(t);
  const port = await freeUdpPort();
  const cfg = config(port);
  const fake = { driver: {}, desk: {} } as never;
  await t.rejects(buildApp({ config: cfg, redis, logger: false, telephony: {}, runtime: fake }), /either telephony .* or runtime/);
});
