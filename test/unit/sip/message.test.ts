import t from 'tap';
import { parseMessage, serialize, SipParseError, header, headers } from '../../../lib/sip';
import { parseNameAddr, parseUri, parseVia, parseCSeq, parseChallenge } from '../../../lib/sip';

const INVITE = [
  'INVITE sip:0312345678@10.0.0.1:5060 SIP/2.0',
  'v: SIP/2.0/UDP 10.0.0.2:5070;branch=z9hG4bKabc;rport, SIP/2.0/UDP 10.0.0.3;branch=z9hG4bKdef',
  'f: "Sales" <sip:100@10.0.0.2>;tag=x1',
  't: <sip:0312345678@10.0.0.1>',
  'i: call-1@10.0.0.2',
  'CSeq: 7 INVITE',
  'Record-Route: <sip:p1;lr>, <sip:p2;lr>',
  'Subject: a,',
  '  folded',
  'c: application/sdp',
  'l: 4',
  '',
  'v=0\r\nEXTRA',
].join('\r\n');

t.test('parses a request with compact headers, lists, folding and a Content-Length-bounded body', async (t) => {
  const m = parseMessage(Buffer.from(INVITE));
  t.equal(m.kind, 'request');
  if (m.kind !== 'request') return;
  t.equal(m.method, 'INVITE');
  t.equal(m.uri, 'sip:0312345678@10.0.0.1:5060');
  t.same(headers(m, 'Via').length, 2, 'comma-joined Via split');
  t.same(headers(m, 'Record-Route'), ['<sip:p1;lr>', '<sip:p2;lr>']);
  t.equal(header(m, 'Call-ID'), 'call-1@10.0.0.2');
  t.equal(header(m, 'Subject'), 'a, folded');
  t.equal(m.body.toString(), 'v=0\r');
});

t.test('parses responses and round-trips through serialize with a correct Content-Length', async (t) => {
  const raw =
    'SIP/2.0 183 Session Progress\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nFrom: <sip:a@h>;tag=1\r\nTo: <sip:b@h>;tag=2\r\nCall-ID: c\r\nCSeq: 1 INVITE\r\nContent-Length: 3\r\n\r\nabc';
  const m = parseMessage(Buffer.from(raw));
  t.equal(m.kind, 'response');
  if (m.kind !== 'response') return;
  t.equal(m.status, 183);
  t.equal(m.reason, 'Session Progress');
  const again = parseMessage(serialize({ ...m, body: Buffer.from('hello') }));
  t.equal(again.body.toString(), 'hello');
  t.equal(header(again, 'Content-Length'), '5');
});

t.test('rejects garbage and truncated datagrams with SipParseError', async (t) => {
  const bad = [
    'hello world',
    INVITE.slice(0, 60),
    INVITE.replace('l: 4', 'l: 400'),
    INVITE.replace('i: call-1@10.0.0.2\r\n', ''),
    'NOT A START LINE\r\nVia: x\r\nFrom: a\r\nTo: b\r\nCall-ID: c\r\nCSeq: 1 X\r\n\r\n',
    'INVITE sip:x SIP/2.0\r\nbroken header line\r\n\r\n',
    INVITE.replace('l: 4', 'l: -1'),
  ];
  for (const b of bad) t.throws(() => parseMessage(Buffer.from(b)), SipParseError, JSON.stringify(b.slice(0, 30)));
  t.throws(() => parseMessage(Buffer.from([0xff, 0x00, 0x13, 0x37])), SipParseError);
});

t.test('header helpers', async (t) => {
  t.same(parseUri('sip:0312@10.0.0.1:5080;transport=udp'), {
    scheme: 'sip',
    user: '0312',
    host: '10.0.0.1',
    port: 5080,
    params: { transport: 'udp' },
  });
  t.same(parseUri('sip:10.0.0.1'), { scheme: 'sip', user: undefined, host: '10.0.0.1', port: undefined, params: {} });
  t.throws(() => parseUri('http://x'));
  const na = parseNameAddr('"A, B" <sip:a@h;lr>;tag=77');
  t.equal(na.display, 'A, B');
  t.equal(na.uri, 'sip:a@h;lr');
  t.same(na.params, { tag: '77' });
  t.same(parseNameAddr('sip:a@h;tag=9').params, { tag: '9' });
  const v = parseVia('SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKx;rport');
  t.same([v.transport, v.host, v.port, v.params.branch, v.params.rport], ['UDP', '127.0.0.1', 5070, 'z9hG4bKx', '']);
  t.same(parseCSeq('42 BYE'), { seq: 42, method: 'BYE' });
  t.throws(() => parseCSeq('x BYE'));
  t.same(parseChallenge('Digest realm="r", nonce="n,1", qop="auth,auth-int", algorithm=MD5'), {
    scheme: 'Digest',
    params: { realm: 'r', nonce: 'n,1', qop: 'auth,auth-int', algorithm: 'MD5' },
  });
});
