/**
 * Call recording: the customer's and the agent's received audio, one channel
 * each, sampled once per 20 ms pacer tick into a StereoWavWriter. The pacer
 * tick only copies samples; the disk is written asynchronously. After a stall
 * of the process the pacer still ticks a recorder once per 20 ms that passed
 * (what arrived meanwhile, zeros for the rest), so a sound's place in the
 * file is its time in the call.
 */
import { FRAME_SAMPLES, FRAME_MS } from '../../../../media/types';
import type { PacedSender } from '../rtp/pacer';
import type { RecordingResult } from '../../../contract';
import { FrameFifo } from './fifo';
import { StereoWavWriter } from './wav-writer';

export class Recorder implements PacedSender {
  /** A frame for every 20 ms, even after a stall (pacer.ts): the file's clock stays the call's. */
  readonly keepsTime = true;
  private readonly fifos = [new FrameFifo(), new FrameFifo()] as const;
  private readonly frames = [new Int16Array(FRAME_SAMPLES), new Int16Array(FRAME_SAMPLES)] as const;
  private readonly writer: StereoWavWriter;
  private frameCount = 0;
  private ending?: Promise<RecordingResult>;

  constructor(
    readonly id: string,
    readonly path: string,
    readonly startedAt: number,
    private readonly onFailure: (err: Error) => void,
  ) {
    this.writer = new StereoWavWriter({ path, onError: (err) => this.onFailure(err) });
  }

  /** Audio received from channel 0 (customer) or 1 (agent). */
  push(channel: 0 | 1, pcm: Int16Array): void {
    this.fifos[channel].push(pcm);
  }

  tick(): void {
    this.fifos[0].pull(this.frames[0]);
    this.fifos[1].pull(this.frames[1]);
    this.writer.append(this.frames[0], this.frames[1]);
    this.frameCount++;
  }

  get failed(): Error | undefined {
    return this.writer.failed;
  }

  /** Idempotent; the first caller's reason wins. */
  end(endedBy: RecordingResult['endedBy']): Promise<RecordingResult> {
    this.ending ??= this.writer.close().then(
      (bytes) => this.result(endedBy, bytes),
      (err: Error) => this.result('error', this.writer.dataBytes, err.message),
    );
    return this.ending;
  }

  private result(endedBy: RecordingResult['endedBy'], bytes: number, error?: string): RecordingResult {
    const failed = error ?? this.writer.failed?.message;
    return {
      id: this.id,
      path: this.path,
      startedAt: this.startedAt,
      durationMs: this.frameCount * FRAME_MS,
      bytes: failed ? 0 : bytes + 44,
      endedBy: failed ? 'error' : endedBy,
      ...(failed ? { error: failed } : {}),
    };
  }
}
