/**
 * Call recording for agent calls: when the desk connects a customer to an
 * agent (its `screen-pop`) and the campaign records, the driver records the
 * customer and the agent as a two-channel WAV under
 * `dialer.agents.recording.dir/<campaign>/<attempt>.wav` until either leg
 * ends. Metadata goes to lib/store/recordings.ts; a failed recording (disk
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
import type { RecordingResult, TelephonyDriver } from '../telephony/contract';
import {
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

export class CallRecordings extends EventEmitter<RecordingEvents> {
  private timer?: NodeJS.Timeout;
  private readonly dir: string;
  private readonly onPop = (e: { agentId: string; pop: ScreenPop }) =>
    void this.begin(e.agentId, e.pop).catch((err: Error) => this.o.log.error({ err, agentId: e.agentId }, 'recording not started'));

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
  }

  /** Starts the recording of a call just connected, when its campaign records. */
  async begin(agentId: string, pop: ScreenPop): Promise<RecordingMeta | null> {
    const { redis, driver } = this.o;
    if (!(await getRecordingSettings(redis, pop.campaignId)).enabled) return null;
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
