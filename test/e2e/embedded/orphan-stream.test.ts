/**
 * Audio must not cross (issue 14) when a new call's far end answers from the
 * very address and port an orphan still streams from (a media gateway reusing
 * its port): only the SSRC tells the two streams apart, and the orphan's
 * packet may arrive first after the answer. The dead process journalled the
 * stream its leg latched (address, port, SSRC); the process that ends the
 * orphan refuses that stream on its own legs until the orphan is ended.
 *
 * Real embedded drivers journalling in a real Redis, a raw SIP peer on
 * loopback and two RTP senders sharing one socket's address and port; RFC 4733
 * digits are the observable part of the analysis (audio takes the same path
 * through the latch). Deterministic: every packet is waited for, not timed.
 */
import t from 'tap';
import pino from 'pino';
import { createSocket, type Socket } from 'node:dgram';
import { validateConfig } from '../../../lib/config';
import { createRedis } from '../../../lib/store';
import { keys } from '../../../lib/store/keys';
import { RedisDialogJournal } from '../../../lib/store/dialog-journal';
import { EmbeddedDriver } from '../../../lib/telephony/drivers/embedded/driver';
import { UdpTransport } from '../../../lib/sip';
import type { LegEvent, LegId } from '../../../lib/telephony/contract';
import { telephoneEventPayload, buildRtp } from '../../../lib/telephony/drivers/embedded/rtp/packet';
import { startTestRedis } from '../../helpers/redis';
import { callIdOf, startRawPeer } from './raw-peer';

const log = pino({ level: 'silent' });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(what: string, ok: () => boolean | Promise<boolean>, ms = 20000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

async function startNode(url: string, owner: string, trunk: string, sipPort = 0, leaseMs = 1500) {
  const redis = createRedis({ url, keyPrefix: 'os:' });
  const udp = await UdpTransport.bind('127.0.0.1', sipPort, log);
  const journal = new RedisDialogJournal(redis, { owner, leaseMs, sweepMs: 200, log });
  const tel = validateConfig({
    log: { level: 'silent' },
    telephony: {
      embedded: { sip: { host: '127.0.0.1', port: 0 } },
      trunks: [{ name: 'carrier', address: trunk, callsPerSecond: 1000, maxChannels: 1000 }],
    },
  }).telephony;
  const driver = new EmbeddedDriver({ embedded: tel.embedded, trunks: tel.trunks, transports: [udp], journal, journalAckWaitMs: 1000 });
  await driver.start();
  const events: LegEvent[] = [];
  driver.onEvent((e) => events.push(e));
  const digits = (leg: LegId) => events.flatMap((e) => (e.type === 'dtmf' && e.legId === leg ? [e.digit] : []));
  return {
    driver,
    journal,
    udp,
    digits,
    /** What SIGKILL leaves: SIP socket and Redis connection gone, nothing sent, nothing cleaned. */
    crash: () => {
      udp.close();
      redis.disconnect();
    },
    close: async () => {
      await driver.stop().catch(() => undefined);
      redis.disconnect();
    },
  };
}

/** One RFC 4733 digit: 3 updates and 3 end packets (6 RTP packets). */
function sendDigit(from: Socket, toPort: number, d: string, ssrc: number, ts: number, seq: { n: number }): void {
  for (let k = 0; k < 6; k++) {
    const end = k >= 3;
    const payload = telephoneEventPayload(d, end, end ? 960 : 160 * (k + 1));
    from.send(buildRtp({ payloadType: 101, marker: k === 0, seq: seq.n++, timestamp: ts, ssrc }, payload), toPort, '127.0.0.1');
  }
}

/** Packets a leg has seen since the answer (taken or dropped). */
const seen = (d: EmbeddedDriver, leg: LegId) => {
  const s = d.rtpStats(leg);
  return s.packetsIn + s.droppedForeignSource + s.droppedForeignSsrc;
};

t.test('a new call answered from an orphan’s address and port does not latch the orphan’s SSRC', { timeout: 60000 }, async (t) => {
  const { redis, url } = await startTestRedis(t, 'os:');
  const peer = await startRawPeer();
  const gw = createSocket('udp4'); // the far end's media port: the orphan and the new call both stream from it
  await new Promise<void>((r) => gw.bind(0, '127.0.0.1', () => r()));
  const gwPort = gw.address().port;
  const ORPHAN = 0x0bad;
  const FRESH = 0x600d;
  const seq = { n: 1 };
  t.teardown(() => {
    peer.close();
    gw.close();
  });

  // Process A places a call; the far end answers and streams; A latches that stream and journals it.
  const a = await startNode(url, 'node-s', peer.address);
  const legA = await a.driver.originate({ to: '0312000011', ringTimeoutMs: 10000 });
  const invA = await peer.nextRequest('INVITE');
  const portA = Number(/m=audio (\d+)/.exec(invA.body.toString())![1]);
  peer.respond(invA, 200, 'OK', { sdpPort: gwPort });
  await peer.nextRequest('ACK');
  sendDigit(gw, portA, '3', ORPHAN, 100, seq);
  await until('A to hear its far end', () => a.digits(legA).length === 1);
  await until('the stream in A’s journal', async () => {
    const v = Object.values(await redis.hgetall(keys.dialogs(a.journal.id, 'dialogs')));
    return v.some((x) => (JSON.parse(x) as { media?: { ssrc: number } }).media?.ssrc === ORPHAN);
  });

  // A dies; its successor (same owner, same SIP port) takes its journal over at once and BYEs the orphan.
  const sipPort = a.udp.local.port;
  a.crash();
  const b = await startNode(url, 'node-s', peer.address, sipPort);
  t.teardown(async () => {
    await b.close();
    await a.close();
  });
  await peer.nextRequest('BYE'); // left unanswered: the orphan is not ended yet, and keeps streaming

  // B's new call is answered from the same address and port; the orphan's packet arrives first.
  const legB = await b.driver.originate({ to: '0312000012', ringTimeoutMs: 10000 });
  const invB = await peer.nextRequest('INVITE');
  const portB = Number(/m=audio (\d+)/.exec(invB.body.toString())![1]);
  peer.respond(invB, 200, 'OK', { sdpPort: gwPort });
  await peer.nextRequest('ACK');
  sendDigit(gw, portB, '8', ORPHAN, 200, seq);
  await until('the orphan’s first packets at B', () => seen(b.driver, legB) >= 6);
  sendDigit(gw, portB, '1', FRESH, 1000, seq);
  await until('the new call’s first digit at B', () => seen(b.driver, legB) >= 12);
  sendDigit(gw, portB, '7', ORPHAN, 300, seq);
  sendDigit(gw, portB, '2', FRESH, 2000, seq);
  await until('every packet at B', () => seen(b.driver, legB) >= 24);

  t.same(b.digits(legB), ['1', '2'], 'only the new call’s own stream is analysed');
  const st = b.driver.rtpStats(legB);
  t.equal(st.packetsIn, 12, 'its 12 packets were taken');
  t.equal(st.droppedForeignSsrc, 12, 'the orphan’s 12 from the same address and port were dropped');
  const hung = b.driver.hangup(legB);
  for (;;) {
    const bye = await peer.nextRequest('BYE'); // the orphan's BYE is retransmitted meanwhile (Timer E)
    if (callIdOf(bye) !== callIdOf(invB)) continue;
    peer.respond(bye, 200, 'OK');
    break;
  }
  await hung;
});

t.test(
  'before the dead process’s journal is claimed (another owner, lease still running), its streams are already refused',
  { timeout: 60000 },
  async (t) => {
    const { url } = await startTestRedis(t, 'os:');
    const peer = await startRawPeer();
    const gw = createSocket('udp4');
    await new Promise<void>((r) => gw.bind(0, '127.0.0.1', () => r()));
    const gwPort = gw.address().port;
    const ORPHAN = 0x0bee;
    const FRESH = 0x600f;
    const seq = { n: 1 };
    t.teardown(() => {
      peer.close();
      gw.close();
    });
    // A 60 s lease: nobody claims A's journal during this test; the orphan is not even known as one.
    const a = await startNode(url, 'node-p', peer.address, 0, 60000);
    const legA = await a.driver.originate({ to: '0312000013', ringTimeoutMs: 10000 });
    const invA = await peer.nextRequest('INVITE');
    const portA = Number(/m=audio (\d+)/.exec(invA.body.toString())![1]);
    peer.respond(invA, 200, 'OK', { sdpPort: gwPort });
    await peer.nextRequest('ACK');
    sendDigit(gw, portA, '3', ORPHAN, 100, seq);
    await until('A to hear its far end', () => a.digits(legA).length === 1);
    a.crash();

    const b = await startNode(url, 'node-q', peer.address, 0, 60000);
    t.teardown(async () => {
      await b.close();
      await a.close();
    });
    await until('B to know A’s stream', () => b.journal.isForeignStream(`127.0.0.1 ${gwPort} ${ORPHAN}`));
    const legB = await b.driver.originate({ to: '0312000014', ringTimeoutMs: 10000 });
    const invB = await peer.nextRequest('INVITE');
    const portB = Number(/m=audio (\d+)/.exec(invB.body.toString())![1]);
    peer.respond(invB, 200, 'OK', { sdpPort: gwPort });
    await peer.nextRequest('ACK');
    sendDigit(gw, portB, '8', ORPHAN, 200, seq);
    await until('the orphan’s first packets at B', () => seen(b.driver, legB) >= 6);
    sendDigit(gw, portB, '1', FRESH, 1000, seq);
    await until('every packet at B', () => seen(b.driver, legB) >= 12);
    t.same(b.digits(legB), ['1'], 'the orphan’s stream was refused before anyone claimed it');
    t.equal(b.driver.rtpStats(legB).droppedForeignSsrc, 6);
    const hung = b.driver.hangup(legB);
    for (;;) {
      const bye = await peer.nextRequest('BYE');
      if (callIdOf(bye) !== callIdOf(invB)) continue;
      peer.respond(bye, 200, 'OK');
      break;
    }
    await hung;
  },
);
