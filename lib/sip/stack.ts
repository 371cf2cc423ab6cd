/**
 * The transaction layer (RFC 3261 §17) over the transport port: the
 * interpreter that feeds messages and timer firings to the four pure
 * transaction machines (transactions/) and carries out their effects on the
 * injected clock and the transport. Everything above (dialogs, legs) is the
 * transaction user's business; malformed messages are counted and dropped.
 */
import { header, headers, parseMessage, serialize, type SipHeader, type SipMessage, type SipRequest, type SipResponse } from './message';
import { parseCSeq, parseVia } from './headers';
import { realClock, type Clock, type TimerHandle } from './clock';
import { DEFAULT_TIMERS, type TimerBase, type TimerName } from './timers';
import type { Endpoint, Transport } from './transport';
import { initialInviteClient, inviteClientTransition, type InviteClientEvent, type InviteClientState } from './transactions/invite-client';
import {
  initialNonInviteClient,
  nonInviteClientTransition,
  type NonInviteClientEvent,
  type NonInviteClientState,
} from './transactions/non-invite-client';
import { initialInviteServer, inviteServerTransition, type InviteServerEvent, type InviteServerState } from './transactions/invite-server';
import {
  initialNonInviteServer,
  nonInviteServerTransition,
  type NonInviteServerEvent,
  type NonInviteServerState,
} from './transactions/non-invite-server';
import type { TxEffect, TxTransition } from './transactions/types';
import { LogLimiter } from './log-limit';

export type { Endpoint } from './transport';
/** @deprecated name kept for callers of the first version: the RFC timer base. */
export type SipTimers = TimerBase;
export { DEFAULT_TIMERS } from './timers';

export type ClientOutcome =
  { kind: 'response'; response: SipResponse } | { kind: 'timeout'; timer?: TimerName } | { kind: 'error'; detail: string };

export interface StackLogger {
  debug(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface StackStats {
  received: number;
  sent: number;
  malformed: number;
  /** Malformed-message warnings not logged (rate limit, log-limit.ts); still counted in `malformed`. */
  malformedLogsSuppressed: number;
  /** Requests refused by `admit` (answered once with 403, or dropped). */
  refused: number;
  retransmissions: number;
  /** Transitions a machine refused (a bug, logged). */
  illegal: number;
}

type ClientMachine = { kind: 'invite'; state: InviteClientState } | { kind: 'non-invite'; state: NonInviteClientState };
type ServerMachine = { kind: 'invite'; state: InviteServerState } | { kind: 'non-invite'; state: NonInviteServerState };

interface ClientTx {
  key: string;
  m: ClientMachine;
  request: SipRequest;
  wire: Buffer;
  dest: Endpoint;
  transport: Transport;
  timers: Map<TimerName, TimerHandle>;
  onResponse: (o: ClientOutcome) => void;
  /** The final response the transaction ACKs (a non-2xx stays it in Completed). */
  last?: SipResponse;
  /** The response being handled: what 'deliver' passes up (in Completed, a forked 2xx, not `last`). */
  current?: SipResponse;
  ack?: Buffer;
  sends: number;
}

interface ServerTx {
  key: string;
  m: ServerMachine;
  source: Endpoint;
  transport: Transport;
  timers: Map<TimerName, TimerHandle>;
  last?: Buffer;
  finalSent: boolean;
  onDeliver: () => void;
}

/** Handle given to the request handler to answer a server transaction. */
export interface ServerTxHandle {
  readonly request: SipRequest;
  readonly source: Endpoint;
  respond(status: number, reason: string, extra?: SipHeader[], body?: Buffer, toTag?: string): void;
}

export interface StackOptions {
  /** One transport per protocol; a destination's `transport` picks one (default udp). */
  transports: Transport[];
  clock?: Clock;
  timers?: Partial<TimerBase>;
  log: StackLogger;
  /** New requests (not retransmissions, not ACKs matching a transaction). */
  onRequest(tx: ServerTxHandle): void;
  /**
   * Whether a source may talk to us at all, asked before any transaction is
   * made. 'reject': one stateless 403 per request, retransmissions included
   * (no Timer G repeats towards an address that may be spoofed, issue 14);
   * 'drop': nothing at all. Default: accept.
   */
  admit?(req: SipRequest, source: Endpoint): 'accept' | 'reject' | 'drop';
  /** ACKs for 2xx (a dialog matter) and responses matching no transaction (2xx retransmissions). */
  onStray(msg: SipMessage, source: Endpoint): void;
}

/** Refused transactions remembered at once (each answered once). */
const MAX_REJECTED = 4096;

export class SipStack {
  readonly timers: TimerBase;
  readonly clock: Clock;
  readonly stats: StackStats = {
    received: 0,
    sent: 0,
    malformed: 0,
    malformedLogsSuppressed: 0,
    refused: 0,
    retransmissions: 0,
    illegal: 0,
  };
  private readonly malformedLog = new LogLimiter(10, 60_000);
  private client = new Map<string, ClientTx>();
  private server = new Map<string, ServerTx>();
  /** Transactions refused by `admit` (key → when), oldest first, bounded. */
  private readonly rejected = new Map<string, number>();
  private closed = false;

  constructor(private readonly opts: StackOptions) {
    this.timers = { ...DEFAULT_TIMERS, ...opts.timers };
    this.clock = opts.clock ?? realClock();
    for (const t of opts.transports) t.onMessage((buf, src) => this.receive(buf, src, t));
  }

  /** The transport for a destination (its `transport`, default udp). */
  transportFor(dest: Endpoint): Transport {
    const want = dest.transport ?? 'udp';
    const t = this.opts.transports.find((x) => x.protocol === want);
    if (!t) throw new Error(`no ${want.toUpperCase()} transport configured`);
    return t;
  }

  /** Sends a request in a new client transaction. The first Via's branch identifies it. */
  request(request: SipRequest, dest: Endpoint, onResponse: (o: ClientOutcome) => void): void {
    let transport: Transport;
    try {
      transport = this.transportFor(dest);
    } catch (err) {
      onResponse({ kind: 'error', detail: (err as Error).message });
      return;
    }
    const ctx = { base: this.timers, reliable: transport.reliable };
    const m: ClientMachine =
      request.method === 'INVITE'
        ? { kind: 'invite', state: initialInviteClient(ctx) }
        : { kind: 'non-invite', state: initialNonInviteClient(ctx) };
    const tx: ClientTx = {
      key: txKey(request),
      m,
      request,
      wire: serialize(request),
      dest,
      transport,
      timers: new Map(),
      onResponse,
      sends: 0,
    };
    this.client.set(tx.key, tx);
    this.fireClient(tx, { type: 'start' });
  }

  /** Sends a message outside any transaction (ACK for 2xx, §13.2.2.4; 2xx retransmissions). */
  sendRaw(msg: SipMessage, dest: Endpoint): void {
    this.send(serialize(msg), dest, this.transportFor(dest));
  }

  close(): void {
    this.closed = true;
    for (const tx of this.client.values()) for (const h of tx.timers.values()) this.clock.clearTimer(h);
    for (const tx of this.server.values()) for (const h of tx.timers.values()) this.clock.clearTimer(h);
    this.client.clear();
    this.server.clear();
  }

  get pending(): number {
    return this.client.size + this.server.size;
  }

  /** Test and diagnostics view: the state of the client transaction for a request, if any. */
  clientState(request: SipRequest): string | undefined {
    return this.client.get(txKey(request))?.m.state.name;
  }

  private send(buf: Buffer, dest: Endpoint, transport: Transport): void {
    if (this.closed) return;
    this.stats.sent++;
    transport.send(buf, dest);
  }

  // ---- client side ---------------------------------------------------------

  private fireClient(tx: ClientTx, e: InviteClientEvent | NonInviteClientEvent): void {
    let t: TxTransition<InviteClientState | NonInviteClientState>;
    try {
      t =
        tx.m.kind === 'invite'
          ? inviteClientTransition(tx.m.state, e as InviteClientEvent)
          : nonInviteClientTransition(tx.m.state, e as NonInviteClientEvent);
    } catch (err) {
      this.stats.illegal++;
      this.opts.log.warn({ err: (err as Error).message, method: tx.request.method }, 'SIP client transaction refused an event');
      return;
    }
    tx.m.state = t.state as never;
    for (const fx of t.effects) this.clientEffect(tx, fx);
  }

  private clientEffect(tx: ClientTx, fx: TxEffect): void {
    switch (fx.type) {
      case 'transmit':
        if (tx.sends++ > 0) this.stats.retransmissions++;
        return this.send(tx.wire, tx.dest, tx.transport);
      case 'send-ack':
        tx.ack ??= serialize(nonSuccessAck(tx.request, tx.last!));
        return this.send(tx.ack, tx.dest, tx.transport);
      case 'start-timer':
        return this.startTimer(tx.timers, fx.timer, fx.ms, () => this.fireClient(tx, { type: 'timer', timer: fx.timer } as never));
      case 'stop-timer':
        this.clock.clearTimer(tx.timers.get(fx.timer));
        tx.timers.delete(fx.timer);
        return;
      case 'deliver':
        return tx.onResponse({ kind: 'response', response: tx.current ?? tx.last! });
      case 'timeout':
        return tx.onResponse(
          fx.timer === 'transport' ? { kind: 'error', detail: 'transport error' } : { kind: 'timeout', timer: fx.timer },
        );
      case 'terminated':
        for (const h of tx.timers.values()) this.clock.clearTimer(h);
        tx.timers.clear();
        if (this.client.get(tx.key) === tx) this.client.delete(tx.key);
        return;
      case 'send-response':
        return;
    }
  }

  private startTimer(timers: Map<TimerName, TimerHandle>, name: TimerName, ms: number, fire: () => void): void {
    this.clock.clearTimer(timers.get(name));
    timers.set(
      name,
      this.clock.setTimer(ms, () => {
        timers.delete(name);
        fire();
      }),
    );
  }

  // ---- receiving -----------------------------------------------------------

  private receive(buf: Buffer, source: Endpoint, transport: Transport): void {
    this.stats.received++;
    // Keep-alives (RFC 5626 CRLF) are not messages.
    if (buf.length <= 4 && buf.toString().trim() === '') return;
    let msg: SipMessage;
    try {
      msg = parseMessage(buf);
      parseVia(header(msg, 'Via')!);
      parseCSeq(header(msg, 'CSeq')!);
    } catch (err) {
      // §16.3 / §18.3: a message that cannot be parsed is discarded.
      this.stats.malformed++;
      const { log, flushed } = this.malformedLog.take(Date.now());
      if (flushed) this.opts.log.warn({ suppressed: flushed }, 'malformed SIP messages dropped without a log line in the last minute');
      if (log) this.opts.log.warn({ source, err: (err as Error).message, bytes: buf.length }, 'malformed SIP message dropped');
      this.stats.malformedLogsSuppressed = this.malformedLog.suppressedTotal;
      return;
    }
    try {
      if (msg.kind === 'response') this.onResponse(msg, source);
      else this.onRequestIn(msg, source, transport);
    } catch (err) {
      this.opts.log.warn({ source, err: (err as Error).message }, 'SIP message handling failed');
    }
  }

  private onResponse(res: SipResponse, source: Endpoint): void {
    const tx = this.client.get(txKey(res));
    if (!tx) return this.opts.onStray(res, source);
    // §17.1.3: the CSeq method must match too (a CANCEL shares the INVITE's branch).
    tx.last = tx.m.state.name === 'completed' ? tx.last : res;
    tx.current = res;
    this.fireClient(tx, { type: 'response', status: res.status });
  }

  // ---- server side ---------------------------------------------------------

  private onRequestIn(req: SipRequest, source: Endpoint, transport: Transport): void {
    // §17.2.3: an ACK matches the INVITE server transaction whose branch it carries.
    const key = txKey(req, req.method === 'ACK' ? 'INVITE' : undefined);
    const admission = this.opts.admit?.(req, source) ?? 'accept';
    if (admission !== 'accept') {
      this.stats.refused++;
      if (admission === 'reject' && req.method !== 'ACK' && !this.rejected.has(key)) {
        // Remembered for Timer H's span, so retransmissions get no second answer.
        const now = this.clock.now();
        for (const [k, at] of this.rejected) {
          if (now - at < 64 * this.timers.t1 && this.rejected.size < MAX_REJECTED) break;
          this.rejected.delete(k);
        }
        this.rejected.set(key, now);
        this.send(serialize(responseTo(req, 403, 'Forbidden', [], Buffer.alloc(0), undefined)), source, transport);
      }
      return;
    }
    const existing = this.server.get(key);
    if (req.method === 'ACK') {
      // An ACK for our 300–699 matches the INVITE server transaction (§17.2.3); an ACK for a 2xx is the dialog's.
      if (existing && existing.m.kind === 'invite' && existing.m.state.name !== 'accepted')
        return this.fireServer(existing, { type: 'ack' });
      return this.opts.onStray(req, source);
    }
    if (existing) {
      this.stats.retransmissions++;
      return this.fireServer(existing, { type: 'retransmission' });
    }
    const ctx = { base: this.timers, reliable: transport.reliable };
    const m: ServerMachine =
      req.method === 'INVITE'
        ? { kind: 'invite', state: initialInviteServer(ctx) }
        : { kind: 'non-invite', state: initialNonInviteServer(ctx) };
    const handle: ServerTxHandle = {
      request: req,
      source,
      respond: (status, reason, extra = [], body = Buffer.alloc(0), toTag) => {
        if (tx.finalSent || !this.server.has(key)) return;
        tx.last = serialize(responseTo(req, status, reason, extra, body, toTag));
        if (status >= 200) tx.finalSent = true;
        this.fireServer(tx, { type: 'respond', status });
      },
    };
    const tx: ServerTx = { key, m, source, transport, timers: new Map(), finalSent: false, onDeliver: () => this.opts.onRequest(handle) };
    this.server.set(key, tx);
    this.fireServer(tx, { type: 'request' });
  }

  private fireServer(tx: ServerTx, e: InviteServerEvent | NonInviteServerEvent): void {
    let t: TxTransition<InviteServerState | NonInviteServerState>;
    try {
      t =
        tx.m.kind === 'invite'
          ? inviteServerTransition(tx.m.state, e as InviteServerEvent)
          : nonInviteServerTransition(tx.m.state, e as NonInviteServerEvent);
    } catch (err) {
      this.stats.illegal++;
      this.opts.log.warn({ err: (err as Error).message }, 'SIP server transaction refused an event');
      return;
    }
    tx.m.state = t.state as never;
    for (const fx of t.effects) this.serverEffect(tx, fx);
  }

  private serverEffect(tx: ServerTx, fx: TxEffect): void {
    switch (fx.type) {
      case 'send-response':
        if (tx.last) this.send(tx.last, tx.source, tx.transport);
        return;
      case 'start-timer':
        return this.startTimer(tx.timers, fx.timer, fx.ms, () => this.fireServer(tx, { type: 'timer', timer: fx.timer } as never));
      case 'stop-timer':
        this.clock.clearTimer(tx.timers.get(fx.timer));
        tx.timers.delete(fx.timer);
        return;
      case 'deliver':
        return tx.onDeliver();
      case 'timeout':
        this.opts.log.debug({ timer: fx.timer }, 'SIP server transaction timed out');
        return;
      case 'terminated':
        for (const h of tx.timers.values()) this.clock.clearTimer(h);
        tx.timers.clear();
        if (this.server.get(tx.key) === tx) this.server.delete(tx.key);
        return;
      case 'transmit':
      case 'send-ack':
        return;
    }
  }
}

/** §17.1.3 / §17.2.3: the top Via branch plus the CSeq method identify a transaction. */
function txKey(msg: SipMessage, method = parseCSeq(header(msg, 'CSeq')!).method): string {
  const via = parseVia(header(msg, 'Via')!);
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
