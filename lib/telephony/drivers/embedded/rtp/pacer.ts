/**
 * One 20 ms clock for every RTP sender in the process. A timer per call would
 * cost one wake-up per call every 20 ms; one clock ticks them all, catches up
 * after a stall (bounded, except for senders that keep time: recorders) and
 * counts frames sent more than one frame late.
 */
import { performance } from 'node:perf_hooks';

export const FRAME_INTERVAL_MS = 20;
/** A frame sent later than this after its due time counts as late. */
export const LATE_AFTER_MS = FRAME_INTERVAL_MS;
/** After a longer stall, frames are dropped rather than burst out. */
const MAX_CATCH_UP = 5;
/**
 * Senders that keep time catch up this far (5 s): half the recorder's disk backlog bound (wav-writer.ts, 10 s),
 * so a long stall is not mistaken for a slow disk; a longer stall loses the rest, as every stall did before.
 */
export const MAX_KEEP_TIME_CATCH_UP = 250;

export interface PacedSender {
  /** Sends the next frame. */
  tick(): void;
  /**
   * true: ticked for every 20 ms that passed, however late (a recorder). Dropping frames after a stall keeps a
   * network sender's delay bounded, but a file has no such delay, and a recorder that misses ticks loses the
   * stall's time: every sound after it moves earlier (measured: a 1 s stall of the dialer made a recording from
   * the answer 917 ms shorter than its 6217 ms call, the agent 0.9 s early in it).
   */
  readonly keepsTime?: boolean;
  /**
   * Called once at the start of each run of the pacer with the number of ticks this run gives the sender. Between
   * two runs the event loop has been through its poll phase, so the packets that waited in the kernel during a stall
   * are read in the runs after its catch-up (recorder.ts writes a run's frames at a later one, from that audio).
   */
  beforeTicks?(ticks: number): void;
}

export interface PacerStats {
  frames: number;
  late: number;
  skipped: number;
}

export class Pacer {
  private senders = new Set<PacedSender>();
  private timer: NodeJS.Timeout | undefined;
  private origin = 0;
  private tickNo = 0;
  readonly stats: PacerStats = { frames: 0, late: 0, skipped: 0 };

  add(s: PacedSender): void {
    this.senders.add(s);
    if (!this.timer) {
      this.origin = performance.now();
      this.tickNo = 0;
      this.timer = setTimeout(() => this.loop(), FRAME_INTERVAL_MS);
    }
  }

  remove(s: PacedSender): void {
    this.senders.delete(s);
  }

  get active(): number {
    return this.senders.size;
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.senders.clear();
  }

  private loop(): void {
    this.timer = undefined;
    const now = performance.now();
    let due = this.origin + (this.tickNo + 1) * FRAME_INTERVAL_MS;
    let rounds = 0;
    const due0 = due > now ? 0 : Math.floor((now - due) / FRAME_INTERVAL_MS) + 1;
    for (const s of this.senders) s.beforeTicks?.(Math.min(due0, s.keepsTime ? MAX_KEEP_TIME_CATCH_UP : MAX_CATCH_UP));
    while (due <= now) {
      const n = this.senders.size;
      if (rounds < MAX_CATCH_UP) {
        const late = now - due > LATE_AFTER_MS;
        for (const s of this.senders) s.tick();
        this.stats.frames += n;
        if (late) this.stats.late += n;
      } else {
        let kept = 0;
        if (rounds < MAX_KEEP_TIME_CATCH_UP) {
          for (const s of this.senders) {
            if (!s.keepsTime) continue;
            s.tick();
            kept++;
          }
        }
        this.stats.skipped += n - kept;
        this.stats.frames += n;
        this.stats.late += n;
      }
      rounds++;
      this.tickNo++;
      due += FRAME_INTERVAL_MS;
    }
    if (this.senders.size === 0) return;
    this.timer = setTimeout(() => this.loop(), Math.max(0, due - performance.now()));
  }
}
