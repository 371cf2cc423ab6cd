/**
 * The one port through which the SIP engine touches the network (SIP.js keeps
 * the same shape). A transport delivers whole messages: a UDP datagram, or one
 * message framed out of a TCP byte stream by its Content-Length (§18.3).
 */

export type TransportProtocol = 'udp' | 'tcp';

export interface Endpoint {
  address: string;
  port: number;
  /** Default: udp. */
  transport?: TransportProtocol;
}

export interface Transport {
  readonly protocol: TransportProtocol;
  /** Reliable transports (TCP) have no retransmissions and zero-length linger timers (§17). */
  readonly reliable: boolean;
  /** Bound address and port (what Via and Contact advertise unless a public address is configured). */
  readonly local: Endpoint;
  send(message: Buffer, dest: Endpoint): void;
  /** Each received message with the address it came from. */
  onMessage(handler: (message: Buffer, source: Endpoint) => void): void;
  close(): void;
}

export interface TransportLogger {
  warn(obj: object, msg: string): void;
}
