/**
 * The dialer's end of a native-mode audio fork (detect.ts, analysis.ts): a
 * UDP socket that FreeSWITCH sends one leg's audio to as RTP, from a sink
 * endpoint whose SDP names this socket and which eavesdrops on the leg. The
 * payload is G.711 (the sink's SDP offers PCMU only; PCMA is decoded too)
 * and is handed on as the 20 ms frames of 160 samples that lib/media takes.
 * Packets lost on the way are replaced by silence, so the analyser's clock
 * (one frame = 20 ms) stays the call's clock; reordered or repeated packets
 * (older sequence numbers) are dropped. The socket is bound on the address
 * FreeSWITCH reaches the dialer at (telephony.freeswitch.mediaServers[].forkAddress).
 *
 * Only the sink's own stream is heard: packets are taken from its media port
 * (acceptFrom, the port of its SDP's audio line; FreeSWITCH sends from the
 * port it receives on) and from one address, the first seen there. A port
 * is reused (the range wraps, the kernel hands an ephemeral port out again,
 * and every driver in a process takes from the start of its range) while the
 * sink of the call that held it before may still be sending: its BYE has not
 * gone out or FreeSWITCH, loaded, has not acted on it. Seen live, at load 24:
 * 2 packets of another stream (another SSRC) at a new fork's start. With a new
 * SSRC taken as a new stream, the two streams were interleaved frame by frame;
 * a person's "Hello?" interleaved with a voicemail greeting still playing on
 * the stale sink is 40 ms of each in turn, no pause left in it, and lib/media
 * called it music (test/unit/freeswitch/fork.test.ts), recorded as code 4.
 */
import { createSocket, type Socket } from 'node:dgram';
import { decodeG711, PAYLOAD_TYPE } from '../../../media/g711';
import { parseRtp } from '../embedded/rtp/packet';
import type { AudioFork } from './ports';
import { FrameAssembler } from './tap';

/** A gap larger than this (packets) is a new stream or a restart, not loss: nothing is filled in. */
const MAX_FILL_PACKETS = 50;

/** Turns RTP packets (in arrival order) into frames of 16-bit samples. Pure; used by openRtpFork. */
export class RtpFrames {
  private lastSeq?: number;
  private lastSsrc?: number;
  private readonly frames = new FrameAssembler();

  push(packet: Buffer): Int16Array[] {
    const p = parseRtp(packet);
    if (!p) return [];
    const law = p.payloadType === PAYLOAD_TYPE.ulaw ? 'ulaw' : p.payloadType === PAYLOAD_TYPE.alaw ? 'alaw' : undefined;
    if (!law) return []; // comfort noise, telephone-event: no samples
    let fill = 0;
    if (this.lastSeq !== undefined && this.lastSsrc === p.ssrc) {
      const d = (p.seq - this.lastSeq + 0x10000) & 0xffff;
      // RFC 3550 §A.1: a forward step below half the sequence space is new; anything else is late or repeated.
      if (d === 0 || d >= 0x8000) return [];
      if (d - 1 <= MAX_FILL_PACKETS) fill = d - 1;
    }
    this.lastSeq = p.seq;
    this.lastSsrc = p.ssrc;
    const pcm = decodeG711(law, p.payload);
    const bytes = Buffer.alloc((fill + 1) * pcm.length * 2);
    const off = fill * pcm.length * 2;
    for (let i = 0; i < pcm.length; i++) bytes.writeInt16LE(pcm[i]!, off + i * 2);
    return this.frames.push(bytes);
  }
}

/**
 * The fork sockets' UDP ports (telephony.freeswitch.forkPortMin/forkPortMax):
 * even ports of the range in turn, from where the last one was taken, skipping
 * ours in use and any another program holds (the bind fails). Without a range,
 * the kernel's ephemeral ports.
 */
export class ForkPortRange {
  private next: number;
  private readonly inUse = new Set<number>();

  constructor(
    readonly min: number,
    readonly max: number,
  ) {
    this.next = min + (min % 2);
  }

  /** Even ports in the range. */
  get size(): number {
    const first = this.min + (this.min % 2);
    return first > this.max ? 0 : Math.floor((this.max - first) / 2) + 1;
  }

  get used(): number {
    return this.inUse.size;
  }

  /**
   * Calls `tryBind` with the range's free even ports in turn until one binds
   * (a port another program holds fails with EADDRINUSE/EACCES: the next is
   * tried); throws naming the keys when none is left.
   */
  async take<T>(tryBind: (port: number) => Promise<T>): Promise<{ port: number; value: T }> {
    for (let tries = 0; tries < this.size; tries++) {
      const port = this.next;
      this.next = port + 2 > this.max ? this.min + (this.min % 2) : port + 2;
      if (this.inUse.has(port)) continue;
      let value: T;
      try {
        value = await tryBind(port);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'EADDRINUSE' || code === 'EACCES') continue;
        throw err; // not about the port (a bad address)
      }
      this.inUse.add(port);
      return { port, value };
    }
    throw new Error(
      `no free UDP port for the audio fork in telephony.freeswitch.forkPortMin–forkPortMax (${this.min}–${this.max}: ${this.inUse.size} of ${this.size} even ports ours, the rest held by other programs)`,
    );
  }

  release(port: number): void {
    this.inUse.delete(port);
  }
}

/** A new UDP socket bound on `port` at `address`; closed again when the bind fails (a failed dgram socket cannot bind again). */
async function boundSocket(family: 'udp4' | 'udp6', port: number, address: string): Promise<Socket> {
  const sock = createSocket(family);
  try {
    await new Promise<void>((resolve, reject) => {
      sock.once('error', reject);
      sock.bind(port, address, () => {
        sock.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    sock.close();
    throw err;
  }
  return sock;
}

/**
 * Which packets are the sink's (see the header): none until its port is
 * known, then those from that port and the first address seen on it. Pure.
 */
export class SourceFilter {
  private port?: number;
  private address?: string;
  foreign = 0;

  acceptFrom(port: number): void {
    this.port = port;
  }

  accepts(from: { address: string; port: number }): boolean {
    if (from.port !== this.port) return (void this.foreign++, false);
    // The address is not compared with the SDP's: behind ext-rtp-ip FreeSWITCH advertises one it does not send from.
    this.address ??= from.address;
    if (from.address === this.address) return true;
    this.foreign++;
    return false;
  }
}

export async function openRtpFork(address: string, range?: ForkPortRange): Promise<AudioFork> {
  const family = address.includes(':') ? 'udp6' : 'udp4';
  // Port 0: the kernel's ephemeral range (README "Detection on FreeSWITCH": what a firewall must let through).
  const sock = range ? (await range.take((p) => boundSocket(family, p, address))).value : await boundSocket(family, 0, address);
  const port = sock.address().port;
  sock.on('error', () => undefined);
  const listeners: Array<(f: Int16Array) => void> = [];
  const rtp = new RtpFrames();
  const source = new SourceFilter();
  sock.on('message', (msg, from) => {
    if (!source.accepts(from)) return;
    for (const f of rtp.push(msg)) for (const l of listeners) l(f);
  });
  let closed = false;
  return {
    address,
    port,
    onFrame: (l) => listeners.push(l),
    acceptFrom: (p) => source.acceptFrom(p),
    get foreignPackets() {
      return source.foreign;
    },
    close: async () => {
      if (closed) return;
      closed = true;
      await new Promise<void>((r) => sock.close(() => r()));
      range?.release(port);
    },
  };
}
