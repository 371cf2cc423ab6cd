/**
 * The embedded driver's mixing and recording, kept apart from SIP: it knows
 * legs only as `MediaLeg`s (their RTP session's codec, a frame sender and a
 * switch that takes the leg out of plain bridging). The driver feeds every
 * received packet in (`audio`) and says when legs end or are unbridged.
 * Mixers and recorders run on the driver's shared pacer.
 */
import { decodeG711, type G711Law } from '../../../../media/g711';
import type { LegId, MonitorMode, RecordingResult } from '../../../contract';
import { TelephonyError } from '../../../contract';
import type { Pacer } from '../rtp/pacer';
import { Mixer, type MixPort, type Party } from './mixer';
import { Recorder } from './recorder';

export interface MediaLeg extends MixPort {
  readonly id: LegId;
  /** true: received audio is not relayed to the bridged peer and the leg sends only what the mixer gives it. */
  setMixed(on: boolean): void;
}

type Tap = (pcm: Int16Array) => void;

interface Monitor {
  mixer: Mixer;
  legs: Record<Party, MediaLeg>;
  untap: Array<() => void>;
}

interface Recording {
  rec: Recorder;
  /** Customer, then the agent once known. */
  legs: LegId[];
  untap: Array<() => void>;
  onEnd?: (r: RecordingResult) => void;
}

export class MediaRoom {
  private readonly taps = new Map<LegId, Set<Tap>>();
  /** Keyed by the supervisor's leg. */
  private readonly monitors = new Map<LegId, Monitor>();
  private readonly recordings = new Map<string, Recording>();
  private readonly pcm = new Int16Array(2048);
  private seq = 0;

  constructor(
    private readonly pacer: Pacer,
    private readonly clock: () => number,
    private readonly onRecordingError?: (id: string, err: Error) => void,
  ) {}

  /** Every received audio payload of every leg; decoded only when someone listens. */
  audio(legId: LegId, payload: Uint8Array, law: G711Law): void {
    const taps = this.taps.get(legId);
    if (!taps || taps.size === 0) return;
    const n = Math.min(payload.length, this.pcm.length);
    const pcm = decodeG711(law, payload.subarray(0, n), this.pcm).subarray(0, n);
    for (const t of taps) t(pcm);
  }

  isMixed(legId: LegId): boolean {
    for (const m of this.monitors.values()) if (Object.values(m.legs).some((l) => l.id === legId)) return true;
    return false;
  }

  startMonitor(legs: Record<Party, MediaLeg>, mode: MonitorMode): void {
    for (const l of Object.values(legs)) {
      if (this.isMixed(l.id)) throw new TelephonyError('BAD_STATE', `leg ${l.id} is already in a monitored call`);
    }
    const mixer = new Mixer(mode, legs);
    const untap = (Object.keys(legs) as Party[]).map((p) => this.tap(legs[p].id, (pcm) => mixer.push(p, pcm)));
    for (const l of Object.values(legs)) l.setMixed(true);
    this.monitors.set(legs.supervisor.id, { mixer, legs, untap });
    this.pacer.add(mixer);
  }

  setMode(supervisorLeg: LegId, mode: MonitorMode): void {
    const m = this.monitors.get(supervisorLeg);
    if (!m) throw new TelephonyError('BAD_STATE', `leg ${supervisorLeg} is not monitoring a call`);
    m.mixer.mode = mode;
  }

  stopMonitor(supervisorLeg: LegId): boolean {
    const m = this.monitors.get(supervisorLeg);
    if (!m) return false;
    this.monitors.delete(supervisorLeg);
    this.pacer.remove(m.mixer);
    for (const u of m.untap) u();
    for (const l of Object.values(m.legs)) l.setMixed(false);
    return true;
  }

  /** Monitors a leg takes part in (by supervisor leg). */
  monitorsOf(legId: LegId): LegId[] {
    return [...this.monitors.entries()].filter(([, m]) => Object.values(m.legs).some((l) => l.id === legId)).map(([k]) => k);
  }

  startRecording(customer: LegId, agent: LegId | undefined, path: string, onEnd?: (r: RecordingResult) => void): string {
    const id = `rec-${process.pid}-${++this.seq}`;
    const rec = new Recorder(id, path, this.clock(), (err) => {
      // Disk full, permissions, a slow disk: the recording ends, the call does not.
      this.onRecordingError?.(id, err);
      void this.stopRecording(id, 'error');
    });
    const untap = [this.tap(customer, (pcm) => rec.push(0, pcm))];
    if (agent !== undefined) untap.push(this.tap(agent, (pcm) => rec.push(1, pcm)));
    this.recordings.set(id, { rec, legs: agent === undefined ? [customer] : [customer, agent], untap, onEnd });
    this.pacer.add(rec);
    return id;
  }

  /** Channel 2 of a recording started from the answer: the agent, from now on. */
  recordingAgent(id: string, agent: LegId): void {
    const r = this.recordings.get(id);
    if (!r) throw new TelephonyError('UNKNOWN_LEG', `no recording ${id}`);
    if (r.legs.length > 1) throw new TelephonyError('BAD_STATE', `recording ${id} already has its agent (${r.legs[1]})`);
    if (r.legs[0] === agent) throw new TelephonyError('BAD_REQUEST', 'customer and agent legs must differ');
    r.legs.push(agent);
    r.untap.push(this.tap(agent, (pcm) => r.rec.push(1, pcm)));
  }

  async stopRecording(id: string, endedBy: RecordingResult['endedBy'] = 'stop'): Promise<RecordingResult> {
    const r = this.recordings.get(id);
    if (!r) throw new TelephonyError('UNKNOWN_LEG', `no recording ${id}`);
    this.recordings.delete(id);
    this.pacer.remove(r.rec);
    for (const u of r.untap) u();
    const result = await r.rec.end(endedBy);
    r.onEnd?.(result);
    return result;
  }

  /** A leg ended: its monitors stop, its recordings are closed. */
  legGone(legId: LegId): void {
    for (const sup of this.monitorsOf(legId)) this.stopMonitor(sup);
    for (const [id, r] of this.recordings) if (r.legs.includes(legId)) void this.stopRecording(id, 'leg-ended');
  }

  /** A bridge came apart (hold, transfer): the monitor of that call stops; recordings go on. */
  unbridged(legId: LegId): void {
    for (const sup of this.monitorsOf(legId)) this.stopMonitor(sup);
  }

  /** Closes everything (driver stop). */
  async close(): Promise<void> {
    for (const sup of [...this.monitors.keys()]) this.stopMonitor(sup);
    await Promise.all([...this.recordings.keys()].map((id) => this.stopRecording(id, 'leg-ended').catch(() => undefined)));
  }

  private tap(legId: LegId, t: Tap): () => void {
    let set = this.taps.get(legId);
    if (!set) this.taps.set(legId, (set = new Set()));
    set.add(t);
    return () => {
      set.delete(t);
      if (set.size === 0) this.taps.delete(legId);
    };
  }
}
