/** UDP transport (RFC 3261 §18): one datagram is one message. */
import { createSocket, type Socket } from 'node:dgram';
import type { Endpoint, Transport, TransportLogger } from './transport';

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
