/**
 * The freeswitch driver's inbound calls (issue 18) against recording fakes of
 * drachtio and fsmrf: 180 and the handler, no FreeSWITCH channel before the
 * answer, the answer made from the caller's offer on a soft RTP timer, the
 * refusals (480 without a handler, 488 without an offer, a status of the
 * handler's choosing), a CANCEL before and during the answer, and a BYE.
 */
import t from 'tap';
import type { IncomingCall } from '../../../lib/telephony/contract';
import { rig } from './fakes';

t.test('an INVITE rings, is offered to the handler, and is answered from the caller offer', async (t) => {
  const r = await rig();
  const calls: IncomingCall[] = [];
  r.driver.onIncoming((c) => calls.push(c));
  const inv = r.srf.incoming();
  t.same(inv.responses, ['180'], '180 at once');
  t.equal(calls.length, 1);
  t.match(
    calls[0],
    { requestUri: 'sip:0312340001@127.0.0.1', from: '<sip:0312000014@10.0.0.1>;tag=1', trunk: 'carrier' },
    'the trunk by source address',
  );
  const ms = r.mrf.servers.get('fs1')!;
  t.equal(ms.sinks.length + ms.endpoints.length, 0, 'no FreeSWITCH channel before the answer');
  t.equal(r.driver.health().activeLegs, 1, 'the ringing call counts as a leg');

  await r.driver.answerIncoming(calls[0]!.legId);
  t.same(inv.responses, ['180', '200']);
  t.equal(ms.sinks.length, 1, 'one endpoint, made from the caller offer');
  t.equal(ms.sinks[0]!.sdp, inv.sdp);
  t.same(ms.sinks[0]!.headers, { 'X-Dialer-Rtp-Timer': 'soft' }, 'on a soft RTP timer (messages play out without caller RTP)');
  t.same(r.trace(calls[0]!.legId), ['answer']);
  t.ok(r.driver.mediaUuid(calls[0]!.legId), 'the leg has its FreeSWITCH channel');
  await r.driver.answerIncoming(calls[0]!.legId);
  t.same(inv.responses, ['180', '200'], 'answering twice changes nothing');

  inv.dialog!.remoteBye();
  await r.settle();
  t.same(r.trace(calls[0]!.legId), ['answer', 'end:remote:200:answered'], 'the caller BYE ends the leg');
  t.equal(r.driver.health().activeLegs, 0);
});

t.test('refusals: no handler 480, no offer 488, the handler status, hangup before answer 480', async (t) => {
  const r = await rig();
  t.same(r.srf.incoming().responses, ['480 Temporarily Unavailable'], 'nothing takes inbound calls: 480');
  const calls: IncomingCall[] = [];
  const off = r.driver.onIncoming((c) => calls.push(c));
  t.same(r.srf.incoming({ sdp: '' }).responses, ['488 Not Acceptable Here'], 'an INVITE without an offer: 488');
  t.equal(calls.length, 0);

  const a = r.srf.incoming();
  await r.driver.rejectIncoming(calls[0]!.legId, 404, 'Not Found');
  t.same(a.responses, ['180', '404 Not Found']);
  t.same(r.trace(calls[0]!.legId), ['end:local:404:unanswered']);
  await r.driver.rejectIncoming(calls[0]!.legId, 404, 'Not Found');
  t.same(a.responses, ['180', '404 Not Found'], 'a second refusal of an ended leg sends nothing');
  await t.rejects(r.driver.rejectIncoming('nope', 404, 'x'), /no inbound leg nope/);

  const b = r.srf.incoming();
  await r.driver.hangup(calls[1]!.legId);
  t.same(b.responses, ['180', '480 Temporarily Unavailable'], 'hangup before the answer refuses with 480');
  await t.rejects(r.driver.answerIncoming(calls[1]!.legId), /no inbound leg/);
  off();
  t.same(r.srf.incoming().responses, ['480 Temporarily Unavailable'], 'after unsubscribing: 480 again');
});

t.test('a CANCEL before the answer, and one that crosses it', async (t) => {
  const r = await rig();
  const calls: IncomingCall[] = [];
  r.driver.onIncoming((c) => calls.push(c));
  const ms = r.mrf.servers.get('fs1')!;

  const a = r.srf.incoming();
  a.cancel();
  t.same(r.trace(calls[0]!.legId), ['end:remote:487:unanswered'], 'the caller hung up while ringing');
  await t.rejects(r.driver.answerIncoming(calls[0]!.legId), /no inbound leg/);
  t.equal(ms.sinks.length, 0, 'no channel was made');

  let open!: () => void;
  const b = r.srf.incoming();
  b.acceptGate = new Promise<void>((res) => (open = res));
  const answering = r.driver.answerIncoming(calls[1]!.legId);
  await r.settle();
  b.cancel();
  open();
  await answering.catch(() => undefined);
  await r.settle();
  t.same(r.trace(calls[1]!.legId), ['end:remote:487:unanswered'], 'one end, no answer event');
  t.equal(r.driver.health().activeLegs, 0, 'nothing left');
  t.same(b.responses, ['180', '200'], 'the 200 had crossed the CANCEL');
  t.equal(r.log.lines((c) => c.op === 'BYE').length, 1, 'so our BYE follows it (RFC 3261 §9.1)');
});
