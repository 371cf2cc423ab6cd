/**
 * The media side of a SIPp phone in tests (sipp-scenarios/phone-probe.xml):
 * a loopback RTP endpoint that sends a steady tone (its party's "voice") and
 * keeps every frame it receives, so a test can tell, with lib/media's
 * Goertzel measure, whose tones a party hears. It learns where to send from
 * the first packet the dialer sends it (the dialer sends silence at once).
 */
import { createSocket, type Socket } from 'node:dgram';
import { decodeG711, encodeG711, PAYLOAD_TYPE, type G711Law } from '../../media/g711';
import { goertzelShare } from '../../media/features';
import { FRAME_SAMPLES, SAMPLE_RATE } from '../../media/types';
import { buildRtp, parseRtp } from '../drivers/embedded/rtp/packet';
import type { Sipp } from './sipp';
import { startSipp } from './sipp';

export interface ReceivedFrame {
  at: number;
  pcm: Int16Array;
}

export class RtpProbe {
  readonly frames: ReceivedFrame[] = [];
  private remote?: { address: string; port: number };
  private timer?: NodeJS.Timeout;
  private seq = 1;
  private ts = 0;
  private phase = 0;
  /** A keypad digit being sent (RFC 4733) instead of the tone, and how many 20 ms packets of it are sent. */
  private dtmf?: { event: number; startTs: number; sent: number; packets: number; done: () => void };
  private readonly ssrc = Math.floor(Math.random() * 0x7fffffff) + 1;

  private constructor(
    private readonly socket: Socket,
    readonly port: number,
    readonly law: G711Law,
    readonly toneHz: number,
    readonly level: number,
    /** Sends nothing at all (a muted phone, silence suppression): only receives. */
    readonly silent = false,
  ) {
    socket.on('message', (buf, rinfo) => {
      const p = parseRtp(buf);
      if (!p || (p.payloadType !== 0 && p.payloadType !== 8)) return;
      this.remote ??= { address: rinfo.address, port: rinfo.port };
      this.frames.push({ at: Date.now(), pcm: decodeG711(p.payloadType === 0 ? 'ulaw' : 'alaw', p.payload) });
    });
    // The probe's own clock: 20 ms frames of its tone.
    this.timer = setInterval(() => this.send(), 20);
  }

  static async start(o: { toneHz: number; law?: G711Law; level?: number; silent?: boolean }): Promise<RtpProbe> {
    const socket = createSocket('udp4');
    await new Promise<void>((res) => socket.bind(0, '127.0.0.1', () => res()));
    return new RtpProbe(socket, socket.address().port, o.law ?? 'ulaw', o.toneHz, o.level ?? 8000, o.silent ?? false);
  }

  /**
   * Presses a keypad key: RFC 4733 telephone-events (payload type 101, as
   * phone-probe.xml's SDP offers) in place of the tone for `durationMs`, then
   * the three end packets; resolves once the last one is sent.
   */
  sendDtmf(digit: string, durationMs = 200): Promise<void> {
    const event = '0123456789*#'.indexOf(digit);
    if (event < 0) throw new Error(`not a keypad digit: ${digit}`);
    if (this.dtmf) throw new Error('a digit is already being sent');
    return new Promise((done) => {
      this.dtmf = { event, startTs: this.ts, sent: 0, packets: Math.max(1, Math.round(durationMs / 20)), done };
    });
  }

  private sendEvent(d: NonNullable<RtpProbe['dtmf']>): void {
    d.sent++;
    const end = d.sent >= d.packets;
    const payload = Buffer.alloc(4);
    payload[0] = d.event;
    payload[1] = (end ? 0x80 : 0) | 10;
    payload.writeUInt16BE(Math.min(d.sent, d.packets) * FRAME_SAMPLES, 2);
    // The end packet goes three times (RFC 4733 §2.5.1.4); one timestamp for the whole event.
    for (let i = 0; i < (end ? 3 : 1); i++) {
      const pkt = buildRtp(
        { payloadType: 101, marker: d.sent === 1 && i === 0, seq: this.seq, timestamp: d.startTs, ssrc: this.ssrc },
        payload,
      );
      this.seq = (this.seq + 1) & 0xffff;
      this.socket.send(pkt, this.remote!.port, this.remote!.address);
    }
    this.ts = (this.ts + FRAME_SAMPLES) >>> 0;
    if (end) {
      this.dtmf = undefined;
      d.done();
    }
  }

  private send(): void {
    if (!this.remote || this.silent) return;
    if (this.dtmf) return this.sendEvent(this.dtmf);
    const pcm = new Int16Array(FRAME_SAMPLES);
    for (let i = 0; i < FRAME_SAMPLES; i++) {
      pcm[i] = Math.round(this.level * Math.sin(this.phase));
      this.phase += (2 * Math.PI * this.toneHz) / SAMPLE_RATE;
    }
    this.phase %= 2 * Math.PI;
    const pkt = buildRtp(
      { payloadType: PAYLOAD_TYPE[this.law], marker: false, seq: this.seq, timestamp: this.ts, ssrc: this.ssrc },
      encodeG711(this.law, pcm),
    );
    this.seq = (this.seq + 1) & 0xffff;
    this.ts = (this.ts + FRAME_SAMPLES) >>> 0;
    this.socket.send(pkt, this.remote.port, this.remote.address);
  }

  /** Mean energy share of each frequency over the frames received in [from, to) (epoch ms), and the mean level. */
  heard(freqs: readonly number[], from: number, to = Date.now()): { shares: Record<number, number>; meanAbs: number; frames: number } {
    const sel = this.frames.filter((f) => f.at >= from && f.at < to && f.pcm.length === FRAME_SAMPLES);
    const shares: Record<number, number> = {};
    let abs = 0;
    for (const hz of freqs) shares[hz] = 0;
    for (const f of sel) {
      let e = 0;
      for (const s of f.pcm) {
        e += s * s;
        abs += Math.abs(s);
      }
      for (const hz of freqs) shares[hz]! += goertzelShare(f.pcm, hz, e) / Math.max(1, sel.length);
    }
    return { shares, meanAbs: sel.length ? abs / (sel.length * FRAME_SAMPLES) : 0, frames: sel.length };
  }

  close(): void {
    clearInterval(this.timer);
    this.socket.close();
  }
}

/**
 * A SIPp phone whose audio is an RtpProbe playing `toneHz`: scenario
 * phone-probe, or another with its SDP keys (phone-probe-mute-bye: never
 * answers the BYE).
 */
export async function startProbePhone(o: {
  toneHz: number;
  law?: G711Law;
  /** The phone sends no RTP at all (RtpProbe.silent). */
  silent?: boolean;
  timeoutS?: number;
  scenario?: 'phone-probe' | 'phone-probe-mute-bye';
}): Promise<{ sipp: Sipp; probe: RtpProbe; stop(): Promise<void> }> {
  const probe = await RtpProbe.start(o);
  const law = probe.law;
  const sipp = await startSipp({
    scenario: o.scenario ?? 'phone-probe',
    // A phone lives as long as its test may (tap's file timeout, .taprc): SIPp's -timeout ends the process, and a
    // phone gone before its call is placed leaves the dialer's INVITE unanswered. With 60 s, test/e2e/agents/desktop's
    // three phones exited at 60 s into a 164 s run at load 38 (-j 6 e2e beside a CPU burner), and the supervisor's
    // phone, called at 66 s, never answered: 'the supervisor in listen mode' timed out with the monitor 'ringing'.
    // A phone left behind by a killed test is ended by test/helpers/reap-children.ts.
    timeoutS: o.timeoutS ?? 300,
    keys: { probe_port: String(probe.port), probe_pt: String(PAYLOAD_TYPE[law]), probe_codec: law === 'ulaw' ? 'PCMU' : 'PCMA' },
  });
  return {
    sipp,
    probe,
    stop: async () => {
      probe.close();
      await sipp.stop();
    },
  };
}
