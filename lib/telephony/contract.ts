/**
 * The telephony driver contract. The dialer core talks only to this; drivers
 * (embedded: SIP/RTP in-process; freeswitch: drachtio-srf + drachtio-fsmrf)
 * implement it. Promise-only, options objects, no campaign logic.
 *
 * Every call leg has a `legId` chosen by the driver. Everything that happens
 * on a leg is delivered as a `LegEvent` to the listeners registered with
 * `onEvent`, in order, with `at` = epoch milliseconds from the driver's clock.
 */
import type { AnalysisPhase, Verdict } from '../media/types';

export type LegId = string;

export interface AnalysisRequest {
  /** Analyse early media (SIT, busy, announcements, fax) before answer. */
  early: boolean;
  /** Analyse audio after answer (AMD, fax, beep, silence, announcements). */
  answered: boolean;
  /** Keep listening for the voicemail beep after a machine verdict. */
  waitForBeep?: boolean;
  /** Tone plan region for busy/reorder ('NA', 'JP', 'UK', 'DE', or configured). */
  region?: string;
  /** Per-call overrides of media config (AMD thresholds etc.). */
  overrides?: Record<string, unknown>;
}

export interface OriginateRequest {
  /** A number (dialled through the trunk) or a full SIP URI (agent phone, bot). */
  to: string;
  /** Trunk name from config; default trunk when omitted. Ignored for SIP URIs. */
  trunk?: string;
  callerId?: string;
  /** false: present the caller ID as anonymous (Privacy: id). */
  presentCallerId?: boolean;
  /** Ring timer: CANCEL when no final answer by then. */
  ringTimeoutMs: number;
  /** Extra SIP headers on the INVITE (X-… for carriers/bots). */
  headers?: Record<string, string>;
  analysis?: AnalysisRequest;
  /** Opaque labels copied onto logs and events (campaignId, contactId, attemptId). */
  tags?: Record<string, string>;
  /**
   * A live leg this one will be joined to (a supervisor's phone to the agent's
   * call): drivers with several media servers put the new leg's media on that
   * leg's server. Ignored when that leg is gone.
   */
  nearLeg?: LegId;
  /**
   * The last word before the INVITE leaves: called once, when the driver has
   * everything ready (media, journal, pacing) and only the send is left, with
   * nothing awaited between its answer and the wire. The runner uses it to hold
   * the shared calls-per-second admission against the moment of sending rather
   * than an earlier one (lib/scale/shared-limits.ts: a call held up after its
   * admission would otherwise reach the carrier outside the window that
   * counted it). false: nothing is sent, nothing is left behind, and originate
   * fails with NO_CAPACITY (the caller gives the call back uncounted).
   */
  beforeSend?: () => Promise<boolean>;
}

/** Who ended the call, and how. */
export interface EndCause {
  /** Final SIP status that ended the call (e.g. 486, 404, 487 after our CANCEL; 200 for a normal BYE). */
  sipStatus?: number;
  sipReason?: string;
  /** remote: the far end hung up / rejected; local: we hung up or cancelled; timeout: ring timer; error: transport/transaction failure. */
  by: 'remote' | 'local' | 'timeout' | 'error';
  /** Was the call answered before it ended? */
  answered: boolean;
  /** Free text, e.g. Reason header or Q.850 cause name. */
  detail?: string;
  q850?: number;
}

export type LegEvent =
  | { type: 'trying'; legId: LegId; at: number }
  | { type: 'progress'; legId: LegId; at: number; status: number; reason: string; earlyMedia: boolean }
  | { type: 'answer'; legId: LegId; at: number }
  | { type: 'verdict'; legId: LegId; at: number; phase: AnalysisPhase; verdict: Verdict }
  | { type: 'dtmf'; legId: LegId; at: number; digit: string; durationMs: number }
  | { type: 'playback-done'; legId: LegId; at: number; id: string }
  | { type: 'bridged'; legId: LegId; at: number; peer: LegId }
  | { type: 'unbridged'; legId: LegId; at: number; peer: LegId }
  | { type: 'end'; legId: LegId; at: number; cause: EndCause };

export type LegEventType = LegEvent['type'];

/** What to play: a file the driver can read, or a generated tone. */
export type MediaSource =
  | { kind: 'file'; path: string }
  /** Hold music: the driver's configured stream (FreeSWITCH local_stream, embedded: generated file). */
  | { kind: 'hold' }
  | { kind: 'tone'; freqHz: number; durationMs: number; level?: number };

export interface PlayOptions {
  loop?: boolean;
}

/** Supervisor monitoring of an agent's call (seed 001 job monitor): see drivers/embedded/media/mixer.ts. */
export type MonitorMode = 'listen' | 'whisper' | 'barge';
export const MONITOR_MODES: readonly MonitorMode[] = ['listen', 'whisper', 'barge'];

export interface MonitorRequest {
  /** The supervisor's answered phone leg. */
  supervisorLeg: LegId;
  /** The agent's phone leg, bridged to the customer. */
  agentLeg: LegId;
  mode: MonitorMode;
}

export interface RecordRequest {
  /** Channel 1 (left). */
  customerLeg: LegId;
  /**
   * Channel 2 (right). Absent for a recording from the customer's answer,
   * before any agent: `recordingAgent` names the agent once connected.
   * Until then channel 2 holds silence (embedded) or what the customer
   * hears — announcements, hold music — (freeswitch, which records both
   * directions of the customer's channel).
   */
  agentLeg?: LegId;
  /** Where the two-channel 16-bit 8 kHz WAV goes (the folder must exist). */
  path: string;
  /** Called once when the recording ends (stopped, a leg ended, or a write error — the call goes on). */
  onEnd?: (r: RecordingResult) => void;
}

export interface RecordingResult {
  id: string;
  path: string;
  /** Epoch ms of the first frame. */
  startedAt: number;
  durationMs: number;
  /** File size; 0 when the file could not be written. */
  bytes: number;
  /** stop: asked to; leg-ended: a party hung up; error: the file could not be written (the call went on). */
  endedBy: 'stop' | 'leg-ended' | 'error';
  error?: string;
}

/**
 * An inbound INVITE offered to the application (issue 18: return calls). The
 * caller hears ringing (180) until the handler answers, rejects or hangs up the
 * leg; a CANCEL from the caller ends it with an `end` event (by: remote).
 */
export interface IncomingCall {
  legId: LegId;
  requestUri: string;
  /** Header values as received. */
  to: string;
  from: string;
  pai?: string;
  privacy?: string;
  /** The configured trunk the INVITE came from (matched by source address); absent for other allowed peers. */
  trunk?: string;
  source: { address: string; port: number };
  at: number;
}

export interface DriverHealth {
  ok: boolean;
  detail: string;
  activeLegs: number;
  /** Packets/messages dropped since start, by reason (e.g. sip_malformed, rtp_foreign_source); /metrics exports them. */
  dropped?: Record<string, number>;
  /** Warnings left out by a log rate limit since start, by kind. */
  logsSuppressed?: Record<string, number>;
  /** Trunks that REGISTER (RFC 3261 §10): registered or not, per trunk name. */
  registrations?: Record<string, { registered: boolean; phase: string; lastStatus?: number }>;
}

/** A media server of a driver's pool (freeswitch driver): GET /telephony/media-servers. */
export interface MediaServerStatus {
  name: string;
  address: string;
  port: number;
  /** active: takes new calls; draining: takes none, its calls go on; left: drained and disconnected. */
  state: 'active' | 'draining' | 'left';
  /** Its event socket is up (a server that died is not, until it is back). */
  connected: boolean;
  /** This process's call legs on it. */
  legs: number;
  /** FreeSWITCH's own session count and limit from its last HEARTBEAT (0 before the first). */
  sessions: number;
  maxSessions: number;
}

export interface TelephonyDriver {
  readonly name: 'embedded' | 'freeswitch' | string;
  start(): Promise<void>;
  /** Hangs up every leg and releases sockets. */
  stop(): Promise<void>;
  onEvent(listener: (e: LegEvent) => void): () => void;

  /** Places a call. Resolves with its legId as soon as the INVITE is sent; the rest arrives as events. */
  originate(req: OriginateRequest): Promise<LegId>;
  /** CANCEL before answer, BYE after. Resolves when the leg has ended (its `end` event was emitted). */
  hangup(legId: LegId, opts?: { reason?: string }): Promise<void>;

  /** Plays to the leg; resolves with a playback id at once; `playback-done` follows unless looping. */
  play(legId: LegId, source: MediaSource, opts?: PlayOptions): Promise<string>;
  stopPlayback(legId: LegId): Promise<void>;
  /** The agent's "a customer is here" beep. Resolves when it has been played. */
  beep(legId: LegId, opts?: { freqHz?: number; durationMs?: number }): Promise<void>;

  /** Connects two answered legs' audio both ways (stops playback on both). */
  bridge(a: LegId, b: LegId): Promise<void>;
  unbridge(a: LegId): Promise<void>;

  /** Blind transfer of an answered leg (SIP REFER, or re-INVITE elsewhere). */
  transfer?(legId: LegId, target: string): Promise<void>;

  /**
   * Listen-in / whisper / barge: mixes the supervisor's answered leg into the
   * agent's bridged call. Drivers without it leave it undefined (callers
   * answer "not supported by driver X").
   */
  monitor?(req: MonitorRequest): Promise<void>;
  /** Changes the mode of a running monitor (listen → whisper → barge). */
  setMonitorMode?(supervisorLeg: LegId, mode: MonitorMode): Promise<void>;
  /** Takes the supervisor out of the call (their leg stays up); the agent and customer are bridged as before. */
  stopMonitor?(supervisorLeg: LegId): Promise<void>;
  /** Records customer + agent as a two-channel WAV; resolves with the recording id. */
  startRecording?(req: RecordRequest): Promise<string>;
  stopRecording?(id: string): Promise<RecordingResult>;
  /** Names the agent of a recording started without one (from the answer): channel 2 from now on; ends with it too. */
  recordingAgent?(id: string, agentLeg: LegId): Promise<void>;

  /**
   * Inbound calls (issue 18). With no handler registered a driver refuses
   * inbound INVITEs (the embedded driver: 480). Drivers that cannot take
   * inbound calls leave these undefined.
   */
  onIncoming?(handler: (call: IncomingCall) => void): () => void;
  /** Answers an inbound leg (200 OK with our SDP); `answer` follows. */
  answerIncoming?(legId: LegId): Promise<void>;
  /** Refuses an inbound leg that is not answered yet with a final status (e.g. 404, 480, 486); `end` follows. */
  rejectIncoming?(legId: LegId, status: number, reason: string): Promise<void>;

  health(): DriverHealth;
  /** Drivers with a pool of media servers (freeswitch): each server's state and load. */
  mediaServers?(): MediaServerStatus[];
  /**
   * Takes a media server out of the pool: no new calls go to it, its calls go
   * on until they end, then it leaves the pool. Undefined for an unknown name.
   */
  drainMediaServer?(name: string): MediaServerStatus | undefined;
}

/** Errors a driver throws for calls it cannot make (bad request, unknown leg, no capacity). */
export class TelephonyError extends Error {
  constructor(
    readonly code: 'UNKNOWN_LEG' | 'BAD_STATE' | 'NO_CAPACITY' | 'BAD_REQUEST' | 'UNAVAILABLE',
    message: string,
  ) {
    super(message);
    this.name = 'TelephonyError';
  }
}
