/**
 * SMS over SIP MESSAGE (RFC 3428) through the SIP trunk. Uses the embedded
 * SIP engine (lib/sip, the same one the embedded driver uses) on a socket
 * of its own, so it works beside either telephony driver: MESSAGE is a
 * non-INVITE client transaction (Timers E/F), and inbound MESSAGE requests
 * from the trunk are answered 200 and reported as inbound messages.
 * RFC 3428 §6 has no delivery report; a 2xx means the trunk took the message.
 */
import type { Logger } from 'pino';
import {
  digestAuthorization,
  header,
  newCallId,
  newTag,
  parseNameAddr,
  parseUri,
  SipStack,
  UdpTransport,
  via,
  type ClientOutcome,
  type Endpoint,
  type Local,
  type ServerTxHandle,
  type SipHeader,
  type SipRequest,
  type SipResponse,
} from '../../sip';
import type { ChannelEvent, MessageChannel, OutboundMessage, SendResult } from '../channel';
import { ChannelEvents } from './emitter';

/** RFC 3428 §8: without congestion control a MESSAGE must stay under 1300 bytes. */
export const SIP_MESSAGE_MAX_BYTES = 1300;

export interface SipChannelOptions {
  host: string;
  port: number;
  /** host:port of the trunk. */
  trunk: string;
  /** Default sender (From user part). */
  from: string;
  username?: string;
  password?: string;
  t1Ms?: number;
  userAgent?: string;
  log: Logger;
}

function splitHostPort(a: string): Endpoint {
  const i = a.lastIndexOf(':');
  return i > 0 ? { address: a.slice(0, i), port: Number(a.slice(i + 1)) } : { address: a, port: 5060 };
}

/** 4xx other than these are a verdict on the message itself; 5xx/6xx and these are worth a retry later. */
const TRANSIENT = new Set([408, 480, 486, 500, 503, 504, 600]);

export class SipMessageChannel implements MessageChannel {
  readonly name = 'sip' as const;
  readonly kind = 'sms' as const;
  private transport?: UdpTransport;
  private stack?: SipStack;
  private local!: Local;
  private readonly trunk: Endpoint;
  private readonly events = new ChannelEvents();

  constructor(private readonly o: SipChannelOptions) {
    this.trunk = splitHostPort(o.trunk);
  }

  get endpoint(): Endpoint {
    return { address: this.local.host, port: this.local.port };
  }

  async start(): Promise<void> {
    if (this.transport) return;
    const transport = await UdpTransport.bind(this.o.host, this.o.port, this.o.log);
    this.transport = transport;
    this.local = { host: this.o.host, port: transport.local.port, userAgent: this.o.userAgent ?? 'open-dialer' };
    this.stack = new SipStack({
      transports: [transport],
      timers: { t1: this.o.t1Ms ?? 500 },
      log: this.o.log,
      onRequest: (tx) => this.onRequest(tx),
      onStray: () => undefined,
    });
  }

  async stop(): Promise<void> {
    this.stack?.close();
    this.transport?.close();
    this.transport = undefined;
    this.stack = undefined;
  }

  onEvent(fn: (e: ChannelEvent) => void): () => void {
    return this.events.on(fn);
  }

  async send(msg: OutboundMessage): Promise<SendResult> {
    const stack = this.stack;
    if (!stack) return { accepted: false, error: 'SIP MESSAGE channel is not started', permanent: false };
    const body = Buffer.from(msg.body, 'utf8');
    if (body.length > SIP_MESSAGE_MAX_BYTES) {
      return {
        accepted: false,
        error: `message is ${body.length} bytes; SIP MESSAGE over UDP carries at most ${SIP_MESSAGE_MAX_BYTES} (RFC 3428 §8)`,
        permanent: true,
      };
    }
    const req = this.build(msg, body);
    let res = await this.transact(stack, req);
    if (res.kind === 'response' && (res.response.status === 401 || res.response.status === 407) && this.o.username) {
      const challenge = header(res.response, res.response.status === 401 ? 'WWW-Authenticate' : 'Proxy-Authenticate');
      if (challenge) {
        const authName = res.response.status === 401 ? 'Authorization' : 'Proxy-Authorization';
        let value: string;
        try {
          value = digestAuthorization(challenge, { username: this.o.username, password: this.o.password ?? '' }, 'MESSAGE', req.uri);
        } catch (err) {
          return { accepted: false, error: `trunk challenge cannot be answered: ${(err as Error).message}`, permanent: true };
        }
        res = await this.transact(stack, this.build(msg, body, [{ name: authName, value }], header(req, 'Call-ID'), 2));
      }
    }
    if (res.kind === 'timeout') return { accepted: false, error: 'no response from the trunk (Timer F)', permanent: false };
    if (res.kind === 'error') return { accepted: false, error: res.detail, permanent: false };
    const r: SipResponse = res.response;
    if (r.status >= 200 && r.status < 300) return { accepted: true, providerId: header(req, 'Call-ID')! };
    return { accepted: false, error: `trunk answered ${r.status} ${r.reason}`, permanent: !TRANSIENT.has(r.status) };
  }

  private build(msg: OutboundMessage, body: Buffer, extra: SipHeader[] = [], callId?: string, cseq = 1): SipRequest {
    const host = `${this.trunk.address}:${this.trunk.port}`;
    const uri = `sip:${msg.to}@${host}`;
    const from = msg.from ?? this.o.from;
    const h: SipHeader[] = [
      via(this.local),
      { name: 'Max-Forwards', value: '70' },
      { name: 'From', value: `<sip:${from}@${this.local.host}:${this.local.port}>;tag=${newTag()}` },
      { name: 'To', value: `<sip:${msg.to}@${host}>` },
      { name: 'Call-ID', value: callId ?? newCallId(this.local.host) },
      { name: 'CSeq', value: `${cseq} MESSAGE` },
      { name: 'User-Agent', value: this.local.userAgent },
      { name: 'Content-Type', value: 'text/plain;charset=UTF-8' },
      ...(msg.inReplyTo ? [{ name: 'In-Reply-To', value: msg.inReplyTo }] : []),
      ...extra,
    ];
    return { kind: 'request', method: 'MESSAGE', uri, headers: h, body };
  }

  private transact(stack: SipStack, req: SipRequest): Promise<ClientOutcome> {
    return new Promise((resolve) => {
      stack.request(req, this.trunk, (o) => {
        // Provisional responses to a non-INVITE keep the transaction going (§17.1.2.2).
        if (o.kind === 'response' && o.response.status < 200) return;
        resolve(o);
      });
    });
  }

  private onRequest(tx: ServerTxHandle): void {
    const req = tx.request;
    // Only the trunk may hand us messages (anything else is spam or a scanner).
    if (tx.source.address !== this.trunk.address) return tx.respond(403, 'Forbidden');
    if (req.method !== 'MESSAGE') return tx.respond(405, 'Method Not Allowed', [{ name: 'Allow', value: 'MESSAGE' }]);
    const type = (header(req, 'Content-Type') ?? 'text/plain').toLowerCase();
    if (!type.startsWith('text/plain')) return tx.respond(415, 'Unsupported Media Type', [{ name: 'Accept', value: 'text/plain' }]);
    let from: string | undefined;
    let to: string | undefined;
    try {
      from = parseUri(parseNameAddr(header(req, 'From') ?? '').uri).user;
      to = parseUri(req.uri).user ?? parseUri(parseNameAddr(header(req, 'To') ?? '').uri).user;
    } catch {
      return tx.respond(400, 'Bad Request');
    }
    if (!from) return tx.respond(400, 'Bad Request', [{ name: 'Warning', value: '399 dialer "From has no user part"' }]);
    tx.respond(200, 'OK', [], undefined, newTag());
    this.events.emit({
      type: 'inbound',
      channel: 'sip',
      from: decodeURIComponent(from),
      to: decodeURIComponent(to ?? ''),
      body: req.body.toString('utf8'),
      providerId: header(req, 'Call-ID'),
      at: Date.now(),
    });
  }
}
