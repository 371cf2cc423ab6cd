/**
 * An in-memory Transport for the unit tier: records what the SIP engine sends
 * and lets a test deliver messages to it, so timers run in virtual time with
 * no socket. Messages themselves are real SIP text (parse/serialise as on the wire).
 */
import {
  parseMessage,
  serialize,
  type Endpoint,
  type SipMessage,
  type SipRequest,
  type Transport,
  type TransportProtocol,
} from '../../lib/sip';

export interface Sent {
  at: number;
  dest: Endpoint;
  msg: SipMessage;
}

export class MemoryTransport implements Transport {
  readonly sent: Sent[] = [];
  private handler?: (m: Buffer, s: Endpoint) => void;
  readonly local: Endpoint;

  constructor(
    private readonly now: () => number,
    readonly protocol: TransportProtocol = 'udp',
    port = 5060,
  ) {
    this.local = { address: '127.0.0.1', port, transport: protocol };
  }

  get reliable(): boolean {
    return this.protocol === 'tcp';
  }

  send(message: Buffer, dest: Endpoint): void {
    this.sent.push({ at: this.now(), dest, msg: parseMessage(message) });
  }

  onMessage(handler: (m: Buffer, s: Endpoint) => void): void {
    this.handler = handler;
  }

  close(): void {}

  /** Delivers a message as if it arrived from `from`. */
  deliver(msg: SipMessage | string, from: Endpoint = { address: '127.0.0.1', port: 5070 }): void {
    this.handler!(typeof msg === 'string' ? Buffer.from(msg) : serialize(msg), from);
  }

  /** Requests sent with this method, in order. */
  requests(method: string): Array<Sent & { msg: SipRequest }> {
    return this.sent.filter((s): s is Sent & { msg: SipRequest } => s.msg.kind === 'request' && s.msg.method === method);
  }

  responses(status?: number): Sent[] {
    return this.sent.filter((s) => s.msg.kind === 'response' && (status === undefined || s.msg.status === status));
  }
}
