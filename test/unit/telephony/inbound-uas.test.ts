/**
 * The embedded driver as a UAS for return calls (issue 18), on a virtual
 * clock: 180 at once, the 2xx resent at T1, 2·T1 … T2 until the ACK
 * (RFC 3261 §13.3.1.4) and a BYE after 64·T1 without one; CANCEL before the
 * answer → 200 for the CANCEL and 487 for the INVITE; a refusal's status; an
 * offer without G.711 → 488; BYE from the caller ends the leg.
 */
import t from 'tap';
import { FAR_SDP, virtualDriver } from '../../helpers/embedded-virtual';
import { header } from '../../../lib/sip';
import type { IncomingCall } from '../../../lib/telephony/contract';

const inviteText = (callId: string, branch: string, sdp = FAR_SDP, method = 'INVITE', cseq = 1) =>
  [
    `${method} sip:0312340001@127.0.0.1:5060 SIP/2.0`,
    `Via: SIP/2.0/UDP 127.0.0.1:5070;branch=${branch}`,
    'From: <sip:09011112222@127.0.0.1:5070>;tag=callerTag',
    'To: <sip:0312340001@127.0.0.1:5060>',
    `Call-ID: ${callId}`,
    `CSeq: ${cseq} ${method}`,
    'Contact: <sip:caller@127.0.0.1:5070>',
    'Max-Forwards: 70',
    ...(sdp ? ['Content-Type: application/sdp'] : []),
    `Content-Length: ${Buffer.byteLength(sdp)}`,
    '',
    sdp,
  ].join('\r\n');

async function setup(t: Parameters<typeof virtualDriver>[0]) {
  const v = await virtualDriver(t);
  const calls: IncomingCall[] = [];
  v.driver.onIncoming((c) => calls.push(c));
  const settle = async () => {
    for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
  };
  const toTag = () => /tag=([^;>\s]+)/.exec(header(v.net.responses(180)[0]!.msg, 'To')!)![1];
  return { ...v, calls, settle, toTag };
}

t.test('answered: 2xx resent until the ACK, then BYE from the caller ends it', async (t) => {
  const v = await setup(t);
  v.net.deliver(inviteText('call-1', 'z9hG4bKc1'));
  await v.settle();
  t.equal(v.calls.length, 1, 'offered to the handler');
  t.match(v.calls[0], { from: /09011112222/, trunk: 'far', source: { address: '127.0.0.1' } });
  t.equal(v.net.responses(180).length, 1, '180 Ringing at once');
  await v.driver.answerIncoming(v.calls[0]!.legId);
  t.equal(v.net.responses(200).length, 1, '200 OK sent');
  const ok = v.net.responses(200)[0]!.msg;
  t.match(ok.body.toString(), /m=audio \d+ RTP\/AVP 0/, 'SDP answer with PCMU from the offer');
  t.ok(
    v.events.some((e) => e.type === 'answer'),
    'answer event',
  );
  v.clock.advance(499);
  t.equal(v.net.responses(200).length, 1, 'not resent before T1');
  v.clock.advance(1);
  t.equal(v.net.responses(200).length, 2, 'resent at T1 (500 ms)');
  v.clock.advance(1000);
  t.equal(v.net.responses(200).length, 3, 'then 2·T1 later');
  // The ACK for the 2xx (its own transaction).
  v.net.deliver(
    [
      'ACK sip:dialer@127.0.0.1:5060 SIP/2.0',
      'Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKack1',
      'From: <sip:09011112222@127.0.0.1:5070>;tag=callerTag',
      `To: <sip:0312340001@127.0.0.1:5060>;tag=${v.toTag()}`,
      'Call-ID: call-1',
      'CSeq: 1 ACK',
      'Content-Length: 0',
      '',
      '',
    ].join('\r\n'),
  );
  v.clock.advance(10_000);
  t.equal(v.net.responses(200).length, 3, 'no more resends after the ACK');
  t.equal(v.net.requests('BYE').length, 0, 'no BYE: the ACK came');
  v.net.deliver(
    [
      'BYE sip:dialer@127.0.0.1:5060 SIP/2.0',
      'Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKbye1',
      'From: <sip:09011112222@127.0.0.1:5070>;tag=callerTag',
      `To: <sip:0312340001@127.0.0.1:5060>;tag=${v.toTag()}`,
      'Call-ID: call-1',
      'CSeq: 2 BYE',
      'Content-Length: 0',
      '',
      '',
    ].join('\r\n'),
  );
  await v.settle();
  t.match(v.end(), { by: 'remote', answered: true }, 'the caller hung up');
});

t.test('no ACK within 64·T1: the call is ended with a BYE', async (t) => {
  const v = await setup(t);
  v.net.deliver(inviteText('call-2', 'z9hG4bKc2'));
  await v.settle();
  await v.driver.answerIncoming(v.calls[0]!.legId);
  v.clock.advance(64 * 500 - 1);
  t.equal(v.net.requests('BYE').length, 0, 'not before 64·T1');
  t.ok(v.net.responses(200).length >= 7, `2xx resent (${v.net.responses(200).length} times in all), capped at T2`);
  v.clock.advance(1);
  await v.settle();
  const bye = v.net.requests('BYE')[0];
  t.ok(bye, 'BYE at 64·T1');
  t.equal(bye!.msg.uri, 'sip:caller@127.0.0.1:5070', "to the caller's Contact");
  t.match(header(bye!.msg, 'From'), /0312340001.*tag=/, 'From is our side (the INVITE’s To, with our tag)');
  t.match(header(bye!.msg, 'To'), /tag=callerTag/);
});

t.test('CANCEL before the answer: 200 for the CANCEL, 487 for the INVITE', async (t) => {
  const v = await setup(t);
  v.net.deliver(inviteText('call-3', 'z9hG4bKc3'));
  await v.settle();
  v.net.deliver(inviteText('call-3', 'z9hG4bKc3', '', 'CANCEL'));
  await v.settle();
  const cancelOk = v.net.responses(200).find((s) => /CANCEL/.test(header(s.msg, 'CSeq')!));
  t.ok(cancelOk, '200 for the CANCEL');
  t.equal(v.net.responses(487).length, 1, '487 Request Terminated for the INVITE');
  t.match(v.end(), { by: 'remote', answered: false, sipStatus: 487 });
  await t.rejects(v.driver.answerIncoming(v.calls[0]!.legId), /ended/, 'cannot answer a cancelled call');
});

t.test('refusals: the handler says 404; an offer without G.711 gets 488; no handler → 480', async (t) => {
  const v = await setup(t);
  v.net.deliver(inviteText('call-4', 'z9hG4bKc4'));
  await v.settle();
  await v.driver.rejectIncoming(v.calls[0]!.legId, 404, 'Not Found');
  t.equal(v.net.responses(404).length, 1, '404 for an unknown number');
  t.match(v.end(), { by: 'local', sipStatus: 404 });
  const g729 = FAR_SDP.replace('RTP/AVP 0 101', 'RTP/AVP 18').replace('a=rtpmap:0 PCMU/8000', 'a=rtpmap:18 G729/8000');
  v.net.deliver(inviteText('call-5', 'z9hG4bKc5', g729));
  await v.settle();
  t.equal(v.net.responses(488).length, 1, '488 Not Acceptable Here without G.711');
  t.equal(v.calls.length, 1, 'not offered to the handler');
  const bare = await virtualDriver(t);
  bare.net.deliver(inviteText('call-6', 'z9hG4bKc6'));
  await new Promise((r) => setImmediate(r));
  t.equal(bare.net.responses(480).length, 1, 'a driver without an inbound handler refuses with 480');
});
