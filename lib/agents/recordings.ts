/**
 * Call recording for agent calls: when the desk connects a customer to an
 * agent (its `screen-pop`) and the campaign records, the driver records the
 * customer and the agent as a two-channel WAV under
 * `dialer.agents.recording.dir/<campaign>/<attempt>.wav` until either leg
 * ends. A campaign recording `from: answer` starts at the customer's answer
 * (the runner's `call.phase` analysing event) with the customer alone; the
 * agent joins channel 2 at the screen pop (`recordingAgent`). When a
 * recording ends its metadata also goes into the campaign's attempt history
 * stream (`recording` entry). Metadata goes to lib/store/recordings.ts; a failed recording (disk
 * full, permissions) is kept as `failed` with the error and logged — the call
 * is never touched. A sweep deletes recordings past the retention period.
 */
import { EventEmitter } from 'node:events';
import { mkdir, unlink } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { AgentsConfig } from '../config/sections/agents';
import type { ScreenPop } from '../dialer/ports';
import type { DialerEvent, DialerEvents } from '../dialer/events';
import type { RecordingResult, TelephonyDriver } from '../telephony/contract';
import {
  appendRecordingToHistory,
  deleteRecording,
  expiredRecordings,
  getRecordingSettings,
  recordingId,
  saveRecording,
  type RecordingMeta,
} from '../store/recordings';
import type { LiveAgentDesk } from './desk';

export interface RecordingEvents {
  recording: [RecordingMeta];
}

const safe = (s: string) => s.replace(/[^A-Za-z0-9._-]/g, '_');
/**
 * The longest the consent announcement waits for its call's recording to start (`started`). A start takes
 * milliseconds idle; 2 s covers the sub-second lags measured at load and is still short for a person who has
 * just said hello (the agent's reservation runs meanwhile).
 */
const START_WAIT_MS = 2000;

export class CallRecordings extends EventEmitter<RecordingEvents> {
  private timer?: NodeJS.Timeout;
  private readonly dir: string;
  private readonly onPop = (e: { agentId: string; pop: ScreenPop }) =>
    void this.begin(e.agentId, e.pop).catch((err: Error) => this.o.log.error({ err, agentId: e.agentId }, 'recording not started'));
  /** Calls in progress (runner events) by attempt: their customer leg, for recordings from the answer. */
  private readonly calls = new Map<string, { campaignId: string; legId: string; ref: string }>();
  /** Recordings from the answer being started (settings read to the driver's reply), by attempt. */
  private readonly starting = new Map<string, Promise<void>>();
  /** Recordings from the answer still waiting for (or running with) their agent, by recording id. */
  private readonly fromAnswer = new Map<string, { meta: RecordingMeta; driverId: string }>();
  private offDialer?: () => void;

  constructor(
    private readonly o: {
      redis: Redis;
      driver: TelephonyDriver;
      desk: LiveAgentDesk;
      log: Logger;
      config: AgentsConfig['recording'];
      clock?: () => number;
    },
  ) {
    super();
    this.dir = resolve(o.config.dir);
  }

  private now(): number {
    return (this.o.clock ?? Date.now)();
  }

  async start(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    this.o.desk.on('screen-pop', this.onPop);
    if (this.o.config.retentionDays > 0) {
      this.timer = setInterval(
        () => void this.sweep().catch((err: Error) => this.o.log.warn({ err }, 'recording retention sweep failed')),
        this.o.config.sweepIntervalSec * 1000,
      );
      this.timer.unref();
    }
  }

  stop(): void {
    clearInterval(this.timer);
    this.o.desk.off('screen-pop', this.onPop);
    this.offDialer?.();
  }

  /** Follows the runner's calls, for campaigns that record from the answer. */
  attachDialer(events: DialerEvents): void {
    this.offDialer?.();
    this.offDialer = events.onEvent((e) => this.onDialer(e));
  }

  private onDialer(e: DialerEvent): void {
    if (e.type === 'call.started') this.calls.set(e.attemptId, { campaignId: e.campaignId, legId: e.legId, ref: e.ref });
    else if (e.type === 'call.ended') this.calls.delete(e.attemptId);
    else if (e.type === 'call.phase' && e.phase === 'analysing') {
      const call = this.calls.get(e.attemptId);
      if (!call) return;
      const starting = this.beginFromAnswer(e.attemptId, call).then(
        () => undefined,
        (err: Error) => this.o.log.error({ err, attemptId: e.attemptId }, 'recording from the answer not started'),
      );
      this.starting.set(e.attemptId, starting);
      void starting.then(() => {
        if (this.starting.get(e.attemptId) === starting) this.starting.delete(e.attemptId);
      });
    }
  }

  /**
   * Resolves once the recording from the answer of this attempt, if one is being started, runs (or has failed),
   * at most `boundMs` later; true when it did in time (or none was being started). The runner waits for it before
   * the consent announcement: the recording starts when the dialer handles the answer (settings read, metadata
   * written, the driver's record command), the announcement when the analyser has heard a person, and on a busy
   * host the first can come after the second: a recording "from the answer" without the start of its consent
   * announcement (CI, FreeSWITCH at load: the file began inside the announcement). The bound keeps a stuck disk or
   * media server from holding the customer in silence.
   */
  async started(attemptId: string, boundMs = START_WAIT_MS): Promise<boolean> {
    const starting = this.starting.get(attemptId);
    if (!starting) return true;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<false>((r) => (timer = setTimeout(() => r(false), boundMs)));
    try {
      return await Promise.race([starting.then(() => true as const), late]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Starts a recording at the customer's answer, when the campaign records from the answer. */
  async beginFromAnswer(attemptId: string, call: { campaignId: string; legId: string; ref: string }): Promise<RecordingMeta | null> {
    const { redis, driver } = this.o;
    const settings = await getRecordingSettings(redis, call.campaignId);
    if (!settings.enabled || settings.from !== 'answer') return null;
    const sep = call.ref.indexOf(':');
    const folder = join(this.dir, safe(call.campaignId));
    const meta: RecordingMeta = {
      id: recordingId(call.campaignId, attemptId),
      campaignId: call.campaignId,
      attemptId,
      agentId: '',
      ...(sep >= 0 ? { listId: call.ref.slice(0, sep), contactId: call.ref.slice(sep + 1) } : {}),
      path: join(folder, `${safe(attemptId)}.wav`),
      status: 'recording',
      startedAt: this.now(),
      channels: ['customer', 'agent'],
      from: 'answer',
    };
    if (!driver.startRecording || !driver.recordingAgent) {
      return this.finish(meta, { error: `the ${driver.name} driver does not record calls from the answer` });
    }
    const entry = { meta, driverId: '' };
    try {
      await mkdir(folder, { recursive: true });
      await saveRecording(redis, meta);
      this.fromAnswer.set(meta.id, entry);
      entry.driverId = await driver.startRecording({
        customerLeg: call.legId,
        path: meta.path,
        onEnd: (r) => {
          // The agent may have joined meanwhile (entry.meta has them).
          if (this.fromAnswer.get(meta.id) === entry) this.fromAnswer.delete(meta.id);
          void this.ended(entry.meta, r).catch((err: Error) => this.o.log.error({ err, id: meta.id }, 'recording metadata not saved'));
        },
      });
    } catch (err) {
      if (this.fromAnswer.get(meta.id) === entry) this.fromAnswer.delete(meta.id);
      return this.finish(meta, { error: (err as Error).message });
    }
    this.emit('recording', meta);
    return meta;
  }

  /** Starts the recording of a call just connected, when its campaign records (or names the agent of one from the answer). */
  async begin(agentId: string, pop: ScreenPop): Promise<RecordingMeta | null> {
    const { redis, driver } = this.o;
    const running = this.fromAnswer.get(recordingId(pop.campaignId, pop.attemptId));
    if (running) return this.joinAgent(agentId, running);
    const settings = await getRecordingSettings(redis, pop.campaignId);
    // A campaign recording from the answer whose recording did not start (error, another process) records nothing more here.
    if (!settings.enabled || settings.from === 'answer') return null;
    const live = await this.o.desk.status(agentId);
    if (!live?.leg || !live.customerLeg || live.attemptId !== pop.attemptId) return null;
    const folder = join(this.dir, safe(pop.campaignId));
    const meta: RecordingMeta = {
      id: recordingId(pop.campaignId, pop.attemptId),
      campaignId: pop.campaignId,
      attemptId: pop.attemptId,
      agentId,
      contactId: pop.contactId,
      listId: pop.listId,
      path: join(folder, `${safe(pop.attemptId)}.wav`),
      status: 'recording',
      startedAt: this.now(),
      channels: ['customer', 'agent'],
      from: 'bridge',
    };
    if (!driver.startRecording) return this.finish(meta, { error: `the ${driver.name} driver does not record calls` });
    try {
      await mkdir(folder, { recursive: true });
      await saveRecording(redis, meta);
      await driver.startRecording({
        customerLeg: live.customerLeg,
        agentLeg: live.leg,
        path: meta.path,
        onEnd: (r) =>
          void this.ended(meta, r).catch((err: Error) => this.o.log.error({ err, id: meta.id }, 'recording metadata not saved')),
      });
    } catch (err) {
      return this.finish(meta, { error: (err as Error).message });
    }
    this.emit('recording', meta);
    return meta;
  }

  private async joinAgent(agentId: string, running: { meta: RecordingMeta; driverId: string }): Promise<RecordingMeta | null> {
    const live = await this.o.desk.status(agentId);
    if (!live?.leg || live.attemptId !== running.meta.attemptId || !running.driverId) return null;
    await this.o.driver.recordingAgent!(running.driverId, live.leg);
    running.meta = { ...running.meta, agentId };
    // Still running: the end (onEnd) writes the final record.
    if (this.fromAnswer.has(running.meta.id)) await saveRecording(this.o.redis, running.meta);
    this.emit('recording', running.meta);
    return running.meta;
  }

  private async ended(meta: RecordingMeta, r: RecordingResult): Promise<void> {
    await this.finish(meta, { durationMs: r.durationMs, bytes: r.bytes, error: r.error });
  }

  private async finish(meta: RecordingMeta, r: { durationMs?: number; bytes?: number; error?: string }): Promise<RecordingMeta> {
    const done: RecordingMeta = {
      ...meta,
      status: r.error ? 'failed' : 'done',
      ...(r.durationMs !== undefined ? { durationMs: r.durationMs } : {}),
      ...(r.bytes !== undefined ? { bytes: r.bytes } : {}),
      ...(r.error ? { error: r.error } : {}),
    };
    if (r.error) this.o.log.error({ id: meta.id, agentId: meta.agentId, error: r.error }, 'call recording failed; the call went on');
    await saveRecording(this.o.redis, done);
    await appendRecordingToHistory(this.o.redis, done, this.now());
    this.emit('recording', done);
    return done;
  }

  /** Deletes recordings (file and metadata) older than the retention period; returns their ids. */
  async sweep(now = this.now()): Promise<string[]> {
    const days = this.o.config.retentionDays;
    if (!(days > 0)) return [];
    const gone: string[] = [];
    for (const r of await expiredRecordings(this.o.redis, now - days * 86_400_000)) {
      if (r.status === 'recording') continue;
      await unlink(r.path).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== 'ENOENT') throw err;
      });
      await deleteRecording(this.o.redis, r.id);
      gone.push(r.id);
    }
    return gone;
  }
}
