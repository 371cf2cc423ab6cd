/**
 * A FreeSWITCH slow to answer the driver's first `sofia status` (a busy host:
 * the media server or the dialer stalled for a moment) still joins the pool.
 * drachtio-fsmrf gives up on its own 1 s after its event socket logs in when
 * that answer has not come (lib/telephony/drivers/freeswitch/adapters.ts,
 * FSMRF_NOT_READY), whatever `connectTimeoutMs` says; the driver connects
 * again within `connectTimeoutMs`. Live drachtio-server + FreeSWITCH; between
 * the driver and FreeSWITCH's event socket a TCP relay holds FreeSWITCH's
 * answers on fsmrf's connection (the driver's second: the first is the
 * pre-flight check's) for 1.5 s after it asked `sofia status`, once.
 */
import t from 'tap';
import { createServer, connect, type AddressInfo, type Socket } from 'node:net';
import pino from 'pino';
import { loadConfig } from '../../../lib/config';
import { createFreeswitchDriver } from '../../../lib/telephony/drivers/freeswitch';
import { liveServersMissing, startLiveServers } from '../../helpers/live-servers';

const missing = liveServersMissing();
const HOLD_MS = 1500;

/** A relay to `port`; on connection number `slow` (1-based) FreeSWITCH's answers wait HOLD_MS once `sofia status` is asked. */
async function relay(port: number, slow: number): Promise<{ port: number; connections: () => number; close: () => void }> {
  let n = 0;
  const sockets: Socket[] = [];
  const server = createServer((client) => {
    const index = ++n;
    const upstream = connect({ host: '127.0.0.1', port });
    sockets.push(client, upstream);
    let holdUntil = 0;
    const held: Buffer[] = [];
    let flush: NodeJS.Timeout | undefined;
    client.on('data', (b: Buffer) => {
      if (index === slow && holdUntil === 0 && b.toString().includes('api sofia status')) holdUntil = Date.now() + HOLD_MS;
      upstream.write(b);
    });
    upstream.on('data', (b: Buffer) => {
      if (Date.now() >= holdUntil && held.length === 0) return void client.write(b);
      held.push(b);
      flush ??= setTimeout(() => held.splice(0).forEach((x) => client.write(x)), holdUntil - Date.now());
    });
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as AddressInfo).port,
    connections: () => n,
    close: () => {
      sockets.forEach((s) => s.destroy());
      server.close();
    },
  };
}

t.test(
  "a FreeSWITCH that answers fsmrf's sofia status after 1.5 s joins the pool",
  { skip: missing ?? false, timeout: 180000 },
  async (t) => {
    const live = await startLiveServers(t);
    const proxy = await relay(live.freeswitch.port, 2);
    t.teardown(() => proxy.close());
    const section = live.configSection('stream') as { mediaServers: Record<string, unknown>[] } & Record<string, unknown>;
    const config = loadConfig({
      env: {},
      overrides: {
        telephony: {
          driver: 'freeswitch',
          freeswitch: { ...section, mediaServers: section.mediaServers.map((m) => ({ ...m, port: proxy.port })) },
          trunks: [{ name: 'carrier', address: '127.0.0.1:5060' }],
        },
      },
    });
    const driver = createFreeswitchDriver({ config, logger: pino({ level: process.env.DIALER_LOG__LEVEL ?? 'silent' }) });
    const started = await driver.start().then(
      () => 'started',
      (err: Error) => err.message,
    );
    t.teardown(() => driver.stop());
    t.equal(started, 'started', 'the driver starts');
    t.equal(driver.health().detail, 'drachtio connected; media servers 1/1 connected', 'with its FreeSWITCH in the pool');
    // The pre-flight check's connection, fsmrf's that gave up, and fsmrf's next (more only if the host stalled again).
    t.ok(proxy.connections() >= 3, `fsmrf connected again after it gave up (${proxy.connections()} connections in all)`);
  },
);
