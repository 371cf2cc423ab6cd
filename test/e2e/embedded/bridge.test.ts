/**
 * Agent phone + customer, bridged by the embedded driver: each side's audio
 * reaches the other, checked by packet and byte counts in both directions —
 * at the driver, and at an RTP socket the test owns standing in for a customer.
 */
import t from 'tap';
import { createSocket } from 'node:dgram';
import { startSipp } from '../../../lib/telephony/testing/sipp';
import { startTestDriver } from '../../../lib/telephony/testing/driver';
import type { LegEvent } from '../../../lib/telephony/contract';
import type { EmbeddedDriver } from '../../../lib/telephony/drivers/embedded';
import { startRawPeer } from './raw-peer';
import { buildRtp, parseRtp } from '../../../lib/telephony/drivers/embedded/rtp/packet';
import { decodeG711, encodeG711 } from '../../../lib/media/g711';
import { tone } from '../../../lib/telephony/drivers/embedded/assets';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** 1.5 s of 20 ms packets from each phone while bridged. */
const BRIDGED_PACKETS = 75;

async function answered(driver: EmbeddedDriver, legId: string, events: LegEvent[]) {
  for (let i = 0; i < 250; i++) {
    if (events.some((e) => e.legId === legId && e.type === 'answer')) return;
    if (events.some((e) => e.legId === legId && e.type === 'end')) throw new Error(`leg ${legId} ended before answer`);
    await sleep(20);
  }
  throw new Error(`leg ${legId} not answered`);
}

t.test('agent phone and customer (both SIPp) hear each other through the bridge', async (t) => {
  const agentPhone = await startSipp({ scenario: 'agent-phone' });
  const customer = await startSipp({ scenario: 'uas-person' });
  const driver = await startTestDriver({ trunks: [{ name: 'c', address: customer.address }] });
  t.teardown(async () => {
    await driver.stop();
    await agentPhone.stop();
    await customer.stop();
  });
  const events: LegEvent[] = [];
  driver.onEvent((e) => events.push(e));
  const agent = await driver.originate({ to: `sip:agent1@${agentPhone.address}`, ringTimeoutMs: 5000 });
  await answered(driver, agent, events);
  await driver.play(agent, { kind: 'hold' });
  const cust = await driver.originate({ to: '0312345670', ringTimeoutMs: 5000 });
  await answered(driver, cust, events);
  // Hold music flows from the answer: its first 10 packets (200 ms) are waited for, bounded.
  for (const end = Date.now() + 5000; driver.rtpStats(agent).packetsOut < 10 && Date.now() < end;) await sleep(20);
  t.ok(driver.rtpStats(agent).packetsOut >= 10, 'the agent heard hold music while waiting');
  await driver.beep(agent);
  await driver.bridge(agent, cust);
  t.ok(
    events.some((e) => e.type === 'bridged' && e.legId === agent && e.peer === cust),
    'bridged event on the agent leg',
  );
  t.ok(
    events.some((e) => e.type === 'bridged' && e.legId === cust && e.peer === agent),
    'bridged event on the customer leg',
  );
  const a0 = driver.rtpStats(agent);
  const c0 = driver.rtpStats(cust);
  // Until each phone has sent 1.5 s of 20 ms packets (bounded), counted in packets, not read off the clock:
  // two SIPp phones waiting for a CPU on a loaded host send fewer than 75 in 1.5 s of wall time.
  const d = (x: number, y: number) => y - x;
  const sent = () => Math.min(d(a0.packetsIn, driver.rtpStats(agent).packetsIn), d(c0.packetsIn, driver.rtpStats(cust).packetsIn));
  for (const end = Date.now() + 15_000; sent() < BRIDGED_PACKETS && Date.now() < end;) await sleep(20);
  const a1 = driver.rtpStats(agent);
  const c1 = driver.rtpStats(cust);
  const agentIn = d(a0.packetsIn, a1.packetsIn);
  const custIn = d(c0.packetsIn, c1.packetsIn);
  t.ok(agentIn >= BRIDGED_PACKETS, `agent phone sent audio (${agentIn} packets)`);
  t.ok(custIn >= BRIDGED_PACKETS, `customer sent audio (${custIn} packets)`);
  // Every packet in from one side goes out to the other (same law: no transcoding, same sizes).
  t.ok(Math.abs(d(c0.packetsOut, c1.packetsOut) - agentIn) <= 2, `agent → customer: ${agentIn} in, ${d(c0.packetsOut, c1.packetsOut)} out`);
  t.ok(Math.abs(d(a0.packetsOut, a1.packetsOut) - custIn) <= 2, `customer → agent: ${custIn} in, ${d(a0.packetsOut, a1.packetsOut)} out`);
  t.ok(Math.abs(d(c0.bytesOut, c1.bytesOut) - d(a0.bytesIn, a1.bytesIn)) <= 2 * 160, 'bytes agent → customer match');
  t.ok(Math.abs(d(a0.bytesOut, a1.bytesOut) - d(c0.bytesIn, c1.bytesIn)) <= 2 * 160, 'bytes customer → agent match');

  await driver.unbridge(agent);
  t.ok(
    events.some((e) => e.type === 'unbridged' && e.legId === cust),
    'unbridged event',
  );
  await driver.hangup(cust);
  // The agent stays up ("nailed up") after the customer leaves.
  t.notOk(
    events.some((e) => e.type === 'end' && e.legId === agent),
    'agent leg still up',
  );
  await driver.hangup(agent);
  t.equal((await customer.done).code, 0, 'customer SIPp saw a clean call');
  t.equal((await agentPhone.done).code, 0, 'agent SIPp saw a clean call');
});

t.test('a customer RTP socket the test owns receives the agent phone audio, and its own tone reaches the agent leg', async (t) => {
  const agentPhone = await startSipp({ scenario: 'agent-phone' });
  const peer = await startRawPeer();
  const rtp = createSocket('udp4');
  await new Promise<void>((r) => rtp.bind(0, '127.0.0.1', () => r()));
  const rtpPort = (rtp.address() as { port: number }).port;
  const driver = await startTestDriver({ trunks: [{ name: 'c', address: peer.address }] });
  t.teardown(async () => {
    await driver.stop();
    await agentPhone.stop();
    peer.close();
    rtp.close();
  });
  const events: LegEvent[] = [];
  driver.onEvent((e) => events.push(e));
  const agent = await driver.originate({ to: `sip:agent1@${agentPhone.address}`, ringTimeoutMs: 5000 });
  await answered(driver, agent, events);
  const cust = await driver.originate({ to: '0312345670', ringTimeoutMs: 5000 });
  const inv = await peer.nextRequest('INVITE');
  const ourPort = Number(/m=audio (\d+)/.exec(inv.body.toString())![1]);
  peer.respond(inv, 200, 'OK', { sdpPort: rtpPort });
  await peer.nextRequest('ACK');
  await answered(driver, cust, events);
  await driver.bridge(agent, cust);

  let got = { packets: 0, bytes: 0, loud: 0 };
  rtp.on('message', (buf) => {
    const p = parseRtp(buf);
    if (!p) return;
    got.packets++;
    got.bytes += p.payload.length;
    const pcm = decodeG711('ulaw', p.payload);
    let sum = 0;
    for (const s of pcm) sum += Math.abs(s);
    if (sum / pcm.length > 256) got.loud++;
  });
  const frame = encodeG711('ulaw', tone(700, 20));
  const a0 = driver.rtpStats(agent);
  got = { packets: 0, bytes: 0, loud: 0 };
  let sent = 0;
  for (let i = 0; i < 60; i++) {
    rtp.send(buildRtp({ payloadType: 0, marker: i === 0, seq: i, timestamp: i * 160, ssrc: 99 }, frame), ourPort, '127.0.0.1');
    sent++;
    await sleep(20);
  }
  await sleep(100);
  const a1 = driver.rtpStats(agent);
  t.ok(got.packets >= 40, `customer socket received ${got.packets} packets (${got.bytes} bytes) of the agent's audio`);
  t.ok(got.loud >= 10, `…and it is speech, not silence (${got.loud} loud frames)`);
  t.equal(a1.packetsOut - a0.packetsOut, sent, `all ${sent} customer frames relayed to the agent phone`);
  t.equal(a1.bytesOut - a0.bytesOut, sent * 160, 'with every byte');
  const hung = driver.hangup(cust);
  peer.respond(await peer.nextRequest('BYE'), 200, 'OK');
  await hung;
  await driver.hangup(agent);
});
