/** UDP transport (RFC 3261 §18): one datagram is one message. */
import { createSocket, type Socket } from 'node:dgram';
import type { Endpoint, Transport, TransportLogger } from './transport';

/**
 * Socket buffer asked for the SIP port. The kernel's default (net.core.rmem_default, 208 KiB) holds only
 * some 100 to 200 small datagrams (each is charged its whole buffer); measured in bench/originate at
 * 300 calls/s, one event-loop stall of 0.5 s on a busy host dropped 2,000 responses at our socket.
 * 4 MiB rides out a stall of seconds at that rate. Linux caps the request at net.core.rmem_max/wmem_max.
 */
export const SIP_UDP_BUFFER_BYTES = 4 * 1024 * 1024;

/** Asks for SIP_UDP_BUFFER_BYTES both ways; says once (naming the sysctl) when the kernel gives less. */
export function sizeBuffers(socket: Socket, log?: TransportLogger, want = SIP_UDP_BUFFER_BYTES): { recv: number; send: number } {
  try {
    socket.setRecvBufferSize(want);
    socket.setSendBufferSize(want);
  } catch (err) {
    log?.warn({ err: (err as Error).message }, 'SIP UDP socket buffer size not set');
  }
  // Linux reports twice the usable size it granted (socket(7), SO_RCVBUF).
  const recv = socket.getRecvBufferSize() / 2;
  const send = socket.getSendBufferSize() / 2;
  if (recv < want || send < want)
    log?.warn(
      { wantBytes: want, recvBytes: recv, sendBytes: send },
      'SIP UDP socket buffers are smaller than asked: raise sysctl net.core.rmem_max and net.core.wmem_max to keep responses from being dropped under bursts',
    );
  return { recv, send };
}

export class UdpTransport implements Transport {
  readonly protocol = 'udp' as const;
  readonly reliable = false;
  private closed = false;

  /** Wraps a bound socket (the caller owns binding, so the port can be 0 or configured). */
  constructor(
    private readonly socket: Socket,
    private readonly log?: TransportLogger,
  ) {}

  /** Binds a new udp4 socket on host:port (0 = any free port). */
  static async bind(host: string, port: number, log?: TransportLogger): Promise<UdpTransport> {
    const socket = createSocket('udp4');
    await new Promise<void>((res, rej) => {
      socket.once('error', rej);
      socket.bind(port, host, () => {
        socket.off('error', rej);
        res();
      });
    });
    socket.on('error', (err) => log?.warn({ err: err.message }, 'SIP UDP socket error'));
    sizeBuffers(socket, log);
    return new UdpTransport(socket, log);
  }

  get local(): Endpoint {
    const a = this.socket.address();
    return { address: a.address, port: a.port, transport: 'udp' };
  }

  send(message: Buffer, dest: Endpoint): void {
    if (this.closed) return;
    this.socket.send(message, dest.port, dest.address, (err) => {
      if (err) this.log?.warn({ err: err.message, dest }, 'sip send failed');
    });
  }

  onMessage(handler: (message: Buffer, source: Endpoint) => void): void {
    this.socket.on('message', (buf, r) => handler(buf, { address: r.address, port: r.port, transport: 'udp' }));
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.close();
  }
}
