/** RTP ports: even numbers in a configured range (RTCP conventionally takes the odd one above). */
import { createSocket, type Socket } from 'node:dgram';
import { TelephonyError } from '../../../contract';

export class PortPool {
  private next: number;
  private inUse = new Set<number>();

  constructor(
    private readonly host: string,
    private readonly min: number,
    private readonly max: number,
  ) {
    if (min > max || min < 1024 || max > 65534) throw new Error(`bad RTP port range ${min}-${max}`);
    // Start at a random even port: a dialer restarted after a crash must not
    // reuse the ports of its dead calls, to which far ends may still stream.
    this.next = min + (min % 2) + 2 * Math.floor(Math.random() * this.size);
    if (this.next > max) this.next = min + (min % 2);
  }

  get size(): number {
    return Math.floor((this.max - this.min) / 2) + 1;
  }

  get used(): number {
    return this.inUse.size;
  }

  /** Binds a UDP socket on the next free even port; skips ports other programs hold. */
  async bind(): Promise<{ socket: Socket; port: number }> {
    for (let tries = 0; tries < this.size; tries++) {
      const port = this.next;
      this.next += 2;
      if (this.next > this.max) this.next = this.min + (this.min % 2);
      if (this.inUse.has(port)) continue;
      const socket = createSocket('udp4');
      try {
        await new Promise<void>((res, rej) => {
          socket.once('error', rej);
          socket.bind(port, this.host, () => {
            socket.off('error', rej);
            res();
          });
        });
      } catch {
        socket.close();
        continue;
      }
      this.inUse.add(port);
      return { socket, port };
    }
    // A local limit, not the number's fault: nothing was sent, so the caller gives the call back uncounted
    // (a port frees when a call ends, or when a dead process's orphan it was held for is over).
    throw new TelephonyError('NO_CAPACITY', `no free RTP port in ${this.min}-${this.max} (${this.inUse.size} in use)`);
  }

  /**
   * Keeps a port out of use (a dead process's call may still stream to it)
   * until release(). False when a live leg of ours already has it: its RTP
   * latch keeps the other stream out.
   */
  hold(port: number): boolean {
    if (port < this.min || port > this.max || this.inUse.has(port)) return false;
    this.inUse.add(port);
    return true;
  }

  release(port: number): void {
    this.inUse.delete(port);
  }
}
