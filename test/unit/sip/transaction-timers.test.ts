/**
 * RFC 3261 §17 timers in virtual time: each fires where the RFC says and not
 * elsewhere. The transaction layer runs on a VirtualClock and an in-memory
 * transport; the messages are real SIP text.
 */
import t from 'tap';
import {
  buildInDialog,
  buildInvite,
  responseTo,
  SipStack,
  VirtualClock,
  inviteClientTransition,
  initialInviteClient,
  IllegalTransition,
  DEFAULT_TIMERS,
  type ClientOutcome,
  type DialogState,
  type Local,
  type ServerTxHandle,
  type SipRequest,
} from '../../../lib/sip';
import { MemoryTransport } from '../../helpers/sip-memory';

const local: Local = { host: '127.0.0.1', port: 5060, userAgent: 'test' };
const far = { address: '127.0.0.1', port: 5070 };

function setup(protocol: 'udp' | 'tcp' = 'udp') {
  const clock = new VirtualClock();
  const net = new MemoryTransport(() => clock.now(), protocol);
  const requests: ServerTxHandle[] = [];
  const strays: unknown[] = [];
  const stack = new SipStack({
    transports: [net],
    clock,
    log: { debug() {}, warn() {} },
    onRequest: (tx) => requests.push(tx),
    onStray: (m) => strays.push(m),
  });
  const t0 = clock.now();
  const outcomes: Array<ClientOutcome & { at: number }> = [];
  const onOutcome = (o: ClientOutcome) => outcomes.push({ ...o, at: clock.now() - t0 });
  /** Times (ms from start) at which requests of this method went out. */
  const sentAt = (method: string) => net.requests(method).map((s) => s.at - t0);
  return { clock, net, stack, requests, strays, outcomes, onOutcome, sentAt, t0, dest: { ...far, transport: protocol } };
}

function dialog(): DialogState {
  return {
    callId: 'c1@test',
    localTag: 'lt',
    fromValue: '<sip:dialer@127.0.0.1>;tag=lt',
    toValue: '<sip:100@127.0.0.1>',
    requestUri: 'sip:100@127.0.0.1:5070',
    routeSet: [],
    cseq: 1,
  };
}
const invite = () => buildInvite(local, dialog(), 'v=0\r\n', []);
const reply = (req: SipRequest, status: number, reason = 'X') => responseTo(req, status, reason, [], Buffer.alloc(0), 'farTag');

t.test('Timer A doubles from T1 and Timer B ends a silent INVITE at 64·T1 (calling state only)', async (t) => {
  const s = setup();
  s.stack.request(invite(), s.dest, s.onOutcome);
  s.clock.advance(31_999);
  t.same(s.sentAt('INVITE'), [0, 500, 1500, 3500, 7500, 15500, 31500], 'Timer A: T1, 2T1, 4T1 … (§17.1.1.2)');
  t.equal(s.outcomes.length, 0, 'no timeout before 64·T1');
  s.clock.advance(1);
  t.match(s.outcomes, [{ kind: 'timeout', timer: 'B', at: 32_000 }], 'Timer B fires at exactly 32 s');
  s.clock.advance(120_000);
  t.equal(s.sentAt('INVITE').length, 7, 'nothing more after Timer B');
  t.equal(s.stack.pending, 0);
});

t.test('a provisional stops Timer A and Timer B: an INVITE may ring past 32 s (§17.1.1.2)', async (t) => {
  const s = setup();
  const inv = invite();
  s.stack.request(inv, s.dest, s.onOutcome);
  s.clock.advance(700);
  s.net.deliver(reply(inv, 180, 'Ringing'));
  s.clock.advance(299_300);
  t.same(s.sentAt('INVITE'), [0, 500], 'no retransmission after the 180');
  t.same(
    s.outcomes.map((o) => [o.kind, o.kind === 'response' ? o.response.status : 0]),
    [['response', 180]],
    'no timeout in 5 minutes of ringing',
  );
  t.equal(s.stack.clientState(inv), 'proceeding');
  s.net.deliver(reply(inv, 200, 'OK'));
  t.equal(s.stack.clientState(inv), undefined, '2xx ends the INVITE client transaction');
  t.equal(s.outcomes.length, 2);
});

t.test('a 300–699 final is ACKed, retransmissions re-ACKed without the TU, Timer D forgets it at 32 s', async (t) => {
  const s = setup();
  const inv = invite();
  s.stack.request(inv, s.dest, s.onOutcome);
  s.clock.advance(100);
  s.net.deliver(reply(inv, 486, 'Busy Here'));
  t.same(s.sentAt('ACK'), [100], 'ACK at once');
  t.equal(s.net.requests('ACK')[0]!.msg.headers.find((h) => h.name === 'CSeq')!.value, '1 ACK');
  s.clock.advance(1000);
  s.net.deliver(reply(inv, 486, 'Busy Here'));
  t.same(s.sentAt('ACK'), [100, 1100], 'retransmitted final re-ACKed');
  t.equal(s.outcomes.length, 1, 'the TU saw the final once');
  s.clock.advance(30_999);
  t.equal(s.stack.clientState(inv), 'completed', 'Timer D still running at 32 s - 1 ms');
  s.clock.advance(1);
  t.equal(s.stack.clientState(inv), undefined, 'Timer D (32 s) ends it');
  t.same(s.sentAt('INVITE'), [0], 'no retransmission after the final');
});

t.test('a 2xx after a non-2xx final (a forked branch answering) reaches the TU; the 486 stays the one ACKed (RFC 6026)', async (t) => {
  const s = setup();
  const inv = invite();
  s.stack.request(inv, s.dest, s.onOutcome);
  s.net.deliver(reply(inv, 486, 'Busy Here'));
  s.clock.advance(10);
  s.net.deliver(reply(inv, 200, 'OK'));
  t.same(
    s.outcomes.map((o) => (o.kind === 'response' ? o.response.status : o.kind)),
    [486, 200],
    'the TU sees the 486, then the 200',
  );
  t.equal(s.stack.clientState(inv), 'completed', 'the transaction stays in Completed for Timer D');
  s.net.deliver(reply(inv, 486, 'Busy Here'));
  t.equal(s.sentAt('ACK').length, 2, 'a retransmitted 486 is still ACKed by the transaction');
  t.match(s.net.requests('ACK')[1]!.msg.headers.find((h) => h.name === 'CSeq')!.value, /ACK/);
  t.equal(s.outcomes.length, 2, 'and not passed up');
});

t.test('over TCP there is no Timer A and Timer D is zero (§17.1.1.2)', async (t) => {
  const s = setup('tcp');
  const inv = invite();
  s.stack.request(inv, s.dest, s.onOutcome);
  s.clock.advance(31_999);
  t.same(s.sentAt('INVITE'), [0]);
  s.clock.advance(1);
  t.match(s.outcomes, [{ kind: 'timeout', timer: 'B', at: 32_000 }], 'Timer B still guards the INVITE');
  const s2 = setup('tcp');
  const inv2 = invite();
  s2.stack.request(inv2, s2.dest, s2.onOutcome);
  s2.net.deliver(reply(inv2, 404, 'Not Found'));
  s2.clock.advance(0);
  t.equal(s2.stack.clientState(inv2), undefined, 'Timer D = 0 for reliable transports');
});

t.test('Timer E caps at T2, Timer F ends a non-INVITE at 64·T1 even in proceeding (§17.1.2.2)', async (t) => {
  const s = setup();
  const bye = buildInDialog(local, dialog(), 'BYE', 2);
  s.stack.request(bye, s.dest, s.onOutcome);
  s.clock.advance(31_999);
  t.same(s.sentAt('BYE'), [0, 500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500], 'E: T1, 2T1, 4T1, then T2');
  s.clock.advance(1);
  t.match(s.outcomes, [{ kind: 'timeout', timer: 'F', at: 32_000 }]);

  const p = setup();
  const bye2 = buildInDialog(local, dialog(), 'BYE', 3);
  p.stack.request(bye2, p.dest, p.onOutcome);
  p.clock.advance(600);
  p.net.deliver(reply(bye2, 100, 'Trying'));
  p.clock.advance(31_399);
  t.same(p.sentAt('BYE'), [0, 500, 1500, 5500, 9500, 13500, 17500, 21500, 25500, 29500], 'in proceeding E fires every T2');
  t.equal(p.outcomes.filter((o) => o.kind === 'timeout').length, 0);
  p.clock.advance(1);
  t.match(p.outcomes.at(-1), { kind: 'timeout', timer: 'F', at: 32_000 }, 'Timer F is not stopped by a provisional');
});

t.test('Timer K absorbs retransmitted finals for T4, then the transaction is gone', async (t) => {
  const s = setup();
  const bye = buildInDialog(local, dialog(), 'BYE', 2);
  s.stack.request(bye, s.dest, s.onOutcome);
  s.net.deliver(reply(bye, 200, 'OK'));
  s.clock.advance(4_999);
  s.net.deliver(reply(bye, 200, 'OK'));
  t.equal(s.outcomes.length, 1, 'absorbed during Timer K');
  t.equal(s.strays.length, 0);
  s.clock.advance(1);
  s.net.deliver(reply(bye, 200, 'OK'));
  t.equal(s.strays.length, 1, 'after T4 the response matches no transaction');
});

function incoming(method: string, branch = 'z9hG4bKfar1'): string {
  return [
    `${method} sip:dialer@127.0.0.1:5060 SIP/2.0`,
    `Via: SIP/2.0/UDP 127.0.0.1:5070;branch=${branch}`,
    'From: <sip:far@127.0.0.1>;tag=ft',
    'To: <sip:dialer@127.0.0.1>;tag=lt',
    'Call-ID: in1@test',
    `CSeq: 7 ${method}`,
    'Max-Forwards: 70',
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
}

t.test('INVITE server: Timer G re-sends a 486 from T1 up to T2, Timer H gives up at 64·T1', async (t) => {
  const s = setup();
  s.net.deliver(incoming('INVITE'));
  t.equal(s.requests.length, 1);
  s.requests[0]!.respond(486, 'Busy Here');
  s.clock.advance(31_999);
  const at = s.net.responses(486).map((x) => x.at - s.t0);
  t.same(at, [0, 500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500], 'G: T1, 2T1, 4T1, then T2');
  t.equal(s.stack.pending, 1);
  s.clock.advance(1);
  t.equal(s.stack.pending, 0, 'Timer H ends it at 32 s');
});

t.test('INVITE server: the ACK stops G and H; Timer I absorbs ACKs for T4', async (t) => {
  const s = setup();
  s.net.deliver(incoming('INVITE'));
  s.requests[0]!.respond(488, 'Not Acceptable Here');
  s.clock.advance(1000);
  s.net.deliver(incoming('ACK'));
  s.clock.advance(4_999);
  t.same(
    s.net.responses(488).map((x) => x.at - s.t0),
    [0, 500],
    'no G after the ACK',
  );
  s.net.deliver(incoming('ACK'));
  t.equal(s.strays.length, 0, 'retransmitted ACK absorbed in Confirmed');
  t.equal(s.stack.pending, 1);
  s.clock.advance(1);
  t.equal(s.stack.pending, 0, 'Timer I (T4) ends it');
});

t.test('INVITE server: a 2xx moves to Accepted; retransmitted INVITEs get the 2xx; Timer L at 64·T1', async (t) => {
  const s = setup();
  s.net.deliver(incoming('INVITE'));
  s.requests[0]!.respond(200, 'OK');
  s.clock.advance(2000);
  s.net.deliver(incoming('INVITE'));
  t.equal(s.requests.length, 1, 'not a new request');
  t.equal(s.net.responses(200).length, 2, '2xx re-sent');
  s.net.deliver(incoming('ACK', 'z9hG4bKack'));
  t.equal(s.strays.length, 1, 'the ACK for a 2xx goes to the dialog');
  s.clock.advance(29_999);
  t.equal(s.stack.pending, 1);
  s.clock.advance(1);
  t.equal(s.stack.pending, 0);
});

t.test('non-INVITE server: Timer J keeps the final for retransmitted requests for 64·T1 (UDP) and 0 (TCP)', async (t) => {
  const s = setup();
  s.net.deliver(incoming('BYE'));
  s.requests[0]!.respond(200, 'OK');
  s.clock.advance(31_999);
  s.net.deliver(incoming('BYE'));
  t.equal(s.net.responses(200).length, 2, 'retransmitted BYE answered from the transaction');
  t.equal(s.requests.length, 1);
  s.clock.advance(1);
  t.equal(s.stack.pending, 0, 'Timer J ends it');
  const r = setup('tcp');
  r.net.deliver(incoming('BYE'));
  r.requests[0]!.respond(200, 'OK');
  r.clock.advance(0);
  t.equal(r.stack.pending, 0, 'J = 0 over TCP');
});

t.test('the transition functions refuse events a state cannot take', async (t) => {
  const ctx = { base: DEFAULT_TIMERS, reliable: false };
  const proceeding = inviteClientTransition(initialInviteClient(ctx), { type: 'response', status: 180 }).state;
  t.throws(() => inviteClientTransition(proceeding, { type: 'timer', timer: 'B' }), IllegalTransition, 'Timer B cannot fire in Proceeding');
  t.throws(() => inviteClientTransition(proceeding, { type: 'timer', timer: 'A' }), IllegalTransition);
  const r = inviteClientTransition(initialInviteClient(ctx), { type: 'response', status: 183 });
  t.same(
    r.effects.filter((e) => e.type === 'stop-timer').map((e) => (e as { timer: string }).timer),
    ['A', 'B'],
    'first provisional stops A and B',
  );
});
