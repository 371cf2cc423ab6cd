/**
 * Opens the SIP port: UDP, and TCP on the same port number when asked. One number for both because a request's
 * Via and Contact carry one port, and a peer that switches transport (RFC 3261 §18.1.1: a request too large for
 * UDP goes over TCP) sends to the same one.
 *
 * With port 0 the kernel picks UDP's port, and that number can already be taken for TCP: another process's
 * listener, or the local end of some TCP connection (ports are separate per protocol, so the kernel never checks
 * the pair). CI met it once: EADDRINUSE on the TCP listen, with 6 test files binding ports at once. So with port
 * 0 the pair is tried again on a fresh number; a configured port fails at once, naming the transport and port.
 */
import { TcpTransport } from './tcp';
import { UdpTransport } from './udp';
import type { TransportLogger } from './transport';

export interface SipPorts {
  udp: UdpTransport;
  tcp?: TcpTransport;
}

/** The socket calls, replaceable so a test can make the TCP listen meet a taken port on demand. */
export interface SipBinders {
  bindUdp(host: string, port: number, log?: TransportLogger): Promise<UdpTransport>;
  listenTcp(host: string, port: number, log?: TransportLogger): Promise<TcpTransport>;
}

const REAL: SipBinders = {
  bindUdp: (h, p, l) => UdpTransport.bind(h, p, l),
  listenTcp: (h, p, l) => TcpTransport.listen(h, p, l),
};

/**
 * Fresh numbers tried when port 0's pick is taken for TCP. The ephemeral range holds ~28,000 ports; a second
 * collision in a row needs that many connections open at once, so 8 tries end only on a real shortage.
 */
export const SIP_PORT_PAIR_TRIES = 8;

/** A port could not be opened; `transport` and `port` say which (the message says it too). */
export class SipBindError extends Error {
  constructor(
    readonly transport: 'udp' | 'tcp',
    readonly host: string,
    readonly port: number,
    cause: Error,
    tries = 1,
  ) {
    super(
      transport === 'udp'
        ? `cannot bind SIP socket ${host}:${port}: ${cause.message}`
        : `cannot listen for SIP over TCP on ${host}:${port}: ${cause.message}${tries > 1 ? ` (${tries} port numbers tried)` : ''}`,
    );
    this.name = 'SipBindError';
  }
}

export async function bindSipPorts(
  host: string,
  port: number,
  withTcp: boolean,
  log?: TransportLogger,
  binders: SipBinders = REAL,
  tries = SIP_PORT_PAIR_TRIES,
): Promise<SipPorts> {
  for (let attempt = 1; ; attempt++) {
    const udp = await binders.bindUdp(host, port, log).catch((err: Error) => {
      throw new SipBindError('udp', host, port, err);
    });
    if (!withTcp) return { udp };
    // Read before any close: a closed socket has no address (ERR_SOCKET_DGRAM_NOT_RUNNING).
    const number = udp.local.port;
    try {
      return { udp, tcp: await binders.listenTcp(host, number, log) };
    } catch (err) {
      udp.close();
      const taken = (err as NodeJS.ErrnoException).code === 'EADDRINUSE';
      if (port !== 0 || !taken || attempt >= tries) throw new SipBindError('tcp', host, number, err as Error, attempt);
      log?.warn({ port: number, attempt }, 'SIP port number taken for TCP; trying another');
    }
  }
}
