/**
 * Closing a media server's event socket while drachtio-modesl waits to reconnect it. The connection is the real
 * library fsmrf uses (drachtio-modesl 1.3, lib/esl/Connection.js); the far end is a TCP listener that does what
 * FreeSWITCH's event socket does at a restart: the first connection is dropped, the next ones are taken (the
 * listener only counts them: the library's reconnect is at the TCP level, before any ESL exchange). The steps are
 * fsmrf 4.1.2's MediaServer.disconnect (lib/mediaserver.js: removeAllListeners, then disconnect).
 */
import { createServer, type Server, type Socket } from 'node:net';
import t, { type Test } from 'tap';
import { stopReconnect } from '../../../lib/telephony/drivers/freeswitch/adapters';

/* eslint-disable @typescript-eslint/no-require-imports */
const esl = require('drachtio-modesl') as {
  Connection: new (host: string, port: number, secret: string, ready: () => void) => EslConnection;
};
/* eslint-enable @typescript-eslint/no-require-imports */

interface EslConnection {
  on(event: string, fn: (...args: unknown[]) => void): void;
  once(event: string, fn: (...args: unknown[]) => void): void;
  removeAllListeners(): void;
  disconnect(): void;
  socket: Socket | null;
}

/** A FreeSWITCH restarting: drops the first connection, keeps the later ones. */
async function restartingServer(t: Test): Promise<{ port: number; accepted: () => number }> {
  const sockets: Socket[] = [];
  const server: Server = createServer((s) => {
    sockets.push(s);
    if (sockets.length === 1) s.destroy();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(() => {
    for (const s of sockets) s.destroy();
    server.close();
  });
  return { port: (server.address() as { port: number }).port, accepted: () => sockets.length };
}

/** An inbound connection whose socket has dropped and whose reconnect is pending (the `esl::reconnecting` event). */
async function droppedConnection(t: Test, port: number): Promise<EslConnection> {
  const conn = new esl.Connection('127.0.0.1', port, 'ClueCon', () => undefined);
  conn.on('error', () => undefined);
  t.teardown(() => conn.socket?.destroy());
  await new Promise<void>((r) => conn.once('esl::reconnecting', () => r()));
  return conn;
}

const settle = (ms: number) => new Promise((r) => setTimeout(r, ms));

t.test("drachtio-modesl alone: a disconnect during the reconnect's wait still connects again", async (t) => {
  const fs = await restartingServer(t);
  const conn = await droppedConnection(t, fs.port);
  conn.removeAllListeners();
  conn.disconnect();
  // The first retry comes 255 ms after the drop (150 ms × 1.7); waited for, bounded, as a slow host may be late.
  for (const until = Date.now() + 10_000; fs.accepted() < 2 && Date.now() < until;) await settle(50);
  t.equal(fs.accepted(), 2, 'a second connection after the disconnect: nobody would close it');
});

t.test('stopReconnect first: nothing connects after the disconnect', async (t) => {
  const fs = await restartingServer(t);
  const conn = await droppedConnection(t, fs.port);
  stopReconnect(conn);
  conn.removeAllListeners();
  conn.disconnect();
  // Six times the retry's delay (a slow host can only make this pass, never fail).
  await settle(1500);
  t.equal(fs.accepted(), 1, 'only the dropped connection');
});

t.test('stopReconnect on what has no reconnect state is a no-op', async (t) => {
  t.doesNotThrow(() => stopReconnect(undefined));
  t.doesNotThrow(() => stopReconnect({}));
  const vars = { retryTimer: null };
  stopReconnect({ reconnectVars: vars });
  t.same(vars, { retryTimer: null });
});
