/**
 * Recording fakes of the freeswitch driver's ports (lib/telephony/drivers/
 * freeswitch/ports.ts). They record the exact commands the driver sends (the
 * INVITE and its options, CANCEL, BYE, fsmrf endpoint calls, ESL apps and API
 * commands) in one ordered log, and replay what drachtio and FreeSWITCH emit
 * (1xx, 200, final failures, BYE, DETECTED_TONE, avmd::beep, hangup causes).
 */
import pino from 'pino';
import type { FreeswitchConfig } from '../../../lib/config/sections/freeswitch';
import type { TrunkConfig } from '../../../lib/config/sections/embedded';
import { FreeswitchDriver, type FreeswitchDriverDeps } from '../../../lib/telephony/drivers/freeswitch/driver';
import type { AnalyzerFactory } from '../../../lib/telephony/drivers/freeswitch/analysis';
import type { AudioFork, IncomingInvite } from '../../../lib/telephony/drivers/freeswitch/ports';
import type {
  AudioTapFactory,
  DialogEnd,
  DriverClock,
  EndpointPort,
  EslClient,
  MediaServerPort,
  MrfConnectOptions,
  MrfPort,
  RecordStop,
  SentInvite,
  SipProvisional,
  SrfPort,
  UacDialog,
  UacFailure,
  UacOptions,
} from '../../../lib/telephony/drivers/freeswitch/ports';
import type { LegEvent } from '../../../lib/telephony/contract';

export type Cmd = { target: string; op: string; args: unknown[] };

export class CommandLog {
  readonly cmds: Cmd[] = [];
  add(target: string, op: string, ...args: unknown[]): void {
    this.cmds.push({ target, op, args });
  }
  /** Commands as `target op arg arg` strings, in order (readable assertions). */
  lines(filter?: (c: Cmd) => boolean): string[] {
    return this.cmds
      .filter(filter ?? (() => true))
      .map((c) => [c.target, c.op, ...c.args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a)))].join(' '));
  }
}

export class ManualClock implements DriverClock {
  t = 1_000_000;
  private timers: Array<{ at: number; fn: () => void; id: number }> = [];
  private seq = 0;
  now = (): number => this.t;
  setTimeout = (fn: () => void, ms: number): unknown => {
    const id = ++this.seq;
    this.timers.push({ at: this.t + ms, fn, id });
    return id;
  };
  clearTimeout = (h: unknown): void => {
    this.timers = this.timers.filter((x) => x.id !== h);
  };
  /** How far off each timer set and neither fired nor cleared is (ms): what would keep a real process's loop alive. */
  pending(): number[] {
    return this.timers.map((x) => x.at - this.t).sort((a, b) => a - b);
  }
  /** Moves time on, firing due timers in order. */
  advance(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      const due = this.timers.filter((x) => x.at <= end).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.timers = this.timers.filter((x) => x !== due);
      this.t = due.at;
      due.fn();
    }
    this.t = end;
  }
}

/* ---------------- FreeSWITCH side ---------------- */

export class FakeEndpoint implements EndpointPort {
  /** FreeSWITCH's offer at first; after each modify() its answer (version + 1, direction answered as RFC 3264 §6.1). */
  localSdp: string;
  private sdpVersion = 1;
  private tone: Array<(t: string) => void> = [];
  private custom = new Map<string, Array<(b: Record<string, string>) => void>>();
  private dtmf: Array<(d: string, ms: number) => void> = [];
  private destroyed: Array<(c?: string) => void> = [];
  private recordStops: Array<(r: RecordStop) => void> = [];
  private playing?: { target: string; resolve: (r: { playbackMs: number }) => void };
  /**
   * Runs when media flows into a recording: like FreeSWITCH, which writes
   * nothing into a recording until RTP arrives — the far end's first packet
   * (`farEndSends()`, e.g. with its 183: FreeSWITCH reads it before it has the
   * far end's SDP, through RTP auto-adjust), or the first modify() — after
   * `uuid_record <uuid> start <path>` (the stream test writes audio into the pipe).
   */
  onRecordStart?: (path: string) => void;
  /**
   * FreeSWITCH's race that keeps a short tone's displace name registered on the channel (detect.ts
   * displaceTarget): every displace name stays, and a displace with one already used is refused.
   */
  displaceNamesStick = false;
  private readonly displaceNames = new Set<string>();
  displaceRefused = 0;
  /** When set, a broken playback ends (CHANNEL_EXECUTE_COMPLETE, logged `playback-ended`) only once this settles. */
  breakSeen?: Promise<void>;
  /** uuid_buglist keeps listing a displace bug until `uuid_displace … stop` (a playback that stopped writing frames). */
  displaceStuck = false;
  private recordingTo?: string;
  private fed = false;

  constructor(
    readonly uuid: string,
    readonly server: FakeMediaServer,
    private readonly log: CommandLog,
  ) {
    this.localSdp = `v=0\r\no=FreeSWITCH 1 1 IN IP4 ${server.address}\r\nm=audio ${20000 + Number(uuid.replace(/\D/g, '') || 0)} RTP/AVP 0 8 101\r\n`;
  }

  /**
   * Holds modify() until it settles, then logs `modified`: FreeSWITCH's reply to the re-INVITE comes later on a
   * loaded server, and a uuid_bridge before it drops both legs with 488 (freeswitch.md).
   */
  modifyGate?: Promise<void>;
  async modify(remoteSdp: string): Promise<void> {
    this.log.add(this.uuid, 'modify', remoteSdp);
    if (this.modifyGate) {
      await this.modifyGate;
      this.log.add(this.uuid, 'modified');
    }
    const dir = /^a=(sendonly|recvonly|inactive)\r?$/m.exec(remoteSdp)?.[1];
    const answer = dir === 'sendonly' ? 'recvonly' : dir === 'recvonly' ? 'sendonly' : (dir ?? 'sendrecv');
    this.localSdp = this.localSdp
      .replace(/^o=FreeSWITCH 1 \d+/m, `o=FreeSWITCH 1 ${++this.sdpVersion}`)
      .replace(/(a=\w+\r\n)?$/, `a=${answer}\r\n`);
    this.feed();
  }
  /** The far end's RTP reaches the endpoint's port (it has our SDP from the INVITE): FreeSWITCH reads it. */
  farEndSends(): void {
    this.feed();
  }
  private feed(): void {
    if (this.fed || !this.recordingTo || !this.onRecordStart) return;
    this.fed = true;
    this.onRecordStart(this.recordingTo);
  }
  async execute(app: string, arg = ''): Promise<string> {
    this.log.add(this.uuid, 'execute', app, arg);
    await this.server.stalled(true);
    if (app === 'endless_playback') return this.startPlaying(`endless:${arg}`, true).then(() => '');
    return '+OK';
  }
  async api(command: string, args: string[] = []): Promise<string> {
    this.log.add(this.uuid, 'api', command, ...args);
    if (command === 'uuid_break' && this.playing) {
      const p = this.playing;
      this.playing = undefined;
      // FreeSWITCH sees the break at the playback's next frame, later on a loaded server (breakSeen).
      if (this.breakSeen)
        void this.breakSeen.then(() => {
          this.log.add(this.uuid, 'playback-ended', p.target);
          p.resolve({ playbackMs: 1234 });
        });
      else p.resolve({ playbackMs: 1234 });
    }
    if (command === 'uuid_record' && args[1] === 'start') this.recordingTo = args[2]!;
    if (command === 'uuid_displace' && args[1] === 'stop') this.displaceStuck = false;
    if (command === 'uuid_displace' && args[1] === 'start' && this.displaceNamesStick) {
      if (this.displaceNames.has(args[2]!)) {
        this.displaceRefused++;
        return '-ERR Cannot displace session!\n';
      }
      this.displaceNames.add(args[2]!);
    }
    if (command === 'uuid_buglist' && this.displaceStuck)
      return '<media-bugs><media-bug><function>displace</function></media-bug></media-bugs>\n';
    // FreeSWITCH closes the file and fires RECORD_STOP (a channel still up: success-maxtime) around its reply.
    if (command === 'uuid_record' && args[1] === 'stop') setImmediate(() => this.emitRecordStop(args[2]!, 'success-maxtime'));
    return '+OK Success\n';
  }
  async set(vars: Record<string, string>): Promise<void> {
    this.log.add(
      this.uuid,
      'api',
      'uuid_setvar_multi',
      this.uuid,
      Object.entries(vars)
        .map(([k, v]) => `${k}=${v}`)
        .join(';'),
    );
  }
  play(target: string): Promise<{ playbackMs: number }> {
    this.log.add(this.uuid, 'play', target);
    // Streams (and looping tones) play until uuid_break; files and one-shot tones end by themselves.
    const endless = target.startsWith('local_stream://') || target.includes('loops=-1');
    return this.startPlaying(target, endless);
  }
  private startPlaying(target: string, endless: boolean): Promise<{ playbackMs: number }> {
    return new Promise((resolve) => {
      if (endless) this.playing = { target, resolve };
      else setImmediate(() => resolve({ playbackMs: 200 }));
    });
  }
  async bridge(other: EndpointPort): Promise<void> {
    this.log.add(this.uuid, 'api', 'uuid_bridge', this.uuid, other.uuid);
  }
  async unbridge(): Promise<void> {
    this.log.add(this.uuid, 'api', 'uuid_transfer', this.uuid, '-both', 'park', 'inline');
  }
  /** FreeSWITCH never confirms a hangup (a server that is up but answers nothing): destroy() never settles. */
  silent = false;
  async destroy(): Promise<void> {
    this.log.add(this.uuid, 'destroy');
    if (this.silent) await new Promise<never>(() => undefined);
  }
  onTone(l: (t: string) => void): void {
    this.tone.push(l);
  }
  onCustom(subclass: string, l: (b: Record<string, string>) => void): void {
    this.log.add(this.uuid, 'subscribe', `CUSTOM ${subclass}`);
    this.custom.set(subclass, [...(this.custom.get(subclass) ?? []), l]);
  }
  onDtmf(l: (d: string, ms: number) => void): void {
    this.dtmf.push(l);
  }
  onDestroy(l: (c?: string) => void): void {
    this.destroyed.push(l);
  }
  async queueEvent(headers: Record<string, string>): Promise<string> {
    this.log.add(
      this.uuid,
      'sendevent',
      Object.entries(headers)
        .map(([k, v]) => `${k}: ${v}`)
        .join(', '),
    );
    return `+OK ${this.uuid}`;
  }
  onRecordStop(l: (r: RecordStop) => void): void {
    this.log.add(this.uuid, 'subscribe', 'RECORD_STOP');
    this.recordStops.push(l);
  }

  /* replay FreeSWITCH events */
  /** DETECTED_TONE with Detected-Tone: name (fsmrf `tone`). */
  emitTone(name: string): void {
    for (const l of this.tone) l(name);
  }
  emitCustom(subclass: string, body: Record<string, string>): void {
    for (const l of this.custom.get(subclass) ?? []) l(body);
  }
  emitDtmf(digit: string, ms: number): void {
    for (const l of this.dtmf) l(digit, ms);
  }
  /** RECORD_STOP with Record-File-Path and Record-Completion-Cause (as FreeSWITCH 1.11 sends it, seen live). */
  emitRecordStop(path: string, cause: string): void {
    for (const l of this.recordStops) l({ path, cause });
  }
  /** CHANNEL_CALLSTATE HANGUP with Hangup-Cause. */
  emitHangup(cause: string | undefined): void {
    for (const l of this.destroyed) l(cause);
  }
}

export class FakeMediaServer implements MediaServerPort {
  connected = true;
  sessions = 0;
  maxSessions = 0;
  readonly endpoints: FakeEndpoint[] = [];
  /** Native mode's fork sinks (created with an SDP offer), kept apart so `endpoints` are the legs. */
  readonly sinks: Array<{ ep: FakeEndpoint; sdp: string; headers: Record<string, string> }> = [];
  private seq = 0;
  failCreate?: Error;
  /** Thrown by a fork sink's creation (native mode), as fsmrf's EndpointTimeout or the gate's refusal under load. */
  failSink?: Error;
  /** Given to every new endpoint (see FakeEndpoint.onRecordStart). */
  onRecordStart?: (path: string) => void;
  /** Sends no HEARTBEAT while set (a hung FreeSWITCH, a partition): its sockets stay open. */
  mute = false;
  /**
   * A stopped FreeSWITCH (test/e2e/freeswitch/stalled-server.test.ts, SIGSTOP): a leg's createEndpoint() (the
   * INVITE to it) and, with `hungCommands`, its endpoints' execute()/api() commands wait; `wake()` answers them
   * (the endpoint made late, as the live server did on SIGCONT), `expire()` fails the waiting creations as
   * drachtio's 408 at Timer B.
   */
  hung = false;
  hungCommands = false;
  private held: Array<{ resolve(): void; reject(e: Error): void }> = [];
  /** Waits while hung (creations) or hungCommands (commands). */
  async stalled(commands = false): Promise<void> {
    if (!(commands ? this.hungCommands : this.hung)) return;
    await new Promise<void>((resolve, reject) => this.held.push({ resolve, reject }));
  }
  wake(): void {
    this.hung = false;
    this.hungCommands = false;
    for (const h of this.held.splice(0)) h.resolve();
  }
  expire(): void {
    this.hung = false;
    for (const h of this.held.splice(0)) h.reject(new Error('Sip non-success response: 408'));
  }
  private heardListeners: Array<() => void> = [];
  constructor(
    readonly address: string,
    private readonly log: CommandLog,
    /** With a clock, HEARTBEAT every 5 s (freeswitch-conf's event-heartbeat-interval) while connected and not muted. */
    private readonly clock?: ManualClock,
  ) {
    this.beat();
  }
  private beat(): void {
    this.clock?.setTimeout(() => {
      if (this.connected && !this.mute) this.heartbeat();
      this.beat();
    }, 5000);
  }
  /** One HEARTBEAT on the event socket. */
  heartbeat(): void {
    for (const l of this.heardListeners) l();
  }
  onHeard(fn: () => void): void {
    this.heardListeners.push(fn);
  }
  load() {
    return { sessions: this.sessions, maxSessions: this.maxSessions };
  }
  async createEndpoint(opts: { headers?: Record<string, string>; remoteSdp?: string } = {}): Promise<FakeEndpoint> {
    if (opts.remoteSdp) {
      if (this.failSink) {
        this.log.add(this.address, 'createSink failed');
        throw this.failSink;
      }
      const ep = new FakeEndpoint(`${this.address}-sink${this.sinks.length + 1}`, this, this.log);
      this.log.add(this.address, 'createSink', JSON.stringify(opts.headers ?? {}));
      this.sinks.push({ ep, sdp: opts.remoteSdp, headers: opts.headers ?? {} });
      return ep;
    }
    this.log.add(this.address, 'createEndpoint');
    await this.stalled();
    if (this.failCreate) throw this.failCreate;
    const ep = new FakeEndpoint(`${this.address}-ep${++this.seq}`, this, this.log);
    if (this.onRecordStart) ep.onRecordStart = this.onRecordStart;
    this.endpoints.push(ep);
    return ep;
  }
  async api(command: string): Promise<string> {
    this.log.add(this.address, 'api', command);
    return '';
  }
  private ended: Array<() => void> = [];
  onEnd(fn: () => void): void {
    this.ended.push(fn);
  }
  disconnect(): void {
    this.log.add(this.address, 'disconnect');
  }
  /**
   * FreeSWITCH killed: the inbound event socket ends (fsmrf 'end'), then each
   * endpoint's own outbound socket (fsmrf emits 'destroy' with no reason on
   * esl::end). `endpoints` gives which endpoints still had a channel there.
   */
  die(endpoints: FakeEndpoint[]): void {
    this.connected = false;
    for (const l of this.ended) l();
    for (const ep of endpoints) ep.emitHangup(undefined);
  }
}

export class FakeMrf implements MrfPort {
  readonly servers = new Map<string, FakeMediaServer>();
  constructor(
    private readonly log: CommandLog,
    private readonly clock?: ManualClock,
  ) {}
  async connect(opts: MrfConnectOptions): Promise<MediaServerPort> {
    this.log.add('mrf', 'connect', { address: opts.address, port: opts.port, secret: opts.secret, profile: opts.profile });
    const ms = new FakeMediaServer(opts.address, this.log, this.clock);
    this.servers.set(opts.address, ms);
    return ms;
  }
}

/** Inbound event socket answers for the pre-flight check. */
export function fakeEsl(log: CommandLog, answers: Record<string, string> = {}) {
  const defaults: Record<string, string> = {
    'sofia status':
      '                     Name\t   Type\t                                      Data\tState\n=================================================================================================\n    drachtio_mrf\tprofile\t  sip:mod_sofia@127.0.0.1:5080\tRUNNING (0)\n',
    'module_exists mod_local_stream': 'true',
    'module_exists mod_tone_stream': 'true',
    'module_exists mod_spandsp': 'true',
    'module_exists mod_avmd': 'true',
    // Recorded from FreeSWITCH 1.11.1: one NAME,DIRECTORY line per stream.
    'local_stream show': 'dialer_hold,/var/lib/dialer/hold-music\n',
  };
  return async (opts: { address: string; port: number; secret: string }): Promise<EslClient> => {
    log.add('esl', 'connect', `${opts.address}:${opts.port}`);
    return {
      api: async (cmd: string) => {
        log.add('esl', 'api', cmd);
        return answers[cmd] ?? defaults[cmd] ?? '-ERR no reply';
      },
      close: () => log.add('esl', 'close'),
    };
  };
}

/* ---------------- drachtio side ---------------- */

export class FakeCall {
  cancelled = false;
  private sent?: (req: SentInvite) => void;
  constructor(
    readonly uri: string,
    readonly opts: UacOptions,
    private readonly cb: { onSent(req: SentInvite): void; onProvisional(res: SipProvisional): void },
    private readonly settle: { resolve(d: UacDialog): void; reject(f: UacFailure): void },
    private readonly log: CommandLog,
  ) {
    this.sent = cb.onSent;
  }
  /** The INVITE went on the wire (drachtio's cbRequest). */
  sendInvite(): void {
    const onSent = this.sent;
    this.sent = undefined;
    onSent?.({
      cancel: () => {
        this.log.add('srf', 'CANCEL', this.uri);
        this.cancelled = true;
      },
    });
  }
  provisional(status: number, reason: string, body = ''): void {
    this.cb.onProvisional({ status, reason, body });
  }
  /** 200 OK (srf ACKs it and resolves createUAC). */
  answer(remoteSdp = 'v=0\r\nc=IN IP4 10.0.0.9\r\nm=audio 4000 RTP/AVP 0\r\n'): FakeDialog {
    const d = new FakeDialog(this.uri, remoteSdp, this.log);
    this.settle.resolve(d);
    return d;
  }
  /** A final non-2xx (srf rejects createUAC with a SipError). */
  reject(status: number, reason: string): void {
    this.settle.reject({ status, reason, message: `Sip non-success response: ${status}` });
  }
  fail(message: string): void {
    this.settle.reject({ message });
  }
}

export class FakeDialog implements UacDialog {
  readonly callId = `call-${Math.random().toString(36).slice(2)}`;
  private ends: Array<(e: DialogEnd) => void> = [];
  private reoffer?: (offer: string) => Promise<string>;
  constructor(
    readonly uri: string,
    readonly remoteSdp: string,
    private readonly log: CommandLog,
  ) {}
  /** BYEs sent on this dialog. */
  byes = 0;
  async destroy(headers?: Record<string, string>): Promise<void> {
    this.byes++;
    this.log.add('srf', 'BYE', this.uri, ...(headers ? [headers] : []));
  }
  onEnd(l: (e: DialogEnd) => void): void {
    this.ends.push(l);
  }
  onReoffer(answer: (offer: string) => Promise<string>): void {
    this.reoffer = answer;
  }
  /** The far end sent a re-INVITE: resolves with the 200's SDP, rejects where the adapter would send 488 (or a ReofferRefused's status). */
  async remoteReinvite(offer: string): Promise<string> {
    if (!this.reoffer) throw new Error('no re-INVITE handler');
    return this.reoffer(offer);
  }
  /** The far end sent BYE. */
  remoteBye(reason?: string): void {
    for (const l of this.ends) l(reason ? { reason } : {});
  }
}

/** An INVITE drachtio offers the driver (issue 18): what the driver answered is kept in `responses`. */
export class FakeIncoming implements IncomingInvite {
  readonly responses: string[] = [];
  dialog?: FakeDialog;
  /** When set, accept() waits for it (a CANCEL can cross the 200). */
  acceptGate?: Promise<void>;
  private cancels: Array<() => void> = [];
  constructor(
    readonly requestUri: string,
    readonly from: string,
    readonly to: string,
    readonly sdp: string,
    readonly source: { address: string; port: number },
    private readonly log: CommandLog,
  ) {}
  ringing(): void {
    this.responses.push('180');
  }
  reject(status: number, reason: string): void {
    this.responses.push(`${status} ${reason}`);
  }
  async accept(localSdp: string): Promise<UacDialog> {
    if (this.acceptGate) await this.acceptGate;
    this.responses.push('200');
    this.log.add('srf', '200 OK', localSdp ? '<ep sdp>' : '');
    this.dialog = new FakeDialog(this.requestUri, this.sdp, this.log);
    return this.dialog;
  }
  onCancel(l: () => void): void {
    this.cancels.push(l);
  }
  /** The caller sent CANCEL (drachtio answered it). */
  cancel(): void {
    for (const l of this.cancels) l();
  }
}

export class FakeSrf implements SrfPort {
  private inviteHandler?: (inv: IncomingInvite) => void;
  onInvite(h: (inv: IncomingInvite) => void): void {
    this.inviteHandler = h;
  }
  /** drachtio offers an INVITE from a caller (to +81312340001 from 0312000014 by default). */
  incoming(o: { sdp?: string; source?: string } = {}): FakeIncoming {
    const [address, port] = (o.source ?? '10.0.0.1:5060').split(':');
    const inv = new FakeIncoming(
      'sip:0312340001@127.0.0.1',
      '<sip:0312000014@10.0.0.1>;tag=1',
      '<sip:0312340001@127.0.0.1>',
      o.sdp ?? 'v=0\r\nc=IN IP4 10.0.0.9\r\nm=audio 4002 RTP/AVP 0 101\r\n',
      { address: address!, port: Number(port) },
      this.log,
    );
    if (!this.inviteHandler) throw new Error('the driver registered no INVITE handler');
    this.inviteHandler(inv);
    return inv;
  }
  connected = false;
  readonly calls: FakeCall[] = [];
  /** When false, createUac waits for the test to call `sendInvite()`. */
  autoSend = true;
  constructor(private readonly log: CommandLog) {}
  async connect(opts: { host: string; port: number; secret: string }): Promise<void> {
    this.log.add('srf', 'connect', `${opts.host}:${opts.port}`);
    this.connected = true;
  }
  disconnect(): void {
    this.connected = false;
  }
  onDisconnect(): void {}
  createUac(
    uri: string,
    opts: UacOptions,
    cb: { onSent(req: SentInvite): void; onProvisional(res: SipProvisional): void },
  ): Promise<UacDialog> {
    this.log.add('srf', 'INVITE', uri, { ...opts, localSdp: opts.localSdp ? '<ep sdp>' : '' });
    return new Promise<UacDialog>((resolve, reject) => {
      const call = new FakeCall(uri, opts, cb, { resolve, reject }, this.log);
      this.calls.push(call);
      if (this.autoSend) call.sendInvite();
    });
  }
  get last(): FakeCall {
    return this.calls[this.calls.length - 1]!;
  }
}

/* ---------------- assembled ---------------- */

export const TRUNK: TrunkConfig = {
  name: 'carrier',
  address: '10.0.0.1:5060',
  transport: 'udp',
  username: 'acct',
  password: 's3cret',
  defaultCallerId: '0355550000',
  callerIdFormat: 'asis',
  dialPrefix: '',
  maxChannels: 100,
  callsPerSecond: 10,
  register: false,
  registerExpiresS: 3600,
};

/** Two media servers, the first named (fs-a), the second known by its address (fs2:8021): the pool tests' pair. */
export const twoServers = (): FreeswitchConfig['mediaServers'] => [
  {
    name: 'fs-a',
    address: 'fs1',
    port: 8021,
    secret: 'a',
    profile: 'drachtio_mrf',
    listenAddress: '',
    local: false,
    forkAddress: '10.0.0.1',
  },
  { address: 'fs2', port: 8021, secret: 'b', profile: 'drachtio_mrf', listenAddress: '', local: false, forkAddress: '10.0.0.1' },
];

export function fsConfig(over: Partial<FreeswitchConfig> = {}): FreeswitchConfig {
  return {
    drachtio: { host: '127.0.0.1', port: 9022, secret: 'cymru' },
    mediaServers: [
      { address: 'fs1', port: 8021, secret: 'ClueCon', profile: 'drachtio_mrf', listenAddress: '', local: false, forkAddress: '10.0.0.1' },
    ],
    audioMode: 'native',
    fifoDir: '/tmp/dialer-fifo-test',
    beepDetector: 'spandsp',
    holdStream: 'dialer_hold',
    toneDescriptors: { NA: 'dialer_na', JP: 'dialer_jp', UK: 'dialer_uk', DE: 'dialer_de' },
    earlyToneDescriptors: {},
    connectTimeoutMs: 1000,
    mediaServerBackoffMs: 5000,
    endpointCreationLimit: 32,
    endpointQueueTimeoutMs: 5000,
    forkPortMin: 0,
    forkPortMax: 0,
    mediaServerSilenceMs: 60000,
    mediaServerStallMs: 10000,
    ...over,
  };
}

export interface Rig {
  driver: FreeswitchDriver;
  log: CommandLog;
  srf: FakeSrf;
  mrf: FakeMrf;
  clock: ManualClock;
  events: LegEvent[];
  /** Native mode's fork sockets, in creation order: `frame()` delivers audio as FreeSWITCH's RTP would. */
  forks: FakeFork[];
  /** Events of one leg, as `type` or `type:detail` strings. */
  trace(legId: string): string[];
  /** Waits until the driver's queued promise work has run. */
  settle(): Promise<void>;
}

export async function rig(
  opts: {
    fs?: Partial<FreeswitchConfig>;
    trunks?: TrunkConfig[];
    /** null: none (start() refuses). */
    createAnalyzer?: AnalyzerFactory | null;
    openTap?: AudioTapFactory;
    start?: boolean;
    /** The driver's logger (silent by default). */
    logger?: FreeswitchDriverDeps['logger'];
  } = {},
): Promise<Rig> {
  const forks: FakeFork[] = [];
  const log = new CommandLog();
  const srf = new FakeSrf(log);
  const clock = new ManualClock();
  const mrf = new FakeMrf(log, clock);
  const deps: FreeswitchDriverDeps = {
    config: { freeswitch: fsConfig(opts.fs), trunks: opts.trunks ?? [TRUNK], defaultRegion: 'JP', defaultToneRegion: 'NA' },
    srf,
    mrf,
    esl: fakeEsl(log),
    openTap:
      opts.openTap ??
      (async () => {
        throw new Error('no tap in this test');
      }),
    openFork: async (address) => {
      const f = new FakeFork(address, 40000 + 2 * forks.length, log);
      forks.push(f);
      return f;
    },
    clock,
    logger: opts.logger ?? pino({ level: 'silent' }),
    ...(opts.createAnalyzer === null ? {} : { createAnalyzer: opts.createAnalyzer ?? quietAnalyzer }),
  };
  const driver = new FreeswitchDriver(deps);
  const events: LegEvent[] = [];
  driver.onEvent((e) => events.push(e));
  if (opts.start !== false) await driver.start();
  const settle = async () => {
    for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
  };
  const trace = (legId: string) =>
    events
      .filter((e) => e.legId === legId)
      .map((e) => {
        switch (e.type) {
          case 'progress':
            return `progress:${e.status}${e.earlyMedia ? '+sdp' : ''}`;
          case 'verdict':
            return `verdict:${e.phase}:${e.verdict.kind}`;
          case 'end':
            return `end:${e.cause.by}:${e.cause.sipStatus ?? '-'}:${e.cause.answered ? 'answered' : 'unanswered'}`;
          case 'bridged':
          case 'unbridged':
            return `${e.type}`;
          default:
            return e.type;
        }
      });
  return { driver, log, srf, mrf, clock, events, forks, trace, settle };
}

/** The dialer's end of a native-mode fork: what the analyser hears is pushed with frame(). */
export class FakeFork implements AudioFork {
  private readonly listeners: Array<(f: Int16Array) => void> = [];
  closed = false;
  /** The sink's port the driver told the fork to hear. */
  from?: number;
  readonly foreignPackets = 0;
  constructor(
    readonly address: string,
    readonly port: number,
    private readonly log: CommandLog,
  ) {}
  onFrame(l: (f: Int16Array) => void): void {
    this.listeners.push(l);
  }
  acceptFrom(port: number): void {
    this.from = port;
  }
  frame(f: Int16Array = new Int16Array(160)): void {
    if (!this.closed) for (const l of this.listeners) l(f);
  }
  async close(): Promise<void> {
    this.closed = true;
    this.log.add(`fork:${this.port}`, 'close');
  }
}

/** An analyser that hears and says nothing (tests of what FreeSWITCH itself detects). */
export const quietAnalyzer: AnalyzerFactory = () => ({ push: () => [], answered: () => [], done: false });
