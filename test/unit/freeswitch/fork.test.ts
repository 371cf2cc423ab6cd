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
import { ForkPortRange, RtpFrames, openRtpFork } from '../../../lib/telephony/drivers/freeswitch/fork';

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
  const tx = createSocket('udp4');
  await new Promise<void>((res) => tx.bind(0, '127.0.0.1', () => res()));
  fork.acceptFrom(tx.address().port);
  const got: Int16Array[] = [];
  const all = new Promise<void>((resolve) =>
    fork.onFrame((f) => {
      got.push(f);
      if (got.length === 5) resolve();
    }),
  );
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

/** A run of `n` even ports nobody holds now (probed), for a range of our own. */
async function freeEvenRun(n: number): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 10000 + 2 * Math.floor(Math.random() * 2500);
    const socks = [];
    let ok = true;
    for (let i = 0; i < n && ok; i++) {
      const s = createSocket('udp4');
      ok = await new Promise<boolean>((res) => {
        s.once('error', () => res(false));
        s.bind(base + 2 * i, '127.0.0.1', () => res(true));
      });
      socks.push(s);
    }
    for (const s of socks) s.close();
    if (ok) return base;
  }
  throw new Error('no free run of even ports found');
}

t.test('a port range: forks take even ports of it in turn, skip one another program holds, and run out naming the keys', async (t) => {
  const base = await freeEvenRun(3);
  const range = new ForkPortRange(base, base + 5); // even ports base, base+2, base+4
  t.equal(range.size, 3);
  // Another program holds the middle port.
  const other = createSocket('udp4');
  await new Promise<void>((res) => other.bind(base + 2, '127.0.0.1', () => res()));
  const a = await openRtpFork('127.0.0.1', range);
  const b = await openRtpFork('127.0.0.1', range);
  t.same([a.port, b.port], [base, base + 4], 'the held port was skipped');
  await t.rejects(openRtpFork('127.0.0.1', range), /no free UDP port for the audio fork in telephony\.freeswitch\.forkPortMin–forkPortMax/);
  t.equal(range.used, 2);
  await a.close();
  t.equal(range.used, 1, 'close() gives the port back to the range');
  const c = await openRtpFork('127.0.0.1', range);
  t.equal(c.port, base, 'and the next fork gets it');
  // It carries audio like an ephemeral one.
  const got = new Promise<Int16Array>((res) => c.onFrame(res));
  const tx = createSocket('udp4');
  await new Promise<void>((res) => tx.bind(0, '127.0.0.1', () => res()));
  c.acceptFrom(tx.address().port);
  tx.send(packet(1, tone(160)), c.port, '127.0.0.1');
  t.ok(rms(await got) > 3000, 'a frame arrived on the ranged port');
  tx.close();
  other.close();
  await b.close();
  await c.close();
});

t.test('a bad address is not taken for a busy port', async (t) => {
  const base = await freeEvenRun(1);
  const range = new ForkPortRange(base, base);
  const err = await openRtpFork('192.0.2.1', range).then(
    () => undefined,
    (e: NodeJS.ErrnoException) => e,
  );
  t.equal(err?.code, 'EADDRNOTAVAIL', 'the bind error itself, not "no free port"');
  t.equal(range.used, 0);
});
