/**
 * The only file that touches drachtio-srf, drachtio-fsmrf and modesl: each
 * library object is wrapped into a port of ports.ts. Behaviour checked against
 * the libraries' sources (drachtio-srf 5.0.x, drachtio-fsmrf 4.1.2, modesl 1.2)
 * and freeswitch.md; unit tests use recording fakes of the ports instead.
 */
import type { Socket } from 'node:net';
import Srf from 'drachtio-srf';
import { EndpointTimeout, ReofferRefused } from './ports';
import type {
  DialogEnd,
  EndpointPort,
  IncomingInvite,
  EslClient,
  EslConnect,
  MediaServerPort,
  MrfConnectOptions,
  MrfPort,
  SipProvisional,
  SrfPort,
  UacDialog,
  UacFailure,
  UacOptions,
} from './ports';

// fsmrf and modesl ship no types: the shapes we use, nothing more.
/* eslint-disable @typescript-eslint/no-require-imports */
const Mrf = require('drachtio-fsmrf') as new (srf: Srf) => { connect(opts: Record<string, unknown>): Promise<FsmrfMediaServer> };
const esl = require('modesl') as { Connection: new (host: string, port: number, secret: string, ready: () => void) => ModeslConnection };

/** drachtio-srf's real `connect()` (lib/srf.js → proto.js app.connect): it returns the app, no Promise. */
interface SrfConnectApi {
  connect(opts: { host: string; port: number; secret: string; reconnect?: { retryMaxDelay?: number } }): unknown;
}

/**
 * The longest wait between two attempts to reach a lost drachtio-server. drachtio-srf 5.0.29 retries a lost
 * connection after 150 ms × 1.7 per attempt with no cap unless `reconnect.retryMaxDelay` is given
 * (lib/wire-protocol.js `_onConnectionGone`), so the wait grows to 0.7 × the time since the loss: attempts at 25 s
 * and 43 s (a drachtio-server back after 30 s was reached 13 s later: test/e2e/freeswitch/drachtio-restart.test.ts
 * fails without the cap), 73 s and 124 s (back after 75 s: 49 s deaf). 2 s keeps a restart's gap short; an
 * attempt is one TCP connect on the control socket.
 */
export const DRACHTIO_RETRY_MAX_MS = 2000;
/** The parts of drachtio-srf's WireProtocol (lib/wire-protocol.js) that stop its reconnect loop. */
interface WireProtocolInternals {
  closing?: boolean;
  socket?: { destroy(): void };
  reconnectVars?: { retryTimer?: NodeJS.Timeout | null };
}

interface EslEvent {
  getHeader(name: string): string | undefined;
  getBody(): string;
  headers?: Array<{ name: string; value: string }>;
}
interface ModeslConnection {
  api(command: string, cb: (res: EslEvent) => void): void;
  on(event: string, fn: (...args: unknown[]) => void): void;
  disconnect(): void;
  /** The TCP socket (net.connect's), null once modesl's disconnect() or the server's end ran. */
  socket: Socket | null;
}
interface FsmrfEndpoint {
  uuid: string;
  /** CONNECTED until fsmrf saw the channel end (its socket closed, CHANNEL_CALLSTATE HANGUP) or destroy() ran. */
  readonly connected: boolean;
  local: { sdp: string };
  modify(sdp: string): Promise<unknown>;
  execute(app: string, arg?: string): Promise<EslEvent>;
  api(command: string, args?: string | string[]): Promise<EslEvent | { body?: string }>;
  play(file: string): Promise<{ playbackMilliseconds?: string }>;
  bridge(other: string): Promise<void>;
  unbridge(): Promise<void>;
  destroy(): Promise<void>;
  addCustomEventListener(event: string, fn: (args: unknown, evt: EslEvent) => void): void;
  on(event: string, fn: (arg: Record<string, string> | undefined) => void): void;
  /** The endpoint's own outbound event socket (drachtio-modesl), filtered on its Unique-ID. */
  conn: {
    subscribe(events: string): void;
    on(event: string, fn: (evt: EslEvent) => void): void;
    sendRecv(command: string, args: Record<string, string>, cb: (reply: EslEvent) => void): void;
  };
}
interface FsmrfMediaServer {
  address: string;
  currentSessions: number;
  maxSessions: number;
  conn: { on(event: string, fn: () => void): void; subscribe(events: string[]): void };
  createEndpoint(opts?: { headers?: Record<string, string>; remoteSdp?: string }): Promise<FsmrfEndpoint>;
  api(command: string): Promise<string>;
  on(event: string, fn: (...args: unknown[]) => void): void;
  disconnect(): void;
}

/** Rejects when `p` does not settle within `ms`. */
function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let t: NodeJS.Timeout;
  return Promise.race([
    p.finally(() => clearTimeout(t)),
    new Promise<T>((_, reject) => {
      t = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
    }),
  ]);
}

export class DrachtioSrf implements SrfPort {
  readonly srf = new Srf();
  private isConnected = false;
  private readonly disconnectListeners: Array<() => void> = [];

  constructor() {
    // Without an error listener an EventEmitter error would crash the process.
    this.srf.on('error', () => undefined);
    guardDialogDestroy(this.srf);
    // srf passes on its control socket's `close` (and `connect` after each reconnect, with an Error when the secret
    // is refused); it has no `disconnect` event, though its typings and docs suggest one: listening for that, the
    // adapter went on saying "connected" after drachtio-server had died (test/e2e/freeswitch/drachtio-restart.test.ts).
    (this.srf as unknown as NodeJS.EventEmitter).on('close', () => {
      if (!this.isConnected) return;
      this.isConnected = false;
      for (const l of this.disconnectListeners) l();
    });
    this.srf.on('connect', (err: Error | null) => {
      if (!err) this.isConnected = true;
    });
  }

  get connected(): boolean {
    return this.isConnected;
  }

  /**
   * drachtio-srf 5.0.29's `connect()` returns the app, not the Promise its
   * .d.ts declares (checked live, freeswitch.md): readiness is the `connect`
   * event (with an Error when the secret is wrong), a refused socket is an
   * `error` event after which srf retries forever. Any failure tears the
   * socket and its retry timer down, or it would keep the process alive.
   */
  async connect(opts: { host: string; port: number; secret: string; timeoutMs: number }): Promise<void> {
    let onConnect!: (err: Error | null) => void;
    let onError!: (err: Error) => void;
    const ready = new Promise<void>((resolve, reject) => {
      onConnect = (err) =>
        err
          ? reject(new Error(`drachtio-server ${opts.host}:${opts.port}: ${err.message} (telephony.freeswitch.drachtio.secret)`))
          : resolve();
      onError = (err) =>
        reject(new Error(`drachtio-server ${opts.host}:${opts.port}: ${err.message} (telephony.freeswitch.drachtio.host/port)`));
      this.srf.once('connect', onConnect);
      this.srf.once('error', onError);
    });
    (this.srf as unknown as SrfConnectApi).connect({
      host: opts.host,
      port: opts.port,
      secret: opts.secret,
      reconnect: { retryMaxDelay: DRACHTIO_RETRY_MAX_MS },
    });
    try {
      await within(ready, opts.timeoutMs, `drachtio-server ${opts.host}:${opts.port}`);
    } catch (err) {
      this.abandon();
      throw err;
    } finally {
      this.srf.removeListener('connect', onConnect);
      this.srf.removeListener('error', onError);
    }
  }

  disconnect(): void {
    this.abandon();
  }

  /**
   * Closes the control socket whatever state it is in. `srf.disconnect()`
   * throws when no socket is connected and leaves a pending reconnect timer
   * running; the wire protocol's own `closing` flag stops further retries.
   */
  private abandon(): void {
    const wp = (this.srf as unknown as { app?: { client?: { wp?: WireProtocolInternals } } }).app?.client?.wp;
    if (wp) {
      wp.closing = true;
      if (wp.reconnectVars?.retryTimer) clearTimeout(wp.reconnectVars.retryTimer);
      if (wp.reconnectVars) wp.reconnectVars.retryTimer = null;
    }
    try {
      this.srf.disconnect();
    } catch {
      /* never connected */
    }
    wp?.socket?.destroy();
    this.isConnected = false;
  }

  onDisconnect(listener: () => void): void {
    this.disconnectListeners.push(listener);
  }

  async createUac(
    uri: string,
    opts: UacOptions,
    cb: { onSent(req: { cancel(): void }): void; onProvisional(res: SipProvisional): void },
  ): Promise<UacDialog> {
    const o: Srf.CreateUACOptions & { callingNumber?: string } = { localSdp: opts.localSdp, headers: opts.headers };
    if (opts.callingNumber) o.callingNumber = opts.callingNumber;
    if (opts.auth) o.auth = opts.auth;
    if (opts.proxy) o.proxy = opts.proxy;
    // srf calls cbRequest(err, req), not cbRequest(req) as its .d.ts says.
    const cbRequest = ((err: unknown, req?: Srf.SrfRequest) => {
      if (!err && req) cb.onSent({ cancel: () => req.cancel(() => undefined) });
    }) as unknown as (req: Srf.SrfRequest) => void;
    const cbProvisional = (res: Srf.SrfResponse) =>
      cb.onProvisional({ status: res.status, reason: res.reason ?? '', body: res.body ?? '' });
    let dlg: Srf.Dialog;
    try {
      dlg = await this.srf.createUAC(uri, o, { cbRequest, cbProvisional });
    } catch (err) {
      const e = err as { status?: number; reason?: string; message?: string };
      const f: UacFailure = { message: e.message ?? String(err) };
      if (typeof e.status === 'number') f.status = e.status;
      if (e.reason) f.reason = e.reason;
      throw f;
    }
    return wrapDialog(dlg);
  }

  /**
   * INVITEs drachtio-server routes to this application (srf.invite). A CANCEL
   * is answered by drachtio (200, then 487 to the INVITE) and reported as the
   * request's `cancel` event (drachtio-srf lib/srf.js).
   */
  onInvite(handler: (invite: IncomingInvite) => void): void {
    this.srf.invite((req: Srf.SrfRequest, res: Srf.SrfResponse) => {
      const get = (h: string): string | undefined => (req.has(h) ? req.get(h) : undefined);
      const r = req as Srf.SrfRequest & { source_address?: string; source_port?: number; uri?: string };
      const invite: IncomingInvite = {
        requestUri: r.uri ?? '',
        to: get('To') ?? '',
        from: get('From') ?? '',
        ...(get('P-Asserted-Identity') ? { pai: get('P-Asserted-Identity')! } : {}),
        ...(get('Privacy') ? { privacy: get('Privacy')! } : {}),
        source: { address: r.source_address ?? '', port: Number(r.source_port ?? 0) },
        sdp: req.body ?? '',
        ringing: () => res.send(180),
        reject: (status, reason) => res.send(status, reason, {}),
        accept: async (localSdp) => wrapDialog(await this.srf.createUAS(req, res, { localSdp })),
        onCancel: (fn) => req.on('cancel', () => fn()),
      };
      handler(invite);
    });
  }
}

/**
 * fsmrf gives FreeSWITCH 4 s to open its outbound event socket for a new endpoint; then it calls the endpoint
 * dialog's destroy() with no callback and nobody on the Promise it returns (drachtio-fsmrf 4.1.2
 * lib/mediaserver.js, timeoutFn). A FreeSWITCH that has hung that channel up meanwhile (its `socket` application
 * failed) has ended the dialog, drachtio-server answers the BYE request with "unable to find dialog" (drachtio-srf
 * rejects it as ENODIALOG), and the rejection is unhandled: Node 20 ends the process on it. Seen in the live
 * contract suite at load ~34 (the tap run died mid-suite). Every dialog this Srf makes by Promise gets a destroy()
 * whose Promise is marked handled; whoever awaits it still sees the rejection.
 */
export function guardDialogDestroy(srf: Srf): void {
  const createUAC = srf.createUAC.bind(srf) as (...args: unknown[]) => unknown;
  const guarded = (...args: unknown[]): unknown => {
    const made = createUAC(...args);
    if (!(made instanceof Promise)) return made; // the callback form: the caller has the dialog and its errors
    return made.then((dlg: Srf.Dialog) => {
      const destroy = dlg.destroy.bind(dlg) as (...a: unknown[]) => unknown;
      (dlg as unknown as { destroy: (...a: unknown[]) => unknown }).destroy = (...a: unknown[]) => {
        const r = destroy(...a);
        if (r instanceof Promise) r.catch(() => undefined);
        return r;
      };
      return dlg;
    });
  };
  (srf as unknown as { createUAC: typeof guarded }).createUAC = guarded;
}

/** A drachtio dialog (either side) as the driver uses it. */
function wrapDialog(dlg: Srf.Dialog): UacDialog {
  return {
    callId: dlg.sip.callId,
    remoteSdp: dlg.remote.sdp ?? '',
    destroy: (headers) =>
      new Promise<void>((resolve) => {
        dlg.destroy(headers ? { headers } : undefined, () => resolve());
      }),
    onEnd: (listener: (e: DialogEnd) => void) => {
      dlg.on('destroy', (req: Srf.SrfRequest) => {
        const reason = req && typeof req.get === 'function' ? req.get('Reason') : undefined;
        listener(reason ? { reason } : {});
      });
    },
    // srf emits `modify` for a re-INVITE when no hold/unhold/refresh listener claims it (lib/dialog.js);
    // without a listener it would answer with the unchanged local SDP, which is wrong for any new offer.
    onReoffer: (answer) => {
      dlg.on('modify', (req: Srf.SrfRequest, res: Srf.SrfResponse) => {
        answer(req.body ?? '').then(
          (sdp) => {
            dlg.local.sdp = sdp;
            // local.contact is set by srf (lib/dialog.js) but missing from its .d.ts.
            const contact = (dlg.local as { contact?: string }).contact;
            res.send(200, { body: sdp, headers: { ...(contact ? { Contact: contact } : {}), 'Content-Type': 'application/sdp' } });
          },
          (err: unknown) => res.send(err instanceof ReofferRefused ? err.status : 488),
        );
      });
    },
  };
}

function bodyOf(res: EslEvent | { body?: string } | undefined): string {
  if (!res) return '';
  if (typeof (res as EslEvent).getBody === 'function') return (res as EslEvent).getBody() ?? '';
  return (res as { body?: string }).body ?? '';
}

/** `k=v;k=v` for uuid_setvar_multi; a `;` inside a value would split it. */
export function setvarMultiArg(vars: Record<string, string>): string {
  return Object.entries(vars)
    .map(([k, v]) => {
      if (/[;\s]/.test(k) || v.includes(';')) throw new Error(`channel variable ${k}=${v}: no ';' or spaces allowed`);
      return `${k}=${v}`;
    })
    .join(';');
}

/**
 * modesl writes each command in two or more `write()`s (`api …\n`, then `\n`):
 * with Nagle's algorithm on, the last part waits for FreeSWITCH's delayed ACK
 * and every ESL command took 40-60 ms (measured live; 1 ms with no delay). The
 * socket objects are the libraries' own (modesl / drachtio-modesl `socket`).
 */
function noDelay(conn: unknown): void {
  const sock = (conn as { socket?: { setNoDelay?: (on: boolean) => void } } | undefined)?.socket;
  sock?.setNoDelay?.(true);
}

/** The endpoint's own outbound event socket (drachtio-modesl Connection), as far as its end is concerned. */
interface EndpointSocket {
  /** False once its socket has closed (drachtio-modesl sets `socket` to null on close). */
  connected(): boolean;
  once(event: 'esl::end', fn: () => void): void;
}

/**
 * What an endpoint's event socket closing means to its commands. modesl
 * answers nothing on a closed socket: a command in flight (an api, an
 * execute, fsmrf's `hangup` in destroy()) would wait for ever, and fsmrf
 * emits an endpoint's `destroy` only to listeners that were there when the
 * socket closed. FreeSWITCH closes the socket when the channel is gone (hung
 * up or the process died), so its close ends every wait and is remembered.
 */
function endpointLifetime(ep: FsmrfEndpoint) {
  const sock = (ep as unknown as { _conn?: EndpointSocket | null })._conn ?? undefined;
  let closed = !sock || !sock.connected();
  let onClosed!: () => void;
  const closedP = new Promise<void>((r) => (onClosed = r));
  if (closed) onClosed();
  else
    sock!.once('esl::end', () => {
      closed = true;
      onClosed();
    });
  return {
    get closed() {
      return closed;
    },
    /** Settles when the socket has closed. */
    closedP,
    /** `p`, or a rejection once the socket has closed (no answer can come then). */
    whileOpen<T>(what: string, run: () => Promise<T>): Promise<T> {
      const lost = () => new Error(`${what} on ${ep.uuid}: FreeSWITCH's event socket for this channel closed`);
      if (closed) return Promise.reject(lost());
      return Promise.race([run(), closedP.then((): T => Promise.reject(lost()) as never)]);
    },
  };
}

function wrapEndpoint(ep: FsmrfEndpoint): EndpointPort {
  noDelay((ep as unknown as { _conn?: unknown })._conn);
  const life = endpointLifetime(ep);
  // The channel's end, remembered: fsmrf emits `destroy` once, to the listeners it has at that moment.
  let ended: { cause: string | undefined } | undefined;
  let destroying = false;
  const endListeners: Array<(cause?: string) => void> = [];
  const end = (cause: string | undefined) => {
    if (ended || destroying) return;
    ended = { cause };
    for (const l of endListeners) l(cause);
  };
  ep.on('destroy', (e) => end(e?.reason));
  // Closed before this wrapper existed (a server that died while the endpoint was being made): fsmrf told nobody.
  if (life.closed || !ep.connected) end(undefined);
  else void life.closedP.then(() => end(undefined));
  return {
    uuid: ep.uuid,
    // fsmrf refreshes local.sdp from FreeSWITCH's channel variables after each modify().
    get localSdp() {
      return ep.local.sdp;
    },
    modify: (sdp) => life.whileOpen('modify', async () => void (await ep.modify(sdp))),
    execute: (app, arg) => life.whileOpen(app, async () => (await ep.execute(app, arg ?? '')).getHeader('Application-Response') ?? ''),
    api: (command, args) => life.whileOpen(command, async () => bodyOf(await ep.api(command, args ?? []))),
    // One API call (mod_commands uuid_setvar_multi, `;`-separated), not a `set` application per variable:
    // an application waits its turn on the channel, an API command does not.
    set: (vars) =>
      life.whileOpen('uuid_setvar_multi', async () => {
        const reply = bodyOf(await ep.api('uuid_setvar_multi', [ep.uuid, setvarMultiArg(vars)]));
        if (!reply.startsWith('+OK')) throw new Error(`uuid_setvar_multi refused: ${reply.trim()}`);
      }),
    play: (target) =>
      life.whileOpen('playback', async () => {
        const r = await ep.play(target);
        return { playbackMs: Number(r?.playbackMilliseconds) || 0 };
      }),
    bridge: (other) => life.whileOpen('uuid_bridge', () => ep.bridge(other.uuid)),
    unbridge: () => life.whileOpen('uuid_transfer', () => ep.unbridge()),
    // fsmrf's destroy() sends `hangup` and waits for FreeSWITCH's BYE: a server that dies in between sends neither
    // a reply nor the BYE. The socket's close then says the channel is gone. A socket closed already: nothing to
    // hang up (fsmrf itself would wait for ever on one that closed before the endpoint was made).
    destroy: async () => {
      destroying = true;
      if (life.closed) return;
      await Promise.race([ep.destroy(), life.closedP]);
    },
    onTone: (fn) => ep.on('tone', (e) => fn(e?.tone ?? '')),
    onCustom: (subclass, fn) =>
      ep.addCustomEventListener(subclass, (args, evt) => {
        const rec: Record<string, string> = {};
        for (const h of evt?.headers ?? []) rec[h.name] = h.value;
        if (args && typeof args === 'object') for (const [k, v] of Object.entries(args)) rec[k] = String(v);
        fn(rec);
      }),
    // DTMF-Duration is in 8 kHz timestamp units.
    onDtmf: (fn) => ep.on('dtmf', (e) => fn(e?.dtmf ?? '', Math.round(Number(e?.duration ?? 0) / 8))),
    onDestroy: (fn) => {
      endListeners.push(fn);
      if (ended) {
        const cause = ended.cause;
        setImmediate(() => fn(cause));
      }
    },
    // fsmrf does not subscribe to RECORD_STOP; `event json` adds to the socket's subscriptions, and commands on
    // one socket run in order, so a uuid_record sent after this is covered. drachtio-modesl names events
    // `esl::event::<Event-Name>::<Unique-ID>`.
    onRecordStop: (fn) => {
      ep.conn.subscribe('RECORD_STOP');
      ep.conn.on(`esl::event::RECORD_STOP::${ep.uuid}`, (evt) =>
        fn({ path: evt.getHeader('Record-File-Path') ?? '', cause: evt.getHeader('Record-Completion-Cause') ?? '' }),
      );
    },
    // mod_event_socket `sendevent`: with a `unique-id` header the event goes to that session's own queue
    // (switch_core_session_queue_event) instead of the event bus. The reply is a command/reply (Reply-Text).
    queueEvent: (headers) =>
      life.whileOpen(
        'sendevent',
        () =>
          new Promise<string>((resolve) => {
            ep.conn.sendRecv('sendevent CUSTOM', { 'Event-Subclass': 'dialer::command', ...headers, 'unique-id': ep.uuid }, (reply) =>
              resolve(reply?.getHeader('Reply-Text') ?? ''),
            );
          }),
      ),
  };
}

function wrapMediaServer(ms: FsmrfMediaServer): MediaServerPort {
  noDelay(ms.conn);
  let connected = true;
  ms.on('end', () => (connected = false));
  const heard: Array<() => void> = [];
  const hear = () => {
    for (const l of heard) l();
  };
  // drachtio-modesl reconnects the inbound socket by itself, but a new event socket session has no event
  // subscriptions, and fsmrf subscribes to HEARTBEAT only once, at its first connect: without this the load
  // and the silence watch would go blind after a FreeSWITCH restart.
  ms.conn.on('esl::ready', () => {
    connected = true;
    noDelay(ms.conn);
    ms.conn.subscribe(['HEARTBEAT']);
    hear();
  });
  ms.conn.on('esl::event::HEARTBEAT::*', hear);
  return {
    address: ms.address,
    get connected() {
      return connected;
    },
    load: () => ({ sessions: ms.currentSessions || 0, maxSessions: ms.maxSessions || 0 }),
    createEndpoint: async (opts) => {
      let ep: FsmrfEndpoint;
      try {
        ep = await ms.createEndpoint({
          ...(opts?.headers ? { headers: opts.headers } : {}),
          ...(opts?.remoteSdp ? { remoteSdp: opts.remoteSdp } : {}),
        });
      } catch (err) {
        // fsmrf's fixed 4 s for FreeSWITCH's outbound event socket (lib/mediaserver.js timeoutFn); it has hung up that channel.
        if ((err as Error)?.message === 'Connection timeout') throw new EndpointTimeout('Connection timeout');
        throw err;
      }
      const port = wrapEndpoint(ep);
      // fsmrf calls an endpoint ready once it has written its event subscription and filter to the channel's socket
      // (lib/endpoint.js constructor: subscribe, filter, then _emitReady), not once FreeSWITCH has taken them. A caller
      // answered at once can press a digit before a loaded FreeSWITCH reads that subscription, and the DTMF event is
      // then never sent (a fresh-clone run: FreeSWITCH logged "RECV DTMF 9" 180 ms after making the inbound channel,
      // the dialer heard nothing, the message's dncDigit was lost). FreeSWITCH takes a socket's commands in order: the
      // reply to one sent after them says they are in force. A channel lost meanwhile is its onDestroy's to report.
      await port.api('uuid_exists', [ep.uuid]).catch(() => undefined);
      return port;
    },
    api: (command) => ms.api(command),
    onEnd: (fn) => ms.on('end', () => fn()),
    onHeard: (fn) => heard.push(fn),
    disconnect: () => {
      stopReconnect(ms.conn);
      ms.disconnect();
    },
  };
}

/** The part of drachtio-modesl 1.3's inbound Connection that holds its reconnect (lib/esl/Connection.js). */
interface ReconnectInternals {
  reconnectVars?: { retryTimer?: NodeJS.Timeout | null };
}

/**
 * Cancels drachtio-modesl's pending reconnect of an event socket about to be closed. Its `disconnect()` marks the
 * connection closing but leaves the timer that `_onConnectionGone` set when the socket dropped (FreeSWITCH
 * restarting, a network blip); the timer then opens a new socket whatever `closing` says, and against a FreeSWITCH
 * that is up by then that socket logs in and is never closed: it keeps the process alive
 * (test/unit/freeswitch/event-socket-close.test.ts shows the library doing it). Same as DrachtioSrf.abandon does for
 * drachtio-srf's own reconnect.
 */
export function stopReconnect(conn: unknown): void {
  const vars = (conn as ReconnectInternals | undefined)?.reconnectVars;
  if (vars?.retryTimer) clearTimeout(vars.retryTimer);
  if (vars) vars.retryTimer = null;
}

/**
 * drachtio-fsmrf 4.1.2's MediaServer (lib/mediaserver.js) errors with this when
 * FreeSWITCH's `sofia status` has not been answered 1000 ms (a constant) after
 * the event socket logged in. Seen in round twenty-four's live runs at load
 * 60-80: three of far-ends' drivers, started side by side, failed their start
 * on it with FreeSWITCH up and well, though `connectTimeoutMs` was 30 s.
 */
const FSMRF_NOT_READY = /MediaServer not ready, timeout waiting for connection to freeswitch/;

export class DrachtioMrf implements MrfPort {
  private readonly mrf: InstanceType<typeof Mrf>;

  constructor(srf: DrachtioSrf) {
    this.mrf = new Mrf(srf.srf);
  }

  /**
   * fsmrf throws a missing sip profile as an uncaught exception and never
   * settles (freeswitch.md); preflight.ts checks the profile first, and the
   * timeout bounds anything else. fsmrf also gives up by itself when its
   * `sofia status` is not answered within 1 s of the event socket's login
   * (FSMRF_NOT_READY): on a busy host (a stalled dialer or FreeSWITCH) that is
   * tried again on a fresh connection, as long as `timeoutMs` allows.
   */
  async connect(opts: MrfConnectOptions): Promise<MediaServerPort> {
    const o: Record<string, unknown> = { address: opts.address, port: opts.port, secret: opts.secret, profile: opts.profile };
    if (opts.listenAddress) o.listenAddress = opts.listenAddress;
    const what = `fsmrf connect to ${opts.address}:${opts.port}`;
    const deadline = Date.now() + opts.timeoutMs;
    for (;;) {
      const attempt = this.mrf.connect(o);
      try {
        return wrapMediaServer(await within(attempt, Math.max(1, deadline - Date.now()), what));
      } catch (err) {
        // Given up on, an attempt still runs: one that connects later would hold its event socket and its listener
        // for FreeSWITCH's outbound sockets open for ever (nobody has it to close), keeping the process alive.
        attempt.then(
          (late) => {
            stopReconnect(late.conn);
            late.disconnect();
          },
          () => undefined,
        );
        if (!FSMRF_NOT_READY.test((err as Error).message) || Date.now() >= deadline) throw err;
      }
    }
  }
}

/**
 * Ends a one-shot event socket from our side. modesl's disconnect() writes `exit` and half-closes the socket, which
 * then stays open until FreeSWITCH closes its side: a FreeSWITCH that does not (busy, hung, or a peer that is not
 * FreeSWITCH at all) would hold it, and the process with it. Once `exit` and our FIN are written, nothing more is
 * wanted from it (test/unit/freeswitch/esl-connect-timeout.test.ts).
 */
function closeOneShot(conn: ModeslConnection): void {
  const socket = conn.socket;
  conn.disconnect();
  if (!socket || socket.destroyed) return;
  if (socket.writableFinished) socket.destroy();
  else socket.once('finish', () => socket.destroy());
}

/** A plain inbound event socket (modesl): the pre-flight check's `api` commands. */
export const modeslConnect: EslConnect = ({ address, port, secret, timeoutMs }) => {
  let conn: ModeslConnection | undefined;
  const ready = new Promise<EslClient>((resolve, reject) => {
    conn = new esl.Connection(address, port, secret, () =>
      resolve({
        api: (command) => new Promise<string>((res) => conn!.api(command, (r) => res(r.getBody() ?? ''))),
        close: () => closeOneShot(conn!),
      }),
    );
    noDelay(conn);
    conn.on('error', (err) => reject(err instanceof Error ? err : new Error(String(err))));
    // FreeSWITCH answers a wrong password or an address outside its ACL with rude-rejection.
    conn.on('esl::event::raw::text/rude-rejection', () =>
      reject(new Error('rejected by the event socket ACL (event_socket.conf.xml apply-inbound-acl)')),
    );
    conn.on('esl::event::auth::fail', () => reject(new Error('wrong event socket password')));
  });
  return within(ready, timeoutMs, `event socket ${address}:${port}`).catch((err) => {
    // Not disconnect(): modesl 1.2's nulls the socket that a still-pending TCP connect's callback then hands to its
    // parser (lib/esl/Connection.js _onConnect → new Parser(null)), a TypeError thrown from a socket callback that
    // ends the process (a live contract suite's, at load ~34: the connect had outlasted its timeout). Destroying the
    // socket cancels a pending connect and closes an open one.
    conn?.socket?.destroy();
    throw err;
  });
};
