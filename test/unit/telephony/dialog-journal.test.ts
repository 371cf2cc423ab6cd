/** The requests that end an orphaned leg, built from its journal entry (journal.ts; RFC 3261 §9.1, §12.2.1.1, §17.1.1.3). */
import t from 'tap';
import {
  ackForFailure,
  earlyEntry,
  orphanRequest,
  orphanRequests,
  parseEntry,
  type JournalEntry,
} from '../../../lib/telephony/drivers/embedded/journal';
import { buildInvite, header, headers, parseMessage, type DialogState, type SipResponse } from '../../../lib/sip';

const local = { host: '10.0.0.9', port: 5080, userAgent: 'test' };
const dialog: DialogState = {
  callId: 'abc@10.0.0.1',
  localTag: 'lt1',
  fromValue: '<sip:0312@10.0.0.1>;tag=lt1',
  toValue: '<sip:0399@192.0.2.5>',
  requestUri: 'sip:0399@192.0.2.5',
  routeSet: [],
  cseq: 17,
  session: { id: 1, version: 1 },
};
const invite = buildInvite({ host: '10.0.0.1', port: 5060, userAgent: 'dead' }, dialog, 'v=0\r\n', []);
const early = earlyEntry({
  legId: 'emb-1-1',
  dialog,
  invite,
  dest: { address: '192.0.2.5', port: 5060 },
  rtp: { host: '10.0.0.1', port: 20000 },
  tags: { attemptId: 'a1' },
  at: 1,
});

t.test('early: CANCEL repeats the INVITE’s Request-URI, top Via (same branch), From, To, Call-ID and CSeq number', async (t) => {
  const { request, dest } = orphanRequest(early, local);
  t.equal(request.method, 'CANCEL');
  t.equal(request.uri, 'sip:0399@192.0.2.5');
  t.equal(headers(request, 'Via')[0], headers(invite, 'Via')[0]);
  t.equal(header(request, 'CSeq'), '17 CANCEL');
  t.equal(header(request, 'To'), '<sip:0399@192.0.2.5>');
  t.same(dest, { address: '192.0.2.5', port: 5060 });
});

t.test('confirmed: BYE to the remote target through the route set, next CSeq, our Via', async (t) => {
  const confirmed: JournalEntry = {
    ...early,
    kind: 'confirmed',
    dialog: {
      ...dialog,
      remoteTag: 'rt9',
      remoteTarget: 'sip:callee@198.51.100.7:5062',
      routeSet: ['<sip:192.0.2.10:5070;lr>', '<sip:192.0.2.11;lr>'],
      cseq: 19,
    },
  };
  const { request, dest } = orphanRequest(confirmed, local);
  t.equal(request.method, 'BYE');
  t.equal(request.uri, 'sip:callee@198.51.100.7:5062', 'Request-URI is the remote target (§12.2.1.1)');
  t.same(headers(request, 'Route'), ['<sip:192.0.2.10:5070;lr>', '<sip:192.0.2.11;lr>']);
  t.equal(header(request, 'CSeq'), '20 BYE');
  t.equal(header(request, 'To'), '<sip:0399@192.0.2.5>;tag=rt9');
  t.equal(header(request, 'From'), dialog.fromValue);
  t.match(headers(request, 'Via')[0], /10\.0\.0\.9:5080;branch=z9hG4bK\w+;rport/, 'a Via of the process that sends it');
  t.same(dest, { address: '192.0.2.10', port: 5070, transport: undefined }, 'to the first (loose) route');
  const noRoute = orphanRequest({ ...confirmed, dialog: { ...confirmed.dialog, routeSet: [] } }, local);
  t.same(noRoute.dest, { address: '198.51.100.7', port: 5062, transport: undefined }, 'else to the remote target');
});

t.test('early with an early dialog (tagged provisional): CANCEL, and a BYE in that dialog (§15)', async (t) => {
  t.same(
    orphanRequests(early, local).map((b) => b.request.method),
    ['CANCEL'],
    'no tagged provisional journalled: the CANCEL alone',
  );
  const ringing: JournalEntry = {
    ...early,
    early: { remoteTag: 'rt5', remoteTarget: 'sip:callee@198.51.100.7:5062', routeSet: ['<sip:192.0.2.10:5070;lr>'] },
  };
  const [cancel, bye] = orphanRequests(ringing, local);
  t.equal(cancel!.request.method, 'CANCEL');
  t.equal(header(cancel!.request, 'To'), '<sip:0399@192.0.2.5>', 'the CANCEL keeps the INVITE’s To, no tag (§9.1)');
  t.equal(bye!.request.method, 'BYE');
  t.equal(header(bye!.request, 'To'), '<sip:0399@192.0.2.5>;tag=rt5', 'the BYE is in the early dialog');
  t.equal(bye!.request.uri, 'sip:callee@198.51.100.7:5062', 'to its remote target (the provisional’s Contact)');
  t.same(headers(bye!.request, 'Route'), ['<sip:192.0.2.10:5070;lr>']);
  t.equal(header(bye!.request, 'CSeq'), '18 BYE', 'the CSeq after the INVITE’s');
  t.same(bye!.dest, { address: '192.0.2.10', port: 5070, transport: undefined });
  t.same(parseEntry(JSON.stringify(ringing))?.early, ringing.early, 'stored and read back');
  const bad = parseEntry(JSON.stringify({ ...ringing, early: { remoteTag: 5 } }));
  t.ok(bad && !bad.early, 'an early dialog this version cannot read is left out: the CANCEL alone');
});

t.test('the ACK for a 487 after the CANCEL takes the response’s To tag and the INVITE’s branch', async (t) => {
  const res = parseMessage(
    Buffer.from(
      `SIP/2.0 487 Request Terminated\r\nVia: ${headers(invite, 'Via')[0]}\r\nFrom: ${dialog.fromValue}\r\nTo: <sip:0399@192.0.2.5>;tag=zz\r\nCall-ID: ${dialog.callId}\r\nCSeq: 17 INVITE\r\nContent-Length: 0\r\n\r\n`,
    ),
  ) as SipResponse;
  const ack = ackForFailure(early, res);
  t.equal(header(ack, 'CSeq'), '17 ACK');
  t.equal(header(ack, 'To'), '<sip:0399@192.0.2.5>;tag=zz');
  t.equal(headers(ack, 'Via')[0], headers(invite, 'Via')[0]);
});

t.test('entries this version cannot act on are refused, not guessed', async (t) => {
  t.ok(parseEntry(JSON.stringify(early)));
  t.notOk(parseEntry('{'));
  t.notOk(parseEntry(JSON.stringify({ ...early, v: 2 })));
  t.notOk(parseEntry(JSON.stringify({ ...early, kind: 'confirmed' })), 'confirmed without a remote tag');
  t.notOk(parseEntry(JSON.stringify({ ...early, dialog: { ...dialog, callId: '' } })));
});
