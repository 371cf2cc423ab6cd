/**
 * The embedded redis-server against a port taken between the probe and the
 * bind (the race a busy host makes: another process takes the probed port).
 * Real redis-server, real held sockets.
 */
import t, { type Test } from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRedis, freePort, startEmbeddedRedis } from '../../../lib/store';
import { portTaken } from '../../../lib/store/redis-server';

function hold(): Promise<{ server: Server; port: number }> {
  return new Promise((res, rej) => {
    const server = createServer();
    server.once('error', rej);
    server.listen(0, '127.0.0.1', () => {
      const a = server.address();
      res({ server, port: typeof a === 'object' && a ? a.port : 0 });
    });
  });
}

function dataDir(t: Test): string {
  const dir = mkdtempSync(join(tmpdir(), 'redis-port-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

t.test('redis-server words for a taken port are recognised, and nothing else is', async (t) => {
  t.ok(portTaken('# Warning: Could not create server TCP listening socket 127.0.0.1:60977: bind: Address already in use'));
  t.notOk(portTaken('# Warning: Could not create server TCP listening socket 127.0.0.1:60977: bind: Cannot assign requested address'));
  t.notOk(portTaken('# Fatal error loading the DB: Permission denied. Exiting.'));
});

t.test('a probed port taken before the bind: started again on a fresh port', async (t) => {
  const held = await hold();
  t.teardown(() => held.server.close());
  const picks: number[] = [];
  const server = await startEmbeddedRedis({
    dataDir: dataDir(t),
    persist: false,
    pickPort: async () => {
      const p = picks.length === 0 ? held.port : await freePort();
      picks.push(p);
      return p;
    },
  });
  t.teardown(() => server.stop());
  t.equal(picks[0], held.port, 'the first attempt was the held port');
  t.equal(picks.length, 2, 'one more attempt');
  t.not(server.port, held.port);
  const redis = createRedis({ url: server.url });
  t.teardown(() => redis.quit());
  t.equal(await redis.ping(), 'PONG', 'the server answers on its new port');
});

t.test('a port the caller named is never changed: a taken one is an error that says so', async (t) => {
  const held = await hold();
  t.teardown(() => held.server.close());
  await t.rejects(
    startEmbeddedRedis({ dataDir: dataDir(t), persist: false, port: held.port }),
    /exited with code 1 before it was ready[\s\S]*Address already in use/,
  );
});

t.test('a port lost four times in a row: the fourth error is reported, not a loop', async (t) => {
  const held = await hold();
  t.teardown(() => held.server.close());
  let picks = 0;
  await t.rejects(
    startEmbeddedRedis({
      dataDir: dataDir(t),
      persist: false,
      pickPort: async () => {
        picks++;
        return held.port;
      },
    }),
    /Address already in use/,
  );
  t.equal(picks, 4);
});
