/**
 * re-INVITE and UPDATE from the far end inside an answered call: RFC 3264
 * answers (direction mirrored, o= session id kept, version + 1), RFC 4028
 * session-timer answers, RFC 3261 §12.2.2 CSeq order.
 */
import t from 'tap';
import { parse } from 'sdp-transform';
import { header, type SipResponse } from '../../../lib/sip';
import { FAR_SDP, virtualDriver } from '../../helpers/embedded-virtual';

async function answered(t: Parameters<typeof virtualDriver>[0]) {
  const s = await virtualDriver(t);
  await s.driver.originate({ to: '0312345678', ringTimeoutMs: 40_000 });
  s.reply(s.invite(), 180, 'Ringing');
  s.reply(s.invite(), 200, 'OK', [{ name: 'Content-Type', value: 'application/sdp' }], Buffer.from(FAR_SDP));
  const last = () => s.net.responses().at(-1)!.msg as SipResponse;
  return { ...s, last };
}
const origin = (body: Buffer) => parse(body.toString()).origin!;
const direction = (body: Buffer) => parse(body.toString()).media[0]!.direction;

t.test('a re-INVITE to hold (sendonly) is answered recvonly with the same o= session id, version + 1', async (t) => {
  const s = await answered(t);
  const ours = origin(s.invite().body);
  s.farRequest('INVITE', 2, [], FAR_SDP.replace('a=sendrecv', 'a=sendonly'));
  let r = s.last();
  t.equal(r.status, 200);
  t.equal(direction(r.body), 'recvonly', 'RFC 3264 §6.1: sendonly offer → recvonly answer');
  t.equal(String(origin(r.body).sessionId), String(ours.sessionId), 'session id kept (§8)');
  t.equal(Number(origin(r.body).sessionVersion), Number(ours.sessionVersion) + 1, 'version + 1');
  s.farRequest('INVITE', 3, [], FAR_SDP);
  r = s.last();
  t.equal(direction(r.body), 'sendrecv', 'resume → sendrecv');
  t.equal(Number(origin(r.body).sessionVersion), Number(ours.sessionVersion) + 2, 'each new answer bumps the version');
  s.farRequest('INVITE', 4, [], FAR_SDP.replace('a=sendrecv', 'a=inactive'));
  t.equal(direction(s.last().body), 'inactive');
  s.farRequest('INVITE', 5, [], FAR_SDP.replace('a=sendrecv', 'a=recvonly'));
  t.equal(direction(s.last().body), 'sendonly');
  t.equal(s.end(), undefined, 'the call goes on');
});

t.test('a session-timer refresh (UPDATE, Session-Expires) is answered per RFC 4028 §9, without SDP', async (t) => {
  const s = await answered(t);
  s.farRequest('UPDATE', 2, [
    { name: 'Session-Expires', value: '1800;refresher=uas' },
    { name: 'Supported', value: 'timer' },
  ]);
  const r = s.last();
  t.equal(r.status, 200);
  t.equal(header(r, 'Session-Expires'), '1800;refresher=uas');
  t.equal(header(r, 'Require'), 'timer', 'Require: timer because the request supports it');
  t.equal(r.body.length, 0, 'no offer, no answer');
  s.farRequest('INVITE', 3, [{ name: 'Session-Expires', value: '600' }], FAR_SDP);
  t.equal(header(s.last(), 'Session-Expires'), '600;refresher=uac', 'no refresher asked: the requester refreshes');
  t.equal(header(s.last(), 'Require'), undefined);
  s.farRequest('UPDATE', 4, [{ name: 'Session-Expires', value: '30' }]);
  t.match(s.last(), { status: 422 });
  t.equal(header(s.last(), 'Min-SE'), '90', '422 with Min-SE 90 (RFC 4028 §5)');
});

t.test('out-of-order CSeq in the dialog gets 500; an offer without G.711 gets 488 and the call goes on', async (t) => {
  const s = await answered(t);
  s.farRequest('INVITE', 10, [], FAR_SDP);
  t.equal(s.last().status, 200);
  s.farRequest('UPDATE', 9);
  t.equal(s.last().status, 500, '§12.2.2');
  s.farRequest(
    'INVITE',
    11,
    [],
    FAR_SDP.replace('m=audio 40000 RTP/AVP 0 101', 'm=audio 40000 RTP/AVP 18').replace('a=rtpmap:0 PCMU/8000', 'a=rtpmap:18 G729/8000'),
  );
  t.equal(s.last().status, 488);
  t.equal(s.end(), undefined);
  s.farRequest('BYE', 12);
  t.equal(s.last().status, 200);
  t.match(s.end(), { by: 'remote', answered: true });
});
