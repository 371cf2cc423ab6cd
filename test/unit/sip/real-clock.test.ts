/**
 * The wall clock's timers yield to input already waiting (lib/sip/clock.ts): after a stall, a response
 * queued in the socket is read before a due retransmission timer runs, and a timer the response clears
 * does not fire. Real UDP sockets on loopback; the stall is a busy wait past the timer's due time, so the
 * order holds however fast or loaded the machine is.
 */
import t from 'tap';
import { createSocket, type Socket } from 'node:dgram';
import { realClock } from '../../../lib/sip/clock';
import { sizeBuffers, SIP_UDP_BUFFER_BYTES } from '../../../lib/sip/udp';

async function pair(): Promise<{ rx: Socket; tx: Socket; port: number }> {
  const rx = createSocket('udp4');
  const tx = createSocket('udp4');
  await new Promise<void>((r) => rx.bind(0, '127.0.0.1', r));
  await new Promise<void>((r) => tx.bind(0, '127.0.0.1', r));
  return { rx, tx, port: rx.address().port };
}

/** Sends one datagram and resolves once the kernel has taken it (on loopback it is then in rx's queue). */
const sent = (tx: Socket, port: number) =>
  new Promise<void>((res, rej) => tx.send('SIP/2.0 180 Ringing', port, '127.0.0.1', (e) => (e ? rej(e) : res())));

/** Blocks the event loop until `ms` after now (a stall: GC, a busy host). */
function stall(ms: number): void {
  const end = Date.now() + ms;
  while (Date.now() < end);
}

t.test('a datagram waiting when a timer falls due is handled first; a timer it clears never fires', async (t) => {
  const { rx, tx, port } = await pair();
  t.teardown(() => {
    rx.close();
    tx.close();
  });
  const clock = realClock();
  const order: string[] = [];
  let a: ReturnType<typeof clock.setTimer> | undefined;
  rx.once('message', () => {
    order.push('response');
    clock.clearTimer(a);
  });
  await sent(tx, port);
  // Timers set only now, with the datagram already queued (or read): they cannot fall due before it.
  const fired = new Promise<void>((res) => {
    // Timer A stand-in: cleared by the response, so it must not run.
    a = clock.setTimer(5, () => order.push('timer A'));
    // A second timer nothing clears: it still runs, after the input.
    clock.setTimer(5, () => {
      order.push('timer B');
      res();
    });
  });
  stall(60);
  await fired;
  t.same(order, ['response', 'timer B']);
});

t.test('a timer cleared before it falls due does not fire; one left alone fires once', async (t) => {
  const clock = realClock();
  let a = 0;
  let b = 0;
  const h = clock.setTimer(10, () => a++);
  await new Promise<void>((res) =>
    clock.setTimer(20, () => {
      b++;
      res();
    }),
  );
  t.equal(b, 1);
  clock.clearTimer(h);
  await new Promise<void>((res) => clock.setTimer(30, res));
  t.equal(a, 1, 'the 10 ms timer had fired before the 20 ms one; clearing it afterwards is harmless');
  const late = clock.setTimer(10, () => a++);
  clock.clearTimer(late);
  await new Promise<void>((res) => clock.setTimer(40, res));
  t.equal(a, 1, 'cleared before due: never ran');
});

t.test('SIP UDP sockets ask for large buffers and report what the kernel granted', async (t) => {
  const { rx, tx } = await pair();
  t.teardown(() => {
    rx.close();
    tx.close();
  });
  const warnings: object[] = [];
  const got = sizeBuffers(rx, { warn: (o) => warnings.push(o) });
  t.ok(got.recv > 0 && got.send > 0);
  // Granted in full, or a warning that names the sizes (the kernel caps at net.core.rmem_max).
  if (got.recv >= SIP_UDP_BUFFER_BYTES && got.send >= SIP_UDP_BUFFER_BYTES) t.same(warnings, []);
  else t.match(warnings, [{ wantBytes: SIP_UDP_BUFFER_BYTES, recvBytes: got.recv, sendBytes: got.send }]);
});
