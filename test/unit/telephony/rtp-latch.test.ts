import t from 'tap';
import { createSocket, type Socket } from 'node:dgram';
import { once } from 'node:events';
import { RtpLatch } from '../../../lib/telephony/drivers/embedded/rtp/latch';
import { RtpSession } from '../../../lib/telephony/drivers/embedded/rtp/session';
import { Pacer } from '../../../lib/telephony/drivers/embedded/rtp/pacer';
import { buildRtp } from '../../../lib/telephony/drivers/embedded/rtp/packet';

const far = { address: '192.0.2.10', port: 40000 };

t.test('latch: nothing before the answer, then only the answered source and its SSRC', async (t) => {
  const l = new RtpLatch(1000);
  t.equal(l.check(far, 1, 0), 'before-answer');
  l.answer(far);
  t.equal(l.check({ address: '192.0.2.10', port: 40002 }, 7, 10), 'foreign-source', 'same host, other port: an orphaned stream');
  t.equal(l.check({ address: '198.51.100.1', port: 40000 }, 7, 10), 'foreign-source', 'another host');
  t.equal(l.check(far, 1, 20), 'accept', 'the answered source latches with its SSRC');
  t.equal(l.check(far, 2, 40), 'foreign-ssrc', 'another SSRC interleaved from the same source');
  t.equal(l.check(far, 1, 60), 'accept');
  t.equal(l.check({ address: '192.0.2.10', port: 40002 }, 1, 80), 'foreign-source', 'even with the latched SSRC');
  t.equal(l.check(far, 2, 1061), 'accept', 'a new SSRC once the old one has been silent for 1 s (stream restarted)');
  t.equal(l.check(far, 1, 1080), 'foreign-ssrc', 'and the old one is now foreign');
  t.same(l.stats, { droppedBeforeAnswer: 1, droppedForeignSource: 3, droppedForeignSsrc: 2 });
  l.answer({ address: '192.0.2.11', port: 41000 });
  t.equal(l.check(far, 2, 2000), 'foreign-source', 'a re-INVITE to another address starts over');
  t.equal(l.check({ address: '192.0.2.11', port: 41000 }, 9, 2000), 'accept');
});

t.test('latch: NAT — a private answered address latches the first outside source', async (t) => {
  const l = new RtpLatch();
  l.answer({ address: '192.168.1.20', port: 5004 });
  t.equal(l.check({ address: '203.0.113.5', port: 62000 }, 5, 0), 'accept');
  t.same(l.remote, { address: '203.0.113.5', port: 62000 }, 'and sends there (symmetric RTP)');
  t.equal(l.check({ address: '203.0.113.6', port: 62000 }, 5, 1), 'foreign-source');
});

async function bound(): Promise<Socket> {
  const s = createSocket('udp4');
  s.bind(0, '127.0.0.1');
  await once(s, 'listening');
  return s;
}

t.test('session on a reused port: a foreign stream is counted and dropped, never analysed', async (t) => {
  const sock = await bound();
  const mine = await bound();
  const orphan = await bound();
  t.teardown(() => [mine, orphan].forEach((s) => s.close()));
  const heard: number[] = [];
  const pacer = new Pacer();
  const session = new RtpSession({
    socket: sock,
    port: sock.address().port,
    pacer,
    sendSilence: false,
    onAudio: (p) => heard.push(p[0]!),
    onDtmf: () => undefined,
  });
  t.teardown(() => session.close());
  const to = sock.address().port;
  const packet = (ssrc: number, seq: number, fill: number) =>
    buildRtp({ payloadType: 0, marker: false, seq, timestamp: seq * 160, ssrc }, Buffer.alloc(160, fill));
  // Each packet is waited for until the session has counted it (taken or dropped): the order matters, not the pace.
  const counted = () => {
    const s = session.stats;
    return s.packetsIn + s.droppedBeforeAnswer + s.droppedForeignSource + s.droppedForeignSsrc;
  };
  const send = async (from: Socket, buf: Buffer) => {
    const before = counted();
    from.send(buf, to, '127.0.0.1');
    for (let i = 0; i < 1000 && counted() === before; i++) await new Promise((r) => setTimeout(r, 5));
  };
  await send(orphan, packet(0xdead, 1, 0x11)); // streaming before this call was even answered
  session.setRemote({ address: '127.0.0.1', port: mine.address().port }, 'ulaw', 0);
  await send(orphan, packet(0xdead, 2, 0x11));
  await send(mine, packet(0xbeef, 1, 0x22));
  await send(orphan, packet(0xdead, 3, 0x11));
  await send(mine, packet(0xabcd, 2, 0x33)); // another SSRC from the latched source, interleaved
  await send(mine, packet(0xbeef, 2, 0x22));
  for (let i = 0; i < 50 && heard.length < 2; i++) await new Promise((r) => setTimeout(r, 10));
  t.same(heard, [0x22, 0x22], "only the leg's own far end was analysed");
  t.match(session.stats, { packetsIn: 2, droppedBeforeAnswer: 1, droppedForeignSource: 2, droppedForeignSsrc: 1 });
});

t.test('held (recvonly/inactive on our side): no RTP at all, silence and playback resume when the hold ends (RFC 3264 §6.1)', async (t) => {
  const sock = await bound();
  const far = await bound();
  t.teardown(() => far.close());
  let got = 0;
  far.on('message', () => got++);
  const pacer = new Pacer();
  t.teardown(() => pacer.stop());
  const session = new RtpSession({
    socket: sock,
    port: sock.address().port,
    pacer,
    sendSilence: true,
    onAudio: () => undefined,
    onDtmf: () => undefined,
  });
  t.teardown(() => session.close());
  session.setRemote({ address: '127.0.0.1', port: far.address().port }, 'ulaw', 0);
  const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));
  for (let i = 0; i < 100 && got === 0; i++) await wait(10);
  t.ok(got > 0, 'silence frames flow while sendrecv');
  session.setSending(false);
  session.play({ id: 'p', audio: new Uint8Array(1600), loop: true, offset: 0, onDone: () => undefined });
  session.sendFrame(new Uint8Array(160));
  await wait(50); // packets already in flight arrive
  const before = session.stats.packetsOut;
  const heard = got;
  await wait(300);
  t.equal(session.stats.packetsOut, before, 'nothing sent while held: no silence, no playback, no mixer frame');
  t.equal(got, heard, 'and nothing arrived');
  session.setSending(true);
  for (let i = 0; i < 100 && got === heard; i++) await wait(10);
  t.ok(got > heard, 'sending resumes when the far end takes the call off hold');
});

t.test('latch: a stream known to be another leg’s (an orphan’s address, port and SSRC) is never latched', async (t) => {
  const refused = new Set<number>([0x0bad]);
  const l = new RtpLatch(1000, (from, ssrc) => from.address === far.address && from.port === far.port && refused.has(ssrc));
  l.answer(far);
  t.equal(l.check(far, 0x0bad, 0), 'foreign-ssrc', 'the orphan’s packet first after the answer: dropped');
  t.notOk(l.latched, 'and not latched');
  t.equal(l.check(far, 0x600d, 5), 'accept', 'the new call’s stream from the same address and port latches');
  t.equal(l.check(far, 0x0bad, 10), 'foreign-ssrc');
  t.equal(l.check(far, 0x0bad, 2000), 'foreign-ssrc', 'not even once the latched SSRC has been silent for 1 s');
  t.equal(l.check(far, 0x600d, 2010), 'accept');
  t.same(l.stream, { ...far, ssrc: 0x600d });
});

t.test('latch: latched on an orphan’s stream before it was known to be one — starts over', async (t) => {
  const refused = new Set<number>();
  const l = new RtpLatch(1000, (_from, ssrc) => refused.has(ssrc));
  l.answer(far);
  t.equal(l.check(far, 0x0bad, 0), 'accept', 'unknown yet: latched');
  refused.add(0x0bad); // the dead process's journal is claimed
  t.equal(l.check(far, 0x0bad, 20), 'foreign-ssrc', 'dropped from then on');
  t.notOk(l.latched, 'the latch let it go');
  t.equal(l.check(far, 0x600d, 25), 'accept', 'the call’s own stream latches at once');
  t.equal(l.check(far, 0x0bad, 40), 'foreign-ssrc');
  t.same(l.stats, { droppedBeforeAnswer: 0, droppedForeignSource: 0, droppedForeignSsrc: 2 });
});
