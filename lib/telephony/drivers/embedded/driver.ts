/**
 * The embedded telephony driver: SIP over UDP and RTP handled in this process.
 * Legs are driven by the pure transition function in lib/sip/uac-leg.ts; this file
 * is the interpreter at the edge (sockets, timers, events).
 */
import { isIP } from 'node:net';
import { randomInt } from 'node:crypto';
import pino from 'pino';
import type { Logger } from 'pino';
import type { EmbeddedConfig, TrunkConfig } from '../../../config/sections/embedded';
import type {
  AnalysisRequest,
  DriverHealth,
  IncomingCall,
  LegEvent,
  LegId,
  MediaSource,
  MonitorMode,
  MonitorRequest,
  OriginateRequest,
  PlayOptions,
  RecordingResult,
  RecordRequest,
  TelephonyDriver,
} from '../../contract';
import { TelephonyError } from '../../contract';
import type { AnalysisPhase, CallAnalyzer, Verdict } from '../../../media/types';
import { FRAME_SAMPLES } from '../../../media/types';
import { decodeG711, encodeG711, type G711Law } from '../../../media/g711';
import {
  acceptRemoteCSeq,
  answerSessionTimer,
  refreshHeaders,
  refreshMethod,
  refreshOutcome,
  sessionTimerOf2xx,
  sessionTimerOfAnswer,
  sessionTimerPlan,
  type SessionTimer,
  buildPrack,
  classifyProvisional,
  buildCancel,
  buildInDialog,
  buildInvite,
  cancelGuard,
  digestAuthorization,
  header,
  inDialog,
  learnDialog,
  newCallId,
  newTag,
  nextCSeq,
  nextHopUri,
  nextSessionVersion,
  parseCSeq,
  parseUri,
  refreshTarget,
  realClock,
  responseTo,
  SipStack,
  TIMER_C_MS,
  bindSipPorts,
  contactValue,
  nodeDnsLookup,
  ServerLocator,
  initialLegState,
  legTransition,
  type LegEffect,
  type LegInput,
  type LegState,
  type DnsLookup,
  type SipTarget,
  type ClientOutcome,
  type Clock,
  type RSeqSeen,
  type DialogState,
  type Endpoint,
  type Local,
  type ServerTxHandle,
  type SipHeader,
  type SipMessage,
  type SipRequest,
  type SipResponse,
  type TimerHandle,
  type Transport,
} from '../../../sip';
import { TrunkRegistration } from './registrar';
import { answerDirection, buildSdp, negotiate } from './sdp';
import { PortPool } from './rtp/port-pool';
import { Pacer } from './rtp/pacer';
import { RtpSession, type RtpStats } from './rtp/session';
import { beep as beepPcm, EncodedCache, holdMusic, loadAudio, tone } from './assets';
import { MediaRoom } from './media/media-room';
import { monitorCall, recordCall } from './media/driver-hooks';
import { ackForFailure, earlyEntry, orphanRequest, orphanRequests, streamKey, type DialogJournal, type JournalEntry } from './journal';
import { next2xxInterval, uasDialog } from './inbound-leg';

export type AnalyzerFactory = (req: AnalysisRequest) => CallAnalyzer;

export interface EmbeddedDriverOptions {
  embedded: EmbeddedConfig;
  trunks: readonly TrunkConfig[];
  logger?: Logger;
  /** Creates the per-call analyser (lib/media); without one, no verdicts are emitted. */
  analyzerFactory?: AnalyzerFactory;
  clock?: () => number;
  /** Time for SIP timers, the ring timeout and Timer C (tests pass a VirtualClock); default: wall clock. */
  sipClock?: Clock;
  /** Ready transports instead of binding UDP on embedded.sip (tests). */
  transports?: Transport[];
  /**
   * Where dialogs are journalled so that another process (or this one after a
   * restart) can end them if this process dies (journal.ts); none: a crash
   * leaves answered calls up at the far end.
   */
  journal?: DialogJournal;
  /** Longest wait for a journal write before the INVITE (early entry) or the ACK (confirmed) goes anyway (default 1000 ms). */
  journalAckWaitMs?: number;
  /** DNS for trunk names (tests with virtual time); default: node:dns on embedded.sip.dnsServers. */
  dns?: DnsLookup;
}

interface Leg {
  id: LegId;
  /** The early dialog from the first tagged provisional (journalled: a claimer BYEs it besides its CANCEL). */
  early?: JournalEntry['early'];
  /** To tags of other forks' 2xx this leg ACKed and BYEd (endFork): their retransmissions are only ACKed. */
  forksEnded?: Set<string>;
  state: LegState;
  dialog: DialogState;
  invite: SipRequest;
  dest: Endpoint;
  /** RFC 3263 §4.3: the servers to try in order; `dest` is targets[targetIndex]. */
  targets: SipTarget[];
  targetIndex: number;
  trunk?: TrunkConfig;
  rtp: RtpSession;
  rtpPort: number;
  analysis?: AnalysisRequest;
  analyzer?: CallAnalyzer;
  phase: AnalysisPhase;
  frame: Int16Array;
  fill: number;
  ringTimer?: TimerHandle;
  ringTimeoutMs: number;
  /** Timer C (RFC 3261 §16.6 step 11): reset by every provisional but 100; CANCELs when it fires. */
  timerC?: TimerHandle;
  /** §9.1: 64·T1 after our CANCEL without a final response, the INVITE counts as cancelled. */
  cancelGuard?: TimerHandle;
  lastFailure?: SipResponse;
  ack?: SipRequest;
  peer?: LegId;
  /** RFC 3262: highest RSeq PRACKed per early dialog (To tag). */
  rseq?: RSeqSeen;
  playbackId?: string;
  /** An inbound call (we are the UAS): its INVITE's server transaction and the 2xx sent until the ACK. */
  inbound?: { tx: ServerTxHandle; ok?: SipResponse; acked: boolean; resend?: TimerHandle; interval?: number; giveUp?: TimerHandle };
  waiters: Array<() => void>;
  /** RFC 4028: the running session timer, its refresh and expiry-BYE timers, the far end's Allow (UPDATE?). */
  session?: { timer?: SessionTimer; refresh?: TimerHandle; bye?: TimerHandle; farAllow?: string; offered?: SessionTimer };
  /** The direction of our last SDP answer (a refresh re-INVITE offers the same session again). */
  localDirection?: ReturnType<typeof answerDirection>;
  /** ACK for our last refresh re-INVITE's 2xx, sent again when that 2xx is retransmitted (§13.2.2.4). */
  refreshAck?: SipRequest;
  /** The dialog's next hop by name, located once (RFC 3263) and reused while the hop stays the same. */
  hopLookup?: { key: string; dest: Promise<Endpoint> };
  log: Logger;
  tags?: Record<string, string>;
  /** The 2xx is being journalled; its ACK (and any retransmission's) waits for the write. */
  confirming?: boolean;
  /** The confirmed dialog is in the journal. */
  journalled?: boolean;
  /** The far end's RTP stream the leg latched (journalled: a successor refuses it on its new calls). */
  media?: StreamId;
}

const ENDED_LINGER_MS = 32000;
/** Methods we take (RFC 3261 §20.5) and extensions we support (§20.37): PRACK RFC 3262, UPDATE RFC 3311, session timers RFC 4028. */
const ALLOW = 'INVITE, ACK, CANCEL, BYE, OPTIONS, UPDATE, PRACK';
const SUPPORTED = 'timer';
/** Decode buffer shared by every leg (frames are copied out before the next packet). */
const SCRATCH = new Int16Array(1024);

export class EmbeddedDriver implements TelephonyDriver {
  readonly name = 'embedded';
  private transports?: Transport[];
  /** REGISTER state per trunk with `register: true`. */
  private registrations = new Map<string, TrunkRegistration>();
  private readonly sipClock: Clock;
  private stack?: SipStack;
  private locator?: ServerLocator;
  /** Server address → the trunk whose name resolved to it (inbound calls from a named trunk). */
  private readonly resolvedTrunk = new Map<string, string>();
  private local!: Local;
  private pool: PortPool;
  private readonly pacer = new Pacer();
  /** Listen/whisper/barge mixers and call recordings (media/). */
  private readonly media: MediaRoom;
  private legs = new Map<LegId, Leg>();
  private byCallId = new Map<string, Leg>();
  private listeners = new Set<(e: LegEvent) => void>();
  private incoming?: (call: IncomingCall) => void;
  private readonly log: Logger;
  private readonly clock: () => number;
  private readonly cache = new EncodedCache();
  private trunkSlots = new Map<string, number>();
  private seq = 0;
  private readonly allowed: Set<string>;
  private counters = { originated: 0, inbound: 0, ended: 0, refused: 0, orphansEnded: 0, orphansUnanswered: 0 };
  /** Early dialogs of a dead process we CANCELled: a 2xx that crosses the CANCEL is ACKed and BYEd (§9.1, §15). */
  private readonly orphanInvites = new Map<string, JournalEntry>();
  /** Orphaned INVITEs whose final response reached this process (a restart on the same SIP port): no early-dialog BYE needed. */
  private readonly orphanFinals = new Set<string>();
  /**
   * Streams of orphaned legs (a dead process's, from its journal) not yet ended:
   * "address port ssrc" → how many orphans name it. No leg of ours latches one
   * (rtp/latch.ts): a new call answered from the same address and port as an
   * orphan would otherwise take the orphan's audio if its packet came first.
   */
  private readonly refusedStreams = new Map<string, number>();
  private readonly refusedStream = (from: Endpoint, ssrc: number): boolean => {
    const j = this.opts.journal;
    if (this.refusedStreams.size === 0 && !j?.isForeignStream) return false;
    const key = streamKey({ ...from, ssrc });
    return this.refusedStreams.has(key) || !!j?.isForeignStream?.(key);
  };
  /** RTP packets the legs' latches dropped (rtp/latch.ts), by reason, since start. */
  private readonly rtpDropped: Record<'before-answer' | 'foreign-source' | 'foreign-ssrc', number> = {
    'before-answer': 0,
    'foreign-source': 0,
    'foreign-ssrc': 0,
  };

  constructor(private readonly opts: EmbeddedDriverOptions) {
    this.log = opts.logger ?? pino({ level: 'silent' });
    this.sipClock = opts.sipClock ?? realClock();
    this.clock = opts.clock ?? (opts.sipClock ? () => this.sipClock.now() : Date.now);
    this.media = new MediaRoom(this.pacer, this.clock, (id, err) =>
      this.log.error({ recording: id, err: err.message }, 'recording failed; the call goes on'),
    );
    const { rtp, sip } = opts.embedded;
    this.pool = new PortPool(sip.host, rtp.portMin, rtp.portMax);
    this.allowed = new Set([...opts.embedded.allowedPeers, ...opts.trunks.map((t) => splitHostPort(t.address).address)]);
  }

  /** The bound SIP address (after start). */
  get sipEndpoint(): Endpoint {
    return { address: this.local.host, port: this.local.port };
  }

  async start(): Promise<void> {
    if (this.transports) return;
    const { sip } = this.opts.embedded;
    let transports = this.opts.transports;
    if (!transports) {
      // TCP listens on the same port number when a trunk (or a sip:…;transport=tcp target) needs it.
      // A trunk name without a fixed transport may be sent to TCP by its NAPTR records (RFC 3263 §4.1).
      const mayUseTcp = (t: TrunkConfig) =>
        t.transport === 'tcp' || (!t.transport && !isIP(splitHostPort(t.address).address) && !/:\d+$/.test(t.address));
      const withTcp = this.opts.trunks.some(mayUseTcp) || this.opts.embedded.sip.tcp;
      const { udp, tcp } = await bindSipPorts(sip.host, sip.port, withTcp, this.log).catch((err: Error) => {
        throw new TelephonyError('UNAVAILABLE', err.message);
      });
      transports = tcp ? [udp, tcp] : [udp];
    }
    this.transports = transports;
    this.locator = new ServerLocator(this.opts.dns ?? nodeDnsLookup(sip.dnsServers), {
      supported: transports.some((t) => t.protocol === 'tcp') ? ['udp', 'tcp'] : ['udp'],
      family: isIP(sip.host) === 6 ? 6 : 4,
      cacheMs: sip.dnsCacheS * 1000,
      downMs: sip.serverDownS * 1000,
      now: () => this.sipClock.now(),
    });
    this.local = { host: sip.publicAddress || sip.host, port: transports[0]!.local.port, userAgent: sip.userAgent };
    this.stack = new SipStack({
      transports,
      clock: this.sipClock,
      timers: { t1: sip.t1Ms },
      log: this.log,
      onRequest: (tx) => this.onRequest(tx),
      onStray: (msg, src) => this.onStray(msg, src),
      // Only configured trunks and agent phones may talk to us (toll-fraud scanners are everywhere), answered once if at all.
      admit: (_req, src) => {
        if (this.allowed.has(src.address)) return 'accept';
        this.counters.refused++;
        return sip.unknownSources === 'drop' ? 'drop' : 'reject';
      },
    });
    for (const trunk of this.opts.trunks.filter((t) => t.register)) {
      const reg = new TrunkRegistration(
        this.stack,
        this.sipClock,
        this.local,
        trunk,
        () => this.trunkTargets(trunk),
        this.log,
        (t) => this.locator?.markDown(t),
      );
      this.registrations.set(trunk.name, reg);
      reg.start();
    }
    this.log.info({ sip: this.local }, 'embedded driver listening');
    // After the stack exists: the first sweep ends a dead predecessor's calls (journal.ts).
    await this.opts.journal?.start((e) => this.endOrphan(e));
  }

  async stop(): Promise<void> {
    const live = [...this.legs.values()].filter((l) => l.state.phase !== 'ended');
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all(live.map((l) => this.hangup(l.id).catch(() => undefined))),
      new Promise((r) => (timer = setTimeout(r, 2000))),
    ]);
    clearTimeout(timer);
    await this.media.close();
    for (const l of this.legs.values())
      if (l.state.phase !== 'ended') this.finish(l, { by: 'error', answered: l.state.answered, detail: 'driver stopped' });
    await this.opts.journal?.stop().catch((err: Error) => this.log.warn({ err: err.message }, 'dialog journal not closed'));
    this.pacer.stop();
    // Bindings are removed (REGISTER Expires: 0) before the sockets close, each bounded.
    await Promise.all([...this.registrations.values()].map((r) => r.stop()));
    this.registrations.clear();
    this.stack?.close();
    for (const t of this.transports ?? []) t.close();
    this.transports = undefined;
    this.stack = undefined;
  }

  onEvent(listener: (e: LegEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async originate(req: OriginateRequest): Promise<LegId> {
    const stack = this.stack;
    if (!stack) throw new TelephonyError('UNAVAILABLE', 'driver not started');
    if (!(req.ringTimeoutMs > 0)) throw new TelephonyError('BAD_REQUEST', 'ringTimeoutMs must be > 0');
    const live = this.activeLegs();
    if (live >= this.opts.embedded.maxLegs)
      throw new TelephonyError('NO_CAPACITY', `embedded.maxLegs (${this.opts.embedded.maxLegs}) reached`);
    const target = await this.resolveTarget(req);
    if (target.trunk) {
      const reg = this.registrations.get(target.trunk.name);
      if (reg && !reg.registered) {
        const st = reg.state;
        throw new TelephonyError(
          'UNAVAILABLE',
          `trunk ${target.trunk.name} is not registered (${st.phase}${st.lastStatus ? `, last answer ${st.lastStatus} ${st.lastReason ?? ''}`.trimEnd() : ''}); calls through it wait for a successful REGISTER`,
        );
      }
      const used = [...this.legs.values()].filter((l) => l.trunk === target.trunk && l.state.phase !== 'ended').length;
      if (used >= target.trunk.maxChannels)
        throw new TelephonyError('NO_CAPACITY', `trunk ${target.trunk.name} has all ${target.trunk.maxChannels} channels in use`);
      await this.cpsSlot(target.trunk);
    }
    const { socket, port } = await this.pool.bind();
    const id = `emb-${process.pid}-${++this.seq}`;
    const callerId = formatCallerId(req.callerId ?? target.trunk?.defaultCallerId ?? '', target.trunk?.callerIdFormat ?? 'asis');
    const anonymous = req.presentCallerId === false || !callerId;
    const fromUser = anonymous ? 'anonymous' : callerId;
    const fromHost = anonymous ? 'anonymous.invalid' : this.local.host;
    const dialog: DialogState = {
      callId: newCallId(this.local.host),
      localTag: newTag(),
      fromValue: '',
      toValue: `<${target.uri}>`,
      requestUri: target.uri,
      routeSet: [],
      cseq: randomInt(1, 10000),
      session: { id: randomInt(1, 2 ** 31), version: 1 },
    };
    dialog.fromValue = `<sip:${fromUser}@${fromHost}>;tag=${dialog.localTag}`;
    const extra: SipHeader[] = Object.entries(req.headers ?? {}).map(([name, value]) => ({ name, value }));
    if (req.presentCallerId === false) extra.push({ name: 'Privacy', value: 'id' });
    if (anonymous && callerId) extra.push({ name: 'P-Asserted-Identity', value: `<sip:${callerId}@${this.local.host}>` });
    const leg: Leg = {
      id,
      state: initialLegState(),
      dialog,
      invite: undefined as unknown as SipRequest,
      dest: target.targets[0]!,
      targets: target.targets,
      targetIndex: 0,
      trunk: target.trunk,
      rtp: undefined as unknown as RtpSession,
      rtpPort: port,
      analysis: req.analysis && (req.analysis.early || req.analysis.answered) ? req.analysis : undefined,
      ringTimeoutMs: req.ringTimeoutMs,
      phase: 'early',
      frame: new Int16Array(FRAME_SAMPLES),
      fill: 0,
      waiters: [],
      log: this.log.child({ legId: id, ...req.tags }),
      tags: req.tags,
    };
    leg.rtp = new RtpSession({
      socket,
      port,
      pacer: this.pacer,
      sendSilence: this.opts.embedded.rtp.sendSilence,
      onAudio: (payload, law) => this.onAudio(leg, payload, law),
      onDtmf: (digit, durationMs) => this.emit({ type: 'dtmf', legId: id, at: this.clock(), digit, durationMs }),
      onDrop: (reason) => this.rtpDropped[reason]++,
      refused: this.refusedStream,
      onLatch: (st) => this.latched(leg, st),
    });
    if (leg.analysis && this.opts.analyzerFactory) leg.analyzer = this.opts.analyzerFactory(leg.analysis);
    const sdp = buildSdp({
      address: this.local.host,
      port,
      sessionId: dialog.session!.id,
      version: dialog.session!.version,
      codecs: this.opts.embedded.rtp.codecs,
    });
    leg.invite = buildInvite(this.localFor(leg), dialog, sdp, extra);
    (leg as { extra?: SipHeader[] }).extra = extra;
    this.legs.set(id, leg);
    this.byCallId.set(dialog.callId, leg);
    this.counters.originated++;
    let sent: boolean;
    try {
      sent = await this.sendInvite(leg, req.beforeSend);
    } catch (err) {
      this.unsent(leg);
      throw err;
    }
    if (!sent) {
      this.unsent(leg);
      throw new TelephonyError('NO_CAPACITY', 'not admitted at the moment of sending (beforeSend); nothing went out');
    }
    leg.log.debug({ to: target.uri }, 'INVITE sent');
    return id;
  }

  async hangup(legId: LegId, opts: { reason?: string } = {}): Promise<void> {
    const leg = this.legs.get(legId);
    if (!leg) throw new TelephonyError('UNKNOWN_LEG', `no leg ${legId}`);
    if (leg.state.phase === 'ended') return;
    if (leg.inbound && !leg.state.answered) return this.rejectIncoming(legId, 480, 'Temporarily Unavailable');
    const done = new Promise<void>((res) => leg.waiters.push(res));
    this.input(leg, { type: 'hangup', reason: opts.reason });
    return done;
  }

  async play(legId: LegId, source: MediaSource, opts: PlayOptions = {}): Promise<string> {
    const leg = this.liveLeg(legId);
    const law = leg.rtp.law;
    let audio: Uint8Array;
    try {
      audio = this.encodeSource(source, law);
    } catch (err) {
      throw new TelephonyError('BAD_REQUEST', (err as Error).message);
    }
    const id = `${legId}:p${++this.seq}`;
    leg.playbackId = id;
    leg.rtp.play({
      id,
      audio,
      loop: opts.loop ?? source.kind === 'hold',
      offset: 0,
      onDone: () => {
        if (leg.playbackId === id) leg.playbackId = undefined;
        this.emit({ type: 'playback-done', legId, at: this.clock(), id });
      },
    });
    return id;
  }

  async stopPlayback(legId: LegId): Promise<void> {
    const leg = this.liveLeg(legId);
    leg.playbackId = undefined;
    leg.rtp.stopPlayback();
  }

  async beep(legId: LegId, opts: { freqHz?: number; durationMs?: number } = {}): Promise<void> {
    const leg = this.liveLeg(legId);
    const audio = encodeG711(leg.rtp.law, beepPcm(opts.freqHz, opts.durationMs));
    await new Promise<void>((res) => {
      const id = `${legId}:b${++this.seq}`;
      leg.playbackId = id;
      leg.waiters.push(res);
      leg.rtp.play({ id, audio, loop: false, offset: 0, onDone: res });
    });
  }

  async bridge(a: LegId, b: LegId): Promise<void> {
    const la = this.liveLeg(a);
    const lb = this.liveLeg(b);
    if (a === b) throw new TelephonyError('BAD_REQUEST', 'cannot bridge a leg to itself');
    for (const l of [la, lb]) {
      if (l.state.phase !== 'confirmed') throw new TelephonyError('BAD_STATE', `leg ${l.id} is not answered (${l.state.phase})`);
      if (l.peer && l.peer !== (l === la ? b : a)) await this.unbridge(l.id);
    }
    la.peer = b;
    lb.peer = a;
    la.playbackId = lb.playbackId = undefined;
    la.rtp.bridge(lb.rtp);
    lb.rtp.bridge(la.rtp);
    const at = this.clock();
    this.emit({ type: 'bridged', legId: a, at, peer: b });
    this.emit({ type: 'bridged', legId: b, at, peer: a });
  }

  async unbridge(a: LegId): Promise<void> {
    const la = this.legs.get(a);
    if (!la) throw new TelephonyError('UNKNOWN_LEG', `no leg ${a}`);
    this.separate(la);
  }

  async monitor(req: MonitorRequest): Promise<void> {
    monitorCall(this.media, req, (id) => this.liveLeg(id));
  }

  async setMonitorMode(supervisorLeg: LegId, mode: MonitorMode): Promise<void> {
    this.media.setMode(supervisorLeg, mode);
  }

  async stopMonitor(supervisorLeg: LegId): Promise<void> {
    if (!this.media.stopMonitor(supervisorLeg)) throw new TelephonyError('BAD_STATE', `leg ${supervisorLeg} is not monitoring a call`);
  }

  async startRecording(req: RecordRequest): Promise<string> {
    return recordCall(this.media, req, (id) => this.liveLeg(id));
  }

  stopRecording(id: string): Promise<RecordingResult> {
    return this.media.stopRecording(id);
  }

  async recordingAgent(id: string, agentLeg: LegId): Promise<void> {
    this.media.recordingAgent(id, this.liveLeg(agentLeg).id);
  }

  // ---- inbound calls (issue 18) -------------------------------------------

  onIncoming(handler: (call: IncomingCall) => void): () => void {
    this.incoming = handler;
    return () => {
      if (this.incoming === handler) this.incoming = undefined;
    };
  }

  async answerIncoming(legId: LegId): Promise<void> {
    const leg = this.liveLeg(legId);
    const inb = leg.inbound;
    if (!inb) throw new TelephonyError('BAD_STATE', `leg ${legId} is not an inbound call`);
    if (leg.state.answered) return;
    const sdp = buildSdp({
      address: this.local.host,
      port: leg.rtpPort,
      sessionId: leg.dialog.session!.id,
      version: leg.dialog.session!.version,
      codecs: [leg.rtp.law],
    });
    const extra: SipHeader[] = [
      { name: 'Contact', value: contactValue(this.localFor(leg)) },
      { name: 'Allow', value: ALLOW },
      { name: 'Supported', value: SUPPORTED },
      { name: 'Content-Type', value: 'application/sdp' },
    ];
    inb.ok = responseTo(inb.tx.request, 200, 'OK', extra, Buffer.from(sdp), leg.dialog.localTag);
    // Journalled as it is answered (journal.ts): the UAS dialog (§12.1.1) is what a successor BYEs after a crash.
    // Not awaited — the 200 is due now; a crash in the write's millisecond leaves this one call to the caller.
    void this.journalPut(leg, 'confirmed');
    leg.journalled = true;
    inb.tx.respond(200, 'OK', extra, Buffer.from(sdp), leg.dialog.localTag);
    leg.state = { ...leg.state, phase: 'confirmed', answered: true };
    this.schedule2xx(leg);
    const t1 = this.opts.embedded.sip.t1Ms;
    // §13.3.1.4: no ACK within 64·T1 → the session is ended with a BYE.
    inb.giveUp = this.sipClock.setTimer(64 * t1, () => {
      if (inb.acked || leg.state.phase === 'ended') return;
      leg.log.warn({}, 'no ACK for our 2xx within 64*T1; hanging up');
      this.input(leg, { type: 'hangup', reason: 'no ACK' });
    });
    this.emit({ type: 'answer', legId, at: this.clock() });
  }

  async rejectIncoming(legId: LegId, status: number, reason: string): Promise<void> {
    const leg = this.liveLeg(legId);
    if (!leg.inbound) throw new TelephonyError('BAD_STATE', `leg ${legId} is not an inbound call`);
    if (leg.state.answered) throw new TelephonyError('BAD_STATE', `leg ${legId} is answered; hang it up instead`);
    if (!(status >= 300 && status < 700)) throw new TelephonyError('BAD_REQUEST', `reject status must be 300–699, not ${status}`);
    leg.inbound.tx.respond(status, reason, [], undefined, leg.dialog.localTag);
    this.finish(leg, { sipStatus: status, sipReason: reason, by: 'local', answered: false });
  }

  private acceptIncoming(tx: ServerTxHandle): void {
    const req = tx.request;
    const handler = this.incoming!;
    if (this.activeLegs() >= this.opts.embedded.maxLegs)
      return tx.respond(503, 'Service Unavailable', [{ name: 'Retry-After', value: '5' }], undefined, newTag());
    let offer;
    try {
      offer = negotiate(req.body.toString(), this.opts.embedded.rtp.codecs);
    } catch (err) {
      // RFC 3261 §13.3.1: an offer we cannot take (or none: we do not make offers in a 2xx) → 488.
      return tx.respond(
        488,
        'Not Acceptable Here',
        [{ name: 'Warning', value: `399 dialer "${(err as Error).message}"` }],
        undefined,
        newTag(),
      );
    }
    const localTag = newTag();
    void this.pool.bind().then(
      ({ socket, port }) => {
        const id = `emb-${process.pid}-in${++this.seq}`;
        // A trunk by its configured IP, or by an address its name resolved to (RFC 3263).
        const trunk = this.opts.trunks.find(
          (t) => splitHostPort(t.address).address === tx.source.address || this.resolvedTrunk.get(tx.source.address) === t.name,
        );
        const leg: Leg = {
          id,
          state: { ...initialLegState(), phase: 'early', provisional: true },
          dialog: uasDialog(req, localTag),
          invite: req,
          dest: tx.source,
          targets: [{ ...tx.source, transport: tx.source.transport ?? 'udp', name: tx.source.address }],
          targetIndex: 0,
          ringTimeoutMs: 0,
          trunk,
          rtp: undefined as unknown as RtpSession,
          rtpPort: port,
          phase: 'early',
          frame: new Int16Array(FRAME_SAMPLES),
          fill: 0,
          waiters: [],
          inbound: { tx, acked: false },
          log: this.log.child({ legId: id, inbound: true }),
        };
        leg.rtp = new RtpSession({
          socket,
          port,
          pacer: this.pacer,
          sendSilence: this.opts.embedded.rtp.sendSilence,
          onAudio: (payload, law) => this.onAudio(leg, payload, law),
          onDtmf: (digit, durationMs) => this.emit({ type: 'dtmf', legId: id, at: this.clock(), digit, durationMs }),
          onDrop: (reason) => this.rtpDropped[reason]++,
          refused: this.refusedStream,
          onLatch: (st) => this.latched(leg, st),
        });
        leg.rtp.setRemote({ address: offer.address, port: offer.port }, offer.law, offer.payloadType, offer.dtmfPayloadType);
        this.legs.set(id, leg);
        this.byCallId.set(leg.dialog.callId, leg);
        this.counters.inbound++;
        tx.respond(180, 'Ringing', [{ name: 'Contact', value: contactValue(this.localFor(leg)) }], undefined, localTag);
        leg.log.debug({ from: header(req, 'From'), to: header(req, 'To') }, 'inbound INVITE');
        handler({
          legId: id,
          requestUri: req.uri,
          to: header(req, 'To') ?? '',
          from: header(req, 'From') ?? '',
          pai: header(req, 'P-Asserted-Identity'),
          privacy: header(req, 'Privacy'),
          trunk: trunk?.name,
          source: { address: tx.source.address, port: tx.source.port },
          at: this.clock(),
        });
      },
      (err: Error) =>
        tx.respond(503, 'Service Unavailable', [{ name: 'Warning', value: `399 dialer "${err.message}"` }], undefined, newTag()),
    );
  }

  /** §9.2: a CANCEL for an inbound call we have not answered → 200 for the CANCEL, 487 for the INVITE. */
  private cancelIncoming(leg: Leg | undefined, tx: ServerTxHandle): void {
    const branch = (m: SipRequest) => /branch=([^;\s]+)/i.exec(header(m, 'Via') ?? '')?.[1];
    if (!leg?.inbound || branch(leg.inbound.tx.request) !== branch(tx.request)) return tx.respond(481, 'Call/Transaction Does Not Exist');
    tx.respond(200, 'OK', [], undefined, leg.dialog.localTag);
    if (leg.state.answered || leg.state.phase === 'ended') return;
    leg.inbound.tx.respond(487, 'Request Terminated', [], undefined, leg.dialog.localTag);
    this.finish(leg, { sipStatus: 487, sipReason: 'Request Terminated', by: 'remote', answered: false, detail: 'caller cancelled' });
  }

  private schedule2xx(leg: Leg): void {
    const inb = leg.inbound!;
    const t = this.stack?.timers ?? { t1: this.opts.embedded.sip.t1Ms, t2: 4000 };
    // Reliable transports carry the 2xx once (§13.3.1.4 applies to unreliable ones).
    if (leg.dest.transport === 'tcp') return;
    inb.interval = next2xxInterval(inb.interval, t.t1, t.t2);
    inb.resend = this.sipClock.setTimer(inb.interval, () => {
      if (inb.acked || leg.state.phase === 'ended' || !inb.ok) return;
      this.stack?.sendRaw(inb.ok, leg.dest);
      this.schedule2xx(leg);
    });
  }

  private acked(leg: Leg): void {
    const inb = leg.inbound!;
    inb.acked = true;
    this.sipClock.clearTimer(inb.resend);
    this.sipClock.clearTimer(inb.giveUp);
  }

  health(): DriverHealth {
    const ok = !!this.stack;
    const sip = this.stack?.stats;
    const regs = [...this.registrations].map(
      ([name, r]) => `${name} ${r.state.phase}${r.state.lastStatus && !r.registered ? ` (${r.state.lastStatus})` : ''}`,
    );
    const registrations = Object.fromEntries(
      [...this.registrations].map(([n, r]) => [n, { registered: r.registered, phase: r.state.phase, lastStatus: r.state.lastStatus }]),
    );
    return {
      ok,
      detail: ok ? `SIP on ${this.local.host}:${this.local.port}${regs.length ? `; registration: ${regs.join(', ')}` : ''}` : 'not started',
      activeLegs: this.activeLegs(),
      dropped: {
        sip_malformed: sip?.malformed ?? 0,
        rtp_before_answer: this.rtpDropped['before-answer'],
        rtp_foreign_source: this.rtpDropped['foreign-source'],
        rtp_foreign_ssrc: this.rtpDropped['foreign-ssrc'],
      },
      logsSuppressed: { sip_malformed: sip?.malformedLogsSuppressed ?? 0 },
      ...(this.registrations.size ? { registrations } : {}),
    };
  }

  /** Counters for benchmarks and `dialer call`: SIP, pacing (late frames), legs. */
  stats() {
    return {
      ...this.counters,
      registrations: Object.fromEntries([...this.registrations].map(([n, r]) => [n, { ...r.state }])),
      active: this.activeLegs(),
      sip: { ...this.stack?.stats },
      pacer: { ...this.pacer.stats },
      rtpPortsInUse: this.pool.used,
      orphans: { ended: this.counters.orphansEnded, unanswered: this.counters.orphansUnanswered },
      rtpDropped: { ...this.rtpDropped },
    };
  }

  /** Per-leg RTP packet/byte counters (both directions). */
  rtpStats(legId: LegId): RtpStats {
    const leg = this.legs.get(legId);
    if (!leg) throw new TelephonyError('UNKNOWN_LEG', `no leg ${legId}`);
    return { ...leg.rtp.stats };
  }

  // ---- internals -----------------------------------------------------------

  /** Via/Contact for a leg: our address, on the transport its INVITE went over. */
  private localFor(leg: Leg): Local {
    return leg.dest.transport === 'tcp' ? { ...this.local, transport: 'tcp' } : this.local;
  }

  private activeLegs(): number {
    let n = 0;
    for (const l of this.legs.values()) if (l.state.phase !== 'ended') n++;
    return n;
  }

  private liveLeg(legId: LegId): Leg {
    const leg = this.legs.get(legId);
    if (!leg) throw new TelephonyError('UNKNOWN_LEG', `no leg ${legId}`);
    if (leg.state.phase === 'ended') throw new TelephonyError('BAD_STATE', `leg ${legId} has ended`);
    return leg;
  }

  private async resolveTarget(req: OriginateRequest): Promise<{ uri: string; targets: SipTarget[]; trunk?: TrunkConfig }> {
    if (/^sips?:/i.test(req.to)) {
      let u;
      try {
        u = parseUri(req.to);
      } catch (err) {
        throw new TelephonyError('BAD_REQUEST', (err as Error).message);
      }
      const transport = u.params.transport?.toLowerCase() === 'tcp' ? 'tcp' : u.params.transport ? 'udp' : undefined;
      const targets = await this.locate({ host: u.host, port: u.port, transport }, `SIP URI host ${u.host}`);
      return { uri: req.to, targets };
    }
    const number = req.to.replace(/[\s()-]/g, '');
    if (!/^\+?[0-9*#]{1,32}$/.test(number)) throw new TelephonyError('BAD_REQUEST', `not a dialable number: ${req.to}`);
    const trunk = req.trunk ? this.opts.trunks.find((t) => t.name === req.trunk) : this.opts.trunks[0];
    if (!trunk)
      throw new TelephonyError('BAD_REQUEST', req.trunk ? `unknown trunk ${req.trunk}` : 'no trunk configured (telephony.trunks)');
    const targets = await this.trunkTargets(trunk);
    const domain = trunk.domain ?? trunk.address;
    const uri = `sip:${trunk.dialPrefix}${number}@${domain}${trunk.transport === 'tcp' ? ';transport=tcp' : ''}`;
    return { uri, targets, trunk };
  }

  /** A trunk's servers in the order to try them (RFC 3263; an IP literal is its own single target). */
  private async trunkTargets(trunk: TrunkConfig): Promise<SipTarget[]> {
    const m = /^(.*?)(?::(\d+))?$/.exec(trunk.address)!;
    const targets = await this.locate(
      { host: m[1]!, port: m[2] ? Number(m[2]) : undefined, transport: trunk.transport },
      `trunk ${trunk.name}`,
    );
    for (const t of targets) this.resolvedTrunk.set(t.address, trunk.name);
    return targets;
  }

  private async locate(spec: { host: string; port?: number; transport?: 'udp' | 'tcp' }, what: string): Promise<SipTarget[]> {
    let targets: SipTarget[];
    try {
      targets = await this.locator!.targets(spec);
    } catch (err) {
      throw new TelephonyError('UNAVAILABLE', `${what}: cannot resolve ${spec.host} (${(err as Error).message})`);
    }
    if (!targets.length)
      throw new TelephonyError(
        'UNAVAILABLE',
        `${what}: no SIP server found for ${spec.host} (RFC 3263: no usable NAPTR, SRV or A records)`,
      );
    // The servers a name resolves to may send us requests (BYE, re-INVITE) like a configured IP.
    for (const t of targets) this.allowed.add(t.address);
    return targets;
  }

  /** Calls-per-second cap: each trunk's INVITEs are spaced 1/cps apart. */
  private async cpsSlot(trunk: TrunkConfig): Promise<void> {
    const now = this.clock();
    const next = Math.max(now, this.trunkSlots.get(trunk.name) ?? 0);
    this.trunkSlots.set(trunk.name, next + 1000 / trunk.callsPerSecond);
    if (next > now) await sleep(next - now);
  }

  private emit(e: LegEvent): void {
    for (const l of this.listeners) {
      try {
        l(e);
      } catch (err) {
        this.log.error({ err: (err as Error).message, event: e.type }, 'event listener threw');
      }
    }
  }

  private input(leg: Leg, e: LegInput): void {
    const { state, effects } = legTransition(leg.state, e);
    leg.state = state;
    for (const fx of effects) this.effect(leg, fx);
  }

  private effect(leg: Leg, fx: LegEffect): void {
    const stack = this.stack;
    switch (fx.type) {
      case 'cancel':
        stack?.request(buildCancel(leg.invite), leg.dest, () => undefined);
        this.sipClock.clearTimer(leg.timerC);
        this.sipClock.clearTimer(leg.cancelGuard);
        leg.cancelGuard = this.sipClock.setTimer(
          cancelGuard(stack?.timers ?? { t1: this.opts.embedded.sip.t1Ms, t2: 4000, t4: 5000 }),
          () => this.input(leg, { type: 'tx-timeout' }),
        );
        return;
      case 'ack': {
        const ack = (leg.ack ??= buildInDialog(this.localFor(leg), leg.dialog, 'ACK', parseCSeq(header(leg.invite, 'CSeq')!).seq));
        this.toNextHop(leg, (dest) => stack?.sendRaw(ack, dest));
        return;
      }
      case 'bye': {
        const [seq, dialog] = nextCSeq(leg.dialog);
        leg.dialog = dialog;
        const bye = buildInDialog(this.localFor(leg), leg.dialog, 'BYE', seq);
        this.toNextHop(leg, (dest) =>
          stack?.request(bye, dest, (o) =>
            this.input(leg, { type: 'bye-done', status: o.kind === 'response' ? o.response.status : undefined }),
          ),
        );
        return;
      }
      case 'auth-retry':
        return this.retryWithAuth(leg);
      case 'failover':
        return this.failover(leg);
      case 'answered': {
        this.clearLegTimers(leg);
        this.armSessionTimer(leg, leg.session?.offered);
        this.emit({ type: 'answer', legId: leg.id, at: this.clock() });
        if (leg.analyzer) {
          leg.phase = 'answered';
          leg.fill = 0;
          this.verdicts(leg, leg.analyzer.answered());
          if (!leg.analysis?.answered) leg.analyzer = undefined;
        }
        return;
      }
      case 'end':
        return this.finish(leg, fx.cause);
    }
  }

  // ---- session timers (RFC 4028) -------------------------------------------

  /** Replaces the leg's session timer: §10's refresh at half-time when we refresh, the expiry BYE always. */
  private armSessionTimer(leg: Leg, timer: SessionTimer | undefined): void {
    const st = (leg.session ??= {});
    this.sipClock.clearTimer(st.refresh);
    this.sipClock.clearTimer(st.bye);
    st.refresh = st.bye = undefined;
    st.timer = timer;
    if (!timer || leg.state.phase !== 'confirmed') return;
    const plan = sessionTimerPlan(timer);
    if (plan.refreshAfterMs !== undefined)
      st.refresh = this.sipClock.setTimer(plan.refreshAfterMs, () => this.refreshSession(leg, timer, false));
    st.bye = this.sipClock.setTimer(plan.byeAfterMs, () => {
      leg.log.info({ expiresS: timer.expiresS }, 'session expired without a refresh (RFC 4028 §10): BYE');
      this.input(leg, { type: 'hangup', reason: 'session expired (RFC 4028 §10)' });
    });
  }

  /** §7.1/§10: our session refresh, an UPDATE when the far end allows it, else a re-INVITE with our unchanged offer. */
  private refreshSession(leg: Leg, timer: SessionTimer, retried: boolean): void {
    if (leg.state.phase !== 'confirmed' || !this.stack) return;
    const method = refreshMethod(leg.session?.farAllow);
    const [seq, dialog] = nextCSeq(leg.dialog);
    leg.dialog = dialog;
    const local = this.localFor(leg);
    const extra: SipHeader[] = [{ name: 'Contact', value: contactValue(local) }, ...refreshHeaders(timer)];
    let body = Buffer.alloc(0);
    if (method === 'INVITE') {
      // RFC 3264 §8: the session is unchanged, so the offer keeps its o= version.
      const session = leg.dialog.session!;
      body = Buffer.from(
        buildSdp({
          address: this.local.host,
          port: leg.rtpPort,
          sessionId: session.id,
          version: session.version,
          codecs: [leg.rtp.law],
          direction: leg.localDirection ?? 'sendrecv',
        }),
      );
      extra.push({ name: 'Content-Type', value: 'application/sdp' });
    }
    const req = buildInDialog(local, leg.dialog, method, seq, extra, body);
    leg.log.debug({ method, expiresS: timer.expiresS }, 'refreshing the session (RFC 4028 §10)');
    this.toNextHop(leg, (dest) =>
      this.stack?.request(req, dest, (o) => this.onRefreshOutcome(leg, o, { method, seq, local, timer, retried })),
    );
  }

  private onRefreshOutcome(
    leg: Leg,
    o: ClientOutcome,
    {
      method,
      seq,
      local,
      timer,
      retried,
    }: { method: 'UPDATE' | 'INVITE'; seq: number; local: Local; timer: SessionTimer; retried: boolean },
  ): void {
    const res = o.kind === 'response' ? o.response : undefined;
    if (res && res.status < 200) return;
    if (res && res.status < 300 && leg.state.phase !== 'ended') {
      // §12.2.1.2: the 2xx to a target-refresh request (re-INVITE, UPDATE) carries the new remote target.
      leg.dialog = refreshTarget(leg.dialog, res);
      if (method === 'INVITE') {
        const ack = (leg.refreshAck = buildInDialog(local, leg.dialog, 'ACK', seq));
        this.toNextHop(leg, (dest) => this.stack?.sendRaw(ack, dest));
        // RFC 3264: the answer to our offer (normally the same session) is applied as any answer is.
        if (res.body.length > 0 && /application\/sdp/i.test(header(res, 'Content-Type') ?? '')) this.applySdp(leg, res.body.toString());
      }
    }
    if (leg.state.phase !== 'confirmed') return;
    const out = refreshOutcome(timer, res, retried);
    switch (out.kind) {
      case 'refreshed':
        return this.armSessionTimer(leg, out.timer);
      case 'retry':
        return this.refreshSession(leg, out.timer, true);
      case 'dialog-gone':
        leg.log.info({ status: res?.status }, 'session refresh failed: the dialog is gone (RFC 3261 §12.2.1.2)');
        return this.input(leg, { type: 'hangup', reason: `session refresh failed (${res?.status ?? 'no response'})` });
      case 'unchanged':
        // The expiry BYE armed with the last good refresh still guards the session.
        leg.log.info({ status: res?.status }, 'session refresh refused; the session ends at expiry unless refreshed');
        return;
    }
  }

  private restartTimerC(leg: Leg): void {
    this.sipClock.clearTimer(leg.timerC);
    leg.timerC = this.sipClock.setTimer(TIMER_C_MS, () => {
      leg.log.info({}, 'Timer C fired: no final response and no provisional for over 3 minutes; cancelling');
      this.input(leg, { type: 'ring-timeout' });
    });
  }

  private clearLegTimers(leg: Leg): void {
    for (const h of [leg.ringTimer, leg.timerC, leg.cancelGuard, leg.inbound?.resend, leg.inbound?.giveUp]) this.sipClock.clearTimer(h);
    leg.ringTimer = leg.timerC = leg.cancelGuard = undefined;
  }

  private finish(leg: Leg, cause: import('../../contract').EndCause): void {
    this.clearLegTimers(leg);
    this.armSessionTimer(leg, undefined);
    leg.state = { ...leg.state, phase: 'ended' };
    this.media.legGone(leg.id);
    if (leg.peer) this.separate(leg);
    leg.rtp.close();
    this.pool.release(leg.rtpPort);
    leg.analyzer = undefined;
    this.counters.ended++;
    this.opts.journal
      ?.remove(leg.dialog.callId)
      .catch((err: Error) => leg.log.warn({ err: err.message }, 'dialog journal entry not removed'));
    leg.log.debug({ cause }, 'leg ended');
    this.emit({ type: 'end', legId: leg.id, at: this.clock(), cause });
    for (const w of leg.waiters.splice(0)) w();
    // Kept a while so late retransmitted 2xx still get their ACK and hangup() stays idempotent.
    setTimeout(() => {
      this.legs.delete(leg.id);
      if (this.byCallId.get(leg.dialog.callId) === leg) this.byCallId.delete(leg.dialog.callId);
    }, ENDED_LINGER_MS).unref();
  }

  private separate(leg: Leg): void {
    const peer = leg.peer ? this.legs.get(leg.peer) : undefined;
    this.media.unbridged(leg.id);
    leg.peer = undefined;
    leg.rtp.bridge(undefined);
    if (!peer) return;
    peer.peer = undefined;
    peer.rtp.bridge(undefined);
    const at = this.clock();
    this.emit({ type: 'unbridged', legId: leg.id, at, peer: peer.id });
    this.emit({ type: 'unbridged', legId: peer.id, at, peer: leg.id });
  }

  private retryWithAuth(leg: Leg): void {
    const res = leg.lastFailure!;
    const proxy = res.status === 407;
    const challenge = header(res, proxy ? 'Proxy-Authenticate' : 'WWW-Authenticate');
    const trunk = leg.trunk!;
    let value: string;
    try {
      if (!challenge) throw new Error('challenge header missing');
      value = digestAuthorization(challenge, { username: trunk.username!, password: trunk.password! }, 'INVITE', leg.dialog.requestUri);
    } catch (err) {
      leg.log.warn({ err: (err as Error).message }, 'cannot answer auth challenge');
      return this.finish(leg, {
        sipStatus: res.status,
        sipReason: res.reason,
        by: 'remote',
        answered: false,
        detail: (err as Error).message,
      });
    }
    leg.dialog = nextCSeq(leg.dialog)[1];
    const extra = ((leg as { extra?: SipHeader[] }).extra ?? []).concat({ name: proxy ? 'Proxy-Authorization' : 'Authorization', value });
    leg.invite = buildInvite(this.localFor(leg), leg.dialog, leg.invite.body.toString(), extra);
    void this.sendInvite(leg);
  }

  /** RFC 3263 §4.3: the same INVITE (new branch, CSeq + 1, same Call-ID and tag) to the next server. */
  private failover(leg: Leg): void {
    const from = leg.dest;
    leg.targetIndex++;
    leg.dest = leg.targets[leg.targetIndex]!;
    leg.lastFailure = undefined;
    leg.rseq = undefined;
    leg.ack = undefined;
    leg.dialog = nextCSeq(leg.dialog)[1];
    const extra = (leg as { extra?: SipHeader[] }).extra ?? [];
    leg.invite = buildInvite(this.localFor(leg), leg.dialog, leg.invite.body.toString(), extra);
    leg.log.info(
      { from: `${from.address}:${from.port}`, to: `${leg.dest.address}:${leg.dest.port}/${leg.dest.transport}` },
      'no answer from this server; trying the next one (RFC 3263 §4.3)',
    );
    // The next server rings the callee afresh: the ring timeout and Timer C count from its INVITE (sendInvite).
    this.sipClock.clearTimer(leg.ringTimer);
    this.sipClock.clearTimer(leg.timerC);
    leg.ringTimer = leg.timerC = undefined;
    // The journal must CANCEL this INVITE (its branch, its server) if we die now, not the first one.
    void this.sendInvite(leg);
  }

  private onInviteOutcome(leg: Leg, o: ClientOutcome): void {
    const canFailover = leg.targetIndex + 1 < leg.targets.length;
    if (o.kind === 'timeout' || o.kind === 'error') {
      // This server is out of reach: later calls try it last for a while.
      if (leg.targets.length > 1) this.locator?.markDown(leg.targets[leg.targetIndex]!);
      if (o.kind === 'timeout') return this.input(leg, { type: 'tx-timeout', canFailover });
      return this.input(leg, { type: 'error', detail: o.detail, canFailover });
    }
    const res = o.response;
    if (leg.targets.length > 1) this.locator?.markUp(leg.targets[leg.targetIndex]!);
    if (res.status === 100) {
      this.emit({ type: 'trying', legId: leg.id, at: this.clock() });
      return;
    }
    if (res.status < 200) {
      const rel = classifyProvisional(res, leg.rseq ?? {});
      // RFC 3262 §4: a retransmitted reliable 1xx is not passed on (its PRACK's own transaction retransmits).
      if (rel.kind === 'retransmission') return;
      if (rel.kind === 'new') {
        leg.rseq = rel.seen;
        if (leg.state.phase !== 'ended') this.prack(leg, res, rel.rseq);
      }
    }
    const hasSdp = res.body.length > 0 && /application\/sdp/i.test(header(res, 'Content-Type') ?? '');
    if (hasSdp && res.status < 300) this.applySdp(leg, res.body.toString());
    if (res.status < 200) {
      if (leg.timerC && leg.state.phase !== 'cancelling') this.restartTimerC(leg);
      this.journalEarlyDialog(leg, res);
      if (leg.state.phase !== 'ended')
        this.emit({ type: 'progress', legId: leg.id, at: this.clock(), status: res.status, reason: res.reason, earlyMedia: hasSdp });
      return this.input(leg, { type: 'provisional', status: res.status });
    }
    // A final response ends ringing: Timer C and the §9.1 CANCEL guard have nothing left to guard.
    this.clearLegTimers(leg);
    if (res.status < 300) {
      if (leg.confirming) return; // a retransmission while the first is journalled: that one's ACK answers both
      if (this.isOtherFork(leg, res)) return this.endFork(leg, res);
      leg.dialog = learnDialog(leg.dialog, res);
      // RFC 4028 §7.2: the 2xx sets the session timer (armed once the call counts as answered).
      if (leg.state.phase !== 'confirmed') leg.session = { farAllow: header(res, 'Allow'), offered: sessionTimerOf2xx(res) };
      if (this.opts.journal && !leg.journalled && leg.state.phase !== 'ended') return void this.journalConfirmed(leg);
      return this.input(leg, { type: 'success' });
    }
    leg.lastFailure = res;
    const canAuth = !!(leg.trunk?.username && leg.trunk.password);
    this.input(leg, { type: 'failure', status: res.status, reason: res.reason, canAuth, canFailover });
  }

  /**
   * A 2xx whose To tag is not the leg's dialog, once a 2xx has set that dialog up (the leg answered, or
   * ACKed and BYEd a late answer): another branch of a forked INVITE answered too.
   */
  private isOtherFork(leg: Leg, res: SipResponse): boolean {
    if (!(leg.state.answered || leg.state.byeSent) || !leg.dialog.remoteTag) return false;
    return learnDialog(leg.dialog, res).remoteTag !== leg.dialog.remoteTag;
  }

  /**
   * RFC 3261 §13.2.2.4: each 2xx of a forked INVITE sets up its own dialog, which the UAC must ACK and,
   * not wanting it, end with BYE. The leg keeps its own dialog (or its end); this one is ACKed and BYEd
   * once, and a retransmission of its 2xx is only ACKed again.
   */
  private endFork(leg: Leg, res: SipResponse): void {
    const dialog = learnDialog(leg.dialog, res);
    const tag = dialog.remoteTag!;
    const local = this.localFor(leg);
    const ack = buildInDialog(local, dialog, 'ACK', parseCSeq(header(leg.invite, 'CSeq')!).seq);
    this.toNextHop(leg, (dest) => this.stack?.sendRaw(ack, dest), dialog);
    leg.forksEnded ??= new Set();
    if (leg.forksEnded.has(tag)) return;
    leg.forksEnded.add(tag);
    const seq = dialog.cseq + 1;
    const bye = buildInDialog(local, { ...dialog, cseq: seq }, 'BYE', seq);
    leg.log.info(
      { remoteTag: tag, phase: leg.state.phase },
      'a second branch of the forked INVITE answered: ACKed and BYEd (RFC 3261 §13.2.2.4)',
    );
    this.toNextHop(
      leg,
      (dest) =>
        this.stack?.request(bye, dest, (o) => {
          if (o.kind === 'response' && o.response.status < 200) return;
          leg.log.debug({ outcome: o.kind === 'response' ? o.response.status : o.kind }, 'forked branch BYE done');
        }),
      dialog,
    );
  }

  /** RFC 3262 §7.2: acknowledge a reliable provisional in its early dialog. */
  private prack(leg: Leg, res: SipResponse, rseq: number): void {
    const [prack, dialog] = buildPrack(this.localFor(leg), leg.dialog, res, leg.invite, rseq);
    leg.dialog = dialog;
    this.toNextHop(leg, (dest) =>
      this.stack?.request(prack, dest, (o) => {
        if (o.kind !== 'response' || o.response.status >= 300)
          leg.log.warn({ rseq, outcome: o.kind === 'response' ? o.response.status : o.kind }, 'PRACK not accepted');
      }),
    );
  }

  private applySdp(leg: Leg, sdp: string): void {
    try {
      const m = negotiate(sdp, this.opts.embedded.rtp.codecs);
      leg.rtp.setRemote({ address: m.address, port: m.port }, m.law, m.payloadType, m.dtmfPayloadType);
      // The far end's sendonly/inactive (hold) means we answer recvonly/inactive and must not send (RFC 3264 §6.1).
      leg.rtp.setSending(m.direction !== 'sendonly' && m.direction !== 'inactive');
    } catch (err) {
      leg.log.warn({ err: (err as Error).message }, 'unusable SDP from far end');
    }
  }

  /**
   * Sends an in-dialog request or ACK to the dialog's next hop (§8.1.2, §16.12: the first Route if it is a
   * loose router, else the remote target). An IP literal is used as it is; a host name in Contact or
   * Record-Route is located per RFC 3263 (SRV, then A/AAAA; the dialog's transport, or the URI's
   * transport parameter) through the same locator as trunks, once per hop (later sends reuse the answer,
   * in order). A name that does not resolve falls back to where the INVITE went, with a warning.
   */
  private toNextHop(leg: Leg, send: (dest: Endpoint) => void, dialog: DialogState = leg.dialog): void {
    const hop = nextHopUri(dialog);
    if (!hop) return send(leg.dest);
    if (isIP(hop.host)) return send({ address: hop.host, port: hop.port ?? 5060, transport: leg.dest.transport });
    const transport = hop.transport === 'tcp' || hop.transport === 'udp' ? hop.transport : (leg.dest.transport ?? 'udp');
    const key = `${hop.host.toLowerCase()}|${hop.port ?? ''}|${transport}`;
    if (leg.hopLookup?.key !== key) {
      const dest = this.locate({ host: hop.host, port: hop.port, transport }, `next hop ${hop.host} of ${leg.id}`).then(
        (ts): Endpoint => ({ address: ts[0]!.address, port: ts[0]!.port, transport: ts[0]!.transport }),
        (err: Error): Endpoint => {
          leg.log.warn({ err: err.message, host: hop.host }, 'in-dialog next hop not resolved; sending where the INVITE went');
          return leg.dest;
        },
      );
      leg.hopLookup = { key, dest };
    }
    void leg.hopLookup.dest.then(send);
  }

  private onAudio(leg: Leg, payload: Buffer, law: G711Law): void {
    this.media.audio(leg.id, payload, law);
    const a = leg.analyzer;
    if (!a || a.done || leg.peer || leg.state.phase === 'ended') return;
    if (leg.phase === 'early' && !leg.analysis?.early) return;
    const pcm = decodeG711(law, payload.length <= SCRATCH.length ? payload : payload.subarray(0, SCRATCH.length), SCRATCH).subarray(
      0,
      Math.min(payload.length, SCRATCH.length),
    );
    let i = 0;
    while (i < pcm.length) {
      const n = Math.min(FRAME_SAMPLES - leg.fill, pcm.length - i);
      leg.frame.set(pcm.subarray(i, i + n), leg.fill);
      leg.fill += n;
      i += n;
      if (leg.fill === FRAME_SAMPLES) {
        leg.fill = 0;
        this.verdicts(leg, a.push(leg.frame));
      }
    }
  }

  private verdicts(leg: Leg, vs: Verdict[]): void {
    for (const verdict of vs) this.emit({ type: 'verdict', legId: leg.id, at: this.clock(), phase: leg.phase, verdict });
  }

  private encodeSource(source: MediaSource, law: G711Law): Uint8Array {
    switch (source.kind) {
      case 'hold': {
        const file = this.opts.embedded.holdMusicFile;
        return this.cache.get(`hold:${file}`, law, () => encodeG711(law, file ? loadAudio(file) : holdMusic()));
      }
      case 'tone':
        return encodeG711(law, tone(source.freqHz, source.durationMs, source.level ?? 0.3));
      case 'file':
        return this.cache.get(`file:${source.path}`, law, () => encodeG711(law, loadAudio(source.path)));
    }
  }

  // ---- incoming requests ---------------------------------------------------

  private onRequest(tx: ServerTxHandle): void {
    const req = tx.request;
    if (!this.allowed.has(tx.source.address)) {
      // Only configured trunks and agent phones may talk to us (toll fraud scanners are everywhere).
      this.counters.refused++;
      tx.respond(403, 'Forbidden');
      return;
    }
    const leg = this.byCallId.get(header(req, 'Call-ID')!);
    switch (req.method) {
      case 'OPTIONS':
        tx.respond(
          200,
          'OK',
          [
            { name: 'Allow', value: ALLOW },
            { name: 'Accept', value: 'application/sdp' },
            { name: 'Supported', value: SUPPORTED },
          ],
          undefined,
          newTag(),
        );
        return;
      case 'BYE':
        if (!leg || !this.sameDialog(leg, req)) return tx.respond(481, 'Call/Transaction Does Not Exist');
        if (!this.checkCSeq(leg, tx)) return;
        tx.respond(200, 'OK');
        this.input(leg, { type: 'bye-received' });
        return;
      case 'INVITE':
        if (leg && this.sameDialog(leg, req) && leg.state.phase === 'confirmed') return this.sessionRequest(leg, tx);
        if (/;\s*tag=/i.test(header(req, 'To') ?? '')) return tx.respond(481, 'Call/Transaction Does Not Exist');
        if (this.incoming) return this.acceptIncoming(tx);
        // No inbound handler (issue 18's InboundCalls not running): inbound calls are refused.
        tx.respond(
          480,
          'Temporarily Unavailable',
          [{ name: 'Warning', value: '399 dialer "inbound calls are not accepted"' }],
          undefined,
          newTag(),
        );
        return;
      case 'CANCEL':
        return this.cancelIncoming(leg, tx);
      case 'UPDATE':
        // RFC 3311: an UPDATE in a confirmed dialog refreshes the session (and may carry a new offer).
        if (leg && this.sameDialog(leg, req) && leg.state.phase === 'confirmed') return this.sessionRequest(leg, tx);
        return tx.respond(481, 'Call/Transaction Does Not Exist');
      default:
        if (/;\s*tag=/i.test(header(req, 'To') ?? '') && !leg) return tx.respond(481, 'Call/Transaction Does Not Exist');
        tx.respond(405, 'Method Not Allowed', [{ name: 'Allow', value: ALLOW }]);
    }
  }

  private sameDialog(leg: Leg, req: SipRequest): boolean {
    return inDialog(leg.dialog, req);
  }

  /** §12.2.2: out-of-order requests in the dialog get 500. */
  private checkCSeq(leg: Leg, tx: ServerTxHandle): boolean {
    const next = acceptRemoteCSeq(leg.dialog, tx.request);
    if (!next) {
      tx.respond(500, 'Server Internal Error', [{ name: 'Warning', value: '399 dialer "CSeq lower than a previous request"' }]);
      return false;
    }
    leg.dialog = next;
    return true;
  }

  /**
   * re-INVITE or UPDATE from the far end (hold, resume, codec change, session
   * refresh). RFC 3264 §6.1/§8: the answer mirrors the offered direction, keeps
   * our o= session id and bumps its version; RFC 4028 §9: Session-Expires is
   * answered; RFC 3261 §12.2: the Contact refreshes the remote target.
   */
  private sessionRequest(leg: Leg, tx: ServerTxHandle): void {
    const req = tx.request;
    if (!this.checkCSeq(leg, tx)) return;
    const timer = answerSessionTimer(req);
    if (!timer.ok) return tx.respond(timer.status, timer.reason, timer.headers);
    const before = leg.dialog.remoteTarget;
    leg.dialog = refreshTarget(leg.dialog, req);
    if (leg.journalled && leg.dialog.remoteTarget !== before) void this.journalPut(leg, 'confirmed');
    const hasOffer = req.body.length > 0 && /application\/sdp/i.test(header(req, 'Content-Type') ?? 'application/sdp');
    let direction: ReturnType<typeof answerDirection> = 'sendrecv';
    if (hasOffer) {
      try {
        direction = answerDirection(negotiate(req.body.toString(), this.opts.embedded.rtp.codecs).direction);
      } catch (err) {
        // §5 of RFC 3264: an offer we cannot take is refused; the session goes on as it was.
        return tx.respond(488, 'Not Acceptable Here', [{ name: 'Warning', value: `399 dialer "${(err as Error).message}"` }]);
      }
      this.applySdp(leg, req.body.toString());
    }
    const contact = { name: 'Contact', value: contactValue(this.localFor(leg)) };
    // An UPDATE without an offer is a pure refresh: no SDP in the answer (RFC 3311 §5.2).
    // RFC 4028 §9/§10: our 2xx sets the session timer anew (none when the request asked for none).
    this.armSessionTimer(leg, sessionTimerOfAnswer(timer));
    if (req.method === 'UPDATE' && !hasOffer) return tx.respond(200, 'OK', [contact, ...timer.headers]);
    const [session, dialog] = nextSessionVersion(leg.dialog);
    leg.dialog = dialog;
    const sdp = buildSdp({
      address: this.local.host,
      port: leg.rtpPort,
      sessionId: session.id,
      version: session.version,
      codecs: [leg.rtp.law],
      direction,
    });
    leg.localDirection = direction;
    leg.log.debug({ method: req.method, direction, version: session.version }, 'session modified by the far end');
    tx.respond(200, 'OK', [contact, ...timer.headers, { name: 'Content-Type', value: 'application/sdp' }], Buffer.from(sdp));
  }

  // ---- dialog journal (journal.ts) ----------------------------------------

  /**
   * The first provisional with a To tag makes an early dialog (§12.1.2): journalled (not waited for) so that a
   * claimer can BYE it besides its CANCEL should this process die with the 2xx in hand (journal.ts).
   */
  private journalEarlyDialog(leg: Leg, res: SipResponse): void {
    if (!this.opts.journal || leg.early || leg.inbound || leg.journalled || leg.state.phase === 'ended') return;
    const d = learnDialog(leg.dialog, res);
    if (!d.remoteTag) return;
    leg.early = { remoteTag: d.remoteTag, ...(d.remoteTarget ? { remoteTarget: d.remoteTarget } : {}), routeSet: d.routeSet };
    void this.journalPut(leg, 'early');
  }

  private entryFor(leg: Leg, kind: JournalEntry['kind']): JournalEntry {
    const e = earlyEntry({
      legId: leg.id,
      dialog: leg.dialog,
      invite: leg.invite,
      dest: leg.dest,
      trunk: leg.trunk?.name,
      rtp: { host: this.opts.embedded.sip.host, port: leg.rtpPort },
      tags: leg.tags,
      early: kind === 'early' ? leg.early : undefined,
      at: this.clock(),
    });
    return { ...e, kind, ...(leg.media ? { media: leg.media } : {}) };
  }

  /**
   * A leg latched its far end's stream (or let it go): journalled at once when
   * the leg has an entry (an outbound leg from its INVITE, an inbound one from
   * its answer, which then carries it), so that a successor knows the stream.
   */
  private latched(leg: Leg, st: StreamId | undefined): void {
    leg.media = st;
    if (leg.state.phase === 'ended' || (leg.inbound && !leg.journalled)) return;
    void this.journalPut(leg, leg.journalled ? 'confirmed' : 'early');
  }

  /** No leg latches the orphan's stream until the orphan is ended (and its last packets have arrived). */
  private refuseStream(e: JournalEntry): () => void {
    if (!e.media) return () => undefined;
    const key = streamKey(e.media);
    this.refusedStreams.set(key, (this.refusedStreams.get(key) ?? 0) + 1);
    let done = false;
    return () => {
      if (done) return;
      done = true;
      // Packets the far end sent before our BYE reached it are still on their way: 4·T1 covers them.
      this.sipClock.setTimer(4 * (this.stack?.timers.t1 ?? this.opts.embedded.sip.t1Ms), () => {
        const n = (this.refusedStreams.get(key) ?? 1) - 1;
        if (n > 0) this.refusedStreams.set(key, n);
        else this.refusedStreams.delete(key);
      });
    };
  }

  private journalPut(leg: Leg, kind: JournalEntry['kind']): Promise<void> {
    const j = this.opts.journal;
    if (!j) return Promise.resolve();
    return j.put(this.entryFor(leg, kind)).catch((err: Error) => leg.log.warn({ err: err.message, kind }, 'dialog not journalled'));
  }

  /**
   * The early entry is written before the INVITE leaves (journal.ts): a crash
   * after the INVITE always finds what its CANCEL needs. The wait is one Redis
   * round trip (bench/journal.ts measures it), bounded by journalAckWaitMs so
   * that Redis away delays calls, never stops them (then the window is open
   * again, for that call only).
   */
  /** false: `beforeSend` (the first INVITE's last check, see OriginateRequest) refused it and nothing was sent. */
  private async sendInvite(leg: Leg, beforeSend?: () => Promise<boolean>): Promise<boolean> {
    const invite = leg.invite;
    if (this.opts.journal) await this.journalBounded(leg, 'early');
    // Stopped meanwhile: nothing to send. A hangup meanwhile (cancelling) still sends: its CANCEL follows the first 1xx (§9.1).
    const gone = () => leg.state.phase === 'ended' || leg.invite !== invite || !this.stack;
    if (gone()) return true;
    // After the journal write and the pacing, which can both hold the INVITE up: nothing is awaited past this answer.
    if (beforeSend && !(await beforeSend())) return false;
    if (gone()) return true;
    // The ring timeout ("no answer within the set time after dialling") and Timer C (§16.6 step 11) count from the
    // INVITE on the wire, as the FreeSWITCH driver's do (onSent): the journal write and the admission above can hold
    // it up for a second on a slow or failing-over Redis, time the far end never had to ring or play its SIT.
    // An INVITE answering an auth challenge goes on with the first one's timers.
    leg.ringTimer ??= this.sipClock.setTimer(leg.ringTimeoutMs, () => this.input(leg, { type: 'ring-timeout' }));
    if (!leg.timerC) this.restartTimerC(leg);
    this.stack!.request(invite, leg.dest, (o) => this.onInviteOutcome(leg, o));
    return true;
  }

  /** A first INVITE that never left (refused at the last moment): the leg is undone without an end event (the caller has no leg id). */
  private unsent(leg: Leg): void {
    if (leg.state.phase === 'ended') return;
    this.clearLegTimers(leg);
    leg.state = { ...leg.state, phase: 'ended' };
    leg.rtp.close();
    this.pool.release(leg.rtpPort);
    leg.analyzer = undefined;
    this.counters.originated--;
    this.legs.delete(leg.id);
    if (this.byCallId.get(leg.dialog.callId) === leg) this.byCallId.delete(leg.dialog.callId);
    this.opts.journal
      ?.remove(leg.dialog.callId)
      .catch((err: Error) => leg.log.warn({ err: err.message }, 'dialog journal entry not removed'));
  }

  /** A journal write, waited for at most journalAckWaitMs (default 1000 ms). */
  private async journalBounded(leg: Leg, kind: JournalEntry['kind']): Promise<void> {
    let timer: TimerHandle | undefined;
    await Promise.race([
      this.journalPut(leg, kind),
      new Promise<void>((r) => (timer = this.sipClock.setTimer(this.opts.journalAckWaitMs ?? 1000, r))),
    ]);
    this.sipClock.clearTimer(timer);
  }

  /**
   * The dialog is journalled before our ACK confirms it: a crash after the ACK
   * always finds the dialog to BYE. The write is bounded by journalAckWaitMs
   * (Redis away must not cost the call: the far end retransmits its 2xx for
   * 64·T1 only, §13.3.1.4) and the ACK goes out either way.
   */
  private async journalConfirmed(leg: Leg): Promise<void> {
    leg.confirming = true;
    await this.journalBounded(leg, 'confirmed');
    leg.confirming = false;
    leg.journalled = true;
    this.input(leg, { type: 'success' });
  }

  /**
   * Ends a leg a dead process left (journal.ts): BYE or CANCEL in a non-INVITE
   * client transaction (Timer E/F retransmit and give up). Its RTP port, when it
   * was ours, is held back from new calls until then.
   */
  private endOrphan(e: JournalEntry): Promise<void> {
    const stack = this.stack;
    if (!stack) return Promise.resolve();
    const held = e.rtp.host === this.opts.embedded.sip.host && this.pool.hold(e.rtp.port);
    let built: ReturnType<typeof orphanRequests>;
    try {
      built = orphanRequests(e, this.local);
    } catch (err) {
      if (held) this.pool.release(e.rtp.port);
      return Promise.reject(err as Error);
    }
    const unrefuse = this.refuseStream(e);
    const log = this.log.child({ orphan: e.dialog.callId, legId: e.legId, ...e.tags });
    if (e.kind === 'early') {
      this.orphanInvites.set(e.dialog.callId, e);
      // §9.1: 64·T1 after the CANCEL, no 2xx for the INVITE can still come.
      this.sipClock.setTimer(64 * (stack.timers.t1 ?? this.opts.embedded.sip.t1Ms), () => {
        this.orphanInvites.delete(e.dialog.callId);
        this.orphanFinals.delete(e.dialog.callId);
      });
    }
    // The port comes back at the answer, or after 4·T1 (the far end stops streaming when the BYE or a
    // retransmission reaches it; one that never answers must not hold a port for Timer F's 64·T1 — the latch covers it).
    let holdTimer: TimerHandle | undefined;
    const unhold = () => {
      if (!held || holdTimer === undefined) return;
      this.sipClock.clearTimer(holdTimer);
      holdTimer = undefined;
      this.pool.release(e.rtp.port);
    };
    if (held) holdTimer = this.sipClock.setTimer(4 * (stack.timers.t1 ?? this.opts.embedded.sip.t1Ms), unhold);
    const send = (b: (typeof built)[number]) =>
      new Promise<boolean>((resolve) => {
        stack.request(b.request, b.dest, (o) => {
          if (o.kind === 'response' && o.response.status < 200) return;
          log.warn(
            { method: b.request.method, outcome: o.kind === 'response' ? o.response.status : o.kind },
            'orphaned call ended (left by a dead dialer process)',
          );
          resolve(o.kind === 'response');
        });
      });
    const [first, earlyBye] = built;
    const t1 = stack.timers.t1 ?? this.opts.embedded.sip.t1Ms;
    const after = (ms: number) => new Promise<void>((r) => this.sipClock.setTimer(ms, r));
    const run = async (): Promise<boolean> => {
      const cancelled = send(first!);
      if (!earlyBye) return cancelled;
      // The early dialog's BYE (journal.ts, §15) follows the CANCEL's answer (or 4·T1: the answer goes where
      // the INVITE's Via says, which a far end ignoring rport sends to the dead process) and one T1 more, the
      // time for the INVITE's final response to come. When that reached us (a restart on our old SIP port) the
      // 487 was ACKed, or the 2xx ACKed and BYEd, already, and a far end still ringing hears only the CANCEL,
      // as §9.1 has it. Otherwise the BYE ends the call the far end answered (a CANCEL cannot), or gets a 481.
      await Promise.race([cancelled, after(4 * t1)]);
      await after(t1);
      const byed = this.orphanFinals.has(e.dialog.callId) ? false : await send(earlyBye);
      return (await cancelled) || byed;
    };
    return run().then((answered) => {
      if (answered) this.counters.orphansEnded++;
      else this.counters.orphansUnanswered++;
      unhold();
      unrefuse();
    });
  }

  /** A 2xx crossed our CANCEL of an orphaned INVITE: ACK it and BYE at once (§9.1, §15). */
  private orphanAnswered(e: JournalEntry, res: SipResponse): void {
    // The entry turns 'confirmed' at the first 2xx; a retransmitted 2xx is only ACKed again (§13.2.2.4).
    const confirmed: JournalEntry = e.kind === 'confirmed' ? e : { ...e, kind: 'confirmed', dialog: learnDialog(e.dialog, res) };
    this.orphanInvites.set(e.dialog.callId, confirmed);
    const local = e.dest.transport === 'tcp' ? { ...this.local, transport: 'tcp' as const } : this.local;
    const hop = orphanRequest(confirmed, this.local).dest;
    this.stack?.sendRaw(buildInDialog(local, confirmed.dialog, 'ACK', e.inviteCseq), hop);
    if (e.kind === 'early') void this.endOrphan(confirmed);
  }

  private onStray(msg: SipMessage, source: Endpoint): void {
    const leg = this.byCallId.get(header(msg, 'Call-ID')!);
    if (msg.kind === 'request') {
      // ACK for a 2xx we sent: an inbound call's answer stops being resent; a re-INVITE's needs nothing.
      if (msg.method === 'ACK' && leg?.inbound && this.sameDialog(leg, msg)) this.acked(leg);
      return;
    }
    const cseq = parseCSeq(header(msg, 'CSeq')!);
    const orphan = this.orphanInvites.get(header(msg, 'Call-ID')!);
    if (!leg && orphan && cseq.method === 'INVITE' && msg.status >= 200) {
      this.orphanFinals.add(orphan.dialog.callId);
      if (msg.status < 300) return this.orphanAnswered(orphan, msg);
      // Our CANCEL worked (487): the dead process cannot ACK it, so we do (else the far end retransmits for 64·T1).
      return this.stack?.sendRaw(ackForFailure(orphan, msg), orphan.dest);
    }
    if (leg?.confirming) return;
    if (leg?.refreshAck && cseq.method === 'INVITE' && msg.status < 300 && cseq.seq === parseCSeq(header(leg.refreshAck, 'CSeq')!).seq) {
      // Our refresh re-INVITE's 2xx again (its ACK was lost): the same ACK again (§13.2.2.4).
      const ack = leg.refreshAck;
      return this.toNextHop(leg, (dest) => this.stack?.sendRaw(ack, dest));
    }
    if (leg && cseq.method === 'INVITE' && msg.status >= 200 && msg.status < 300 && this.isOtherFork(leg, msg))
      return this.endFork(leg, msg);
    if (leg && cseq.method === 'INVITE' && msg.status >= 200 && msg.status < 300) {
      // A retransmitted 2xx (our ACK was lost): the leg re-ACKs (RFC 3261 §13.2.2.4). The first 2xx
      // of a leg whose INVITE transaction already ended (Timer B) brings the dialog its ACK and BYE need.
      if (!leg.dialog.remoteTag) leg.dialog = learnDialog(leg.dialog, msg);
      return this.input(leg, { type: 'success' });
    }
    this.log.debug({ source, status: msg.status, method: cseq.method, known: !!leg }, 'response matching no transaction dropped');
  }
}

/** A far end's RTP stream: source address, port and SSRC (RFC 3550 §8). */
type StreamId = { address: string; port: number; ssrc: number };

function splitHostPort(s: string): Endpoint {
  const i = s.lastIndexOf(':');
  return i < 0 ? { address: s, port: 5060 } : { address: s.slice(0, i), port: Number(s.slice(i + 1)) };
}

function formatCallerId(id: string, fmt: TrunkConfig['callerIdFormat']): string {
  const digits = id.replace(/[^0-9+]/g, '');
  if (fmt === 'e164') return digits.startsWith('+') || !digits ? digits : `+${digits}`;
  if (fmt === 'national') return digits.replace(/^\+/, '');
  return id;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
