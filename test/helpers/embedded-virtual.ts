/**
 * The embedded driver on a VirtualClock and an in-memory SIP transport (its
 * RTP sockets stay real, on loopback): the unit tier's way to run the real
 * driver's SIP through timers of any length without waiting.
 */
import { validateConfig } from '../../lib/config';
import { EmbeddedDriver } from '../../lib/telephony/drivers/embedded/driver';
import type { EndCause, LegEvent } from '../../lib/telephony/contract';
import { decideResult } from '../../lib/results';
import { header, responseTo, VirtualClock, type SipHeader, type SipRequest } from '../../lib/sip';
import { MemoryTransport } from './sip-memory';

export const FAR_SDP = [
  'v=0',
  'o=far 777 1 IN IP4 127.0.0.1',
  's=-',
  'c=IN IP4 127.0.0.1',
  't=0 0',
  'm=audio 40000 RTP/AVP 0 101',
  'a=rtpmap:0 PCMU/8000',
  'a=rtpmap:101 telephone-event/8000',
  'a=sendrecv',
  '',
].join('\r\n');

export async function virtualDriver(t: { teardown(fn: () => unknown): void }) {
  const clock = new VirtualClock();
  const net = new MemoryTransport(() => clock.now());
  const cfg = validateConfig({
    log: { level: 'silent' },
    telephony: {
      embedded: { sip: { host: '127.0.0.1', port: 0 } },
      trunks: [{ name: 'far', address: '127.0.0.1:5070', callsPerSecond: 1000 }],
    },
  });
  const driver = new EmbeddedDriver({ embedded: cfg.telephony.embedded, trunks: cfg.telephony.trunks, sipClock: clock, transports: [net] });
  await driver.start();
  t.teardown(() => driver.stop());
  const events: LegEvent[] = [];
  driver.onEvent((e) => events.push(e));
  const t0 = clock.now();
  const invite = () => net.requests('INVITE')[0]!.msg;
  /** Answers `req` from the far end (To tag farTag); cseqMethod rewrites the CSeq method (CANCEL's 200 etc.). */
  const reply = (req: SipRequest, status: number, reason: string, extra: SipHeader[] = [], body = Buffer.alloc(0)) => {
    net.deliver(responseTo(req, status, reason, [{ name: 'Contact', value: '<sip:far@127.0.0.1:5070>' }, ...extra], body, 'farTag'));
  };
  const end = () => events.find((e): e is Extract<LegEvent, { type: 'end' }> => e.type === 'end')?.cause;
  const result = (c: EndCause) => decideResult({ end: c, verdicts: [], connected: false });
  /** A request from the far end inside the leg's dialog. */
  const farRequest = (method: string, cseq: number, extra: SipHeader[] = [], body = '') => {
    const inv = invite();
    const lines = [
      `${method} sip:dialer@127.0.0.1:${net.local.port} SIP/2.0`,
      `Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKfar${method}${cseq}`,
      `From: ${header(inv, 'To')};tag=farTag`,
      `To: ${header(inv, 'From')}`,
      `Call-ID: ${header(inv, 'Call-ID')}`,
      `CSeq: ${cseq} ${method}`,
      'Contact: <sip:far@127.0.0.1:5070>',
      'Max-Forwards: 70',
      ...extra.map((h) => `${h.name}: ${h.value}`),
      ...(body ? ['Content-Type: application/sdp'] : []),
      `Content-Length: ${Buffer.byteLength(body)}`,
      '',
      body,
    ];
    net.deliver(lines.join('\r\n'));
  };
  return { clock, net, driver, events, t0, invite, reply, end, result, farRequest };
}
