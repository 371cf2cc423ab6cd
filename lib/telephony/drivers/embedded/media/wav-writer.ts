/**
 * A two-channel 16-bit 8 kHz WAV written as the call goes, off the media
 * path: the pacer only appends frames to an in-memory chunk; full chunks go
 * to an fs write stream (libuv's thread pool does the disk I/O). The RIFF and
 * data sizes are patched when the file is closed. A write error, or a disk
 * too slow to keep up (more than `maxBacklogBytes` queued), ends the
 * recording with that error; the call never waits for the disk.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { SAMPLE_RATE } from '../../../../media/types';

const HEADER_BYTES = 44;
const CHANNELS = 2;

export function wavHeader(dataBytes: number, channels = CHANNELS, rate = SAMPLE_RATE): Buffer {
  const b = Buffer.alloc(HEADER_BYTES);
  b.write('RIFF', 0, 'latin1');
  b.writeUInt32LE(36 + dataBytes, 4);
  b.write('WAVEfmt ', 8, 'latin1');
  b.writeUInt32LE(16, 16);
  b.writeUInt16LE(1, 20); // PCM
  b.writeUInt16LE(channels, 22);
  b.writeUInt32LE(rate, 24);
  b.writeUInt32LE(rate * channels * 2, 28);
  b.writeUInt16LE(channels * 2, 32);
  b.writeUInt16LE(16, 34);
  b.write('data', 36, 'latin1');
  b.writeUInt32LE(dataBytes, 40);
  return b;
}

export interface WavWriterOptions {
  path: string;
  /** Bytes gathered before a write (default 1 s of audio). */
  chunkBytes?: number;
  /** Queued bytes beyond which the disk counts as failing (default 10 s of audio). */
  maxBacklogBytes?: number;
  onError(err: Error): void;
}

export class StereoWavWriter {
  private readonly stream: WriteStream;
  private chunk: Buffer;
  private used = 0;
  private readonly chunkBytes: number;
  private readonly maxBacklog: number;
  dataBytes = 0;
  failed?: Error;
  private closed = false;

  constructor(private readonly o: WavWriterOptions) {
    this.chunkBytes = o.chunkBytes ?? SAMPLE_RATE * CHANNELS * 2;
    this.maxBacklog = o.maxBacklogBytes ?? this.chunkBytes * 10;
    this.chunk = Buffer.alloc(this.chunkBytes);
    this.stream = createWriteStream(o.path, { flags: 'w' });
    this.stream.on('error', (err) => this.fail(err));
    this.stream.write(wavHeader(0));
  }

  /** Appends one frame: left = a, right = b (same length). Never blocks. */
  append(a: Int16Array, b: Int16Array): void {
    if (this.failed || this.closed) return;
    for (let i = 0; i < a.length; i++) {
      if (this.used + 4 > this.chunkBytes) this.flush();
      this.chunk.writeInt16LE(a[i]!, this.used);
      this.chunk.writeInt16LE(b[i]!, this.used + 2);
      this.used += 4;
    }
    this.dataBytes += a.length * 4;
  }

  private flush(): void {
    if (this.used === 0 || this.failed) return;
    if (this.stream.writableLength > this.maxBacklog) {
      this.fail(new Error(`disk too slow: ${this.stream.writableLength} bytes waiting to be written`));
      return;
    }
    this.stream.write(this.chunk.subarray(0, this.used));
    this.chunk = Buffer.alloc(this.chunkBytes);
    this.used = 0;
  }

  private fail(err: Error): void {
    if (this.failed) return;
    this.failed = err;
    this.stream.destroy();
    this.o.onError(err);
  }

  /** Writes what is left, closes and patches the header sizes. Resolves with the data size; rejects on a write error. */
  async close(): Promise<number> {
    if (this.closed) return this.dataBytes;
    this.closed = true;
    if (!this.failed) this.flush();
    if (this.failed) throw this.failed;
    await new Promise<void>((res, rej) => {
      this.stream.once('error', rej);
      this.stream.end(() => res());
    });
    if (this.failed) throw this.failed;
    const fh = await open(this.o.path, 'r+');
    try {
      const h = wavHeader(this.dataBytes);
      await fh.write(h, 0, HEADER_BYTES, 0);
    } finally {
      await fh.close();
    }
    return this.dataBytes;
  }
}
