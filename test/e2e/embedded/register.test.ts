/** REGISTER with digest against a SIPp registrar, removed at stop; calls to a trunk that failed to register are refused clearly. */
import t from 'tap';
import { startSipp } from '../../../lib/telephony/testing/sipp';
import { EventEmitter } from 'node:events';
import { startTestDriver } from '../../../lib/telephony/testing/driver';
import { buildApp } from '../../../lib/api/app';
import { validateConfig } from '../../../lib/config';
import { startTestRedis } from '../../helpers/redis';

async function until(cond: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (cond()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return cond();
}

t.test('a registered trunk: 401 answered with digest, 200 with a 3600 s binding, state in health, removed at stop', async (t) => {
  const far = await startSipp({ scenario: 'uas-register' });
  t.teardown(() => far.stop());
  const driver = await startTestDriver({
    trunks: [{ name: 'reg', address: far.address, register: true, username: 'dialer', password: 'secret', domain: 'sipp.test' }],
  });
  t.teardown(() => driver.stop());
  t.ok(await until(() => driver.stats().registrations.reg?.phase === 'registered', 10_000), 'registered');
  t.match(driver.stats().registrations.reg, { phase: 'registered', expiresS: 3600, lastStatus: 200 });
  t.match(driver.health().detail, /registration: reg registered/);
  t.same(
    driver.health().registrations,
    { reg: { registered: true, phase: 'registered', lastStatus: 200 } },
    'health carries it (dialer_trunk_registered in /metrics)',
  );

  // GET /health beside the live driver (as `dialer serve` decorates it) shows the registration too.
  const { redis } = await startTestRedis(t);
  const app = await buildApp({
    config: validateConfig({ log: { level: 'silent' } }),
    redis,
    logger: false,
    // The desk only needs to take listeners here; no runner (as in the agent desktop tests).
    runtime: { driver, desk: new EventEmitter() as never },
  });
  t.teardown(() => app.close());
  const res = await app.inject({ method: 'GET', url: '/health' });
  t.equal(res.statusCode, 200);
  t.match(res.json(), {
    ok: true,
    redis: 'PONG',
    telephony: { driver: 'embedded', ok: true, trunks: { reg: { registered: true, phase: 'registered', lastStatus: 200 } } },
  });
  // The binding goes when the driver stops (RFC 3261 §10.2.2); the registrar is still there to answer, so the
  // stop does not wait out its bound for an answer that cannot come.
  await driver.stop();
  t.equal((await far.done).code, 0, 'the registrar saw a valid digest, then the un-REGISTER (Expires: 0) at stop');
});

t.test('a refused registration: calls through the trunk get a clear error, not a 403 from the carrier', async (t) => {
  const far = await startSipp({ scenario: 'uas-register' });
  t.teardown(() => far.stop());
  const driver = await startTestDriver({
    trunks: [{ name: 'reg', address: far.address, register: true, username: 'dialer', password: 'wrong', domain: 'sipp.test' }],
  });
  t.teardown(() => driver.stop());
  t.ok(await until(() => driver.stats().registrations.reg?.phase === 'backoff', 10_000), 'backing off after the 403');
  await t.rejects(
    driver.originate({ to: '0312345678', ringTimeoutMs: 40_000 }),
    /trunk reg is not registered \(backoff, last answer 403 Forbidden\)/,
  );
  t.match(driver.health().detail, /reg backoff \(403\)/);
});
