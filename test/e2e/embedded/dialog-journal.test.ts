/**
 * Dialogs survive the process (issue 14): a driver's calls are journalled in a
 * real Redis; when that driver dies (its SIP socket and Redis connection cut at
 * once, no BYE, no clean-up: what SIGKILL leaves) the next driver ends them —
 * BYE for the answered call SIPp never hangs up, CANCEL (and the 487's ACK) for
 * the one still ringing. SIPp exits 0 only when its scenario completed.
 * test/e2e/campaign/crash.test.ts does the same with a real SIGKILL.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import pino from 'pino';
import { validateConfig } from '../../../lib/config';
import { createRedis } from '../../../lib/store';
import { keys } from '../../../lib/store/keys';
import { RedisDialogJournal } from '../../../lib/store/dialog-journal';
import { EmbeddedDriver } from '../../../lib/telephony/drivers/embedded/driver';
import { UdpTransport } from '../../../lib/sip';
import { startSipp, type Sipp } from '../../../lib/telephony/testing/sipp';
import type { LegEvent } from '../../../lib/telephony/contract';
import { startTestRedis } from '../../helpers/redis';

const log = pino({ level: 'silent' });
// The cases share nothing (each its own Redis, SIPp and SIP sockets) and two of them mostly wait on SIP timers
// (Timer F, 32 s, for the first; 4 s past a lease for the third): side by side, the file takes its longest case.
t.jobs = 4;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(what: string, ok: () => boolean | Promise<boolean>, ms = 20000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

function cfg(trunk: string) {
  return validateConfig({
    log: { level: 'silent' },
    telephony: {
      embedded: { sip: { host: '127.0.0.1', port: 0 } },
      trunks: [{ name: 'carrier', address: trunk, callsPerSecond: 1000, maxChannels: 1000 }],
    },
  }).telephony;
}

/** A driver journalling into `url` as `owner`, on its own SIP socket (port 0: any; else that port) and Redis connection. */
async function startNode(url: string, owner: string, trunk: string, sipPort = 0) {
  const redis = createRedis({ url, keyPrefix: 'dj:' });
  const udp = await UdpTransport.bind('127.0.0.1', sipPort, log);
  const journal = new RedisDialogJournal(redis, { owner, leaseMs: 1500, sweepMs: 200, log });
  const tel = cfg(trunk);
  const driver = new EmbeddedDriver({ embedded: tel.embedded, trunks: tel.trunks, transports: [udp], journal, journalAckWaitMs: 1000 });
  await driver.start();
  const events: LegEvent[] = [];
  driver.onEvent((e) => events.push(e));
  return {
    driver,
    journal,
    redis,
    udp,
    events,
    /** What SIGKILL leaves: sockets gone, nothing sent, nothing cleaned. */
    crash: () => {
      udp.close();
      redis.disconnect();
    },
    close: async () => {
      await driver.stop();
      redis.disconnect();
    },
  };
}

async function sipp(scenario: string, dir: string): Promise<{ s: Sipp; trace: string }> {
  const trace = join(dir, `${scenario}.log`);
  const s = await startSipp({ scenario, calls: 1, timeoutS: 60, args: ['-trace_msg', '-message_file', trace] });
  return { s, trace };
}

t.test('an answered call left up by a dead process gets a BYE from the next one', { timeout: 90000 }, async (t) => {
  const { redis, url } = await startTestRedis(t, 'dj:');
  const dir = mkdtempSync(join(tmpdir(), 'dialog-journal-'));
  const { s, trace } = await sipp('agent-phone', dir);
  t.teardown(() => s.stop());
  const a = await startNode(url, 'node-a', s.address);
  const leg = await a.driver.originate({ to: '0312000001', ringTimeoutMs: 10000, tags: { attemptId: 'A1' } });
  await until('the answer', () => a.events.some((e) => e.type === 'answer' && e.legId === leg));
  // The ACK waited for the write: the confirmed dialog is in the journal now.
  const stored = await redis.hgetall(keys.dialogs(a.journal.id, 'dialogs'));
  const entries = Object.values(stored).map((v) => JSON.parse(v) as { kind: string; dialog: { remoteTag?: string; routeSet: string[] } });
  t.equal(entries.length, 1, 'one dialog journalled');
  t.equal(entries[0]!.kind, 'confirmed', 'as confirmed, with its remote tag');
  t.ok(entries[0]!.dialog.remoteTag);
  t.ok((await redis.smembers(keys.global('dialog-journals'))).includes(a.journal.id), 'the journal is in the index');

  a.crash();
  await sleep(300);
  t.equal(await redis.hlen(keys.dialogs(a.journal.id, 'dialogs')), 1, 'the dead process left its entry');
  const b = await startNode(url, 'node-b', s.address);
  t.teardown(async () => {
    await b.close();
    await a.close();
  });
  const r = await s.done;
  t.equal(r.code, 0, `SIPp got its BYE and completed the call (${r.stderr.slice(-300)})`);
  const text = readFileSync(trace, 'utf8');
  t.match(text, /^BYE sip:farend@/m, 'the BYE went to the remote target (the 200 OK Contact)');
  t.match(text, /Reason: SIP;cause=500/, 'and says why');
  // SIPp sends its 200 for the BYE to the address the call came from (the dead
  // socket), not to the BYE's Via: our transaction then ends at Timer F (64·T1),
  // and the entry goes either way.
  await until('the journal cleaned up', async () => !(await redis.smembers(keys.global('dialog-journals'))).includes(a.journal.id), 45000);
  t.equal(await redis.exists(keys.dialogs(a.journal.id, 'dialogs'), keys.dialogs(a.journal.id, 'lease')), 0, 'its keys are gone');
  const o = b.driver.stats().orphans;
  t.equal(o.ended + o.unanswered, 1, 'counted in the driver stats');
});

t.test(
  'a restarted process (same owner, same SIP port) CANCELs its predecessor’s ringing call at once and ACKs the 487',
  { timeout: 90000 },
  async (t) => {
    const { redis, url } = await startTestRedis(t, 'dj:');
    const dir = mkdtempSync(join(tmpdir(), 'dialog-journal-'));
    const { s, trace } = await sipp('uas-ring-45s', dir);
    t.teardown(() => s.stop());
    const a = await startNode(url, 'node-x', s.address);
    const leg = await a.driver.originate({ to: '0312000004', ringTimeoutMs: 40000 });
    await until('ringing', () => a.events.some((e) => e.type === 'progress' && e.legId === leg && e.status === 180));
    await until('the early entry', async () => (await redis.hlen(keys.dialogs(a.journal.id, 'dialogs'))) === 1);
    const port = a.udp.local.port;
    a.crash();
    // Same owner id: the predecessor is dead for sure, its lease (still running) is not waited for.
    await redis.pexpire(keys.dialogs(a.journal.id, 'lease'), 60000);
    const b = await startNode(url, 'node-x', s.address, port);
    t.teardown(async () => {
      await b.close();
      await a.close();
    });
    const r = await s.done;
    t.equal(r.code, 0, `SIPp got the CANCEL and the ACK for its 487 (${r.stderr.slice(-300)})`);
    const text = readFileSync(trace, 'utf8');
    t.match(text, /^CANCEL sip:/m, 'CANCEL sent');
    t.match(text, /^ACK sip:/m, '487 acknowledged');
    t.ok(
      (await redis.pttl(keys.dialogs(a.journal.id, 'lease'))) < 50000 || !(await redis.exists(keys.dialogs(a.journal.id, 'lease'))),
      'taken over, not waited out',
    );
    await until('the journal cleaned up', async () => !(await redis.smembers(keys.global('dialog-journals'))).includes(a.journal.id));
  },
);

t.test('a live process keeps its calls: its journal is not claimed while its lease is renewed', { timeout: 30000 }, async (t) => {
  const { redis, url } = await startTestRedis(t, 'dj:');
  const dir = mkdtempSync(join(tmpdir(), 'dialog-journal-'));
  const { s } = await sipp('agent-phone', dir);
  const a = await startNode(url, 'node-a', s.address);
  const b = await startNode(url, 'node-b', s.address);
  t.teardown(async () => {
    await b.close();
    await a.close();
    await s.stop();
  });
  const leg = await a.driver.originate({ to: '0312000001', ringTimeoutMs: 10000 });
  await until('the answer', () => a.events.some((e) => e.type === 'answer' && e.legId === leg));
  await sleep(4000); // well over leaseMs (1500) and many sweeps (200)
  t.same(b.driver.stats().orphans, { ended: 0, unanswered: 0 }, 'the other process ended nothing');
  t.equal(await redis.hlen(keys.dialogs(a.journal.id, 'dialogs')), 1, 'the entry is still there');
  await a.driver.hangup(leg);
  await until('the entry removed', async () => (await redis.hlen(keys.dialogs(a.journal.id, 'dialogs'))) === 0);
  t.pass('the call ended normally and its entry went with it');
});

t.test('an answered inbound call (we are the UAS) left by a dead process gets a BYE from the next one', { timeout: 90000 }, async (t) => {
  const { redis, url } = await startTestRedis(t, 'dj:');
  const dir = mkdtempSync(join(tmpdir(), 'dialog-journal-'));
  const a = await startNode(url, 'node-a', '127.0.0.1:5999');
  a.driver.onIncoming((call) => void a.driver.answerIncoming(call.legId));
  const trace = join(dir, 'inbound-caller.log');
  const s = await startSipp({
    scenario: 'inbound-caller',
    keys: { caller: '0312000009' },
    args: ['-s', '0501234567', '-trace_msg', '-message_file', trace],
    remote: `127.0.0.1:${a.udp.local.port}`,
    timeoutS: 60,
  });
  t.teardown(() => s.stop());
  await until('the answer', () => a.events.some((e) => e.type === 'answer'));
  await until('the journal entry', async () => (await redis.hlen(keys.dialogs(a.journal.id, 'dialogs'))) === 1);
  a.crash();
  const b = await startNode(url, 'node-b', '127.0.0.1:5999');
  t.teardown(async () => {
    await b.close();
    await a.close();
  });
  const r = await s.done;
  t.equal(r.code, 0, `the caller (SIPp) got a BYE in its dialog and completed (${r.stderr.slice(-300)})`);
  t.match(readFileSync(trace, 'utf8'), /^BYE sip:/m, 'BYE received');
});
