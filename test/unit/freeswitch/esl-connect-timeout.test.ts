/**
 * The pre-flight event socket (modeslConnect, the real modesl 1.2 library) given up before its TCP connect has
 * completed. modesl's disconnect() then nulls the socket that the pending connect's callback hands to its parser
 * (lib/esl/Connection.js _onConnect → new Parser(null)): a TypeError thrown from a socket callback, uncaught, which
 * ended a live contract suite's process at load ~34. The race is made certain, not hoped for: the process is kept
 * busy past the timeout, so the timer (Node's timers phase) fires before the connect's completion (its poll phase).
 * The far end is a TCP listener that says nothing (FreeSWITCH would send auth/request).
 */
import { createServer, type Socket } from 'node:net';
import t, { type Test } from 'tap';
import { describeSocket, openSockets } from '../../helpers/open-sockets';
import { modeslConnect } from '../../../lib/telephony/drivers/freeswitch/adapters';

t.test('an event socket given up while its TCP connect is pending', async (t) => {
  const sockets: Socket[] = [];
  const server = createServer((s) => sockets.push(s));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(() => {
    for (const s of sockets) s.destroy();
    server.close();
  });
  const port = (server.address() as { port: number }).port;
  const uncaught: unknown[] = [];
  const count = (err: unknown) => uncaught.push(err);
  process.on('uncaughtException', count);
  t.teardown(() => void process.off('uncaughtException', count));

  const connecting = modeslConnect({ address: '127.0.0.1', port, secret: 'ClueCon', timeoutMs: 20 });
  const outcome = connecting.then(
    () => 'connected',
    (err: Error) => err.message,
  );
  // A stalled process: the connect completes and the 20 ms pass while nothing runs.
  for (const until = Date.now() + 200; Date.now() < until;);
  t.match(await outcome, /no answer within 20 ms/, 'the connect gives up at its timeout, saying so');
  // The connect's completion and anything it throws come in the turns after: give them a few.
  for (const until = Date.now() + 1000; sockets.length === 0 && Date.now() < until;) await new Promise((r) => setTimeout(r, 20));
  await new Promise((r) => setTimeout(r, 100));
  t.same(uncaught, [], 'nothing thrown from the abandoned connection');
  // And nothing left open: the far end sees its connection closed.
  const closed = sockets.map((s) => (s.closed ? Promise.resolve() : new Promise<void>((r) => s.once('close', () => r()))));
  const allClosed = await Promise.race([
    Promise.all(closed).then(() => true),
    new Promise<boolean>((r) => setTimeout(() => r(false), 5000)),
  ]);
  t.ok(allClosed, `the far end's ${sockets.length} connection(s) closed by the dialer`);
});

/**
 * Enough of FreeSWITCH's inbound event socket for one `api` command (auth/request, the command replies, one
 * api/response), that answers `exit` and then keeps its side of the connection open (allowHalfOpen).
 */
async function eslThatStaysOpen(t: Test): Promise<{ port: number; ended: Promise<void> }> {
  let ended!: () => void;
  const seen = new Promise<void>((r) => (ended = r));
  const sockets: Socket[] = [];
  const server = createServer({ allowHalfOpen: true }, (s) => {
    sockets.push(s);
    s.on('end', () => ended());
    s.write('Content-Type: auth/request\n\n');
    let buf = '';
    s.on('data', (d: Buffer) => {
      buf += d.toString();
      for (let i = buf.indexOf('\n\n'); i >= 0; i = buf.indexOf('\n\n')) {
        const command = buf.slice(0, i);
        buf = buf.slice(i + 2);
        if (command.startsWith('api ')) s.write('Content-Type: api/response\nContent-Length: 2\n\nUP');
        else s.write(`Content-Type: command/reply\nReply-Text: +OK ${command.startsWith('auth') ? 'accepted' : 'bye'}\n\n`);
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(() => {
    for (const s of sockets) s.destroy();
    server.close();
  });
  return { port: (server.address() as { port: number }).port, ended: seen };
}

t.test('an event socket closed after its command is closed on our side, whatever the far end does', async (t) => {
  const fs = await eslThatStaysOpen(t);
  const esl = await modeslConnect({ address: '127.0.0.1', port: fs.port, secret: 'ClueCon', timeoutMs: 5000 });
  t.equal(await esl.api('status'), 'UP', 'the command answered');
  esl.close();
  const ended = await Promise.race([fs.ended.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 5000))]);
  t.ok(ended, 'the far end has our FIN');
  // Its side still open: modesl's half-close alone would wait for it for ever.
  await new Promise((r) => setTimeout(r, 100));
  t.same(
    openSockets()
      .filter((s) => s.remotePort === fs.port)
      .map(describeSocket),
    [],
    'no socket of ours left towards it',
  );
});
