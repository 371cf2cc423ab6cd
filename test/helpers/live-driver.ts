/**
 * The freeswitch driver on the live servers (test/helpers/live-servers.ts) with one SIPp carrier trunk, started and
 * stopped at teardown, and a bounded wait that notes in the TAP output how long a condition took: the shared
 * set-up of the live pool and failure tests (silent-server, stalled-server, drachtio-restart).
 */
import pino from 'pino';
import { loadConfig, type Config } from '../../lib/config';
import { createFreeswitchDriver, type FreeswitchDriver } from '../../lib/telephony/drivers/freeswitch';
import type { LiveServers } from './live-servers';

interface TestLike {
  teardown(fn: () => unknown): void;
  comment(...args: unknown[]): void;
}

/** A started freeswitch driver (stream mode), `freeswitch` merged over the live servers' section. */
export async function startLiveDriver(
  t: TestLike,
  live: LiveServers,
  carrierAddress: string,
  freeswitch: Record<string, unknown> = {},
): Promise<{ driver: FreeswitchDriver; config: Config }> {
  const config = loadConfig({
    env: {},
    overrides: {
      telephony: {
        driver: 'freeswitch',
        freeswitch: { ...live.configSection('stream'), ...freeswitch },
        trunks: [{ name: 'carrier', address: carrierAddress, callsPerSecond: 1000, maxChannels: 1000 }],
      },
    },
  });
  const driver = createFreeswitchDriver({ config, logger: pino({ level: process.env.DIALER_LOG__LEVEL ?? 'silent' }) });
  await driver.start();
  t.teardown(() => driver.stop());
  return { driver, config };
}

/** Polls `ok` every 100 ms until it holds (a failure guard of `ms`, not a speed); notes how long it took. */
export async function untilNoted(t: TestLike, what: string, ok: () => boolean | Promise<boolean>, ms: number): Promise<void> {
  const begin = Date.now();
  while (!(await ok())) {
    if (Date.now() - begin > ms) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
  t.comment(`${what} after ${Date.now() - begin} ms`);
}
