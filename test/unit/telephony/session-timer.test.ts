/**
 * RFC 4028 session timers on the embedded driver in virtual time (the real
 * driver, a VirtualClock, an in-memory transport): as the refresher it
 * refreshes at exactly half the interval and not before; as the other side it
 * sends BYE at the interval minus min(32 s, interval / 3) when no refresh came,
 * and a refresh re-arms that; a refused or lost refresh ends the call. Intervals
 * are real ones (90 s is RFC 4028's floor, 1800 s the common default).
 */
import t from 'tap';
import { parse } from 'sdp-transform';
import { header, responseTo, type SipHeader, type SipRequest } from '../../../lib/sip';
import { FAR_SDP, virtualDriver } from '../../helpers/embedded-virtual';

const SDP_HDR: SipHeader = { name: 'Content-Type', value: 'application/sdp' };
const ALLOW_UPDATE: SipHeader = { name: 'Allow', value: 'INVITE, ACK, BYE, CANCEL, UPDATE' };

/** A call answered with `extra` in the far end's 2xx; returns the harness and helpers. */
async function answered(t: Parameters<typeof virtualDriver>[0], extra: SipHeader[]) {
  const s = await virtualDriver(t);
  await s.driver.originate({ to: '0312345678', ringTimeoutMs: 40_000 });
  s.reply(s.invite(), 180, 'Ringing');
  s.reply(s.invite(), 200, 'OK', [SDP_HDR, ...extra], Buffer.from(FAR_SDP));
  const answeredAt = s.clock.now();
  const sent = (method: string) => s.net.requests(method).map((r) => ({ ...r, after: r.at - answeredAt }));
  return { ...s, answeredAt, sent };
}

t.test('the INVITE says Supported: timer (RFC 4028 §7.1), so a far end may make us the refresher', async (t) => {
  const s = await virtualDriver(t);
  await s.driver.originate({ to: '0312345678', ringTimeoutMs: 40_000 });
  t.match(header(s.invite(), 'Supported'), /\btimer\b/);
  t.match(header(s.invite(), 'Supported'), /\b100rel\b/);
});

t.test('refresher=uac in the 2xx: UPDATE at exactly 45 s of 90, each answered refresh re-arms; no BYE', async (t) => {
  const s = await answered(t, [{ name: 'Session-Expires', value: '90;refresher=uac' }, ALLOW_UPDATE]);
  s.clock.advance(44_999);
  t.equal(s.sent('UPDATE').length, 0, 'nothing before half the interval');
  s.clock.advance(1);
  const u = s.sent('UPDATE');
  t.equal(u.length, 1, 'the refresh at 45 s (§10)');
  t.equal(u[0]!.after, 45_000);
  const up = u[0]!.msg;
  t.equal(header(up, 'Session-Expires'), '90;refresher=uac', 'we stay the refresher (§7.1)');
  t.match(header(up, 'Supported'), /timer/);
  t.equal(up.body.length, 0, 'a pure refresh: no offer');
  t.match(header(up, 'To'), /tag=farTag/, 'inside the dialog');
  s.reply(up, 200, 'OK', [
    { name: 'Session-Expires', value: '90;refresher=uac' },
    { name: 'Require', value: 'timer' },
  ]);
  // Ten more minutes: a refresh every 45 s, each answered, and the call stays up.
  for (let i = 2; i <= 14; i++) {
    s.clock.advance(45_000);
    const all = s.sent('UPDATE');
    t.equal(all.length, i, `refresh ${i}`);
    s.reply(all.at(-1)!.msg, 200, 'OK', [{ name: 'Session-Expires', value: '90;refresher=uac' }]);
  }
  t.same(
    s.sent('UPDATE').map((x) => x.after),
    Array.from({ length: 14 }, (_, i) => (i + 1) * 45_000),
    'exactly every half interval',
  );
  t.equal(s.sent('BYE').length, 0);
  t.equal(s.end(), undefined, 'the call goes on');
});

t.test('refresher=uac, far end without UPDATE in Allow: re-INVITE with the same offer (o= version kept), ACKed', async (t) => {
  const s = await answered(t, [{ name: 'Session-Expires', value: '1800;refresher=uac' }]);
  s.clock.advance(899_999);
  t.equal(s.sent('INVITE').length, 1, 'only the original INVITE before 900 s');
  s.clock.advance(1);
  const inv = s.sent('INVITE');
  t.equal(inv.length, 2, 're-INVITE at 900 s of 1800');
  const re = inv[1]!.msg as SipRequest;
  t.equal(header(re, 'Session-Expires'), '1800;refresher=uac');
  const o0 = parse(inv[0]!.msg.body.toString()).origin!;
  const o1 = parse(re.body.toString()).origin!;
  t.equal(String(o1.sessionId), String(o0.sessionId));
  t.equal(String(o1.sessionVersion), String(o0.sessionVersion), 'unchanged session, unchanged version (RFC 3264 §8)');
  t.equal(parse(re.body.toString()).media[0]!.direction, 'sendrecv');
  s.reply(re, 200, 'OK', [SDP_HDR, { name: 'Session-Expires', value: '1800;refresher=uac' }], Buffer.from(FAR_SDP));
  const acks = s.sent('ACK');
  t.equal(header(acks.at(-1)!.msg, 'CSeq'), `${header(re, 'CSeq')!.split(' ')[0]} ACK`, "the re-INVITE's own ACK");
  // Its 2xx retransmitted (our ACK lost): the same ACK again.
  s.reply(re, 200, 'OK', [SDP_HDR, { name: 'Session-Expires', value: '1800;refresher=uac' }], Buffer.from(FAR_SDP));
  t.equal(s.sent('ACK').length, acks.length + 1);
  t.equal(header(s.sent('ACK').at(-1)!.msg, 'CSeq'), header(acks.at(-1)!.msg, 'CSeq'));
  s.clock.advance(900_000);
  t.equal(s.sent('INVITE').length, 3, 'and again 900 s later');
  t.equal(s.end(), undefined);
});

t.test('refresher=uas (the far end refreshes) and no refresh comes: BYE at 60 s of 90, not before', async (t) => {
  const s = await answered(t, [{ name: 'Session-Expires', value: '90;refresher=uas' }, ALLOW_UPDATE]);
  s.clock.advance(59_999);
  t.equal(s.sent('BYE').length, 0);
  t.equal(s.sent('UPDATE').length, 0, 'we are not the refresher');
  s.clock.advance(1);
  t.equal(s.sent('BYE').length, 1, 'BYE at 90 − min(32, 30) = 60 s (§10)');
  s.reply(s.sent('BYE')[0]!.msg, 200, 'OK');
  t.match(s.end(), { by: 'local', answered: true, detail: /session expired/ });
});

t.test("the far end's refresh re-arms the expiry guard; its refresh can make us the refresher", async (t) => {
  const s = await answered(t, [{ name: 'Session-Expires', value: '90;refresher=uas' }, ALLOW_UPDATE]);
  s.clock.advance(40_000);
  s.farRequest('UPDATE', 2, [
    { name: 'Session-Expires', value: '90;refresher=uac' },
    { name: 'Supported', value: 'timer' },
  ]);
  t.equal(s.net.responses(200).length, 1);
  s.clock.advance(59_999);
  t.equal(s.sent('BYE').length, 0, 'guard moved: 60 s after the refresh, not after the answer');
  // A 1800 s refresh with refresher=uas: from now on we refresh, at 900 s.
  s.farRequest('UPDATE', 3, [
    { name: 'Session-Expires', value: '1800;refresher=uas' },
    { name: 'Supported', value: 'timer' },
  ]);
  s.clock.advance(899_999);
  t.equal(s.sent('UPDATE').length, 0);
  t.equal(s.sent('BYE').length, 0);
  s.clock.advance(1);
  t.equal(s.sent('UPDATE').length, 1, 'we refresh at half of 1800 s');
  t.equal(header(s.sent('UPDATE')[0]!.msg, 'Session-Expires'), '1800;refresher=uac');
});

t.test('a refresh answered 481 ends the call with BYE; one answered 422 is sent again with the Min-SE', async (t) => {
  const s = await answered(t, [{ name: 'Session-Expires', value: '90;refresher=uac' }, ALLOW_UPDATE]);
  s.clock.advance(45_000);
  const first = s.sent('UPDATE')[0]!.msg;
  s.reply(first, 422, 'Session Interval Too Small', [{ name: 'Min-SE', value: '120' }]);
  const second = s.sent('UPDATE')[1]?.msg;
  t.ok(second, 'sent again at once');
  t.equal(header(second!, 'Session-Expires'), '120;refresher=uac', 'with the Min-SE (§7.4)');
  t.not(header(second!, 'CSeq'), header(first, 'CSeq'), 'a new request, CSeq + 1');
  s.reply(second!, 481, 'Call/Transaction Does Not Exist');
  t.equal(s.sent('BYE').length, 1, 'the dialog is gone (RFC 3261 §12.2.1.2)');
  s.reply(s.sent('BYE')[0]!.msg, 481, 'Call/Transaction Does Not Exist');
  t.match(s.end(), { by: 'local', answered: true, detail: /session refresh failed \(481\)/ });
});

t.test('a refresh nobody answers (Timer F) ends the call with BYE; with 90 s the expiry comes first', async (t) => {
  // 1800 s: Timer F (32 s after the refresh at 900 s) comes long before the expiry guard (1768 s).
  const s = await answered(t, [{ name: 'Session-Expires', value: '1800;refresher=uac' }, ALLOW_UPDATE]);
  s.clock.advance(900_000);
  t.equal(s.sent('UPDATE').length, 1);
  s.clock.advance(31_999);
  t.equal(s.sent('BYE').length, 0, 'the UPDATE is retransmitted until Timer F');
  t.ok(s.sent('UPDATE').length > 1);
  s.clock.advance(1);
  t.equal(s.sent('BYE').length, 1, 'Timer F (64·T1) ended the refresh: BYE');
  s.reply(s.sent('BYE')[0]!.msg, 200, 'OK');
  t.match(s.end(), { by: 'local', answered: true, detail: /session refresh failed \(no response\)/ });
  // 90 s: the refresh at 45 s is still unanswered at 60 s, when the session expires (§10).
  const u = await answered(t, [{ name: 'Session-Expires', value: '90;refresher=uac' }, ALLOW_UPDATE]);
  u.clock.advance(59_999);
  t.equal(u.sent('UPDATE').length > 0 && u.sent('BYE').length, 0);
  u.clock.advance(1);
  t.equal(u.sent('BYE').length, 1, 'expiry BYE at 60 s while the refresh is still unanswered');
});

t.test('no Session-Expires in the 2xx: no refresh and no expiry BYE in an hour', async (t) => {
  const s = await answered(t, [ALLOW_UPDATE]);
  s.clock.advance(3_600_000);
  t.equal(s.sent('UPDATE').length, 0);
  t.equal(s.sent('INVITE').length, 1);
  t.equal(s.sent('BYE').length, 0);
  t.equal(s.end(), undefined);
});

t.test("a refresh's 2xx with a new Contact moves the remote target (RFC 3261 §12.2.1.2)", async (t) => {
  const s = await answered(t, [{ name: 'Session-Expires', value: '90;refresher=uac' }, ALLOW_UPDATE]);
  s.clock.advance(45_000);
  const up = s.sent('UPDATE')[0]!.msg;
  s.net.deliver(
    responseTo(
      up,
      200,
      'OK',
      [
        { name: 'Contact', value: '<sip:moved@127.0.0.1:5072>' },
        { name: 'Session-Expires', value: '90;refresher=uac' },
      ],
      Buffer.alloc(0),
    ),
  );
  const legId = s.events.find((e) => e.type === 'answer')!.legId;
  const done = s.driver.hangup(legId);
  const bye = s.sent('BYE')[0]!;
  t.equal(bye.msg.uri, 'sip:moved@127.0.0.1:5072');
  t.same([bye.dest.address, bye.dest.port], ['127.0.0.1', 5072]);
  s.reply(bye.msg, 200, 'OK');
  await done;
  t.match(s.end(), { by: 'local', answered: true });
});
