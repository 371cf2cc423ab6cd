/**
 * The embedded driver against a misbehaving network: garbage and truncated
 * datagrams, unknown Call-IDs, strangers, a 200 OK retransmitted, a BYE racing
 * our CANCEL, an unanswered INVITE (Timers A/B). The process survives and each
 * call ends once with the right outcome.
 */
import t from 'tap';
import { createSocket } from 'node:dgram';
import { startRawPeer, callIdOf } from './raw-peer';
import { startTestDriver } from '../../../lib/telephony/testing/driver';
import type { LegEvent } from '../../../lib/telephony/contract';
import type { EmbeddedDriver } from '../../../lib/telephony/drivers/embedded';
import { decideResult } from '../../../lib/results';
import { telephoneEventPayload, buildRtp } from '../../../lib/telephony/drivers/embedded/rtp/packet';
import { header } from '../../../lib/sip';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function collect(driver: EmbeddedDriver): LegEvent[] {
  const events: LegEvent[] = [];
  driver.onEvent((e) => events.push(e));
  return events;
}
const endsOf = (events: LegEvent[], legId: string) =>
  events.filter((e): e is Extract<LegEvent, { type: 'end' }> => e.type === 'end' && e.legId === legId);
async function waitEnd(events: LegEvent[], legId: string, ms = 8000) {
  for (let i = 0; i < ms / 20; i++) {
    const e = endsOf(events, legId)[0];
    if (e) return e;
    await sleep(20);
  }
  throw new Error(`leg ${legId} did not end`);
}

t.test('garbage, truncated and unknown-dialog datagrams are dropped or refused; the next call still works', async (t) => {
  const peer = await startRawPeer();
  const driver = await startTestDriver({ trunks: [{ name: 'p', address: peer.address }] });
  t.teardown(async () => {
    await driver.stop();
    peer.close();
  });
  const sip = driver.sipEndpoint;
  const junk = [
    Buffer.from([0, 1, 2, 3, 255, 254, 13, 10, 13, 10]),
    'INVITE sip:x@y SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:1;branch=z9hG4bK1\r\nContent-Length: 500\r\n',
    'INVITE sip:x@y SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:1;branch=z9hG4bK1\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:c@d>\r\nCall-ID: q\r\nCSeq: 1 INVITE\r\nContent-Length: 500\r\n\r\nv=0',
    'SIP/2.0 200 OK\r\nVia: bogus\r\nFrom: a\r\nTo: b\r\nCall-ID: c\r\nCSeq: 1 INVITE\r\n\r\n',
    'SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bKnobody\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:c@d>;tag=2\r\nCall-ID: unknown-call\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n',
    '\r\n\r\n',
    'x'.repeat(1400),
  ];
  for (const j of junk) peer.sendRaw(j, sip);
  // An in-dialog BYE for a Call-ID we never had: 481 (RFC 3261 §12.2.2).
  peer.sendRaw(
    `BYE sip:dialer@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP ${peer.address};branch=z9hG4bKbye1\r\nFrom: <sip:x@y>;tag=a\r\nTo: <sip:d@e>;tag=b\r\nCall-ID: never-seen\r\nCSeq: 5 BYE\r\nContent-Length: 0\r\n\r\n`,
    sip,
  );
  peer.sendRaw(
    `OPTIONS sip:dialer@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP ${peer.address};branch=z9hG4bKopt1\r\nFrom: <sip:x@y>;tag=a\r\nTo: <sip:d@e>\r\nCall-ID: opt-1\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n`,
    sip,
  );
  // Until both are answered (bounded), not a fixed 300 ms: a test process waiting for a CPU runs its timer
  // before it reads the answers that came meanwhile.
  const statuses = () => peer.received.flatMap((m) => (m.kind === 'response' ? [`${m.status} ${header(m, 'CSeq')}`] : []));
  for (let i = 0; i < 250 && !(statuses().includes('481 5 BYE') && statuses().includes('200 1 OPTIONS')); i++) await sleep(20);
  t.ok(statuses().includes('481 5 BYE'), `BYE for an unknown Call-ID answered 481 (got ${statuses().join(', ')})`);
  t.ok(statuses().includes('200 1 OPTIONS'), 'OPTIONS answered 200');
  t.ok(driver.stats().sip.malformed! >= 5, `malformed datagrams counted (${driver.stats().sip.malformed})`);

  // The driver still places and ends calls normally.
  const events = collect(driver);
  const leg = await driver.originate({ to: '0311112222', ringTimeoutMs: 5000 });
  const inv = await peer.nextRequest('INVITE');
  peer.respond(inv, 486, 'Busy Here');
  const end = await waitEnd(events, leg);
  t.equal(end.cause.sipStatus, 486);
  t.equal(decideResult({ end: end.cause, verdicts: [], connected: false }), 3);
  t.ok((await peer.nextRequest('ACK')).method === 'ACK', 'non-2xx final ACKed by the transaction');
});

t.test('requests from addresses that are not trunks or allowed peers get 403', async (t) => {
  const stranger = await startRawPeer('127.0.0.2');
  const driver = await startTestDriver({ trunks: [{ name: 'p', address: '127.0.0.1:9' }] });
  t.teardown(async () => {
    await driver.stop();
    stranger.close();
  });
  stranger.sendRaw(
    `INVITE sip:dialer@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP ${stranger.address};branch=z9hG4bKin1\r\nFrom: <sip:x@y>;tag=a\r\nTo: <sip:d@e>\r\nCall-ID: in-1\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n`,
    driver.sipEndpoint,
  );
  for (let i = 0; i < 100 && !stranger.received.length; i++) await sleep(20);
  const r = stranger.received[0];
  t.equal(r?.kind === 'response' ? r.status : undefined, 403);
  t.equal(driver.stats().refused, 1);
});

t.test('a retransmitted 200 OK is ACKed each time and answers the call once', async (t) => {
  const peer = await startRawPeer();
  const driver = await startTestDriver({ trunks: [{ name: 'p', address: peer.address }] });
  t.teardown(async () => {
    await driver.stop();
    peer.close();
  });
  const events = collect(driver);
  const leg = await driver.originate({ to: '0311113333', ringTimeoutMs: 5000 });
  const inv = await peer.nextRequest('INVITE');
  peer.respond(inv, 180, 'Ringing');
  const ok = peer.respond(inv, 200, 'OK', { sdpPort: 9 });
  await peer.nextRequest('ACK');
  peer.sendRaw(ok, driver.sipEndpoint);
  await peer.nextRequest('ACK');
  peer.sendRaw(ok, driver.sipEndpoint);
  await peer.nextRequest('ACK');
  t.equal(events.filter((e) => e.legId === leg && e.type === 'answer').length, 1, 'one answer event');
  const hung = driver.hangup(leg);
  const bye = await peer.nextRequest('BYE');
  t.equal(callIdOf(bye), callIdOf(inv), 'BYE in the same dialog');
  t.match(header(bye, 'To')!, /tag=peertag/, 'BYE carries the remote tag');
  peer.respond(bye, 200, 'OK');
  await hung;
  const ends = endsOf(events, leg);
  t.equal(ends.length, 1);
  t.same([ends[0]!.cause.by, ends[0]!.cause.answered], ['local', true]);
});

t.test('a BYE racing our CANCEL: the crossing 200 is ACKed and BYEd, the call ends once as not answered (code 2)', async (t) => {
  const peer = await startRawPeer();
  const driver = await startTestDriver({ trunks: [{ name: 'p', address: peer.address }] });
  t.teardown(async () => {
    await driver.stop();
    peer.close();
  });
  const events = collect(driver);
  const leg = await driver.originate({ to: '0311114444', ringTimeoutMs: 600 });
  const inv = await peer.nextRequest('INVITE');
  peer.respond(inv, 180, 'Ringing');
  // Ring timer fires → CANCEL. The far end answers anyway (crossing) and immediately hangs up with a BYE.
  const cancel = await peer.nextRequest('CANCEL');
  peer.respond(cancel, 200, 'OK');
  peer.respond(inv, 200, 'OK', { sdpPort: 9 });
  peer.sendRaw(
    `BYE sip:dialer@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP ${peer.address};branch=z9hG4bKrace\r\nFrom: ${header(inv, 'To')};tag=peertag\r\nTo: ${header(inv, 'From')}\r\nCall-ID: ${callIdOf(inv)}\r\nCSeq: 9 BYE\r\nContent-Length: 0\r\n\r\n`,
    driver.sipEndpoint,
  );
  await peer.nextRequest('ACK');
  const ourBye = await peer.nextRequest('BYE');
  peer.respond(ourBye, 200, 'OK');
  const end = await waitEnd(events, leg);
  await sleep(100);
  t.equal(endsOf(events, leg).length, 1, 'one end event');
  t.equal(end.cause.by, 'timeout');
  t.equal(end.cause.answered, false);
  t.equal(decideResult({ end: end.cause, verdicts: [], connected: false }), 2);
  const byeAnswer = peer.received.find((m) => m.kind === 'response' && header(m, 'CSeq') === '9 BYE');
  t.ok(byeAnswer && byeAnswer.kind === 'response' && [200, 481].includes(byeAnswer.status), 'their BYE was answered');
});

t.test('an INVITE nobody answers is retransmitted (Timer A) and times out (Timer B) → code 13', async (t) => {
  const peer = await startRawPeer();
  const driver = await startTestDriver({
    trunks: [{ name: 'p', address: peer.address }],
    embedded: { sip: { host: '127.0.0.1', port: 0, t1Ms: 40 } },
  });
  t.teardown(async () => {
    await driver.stop();
    peer.close();
  });
  const events = collect(driver);
  const leg = await driver.originate({ to: '0311115555', ringTimeoutMs: 60000 });
  const end = await waitEnd(events, leg);
  const invites = peer.received.filter((m) => m.kind === 'request' && m.method === 'INVITE').length;
  t.ok(invites >= 3, `INVITE retransmitted (${invites} copies)`);
  t.same([end.cause.by, end.cause.sipStatus], ['error', 408]);
  t.equal(decideResult({ end: end.cause, verdicts: [], connected: false }), 13);
});

t.test('RFC 4733 DTMF from the far end arrives as one dtmf event per digit', async (t) => {
  const peer = await startRawPeer();
  const rtp = createSocket('udp4');
  await new Promise<void>((r) => rtp.bind(0, '127.0.0.1', () => r()));
  const rtpPort = (rtp.address() as { port: number }).port;
  const driver = await startTestDriver({ trunks: [{ name: 'p', address: peer.address }] });
  t.teardown(async () => {
    await driver.stop();
    peer.close();
    rtp.close();
  });
  const events = collect(driver);
  const leg = await driver.originate({ to: '0311116666', ringTimeoutMs: 5000 });
  const inv = await peer.nextRequest('INVITE');
  const ourRtpPort = Number(/m=audio (\d+)/.exec(inv.body.toString())![1]);
  peer.respond(inv, 200, 'OK', { sdpPort: rtpPort });
  await peer.nextRequest('ACK');
  let seq = 1;
  for (const [i, digit] of ['4', '2', '#'].entries()) {
    const ts = 1000 + i * 8000;
    for (let k = 0; k < 5; k++)
      rtp.send(
        buildRtp(
          { payloadType: 101, marker: k === 0, seq: seq++, timestamp: ts, ssrc: 7 },
          telephoneEventPayload(digit, false, 160 * (k + 1)),
        ),
        ourRtpPort,
        '127.0.0.1',
      );
    // The end packet three times (§2.5.1.4).
    for (let k = 0; k < 3; k++)
      rtp.send(
        buildRtp({ payloadType: 101, marker: false, seq: seq++, timestamp: ts, ssrc: 7 }, telephoneEventPayload(digit, true, 960)),
        ourRtpPort,
        '127.0.0.1',
      );
    await sleep(30);
  }
  // Until three digits came (bounded), not a fixed 200 ms (a starved test process reads its socket late).
  const digits = () => events.filter((e): e is Extract<LegEvent, { type: 'dtmf' }> => e.type === 'dtmf' && e.legId === leg);
  for (let i = 0; i < 250 && digits().length < 3; i++) await sleep(20);
  t.same(
    digits().map((d) => d.digit),
    ['4', '2', '#'],
  );
  t.equal(digits()[0]!.durationMs, 120);
  const hung = driver.hangup(leg);
  peer.respond(await peer.nextRequest('BYE'), 200, 'OK');
  await hung;
});
