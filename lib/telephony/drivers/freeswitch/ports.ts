/**
 * Typed ports of our own over drachtio-srf, drachtio-fsmrf and modesl. Those
 * libraries are callback/promise hybrids with no usable types (fsmrf, modesl)
 * or types that do not match their behaviour (srf's `cbRequest` is called as
 * `(err, req)`, not `(req)`). The driver sees only these interfaces; the one
 * file that touches the libraries is `adapters.ts`, and the unit tests drive
 * the driver through recording fakes of exactly these interfaces.
 */

/* ---------------- drachtio-srf (signalling via the drachtio-server) ---------------- */

export interface SipProvisional {
  status: number;
  reason: string;
  /** SDP of a 183 Session Progress (early media), else empty. */
  body: string;
}

/** The INVITE as sent; the only thing we do with it is CANCEL it (RFC 3261 §9). */
export interface SentInvite {
  cancel(): void;
}

export interface UacOptions {
  /** FreeSWITCH endpoint's SDP: RTP then flows between the far end and FreeSWITCH. */
  localSdp: string;
  callingNumber?: string;
  /** Complete header set we add (From for anonymous, Privacy, X-…). */
  headers: Record<string, string>;
  /** Digest credentials answered to a 401/407 (RFC 3261 §22). */
  auth?: { username: string; password: string };
  /** Outbound proxy (the trunk's address) when the Request-URI names another host. */
  proxy?: string;
}

/** How the far end ended an established dialog. */
export interface DialogEnd {
  /** Reason header of the BYE (RFC 3326), e.g. `Q.850;cause=16;text="Normal call clearing"`. */
  reason?: string;
}

export interface UacDialog {
  readonly callId: string;
  readonly remoteSdp: string;
  /** Sends BYE. */
  destroy(headers?: Record<string, string>): Promise<void>;
  /** The far end sent BYE. */
  onEnd(listener: (end: DialogEnd) => void): void;
  /**
   * The far end sent a re-INVITE (hold, new address, codec change): `answer`
   * gets its SDP offer and resolves with our SDP answer, sent in the 200 OK;
   * a rejection is answered 488 (RFC 3261 §14.2: the session stays as it was).
   */
  onReoffer(answer: (offer: string) => Promise<string>): void;
}

/** createUAC rejected: a final non-2xx (SipError) or no status at all (transport/transaction error). */
export interface UacFailure {
  status?: number;
  reason?: string;
  message: string;
}

/**
 * An INVITE drachtio-server offered to us (issue 18: return calls). Until
 * `accept` or `reject` the caller has what `ringing()` sent; a CANCEL from
 * the caller calls the `onCancel` listener (drachtio answers it 200 + 487).
 */
export interface IncomingInvite {
  requestUri: string;
  to: string;
  from: string;
  pai?: string;
  privacy?: string;
  source: { address: string; port: number };
  /** The caller's SDP offer ('' for an offer-less INVITE). */
  sdp: string;
  ringing(): void;
  reject(status: number, reason: string): void;
  /** 200 OK with our SDP; resolves once the dialog is up (the ACK is drachtio's). */
  accept(localSdp: string): Promise<UacDialog>;
  onCancel(listener: () => void): void;
}

export interface SrfPort {
  /** Takes INVITEs drachtio-server routes to this application; without it drachtio refuses them (503). */
  onInvite?(handler: (invite: IncomingInvite) => void): void;
  connect(opts: { host: string; port: number; secret: string; timeoutMs: number }): Promise<void>;
  disconnect(): void;
  readonly connected: boolean;
  onDisconnect(listener: () => void): void;
  /**
   * Sends an INVITE. `onSent` fires once it is on the wire (CANCEL becomes
   * possible); `onProvisional` for each 1xx. Resolves on 200 OK (ACK sent),
   * rejects with a `UacFailure`.
   */
  createUac(
    uri: string,
    opts: UacOptions,
    cb: { onSent(req: SentInvite): void; onProvisional(res: SipProvisional): void },
  ): Promise<UacDialog>;
}

/* ---------------- drachtio-fsmrf (media on FreeSWITCH) ---------------- */

export interface EndpointPort {
  /** FreeSWITCH channel uuid (the argument of uuid_* API commands). */
  readonly uuid: string;
  /** FreeSWITCH's current SDP for this endpoint: its offer at first (3pcc), its answer after a modify(). */
  readonly localSdp: string;
  /** Re-INVITEs the endpoint with the far end's SDP so RTP flows to/from the far end. */
  modify(remoteSdp: string): Promise<void>;
  /** Runs a dialplan application; resolves with its Application-Response when it completes. */
  execute(app: string, arg?: string): Promise<string>;
  /** Runs an API command (`uuid_break`, `uuid_record`…); resolves with the reply body. */
  api(command: string, args?: string[]): Promise<string>;
  /** Sets channel variables in one API call (uuid_setvar_multi). */
  set(vars: Record<string, string>): Promise<void>;
  /** `playback`; resolves when it ends (a `local_stream://` never ends by itself: `uuid_break`). */
  play(target: string): Promise<{ playbackMs: number }>;
  /** uuid_bridge. */
  bridge(other: EndpointPort): Promise<void>;
  /** Parks a bridged endpoint (uuid_transfer -both park inline). */
  unbridge(): Promise<void>;
  /** Hangs the endpoint up. */
  destroy(): Promise<void>;
  /** DETECTED_TONE (mod_spandsp), `tone` in fsmrf; `fax` when Detected-Fax-Tone. */
  onTone(listener: (tone: string) => void): void;
  /** A CUSTOM event subclass (e.g. `avmd::beep`), body parsed as JSON when it is JSON. */
  onCustom(subclass: string, listener: (body: Record<string, string>) => void): void;
  onDtmf(listener: (digit: string, durationMs: number) => void): void;
  /** FreeSWITCH ended the channel (Hangup-Cause name, e.g. NORMAL_CLEARING). */
  onDestroy(listener: (hangupCause?: string) => void): void;
  /**
   * RECORD_STOP of a recording on this channel: its Record-File-Path and
   * Record-Completion-Cause (`uri-failure` when a write failed). Subscribes on
   * the endpoint's own event socket before any later command runs.
   */
  onRecordStop(listener: (stop: RecordStop) => void): void;
  /**
   * Queues an event with these headers on the channel itself (event socket
   * `sendevent` with `unique-id`): how a running `eavesdrop` takes its
   * `eavesdrop-command`. Resolves with the reply (`+OK <uuid>`).
   */
  queueEvent(headers: Record<string, string>): Promise<string>;
}

/** switch_ivr_async.c send_record_stop_event: the file and why it ended. */
export interface RecordStop {
  path: string;
  /** MRCP-style completion cause (success-maxtime, no-input-timeout, uri-failure, empty-file…); '' when absent. */
  cause: string;
}

export interface MediaServerLoad {
  /** From FreeSWITCH's HEARTBEAT (Session-Count, Max-Sessions); 0 before the first one. */
  sessions: number;
  maxSessions: number;
}

/** fsmrf's "Connection timeout": FreeSWITCH answered the endpoint's INVITE, its event socket did not reach us within 4 s. */
export class EndpointTimeout extends Error {
  override name = 'EndpointTimeout';
}

/**
 * A request FreeSWITCH had to answer for a call's set-up (the INVITE creating its endpoint, an event-socket
 * command attaching detection) went unanswered for `mediaServerStallMs` (stall.ts); nothing went to the far end.
 */
export class MediaServerStalled extends Error {
  override name = 'MediaServerStalled';
}

/** The creation waited its whole queue time for a turn (gate.ts); nothing was sent to FreeSWITCH. */
export class EndpointQueueTimeout extends Error {
  override name = 'EndpointQueueTimeout';
}

/**
 * A re-INVITE the leg will not take, answered with `status` instead of the adapter's default 488: 487 for one
 * still pending when our BYE left (RFC 3261 §15.1.2: a UA that sends BYE "MUST still respond to any pending
 * requests"; 487 is RECOMMENDED).
 */
export class ReofferRefused extends Error {
  override name = 'ReofferRefused';
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

export interface MediaServerPort {
  readonly address: string;
  load(): MediaServerLoad;
  readonly connected: boolean;
  /**
   * `headers` go on fsmrf's INVITE to FreeSWITCH, where the dialplan reads them
   * (dialplan/dialer.xml); with `remoteSdp` that INVITE offers it (no 3pcc, no
   * modify() needed), and FreeSWITCH starts the RTP at the dialplan's `answer`.
   */
  createEndpoint(opts?: { headers?: Record<string, string>; remoteSdp?: string }): Promise<EndpointPort>;
  api(command: string): Promise<string>;
  onEnd(listener: () => void): void;
  /** FreeSWITCH was heard from on the event socket: a HEARTBEAT came, or the socket (re)connected. */
  onHeard(listener: () => void): void;
  disconnect(): void;
}

/** `ms` with its createEndpoint() replaced by `create`, everything else passed through (gate.ts, stall.ts wrap it so). */
export function withCreateEndpoint(ms: MediaServerPort, create: MediaServerPort['createEndpoint']): MediaServerPort {
  return {
    get address() {
      return ms.address;
    },
    get connected() {
      return ms.connected;
    },
    load: () => ms.load(),
    createEndpoint: create,
    api: (command) => ms.api(command),
    onEnd: (fn) => ms.onEnd(fn),
    onHeard: (fn) => ms.onHeard(fn),
    disconnect: () => ms.disconnect(),
  };
}

export interface MrfConnectOptions {
  address: string;
  port: number;
  secret: string;
  profile: string;
  listenAddress?: string;
  timeoutMs: number;
}

export interface MrfPort {
  connect(opts: MrfConnectOptions): Promise<MediaServerPort>;
}

/* ---------------- modesl (inbound event socket for the pre-flight check) ---------------- */

export interface EslClient {
  /** `api <command>`; resolves with the reply body. */
  api(command: string): Promise<string>;
  close(): void;
}

export type EslConnect = (opts: { address: string; port: number; secret: string; timeoutMs: number }) => Promise<EslClient>;

/* ---------------- audio from FreeSWITCH to our analysers ---------------- */

/** A named pipe FreeSWITCH records a leg into (signed 16-bit, 8 kHz, mono). */
export interface AudioTap {
  readonly path: string;
  /** Each complete 20 ms frame (160 samples) in order. */
  onFrame(listener: (frame: Int16Array) => void): void;
  close(): Promise<void>;
}

export type AudioTapFactory = (path: string) => Promise<AudioTap>;

/** Native mode: a UDP socket of the dialer that FreeSWITCH sends a leg's audio to as RTP (fork.ts). */
export interface AudioFork {
  readonly address: string;
  readonly port: number;
  /** Each complete 20 ms frame (160 samples) in order. */
  onFrame(listener: (frame: Int16Array) => void): void;
  /**
   * The sink's media port (its SDP's audio line): only RTP from it is the
   * leg's audio; until this is called, nothing is (fork.ts says why).
   */
  acceptFrom(port: number): void;
  /** Packets dropped because they came from another sender (a stale sink still sending to a reused port). */
  readonly foreignPackets: number;
  close(): Promise<void>;
}

export type AudioForkFactory = (address: string) => Promise<AudioFork>;

/** Injected time: the ring timer and analysis windows, so tests drive them. */
export interface DriverClock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: DriverClock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};
