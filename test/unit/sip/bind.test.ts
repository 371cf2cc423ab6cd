/**
 * Opening the SIP port pair (lib/sip/bind.ts) on real loopback sockets. A port number taken for TCP is taken
 * for real here (a net server listening on it), as CI met it: UDP got port P from the kernel, TCP P was in use.
 */
import t, { type Test } from 'tap';
import { createServer, type Server } from 'node:net';
import { createSocket } from 'node:dgram';
import { bindSipPorts, SipBindError, SIP_PORT_PAIR_TRIES, TcpTransport, UdpTransport, type SipBinders } from '../../../lib/sip';

const HOST = '127.0.0.1';

/** Listens on TCP host:port for real, so the next listen there meets EADDRINUSE. */
async function occupyTcp(t: Test, port: number): Promise<Server> {
  const server = createServer();
  await new Promise<void>((res, rej) => server.once('error', rej).listen(port, HOST, res));
  t.teardown(() => new Promise<void>((res) => server.close(() => res())));
  return server;
}

/** True when UDP host:port can be bound now (the pair's UDP socket was let go). */
async function udpFree(port: number): Promise<boolean> {
  const s = createSocket('udp4');
  return new Promise((res) => {
    s.once('error', () => res(false));
    s.bind(port, HOST, () => s.close(() => res(true)));
  });
}

/** The real socket calls; the first `taken` TCP listens find their number occupied first. */
function realWithTaken(t: Test, taken: number, seen: number[]): SipBinders {
  return {
    bindUdp: (h, p, l) => UdpTransport.bind(h, p, l),
    listenTcp: async (h, p, l) => {
      seen.push(p);
      if (seen.length <= taken) await occupyTcp(t, p);
      return TcpTransport.listen(h, p, l);
    },
  };
}

function closeAll(t: Test, ports: { udp: UdpTransport; tcp?: TcpTransport }): void {
  t.teardown(() => {
    ports.udp.close();
    ports.tcp?.close();
  });
}

t.test('port 0 with TCP: one number for both transports', async (t) => {
  const ports = await bindSipPorts(HOST, 0, true);
  closeAll(t, ports);
  t.ok(ports.tcp, 'TCP listens');
  t.equal(ports.tcp!.local.port, ports.udp.local.port, 'on UDP’s port number');
  t.not(ports.udp.local.port, 0);
});

t.test('port 0 without TCP: UDP only', async (t) => {
  const ports = await bindSipPorts(HOST, 0, false);
  closeAll(t, ports);
  t.equal(ports.tcp, undefined);
  t.equal(ports.udp.local.transport, 'udp');
});

t.test('port 0 whose number is taken for TCP: the pair moves to a fresh number, the first UDP socket is let go', async (t) => {
  const seen: number[] = [];
  const warned: object[] = [];
  const ports = await bindSipPorts(HOST, 0, true, { warn: (o) => warned.push(o) }, realWithTaken(t, 1, seen));
  closeAll(t, ports);
  t.equal(seen.length, 2, 'two TCP listens');
  t.not(ports.udp.local.port, seen[0], 'a new number');
  t.equal(ports.tcp!.local.port, ports.udp.local.port, 'both transports on it');
  t.ok(await udpFree(seen[0]!), 'the first UDP socket was closed');
  t.same(warned, [{ port: seen[0], attempt: 1 }], 'said once, with the taken number');
});

t.test('port 0 taken every time: fails after the tries, naming TCP and the last number', async (t) => {
  const seen: number[] = [];
  const err = await bindSipPorts(HOST, 0, true, undefined, realWithTaken(t, SIP_PORT_PAIR_TRIES, seen)).catch((e: unknown) => e);
  t.type(err, SipBindError);
  const e = err as SipBindError;
  t.equal(seen.length, SIP_PORT_PAIR_TRIES, `${SIP_PORT_PAIR_TRIES} numbers tried`);
  t.equal(e.transport, 'tcp');
  t.equal(e.port, seen.at(-1));
  t.match(
    e.message,
    new RegExp(
      `^cannot listen for SIP over TCP on 127\\.0\\.0\\.1:${e.port}: .*EADDRINUSE.* \\(${SIP_PORT_PAIR_TRIES} port numbers tried\\)$`,
    ),
  );
  for (const p of seen) t.ok(await udpFree(p), `UDP ${p} let go`);
});

t.test('a configured port taken for TCP fails at once: no other number is tried, UDP is let go', async (t) => {
  const probe = await bindSipPorts(HOST, 0, false);
  const port = probe.udp.local.port;
  probe.udp.close();
  await occupyTcp(t, port);
  const err = await bindSipPorts(HOST, port, true).catch((e: unknown) => e);
  t.type(err, SipBindError);
  t.equal((err as SipBindError).transport, 'tcp');
  t.match((err as Error).message, new RegExp(`^cannot listen for SIP over TCP on 127\\.0\\.0\\.1:${port}: .*EADDRINUSE[^(]*$`));
  t.ok(await udpFree(port), 'UDP let go');
});

t.test('a configured port taken for UDP fails naming UDP', async (t) => {
  const holder = await UdpTransport.bind(HOST, 0);
  t.teardown(() => holder.close());
  const port = holder.local.port;
  const err = await bindSipPorts(HOST, port, true).catch((e: unknown) => e);
  t.type(err, SipBindError);
  t.equal((err as SipBindError).transport, 'udp');
  t.match((err as Error).message, new RegExp(`^cannot bind SIP socket 127\\.0\\.0\\.1:${port}: .*EADDRINUSE`));
});
