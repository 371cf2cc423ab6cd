/**
 * The dialer's end of the native-mode audio fork: RTP from FreeSWITCH's sink
 * (G.711) into lib/media's 20 ms frames, lost packets replaced by silence so
 * the analyser's clock stays the call's, late/repeated ones dropped; and a
 * real UDP socket on loopback carrying a real encoded tone.
 */
import t from 'tap';
import { createSocket } from 'node:dgram';
import { encodeG711 } from '../../../lib/media/g711';
import { buildRtp } from '../../../lib/telephony/drivers/embedded/rtp/packet';
import { RtpFrames, openRtpFork } from '../../../lib/telephony/drivers/freeswitch/fork';

const tone = (n: number, hz = 1000, amp = 8000) =>
  Int16Array.from({ length: n }, (_, i) => Math.round(amp * Math.sin((2 * Math.PI * hz * i) / 8000)));
const packet = (seq: number, pcm: Int16Array, pt = 0, ssrc = 7) =>
  buildRtp({ payloadType: pt, marker: false, seq, timestamp: seq * 160, ssrc }, encodeG711(pt === 8 ? 'alaw' : 'ulaw', pcm));
const rms = (f: Int16Array) => Math.sqrt(f.reduce((s, x) => s + x * x, 0) / f.length);

t.test('RTP → frames: decode, fill a loss with silence, drop late and repeated packets, ignore non-G.711', async (t) => {
  const r = new RtpFrames();
  const a = tone(160);
  t.equal(r.push(packet(65534, a)).length, 1, 'one 20 ms packet → one frame');
  const [f] = r.push(packet(65535, a, 8));
  t.ok(Math.abs(rms(f!) - rms(a)) / rms(a) < 0.05, 'PCMA decoded to the same level');
  // 65535 → 2 wraps through 0 and 1: two packets lost, two silent frames first.
  const out = r.push(packet(2, a));
  t.equal(out.length, 3, 'two lost packets filled, then the packet');
  t.same([rms(out[0]!), rms(out[1]!)], [0, 0]);
  t.ok(rms(out[2]!) > 1000);
  t.same(r.push(packet(2, a)), [], 'a repeated packet is dropped');
  t.same(r.push(packet(1, a)), [], 'a late packet is dropped');
  t.same(r.push(packet(3, a, 13)), [], 'comfort noise carries no samples');
  t.equal(r.push(packet(500, a)).length, 1, 'a jump beyond 50 packets is not filled (a restart, not loss)');
  t.equal(r.push(packet(501, a, 0, 99)).length, 1, 'a new SSRC starts afresh');
  t.same(r.push(Buffer.from('not rtp')), []);
  // 10 ms packets are joined into 20 ms frames.
  const h = new RtpFrames();
  t.equal(h.push(packet(1, tone(80))).length, 0);
  t.equal(h.push(packet(2, tone(80))).length, 1);
});

t.test('a real socket on loopback: frames of a tone sent as PCMU arrive in order, close() releases the port', async (t) => {
  const fork = await openRtpFork('127.0.0.1');
  t.equal(fork.address, '127.0.0.1');
  t.ok(fork.port > 0);
  const got: Int16Array[] = [];
  const all = new Promise<void>((resolve) =>
    fork.onFrame((f) => {
      got.push(f);
      if (got.length === 5) resolve();
    }),
  );
  const tx = createSocket('udp4');
  const pcm = tone(800, 440);
  for (let i = 0; i < 5; i++) tx.send(packet(100 + i, pcm.subarray(i * 160, (i + 1) * 160)), fork.port, '127.0.0.1');
  await all;
  tx.close();
  t.equal(got.length, 5);
  t.ok(
    got.every((f) => f.length === 160 && rms(f) > 3000),
    'each frame carries the tone',
  );
  await fork.close();
  await fork.close(); // idempotent
  const again = createSocket('udp4');
  await t.resolves(
    new Promise<void>((res, rej) => (again.once('error', rej), again.bind(fork.port, '127.0.0.1', () => res()))),
    'port free again',
  );
  again.close();
});
