/**
 * A leg's received audio waiting for the next 20 ms tick: linear PCM samples
 * in a small ring. Packets arrive with network jitter and in any packet size
 * (ptime 10/20/30); the shared pacer takes exactly one frame per tick. When
 * more than `capacity` samples wait (the far end's clock runs fast, or a
 * burst), the oldest are dropped so the delay stays bounded.
 */
import { FRAME_SAMPLES } from '../../../../media/types';

export class FrameFifo {
  private readonly buf: Int16Array;
  private head = 0;
  private size = 0;
  dropped = 0;

  /** Default: 6 frames (120 ms) of jitter absorbed. */
  constructor(capacity = FRAME_SAMPLES * 6) {
    this.buf = new Int16Array(capacity);
  }

  get available(): number {
    return this.size;
  }

  push(pcm: Int16Array): void {
    const cap = this.buf.length;
    let src = pcm;
    if (src.length > cap) src = src.subarray(src.length - cap);
    const over = this.size + src.length - cap;
    if (over > 0) {
      this.head = (this.head + over) % cap;
      this.size -= over;
      this.dropped += over;
    }
    let tail = (this.head + this.size) % cap;
    for (let i = 0; i < src.length; i++) {
      this.buf[tail] = src[i]!;
      tail = tail + 1 === cap ? 0 : tail + 1;
    }
    this.size += src.length;
  }

  /** Drops the oldest samples beyond `max` (a bound lower than the capacity, applied when the caller chooses). */
  trim(max: number): void {
    const over = this.size - max;
    if (over <= 0) return;
    this.head = (this.head + over) % this.buf.length;
    this.size -= over;
    this.dropped += over;
  }

  /** Fills `out` with the next frame; missing samples (late packets, silence suppression) are zeros. Returns samples taken. */
  pull(out: Int16Array): number {
    const cap = this.buf.length;
    const n = Math.min(out.length, this.size);
    for (let i = 0; i < n; i++) {
      out[i] = this.buf[this.head]!;
      this.head = this.head + 1 === cap ? 0 : this.head + 1;
    }
    out.fill(0, n);
    this.size -= n;
    return n;
  }
}
