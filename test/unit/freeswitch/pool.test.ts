/**
 * The media-server pool (issue 19) against recording fakes: a draining
 * server gets no new calls while its calls go on, and leaves the pool with
 * its last one; a server that dies ends each of its calls once (far ends
 * released with BYE or CANCEL), and new calls go to the others.
 */
import t from 'tap';
import { decideResult } from '../../../lib/results';
import type { EndCause, LegEvent } from '../../../lib/telephony/contract';
import { ENDPOINT_HANGUP_WAIT_MS } from '../../../lib/telephony/drivers/freeswitch/driver';
import { rig, twoServers as two, type Rig } from './fakes';

function ends(events: LegEvent[], legId: string): EndCause[] {
  return events.filter((e): e is Extract<LegEvent, { type: 'end' }> => e.type === 'end' && e.legId === legId).map((e) => e.cause);
}

async function call(r: Rig, to: string, answer: boolean) {
  const legId = await r.driver.originate({ to, ringTimeoutMs: 40000 });
  const sip = r.srf.last;
  const dialog = answer ? sip.answer() : undefined;
  await r.settle();
  const eps = [...r.mrf.servers.values()].flatMap((s) => s.endpoints);
  return { legId, sip, dialog, ep: eps.find((e) => r.driver.mediaUuid(legId) === e.uuid)! };
}

const servers = (r: Rig) => r.log.lines((c) => c.op === 'createEndpoint').map((l) => l.split(' ')[0]);

t.test('drain: no new calls on the draining server, its calls go on, it leaves with the last one', async (t) => {
  const r = await rig({ fs: { mediaServers: two() } });
  const a = await call(r, '0312345670', true);
  const b = await call(r, '0312345671', true);
  t.same(servers(r), ['fs1', 'fs2'], 'calls spread over both');
  t.same(
    r.driver.mediaServers().map((s) => [s.name, s.state, s.legs]),
    [
      ['fs-a', 'active', 1],
      ['fs2:8021', 'active', 1],
    ],
    'named by config name, else address:port',
  );

  t.equal(r.driver.drainMediaServer('nope'), undefined, 'an unknown name is not drained');
  t.match(r.driver.drainMediaServer('fs-a'), { name: 'fs-a', state: 'draining', legs: 1, connected: true });
  await call(r, '0312345672', true);
  await call(r, '0312345673', false);
  t.same(servers(r), ['fs1', 'fs2', 'fs2', 'fs2'], 'new calls go to the active server only, however loaded');
  t.match(r.driver.health(), { ok: true, detail: /media servers 1\/2 connected \(fs-a draining \(1 legs\)\)/ });
  t.notOk(r.log.lines().includes('fs1 disconnect'), 'still connected while its call goes on');
  await r.driver.play(a.legId, { kind: 'hold' });
  t.ok(r.log.lines().includes(`${a.ep.uuid} play local_stream://dialer_hold`), 'its call still takes media commands');

  a.dialog!.remoteBye();
  await r.settle();
  t.same(ends(r.events, a.legId).length, 1, 'its call ended once, by the far end');
  t.ok(r.log.lines().includes('fs1 disconnect'), 'with its last call it leaves: event socket closed');
  t.same(
    r.driver.mediaServers().map((s) => s.name),
    ['fs2:8021'],
    'and is out of the pool',
  );
  t.match(r.driver.health(), { ok: true, detail: /media servers 1\/2 connected \(1 drained and left\)/ });
  t.same(ends(r.events, b.legId), [], 'the other server’s call is untouched');

  // The last active server draining with calls: no room for new calls anywhere.
  r.driver.drainMediaServer('fs2:8021');
  await t.rejects(r.driver.originate({ to: '0312345674', ringTimeoutMs: 1000 }), { code: 'NO_CAPACITY' });
  t.match(r.driver.health(), { ok: false });
});

t.test('a draining server with no calls leaves at once', async (t) => {
  const r = await rig({ fs: { mediaServers: two() } });
  t.match(r.driver.drainMediaServer('fs2:8021'), { state: 'left', connected: false, legs: 0 });
  t.ok(r.log.lines().includes('fs2 disconnect'));
  await call(r, '0312345670', true);
  await call(r, '0312345671', true);
  t.same(servers(r), ['fs1', 'fs1']);
});

t.test('a server that left the pool leaves no timer behind: a stopped driver holds no timer at all', async (t) => {
  // The silence watch of a drained server outlived it (mediaServerSilenceMs, 60 s) and kept a stopped dialer's
  // process alive that long: the live pool test ended and its process did not exit.
  const r = await rig({ fs: { mediaServers: two() } });
  // The fake servers' own 5 s HEARTBEAT loops aside (theirs, not the driver's).
  const driverTimers = () => r.clock.pending().filter((ms) => ms > 5000);
  t.same(driverTimers(), [60001, 60001], 'one silence watch per connected server (mediaServerSilenceMs + 1)');
  r.driver.drainMediaServer('fs2:8021');
  t.same(driverTimers(), [60001], 'the server that left is no longer watched');
  await r.driver.stop();
  t.same(driverTimers(), [], 'nothing left after stop');
});

t.test('a server that dies: each of its calls ends once, far ends released, new calls go elsewhere', async (t) => {
  const r = await rig({ fs: { mediaServers: two() } });
  const answered = await call(r, '0312345670', true); // fs1
  const other = await call(r, '0312345671', true); // fs2
  const ringing = await call(r, '0312345672', false); // fs1 (tie: first)
  t.same(servers(r), ['fs1', 'fs2', 'fs1']);
  const fs1 = r.mrf.servers.get('fs1')!;
  fs1.die([answered.ep, ringing.ep]);
  await r.settle();
  // A late CHANNEL_HANGUP for the same channel changes nothing.
  answered.ep.emitHangup('NORMAL_CLEARING');
  await r.settle();

  const a = ends(r.events, answered.legId);
  t.equal(a.length, 1, 'the answered call ended once');
  t.match(a[0], { by: 'error', answered: true, detail: /connection lost/ });
  t.equal(answered.dialog!.byes, 1, 'its far end got one BYE');
  const rg = ends(r.events, ringing.legId);
  t.equal(rg.length, 1, 'the ringing call ended once');
  t.ok(ringing.sip.cancelled, 'its INVITE was CANCELled');
  t.equal(decideResult({ end: rg[0]!, verdicts: [], connected: false }), 13, 'a call lost before answer is a dial error (13)');
  t.same(ends(r.events, other.legId), [], 'the other server’s call goes on');

  await call(r, '0312345673', true);
  await call(r, '0312345674', true);
  t.same(servers(r).slice(3), ['fs2', 'fs2'], 'new calls go to the live server');
  t.match(r.driver.health(), { ok: true, detail: /media servers 1\/2 connected \(fs-a down\)/ });
  t.match(
    r.driver.mediaServers().find((s) => s.name === 'fs-a'),
    { state: 'active', connected: false, legs: 0 },
    'it stays in the pool, down, and takes calls again once fsmrf has reconnected',
  );
  fs1.connected = true;
  await call(r, '0312345675', true);
  t.equal(servers(r).at(-1), 'fs1', 'back: the least loaded again');
});

t.test('a server that dies between its endpoint and the INVITE: the INVITE is CANCELled, one end after originate resolved', async (t) => {
  const r = await rig({ fs: { mediaServers: two() } });
  r.srf.autoSend = false;
  const seenBeforeResolve: LegEvent[] = [];
  let resolved = false;
  r.driver.onEvent((e) => {
    if (!resolved) seenBeforeResolve.push(e);
  });
  const p = r.driver.originate({ to: '0312345670', ringTimeoutMs: 40000 });
  await r.settle();
  const fs1 = r.mrf.servers.get('fs1')!;
  fs1.die([fs1.endpoints.at(-1)!]);
  await r.settle();
  t.same(
    seenBeforeResolve.filter((e) => e.type === 'end'),
    [],
    'no end event for a leg id the caller does not have yet',
  );
  r.srf.last.sendInvite();
  const legId = await p;
  resolved = true;
  t.ok(r.srf.last.cancelled, 'the INVITE that left after the loss is CANCELled at once');
  await r.settle();
  const e = ends(r.events, legId);
  t.equal(e.length, 1, 'the leg ends once');
  t.match(e[0], { by: 'error', answered: false });
  t.same(r.trace(legId), ['trying', 'end:error:-:unanswered']);
  r.srf.last.reject(487, 'Request Terminated');
  await r.settle();
  t.equal(ends(r.events, legId).length, 1, 'the 487 to the CANCEL ends nothing more');
});

t.test('a server whose createEndpoint fails rests for mediaServerBackoffMs; the call goes back uncounted', async (t) => {
  const r = await rig({ fs: { mediaServers: two() } });
  r.mrf.servers.get('fs1')!.failCreate = new Error('503 Service Unavailable');
  await t.rejects(r.driver.originate({ to: '0312345670', ringTimeoutMs: 1000 }), { code: 'NO_CAPACITY' });
  r.mrf.servers.get('fs1')!.failCreate = undefined;
  await call(r, '0312345671', true);
  await call(r, '0312345672', true);
  t.same(servers(r), ['fs1', 'fs2', 'fs2'], 'fs1 gets no calls while it rests, however loaded fs2 is');
  r.clock.advance(5000);
  await call(r, '0312345673', true);
  t.equal(servers(r).at(-1), 'fs1', 'then it takes calls again');
});

t.test('a hangup FreeSWITCH never confirms: the leg stops counting on its server after Timer F (32 s)', async (t) => {
  const r = await rig({ fs: { mediaServers: two() } });
  const a = await call(r, '0312345670', true); // fs1
  a.ep.silent = true;
  t.match(r.driver.drainMediaServer('fs-a'), { state: 'draining', legs: 1 });
  a.dialog!.remoteBye();
  await r.settle();
  t.equal(ends(r.events, a.legId).length, 1, 'the call ended once');
  t.ok(r.log.lines().includes(`${a.ep.uuid} destroy`), 'its endpoint was hung up');
  t.match(r.driver.mediaServers()[0], { name: 'fs-a', state: 'draining', legs: 1 }, 'still counted while FreeSWITCH may yet confirm');
  r.clock.advance(ENDPOINT_HANGUP_WAIT_MS - 1);
  await r.settle();
  t.equal(r.driver.mediaServers()[0]!.legs, 1, 'counted until the bound');
  r.clock.advance(1);
  await r.settle();
  t.same(
    r.driver.mediaServers().map((s) => [s.name, s.legs]),
    [['fs2:8021', 0]],
    'then no longer counted: the drained server has left the pool',
  );
  t.ok(r.log.lines().includes('fs1 disconnect'), 'its event socket closed');
});

t.test(
  'a silent server (no HEARTBEAT for mediaServerSilenceMs): no new calls, its calls end once; heard again, it takes calls',
  async (t) => {
    const r = await rig({ fs: { mediaServers: two(), mediaServerSilenceMs: 15000 } });
    const fs1 = r.mrf.servers.get('fs1')!;
    const answered = await call(r, '0312345670', true); // fs1
    const other = await call(r, '0312345671', true); // fs2
    const ringing = await call(r, '0312345672', false); // fs1 (tie: first)
    // fs2 keeps sending its HEARTBEAT (every 5 s, as freeswitch-conf sets it); fs1 falls silent, its sockets open.
    fs1.mute = true;
    for (let i = 0; i < 3; i++) {
      r.clock.advance(5000);
      await r.settle();
    }
    t.same(ends(r.events, answered.legId), [], 'nothing ends before the bound (15 s of silence)');
    t.match(r.driver.health(), { ok: true, detail: 'drachtio connected; media servers 2/2 connected' });
    r.clock.advance(1);
    await r.settle();
    const a = ends(r.events, answered.legId);
    t.equal(a.length, 1, 'then its answered call ends once');
    t.match(a[0], { by: 'error', answered: true, detail: /fs-a.*silent/ });
    t.equal(answered.dialog!.byes, 1, 'its far end got one BYE');
    t.equal(ends(r.events, ringing.legId).length, 1, 'its ringing call ends once');
    t.ok(ringing.sip.cancelled, 'its INVITE was CANCELled');
    t.same(ends(r.events, other.legId), [], 'the other server’s call goes on');
    t.match(r.driver.health(), { ok: true, detail: /media servers 1\/2 connected \(fs-a silent\)/ });
    t.match(r.driver.mediaServers()[0], { name: 'fs-a', connected: false });
    await call(r, '0312345673', true);
    t.equal(servers(r).at(-1), 'fs2', 'new calls go to the server that answers');
    // fs1's HEARTBEAT comes again (a paused process resumed, the partition healed).
    fs1.mute = false;
    fs1.heartbeat();
    await r.settle();
    t.match(r.driver.health(), { ok: true, detail: 'drachtio connected; media servers 2/2 connected' });
    await call(r, '0312345674', true);
    t.equal(servers(r).at(-1), 'fs1', 'it takes calls again');
    t.equal(a.length, 1, 'nothing ended twice');
    await r.driver.stop();
  },
);

t.test(
  'a silence check that finds events waiting to be read: the server is not silent (a stalled dialer is not a silent server)',
  async (t) => {
    const r = await rig({ fs: { mediaServers: two(), mediaServerSilenceMs: 15000 } });
    const fs1 = r.mrf.servers.get('fs1')!;
    const c = await call(r, '0312345670', true); // fs1
    // The HEARTBEAT is read in the same turn as the overdue check runs (the timers phase comes before I/O).
    fs1.mute = true;
    r.clock.advance(20000);
    fs1.heartbeat();
    await r.settle();
    t.same(ends(r.events, c.legId), [], 'its call goes on');
    t.match(r.driver.health(), { detail: 'drachtio connected; media servers 2/2 connected' });
    await r.driver.stop();
  },
);
