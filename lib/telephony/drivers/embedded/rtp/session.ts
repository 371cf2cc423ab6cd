/**
 * One leg's RTP: a socket from the pool, symmetric RTP (we send to where the
 * far end's packets come from, RFC 4961), paced 20 ms sending of whatever is
 * playing (or silence), relay to a bridged peer, RFC 4733 DTMF. Only packets
 * of the leg's own far end are taken (latch.ts): others are counted in
 * `stats` and dropped before any analysis or relay.
 */
import type { Socket } from 'node:dgram';
import { randomInt } from 'node:crypto';
import { decodeG711, encodeG711, SILENCE_BYTE, type G711Law } from '../../../../media/g711';
import { buildRtp, dtmfDigit, parseRtp, parseTelephoneEvent } from './packet';
import type { PacedSender, Pacer } from './pacer';
import type { Endpoint } from '../../../../sip';
import { RtpLatch, type LatchStats, type LatchVerdict, type RefusedStream } from './latch';

const FRAME_BYTES = 160;

export interface RtpStats extends LatchStats {
  packetsIn: number;
  bytesIn: number;
  packetsOut: number;
  bytesOut: number;
}

export interface Playback {
  id: string;
  /** Audio already encoded in this session's law. */
  audio: Uint8Array;
  loop: boolean;
  offset: number;
  onDone: () => void;
}

export interface RtpSessionOptions {
  socket: Socket;
  port: number;
  pacer: Pacer;
  /** Send silence frames when nothing plays (keeps NAT bindings and carrier RTP-timeouts happy). */
  sendSilence: boolean;
  onAudio(payload: Buffer, law: G711Law): void;
  onDtmf(digit: string, durationMs: number): void;
  /** A packet was dropped by the latch (driver-wide counters). */
  onDrop?(reason: Exclude<LatchVerdict, 'accept'>): void;
  /** Streams known to be other legs' (orphans of a dead process): never latched (latch.ts). */
  refused?: RefusedStream;
  /** The leg latched a stream (source and SSRC), or let one go (undefined): the driver journals it. */
  onLatch?(stream: { address: string; port: number; ssrc: number } | undefined): void;
  /** Clock for the latch's SSRC-switch rule (tests). */
  now?: () => number;
}

export class RtpSession implements PacedSender {
  private readonly latch: RtpLatch;
  readonly stats: RtpStats;
  /** The latched stream last reported through onLatch ("address port ssrc"). */
  private reported = '';
  law: G711Law = 'ulaw';
  private payloadType = 0;
  private dtmfPt = 101;
  private seq = randomInt(0, 0xffff);
  private ts = randomInt(0, 0x7fffffff);
  private readonly ssrc = randomInt(1, 0x7fffffff);
  private playback?: Playback;
  private peer?: RtpSession;
  private lastDtmfTs = -1;
  private paced = false;
  private closed = false;
  /** RFC 3264 §6.1: while the negotiated direction is recvonly or inactive on our side we send nothing. */
  private muted = false;
  /** In a mixer (listen/whisper/barge): no relay to the peer, no own pacing; the mixer sends. */
  private mixed = false;
  private readonly silence: Buffer;

  constructor(private readonly opts: RtpSessionOptions) {
    this.latch = new RtpLatch(1000, opts.refused);
    this.stats = { packetsIn: 0, bytesIn: 0, packetsOut: 0, bytesOut: 0, ...this.latch.stats };
    this.silence = Buffer.alloc(FRAME_BYTES, SILENCE_BYTE.ulaw);
    opts.socket.on('message', (buf, rinfo) => this.receive(buf, { address: rinfo.address, port: rinfo.port }));
    opts.socket.on('error', () => undefined);
  }

  get port(): number {
    return this.opts.port;
  }

  /** From the SDP answer: where to send and in which codec. */
  setRemote(ep: Endpoint, law: G711Law, payloadType: number, dtmfPt?: number): void {
    this.latch.answer(ep);
    this.law = law;
    this.payloadType = payloadType;
    if (dtmfPt !== undefined) this.dtmfPt = dtmfPt;
    this.silence.fill(SILENCE_BYTE[law]);
    this.updatePacing();
  }

  play(p: Playback): void {
    const prev = this.playback;
    this.playback = p;
    if (prev && prev !== p) prev.onDone();
    this.updatePacing();
  }

  /** Stops the current playback without its done callback; returns whether one was playing. */
  stopPlayback(): boolean {
    const had = !!this.playback;
    this.playback = undefined;
    this.updatePacing();
    return had;
  }

  bridge(peer: RtpSession | undefined): void {
    this.peer = peer;
    if (peer) this.playback = undefined;
    this.updatePacing();
  }

  setMixed(on: boolean): void {
    this.mixed = on;
    if (on) this.playback = undefined;
    this.updatePacing();
  }

  /** Sends one encoded frame now (the mixer's output, already in this session's law). */
  sendFrame(payload: Uint8Array): void {
    this.sendPayload(payload);
  }

  /** Whether the SDP lets us send (sendrecv/sendonly on our side); held (recvonly/inactive) stops every packet. */
  setSending(on: boolean): void {
    this.muted = !on;
    this.updatePacing();
  }

  close(): void {
    this.closed = true;
    this.peer = undefined;
    this.opts.pacer.remove(this);
    try {
      this.opts.socket.close();
    } catch {
      /* already closed */
    }
  }

  tick(): void {
    const p = this.playback;
    if (!p) return this.sendPayload(this.silence);
    const frame = p.audio.subarray(p.offset, p.offset + FRAME_BYTES);
    p.offset += FRAME_BYTES;
    let payload: Uint8Array = frame;
    if (frame.length < FRAME_BYTES) {
      payload = Buffer.alloc(FRAME_BYTES, SILENCE_BYTE[this.law]);
      (payload as Buffer).set(frame);
    }
    this.sendPayload(payload);
    if (p.offset >= p.audio.length) {
      if (p.loop) p.offset = 0;
      else {
        this.playback = undefined;
        this.updatePacing();
        p.onDone();
      }
    }
  }

  private get remote(): Endpoint | undefined {
    return this.latch.remote;
  }

  private updatePacing(): void {
    const want = !this.closed && !this.muted && !!this.remote && !this.peer && !this.mixed && (!!this.playback || this.opts.sendSilence);
    if (want && !this.paced) this.opts.pacer.add(this);
    if (!want && this.paced) this.opts.pacer.remove(this);
    this.paced = want;
  }

  private sendPayload(payload: Uint8Array): void {
    if (!this.remote || this.closed || this.muted) return;
    const pkt = buildRtp({ payloadType: this.payloadType, marker: false, seq: this.seq, timestamp: this.ts, ssrc: this.ssrc }, payload);
    this.seq = (this.seq + 1) & 0xffff;
    this.ts = (this.ts + payload.length) >>> 0;
    this.stats.packetsOut++;
    this.stats.bytesOut += payload.length;
    this.opts.socket.send(pkt, this.remote.port, this.remote.address);
  }

  /** Audio from the bridged peer: forwarded at once, transcoded if the laws differ. */
  private relay(payload: Buffer, law: G711Law): void {
    if (law === this.law) return this.sendPayload(payload);
    this.sendPayload(encodeG711(this.law, decodeG711(law, payload)));
  }

  private reportLatch(): void {
    const st = this.latch.stream;
    const key = st ? `${st.address} ${st.port} ${st.ssrc}` : '';
    if (key === this.reported) return;
    this.reported = key;
    this.opts.onLatch!(st);
  }

  private receive(buf: Buffer, from: Endpoint): void {
    const pkt = parseRtp(buf);
    if (!pkt || this.closed) return;
    const verdict = this.latch.check(from, pkt.ssrc, (this.opts.now ?? Date.now)());
    if (this.opts.onLatch) this.reportLatch();
    if (verdict !== 'accept') {
      Object.assign(this.stats, this.latch.stats);
      this.opts.onDrop?.(verdict);
      return;
    }
    this.stats.packetsIn++;
    this.stats.bytesIn += pkt.payload.length;
    if (pkt.payloadType === this.dtmfPt) {
      const ev = parseTelephoneEvent(pkt.payload);
      // The end packet is sent three times (RFC 4733 §2.5.1.4): report an event once per timestamp.
      if (ev && ev.end && pkt.timestamp !== this.lastDtmfTs) {
        this.lastDtmfTs = pkt.timestamp;
        const digit = dtmfDigit(ev.event);
        if (digit) this.opts.onDtmf(digit, Math.round(ev.duration / 8));
      }
      return;
    }
    const law: G711Law | undefined = pkt.payloadType === 0 ? 'ulaw' : pkt.payloadType === 8 ? 'alaw' : undefined;
    if (!law) return;
    if (this.peer && !this.mixed) this.peer.relay(pkt.payload, law);
    this.opts.onAudio(pkt.payload, law);
  }
}
