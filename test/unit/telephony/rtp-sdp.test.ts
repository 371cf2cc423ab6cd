import t from 'tap';
import {
  buildRtp,
  parseRtp,
  parseTelephoneEvent,
  telephoneEventPayload,
  dtmfDigit,
} from '../../../lib/telephony/drivers/embedded/rtp/packet';
import { buildSdp, negotiate } from '../../../lib/telephony/drivers/embedded/sdp';
import { loadAudio, holdMusic, tone } from '../../../lib/telephony/drivers/embedded/assets';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

t.test('RTP header round trip, CSRC/extension/padding skipped, non-RTP rejected', async (t) => {
  const pkt = buildRtp({ payloadType: 8, marker: true, seq: 65535, timestamp: 0xfffffff0, ssrc: 0x12345678 }, Buffer.from([1, 2, 3]));
  const p = parseRtp(pkt)!;
  t.same([p.payloadType, p.marker, p.seq, p.timestamp, p.ssrc, [...p.payload]], [8, true, 65535, 0xfffffff0, 0x12345678, [1, 2, 3]]);
  // One CSRC, a one-word extension, two bytes of padding.
  const b = Buffer.concat([
    Buffer.from([0x80 | 0x20 | 0x10 | 1, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 2]),
    Buffer.alloc(4),
    Buffer.from([0xbe, 0xde, 0, 1]),
    Buffer.alloc(4),
    Buffer.from([9, 9, 0, 2]),
  ]);
  t.same([...parseRtp(b)!.payload], [9, 9]);
  t.equal(parseRtp(Buffer.from('hello world!')), null);
  t.equal(parseRtp(Buffer.alloc(5)), null);
  t.equal(parseRtp(Buffer.from([0x80, 200, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0])), null, 'RTCP SR');
});

t.test('RFC 4733 telephone-event payloads', async (t) => {
  const ev = parseTelephoneEvent(telephoneEventPayload('#', true, 800))!;
  t.same(ev, { event: 11, end: true, volume: 10, duration: 800 });
  t.equal(dtmfDigit(11), '#');
  t.equal(dtmfDigit(5), '5');
  t.equal(dtmfDigit(15), 'D');
  t.equal(dtmfDigit(16), null, 'flash is not a digit');
  t.throws(() => telephoneEventPayload('x', false, 0));
});

t.test('SDP: our offer parses back; the answer picks its first G.711 codec and telephone-event', async (t) => {
  const offer = buildSdp({ address: '127.0.0.1', port: 20000, sessionId: 5, codecs: ['alaw', 'ulaw'] });
  const n = negotiate(offer);
  t.same([n.address, n.port, n.law, n.payloadType, n.dtmfPayloadType], ['127.0.0.1', 20000, 'alaw', 8, 101]);
  const answer =
    'v=0\r\no=- 1 1 IN IP4 10.0.0.9\r\ns=-\r\nc=IN IP4 10.0.0.9\r\nt=0 0\r\nm=audio 4000 RTP/AVP 18 0 96\r\na=rtpmap:18 G729/8000\r\na=rtpmap:96 telephone-event/8000\r\na=sendonly\r\n';
  const m = negotiate(answer);
  t.same([m.address, m.port, m.law, m.payloadType, m.dtmfPayloadType, m.direction], ['10.0.0.9', 4000, 'ulaw', 0, 96, 'sendonly']);
  t.throws(() => negotiate(answer.replace('18 0 96', '18 96')), /no G\.711/);
  t.throws(() => negotiate('v=0\r\nm=audio 0 RTP/AVP 0\r\n'), /no active audio/);
});

t.test('assets: generated audio is non-silent; files load; bad files are refused with the reason', async (t) => {
  const hm = holdMusic();
  t.ok(hm.length >= 8000 * 9, 'hold music is a loop of several seconds');
  t.ok(
    hm.some((s) => Math.abs(s) > 3000),
    'hold music is audible',
  );
  const b = tone(1000, 100);
  t.equal(b.length, 800);
  const dir = mkdtempSync(join(tmpdir(), 'assets-'));
  writeFileSync(join(dir, 'a.ulaw'), Buffer.alloc(160, 0xff));
  t.equal(loadAudio(join(dir, 'a.ulaw')).length, 160);
  writeFileSync(join(dir, 'a.mp3'), 'x');
  t.throws(() => loadAudio(join(dir, 'a.mp3')), /unknown audio type/);
  writeFileSync(join(dir, 'b.wav'), 'not a wav at all');
  t.throws(() => loadAudio(join(dir, 'b.wav')), /not a RIFF\/WAVE/);
});
