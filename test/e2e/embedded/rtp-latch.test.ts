/**
 * A reused media port with an orphaned stream still arriving (issue 14): the
 * far end of the new call is heard, the orphan is counted and dropped.
 * Real embedded driver over loopback UDP; DTMF events are the observable part
 * of the analysis (audio goes the same way through the latch).
 */
import t from 'tap';
import { createSocket, type Socket } from 'node:dgram';
import { startRawPeer } from './raw-peer';
import { startTestDriver } from '../../../lib/telephony/testing/driver';
import type { LegEvent } from '../../../lib/telephony/contract';
import { telephoneEventPayload, buildRtp } from '../../../lib/telephony/drivers/embedded/rtp/packet';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function udp(): Promise<Socket> {
  const s = createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
  return s;
}

t.test('packets from another source or SSRC on the leg’s port are dropped and counted, never analysed', async (t) => {
  const peer = await startRawPeer();
  const farEnd = await udp();
  const orphan = await udp();
  const driver = await startTestDriver({ trunks: [{ name: 'p', address: peer.address }] });
  t.teardown(async () => {
    await driver.stop();
    peer.close();
    farEnd.close();
    orphan.close();
  });
  const events: LegEvent[] = [];
  driver.onEvent((e) => events.push(e));
  const leg = await driver.originate({ to: '0311117777', ringTimeoutMs: 5000 });
  const inv = await peer.nextRequest('INVITE');
  const port = Number(/m=audio (\d+)/.exec(inv.body.toString())![1]);
  let seq = 1;
  const digit = (from: Socket, d: string, ssrc: number, ts: number) => {
    for (let k = 0; k < 3; k++)
      from.send(
        buildRtp({ payloadType: 101, marker: k === 0, seq: seq++, timestamp: ts, ssrc }, telephoneEventPayload(d, false, 160 * (k + 1))),
        port,
        '127.0.0.1',
      );
    for (let k = 0; k < 3; k++)
      from.send(
        buildRtp({ payloadType: 101, marker: false, seq: seq++, timestamp: ts, ssrc }, telephoneEventPayload(d, true, 960)),
        port,
        '127.0.0.1',
      );
  };
  // Every packet is waited for (counted by the leg, taken or dropped): the order matters, not the pace.
  const counted = () => {
    const s = driver.rtpStats(leg);
    return s.packetsIn + s.droppedBeforeAnswer + s.droppedForeignSource + s.droppedForeignSsrc;
  };
  const reach = async (n: number) => {
    for (let i = 0; i < 1000 && counted() < n; i++) await sleep(10);
  };
  // The orphan streams before the answer, then keeps on; the far end sends from its answered port.
  digit(orphan, '9', 0x0bad, 100);
  await reach(6);
  peer.respond(inv, 200, 'OK', { sdpPort: farEnd.address().port });
  await peer.nextRequest('ACK');
  digit(orphan, '8', 0x0bad, 200);
  await reach(12);
  digit(farEnd, '1', 0x600d, 1000);
  await reach(18);
  digit(orphan, '7', 0x0bad, 300);
  digit(farEnd, '5', 0x0bad, 2000); // the orphan's SSRC, now from the far end's port, while 0x600d is live
  await reach(30);
  digit(farEnd, '2', 0x600d, 9000);
  await reach(36);
  const digits = events.filter((e): e is Extract<LegEvent, { type: 'dtmf' }> => e.type === 'dtmf' && e.legId === leg).map((e) => e.digit);
  t.same(digits, ['1', '2'], 'only the far end of this call is analysed');
  const stats = driver.rtpStats(leg);
  t.equal(stats.droppedForeignSource, 12, 'the orphan’s 12 packets after the answer were dropped');
  t.equal(stats.droppedForeignSsrc, 6, 'the interleaved SSRC was dropped');
  t.equal(stats.droppedBeforeAnswer, 6, 'and its 6 before the answer');
  t.equal(stats.packetsIn, 12, 'the far end’s 12 were taken');
  t.match(
    driver.health().dropped,
    { rtp_before_answer: 6, rtp_foreign_source: 12, rtp_foreign_ssrc: 6 },
    'driver-wide counters for /metrics',
  );
  const hung = driver.hangup(leg);
  peer.respond(await peer.nextRequest('BYE'), 200, 'OK');
  await hung;
});

t.test('malformed SIP datagrams: every one counted, at most 10 warnings a minute', async (t) => {
  const peer = await startRawPeer();
  const driver = await startTestDriver({ trunks: [{ name: 'p', address: peer.address }] });
  t.teardown(async () => {
    await driver.stop();
    peer.close();
  });
  for (let i = 0; i < 50; i++) peer.sendRaw(`GARBAGE ${i} \u0000\r\n\r\n`, driver.sipEndpoint);
  for (let i = 0; i < 100 && (driver.stats().sip.malformed ?? 0) < 50; i++) await sleep(20);
  t.equal(driver.stats().sip.malformed, 50);
  t.equal(driver.stats().sip.malformedLogsSuppressed, 40, '10 logged, 40 left out');
  t.match(driver.health().dropped, { sip_malformed: 50 });
  t.match(driver.health().logsSuppressed, { sip_malformed: 40 });
});
