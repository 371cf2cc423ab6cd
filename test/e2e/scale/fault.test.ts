/**
 * Scale-out under faults: three dialer processes share a Redis Cluster
 * (3 masters + 3 replicas on loopback) and one SIPp carrier whose trunk
 * allows TRUNK_CPS calls per second and TRUNK_CHANNELS channels in total.
 * Three campaigns (510 contacts) are spread one per process. Mid-run the
 * harness SIGKILLs one dialer and fails one Redis master over to its replica.
 * Afterwards: every contact has exactly its expected attempts, each with one
 * result; no number got more INVITEs than attempts (SIPp's message trace);
 * the carrier never saw more than TRUNK_CPS new INVITEs in any second; the
 * dead dialer's campaign was taken over and its calls in flight were closed
 * once with the interrupted code.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import t from 'tap';
import { writeWav } from '../../../lib/media/audio-file';
import { ownerOf, liveMembers } from '../../../lib/scale/spread';
import { getCampaign } from '../../../lib/store/campaigns';
import { DialQueue } from '../../../lib/store/dial-queue';
import { freePort } from '../../../lib/store';
import { keys } from '../../../lib/store/keys';
import { startSipp } from '../../../lib/telephony/testing/sipp';
import { makeList, runCampaign, runnerConfig } from '../../helpers/campaign-env';
import { startTestCluster } from '../../helpers/redis-cluster';

const ROOT = resolve(__dirname, '../../..');
const PREFIX = 'scale:';
// Agentless (recorded message) campaign: what each last digit ends with (sipp-scenarios/README.md).
const EXPECTED: Record<number, number> = { 0: 1, 1: 4, 2: 5, 3: 3, 4: 2, 5: 6, 6: 13, 7: 7, 8: 9, 9: 8 };
const FINAL = new Set([1, 5, 6]); // results that do not retry by default (as in test/e2e/campaign/crash.test.ts)
const MAX_ATTEMPTS = 2;
const INTERRUPTED = 13;
const TRUNK_CPS = 12;
const TRUNK_CHANNELS = 24;
const DIALERS = ['dialer-1', 'dialer-2', 'dialer-3'];
const PER_CAMPAIGN = 170;

/** Campaign ids that rendezvous hashing gives one to each dialer (equal capacities). */
function campaignIds(): string[] {
  const members = DIALERS.map((owner) => ({ owner, capacity: 2000, activeLegs: 0, healthy: true, campaigns: 0 }));
  const out: string[] = [];
  for (const d of DIALERS) {
    for (let i = 0; ; i++) {
      if (ownerOf(`scale-${i}`, members) === d && !out.includes(`scale-${i}`)) {
        out.push(`scale-${i}`);
        break;
      }
    }
  }
  return out;
}

t.test('3 dialers on a 3+3 Redis Cluster survive a SIGKILL and a master failover', { timeout: 180000 }, async (t) => {
  const started = Date.now();
  const { redis, cluster } = await startTestCluster(t, PREFIX);
  const dir = mkdtempSync(join(tmpdir(), 'dialer-scale-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const trace = join(dir, 'carrier.log');
  const carrier = await startSipp({
    scenario: 'carrier-simulator',
    calls: 100000,
    timeoutS: 600,
    keys: { hangup_ms: '500' },
    args: ['-trace_msg', '-message_file', trace, '-max_recv_loops', '10000'],
  });
  t.teardown(() => carrier.stop());
  const message = join(dir, 'message.wav');
  writeWav(
    message,
    new Int16Array(4000).map((_, i) => Math.round(6000 * Math.sin((2 * Math.PI * 440 * i) / 8000))),
  );

  // Mostly people (one attempt), the rest of the carrier's behaviours once each per ten.
  const pattern = [0, 0, 0, 0, 1, 2, 5, 6, 8, 0];
  const ids = campaignIds();
  const contacts: { campaign: string; listId: string; id: string; digit: number; number: string }[] = [];
  for (const [k, cid] of ids.entries()) {
    const digits = Array.from({ length: PER_CAMPAIGN }, (_, i) => pattern[i % pattern.length]!);
    // Distinct numbers across the lists: the k-th list's numbers are offset.
    const numbers = digits.map((d, i) =>
      `0312${String(k * PER_CAMPAIGN + i).padStart(5, '0')}${d}`.replace(/^(\d{2})(\d{4})(\d{4})$/, '$1-$2-$3'),
    );
    const listId = `L${k}`;
    await makeList(redis, listId, numbers);
    digits.forEach((d, i) => contacts.push({ campaign: cid, listId, id: `c${i}`, digit: d, number: numbers[i]! }));
    await runCampaign(redis, cid, listId, {
      mode: 'agentless',
      agentless: { message },
      maxConcurrentCalls: 0,
      ringTimeoutSec: 2,
      maxAttempts: MAX_ATTEMPTS,
      retryIntervalSec: 1,
    });
  }
  t.equal(new Set(contacts.map((c) => c.number)).size, contacts.length, `${contacts.length} distinct numbers`);

  const procs = new Map<string, ChildProcess>();
  const startDialer = async (owner: string): Promise<void> => {
    const cfgFile = join(dir, `${owner}.json`);
    writeFileSync(
      cfgFile,
      JSON.stringify({
        api: { port: await freePort(), keys: [{ key: 'scale-test-admin-key-0000', role: 'admin' }] },
        redis: { cluster: cluster.seeds, keyPrefix: PREFIX },
        log: { level: 'warn' },
        telephony: {
          embedded: { sip: { host: '127.0.0.1', port: 0 } },
          trunks: [{ name: 'carrier', address: carrier.address, callsPerSecond: TRUNK_CPS, maxChannels: TRUNK_CHANNELS }],
        },
        media: { amd: { silenceTimeoutMs: 2500 } },
        dialer: {
          runner: runnerConfig({ ownerId: owner, campaignLeaseMs: 2000, attemptLeaseMs: 4000, interruptedCode: INTERRUPTED }),
          prompts: { dir: join(dir, 'prompts') },
        },
        scale: { beatMs: 500, memberTtlMs: 2000 },
      }),
    );
    // node itself with tsx's loader: SIGKILL must hit the dialer, not a wrapper that would orphan it.
    const loader = pathToFileURL(join(ROOT, 'node_modules/tsx/dist/loader.mjs')).href;
    const child = spawn(process.execPath, ['--import', loader, join(ROOT, 'app/server.ts')], {
      cwd: dir,
      env: { ...process.env, DIALER_CONFIG: cfgFile },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    child.stderr!.on('data', (b: Buffer) => (err = (err + b.toString()).slice(-4000)));
    child.on('exit', (code, sig) => {
      if (sig !== 'SIGKILL' && code !== 0) t.comment(`${owner} exited ${code}: ${err}`);
    });
    procs.set(owner, child);
  };
  t.teardown(() => procs.forEach((p) => p.kill('SIGKILL')));
  for (const d of DIALERS) await startDialer(d);

  // Spread: each campaign's lease held by its own dialer.
  const leaseOf = async (cid: string) => redis.get(keys.campaign(cid, 'runner-lease'));
  const spreadBy = Date.now() + 60000; // three processes compile and start on a busy machine
  let holders: (string | null)[] = [];
  while (Date.now() < spreadBy) {
    holders = await Promise.all(ids.map(leaseOf));
    if (holders.every((h, i) => h === DIALERS[i])) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  t.same(holders, DIALERS, `one campaign per dialer process (${holders.join(', ')})`);
  const members = await liveMembers(redis);
  t.same(members.map((m) => m.owner).sort(), DIALERS, `all three advertise themselves (${JSON.stringify(members)})`);
  t.ok(
    members.every((m) => m.capacity > 0 && m.healthy),
    'with capacity and health',
  );

  // Faults: SIGKILL the second dialer while it has calls up, then fail over the master of the third campaign's slot.
  await new Promise((r) => setTimeout(r, 6000));
  const victim = 'dialer-2';
  const victimCampaign = ids[1]!;
  const inflightAtKill = await new DialQueue(redis, victimCampaign).inflightCount();
  procs.get(victim)!.kill('SIGKILL');
  const killedAt = Date.now();
  let takenBy: string | null = null;
  while (Date.now() - killedAt < 20000) {
    takenBy = await leaseOf(victimCampaign);
    if (takenBy && takenBy !== victim) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const takeoverMs = Date.now() - killedAt;
  t.ok(
    takenBy && takenBy !== victim,
    `${victimCampaign} taken over by ${takenBy} ${takeoverMs} ms after the kill (${inflightAtKill} attempts were in flight)`,
  );
  t.ok(takeoverMs < 8000, 'within seconds (lease 2 s, registry ttl 2 s)');

  const master = await cluster.masterOf(`${PREFIX}${keys.campaign(ids[2]!, 'queue')}`);
  const promoted = await cluster.failover(master);
  t.not(promoted, master, `master :${master} failed over to :${promoted}`);

  const end = started + 170000;
  const states = async () => Promise.all(ids.map(async (id) => (await getCampaign(redis, id))!.state));
  while ((await states()).some((s) => s !== 'completed') && Date.now() < end) await new Promise((r) => setTimeout(r, 500));
  t.same(
    await states(),
    ids.map(() => 'completed'),
    'every campaign completed',
  );

  // Every contact whole.
  const text = readFileSync(trace, 'utf8');
  const callIdsByNumber = new Map<string, Set<string>>();
  const firstSeen = new Map<string, number>();
  // SIPp's trace: "----- <date> <time>" then "UDP message received …" then the message.
  for (const m of text.matchAll(
    /-{10,} (\d{4}-\d\d-\d\d)\s+(\d\d:\d\d:\d\d\.\d+)[^\n]*\n[^\n]*received[^\n]*\n\s*\nINVITE sip:\+?(\d+)@[^\n]*\n(?:[^\n]+\n)*?Call-ID:\s*(\S+)/gi,
  )) {
    const at = Date.parse(`${m[1]}T${m[2]!.slice(0, 12)}Z`);
    (callIdsByNumber.get(m[3]!) ?? callIdsByNumber.set(m[3]!, new Set()).get(m[3]!)!).add(m[4]!);
    if (!firstSeen.has(m[4]!)) firstSeen.set(m[4]!, at);
  }
  let problems = 0;
  let interrupted = 0;
  let attempts = 0;
  for (const cid of ids) {
    const history = await new DialQueue(redis, cid).history();
    const attemptIds = history.map((h) => h.fields.attemptId);
    t.equal(new Set(attemptIds).size, attemptIds.length, `${cid}: no attempt has two results`);
    attempts += history.length;
    const per = new Map<string, { no: number; code: number; interrupted: boolean }[]>();
    for (const h of history) {
      const id = h.fields.ref!.split(':')[1]!;
      const data = JSON.parse(h.fields.data!) as { interrupted?: boolean };
      per.set(id, [
        ...(per.get(id) ?? []),
        { no: Number(h.fields.attemptNo), code: Number(h.fields.code), interrupted: !!data.interrupted },
      ]);
    }
    for (const c of contacts.filter((x) => x.campaign === cid)) {
      const rec = per.get(c.id) ?? [];
      const fail = (msg: string) => {
        problems++;
        if (problems <= 20) t.fail(`${cid}/${c.id} (digit ${c.digit}): ${msg}: ${JSON.stringify(rec)}`);
      };
      if (rec.length === 0) {
        fail('lost: no attempt at all');
        continue;
      }
      if (rec.map((r) => r.no).join(',') !== rec.map((_, k) => k + 1).join(',')) fail('attempt numbers are not 1..n once each');
      for (const r of rec) if (!r.interrupted && r.code !== EXPECTED[c.digit]) fail(`code ${r.code} where ${EXPECTED[c.digit]} was due`);
      interrupted += rec.filter((r) => r.interrupted).length;
      const last = rec[rec.length - 1]!;
      if (!FINAL.has(last.code) && rec.length < MAX_ATTEMPTS) fail('stopped before its attempts were used although its result retries');
      if (rec.length > MAX_ATTEMPTS) fail('more attempts than allowed');
      const national = c.number.replace(/-/g, '').slice(1);
      const dialled = [...callIdsByNumber.entries()].filter(([num]) => num.endsWith(national)).reduce((a, [, s]) => a + s.size, 0);
      if (dialled > rec.length) fail(`dialled ${dialled} times for ${rec.length} attempts`);
    }
    const counters = await new DialQueue(redis, cid).counters();
    t.equal(counters.remaining, 0, `${cid}: nothing left in flight or queued`);
    t.equal(counters.attempts, history.length, `${cid}: counters agree with the history`);
  }
  t.equal(problems, 0, `every contact is whole (${attempts} attempts, ${interrupted} closed as interrupted by the kill)`);
  t.ok(interrupted >= 1 || inflightAtKill === 0, 'calls in flight on the killed dialer were closed as interrupted');

  // The trunk's calls per second, as the carrier saw them.
  const times = [...firstSeen.values()].sort((a, b) => a - b);
  t.equal(
    times.length,
    [...callIdsByNumber.values()].reduce((a, s) => a + s.size, 0),
  );
  t.ok(times.length >= attempts - interrupted, `the carrier saw ${times.length} INVITEs for ${attempts} attempts`);
  let worst = 0;
  for (let i = 0, j = 0; i < times.length; i++) {
    while (times[j]! <= times[i]! - 1000) j++;
    worst = Math.max(worst, i - j + 1);
  }
  t.ok(worst <= TRUNK_CPS, `at most ${TRUNK_CPS} new INVITEs in any second at the carrier (worst ${worst})`);
  t.ok(worst >= TRUNK_CPS - 3, 'and the limit was actually the bottleneck');
  t.comment(`run took ${Math.round((Date.now() - started) / 1000)} s`);
});
