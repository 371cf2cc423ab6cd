/**
 * The named pipe FreeSWITCH records a leg into (stream audio mode), read as
 * 20 ms frames. Opened O_RDWR|O_NONBLOCK: on Linux that never blocks (a plain
 * O_RDONLY open would hold a libuv pool thread until FreeSWITCH opens the
 * writing end, and four pending calls would stall all file I/O), and the pipe
 * never reads EOF between recordings. uuid_record blocks until a reader has
 * the pipe open, so this must resolve before uuid_record is sent (freeswitch.md).
 */
import { execFile } from 'node:child_process';
import { constants, open as openCb, promises as fsp } from 'node:fs';
import { Socket } from 'node:net';
import { dirname } from 'node:path';
import { promisify } from 'node:util';
import { FRAME_SAMPLES } from '../../../media/types';
import type { AudioTap } from './ports';

const run = promisify(execFile);
const FRAME_BYTES = FRAME_SAMPLES * 2;

/** Splits a byte stream of signed 16-bit little-endian samples into 160-sample frames. */
export class FrameAssembler {
  private pending = Buffer.alloc(0);

  push(chunk: Buffer): Int16Array[] {
    const buf = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    const frames: Int16Array[] = [];
    let off = 0;
    for (; off + FRAME_BYTES <= buf.length; off += FRAME_BYTES) {
      const f = new Int16Array(FRAME_SAMPLES);
      for (let i = 0; i < FRAME_SAMPLES; i++) f[i] = buf.readInt16LE(off + i * 2);
      frames.push(f);
    }
    this.pending = Buffer.from(buf.subarray(off));
    return frames;
  }
}

export async function openFifoTap(path: string): Promise<AudioTap> {
  await fsp.mkdir(dirname(path), { recursive: true });
  await fsp.rm(path, { force: true });
  // Mode 0666: FreeSWITCH usually runs as another user than the dialer.
  await run('mkfifo', ['-m', '0666', path]);
  // A raw fd (not a FileHandle, which would close it when collected): the socket owns it.
  const fd = await promisify(openCb)(path, constants.O_RDWR | constants.O_NONBLOCK);
  const sock = new Socket({ fd, readable: true, writable: false });
  const listeners: Array<(f: Int16Array) => void> = [];
  const frames = new FrameAssembler();
  sock.on('data', (chunk: Buffer) => {
    for (const f of frames.push(chunk)) for (const l of listeners) l(f);
  });
  sock.on('error', () => undefined);
  let closed = false;
  return {
    path,
    onFrame: (l) => listeners.push(l),
    close: async () => {
      if (closed) return;
      closed = true;
      sock.destroy();
      await fsp.rm(path, { force: true });
    },
  };
}
