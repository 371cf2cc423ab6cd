/**
 * Listen-in, whisper and barge: a three-party mixer on the shared 20 ms pacer.
 * Each party's received audio goes into its FIFO; on every tick each listener
 * gets the sum of the parties it hears, clipped to 16 bits and encoded in its
 * own codec (PCMU or PCMA, so parties with different laws mix correctly).
 * Who hears whom is the pure table `hears` (tested on its own).
 */
import { encodeG711, type G711Law } from '../../../../media/g711';
import { FRAME_SAMPLES } from '../../../../media/types';
import type { PacedSender } from '../rtp/pacer';
import { MONITOR_MODES, type MonitorMode } from '../../../contract';
import { FrameFifo } from './fifo';

export { MONITOR_MODES, type MonitorMode };

export type Party = 'agent' | 'customer' | 'supervisor';
const PARTIES: readonly Party[] = ['agent', 'customer', 'supervisor'];

/**
 * Who each party hears in a mode.
 * listen: the supervisor hears agent + customer, nobody hears the supervisor.
 * whisper: the agent also hears the supervisor; the customer still hears only the agent.
 * barge: a three-way call, everyone hears everyone else.
 */
export function hears(mode: MonitorMode, listener: Party): readonly Party[] {
  switch (listener) {
    case 'supervisor':
      return ['agent', 'customer'];
    case 'agent':
      return mode === 'listen' ? ['customer'] : ['customer', 'supervisor'];
    case 'customer':
      return mode === 'barge' ? ['agent', 'supervisor'] : ['agent'];
  }
}

/** What the mixer needs of a leg's RTP session. */
export interface MixPort {
  readonly law: G711Law;
  /** Sends one encoded 20 ms frame now. */
  sendFrame(payload: Uint8Array): void;
}

interface Member {
  port: MixPort;
  fifo: FrameFifo;
  frame: Int16Array;
  out: Uint8Array;
}

const MAX = 32767;
const MIN = -32768;

export class Mixer implements PacedSender {
  private readonly members = new Map<Party, Member>();
  private readonly sum = new Int32Array(FRAME_SAMPLES);
  private readonly pcm = new Int16Array(FRAME_SAMPLES);

  constructor(
    public mode: MonitorMode,
    ports: Record<Party, MixPort>,
  ) {
    for (const p of PARTIES) {
      this.members.set(p, {
        port: ports[p],
        fifo: new FrameFifo(),
        frame: new Int16Array(FRAME_SAMPLES),
        out: new Uint8Array(FRAME_SAMPLES),
      });
    }
  }

  /** Decoded audio received from a party. */
  push(party: Party, pcm: Int16Array): void {
    this.members.get(party)!.fifo.push(pcm);
  }

  /** One 20 ms frame out to every party. */
  tick(): void {
    for (const m of this.members.values()) m.fifo.pull(m.frame);
    for (const p of PARTIES) {
      const m = this.members.get(p)!;
      mixInto(
        this.sum,
        hears(this.mode, p).map((q) => this.members.get(q)!.frame),
      );
      for (let i = 0; i < FRAME_SAMPLES; i++) {
        const v = this.sum[i]!;
        this.pcm[i] = v > MAX ? MAX : v < MIN ? MIN : v;
      }
      encodeG711(m.port.law, this.pcm, m.out as Uint8Array<ArrayBuffer>);
      m.port.sendFrame(m.out);
    }
  }
}

/** sum[i] = Σ frames[k][i] (32-bit, clipped by the caller). */
export function mixInto(sum: Int32Array, frames: readonly Int16Array[]): void {
  sum.fill(0);
  for (const f of frames) for (let i = 0; i < sum.length; i++) sum[i] = sum[i]! + f[i]!;
}
