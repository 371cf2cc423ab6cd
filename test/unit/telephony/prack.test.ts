/** RFC 3262 on the embedded driver: Supported: 100rel, PRACK for each new reliable 1xx, none for retransmissions. */
import t from 'tap';
import { header, parseCSeq } from '../../../lib/sip';
import { FAR_SDP, virtualDriver } from '../../helpers/embedded-virtual';

t.test('a 183 with Require: 100rel is PRACKed in its early dialog; retransmissions are not', async (t) => {
  const s = await virtualDriver(t);
  await s.driver.originate({ to: '0312345678', ringTimeoutMs: 40_000 });
  const inv = s.invite();
  t.match(header(inv, 'Supported'), /100rel/, 'INVITE offers 100rel (§3)');
  const sdp = [{ name: 'Content-Type', value: 'application/sdp' }];
  const rel = (rseq: number) => [
    { name: 'Require', value: '100rel' },
    { name: 'RSeq', value: String(rseq) },
    { name: 'Record-Route', value: '<sip:127.0.0.1:5070;lr>' },
  ];
  s.reply(inv, 183, 'Session Progress', [...rel(7), ...sdp], Buffer.from(FAR_SDP));
  let pracks = s.net.requests('PRACK');
  t.equal(pracks.length, 1, 'PRACK sent');
  const p = pracks[0]!.msg;
  const inviteSeq = parseCSeq(header(inv, 'CSeq')!).seq;
  t.equal(header(p, 'RAck'), `7 ${inviteSeq} INVITE`, 'RAck: RSeq, INVITE CSeq, method (§7.2)');
  t.match(header(p, 'To'), /;tag=farTag/, 'in the early dialog (To tag of the 1xx)');
  t.equal(p.uri, 'sip:far@127.0.0.1:5070', 'Request-URI is the 1xx Contact');
  t.equal(header(p, 'Route'), '<sip:127.0.0.1:5070;lr>', 'route set from the 1xx Record-Route');
  t.ok(parseCSeq(header(p, 'CSeq')!).seq > inviteSeq, 'CSeq above the INVITE');
  s.reply(inv, 183, 'Session Progress', [...rel(7), ...sdp], Buffer.from(FAR_SDP));
  t.equal(s.net.requests('PRACK').length, 1, 'a retransmitted 183 (same RSeq) is not PRACKed again');
  t.equal(s.events.filter((e) => e.type === 'progress').length, 1, 'nor reported twice');
  s.reply(inv, 180, 'Ringing', rel(8));
  pracks = s.net.requests('PRACK');
  t.equal(pracks.length, 2, 'the next reliable 1xx is PRACKed');
  t.equal(header(pracks[1]!.msg, 'RAck'), `8 ${inviteSeq} INVITE`);
  t.ok(parseCSeq(header(pracks[1]!.msg, 'CSeq')!).seq > parseCSeq(header(p, 'CSeq')!).seq, 'CSeq increases');
  s.reply(pracks[0]!.msg, 200, 'OK');
  s.reply(inv, 200, 'OK', sdp, Buffer.from(FAR_SDP));
  t.equal(s.net.requests('ACK').length, 1, 'the 2xx is ACKed');
  t.ok(s.events.some((e) => e.type === 'answer'));
});

t.test('an ordinary 180 (no Require: 100rel) gets no PRACK', async (t) => {
  const s = await virtualDriver(t);
  await s.driver.originate({ to: '0312345678', ringTimeoutMs: 40_000 });
  s.reply(s.invite(), 180, 'Ringing', [{ name: 'RSeq', value: '1' }]);
  t.equal(s.net.requests('PRACK').length, 0);
});
