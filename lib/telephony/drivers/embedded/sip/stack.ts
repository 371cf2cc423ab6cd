/**
 * SIP transport + transaction layer over one UDP socket (RFC 3261 §17, §18).
 * Client transactions retransmit (Timers A/E), time out (B/F) and absorb
 * retransmitted finals (D/K); server transactions answer retransmitted
 * requests with their last response and retransmit non-2xx finals to an
 * INVITE until the ACK (Timers G/H/I/J). Everything above (dialogs, legs) is
 * the driver's business; malformed datagrams are counted and dropped here.
 */
import type { Socket, RemoteInfo } from 'node:dgram';
import { header, headers, parseMessage, serialize, type SipHeader, type SipMessage, type SipRequest, type SipResponse } from './message';
import { parseCSeq, parseVia } from './headers';

export interface Endpoint {
  address: string;
  port: number;
}

export interface SipTimers {
  /** RTT estimate, RFC 3261 default 500 ms. */
  t1: number;
  /** Longest retransmit interval for non-INVITE requests and INVITE responses, default 4 s. */
  t2: number;
  /** Longest time a message stays in the network, default 5 s. */
  t4: number;
}
export const DEFAULT_TIMERS: SipTimers = { t1: 500, t2: 4000, t4: 5000 };

export type ClientOutcome =
  | { kind: 'response'; response: SipResponse }
  | { kind: 'timeout' }
  | { kind: 'error'; detail: string };

export interface StackLogger {
  debug(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface StackStats {
  received: number;
  sent: number;
  malformed: number;
  retransmissions: number;
}

interface ClientTx {
  key: string;
  invite: boolean;
  request: SipRequest;
  dest: Endpoint;
  state: 'calling' | 'proceeding' | 'completed' | 'terminated';
  timers: NodeJS.Timeout[];
  onResponse: (o: ClientOutcome) => void;
  ack?: Buffer;
}

interface ServerTx {
  key: string;
  invite: boolean;
  source: Endpoint;
  last?: Buffer;
  finalSent: boolean;
  timers: NodeJS.Timeout[];
}

/** Handle given to the request handler to answer a server transaction. */
export interface ServerTxHandle {
  readonly request: SipRequest;
  readonly source: Endpoint;
  respond(status: number, reason: string, extra?: SipHeader[], body?: Buffer, toTag?: string): void;
}

export interface StackOptions {
  socket: Socket;
  timers?: Partial<SipTimers>;
  log: StackLogger;
  /** New requests (not retransmissions, not ACKs matching a transaction). */
  onRequest(tx: ServerTxHandle): void;
  /** ACKs for 2xx (a dialog matter) and responses matching no transaction (2xx retransmissions). */
  onStray(msg: SipMessage, source: Endpoint): void;
}

export class SipStack {
  readonly timers: SipTimers;
  readonly stats: StackStats = { received: 0, sent: 0, malformed: 0, retransmissions: 0 };
  private client = new Map<string, ClientTx>();
  private server = new Map<string, ServerTx>();
  private closed = false;

  constructor(private readonly opts: StackOptions) {
    this.timers = { ...DEFAULT_TIMERS, ...opts.timers };
    opts.socket.on('message', (buf, rinfo) => this.receive(buf, rinfo));
  }

  /** Sends a request in a new client transaction. The first Via's branch identifies it. */
  request(request: SipRequest, dest: Endpoint, onResponse: (o: ClientOutcome) => void): void {
    const key = txKey(request);
    const invite = request.method === 'INVITE';
    const tx: ClientTx = { key, invite, request, dest, state: invite ? 'calling' : 'calling', timers: [], onResponse };
    this.client.set(key, tx);
    const wire = serialize(request);
    this.send(wire, dest);
    const { t1, t2 } = this.timers;
    // Timer A (INVITE) doubles every time; Timer E (non-INVITE) doubles up to T2 (§17.1.1.2, §17.1.2.2).
    let interval = t1;
    const retransmit = () => {
      if (tx.state === 'terminated' || tx.state === 'completed') return;
      if (invite && tx.state === 'proceeding') return;
      this.stats.retransmissions++;
      this.send(wire, dest);
      interval = invite ? interval * 2 : Math.min(interval * 2, t2);
      tx.timers.push(setTimeout(retransmit, interval));
    };
    tx.timers.push(setTimeout(retransmit, interval));
    // Timer B / Timer F: 64*T1 without a final response.
    tx.timers.push(
      setTimeout(() => {
        if (tx.state === 'calling' || tx.state === 'proceeding') {
          this.endClient(tx);
          onResponse({ kind: 'timeout' });
        }
      }, 64 * t1),
    );
  }

  /** Sends a message outside any transaction (ACK for 2xx, §13.2.2.4). */
  sendRaw(msg: SipMessage, dest: Endpoint): void {
    this.send(serialize(msg), dest);
  }

  close(): void {
    this.closed = true;
    for (const tx of this.client.values()) tx.timers.forEach(clearTimeout);
    for (const tx of this.server.values()) tx.timers.forEach(clearTimeout);
    this.client.clear();
    this.server.clear();
  }

  get pending(): number {
    return this.client.size + this.server.size;
  }

  private send(buf: Buffer, dest: Endpoint): void {
    if (this.closed) return;
    this.stats.sent++;
    this.opts.socket.send(buf, dest.port, dest.address, (err) => {
      if (err) this.opts.log.warn({ err: err.message, dest }, 'sip send failed');
    });
  }

  private receive(buf: Buffer, rinfo: RemoteInfo): void {
    this.stats.received++;
    const source = { address: rinfo.address, port: rinfo.port };
    // Keep-alives (RFC 5626 CRLF) are not messages.
    if (buf.length <= 4 && buf.toString().trim() === '') return;
    let msg: SipMessage;
    try {
      msg = parseMessage(buf);
      parseVia(header(msg, 'Via')!);
      parseCSeq(header(msg, 'CSeq')!);
    } catch (err) {
      // §16.3 / §18.3: a datagram that cannot be parsed is discarded.
      this.stats.malformed++;
      this.opts.log.warn({ source, err: (err as Error).message, bytes: buf.length }, 'malformed SIP datagram dropped');
      return;
    }
    try {
      if (msg.kind === 'response') this.onResponse(msg, source);
      else this.onRequestIn(msg, source);
    } catch (err) {
      this.opts.log.warn({ source, err: (err as Error).message }, 'SIP message handling failed');
    }
  }

  private onResponse(res: SipResponse, source: Endpoint): void {
    const tx = this.client.get(txKey(res));
    if (!tx) return this.opts.onStray(res, source);
    if (tx.state === 'completed') {
      // Retransmitted final: re-send the ACK (INVITE) or ignore (non-INVITE) (§17.1.1.2).
      if (tx.ack) this.send(tx.ack, tx.dest);
      return;
    }
    if (tx.state === 'terminated') return this.opts.onStray(res, source);
    if (res.status < 200) {
      tx.state = 'proceeding';
      tx.onResponse({ kind: 'response', response: res });
      return;
    }
    if (tx.invite && res.status < 300) {
      // 2xx ends the INVITE client transaction; the TU ACKs it and re-ACKs retransmissions.
      this.endClient(tx);
      tx.onResponse({ kind: 'response', response: res });
      return;
    }
    tx.state = 'completed';
    tx.timers.forEach(clearTimeout);
    tx.timers = [];
    if (tx.invite) {
      tx.ack = serialize(nonSuccessAck(tx.request, res));
      this.send(tx.ack, tx.dest);
    }
    // Timer D (32 s for UDP) / Timer K (T4): absorb retransmissions, then forget.
    const linger = tx.invite ? Math.max(32000, 64 * this.timers.t1) : this.timers.t4;
    tx.timers.push(setTimeout(() => this.endClient(tx), linger));
    tx.onResponse({ kind: 'response', response: res });
  }

  private endClient(tx: ClientTx): void {
    tx.state = 'terminated';
    tx.timers.forEach(clearTimeout);
    tx.timers = [];
    this.client.delete(tx.key);
  }

  private onRequestIn(req: SipRequest, source: Endpoint): void {
    const key = txKey(req.method === 'ACK' ? { ...req, method: 'INVITE' } : req);
    const existing = this.server.get(key);
    if (req.method === 'ACK') {
      if (existing && existing.invite) {
        // ACK for our non-2xx final: Timer I then forget (§17.2.1).
        existing.timers.forEach(clearTimeout);
        existing.timers = [setTimeout(() => this.server.delete(key), this.timers.t4)];
        return;
      }
      return this.opts.onStray(req, source);
    }
    if (existing) {
      this.stats.retransmissions++;
      if (existing.last) this.send(existing.last, existing.source);
      return;
    }
    const tx: ServerTx = { key, invite: req.method === 'INVITE', source, finalSent: false, timers: [] };
    this.server.set(key, tx);
    const handle: ServerTxHandle = {
      request: req,
      source,
      respond: (status, reason, extra = [], body = Buffer.alloc(0), toTag) => {
        if (tx.finalSent) return;
        const res = responseTo(req, status, reason, extra, body, toTag);
        tx.last = serialize(res);
        this.send(tx.last, source);
        if (status < 200) return;
        tx.finalSent = true;
        if (tx.invite && status >= 300) {
          // Timer G retransmits the final until the ACK; Timer H gives up at 64*T1.
          let g = this.timers.t1;
          const again = () => {
            if (!this.server.has(key)) return;
            this.send(tx.last!, source);
            g = Math.min(g * 2, this.timers.t2);
            tx.timers.push(setTimeout(again, g));
          };
          tx.timers.push(setTimeout(again, g));
          tx.timers.push(setTimeout(() => this.dropServer(tx), 64 * this.timers.t1));
        } else {
          // Timer J (non-INVITE) / 2xx to INVITE: keep the response for retransmitted requests for 64*T1.
          tx.timers.push(setTimeout(() => this.dropServer(tx), 64 * this.timers.t1));
        }
      },
    };
    this.opts.onRequest(handle);
  }

  private dropServer(tx: ServerTx): void {
    tx.timers.forEach(clearTimeout);
    this.server.delete(tx.key);
  }
}

function txKey(msg: SipMessage): string {
  const via = parseVia(header(msg, 'Via')!);
  const method = parseCSeq(header(msg, 'CSeq')!).method;
  return `${via.params.branch ?? ''}|${method}`;
}

/** §17.1.1.3: the ACK for a non-2xx final is built from the INVITE and the response's To tag. */
function nonSuccessAck(invite: SipRequest, res: SipResponse): SipRequest {
  const cseq = parseCSeq(header(invite, 'CSeq')!).seq;
  const h: SipHeader[] = [
    { name: 'Via', value: headers(invite, 'Via')[0]! },
    ...invite.headers.filter((x) => x.name === 'Route'),
    { name: 'Max-Forwards', value: '70' },
    { name: 'From', value: header(invite, 'From')! },
    { name: 'To', value: header(res, 'To')! },
    { name: 'Call-ID', value: header(invite, 'Call-ID')! },
    { name: 'CSeq', value: `${cseq} ACK` },
  ];
  return { kind: 'request', method: 'ACK', uri: invite.uri, headers: h, body: Buffer.alloc(0) };
}

/** §8.2.6.2: copy Via, From, To (adding our tag), Call-ID and CSeq from the request. */
export function responseTo(req: SipRequest, status: number, reason: string, extra: SipHeader[], body: Buffer, toTag?: string): SipResponse {
  let to = header(req, 'To')!;
  if (toTag && status > 100 && !/;\s*tag=/i.test(to)) to += `;tag=${toTag}`;
  const h: SipHeader[] = [
    ...req.headers.filter((x) => x.name === 'Via'),
    { name: 'From', value: header(req, 'From')! },
    { name: 'To', value: to },
    { name: 'Call-ID', value: header(req, 'Call-ID')! },
    { name: 'CSeq', value: header(req, 'CSeq')! },
    ...extra,
  ];
  return { kind: 'response', status, reason, headers: h, body };
}
