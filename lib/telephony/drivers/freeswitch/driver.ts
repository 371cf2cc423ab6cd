/**
 * The freeswitch driver: signalling through a drachtio-server (drachtio-srf),
 * media on FreeSWITCH (drachtio-fsmrf). Per outbound leg (freeswitch.md):
 * createEndpoint() on the least loaded media server → INVITE to the trunk with
 * the endpoint's SDP → on 183/200 `modify()` the endpoint with the far end's
 * SDP, so RTP flows between the far end and FreeSWITCH. Hold music, beeps,
 * playback, detection and bridging are then FreeSWITCH commands on endpoints.
 *
 * Races (answer after CANCEL, BYE during bridge, media server lost) are
 * settled in one place, `finish()`: the first ending wins, later ones only
 * release what is left.
 */
import { randomUUID } from 'node:crypto';
import { DEFAULT_TIMERS, cancelGuard } from '../../../sip/timers';
import type { Logger } from 'pino';
import type { TrunkConfig } from '../../../config/sections/embedded';
import type { FreeswitchConfig, FreeswitchMediaServerConfig } from '../../../config/sections/freeswitch';
import type { AnalysisPhase, Verdict } from '../../../media/types';
import {
  TelephonyError,
  type DriverHealth,
  type EndCause,
  type IncomingCall,
  type LegEvent,
  type LegId,
  type MediaServerStatus,
  type MediaSource,
  type MonitorMode,
  type MonitorRequest,
  type OriginateRequest,
  type PlayOptions,
  type RecordingResult,
  type RecordRequest,
  type TelephonyDriver,
} from '../../contract';
import { LegAnalysis, type AnalyzerFactory, type TapStats } from './analysis';
import { endFromCancelGuard, endFromMediaLoss, endFromRemoteBye, endFromUacFailure, type LocalEnding } from './causes';
import { checkFreeswitchConfig, checkNativeDetection, forkAddressOf, inviteFor } from './config';
import {
  BEEP_POLL_MS,
  PLAYBACK_END_WAIT_MS,
  FORK_SINK_HEADERS,
  PLAYBACK_VARS,
  beepWaitMs,
  displaceTarget,
  chooseAudioMode,
  displacing,
  fifoPathFor,
  holdTarget,
  toneTarget,
} from './detect';
import { answerDirection, earlySdpNeededNow, endpointSdp, nextSessionVersion, withDirection } from './sdp';
import { heardAgain, isStalled, MediaServerPool, statusOf, up, type PoolMember } from './pool';
import { CreationGate, gateMediaServer } from './gate';
import { answerWithin, boundCreations, type StallWatch } from './stall';
import type {
  AudioForkFactory,
  AudioTapFactory,
  DriverClock,
  EndpointPort,
  EslConnect,
  IncomingInvite,
  MrfPort,
  RecordStop,
  SentInvite,
  SipProvisional,
  SrfPort,
  UacDialog,
  UacFailure,
} from './ports';
import { EndpointQueueTimeout, MediaServerStalled, ReofferRefused } from './ports';
import { needsFor, preflightMediaServer } from './preflight';
import {
  apiOk,
  EAVESDROP_VARS,
  eavesdropDigit,
  eavesdropEvent,
  RECORD_VARS,
  RECORD_WRITE_FAILED,
  recordingResult,
  writeFailure,
} from './supervision';

export interface FreeswitchDriverDeps {
  config: {
    freeswitch: FreeswitchConfig;
    trunks: readonly TrunkConfig[];
    defaultRegion: string;
    defaultToneRegion?: string;
  };
  srf: SrfPort;
  mrf: MrfPort;
  esl: EslConnect;
  openTap: AudioTapFactory;
  /** Native mode: the dialer's UDP socket FreeSWITCH sends a leg's audio to (fork.ts). */
  openFork: AudioForkFactory;
  clock: DriverClock;
  logger: Logger;
  /** lib/media's createCallAnalyzer: the analyser in stream mode, the person/machine decision in native mode. */
  createAnalyzer?: AnalyzerFactory;
  /** Per analysed leg at its end (stream mode): when media started and when the analyser got its first frame. */
  onTapStats?: (legId: LegId, stats: TapStats) => void;
}

type LegState = 'inviting' | 'early' | 'answered' | 'ended';

interface Leg {
  id: LegId;
  state: LegState;
  member: PoolMember;
  ep: EndpointPort;
  /** A SIP URI (agent phone, bot) rather than a number through a trunk. */
  toUri: boolean;
  invite?: SentInvite;
  uac?: UacDialog;
  cancelledBy?: LocalEnding;
  /** The endpoint was lost before the INVITE was on the wire: onSent CANCELs it and ends the leg (after originate resolved). */
  mediaLost?: EndCause;
  /** Ends the leg for a lost media server (its endpoint's end, or the server fell silent), whatever stage it is at. */
  loseMedia: (end: EndCause) => void;
  ringTimer?: unknown;
  /** §9.1: 64·T1 after our CANCEL without a final response, the leg ends (causes.ts endFromCancelGuard). */
  cancelGuard?: unknown;
  analysis?: LegAnalysis;
  appliedSdp?: string;
  /** The SDP the far end has from us: the INVITE's offer, then each re-INVITE's answer (their o= versions, RFC 3264 §8). */
  sentSdp: string;
  /** Serialises endpoint media changes (modify, then play/bridge wait for it). */
  media: Promise<void>;
  bridgedTo?: LegId;
  playback?: { id: string; loop: boolean };
  /**
   * Any playback on the channel (a message, hold music, a beep of its own) until FreeSWITCH reports its end
   * (CHANNEL_EXECUTE_COMPLETE): nothing else is started on the leg before (detect.ts PLAYBACK_END_WAIT_MS).
   */
  playRun?: Promise<void>;
  ended: Promise<void>;
  resolveEnded: () => void;
  /** Settles when FreeSWITCH has hung the endpoint up (files it recorded are closed). */
  gone?: Promise<void>;
  /** Our BYE's transaction (not awaited by hangup, RFC 3261 §15.1.1; stop waits for it before disconnecting). */
  bye?: Promise<void>;
  /** RECORD_STOP events of this channel are subscribed (the first recording on it). */
  recordStops?: boolean;
  /** Its playback runs on FreeSWITCH's timer (PLAYBACK_VARS, set before its first playback). */
  playbackTimer?: boolean;
  /** Beeps written over its playbacks so far: each displace gets its own file name (detect.ts displaceTarget). */
  beeps: number;
  log: Logger;
}

/** An inbound INVITE not answered yet (issue 18): no FreeSWITCH endpoint until it is answered. */
interface PendingInbound {
  id: LegId;
  inv: IncomingInvite;
  /** The caller sent CANCEL (its `end` event is out). */
  cancelled: boolean;
  /** answerIncoming is running (a CANCEL then ends the leg there). */
  answering: boolean;
}

/** A supervisor's eavesdrop on an agent's channel (supervision.ts). */
interface Monitor {
  supervisorLeg: LegId;
  agentLeg: LegId;
  mode: MonitorMode;
  /** The running `eavesdrop` application; settles when it ends. */
  run: Promise<unknown>;
  /** Settles once `eavesdrop` runs on the supervisor's channel (it takes commands from then on). */
  started: Promise<void>;
}

/** A uuid_record on the customer's channel (supervision.ts). */
interface Recording {
  id: string;
  path: string;
  customer: Leg;
  /** Absent until named (a recording from the answer). */
  agent?: Leg;
  startedAt: number;
  onEnd?: (r: RecordingResult) => void;
  done?: Promise<RecordingResult>;
  /** FreeSWITCH's RECORD_STOP for this file, once it came. */
  stopped?: RecordStop;
  /** Wakes a closeRecording waiting for that RECORD_STOP. */
  onStopped?: () => void;
}

/** Ended leg ids remembered so a late hangup() resolves instead of failing. */
const ENDED_MEMORY = 10_000;
export const DEFAULT_BEEP = { freqHz: 1000, durationMs: 200 } as const;
/**
 * How long a stopped recording waits for FreeSWITCH's RECORD_STOP (whose completion cause says whether the
 * last writes failed). It follows the uuid_record reply at once; the bound only covers a lost event socket.
 */
const RECORD_STOP_WAIT_MS = 5000;
/** How long `eavesdrop` may take to start on the supervisor's channel (a loaded FreeSWITCH: some hundred ms). */
const EAVESDROP_START_MS = 5000;
/**
 * How long a hung-up endpoint may stay counted on its media server without FreeSWITCH confirming the hangup:
 * 64·T1 (RFC 3261 §17.1.2.2, Timer F), the longest FreeSWITCH's BYE for it can be in transit. The adapter ends
 * the wait when the endpoint's socket closes (a dead server); this bounds a server that is up but answers nothing,
 * whose legs would otherwise keep it loaded, or keep a draining one in the pool, for ever.
 */
export const ENDPOINT_HANGUP_WAIT_MS = 32_000;
/** RFC 3261 §9.1 with drachtio's (sofia-sip's) T1 of 500 ms: 32 s. */
const CANCEL_GUARD_MS = cancelGuard(DEFAULT_TIMERS);

export class FreeswitchDriver implements TelephonyDriver {
  readonly name = 'freeswitch';
  private readonly listeners = new Set<(e: LegEvent) => void>();
  private readonly legs = new Map<LegId, Leg>();
  private readonly endedIds = new Set<LegId>();
  private readonly pool = new MediaServerPool();
  private readonly monitors = new Map<LegId, Monitor>();
  private readonly recordings = new Map<string, Recording>();
  private running = false;
  /** Silence watch timers run (start() to stop()). */
  private watching = false;
  private readonly pendingIn = new Map<LegId, PendingInbound>();
  private incomingHandler?: (call: IncomingCall) => void;

  /** Each call's set-up requests to a media server, bounded (stall.ts). */
  private readonly stallWatch: StallWatch;

  constructor(private readonly d: FreeswitchDriverDeps) {
    this.pool.onLeft = (m) => {
      // Its silence watch goes with it: left armed, it outlived the member (and held a stopped dialer's process
      // up to mediaServerSilenceMs, since stop() only clears the members still in the pool).
      this.unwatch(m);
      this.d.logger.info({ mediaServer: m.name }, 'media server drained: it has left the pool');
    };
    this.stallWatch = {
      clock: d.clock,
      boundMs: d.config.freeswitch.mediaServerStallMs,
      onChange: (m, stalled, what, waitedMs) =>
        stalled
          ? d.logger.error({ mediaServer: m.name, waitedMs }, `media server did not answer ${what}: no new calls go to it until it does`)
          : d.logger.warn({ mediaServer: m.name, waitedMs }, `media server answered ${what} late: it takes calls again`),
    };
  }

  async start(): Promise<void> {
    const fs = this.d.config.freeswitch;
    checkFreeswitchConfig(fs, this.d.config.trunks);
    checkNativeDetection(fs);
    if (!this.d.createAnalyzer) throw new Error('freeswitch driver: detection needs lib/media createCallAnalyzer (pass createAnalyzer)');
    const { host, port, secret } = fs.drachtio;
    try {
      await this.d.srf.connect({ host, port, secret, timeoutMs: fs.connectTimeoutMs });
    } catch (err) {
      throw new Error(
        `freeswitch driver: cannot connect to drachtio-server ${host}:${port} (telephony.freeswitch.drachtio): ${(err as Error).message}`,
      );
    }
    this.d.srf.onDisconnect(() => this.d.logger.error({ host, port }, 'drachtio-server connection lost'));
    // Registered once: drachtio-server then offers INVITEs to us rather than refusing them itself (503).
    this.d.srf.onInvite?.((inv) => this.incoming(inv));
    this.watching = true;
    try {
      for (const ms of fs.mediaServers) await this.connectMediaServer(ms);
    } catch (err) {
      this.stopWatching();
      this.pool.disconnectAll();
      this.d.srf.disconnect();
      throw err;
    }
    this.running = true;
  }

  async stop(): Promise<void> {
    this.running = false;
    for (const p of [...this.pendingIn.values()]) this.refuse(p, 503, 'Service Unavailable');
    const legs = [...this.legs.values()];
    await Promise.all(legs.map((l) => this.hangup(l.id, { reason: 'driver stopping' }).catch(() => undefined)));
    this.stopWatching();
    // drachtio carries the BYEs: it is let go once they are answered (or timed out), as before hangup stopped waiting.
    await Promise.all(legs.map((l) => l.bye ?? Promise.resolve()));
    this.pool.disconnectAll();
    this.d.srf.disconnect();
  }

  onEvent(listener: (e: LegEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  health(): DriverHealth {
    const ms = this.pool.connectedCount();
    const total = this.d.config.freeswitch.mediaServers.length;
    const ok = this.running && this.d.srf.connected && ms > 0;
    const others = this.pool
      .status()
      .filter((s) => s.state !== 'active' || !s.connected || this.stalled(s.name))
      .map((s) => `${s.name} ${s.state === 'active' ? this.downWord(s.name) : `${s.state} (${s.legs} legs)`}`);
    const left = total - this.pool.all().length;
    if (left > 0) others.push(`${left} drained and left`);
    return {
      ok,
      detail: `drachtio ${this.d.srf.connected ? 'connected' : 'down'}; media servers ${ms}/${total} connected${others.length ? ` (${others.join(', ')})` : ''}`,
      activeLegs: this.legs.size + this.pendingIn.size,
    };
  }

  /** Why an active member takes no calls: its event socket is down, it is connected but silent, or a set-up request is overdue. */
  private downWord(name: string): string {
    const m = this.pool.all().find((x) => x.name === name);
    return m?.silent ? 'silent' : m && up(m) && isStalled(m) ? 'stalled' : 'down';
  }

  private stalled(name: string): boolean {
    const m = this.pool.all().find((x) => x.name === name);
    return !!m && isStalled(m);
  }

  /** The name of the media server a live leg is on (logs, tests), or undefined. */
  mediaServerOf(legId: LegId): string | undefined {
    return this.legs.get(legId)?.member.name;
  }

  mediaServers(): MediaServerStatus[] {
    return this.pool.status();
  }

  drainMediaServer(name: string): MediaServerStatus | undefined {
    const m = this.pool.drain(name);
    if (!m) return undefined;
    this.d.logger.info({ mediaServer: name, legs: m.legs }, 'media server draining: no new calls go to it');
    return statusOf(m);
  }

  /** The FreeSWITCH channel uuid of a live leg (to find it in FreeSWITCH's log or with fs_cli), or undefined. */
  mediaUuid(legId: LegId): string | undefined {
    return this.legs.get(legId)?.ep.uuid;
  }

  async originate(req: OriginateRequest): Promise<LegId> {
    if (!this.running) throw new TelephonyError('UNAVAILABLE', 'freeswitch driver is not started');
    if (!(req.ringTimeoutMs > 0)) throw new TelephonyError('BAD_REQUEST', 'ringTimeoutMs must be a positive number');
    // drachtio-server lost (it died or restarts; srf reconnects by itself): nothing can be sent, the call goes back uncounted.
    if (!this.d.srf.connected) throw new TelephonyError('NO_CAPACITY', 'drachtio-server is not connected; nothing went out');
    const { config } = this.d;
    const target = inviteFor(req, '', config.trunks, config.defaultRegion);
    const toUri = /^sips?:/i.test(req.to);
    // Eavesdrop and uuid_bridge need both channels on one FreeSWITCH: a leg that will join another goes where it is.
    const near = req.nearLeg ? this.legs.get(req.nearLeg) : undefined;
    // Joining a leg on a draining server is part of a call it still carries, not a new call.
    const member = near && near.member.state !== 'left' && up(near.member) ? near.member : this.pickMember(toUri);
    if (!member) throw new TelephonyError('NO_CAPACITY', 'no connected media server has room');
    this.pool.acquire(member);
    let ep: EndpointPort;
    try {
      ep = await member.ms.createEndpoint();
    } catch (err) {
      this.pool.release(member);
      // Nothing went to the far end: the call is given back uncounted (NO_CAPACITY), to be placed on another.
      // A server that failed rests (it may be dying: its event socket can close a moment after this failure);
      // one that only had no free turn for the creation (gate.ts) is busy, not failing.
      if (err instanceof EndpointQueueTimeout) {
        this.d.logger.warn({ mediaServer: member.name }, `createEndpoint waited too long: ${(err as Error).message}`);
        throw new TelephonyError('NO_CAPACITY', `media server ${member.name}: ${(err as Error).message}`);
      }
      // Stalled: it rests until it answers (pool.ts), not for a fixed time.
      if (err instanceof MediaServerStalled) throw new TelephonyError('NO_CAPACITY', `${err.message}; nothing went out`);
      member.backoffUntil = this.now() + this.d.config.freeswitch.mediaServerBackoffMs;
      this.d.logger.warn({ err, mediaServer: member.name }, 'createEndpoint failed; the media server gets no calls for a while');
      throw new TelephonyError('NO_CAPACITY', `media server ${member.name}: createEndpoint failed: ${(err as Error).message}`);
    }
    target.opts.localSdp = ep.localSdp;
    const id = randomUUID();
    let resolveEnded!: () => void;
    const leg: Leg = {
      id,
      state: 'inviting',
      member,
      ep,
      toUri,
      sentSdp: ep.localSdp,
      media: Promise.resolve(),
      ended: new Promise<void>((r) => (resolveEnded = r)),
      resolveEnded: () => resolveEnded(),
      log: this.d.logger.child({ legId: id, ...(req.tags ?? {}) }),
      beeps: 0,
      loseMedia: () => undefined,
    };
    this.legs.set(id, leg);
    // Listened to from the start: a media server dying while detection is attached must not go unnoticed.
    let onLost!: () => void;
    const lost = new Promise<void>((r) => (onLost = r));
    leg.loseMedia = (end) => {
      if (leg.state === 'ended') return;
      // Not sent yet (its media server died in between): the caller has no leg id yet, so no end event now.
      if (leg.state === 'inviting' && !leg.invite) {
        leg.mediaLost ??= end;
        onLost();
      } else this.finish(leg, end);
    };
    ep.onDestroy((cause) => leg.loseMedia(endFromMediaLoss(cause, leg.state === 'answered')));
    ep.onDtmf((digit, durationMs) => this.emit({ type: 'dtmf', legId: id, at: this.now(), digit, durationMs }));
    if (req.analysis && (req.analysis.early || req.analysis.answered)) {
      const analysis = this.makeAnalysis(leg, req);
      leg.analysis = analysis;
      // Detection is on before the INVITE leaves, so before any RTP can arrive (a few ms of post-dial delay).
      try {
        // A command to a FreeSWITCH that just died may never be answered: the loss ends the wait; one that hangs, the
        // bound. Native mode's attach makes the fork's sink endpoint too, which may first wait its turn (gate.ts).
        const fs = config.freeswitch;
        const bound = fs.mediaServerStallMs + (analysis.mode === 'native' ? fs.endpointQueueTimeoutMs : 0);
        const attach = answerWithin(member, analysis.prepare(), 'the commands attaching detection', this.stallWatch, undefined, bound);
        await Promise.race([attach, lost]);
      } catch (err) {
        if (err instanceof MediaServerStalled) {
          // A call is not sent with its media on a server that does not answer.
          this.release(leg);
          throw new TelephonyError('NO_CAPACITY', `${err.message}; nothing went out`);
        }
        leg.log.warn({ err }, 'analysis could not be attached; the call goes on without it');
        await analysis.stop();
      }
    }
    if (leg.mediaLost || !up(member)) {
      // Its media server is gone before the INVITE left: no call to the far end, nothing but the error.
      this.release(leg);
      throw new TelephonyError('NO_CAPACITY', `media server ${member.name} was lost before the INVITE was sent; nothing went out`);
    }
    // The last word before the INVITE (OriginateRequest.beforeSend): after the endpoint and detection, which can take a while.
    if (req.beforeSend) {
      let ok = false;
      try {
        ok = (await req.beforeSend()) && !leg.mediaLost && member.ms.connected;
      } catch (err) {
        this.release(leg);
        throw err;
      }
      if (!ok) {
        this.release(leg);
        throw new TelephonyError(
          'NO_CAPACITY',
          'not admitted at the moment of sending (beforeSend), or its media server was lost; nothing went out',
        );
      }
    }

    return new Promise<LegId>((resolve, reject) => {
      let sent = false;
      this.d.srf
        .createUac(target.uri, target.opts, {
          onSent: (invite) => {
            sent = true;
            leg.invite = invite;
            this.emit({ type: 'trying', legId: id, at: this.now() });
            const lost = leg.mediaLost;
            if (lost) {
              // Its FreeSWITCH is gone: the far end must not ring for a call without media.
              invite.cancel();
              resolve(id);
              setImmediate(() => this.finish(leg, lost));
              return;
            }
            leg.ringTimer = this.d.clock.setTimeout(() => this.cancel(leg, 'timeout'), req.ringTimeoutMs);
            if (leg.cancelledBy) invite.cancel();
            resolve(id);
          },
          onProvisional: (res) => this.onProvisional(leg, res, req),
        })
        .then(
          (uac) => this.onAnswer(leg, uac),
          (f: UacFailure) => {
            if (sent) return this.finish(leg, endFromUacFailure(f, leg.cancelledBy));
            // Never on the wire: no leg for the caller, nothing to report but the error. With drachtio-server lost
            // meanwhile (srf: "assert(typeSocket(socket))"), the call goes back uncounted as above; any other refusal
            // (a request drachtio will not send) is the call's error, not to be retried at once for ever.
            this.release(leg);
            if (!this.d.srf.connected)
              reject(
                new TelephonyError('NO_CAPACITY', `drachtio-server was lost before the INVITE was sent; nothing went out (${f.message})`),
              );
            else reject(new TelephonyError('UNAVAILABLE', `INVITE not sent: ${f.message}`));
          },
        );
    });
  }

  async hangup(legId: LegId, opts: { reason?: string } = {}): Promise<void> {
    const pending = this.pendingIn.get(legId);
    if (pending && !pending.answering) return this.refuse(pending, 480, 'Temporarily Unavailable');
    const leg = this.legs.get(legId);
    if (!leg) {
      if (this.endedIds.has(legId)) return;
      throw new TelephonyError('UNKNOWN_LEG', `no leg ${legId}`);
    }
    if (leg.state === 'answered') {
      const uac = leg.uac!;
      this.finish(leg, { by: 'local', answered: true, sipStatus: 200, sipReason: 'BYE', ...(opts.reason ? { detail: opts.reason } : {}) });
      // Not awaited: the session ends once the BYE is handed to its client transaction (RFC 3261 §15.1.1). A far end
      // that no longer answers would hold the hang-up, and whoever waits on it (the agent's hold music), for
      // Timer F, 32 s (test/e2e/freeswitch/bridge-end.test.ts). Its failure is still logged.
      leg.bye = uac.destroy().catch((err) => leg.log.warn({ err }, 'BYE failed'));
    } else if (leg.state !== 'ended') {
      this.cancel(leg, 'local');
    }
    await leg.ended;
  }

  async play(legId: LegId, source: MediaSource, opts: PlayOptions = {}): Promise<string> {
    const leg = this.answered(legId, 'play');
    if (leg.bridgedTo) throw new TelephonyError('BAD_STATE', `leg ${legId} is bridged: unbridge it before playing`);
    await this.mediaSettled(leg);
    await this.timePlayback(leg);
    // Last: no wait between the leg's playback having ended and the next one being set.
    await this.quiet(leg);
    const id = randomUUID();
    const loop = source.kind === 'hold' || !!opts.loop;
    let run: Promise<unknown>;
    if (source.kind === 'hold') run = leg.ep.play(holdTarget(this.d.config.freeswitch.holdStream));
    else if (source.kind === 'tone') run = leg.ep.play(toneTarget(source.freqHz, source.durationMs, loop));
    // endless_playback (mod_dptools) repeats a file until uuid_break.
    else run = loop ? leg.ep.execute('endless_playback', source.path) : leg.ep.play(source.path);
    leg.playback = { id, loop };
    // A stream never resolves by itself: not awaited (freeswitch.md); uuid_break ends it.
    void this.track(leg, run)
      .catch((err) => leg.log.warn({ err, source }, 'playback failed'))
      .then(() => {
        if (leg.playback?.id === id) leg.playback = undefined;
        if (!loop && leg.state !== 'ended') this.emit({ type: 'playback-done', legId, at: this.now(), id });
      });
    return id;
  }

  async stopPlayback(legId: LegId): Promise<void> {
    const leg = this.answered(legId, 'stopPlayback');
    if (!leg.playback) return;
    await this.quiet(leg);
  }

  /** The leg's playback run, known until FreeSWITCH reports its end (Leg.playRun). */
  private track<T>(leg: Leg, run: Promise<T>): Promise<T> {
    const settled: Promise<void> = run.then(
      () => undefined,
      () => undefined,
    );
    leg.playRun = settled;
    void settled.then(() => {
      if (leg.playRun === settled) leg.playRun = undefined;
    });
    return run;
  }

  /**
   * Breaks what plays on the leg and waits for FreeSWITCH to report its end, so that the next application
   * cannot run inside it (detect.ts PLAYBACK_END_WAIT_MS). A beep playing on its own is short: waited for.
   */
  private async quiet(leg: Leg): Promise<void> {
    while (leg.playRun && leg.state !== 'ended') {
      const run = leg.playRun;
      // No playback known: what runs is a beep played on its own, left to end by itself (not broken).
      const broken = !!leg.playback;
      if (leg.playback) {
        leg.playback = undefined;
        await leg.ep.api('uuid_break', [leg.ep.uuid, 'all']);
      }
      let timer: unknown;
      const ended = await Promise.race([
        run.then(() => true),
        new Promise<boolean>((r) => (timer = this.d.clock.setTimeout(() => r(false), PLAYBACK_END_WAIT_MS))),
      ]);
      this.d.clock.clearTimeout(timer);
      if (!ended) {
        leg.log.warn(
          { waitedMs: PLAYBACK_END_WAIT_MS },
          `FreeSWITCH did not report the end of ${broken ? 'a broken playback' : "a beep's playback"}; going on without it`,
        );
        if (leg.playRun === run) leg.playRun = undefined;
      }
    }
  }

  async beep(legId: LegId, opts: { freqHz?: number; durationMs?: number } = {}): Promise<void> {
    const leg = this.answered(legId, 'beep');
    await this.mediaSettled(leg);
    const tone = toneTarget(opts.freqHz ?? DEFAULT_BEEP.freqHz, opts.durationMs ?? DEFAULT_BEEP.durationMs);
    if (leg.playback) {
      // Over what is playing (an agent's hold music): FreeSWITCH's displace bug replaces the next frames the
      // running playback writes with the tone, then removes itself. No second playback, so no second service
      // thread on the leg (why: detect.ts BEEP_POLL_MS).
      const uuid = leg.ep.uuid;
      const over = displaceTarget(tone, ++leg.beeps);
      const reply = await leg.ep.api('uuid_displace', [uuid, 'start', over, '0']);
      if (!reply.trimStart().startsWith('+OK')) {
        // Refused (no displace on this channel): the beep as its own playback, as before.
        leg.log.warn({ tone, reply: reply.trim() }, 'beep: uuid_displace refused; played instead');
        return this.playBeep(leg, tone);
      }
      const started = this.now();
      const boundMs = beepWaitMs(opts.durationMs ?? DEFAULT_BEEP.durationMs);
      let ended = true;
      while (displacing(await leg.ep.api('uuid_buglist', [uuid]).catch(() => ''))) {
        if (this.now() - started > boundMs) {
          ended = false;
          leg.log.warn(
            { tone, waitedMs: this.now() - started, boundMs },
            "beep: the displace did not end within its length and a loaded server's lag; stopped, the call goes on",
          );
          await leg.ep.api('uuid_displace', [uuid, 'stop', over]).catch(() => undefined);
          break;
        }
        await new Promise((r) => this.d.clock.setTimeout(() => r(undefined), BEEP_POLL_MS));
      }
      if (ended) leg.log.debug({ tone, ms: this.now() - started }, 'beep written over the playback');
      // The beep ends what was playing, as it always has (the caller bridges or plays next).
      await this.quiet(leg);
      return;
    }
    await this.playBeep(leg, tone);
  }

  /** The beep as a timed playback of its own (nothing playing to write it over: see beep()). */
  private async playBeep(leg: Leg, tone: string): Promise<void> {
    await this.timePlayback(leg);
    await this.quiet(leg);
    await this.track(leg, leg.ep.play(tone));
  }

  /**
   * Playback on this leg paced by FreeSWITCH's soft timer, not by the RTP the far end sends (detect.ts
   * PLAYBACK_VARS): set once, before its first playback.
   */
  private async timePlayback(leg: Leg): Promise<void> {
    if (leg.playbackTimer) return;
    await leg.ep.set({ ...PLAYBACK_VARS });
    leg.playbackTimer = true;
  }

  async bridge(a: LegId, b: LegId): Promise<void> {
    if (a === b) throw new TelephonyError('BAD_REQUEST', 'cannot bridge a leg to itself');
    const la = this.answered(a, 'bridge');
    const lb = this.answered(b, 'bridge');
    if (la.member !== lb.member) {
      throw new TelephonyError(
        'BAD_STATE',
        `legs ${a} and ${b} are on different media servers (${la.member.cfg.address}, ${lb.member.cfg.address}): uuid_bridge needs one FreeSWITCH`,
      );
    }
    // Bridging an endpoint before modify() drops both legs with 488 (freeswitch.md).
    await this.mediaSettled(la, lb);
    await Promise.all([la.analysis?.stop(), lb.analysis?.stop()]);
    await Promise.all([this.quiet(la), this.quiet(lb)]);
    if (la.bridgedTo) await this.unbridge(a);
    if (lb.bridgedTo) await this.unbridge(b);
    await la.ep.bridge(lb.ep);
    la.bridgedTo = b;
    lb.bridgedTo = a;
    const at = this.now();
    this.emit({ type: 'bridged', legId: a, at, peer: b });
    this.emit({ type: 'bridged', legId: b, at, peer: a });
  }

  async unbridge(a: LegId): Promise<void> {
    const la = this.answered(a, 'unbridge');
    const peer = la.bridgedTo;
    if (!peer) return;
    await la.ep.unbridge();
    this.clearBridge(la);
  }

  /* ---------------- listen / whisper / barge, recording (supervision.ts) ---------------- */

  async monitor(req: MonitorRequest): Promise<void> {
    if (req.supervisorLeg === req.agentLeg) throw new TelephonyError('BAD_REQUEST', 'a leg cannot monitor itself');
    const sup = this.answered(req.supervisorLeg, 'monitor');
    const agent = this.answered(req.agentLeg, 'monitor');
    if (!agent.bridgedTo) throw new TelephonyError('BAD_STATE', `leg ${agent.id} is not bridged to a call`);
    if (sup.bridgedTo) throw new TelephonyError('BAD_STATE', `leg ${sup.id} is bridged: unbridge it before monitoring`);
    if (this.monitors.has(sup.id)) throw new TelephonyError('BAD_STATE', `leg ${sup.id} already monitors a call`);
    if (sup.member !== agent.member) {
      throw new TelephonyError(
        'BAD_STATE',
        `legs ${sup.id} and ${agent.id} are on different media servers (${sup.member.cfg.address}, ${agent.member.cfg.address}): eavesdrop needs one FreeSWITCH`,
      );
    }
    await this.mediaSettled(sup, agent);
    // eavesdrop writes nothing to the supervisor until FreeSWITCH has media going on that channel (seen live:
    // a phone that waits to hear before it sends got silence for the whole listen-in). The short beep starts
    // it, and tells the supervisor they are in. It also stops what was playing (written over it when something
    // plays: no second playback, detect.ts BEEP_POLL_MS).
    await this.beep(sup.id);
    const m: Monitor = { supervisorLeg: sup.id, agentLeg: agent.id, mode: req.mode, run: Promise.resolve(), started: Promise.resolve() };
    this.monitors.set(sup.id, m);
    try {
      m.started = this.eavesdrop(m, sup, agent);
      await m.started;
    } catch (err) {
      this.monitors.delete(sup.id);
      throw err;
    }
  }

  async setMonitorMode(supervisorLeg: LegId, mode: MonitorMode): Promise<void> {
    const m = this.monitors.get(supervisorLeg);
    if (!m) throw new TelephonyError('BAD_STATE', `leg ${supervisorLeg} is not monitoring a call`);
    const sup = this.answered(m.supervisorLeg, 'setMonitorMode');
    await m.started;
    m.mode = mode;
    await this.eavesdropCommand(sup, eavesdropDigit(mode));
  }

  async stopMonitor(supervisorLeg: LegId): Promise<void> {
    const m = this.monitors.get(supervisorLeg);
    if (!m) throw new TelephonyError('BAD_STATE', `leg ${supervisorLeg} is not monitoring a call`);
    this.monitors.delete(supervisorLeg);
    const sup = this.legs.get(supervisorLeg);
    if (sup && sup.state === 'answered') await this.endEavesdrop(sup, m);
  }

  async startRecording(req: RecordRequest): Promise<string> {
    if (!req.path) throw new TelephonyError('BAD_REQUEST', 'recording path is required');
    if (req.customerLeg === req.agentLeg) throw new TelephonyError('BAD_REQUEST', 'customer and agent must be two legs');
    const customer = this.answered(req.customerLeg, 'startRecording');
    const agent = req.agentLeg === undefined ? undefined : this.answered(req.agentLeg, 'startRecording');
    const rec: Recording = {
      id: randomUUID(),
      path: req.path,
      customer,
      ...(agent ? { agent } : {}),
      startedAt: this.now(),
      ...(req.onEnd ? { onEnd: req.onEnd } : {}),
    };
    this.recordings.set(rec.id, rec);
    let error: string | undefined;
    try {
      await customer.media;
      this.watchRecordStops(customer);
      await customer.ep.set(RECORD_VARS);
      const reply = await customer.ep.api('uuid_record', [customer.ep.uuid, 'start', req.path]);
      if (!apiOk(reply)) error = `uuid_record refused: ${reply.trim()}`;
    } catch (err) {
      error = (err as Error).message;
    }
    // Like the embedded driver: a recording that cannot be written ends at once with the error; the call goes on.
    if (error) void this.closeRecording(rec, 'error', error);
    return rec.id;
  }

  /** The customer's channel already records both directions: the agent is only remembered (its end ends the recording). */
  async recordingAgent(id: string, agentLeg: LegId): Promise<void> {
    const rec = this.recordings.get(id);
    if (!rec) throw new TelephonyError('UNKNOWN_LEG', `no recording ${id}`);
    if (rec.agent) throw new TelephonyError('BAD_STATE', `recording ${id} already has its agent (${rec.agent.id})`);
    const agent = this.answered(agentLeg, 'recordingAgent');
    if (agent === rec.customer) throw new TelephonyError('BAD_REQUEST', 'customer and agent must be two legs');
    rec.agent = agent;
  }

  async stopRecording(id: string): Promise<RecordingResult> {
    const rec = this.recordings.get(id);
    if (!rec) throw new TelephonyError('UNKNOWN_LEG', `no recording ${id}`);
    return this.closeRecording(rec, 'stop');
  }

  private async eavesdrop(m: Monitor, sup: Leg, agent: Leg): Promise<void> {
    await sup.ep.set(EAVESDROP_VARS);
    // Runs until its `*` command or either channel hangs up: not awaited.
    let over = false;
    m.run = sup.ep
      .execute('eavesdrop', agent.ep.uuid)
      .catch((err) => sup.log.warn({ err }, 'eavesdrop ended with an error'))
      .finally(() => (over = true));
    // A digit queued before the eavesdrop loop reads the channel would go to the application before it.
    const until = this.now() + EAVESDROP_START_MS;
    for (;;) {
      const app = await sup.ep.api('uuid_getvar', [sup.ep.uuid, 'current_application']);
      if (app.trim() === 'eavesdrop') break;
      if (over || this.now() > until) {
        throw new TelephonyError('UNAVAILABLE', `eavesdrop did not start on leg ${sup.id} (current application: ${app.trim()})`);
      }
      await new Promise<void>((r) => this.d.clock.setTimeout(r, 20));
    }
    if (m.mode !== 'listen') await this.eavesdropCommand(sup, eavesdropDigit(m.mode));
  }

  private async eavesdropCommand(sup: Leg, command: string): Promise<void> {
    const reply = await sup.ep.queueEvent(eavesdropEvent(command));
    if (!apiOk(reply)) throw new TelephonyError('UNAVAILABLE', `eavesdrop command refused: ${reply.trim()}`);
  }

  private async endEavesdrop(sup: Leg, m: Monitor): Promise<void> {
    await m.started.catch(() => undefined);
    await this.eavesdropCommand(sup, '*');
    // The next application on the channel (hold music, another monitor) waits for this one to have ended.
    await m.run;
    // Keypad digits the eavesdrop ignored are still queued: they must not reach what plays next.
    if (sup.state === 'answered') {
      const reply = await sup.ep.api('uuid_flush_dtmf', [sup.ep.uuid]).catch((err: Error) => err.message);
      if (!apiOk(reply)) sup.log.debug({ reply }, 'uuid_flush_dtmf');
    }
  }

  /** A leg ended or came out of its bridge: the monitors of its call end. */
  private endMonitors(legId: LegId): void {
    for (const m of [...this.monitors.values()]) {
      if (m.agentLeg !== legId && m.supervisorLeg !== legId) continue;
      this.monitors.delete(m.supervisorLeg);
      const sup = this.legs.get(m.supervisorLeg);
      if (sup && sup.state === 'answered' && m.supervisorLeg !== legId) {
        void this.endEavesdrop(sup, m).catch((err) => sup.log.debug({ err }, 'eavesdrop already over'));
      }
    }
  }

  /**
   * FreeSWITCH ends a recording by itself when a write fails (RECORD_USE_THREAD=false, supervision.ts):
   * its RECORD_STOP says uri-failure. The recording then ends as an error; the call goes on.
   */
  private watchRecordStops(leg: Leg): void {
    if (leg.recordStops) return;
    leg.recordStops = true;
    leg.ep.onRecordStop((stop) => {
      for (const rec of this.recordings.values()) {
        if (rec.customer !== leg || rec.path !== stop.path || rec.stopped) continue;
        rec.stopped = stop;
        rec.onStopped?.();
        if (stop.cause === RECORD_WRITE_FAILED) void this.closeRecording(rec, 'error', writeFailure(rec.path), true);
      }
    });
  }

  /** Resolves when the recording's RECORD_STOP has come, or after RECORD_STOP_WAIT_MS. */
  private recordStopped(rec: Recording): Promise<void> {
    if (rec.stopped) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = this.d.clock.setTimeout(resolve, RECORD_STOP_WAIT_MS);
      rec.onStopped = () => {
        this.d.clock.clearTimeout(timer);
        resolve();
      };
    });
  }

  /** A leg ended: recordings it is part of end too. */
  private endRecordings(leg: Leg): void {
    for (const r of this.recordings.values()) if (r.customer === leg || r.agent === leg) void this.closeRecording(r, 'leg-ended');
  }

  /** Stops a recording once, reads what FreeSWITCH wrote and reports it (onEnd). */
  private closeRecording(rec: Recording, endedBy: RecordingResult['endedBy'], error?: string, partial = false): Promise<RecordingResult> {
    rec.done ??= (async () => {
      const customer = rec.customer;
      if (!error && customer.state !== 'ended') {
        const reply = await customer.ep.api('uuid_record', [customer.ep.uuid, 'stop', rec.path]).catch((err: Error) => err.message);
        if (!apiOk(reply)) customer.log.debug({ reply }, 'uuid_record stop');
        // Its completion cause tells whether the last writes (flushed at the stop) failed.
        else await this.recordStopped(rec);
      } else if (!error) {
        // The channel is being hung up (release() runs right after finish()): FreeSWITCH closes the file when it is gone.
        await Promise.resolve();
        await customer.gone;
      }
      this.recordings.delete(rec.id);
      if (!error && rec.stopped?.cause === RECORD_WRITE_FAILED) {
        error = writeFailure(rec.path);
        partial = true;
      }
      const r = await recordingResult({ id: rec.id, path: rec.path, startedAt: rec.startedAt }, endedBy, error, partial);
      if (r.error) this.d.logger.error({ recording: rec.id, error: r.error }, 'recording failed; the call goes on');
      try {
        rec.onEnd?.(r);
      } catch (err) {
        this.d.logger.error({ err }, 'recording onEnd threw');
      }
      return r;
    })();
    return rec.done;
  }

  /* ---------------- inbound calls (issue 18) ---------------- */

  onIncoming(handler: (call: IncomingCall) => void): () => void {
    this.incomingHandler = handler;
    return () => {
      if (this.incomingHandler === handler) this.incomingHandler = undefined;
    };
  }

  /**
   * 200 OK with FreeSWITCH's answer: an endpoint is made on the media server
   * with idle agents (pickMember) from the caller's offer, and the caller's
   * dialog then carries the leg like an outbound one (BYE, re-INVITE, media loss).
   */
  async answerIncoming(legId: LegId): Promise<void> {
    const p = this.pendingIn.get(legId);
    if (!p) {
      if (this.legs.get(legId)?.state === 'answered') return;
      throw new TelephonyError(this.endedIds.has(legId) ? 'BAD_STATE' : 'UNKNOWN_LEG', `no inbound leg ${legId} to answer`);
    }
    if (p.answering) throw new TelephonyError('BAD_STATE', `inbound leg ${legId} is being answered`);
    p.answering = true;
    const member = this.pickMember(false);
    if (!member) {
      this.refuse(p, 503, 'Service Unavailable');
      throw new TelephonyError('NO_CAPACITY', 'no connected media server has room');
    }
    this.pool.acquire(member);
    let ep: EndpointPort;
    try {
      // A soft RTP timer (dialplan/dialer.xml): a message must play out to a caller whose phone sends
      // little or no RTP (silence suppression, a DTMF-only burst); without one playback is paced by reads.
      ep = await member.ms.createEndpoint({ remoteSdp: p.inv.sdp, headers: { ...FORK_SINK_HEADERS } });
    } catch (err) {
      this.pool.release(member);
      // FreeSWITCH refused the offer (no common codec…) or is unreachable.
      this.refuse(p, 488, 'Not Acceptable Here');
      throw new TelephonyError('UNAVAILABLE', `media server ${member.cfg.address}: createEndpoint failed: ${(err as Error).message}`);
    }
    let resolveEnded!: () => void;
    const leg: Leg = {
      id: legId,
      state: 'early',
      member,
      ep,
      toUri: false,
      appliedSdp: p.inv.sdp,
      sentSdp: ep.localSdp,
      media: Promise.resolve(),
      ended: new Promise<void>((r) => (resolveEnded = r)),
      resolveEnded: () => resolveEnded(),
      log: this.d.logger.child({ legId, inbound: true }),
      beeps: 0,
      loseMedia: (end) => {
        if (leg.state !== 'ended') this.finish(leg, end);
      },
    };
    this.legs.set(legId, leg);
    if (p.cancelled) {
      this.pendingIn.delete(legId);
      this.release(leg);
      leg.resolveEnded();
      throw new TelephonyError('BAD_STATE', `the caller of ${legId} hung up before the answer`);
    }
    ep.onDestroy((cause) => leg.loseMedia(endFromMediaLoss(cause, leg.state === 'answered')));
    ep.onDtmf((digit, durationMs) => this.emit({ type: 'dtmf', legId, at: this.now(), digit, durationMs }));
    let dlg: UacDialog;
    try {
      dlg = await p.inv.accept(ep.localSdp);
    } catch (err) {
      this.pendingIn.delete(legId);
      // A CANCEL or media loss during the answer has ended the leg already.
      if (leg.state !== 'ended') this.finish(leg, { by: 'error', answered: false, detail: `200 OK not sent: ${(err as Error).message}` });
      throw new TelephonyError('UNAVAILABLE', `inbound leg ${legId}: ${(err as Error).message}`);
    }
    this.pendingIn.delete(legId);
    if (leg.state === 'ended') {
      dlg.destroy().catch(() => undefined);
      return;
    }
    leg.uac = dlg;
    leg.state = 'answered';
    dlg.onEnd((e) => {
      if (leg.state !== 'ended') this.finish(leg, endFromRemoteBye(e.reason));
    });
    dlg.onReoffer((offer) => this.reoffer(leg, offer));
    this.emit({ type: 'answer', legId, at: this.now() });
  }

  async rejectIncoming(legId: LegId, status: number, reason: string): Promise<void> {
    if (!(status >= 300 && status < 700)) throw new TelephonyError('BAD_REQUEST', `reject status must be 300–699, not ${status}`);
    const p = this.pendingIn.get(legId);
    if (!p || p.answering) {
      if (this.legs.has(legId)) throw new TelephonyError('BAD_STATE', `leg ${legId} is answered; hang it up instead`);
      if (this.endedIds.has(legId)) return;
      throw new TelephonyError('UNKNOWN_LEG', `no inbound leg ${legId}`);
    }
    this.refuse(p, status, reason);
  }

  /** An INVITE drachtio-server offered us: 180 and the handler, or a refusal the caller can act on. */
  private incoming(inv: IncomingInvite): void {
    const handler = this.incomingHandler;
    // As the embedded driver: 480 when nothing takes inbound calls (the dialer logs why at start).
    if (!this.running || !handler) return inv.reject(480, 'Temporarily Unavailable');
    // RFC 3261 §13.3.1: we make no offers in a 2xx (FreeSWITCH answers the caller's offer).
    if (!inv.sdp.trim()) return inv.reject(488, 'Not Acceptable Here');
    if (!this.pool.pick(this.now())) return inv.reject(503, 'Service Unavailable');
    const id = randomUUID();
    const p: PendingInbound = { id, inv, cancelled: false, answering: false };
    this.pendingIn.set(id, p);
    inv.onCancel(() => {
      if (p.cancelled) return;
      p.cancelled = true;
      const leg = this.legs.get(id);
      if (leg) {
        if (leg.state !== 'ended') this.finish(leg, { by: 'remote', answered: false, sipStatus: 487, sipReason: 'Request Terminated' });
        return;
      }
      if (!p.answering) this.pendingIn.delete(id);
      this.remember(id);
      this.emitEnd(id, { by: 'remote', answered: false, sipStatus: 487, sipReason: 'Request Terminated', detail: 'caller cancelled' });
    });
    inv.ringing();
    const addr = inv.source.address;
    const trunk = this.d.config.trunks.find((t) => t.address.replace(/:\d+$/, '') === addr)?.name;
    handler({
      legId: id,
      requestUri: inv.requestUri,
      to: inv.to,
      from: inv.from,
      ...(inv.pai ? { pai: inv.pai } : {}),
      ...(inv.privacy ? { privacy: inv.privacy } : {}),
      ...(trunk ? { trunk } : {}),
      source: inv.source,
      at: this.now(),
    });
  }

  private refuse(p: PendingInbound, status: number, reason: string): void {
    if (!this.pendingIn.delete(p.id) && !p.answering) return;
    if (!p.cancelled) {
      p.inv.reject(status, reason);
      this.remember(p.id);
      this.emitEnd(p.id, { by: 'local', answered: false, sipStatus: status, sipReason: reason });
    }
  }

  private remember(id: LegId): void {
    this.endedIds.add(id);
    if (this.endedIds.size > ENDED_MEMORY) this.endedIds.delete(this.endedIds.values().next().value!);
  }

  private stopWatching(): void {
    this.watching = false;
    for (const m of this.pool.all()) this.unwatch(m);
  }

  private unwatch(m: PoolMember): void {
    if (m.silenceTimer !== undefined) this.d.clock.clearTimeout(m.silenceTimer);
    m.silenceTimer = undefined;
  }

  private emitEnd(legId: LegId, cause: EndCause): void {
    this.emit({ type: 'end', legId, at: this.now(), cause });
  }

  /* ---------------- internals ---------------- */

  private async connectMediaServer(ms: FreeswitchMediaServerConfig): Promise<void> {
    const fs = this.d.config.freeswitch;
    const where = `FreeSWITCH ${ms.address}:${ms.port}`;
    let esl;
    try {
      esl = await this.d.esl({ address: ms.address, port: ms.port, secret: ms.secret, timeoutMs: fs.connectTimeoutMs });
    } catch (err) {
      throw new Error(
        `freeswitch driver: cannot open the event socket of ${where} (telephony.freeswitch.mediaServers): ${(err as Error).message}`,
      );
    }
    try {
      await preflightMediaServer(esl, ms, fs.holdStream, needsFor(fs, ms));
    } catch (err) {
      throw new Error(`freeswitch driver: ${(err as Error).message}`);
    } finally {
      esl.close();
    }
    const connected = await this.d.mrf.connect({
      address: ms.address,
      port: ms.port,
      secret: ms.secret,
      profile: ms.profile,
      ...(ms.listenAddress ? { listenAddress: ms.listenAddress } : {}),
      timeoutMs: fs.connectTimeoutMs,
    });
    // Each try of a creation (the gate tries a timed-out one twice) is bounded once it has its turn, not while it waits.
    const watched = boundCreations(
      connected,
      () => member,
      this.stallWatch,
      (ep, m) => ep.destroy().catch((err) => this.d.logger.debug({ err, mediaServer: m.name }, 'late endpoint already gone')),
    );
    const server = gateMediaServer(watched, new CreationGate(fs.endpointCreationLimit, fs.endpointQueueTimeoutMs));
    const member: PoolMember = this.pool.add(ms, server);
    member.heardAt = this.now();
    server.onHeard(() => this.heard(member));
    this.watchSilence(member);
    server.onEnd(() => {
      if (member.state === 'left') return;
      // Its calls end through their own endpoints' sockets (onDestroy → endFromMediaLoss), each once.
      this.d.logger.error({ mediaServer: member.name, legs: member.legs }, 'media server connection lost; new calls go to the others');
    });
  }

  /** FreeSWITCH spoke on the event socket: a silent member is back. */
  private heard(m: PoolMember): void {
    m.heardAt = this.now();
    if (heardAgain(m))
      this.d.logger.warn({ mediaServer: m.name }, 'media server heard after a set-up request failed overdue; it takes calls again');
    if (!m.silent) return;
    m.silent = false;
    this.d.logger.info({ mediaServer: m.name }, 'media server heard again; it takes new calls');
  }

  /**
   * A connected server that sends nothing for `mediaServerSilenceMs` (a hung
   * process, a partition TCP has not noticed: its sockets stay open, so fsmrf
   * reports nothing) is treated as down: no new calls, its calls end once, as
   * when it dies. FreeSWITCH's HEARTBEAT (every `event-heartbeat-interval`)
   * is the sign of life.
   */
  private watchSilence(m: PoolMember): void {
    const limit = this.d.config.freeswitch.mediaServerSilenceMs;
    const check = () => {
      m.silenceTimer = undefined;
      if (m.state === 'left' || !this.watching) return;
      const quiet = this.now() - m.heardAt;
      // A closed socket is fsmrf's to report (onEnd) and to reconnect; a reconnect counts as heard. A silent
      // member comes back with its next HEARTBEAT (heard()).
      if (!m.ms.connected || m.silent) {
        m.silenceTimer = this.d.clock.setTimeout(check, limit);
        return;
      }
      if (quiet <= limit) {
        m.silenceTimer = this.d.clock.setTimeout(check, limit - quiet + 1);
        return;
      }
      // Timers run before I/O in Node's loop: after a stall of the dialer itself, HEARTBEATs already received
      // are read first, so a busy dialer does not take a server that spoke for a silent one.
      setImmediate(() => {
        if (m.state !== 'left' && this.watching && m.ms.connected && this.now() - m.heardAt > limit) this.silenced(m, limit);
        check();
      });
    };
    m.silenceTimer = this.d.clock.setTimeout(check, limit + 1);
  }

  private silenced(m: PoolMember, limit: number): void {
    if (m.silent) return;
    m.silent = true;
    const legs = [...this.legs.values()].filter((l) => l.member === m);
    this.d.logger.error(
      { mediaServer: m.name, silentMs: this.now() - m.heardAt, legs: legs.length },
      'media server silent (no HEARTBEAT); no new calls go to it and its calls end',
    );
    const detail = `media server ${m.name} silent for over ${limit} ms (no HEARTBEAT)`;
    for (const leg of legs) leg.loseMedia({ by: 'error', answered: leg.state === 'answered', detail });
  }

  /**
   * Agents wait on hold on their media server; a customer can only be bridged
   * to an agent on the same FreeSWITCH, so number calls prefer the servers
   * with idle agent legs (answered SIP-URI legs, not bridged), least loaded first.
   */
  private pickMember(toUri: boolean): PoolMember | undefined {
    if (!toUri) {
      const withIdleAgents = new Set<PoolMember>();
      for (const l of this.legs.values()) if (l.toUri && l.state === 'answered' && !l.bridgedTo) withIdleAgents.add(l.member);
      const preferred = this.pool.pick(this.now(), (m) => withIdleAgents.has(m));
      if (preferred) return preferred;
    }
    return this.pool.pick(this.now());
  }

  private makeAnalysis(leg: Leg, req: OriginateRequest): LegAnalysis {
    const fs = this.d.config.freeswitch;
    const a = req.analysis!;
    const region = a.region ?? this.d.config.defaultToneRegion ?? Object.keys(fs.toneDescriptors)[0]!;
    const descriptor = fs.toneDescriptors[region] ?? Object.values(fs.toneDescriptors)[0]!;
    const earlyDescriptor = fs.earlyToneDescriptors[region] ?? descriptor;
    return new LegAnalysis({
      ep: leg.ep,
      mode: chooseAudioMode(fs.audioMode, leg.member.cfg.local),
      region,
      descriptor,
      earlyDescriptor,
      waitForBeep: !!a.waitForBeep,
      ...(a.overrides ? { overrides: a.overrides } : {}),
      beepDetector: fs.beepDetector,
      clock: this.d.clock,
      fifoPath: fifoPathFor(fs.fifoDir, leg.id),
      openTap: this.d.openTap,
      openFork: this.d.openFork,
      forkAddress: forkAddressOf(leg.member.cfg),
      countPackets: !!this.d.onTapStats,
      ...(this.d.createAnalyzer ? { createAnalyzer: this.d.createAnalyzer } : {}),
      // The fork's sink lives as long as the leg's analysis; FreeSWITCH counts it as a session.
      createSink: (remoteSdp) => leg.member.ms.createEndpoint({ headers: { ...FORK_SINK_HEADERS }, remoteSdp }),
      emit: (phase: AnalysisPhase, verdict: Verdict) => {
        if (leg.state === 'ended') return;
        if ((phase === 'early' && !a.early) || (phase === 'answered' && !a.answered)) return;
        this.emit({ type: 'verdict', legId: leg.id, at: this.now(), phase, verdict });
      },
      warn: (msg, err) => leg.log.warn({ err }, msg),
    });
  }

  private onProvisional(leg: Leg, res: SipProvisional, req: OriginateRequest): void {
    if (leg.state === 'ended' || res.status < 101) return;
    const earlyMedia = res.body.length > 0;
    this.emit({ type: 'progress', legId: leg.id, at: this.now(), status: res.status, reason: res.reason, earlyMedia });
    if (!earlyMedia || leg.state !== 'inviting') return;
    leg.state = 'early';
    if (!req.analysis?.early || !leg.analysis) return;
    const sdp = res.body;
    const analysis = leg.analysis;
    this.chain(leg, async () => {
      // No re-INVITE to FreeSWITCH in the middle of the far end's early media when it already hears it as it
      // is: the SDP waits for the answer (sdp.ts, earlySdpNeededNow).
      if (!earlySdpNeededNow(sdp, leg.ep.localSdp)) return analysis.startEarly();
      leg.appliedSdp = sdp;
      // The recording starts alongside the modify: the analyser is on before the first RTP is read.
      await Promise.all([leg.ep.modify(endpointSdp(sdp)), analysis.startEarly()]);
    });
  }

  private onAnswer(leg: Leg, uac: UacDialog): void {
    this.clearRingTimer(leg);
    if (leg.state === 'ended' || leg.cancelledBy) {
      // 200 OK crossed our CANCEL (RFC 3261 §9.1): the call exists; end it with BYE.
      uac.destroy().catch((err) => leg.log.warn({ err }, 'BYE after crossed CANCEL failed'));
      if (leg.state !== 'ended') {
        this.finish(leg, { by: leg.cancelledBy!, answered: false, sipStatus: 487, detail: '200 OK crossed our CANCEL; BYE sent' });
      }
      return;
    }
    leg.uac = uac;
    leg.state = 'answered';
    uac.onEnd((e) => {
      if (leg.state !== 'ended') this.finish(leg, endFromRemoteBye(e.reason));
    });
    uac.onReoffer((offer) => this.reoffer(leg, offer));
    // Chained before the answer event: whoever acts on it (an inbound forward bridges from it) waits for the
    // far end's SDP through leg.media. Emitted first, a bridge caught the chain without the modify, and on a
    // loaded machine uuid_bridge went before it: FreeSWITCH hung up both legs ~100 ms after the ACK
    // (test/e2e/freeswitch/inbound-forwards.test.ts; test/unit/freeswitch/media.test.ts shows the order).
    this.chain(leg, async () => {
      const steps: Array<Promise<void> | undefined> = [leg.analysis?.answered()];
      if (uac.remoteSdp && uac.remoteSdp !== leg.appliedSdp) {
        leg.appliedSdp = uac.remoteSdp;
        steps.push(leg.ep.modify(endpointSdp(uac.remoteSdp)));
      }
      await Promise.all(steps.filter((s): s is Promise<void> => s !== undefined));
    });
    this.emit({ type: 'answer', legId: leg.id, at: this.now() });
  }

  /**
   * A re-INVITE from the far end: FreeSWITCH takes the new offer the way it
   * takes early media (sdp.ts: a `sendonly` offer — the far end holding us,
   * or sending music — handed over as is would make FreeSWITCH stop reading,
   * and analysis would hear nothing), and the far end gets FreeSWITCH's SDP
   * with the direction RFC 3264 §6.1 asks for (`recvonly` to `sendonly`) and
   * the o= line of our last SDP, its version one higher when it changed (§8).
   * An unchanged offer (a session refresh) is not passed to FreeSWITCH.
   */
  private reoffer(leg: Leg, offer: string): Promise<string> {
    let answer: Promise<string> = Promise.reject(new Error('re-INVITE not handled'));
    answer.catch(() => undefined);
    // A function, not an inline test: TypeScript would keep the first test's narrowing across the await.
    const ended = (): boolean => leg.state === 'ended';
    this.chain(leg, async () => {
      answer = (async () => {
        if (ended()) throw new ReofferRefused('leg ended', 487);
        if (offer.trim() && offer !== leg.appliedSdp) {
          await leg.ep.modify(endpointSdp(offer));
          leg.appliedSdp = offer;
        }
        // Our BYE left while FreeSWITCH took the offer: no 200 for a dialog we have ended.
        if (ended()) throw new ReofferRefused('leg ended', 487);
        leg.sentSdp = nextSessionVersion(leg.sentSdp, withDirection(leg.ep.localSdp, answerDirection(offer)));
        return leg.sentSdp;
      })();
      await answer;
    });
    // The step waits for earlier media changes; its errors are logged by chain() and answered by the adapter:
    // 487 for a leg that ended (ReofferRefused), else 488.
    return leg.media.then(() => answer);
  }

  private cancel(leg: Leg, by: LocalEnding): void {
    if (leg.state === 'ended' || leg.state === 'answered' || leg.cancelledBy) return;
    leg.cancelledBy = by;
    this.clearRingTimer(leg);
    // Before the INVITE is on the wire there is nothing to CANCEL yet; onSent does it.
    leg.invite?.cancel();
    // drachtio gives up on an INVITE only at its Timer C, minutes after a CANCEL whose 487 never came: §9.1 ends it sooner.
    leg.cancelGuard = this.d.clock.setTimeout(() => {
      leg.cancelGuard = undefined;
      if (leg.state === 'ended' || leg.state === 'answered') return;
      leg.log.warn({ waitedMs: CANCEL_GUARD_MS }, 'no final response to the INVITE after our CANCEL (RFC 3261 §9.1): the leg ends');
      this.finish(leg, endFromCancelGuard(by));
    }, CANCEL_GUARD_MS);
  }

  /** The one place a leg ends: first ending wins; everything held is released. */
  private finish(leg: Leg, cause: EndCause): void {
    if (leg.state === 'ended') return;
    leg.state = 'ended';
    this.clearRingTimer(leg);
    this.clearCancelGuard(leg);
    if (leg.bridgedTo) this.clearBridge(leg);
    this.endMonitors(leg.id);
    this.endRecordings(leg);
    const analysis = leg.analysis;
    if (analysis) void analysis.stop(!!this.d.onTapStats).then(() => this.reportTapStats(leg.id, analysis));
    if (cause.by !== 'local' || cause.answered) {
      // The far end is gone or FreeSWITCH dropped the endpoint: release the other side too.
      if (leg.uac && cause.by === 'error') leg.uac.destroy().catch(() => undefined);
      else if (!leg.uac && cause.by === 'error') leg.invite?.cancel();
    }
    this.release(leg);
    this.emit({ type: 'end', legId: leg.id, at: this.now(), cause });
    leg.resolveEnded();
  }

  private release(leg: Leg): void {
    leg.state = 'ended';
    // Idempotent: finish() has already stopped it; an INVITE that never left has not.
    void leg.analysis?.stop();
    this.legs.delete(leg.id);
    this.endedIds.add(leg.id);
    if (this.endedIds.size > ENDED_MEMORY) this.endedIds.delete(this.endedIds.values().next().value!);
    // With tap stats wanted (the bench, the contract suite), FreeSWITCH's packet count is read before the
    // endpoint goes (bounded: analysis.ts STOP_COMMAND_MS); read after, the channel was gone and gave none.
    const counted = this.d.onTapStats && leg.analysis ? leg.analysis.stop(true) : Promise.resolve();
    const destroyed = counted.then(() => leg.ep.destroy()).catch((err) => leg.log.debug({ err }, 'endpoint already gone'));
    leg.gone = new Promise<void>((resolve) => {
      const timer = this.d.clock.setTimeout(() => {
        leg.log.warn(
          { mediaServer: leg.member.name, waitedMs: ENDPOINT_HANGUP_WAIT_MS },
          'FreeSWITCH did not confirm the hangup of an endpoint; it is no longer counted on its media server',
        );
        resolve();
      }, ENDPOINT_HANGUP_WAIT_MS);
      void destroyed.then(() => {
        this.d.clock.clearTimeout(timer);
        resolve();
      });
    });
    // Counted down once FreeSWITCH has the endpoint hung up (or its socket closed: the server is gone), at the
    // latest after ENDPOINT_HANGUP_WAIT_MS: a drained server leaves only after its last BYE.
    void leg.gone.then(() => this.pool.release(leg.member));
  }

  private reportTapStats(legId: LegId, a: LegAnalysis): void {
    if (a.mode !== 'stream' || a.stats.mediaAt === undefined) return;
    const latencyMs = a.stats.firstFrameAt === undefined ? undefined : a.stats.firstFrameAt - a.stats.mediaAt;
    this.d.logger.debug(
      { legId, frames: a.stats.frames, rtpPackets: a.stats.rtpPackets, firstFrameAfterMediaMs: latencyMs },
      'analysis tap',
    );
    this.d.onTapStats?.(legId, { ...a.stats });
  }

  private clearBridge(leg: Leg): void {
    const peerId = leg.bridgedTo!;
    leg.bridgedTo = undefined;
    const peer = this.legs.get(peerId);
    if (peer && peer.bridgedTo === leg.id) peer.bridgedTo = undefined;
    // An eavesdrop follows the agent–customer call, which came apart (hold, transfer); a recording goes on.
    this.endMonitors(leg.id);
    this.endMonitors(peerId);
    const at = this.now();
    this.emit({ type: 'unbridged', legId: leg.id, at, peer: peerId });
    if (peer) this.emit({ type: 'unbridged', legId: peerId, at, peer: leg.id });
  }

  private clearRingTimer(leg: Leg): void {
    if (leg.ringTimer !== undefined) this.d.clock.clearTimeout(leg.ringTimer);
    leg.ringTimer = undefined;
  }

  private clearCancelGuard(leg: Leg): void {
    if (leg.cancelGuard !== undefined) this.d.clock.clearTimeout(leg.cancelGuard);
    leg.cancelGuard = undefined;
  }

  private chain(leg: Leg, step: () => Promise<void>): void {
    leg.media = leg.media.then(step).catch((err) => leg.log.warn({ err }, 'media step failed'));
  }

  /** Until the leg's media steps are done, including any chained while waiting (a re-INVITE during the wait). */
  private async mediaSettled(...legs: Leg[]): Promise<void> {
    for (const leg of legs) {
      for (let m = leg.media; ; m = leg.media) {
        await m;
        if (leg.media === m) break;
      }
    }
  }

  private answered(legId: LegId, op: string): Leg {
    const leg = this.legs.get(legId);
    if (!leg) throw new TelephonyError('UNKNOWN_LEG', `no leg ${legId}`);
    if (leg.state !== 'answered') throw new TelephonyError('BAD_STATE', `${op}: leg ${legId} is ${leg.state}, not answered`);
    return leg;
  }

  private needsStream(): boolean {
    const fs = this.d.config.freeswitch;
    return fs.mediaServers.some((ms) => chooseAudioMode(fs.audioMode, ms.local) === 'stream');
  }

  private now(): number {
    return this.d.clock.now();
  }

  private emit(e: LegEvent): void {
    for (const l of this.listeners) {
      try {
        l(e);
      } catch (err) {
        this.d.logger.error({ err, event: e.type }, 'leg event listener threw');
      }
    }
  }
}
