/**
 * Call recording: the customer's and the agent's received audio, one channel
 * each, a frame per 20 ms pacer tick into a StereoWavWriter. The pacer tick
 * only copies samples; the disk is written asynchronously. After a stall of
 * the process the pacer still ticks a recorder once per 20 ms that passed, so
 * a sound's place in the file is its time in the call.
 *
 * A tick's frame is written at the pacer's next run, not at the tick: a
 * stall's ticks all come at once when it ends, before the event loop reads
 * the packets that waited in the kernel meanwhile, so frames written at the
 * tick were zeros, and the packets then overflowed the 120 ms jitter buffer
 * (lost). The pacer's next runs come after the loop's poll phases, which
 * read them (pacer.ts, beforeTicks): the frames owed take them, oldest first,
 * the buffer holding up to a whole catch-up. A channel that has less than the
 * frames owed after MAX_WAIT_RUNS runs (packets lost, or never sent: a muted
 * phone) gets its zeros first, its audio last, as the audio read is the most
 * recent.
 */
import { FRAME_SAMPLES, FRAME_MS } from '../../../../media/types';
import { MAX_KEEP_TIME_CATCH_UP, type PacedSender } from '../rtp/pacer';
import type { RecordingResult } from '../../../contract';
import { FrameFifo } from './fifo';
import { StereoWavWriter } from './wav-writer';

/** The jitter absorbed in the steady state, as every leg's FrameFifo: 6 frames (120 ms). */
const JITTER_SAMPLES = FRAME_SAMPLES * 6;
/**
 * Pacer runs a catch-up's frames wait for their audio before a channel still short is written with zeros (a muted
 * phone, packets lost): each run comes after at least one poll phase, 32 packets a socket; 5 s of catch-up is 250.
 */
const MAX_WAIT_RUNS = 10;
const FIFO_SAMPLES = FRAME_SAMPLES * (MAX_KEEP_TIME_CATCH_UP + MAX_WAIT_RUNS) + JITTER_SAMPLES;

export class Recorder implements PacedSender {
  /** A frame for every 20 ms, even after a stall (pacer.ts): the file's clock stays the call's. */
  readonly keepsTime = true;
  /** Room for a whole catch-up and its jitter; each write trims it to the frames owed and coming, and the jitter. */
  private readonly fifos = [new FrameFifo(FIFO_SAMPLES), new FrameFifo(FIFO_SAMPLES)] as const;
  /** Frames ticked and not written yet (written at the pacer's next run). */
  private owed = 0;
  /** Runs the frames of a catch-up have waited for their audio. */
  private waited = 0;
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
    this.owed++;
  }

  beforeTicks(ticks: number): void {
    // After a catch-up, while a channel has less audio than the frames owed, its packets may still be in the kernel:
    // libuv reads at most 32 datagrams per socket per loop iteration, so a 1 s stall's 50 take two. Measured (unit
    // test, real UDP): written at the first run after the catch-up, frames 33-42 of 50 were lost.
    if (this.owed > 1 && this.waited < MAX_WAIT_RUNS && this.fifos.some((f) => f.available < this.owed * FRAME_SAMPLES)) {
      this.waited++;
      return;
    }
    this.waited = 0;
    this.settle(ticks);
  }

  /**
   * Writes the frames owed from what each channel received, zeros first where it has less. `coming`: the ticks of
   * the run about to start, whose audio may already be here (read before a catch-up's ticks).
   */
  private settle(coming = 0): void {
    if (this.owed === 0) return;
    const owed = this.owed;
    this.owed = 0;
    // Beyond the frames owed, those coming and the usual jitter, the oldest audio goes: the far end's clock runs fast.
    for (const f of this.fifos) f.trim((owed + Math.max(0, coming - 1)) * FRAME_SAMPLES + JITTER_SAMPLES);
    const zeros = this.fifos.map((f) => Math.max(0, owed * FRAME_SAMPLES - f.available));
    for (let k = 0; k < owed; k++) {
      for (const ch of [0, 1] as const) {
        const out = this.frames[ch];
        const z = Math.min(FRAME_SAMPLES, Math.max(0, zeros[ch]! - k * FRAME_SAMPLES));
        out.fill(0, 0, z);
        if (z < FRAME_SAMPLES) this.fifos[ch].pull(out.subarray(z));
      }
      this.writer.append(this.frames[0], this.frames[1]);
      this.frameCount++;
    }
  }

  get failed(): Error | undefined {
    return this.writer.failed;
  }

  /** Idempotent; the first caller's reason wins. */
  end(endedBy: RecordingResult['endedBy']): Promise<RecordingResult> {
    if (!this.ending) this.settle();
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
