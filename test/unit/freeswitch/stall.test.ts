/**
 * A media server that stops answering a call's set-up requests (stall.ts)
 * against the recording fakes, in virtual time. The live behaviour the fakes
 * follow (test/e2e/freeswitch/stalled-server.test.ts, a SIGSTOPped
 * FreeSWITCH): the INVITE creating the endpoint goes unanswered until SIGCONT
 * (then the endpoint is made) or until drachtio's Timer B (32 s, a 408).
 */
import t from 'tap';
import { rig, twoServers as two, type Rig } from './fakes';

const servers = (r: Rig) => r.log.lines((c) => c.op === 'createEndpoint').map((l) => l.split(' ')[0]);
const invites = (r: Rig) => r.log.lines((c) => c.op === 'INVITE').length;

/** The originate's outcome once settled, or 'pending'. */
function watch(p: Promise<string>): () => unknown {
  let out: unknown = 'pending';
  p.then(
    (id) => (out = id),
    (err) => (out = err),
  );
  return () => out;
}

async function place(r: Rig, to: string): Promise<string> {
  const id = await r.driver.originate({ to, ringTimeoutMs: 40000 });
  r.srf.last.answer();
  await r.settle();
  return r.driver.mediaServerOf(id)!;
}

t.test('a creation unanswered for mediaServerStallMs: refused, nothing sent; no calls to that server until it answers', async (t) => {
  const r = await rig({ fs: { mediaServers: two() } });
  const fs1 = r.mrf.servers.get('fs1')!;
  fs1.hung = true;
  const out = watch(r.driver.originate({ to: '0312345670', ringTimeoutMs: 40000 }));
  await r.settle();
  r.clock.advance(9999);
  await r.settle();
  t.equal(out(), 'pending', 'still waiting just before the bound');
  r.clock.advance(1);
  await r.settle();
  t.match(out(), { code: 'NO_CAPACITY', message: /fs-a did not answer the INVITE creating an endpoint within 10000 ms; nothing went out/ });
  t.equal(invites(r), 0, 'no INVITE to the far end');
  t.match(r.driver.health(), { ok: true, detail: 'drachtio connected; media servers 1/2 connected (fs-a stalled)' });

  // Past mediaServerBackoffMs (5 s): a server that had merely failed would take calls again.
  r.clock.advance(6000);
  await r.settle();
  t.same([await place(r, '0312345671'), await place(r, '0312345672')], ['fs2:8021', 'fs2:8021'], 'new calls go to fs2, however loaded');

  fs1.wake();
  await r.settle();
  t.ok(r.log.lines().includes('fs1-ep1 destroy'), 'the endpoint it made late is hung up');
  t.match(r.driver.health(), { detail: 'drachtio connected; media servers 2/2 connected' });
  t.equal(await place(r, '0312345673'), 'fs-a', 'it takes calls again');
  t.same(servers(r), ['fs1', 'fs2', 'fs2', 'fs1']);
  await r.driver.stop();
});

t.test('a creation that fails after the bound (Timer B’s 408): the server stays out until FreeSWITCH is heard', async (t) => {
  const r = await rig({ fs: { mediaServers: two() } });
  const fs1 = r.mrf.servers.get('fs1')!;
  fs1.mute = true;
  fs1.hung = true;
  const out = watch(r.driver.originate({ to: '0312345670', ringTimeoutMs: 40000 }));
  await r.settle();
  r.clock.advance(10000);
  await r.settle();
  t.match(out(), { code: 'NO_CAPACITY' });
  fs1.expire();
  await r.settle();
  t.match(r.driver.health(), { detail: /\(fs-a stalled\)/ }, 'a failure is no word from FreeSWITCH');
  t.equal(await place(r, '0312345671'), 'fs2:8021');
  fs1.heartbeat();
  await r.settle();
  t.match(r.driver.health(), { detail: 'drachtio connected; media servers 2/2 connected' });
  t.equal(await place(r, '0312345672'), 'fs-a', 'heard, it takes calls again');
  await r.driver.stop();
});

t.test('detection’s attach unanswered for the bound: the call is not sent, its endpoint is hung up, the server rests', async (t) => {
  const r = await rig({ fs: { mediaServers: two() } });
  const fs1 = r.mrf.servers.get('fs1')!;
  fs1.hungCommands = true;
  const out = watch(r.driver.originate({ to: '0312345670', ringTimeoutMs: 40000, analysis: { early: true, answered: true } }));
  await r.settle();
  t.ok(
    r.log.lines().some((l) => l.startsWith('fs1-ep1 execute')),
    'the endpoint was made, its tone detector asked for',
  );
  // Native mode: the attach also makes the fork's sink, which may wait its turn first (endpointQueueTimeoutMs, 5 s).
  r.clock.advance(14999);
  await r.settle();
  t.equal(out(), 'pending', 'still waiting just before the bound');
  r.clock.advance(1);
  await r.settle();
  t.match(out(), {
    code: 'NO_CAPACITY',
    message: /fs-a did not answer the commands attaching detection within 15000 ms; nothing went out/,
  });
  t.equal(invites(r), 0, 'no INVITE to the far end');
  t.ok(r.log.lines().includes('fs1-ep1 destroy'), 'its endpoint is hung up');
  t.equal(await place(r, '0312345671'), 'fs2:8021', 'the next call goes to fs2');
  fs1.wake();
  await r.settle();
  t.equal(await place(r, '0312345672'), 'fs-a', 'answered, it takes calls again');
  await r.driver.stop();
});

t.test('a creation answered within the bound leaves no mark (no timer left behind)', async (t) => {
  const r = await rig({ fs: { mediaServers: two() } });
  const fs1 = r.mrf.servers.get('fs1')!;
  fs1.hung = true;
  const out = watch(r.driver.originate({ to: '0312345670', ringTimeoutMs: 40000 }));
  await r.settle();
  r.clock.advance(9000);
  fs1.wake();
  await r.settle();
  t.type(out(), 'string', 'placed');
  r.srf.last.answer();
  r.clock.advance(20000);
  await r.settle();
  t.match(r.driver.health(), { detail: 'drachtio connected; media servers 2/2 connected' });
  t.notOk(r.log.lines().includes('fs1-ep1 destroy'), 'its endpoint is the call’s');
  await r.driver.stop();
});
