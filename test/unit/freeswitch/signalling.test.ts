/**
 * The freeswitch driver's signalling against recording fakes of drachtio and
 * fsmrf: exact INVITE options, the createEndpoint → INVITE → modify sequence,
 * CANCEL at the ring timer, BYE, the races, and the result codes lib/results
 * gives the endings.
 */
import t from 'tap';
import { decideResult } from '../../../lib/results';
import { TelephonyError, type EndCause, type LegEvent } from '../../../lib/telephony/contract';
import type { Verdict } from '../../../lib/media/types';
import { rig, TRUNK } from './fakes';

function outcome(events: LegEvent[], legId: string) {
  const end = events.find((e): e is Extract<LegEvent, { type: 'end' }> => e.type === 'end' && e.legId === legId);
  const verdicts: Verdict[] = events
    .filter((e): e is Extract<LegEvent, { type: 'verdict' }> => e.type === 'verdict' && e.legId === legId)
    .map((e) => e.verdict);
  return { end: end?.cause as EndCause, verdicts, connected: false };
}

t.test('a number goes to the trunk with the endpoint SDP, caller ID, digest credentials and custom headers', async (t) => {
  const r = await rig();
  const legId = await r.driver.originate({
    to: '03-1234-5678',
    ringTimeoutMs: 40000,
    callerId: '0311112222',
    headers: { 'X-Campaign': 'c1' },
  });
  const call = r.srf.last;
  t.equal(call.uri, 'sip:0312345678@10.0.0.1:5060');
  t.same(call.opts, {
    localSdp: r.mrf.servers.get('fs1')!.endpoints[0]!.localSdp,
    headers: { 'X-Campaign': 'c1' },
    auth: { username: 'acct', password: 's3cret' },
    callingNumber: '0311112222',
  });
  // fsmrf first, then the INVITE (3pcc: FreeSWITCH's offer goes to the far end).
  t.same(
    r.log.lines((c) => c.op === 'createEndpoint' || c.op === 'INVITE').map((l) => l.split(' ').slice(0, 2).join(' ')),
    ['fs1 createEndpoint', 'srf INVITE'],
  );
  call.provisional(180, 'Ringing');
  const dlg = call.answer();
  await r.settle();
  const ep = r.mrf.servers.get('fs1')!.endpoints[0]!;
  t.ok(r.log.lines().includes(`${ep.uuid} modify ${dlg.remoteSdp}`), 'endpoint modified with the 200 OK SDP');
  dlg.remoteBye('Q.850;cause=16;text="Normal call clearing"');
  await r.settle();
  t.same(r.trace(legId), ['trying', 'progress:180', 'answer', 'end:remote:200:answered']);
  const o = outcome(r.events, legId);
  t.equal(o.end.q850, 16);
  t.equal(o.end.detail, 'Normal call clearing');
  t.ok(r.log.lines().includes(`${ep.uuid} destroy`), 'endpoint released');
  t.equal(decideResult(o), 9, 'customer hung up before an agent: code 9');
  t.equal(r.driver.health().activeLegs, 0);
});

t.test('final failures map to the same codes as the embedded driver', async (t) => {
  for (const [status, reason, code] of [
    [486, 'Busy Here', 3],
    [404, 'Not Found', 6],
    [480, 'Temporarily Unavailable', 17],
    [603, 'Decline', 8],
    [503, 'Service Unavailable', 13],
  ] as const) {
    const r = await rig();
    const legId = await r.driver.originate({ to: '0312345678', ringTimeoutMs: 40000 });
    r.srf.last.provisional(100, 'Trying');
    r.srf.last.reject(status, reason);
    await r.settle();
    t.same(r.trace(legId), ['trying', `end:remote:${status}:unanswered`], `${status}`);
    t.equal(decideResult(outcome(r.events, legId)), code, `${status} → ${code}`);
  }
});

t.test('ring timer: CANCEL, 487, code 2; a 200 OK that crosses the CANCEL is ended with BYE', async (t) => {
  const r = await rig();
  const legId = await r.driver.originate({ to: '0312345678', ringTimeoutMs: 30000 });
  r.srf.last.provisional(180, 'Ringing');
  r.clock.advance(29999);
  t.notOk(r.srf.last.cancelled, 'not before the timer');
  r.clock.advance(1);
  t.ok(r.srf.last.cancelled, 'CANCEL sent at the ring timeout');
  r.srf.last.reject(487, 'Request Terminated');
  await r.settle();
  t.same(r.trace(legId), ['trying', 'progress:180', 'end:timeout:487:unanswered']);
  t.equal(decideResult(outcome(r.events, legId)), 2);

  const leg2 = await r.driver.originate({ to: '0312345679', ringTimeoutMs: 1000 });
  r.clock.advance(1000);
  r.srf.last.answer();
  await r.settle();
  t.ok(r.log.lines().includes('srf BYE sip:0312345679@10.0.0.1:5060'), 'BYE for the crossed 200 OK');
  t.same(r.trace(leg2), ['trying', 'end:timeout:487:unanswered']);
  t.equal(decideResult(outcome(r.events, leg2)), 2);
});

t.test('hangup(): CANCEL before answer, BYE after; resolves after the end event; late hangup resolves', async (t) => {
  const r = await rig();
  const a = await r.driver.originate({ to: '0312345678', ringTimeoutMs: 40000 });
  const p = r.driver.hangup(a);
  t.ok(r.srf.last.cancelled);
  r.srf.last.reject(487, 'Request Terminated');
  await p;
  t.same(r.trace(a), ['trying', 'end:local:487:unanswered']);

  const b = await r.driver.originate({ to: '0312345678', ringTimeoutMs: 40000 });
  r.srf.last.answer();
  await r.settle();
  await r.driver.hangup(b, { reason: 'campaign closed' });
  t.same(r.trace(b), ['trying', 'answer', 'end:local:200:answered']);
  t.equal(r.log.lines((c) => c.op === 'BYE').length, 1);
  await r.driver.hangup(b);
  await t.rejects(r.driver.hangup('nope'), { code: 'UNKNOWN_LEG' });
});

// Seen in a loaded run: the far end answered our CANCEL 200 and dropped the call without its 487 (SIPp aborting on a
// CANCEL that crossed its own timer). drachtio gives up only at its Timer C, minutes on; RFC 3261 §9.1 says 64·T1.
t.test(
  'no final response 32 s (64·T1) after our CANCEL: the leg ends (§9.1); a late 487 changes nothing, a late 200 is BYEd',
  async (t) => {
    const r = await rig();
    const a = await r.driver.originate({ to: '0312345678', ringTimeoutMs: 40000 });
    const invite = r.srf.last;
    r.srf.last.provisional(183, 'Session Progress');
    const hanging = r.driver.hangup(a);
    t.ok(invite.cancelled, 'CANCEL sent');
    r.clock.advance(31_999);
    await r.settle();
    t.same(r.trace(a), ['trying', 'progress:183'], 'still waiting for the final response just before 64·T1');
    r.clock.advance(1);
    await hanging;
    t.same(r.trace(a), ['trying', 'progress:183', 'end:local:408:unanswered']);
    t.match(outcome(r.events, a).end, { by: 'local', sipStatus: 408, detail: 'no final response after CANCEL' });
    invite.reject(487, 'Request Terminated');
    await r.settle();
    t.equal(r.events.filter((e) => e.type === 'end' && e.legId === a).length, 1, 'a late 487: still one end');

    const b = await r.driver.originate({ to: '0312345679', ringTimeoutMs: 1000 });
    const second = r.srf.last;
    r.clock.advance(1000);
    t.ok(second.cancelled, 'CANCEL at the ring timeout');
    r.clock.advance(32_000);
    await r.settle();
    t.same(r.trace(b), ['trying', 'end:timeout:408:unanswered']);
    t.equal(decideResult(outcome(r.events, b)), 2, 'still no answer (code 2)');
    second.answer();
    await r.settle();
    t.ok(r.log.lines().includes('srf BYE sip:0312345679@10.0.0.1:5060'), 'a 200 after we gave up is ended with BYE');

    const c = await r.driver.originate({ to: '0312345670', ringTimeoutMs: 40000 });
    const third = r.srf.last;
    const hangingC = r.driver.hangup(c);
    third.reject(487, 'Request Terminated');
    await hangingC;
    r.clock.advance(40_000);
    await r.settle();
    t.same(r.trace(c), ['trying', 'end:local:487:unanswered'], 'the 487 in time: the guard does nothing');
  },
);

t.test('anonymous presentation, SIP URI targets and bad requests', async (t) => {
  const r = await rig();
  await r.driver.originate({ to: '0312345678', ringTimeoutMs: 40000, presentCallerId: false });
  t.same(r.srf.last.opts.headers, {
    From: '"Anonymous" <sip:anonymous@anonymous.invalid>',
    Privacy: 'id',
    'P-Preferred-Identity': '<sip:0355550000@10.0.0.1:5060>',
  });
  t.equal(r.srf.last.opts.callingNumber, undefined);

  await r.driver.originate({ to: 'sip:agent7@192.168.1.50:5062', ringTimeoutMs: 20000 });
  t.equal(r.srf.last.uri, 'sip:agent7@192.168.1.50:5062');
  t.equal(r.srf.last.opts.auth, undefined, 'no trunk credentials for a SIP URI');

  const before = r.log.cmds.length;
  await t.rejects(
    r.driver.originate({ to: '0312345678', trunk: 'other', ringTimeoutMs: 1000 }),
    new TelephonyError('BAD_REQUEST', 'unknown trunk other'),
  );
  await t.rejects(r.driver.originate({ to: 'not a number', ringTimeoutMs: 1000 }), { code: 'BAD_REQUEST' });
  await t.rejects(r.driver.originate({ to: '0312345678', ringTimeoutMs: 0 }), { code: 'BAD_REQUEST' });
  await t.rejects(r.driver.originate({ to: '0312345678', ringTimeoutMs: 1000, headers: { 'X-Bad': 'a\r\nVia: x' } }), {
    code: 'BAD_REQUEST',
  });
  t.equal(r.log.cmds.length, before, 'nothing sent for a bad request');
});

t.test('trunk domain: Request-URI host is the domain, the INVITE goes via the trunk address; prefix is dialled', async (t) => {
  const r = await rig({ trunks: [{ ...TRUNK, domain: 'voip.example.net', dialPrefix: '184', callerIdFormat: 'e164' }] });
  await r.driver.originate({ to: '0312345678', ringTimeoutMs: 40000, callerId: '03-1111-2222' });
  t.equal(r.srf.last.uri, 'sip:1840312345678@voip.example.net');
  t.equal(r.srf.last.opts.proxy, 'sip:10.0.0.1:5060');
  t.equal(r.srf.last.opts.callingNumber, '+81311112222');
});

t.test('media server trouble: no room, createEndpoint failure, endpoint dropped mid-call', async (t) => {
  const r = await rig();
  const fs1 = r.mrf.servers.get('fs1')!;
  fs1.sessions = 10;
  fs1.maxSessions = 10;
  await t.rejects(r.driver.originate({ to: '0312345678', ringTimeoutMs: 1000 }), { code: 'NO_CAPACITY' });
  fs1.sessions = 0;
  fs1.failCreate = new Error('Connection timeout');
  // Nothing went out: given back uncounted (NO_CAPACITY), and the server rests for mediaServerBackoffMs.
  await t.rejects(r.driver.originate({ to: '0312345678', ringTimeoutMs: 1000 }), { code: 'NO_CAPACITY', message: /createEndpoint failed/ });
  fs1.failCreate = undefined;
  await t.rejects(r.driver.originate({ to: '0312345678', ringTimeoutMs: 1000 }), {
    code: 'NO_CAPACITY',
    message: /no connected media server/,
  });
  r.clock.advance(5000);

  const legId = await r.driver.originate({ to: '0312345678', ringTimeoutMs: 40000 });
  r.srf.last.answer();
  await r.settle();
  fs1.endpoints.at(-1)!.emitHangup('MEDIA_TIMEOUT');
  await r.settle();
  t.same(r.trace(legId), ['trying', 'answer', 'end:error:-:answered']);
  t.match(outcome(r.events, legId).end.detail, /MEDIA_TIMEOUT/);
  t.ok(r.log.lines().includes('srf BYE sip:0312345678@10.0.0.1:5060'), 'the far end is released with BYE');

  const ringing = await r.driver.originate({ to: '0312345678', ringTimeoutMs: 40000 });
  fs1.endpoints.at(-1)!.emitHangup('NORMAL_TEMPORARY_FAILURE');
  t.ok(r.srf.last.cancelled, 'a ringing call is CANCELled when its endpoint is lost');
  t.equal(outcome(r.events, ringing).end.q850, 41);
  t.equal(decideResult(outcome(r.events, ringing)), 13, 'dial error');
});

t.test('an INVITE drachtio will not send rejects originate (the call’s error) and leaves no leg', async (t) => {
  const r = await rig();
  r.srf.autoSend = false;
  const p = r.driver.originate({ to: '0312345678', ringTimeoutMs: 1000 });
  await r.settle();
  r.srf.last.fail('invalid Request-URI');
  await t.rejects(p, { code: 'UNAVAILABLE', message: /INVITE not sent: invalid Request-URI/ });
  t.equal(r.events.length, 0);
  t.equal(r.driver.health().activeLegs, 0);
  t.ok(
    r.log.lines().some((l) => l.endsWith('-ep1 destroy')),
    'endpoint released',
  );
});

t.test(
  'drachtio-server lost: a call is given back uncounted (NO_CAPACITY), also one lost between its endpoint and its INVITE',
  async (t) => {
    const r = await rig();
    r.srf.autoSend = false;
    const p = r.driver.originate({ to: '0312345678', ringTimeoutMs: 1000 });
    await r.settle();
    // What drachtio-srf 5.0.29 rejects createUAC with once its socket is gone (seen live: drachtio-server SIGKILLed).
    r.srf.disconnect();
    r.srf.last.fail('The expression evaluated to a falsy value:\n\n  assert(typeSocket(socket))\n');
    await t.rejects(p, { code: 'NO_CAPACITY', message: /drachtio-server was lost before the INVITE was sent; nothing went out/ });
    t.ok(
      r.log.lines().some((l) => l.endsWith('-ep1 destroy')),
      'its endpoint released',
    );
    const creations = r.log.lines((c) => c.op === 'createEndpoint').length;
    await t.rejects(r.driver.originate({ to: '0312345679', ringTimeoutMs: 1000 }), {
      code: 'NO_CAPACITY',
      message: 'drachtio-server is not connected; nothing went out',
    });
    t.equal(r.log.lines((c) => c.op === 'createEndpoint').length, creations, 'while it is down no endpoint is made');
    t.equal(r.events.length, 0, 'no leg events');
    t.equal(r.driver.health().activeLegs, 0);
  },
);

t.test('DTMF from FreeSWITCH is a dtmf event', async (t) => {
  const r = await rig();
  const legId = await r.driver.originate({ to: 'sip:agent@10.0.0.7', ringTimeoutMs: 1000 });
  r.srf.last.answer();
  r.mrf.servers.get('fs1')!.endpoints[0]!.emitDtmf('5', 120);
  const e = r.events.find((x) => x.type === 'dtmf');
  t.match(e, { type: 'dtmf', legId, digit: '5', durationMs: 120 });
});

t.test('our BYE crossing a re-INVITE FreeSWITCH is still taking: 487 to the re-INVITE, no 200 (RFC 3261 §15.1.2)', async (t) => {
  const r = await rig();
  const legId = await r.driver.originate({ to: '0312345678', ringTimeoutMs: 40000 });
  const dlg = r.srf.last.answer('v=0\r\no=far 7 7 IN IP4 10.0.0.9\r\nc=IN IP4 10.0.0.9\r\nm=audio 4000 RTP/AVP 0\r\na=sendrecv\r\n');
  await r.settle();
  const ep = r.mrf.servers.get('fs1')!.endpoints[0]!;
  let release!: () => void;
  ep.modifyGate = new Promise<void>((res) => (release = res));
  const hold = 'v=0\r\no=far 7 8 IN IP4 10.0.0.9\r\nc=IN IP4 10.0.0.9\r\nm=audio 4000 RTP/AVP 0\r\na=sendonly\r\n';
  const answer = dlg.remoteReinvite(hold);
  answer.catch(() => undefined);
  await r.settle();
  t.equal(r.log.lines((c) => c.op === 'modify').length, 2, "FreeSWITCH is taking the offer (the answer's modify, then this one)");
  await r.driver.hangup(legId);
  t.equal(dlg.byes, 1, 'BYE sent while the re-INVITE is pending');
  release();
  await t.rejects(answer, { name: 'ReofferRefused', status: 487 }, '487, not a 200 for the ended dialog');
});

t.test("the far end's re-INVITE: FreeSWITCH keeps receiving, the far end gets recvonly and our o= version + 1", async (t) => {
  const r = await rig();
  const legId = await r.driver.originate({ to: '0312345678', ringTimeoutMs: 40000 });
  const dlg = r.srf.last.answer('v=0\r\no=far 7 7 IN IP4 10.0.0.9\r\nc=IN IP4 10.0.0.9\r\nm=audio 4000 RTP/AVP 0\r\na=sendrecv\r\n');
  await r.settle();
  const ep = r.mrf.servers.get('fs1')!.endpoints[0]!;
  const hold = 'v=0\r\no=far 7 8 IN IP4 10.0.0.9\r\nc=IN IP4 10.0.0.9\r\nm=audio 4000 RTP/AVP 0\r\na=sendonly\r\n';
  const answer = await dlg.remoteReinvite(hold);
  // FreeSWITCH is told sendrecv, or it would put the leg on hold and stop reading the far end's audio.
  t.ok(r.log.lines().includes(`${ep.uuid} modify ${hold.replace('a=sendonly', 'a=sendrecv')}`), 'endpoint modified, direction sendrecv');
  t.match(answer, /^o=FreeSWITCH 1 2 IN/m, 'session id of our offer (o=FreeSWITCH 1 1), version + 1');
  t.match(answer, /^a=recvonly\r$/m, 'recvonly to a sendonly offer (RFC 3264 §6.1)');
  t.notMatch(answer, /a=sendrecv/);
  // The same offer again (a session refresh): nothing for FreeSWITCH, the same answer, the same version.
  const modifies = r.log.lines((c) => c.op === 'modify').length;
  t.equal(await dlg.remoteReinvite(hold), answer, 'unchanged offer → unchanged answer');
  t.equal(r.log.lines((c) => c.op === 'modify').length, modifies, 'no modify for an unchanged offer');
  // Off hold: sendrecv again, version + 1 again.
  const unhold = hold.replace('a=sendonly', 'a=sendrecv').replace('7 8', '7 9');
  const back = await dlg.remoteReinvite(unhold);
  t.match(back, /^o=FreeSWITCH 1 3 IN/m);
  t.match(back, /^a=sendrecv\r$/m);
  await r.driver.hangup(legId);
  await t.rejects(
    dlg.remoteReinvite(hold.replace('7 8', '7 10')),
    { name: 'ReofferRefused', status: 487, message: /ended/ },
    'a re-INVITE pending at our BYE is refused with 487 (RFC 3261 §15.1.2)',
  );
});
