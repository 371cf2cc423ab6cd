/**
 * Which RTP packets belong to a leg. A media port is reused by later calls;
 * after a crash, a carrier may keep streaming an orphaned call to it (issue
 * 14: a contact was scored as a fax from another call's audio). So a leg
 * takes packets only from its own far end:
 *
 * - nothing before the SDP answer says where the far end is;
 * - then the first packet from exactly the answered address and port
 *   (symmetric RTP, RFC 4961) latches that source and its SSRC (RFC 3550 §8);
 *   NAT: when the answer carries a private address (RFC 1918 / RFC 6598) and
 *   the packet comes from another address, that source is latched instead;
 * - after that, a packet from another source or with another SSRC is dropped
 *   and counted, never analysed. The latched source may switch to a new SSRC
 *   only once its old one has been silent for `ssrcSwitchAfterMs` (a far end
 *   restarting its stream), never while both are interleaved;
 * - a new answer (re-INVITE) starts over;
 * - a stream known to belong to another leg (an orphan of a dead process, by
 *   its journalled source address, port and SSRC: `refused`) is never
 *   latched, and a leg latched on one before it became known starts over.
 *   This is what tells two streams apart when a new call's far end answers
 *   from the very address and port an orphan still streams from (the same
 *   media gateway port reused): only the SSRC differs, and the first packet
 *   after the answer may be either.
 *
 * Pure: the caller feeds packets and time.
 */
import type { Endpoint } from '../../../../sip';

export type LatchVerdict = 'accept' | 'before-answer' | 'foreign-source' | 'foreign-ssrc';

export interface LatchStats {
  droppedBeforeAnswer: number;
  droppedForeignSource: number;
  droppedForeignSsrc: number;
}

const PRIVATE = [
  /^10\./,
  /^192\.168\./,
  /^172\.(1[6-9]|2[0-9]|3[01])\./,
  /^100\.(6[4-9]|[7-9][0-9]|1[01][0-9]|12[0-7])\./,
  /^f[cd][0-9a-f]{2}:/i,
];
const isPrivate = (a: string) => PRIVATE.some((re) => re.test(a));

/** Whether a stream (source address, port, SSRC) is known to be another leg's. */
export type RefusedStream = (from: Endpoint, ssrc: number) => boolean;

export class RtpLatch {
  readonly stats: LatchStats = { droppedBeforeAnswer: 0, droppedForeignSource: 0, droppedForeignSsrc: 0 };
  private expected?: Endpoint;
  private source?: Endpoint;
  private ssrc?: number;
  private lastAt = 0;

  constructor(
    private readonly ssrcSwitchAfterMs = 1000,
    private readonly refused: RefusedStream = () => false,
  ) {}

  /** The far end's address from an SDP answer (or a re-INVITE's): starts over if it moved. */
  answer(ep: Endpoint): void {
    if (this.expected && this.expected.address === ep.address && this.expected.port === ep.port) return;
    this.expected = { address: ep.address, port: ep.port };
    this.source = undefined;
    this.ssrc = undefined;
  }

  /** Where to send: the latched source (symmetric RTP), else the answered address. */
  get remote(): Endpoint | undefined {
    return this.source ?? this.expected;
  }

  get latched(): boolean {
    return this.source !== undefined;
  }

  /** The latched stream (source and SSRC), once there is one. */
  get stream(): { address: string; port: number; ssrc: number } | undefined {
    return this.source && this.ssrc !== undefined ? { ...this.source, ssrc: this.ssrc } : undefined;
  }

  check(from: Endpoint, ssrc: number, nowMs: number): LatchVerdict {
    const exp = this.expected;
    if (!exp) {
      this.stats.droppedBeforeAnswer++;
      return 'before-answer';
    }
    if (!this.source) {
      const exact = from.address === exp.address && from.port === exp.port;
      const nat = from.address !== exp.address && isPrivate(exp.address);
      if (!exact && !nat) {
        this.stats.droppedForeignSource++;
        return 'foreign-source';
      }
      if (this.refused(from, ssrc)) {
        this.stats.droppedForeignSsrc++;
        return 'foreign-ssrc';
      }
      this.source = { address: from.address, port: from.port };
      this.ssrc = ssrc;
      this.lastAt = nowMs;
      return 'accept';
    }
    if (from.address !== this.source.address || from.port !== this.source.port) {
      this.stats.droppedForeignSource++;
      return 'foreign-source';
    }
    if (this.refused(from, ssrc)) {
      // Latched on another leg's stream before it was known to be one: start over
      // (the next packet of another SSRC from the answered source latches).
      if (ssrc === this.ssrc) {
        this.source = undefined;
        this.ssrc = undefined;
      }
      this.stats.droppedForeignSsrc++;
      return 'foreign-ssrc';
    }
    if (ssrc !== this.ssrc) {
      if (nowMs - this.lastAt < this.ssrcSwitchAfterMs) {
        this.stats.droppedForeignSsrc++;
        return 'foreign-ssrc';
      }
      this.ssrc = ssrc;
    }
    this.lastAt = nowMs;
    return 'accept';
  }
}
