/**
 * Scale-out under faults: three dialer processes share a Redis Cluster
 * (3 masters + 3 replicas on loopback) and one SIPp carrier whose trunk
 * allows TRUNK_CPS calls per second and TRUNK_CHANNELS channels in total.
 * Six campaigns (510 contacts) are spread two per process: an agentless one
 * and a progressive one whose people are bridged to agents. Each process has
 * its own SIPp agent phones, logged in through that process's API; the test
 * acts as the agents through the APIs (hang up, disposition), books callbacks
 * through a process other than the one dialling them, and receives the
 * `call.ended` webhooks the processes deliver. Mid-run the harness SIGKILLs
 * one dialer, fails one Redis master over to its replica by command and then
 * SIGKILLs another master. Afterwards: every contact has exactly its expected
 * attempts, each with one result; no number got more INVITEs than attempts
 * (SIPp's message trace); the carrier never saw more than TRUNK_CPS new
 * INVITEs in any second; no agent was bridged to two calls at once; every
 * callback was dialled once and has its result; every recorded event reached
 * the webhook receiver (at least once, duplicates carrying the same event id);
 * the dead dialer's campaigns were taken over and its calls in flight closed
 * once with the interrupted code.
 * FAULT_LOG=/tmp/x writes each dialer's log (level info, or FAULT_LOG_LEVEL) to /tmp/x-<dialer>.log and SIPp's
 * carrier trace to /tmp/x-carrier.log.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:http';
import { mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import t from 'tap';
import { writeWav } from '../../../lib/media/audio-file';
import { makeAgents } from '../../../lib/demo/store-setup';
import { ownerOf, liveMembers } from '../../../lib/scale/spread';
import { getCallback } from '../../../lib/store/callbacks';
import { getCampaign } from '../../../lib/store/campaigns';
import { DialQueue } from '../../../lib/store/dial-queue';
import { freePort } from '../../../lib/store';
import { keys } from '../../../lib/store/keys';
import { readLog } from '../../../lib/notify/webhooks/log';
import { startSipp, type Sipp } from '../../../lib/telephony/testing/sipp';
import { makeList, runCampaign, runnerConfig } from '../../helpers/campaign-env';
import { startTestCluster } from '../../helpers/redis-cluster';

const ROOT = resolve(__dirname, '../../..');
const PREFIX = 'scale:';
const KEY = 'scale-test-admin-key-0000';
// What each last digit ends with: agentless (recorded message) and with agents (sipp-scenarios/README.md).
const AGENTLESS: Record<number, number> = { 0: 1, 1: 4, 2: 5, 3: 3, 4: 2, 5: 6, 6: 13, 7: 7, 8: 9, 9: 8 };
const WITH_AGENTS: Record<number, number> = { ...AGENTLESS, 0: 20 };
const FINAL = new Set([1, 5, 6, 20]); // results that do not retry by default (as in test/e2e/campaign/crash.test.ts)
const MAX_ATTEMPTS = 2;
const INTERRUPTED = 13;
const TRUNK_CPS = 12;
const TRUNK_CHANNELS = 24;
const DIALERS = ['dialer-1', 'dialer-2', 'dialer-3'];
const PER_AGENTLESS = 140;
const PER_DESK = 30;
const AGENTS_PER_DIALER = 2;
const CALLBACKS_PER_DESK = 4;

/** Campaign ids that rendezvous hashing gives one to each dialer (equal capacities). */
function campaignIds(prefix: string): string[] {
  const members = DIALERS.map((owner) => ({ owner, capacity: 2000, activeLegs: 0, healthy: true, campaigns: 0 }));
  const out: string[] = [];
  for (const d of DIALERS) {
    for (let i = 0; ; i++) {
      if (ownerOf(`${prefix}-${i}`, members) === d && !out.includes(`${prefix}-${i}`)) {
        out.push(`${prefix}-${i}`);
        break;
      }
    }
  }
  return out;
}

const national = (n: string) => n.replace(/\D/g, '').replace(/^81/, '').replace(/^0/, '');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

t.test(
  '3 dialers with agents on a 3+3 Redis Cluster survive a SIGKILL, a master failover and a killed master',
  {
    // Runs by default: each earlier failure had a cause, found and fixed (README "Scaling out", Tests). A failure
    // message names each attempt's times from the start, to set beside the faults' times printed at the end.
    // 280 s (tap's file timeout is 300): start-up alone took 13-43 s at load 36-45 on the shared 2 cores, and the
    // campaigns' own time is bounded below (dialDeadline).
    timeout: 280000,
  },
  async (t) => {
    const started = Date.now();
    // Where the run's time goes, for a slow run set beside its 180 s bound (one took 165 s at load 30, 162 s at 38).
    const phase = (what: string) => t.comment(`${what} at ${((Date.now() - started) / 1000).toFixed(1)} s`);
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

    // Agents: AGENTS_PER_DIALER SIPp phones per dialer process, all in one group.
    const agents: { id: string; dialer: string; phone: Sipp }[] = [];
    for (const d of DIALERS)
      for (let k = 1; k <= AGENTS_PER_DIALER; k++)
        agents.push({
          id: `${d.replace('dialer-', 'd')}a${k}`,
          dialer: d,
          phone: await startSipp({ scenario: 'agent-phone', calls: 1000, timeoutS: 300 }),
        });
    t.teardown(() => Promise.all(agents.map((a) => a.phone.stop())));
    await makeAgents(
      redis,
      'sales',
      agents.map((a) => ({ id: a.id, address: a.phone.address })),
    );

    // The webhook receiver: every POST recorded with its event id.
    const received: { eventId: string; type: string; attemptId?: string }[] = [];
    const hooks = createServer((req, res) => {
      let body = '';
      req.on('data', (b: Buffer) => (body += b.toString()));
      req.on('end', () => {
        const e = JSON.parse(body) as { id: string; type: string; data: { attemptId?: string } };
        received.push({ eventId: String(req.headers['x-dialer-event-id']), type: e.type, attemptId: e.data.attemptId });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => hooks.listen(0, '127.0.0.1', r));
    t.teardown(() => new Promise<void>((r) => hooks.close(() => r())));
    const hooksPort = (hooks.address() as { port: number }).port;

    const procs = new Map<string, ChildProcess>();
    const apiPort = new Map<string, number>();
    /** Restarts after losing the race for a free port (another test process bound it between freePort and listen). */
    const portRaces = new Map<string, number>();
    const startDialer = async (owner: string): Promise<void> => {
      const cfgFile = join(dir, `${owner}.json`);
      const port = await freePort();
      apiPort.set(owner, port);
      writeFileSync(
        cfgFile,
        JSON.stringify({
          api: { port, keys: [{ key: KEY, role: 'admin' }] },
          redis: { cluster: cluster.seeds, keyPrefix: PREFIX },
          log: { level: process.env.FAULT_LOG ? (process.env.FAULT_LOG_LEVEL ?? 'info') : 'warn' },
          telephony: {
            embedded: { sip: { host: '127.0.0.1', port: 0 } },
            trunks: [{ name: 'carrier', address: carrier.address, callsPerSecond: TRUNK_CPS, maxChannels: TRUNK_CHANNELS }],
          },
          media: { amd: { silenceTimeoutMs: 2500 } },
          dialer: {
            runner: runnerConfig({
              ownerId: owner,
              campaignLeaseMs: 2000,
              attemptLeaseMs: 4000,
              interruptedCode: INTERRUPTED,
              // the limit ranks running campaigns over all processes (default 5): all six run at once
              runningCampaignLimit: 10,
            }),
            prompts: { dir: join(dir, 'prompts') },
          },
          // cpsGuardMs 500 (default 100): the dialer sends within half the guard of each admission (checked at the
          // wire, SharedLimits.ready); the other half is the carrier's own timing. Here the carrier is SIPp on 2 shared
          // cores at a load average of 20–30: its trace stamped INVITEs up to 144 ms after the dialer logged them
          // sent (p99 35 ms, one measured run), and with 300 one run of four saw 13 in one second.
          scale: { beatMs: 500, memberTtlMs: 2000, cpsGuardMs: 500 },
        }),
      );
      // node itself with tsx's loader: SIGKILL must hit the dialer, not a wrapper that would orphan it.
      const loader = pathToFileURL(join(ROOT, 'node_modules/tsx/dist/loader.mjs')).href;
      const child = spawn(process.execPath, ['--import', loader, join(ROOT, 'app/server.ts')], {
        cwd: dir,
        env: { ...process.env, DIALER_CONFIG: cfgFile },
        stdio: ['ignore', process.env.FAULT_LOG ? openSync(`${process.env.FAULT_LOG}-${owner}.log`, 'w') : 'ignore', 'pipe'],
      });
      let err = '';
      child.stderr!.on('data', (b: Buffer) => (err = (err + b.toString()).slice(-4000)));
      child.on('exit', (code, sig) => {
        if (sig !== 'SIGKILL' && code !== 0) t.comment(`${owner} exited ${code}: ${err}`);
        const races = portRaces.get(owner) ?? 0;
        if (code === 1 && /api\.port .*EADDRINUSE/.test(err) && races < 3 && procs.get(owner) === child) {
          portRaces.set(owner, races + 1);
          t.comment(`${owner}: its API port was taken meanwhile; started again on another`);
          void startDialer(owner);
        }
      });
      procs.set(owner, child);
    };
    t.teardown(() => procs.forEach((p) => p.kill('SIGKILL')));
    for (const d of DIALERS) await startDialer(d);

    /** The API of one dialer process. */
    const api = async (dialer: string, method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown }> => {
      const res = await fetch(`http://127.0.0.1:${apiPort.get(dialer)}${path}`, {
        method,
        headers: { authorization: `Bearer ${KEY}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(10000),
      });
      const text = await res.text();
      return { status: res.status, json: text ? JSON.parse(text) : undefined };
    };

    // All three up and in the registry before there is work to spread (three processes compile and start on a busy machine).
    const upBy = Date.now() + 60000;
    let members = await liveMembers(redis);
    while (members.length < DIALERS.length && Date.now() < upBy) {
      await sleep(250);
      members = await liveMembers(redis);
    }
    phase('three dialers advertised');
    t.same(members.map((m) => m.owner).sort(), DIALERS, `all three advertise themselves (${JSON.stringify(members)})`);
    t.ok(
      members.every((m) => m.capacity > 0 && m.healthy),
      'with capacity and health',
    );
    for (const d of DIALERS) {
      for (let i = 0; ; i++) {
        const ok = await api(d, 'GET', '/health').then(
          (r) => r.status < 500,
          () => false,
        );
        if (ok) break;
        if (i > 200) throw new Error(`${d}'s API is not up`);
        await sleep(250);
      }
    }

    // A webhook subscription made through one process; every process appends its own events and any may deliver.
    const sub = await api('dialer-3', 'POST', '/webhooks', { url: `http://127.0.0.1:${hooksPort}/hook`, events: ['call.ended'] });
    t.equal(sub.status, 201, 'webhook subscription created');

    // Each agent logs in through its own dialer's API; the dialer calls the agent's SIPp phone.
    for (const a of agents) t.equal((await api(a.dialer, 'POST', `/agents/${a.id}/login`)).status, 202, `${a.id} logs in on ${a.dialer}`);
    const readyBy = Date.now() + 30000;
    for (const a of agents) {
      for (;;) {
        const live = (await api(a.dialer, 'GET', `/agents/${a.id}/live`)).json as { state?: string } | undefined;
        if (live?.state === 'ready') break;
        // What it was instead (a fresh-clone run once failed here with no more than the agent's name).
        if (Date.now() > readyBy) throw new Error(`${a.id} not ready 30 s after its login: ${JSON.stringify(live)}`.slice(0, 380));
        await sleep(200);
      }
    }
    t.pass(`${agents.length} agents ready on ${DIALERS.length} processes`);
    phase('agents ready');
    // Campaigns with agents are placed where their agents are logged in, as each process advertises them in the
    // registry (lib/scale/placement.ts): the spread expected below needs every process's agents advertised first.
    const advertisedBy = Date.now() + 30000;
    const advertised = async () =>
      (await liveMembers(redis)).filter((m) => m.agents?.sales === AGENTS_PER_DIALER).length === DIALERS.length;
    while (!(await advertised()) && Date.now() < advertisedBy) await sleep(200);
    t.ok(await advertised(), `every process advertises its ${AGENTS_PER_DIALER} logged-in agents`);

    // The test acts as the agents, through their dialers' APIs: talk a moment, hang up, disposition, continue.
    let stopAgents = false;
    const dead = new Set<string>();
    const talked = new Map<string, string[]>();
    const agentLoop = async (a: (typeof agents)[number]): Promise<void> => {
      while (!stopAgents && !dead.has(a.dialer)) {
        try {
          const live = (await api(a.dialer, 'GET', `/agents/${a.id}/live`)).json as { state: string; call?: { attemptId: string } };
          if (live.state === 'talking' && live.call) {
            (talked.get(a.id) ?? talked.set(a.id, []).get(a.id)!).push(live.call.attemptId);
            await sleep(300);
            await api(a.dialer, 'POST', `/agents/${a.id}/call/hangup`);
          } else if (live.state === 'wrap_up') {
            await api(a.dialer, 'POST', `/agents/${a.id}/disposition`, {
              next: 'continue',
              ...(live.call ? { attemptId: live.call.attemptId } : {}),
            });
          }
        } catch {
          // the dialer is being killed, or slow: try again
        }
        await sleep(150);
      }
    };
    const loops = agents.map((a) => agentLoop(a));

    // Campaigns: an agentless and a progressive one per process.
    const quiet = campaignIds('scale');
    const desks = campaignIds('desk');
    const ids = [...quiet, ...desks];
    const contacts: { campaign: string; id: string; digit: number; number: string }[] = [];
    // Agentless: mostly people (one attempt), the rest of the carrier's behaviours; with agents: people and a few that retry.
    const quietPattern = [0, 0, 0, 0, 1, 2, 5, 6, 8, 0];
    const deskPattern = [0, 0, 3, 0, 8, 0, 0, 1, 0, 0];
    // The ring timeout outlasts every far end's own time to its final answer here (the longest: digit 5, a SIT and
    // announcement for 4 s, then 404), so each result is the far end's, never a race between the ring timer and the
    // SIT detector: at 2 s a SIT recognised after about 1.1 s of tones left 0.9 s for the carrier's and the dialer's
    // scheduling on a loaded host. No number here rings unanswered (digit 4), so the run is no longer for it.
    const RING_TIMEOUT_SEC = 6;
    let serial = 0;
    for (const [k, cid] of ids.entries()) {
      const isDesk = k >= quiet.length;
      const n = isDesk ? PER_DESK : PER_AGENTLESS;
      const pattern = isDesk ? deskPattern : quietPattern;
      const digits = Array.from({ length: n }, (_, i) => pattern[i % pattern.length]!);
      // Distinct numbers across the lists.
      const numbers = digits.map((d) => `0312${String(serial++).padStart(5, '0')}${d}`.replace(/^(\d{2})(\d{4})(\d{4})$/, '$1-$2-$3'));
      const listId = `L${k}`;
      await makeList(redis, listId, numbers);
      digits.forEach((d, i) => contacts.push({ campaign: cid, id: `c${i}`, digit: d, number: numbers[i]! }));
      await runCampaign(
        redis,
        cid,
        listId,
        isDesk
          ? {
              mode: 'progressive',
              agentGroups: ['sales'],
              ringTimeoutSec: RING_TIMEOUT_SEC,
              maxAttempts: MAX_ATTEMPTS,
              retryIntervalSec: 1,
            }
          : {
              mode: 'agentless',
              agentless: { message },
              maxConcurrentCalls: 0,
              ringTimeoutSec: RING_TIMEOUT_SEC,
              maxAttempts: MAX_ATTEMPTS,
              retryIntervalSec: 1,
            },
      );
    }
    t.equal(new Set(contacts.map((c) => c.number)).size, contacts.length, `${contacts.length} distinct numbers`);
    t.ok(contacts.length >= 500, 'at least 500 contacts');

    // Spread: at one moment each process holds one campaign of each kind (bounded loads, lib/scale/placement.ts). Not
    // necessarily the ones rendezvous hashing alone gives it: each process places the campaigns from its own view of
    // the registry, which can differ for a moment just after start-up on a loaded host, and a holder keeps a campaign
    // while within its share (one run at load 25: dialer-3 took desk-0 and desk-2, handed desk-2 to dialer-2 300 ms
    // later and kept desk-0, an equally balanced placement). A short campaign may finish and release its lease early.
    const leaseOf = async (cid: string) => redis.get(keys.campaign(cid, 'runner-lease'));
    const spreadBy = Date.now() + 60000;
    const seen = new Map<string, string[]>(ids.map((id) => [id, []]));
    let holders: (string | null)[] = [];
    const balanced = () =>
      DIALERS.every(
        (d) =>
          quiet.filter((_, k) => holders[k] === d).length === 1 && desks.filter((_, k) => holders[quiet.length + k] === d).length === 1,
      );
    for (;;) {
      holders = await Promise.all(ids.map(leaseOf));
      holders.forEach((h, i) => {
        const list = seen.get(ids[i]!)!;
        if (h && list[list.length - 1] !== h) list.push(h);
      });
      if (balanced() || Date.now() > spreadBy) break;
      await sleep(100);
    }
    const path = ids.map((id) => `${id}: ${seen.get(id)!.join(' → ') || 'none'}`).join(', ');
    phase('campaigns running and spread');
    const spreadAt = Date.now();
    t.ok(balanced(), `two campaigns per dialer process, one of each kind (${path})`);
    const holderOf = new Map(ids.map((id, i) => [id, holders[i] ?? '']));

    // Callbacks promised through a process other than the one dialling them, due around the faults.
    const callbacks: { campaign: string; id: string; number: string }[] = [];
    for (const cid of desks) {
      const via = DIALERS[(DIALERS.indexOf(holderOf.get(cid)!) + 1) % DIALERS.length]!;
      for (let j = 0; j < CALLBACKS_PER_DESK; j++) {
        const number = `+81312${String(90000 + serial++).padStart(5, '0')}0`;
        const r = await api(via, 'POST', `/campaigns/${cid}/callbacks`, {
          phone: number,
          dueAt: new Date(Date.now() + 4000 + j * 3000).toISOString(),
          note: `promised via ${via}`,
        });
        t.equal(r.status, 201, `callback ${j} booked for ${cid} through ${via}`);
        callbacks.push({ campaign: cid, id: (r.json as { id: string }).id, number });
      }
    }

    // Faults: SIGKILL the second dialer while it has calls up, then fail over one master and kill another.
    // Not before 6 s of dialling, and once a call of the victim's own agents has ended with its bridge recorded
    // (bounded): on an idle host its first people may not have answered yet at 6 s, and "agents on every process
    // talked" below counts recorded bridges (a call still up at the kill is closed as interrupted, without one; one
    // run killed the victim during its agents' first call).
    const victim = 'dialer-2';
    const killNotBefore = Date.now() + 6000;
    const killBy = Date.now() + 30000;
    const victimCampaigns = ids.filter((id) => holderOf.get(id) === victim);
    const victimAgents = new Set(agents.filter((a) => a.dialer === victim).map((a) => a.id));
    const victimTalked = async () => {
      for (const cid of victimCampaigns) {
        for (const h of await new DialQueue(redis, cid).history().catch(() => [])) {
          const data = JSON.parse(h.fields.data ?? '{}') as { agentId?: string; bridgedAt?: number };
          if (data.agentId && victimAgents.has(data.agentId) && data.bridgedAt) return true;
        }
      }
      return false;
    };
    const victimHolds = async () => (await Promise.all(victimCampaigns.map(leaseOf))).every((h) => h === victim);
    while (Date.now() < killNotBefore || ((!(await victimTalked()) || !(await victimHolds())) && Date.now() < killBy)) await sleep(200);
    t.ok(await victimHolds(), `${victim} holds ${victimCampaigns.join(' and ')} when it is killed`);
    const inflightAtKill = (await Promise.all(victimCampaigns.map((c) => new DialQueue(redis, c).inflightCount()))).reduce(
      (a, b) => a + b,
      0,
    );
    dead.add(victim);
    procs.get(victim)!.kill('SIGKILL');
    const killedAt = Date.now();
    let taken: (string | null)[] = [];
    while (Date.now() - killedAt < 20000) {
      taken = await Promise.all(victimCampaigns.map(leaseOf)).catch(() => []);
      if (taken.every((h) => h && h !== victim)) break;
      await sleep(100);
    }
    const takeoverMs = Date.now() - killedAt;
    t.ok(
      taken.every((h) => h && h !== victim),
      `${victimCampaigns.join(', ')} taken over by ${taken.join(', ')} ${takeoverMs} ms after the kill (${inflightAtKill} attempts were in flight)`,
    );
    t.ok(takeoverMs < 8000, 'within seconds (lease 2 s, registry ttl 2 s)');

    const master = await cluster.masterOf(`${PREFIX}${keys.campaign(quiet[2]!, 'queue')}`);
    const failoverAt = Date.now();
    const promoted = await cluster.failover(master);
    t.not(promoted, master, `master :${master} failed over to :${promoted} (CLUSTER FAILOVER)`);

    // Then a master dies outright (SIGKILL): the one holding agents, ready queues and the webhook log ({g}) unless that is the one just promoted.
    // First the failover is over on every node: each names the promoted replica a master and the old master its
    // replica, whose replication link is up again. Before that the master picked below may be read from a node
    // still holding the old view (a replica killed, not a master), and the two faults would overlap. Bounded.
    const failoverSettled = async (): Promise<boolean> => {
      const promotedId = (await cluster.cli(promoted, 'CLUSTER', 'MYID')).trim();
      for (const n of cluster.nodes.filter((x) => x.proc.exitCode === null && x.proc.signalCode === null)) {
        if (!(await cluster.cli(n.port, 'CLUSTER', 'INFO')).includes('cluster_state:ok')) return false;
        // <id> <ip:port@bus> <flags> <master id> …
        const rows = (await cluster.cli(n.port, 'CLUSTER', 'NODES'))
          .trim()
          .split('\n')
          .map((l) => l.split(' '));
        const row = (port: number) => rows.find((f) => f[1]?.includes(`:${port}@`));
        const [p, m] = [row(promoted), row(master)];
        if (!p?.[2]?.includes('master') || p[2].includes('fail')) return false;
        if (!m?.[2]?.includes('slave') || m[3] !== promotedId) return false;
      }
      return (await cluster.cli(master, 'INFO', 'replication')).includes('master_link_status:up');
    };
    const settleEnd = Date.now() + 30000;
    let settled = false;
    while (!(settled = await failoverSettled().catch(() => false)) && Date.now() < settleEnd) await sleep(200);
    t.ok(
      settled,
      `every node sees :${promoted} as master and :${master} as its replica, in sync (${Date.now() - failoverAt} ms after the failover began)`,
    );
    let doomedKey = `${PREFIX}${keys.global('dialers')}`;
    let doomed = await cluster.masterOf(doomedKey);
    for (let i = 0; doomed === promoted; i++) {
      doomedKey = `${PREFIX}${keys.campaign(ids[i % ids.length]!, `probe-${i}`)}`;
      doomed = await cluster.masterOf(doomedKey);
    }
    cluster.kill(doomed);
    const doomedAt = Date.now();
    let successor = doomed;
    while (successor === doomed && Date.now() - doomedAt < 30000) {
      await sleep(200);
      successor = await cluster.masterOf(doomedKey).catch(() => doomed);
    }
    t.not(successor, doomed, `master :${doomed} SIGKILLed; its replica :${successor} promoted ${Date.now() - doomedAt} ms later`);
    await cluster.waitHealthy(30000);
    t.comment(`cluster healthy again ${Date.now() - doomedAt} ms after the kill`);

    // A bound on the campaigns' own time, from when they ran, not from the test's start: its 165 s from the start was
    // 13-43 s of start-up (three processes compiling, a cluster, phones) and then the dialling, which is bound by the
    // agents: the agentless campaigns (590 of the ~680 attempts) ended 65-89 s after the spread, the agent ones 96-130 s
    // (load 36-42; after the SIGKILL four agents serve three agent campaigns, about 7 s a call each at that load).
    // Ends before the test's timeout so that the campaigns' and agents' states are printed if it is reached.
    const end = Math.min(spreadAt + 200000, started + 265000);
    // The test's own reads ride out the moments the cluster is down too.
    const states = async () =>
      Promise.all(ids.map(async (id) => (await getCampaign(redis, id))!.state)).catch(() => ids.map(() => 'unknown'));
    const completedAt = new Map<string, number>();
    for (;;) {
      const now = await states();
      for (const [i, st] of now.entries())
        if (st === 'completed' && !completedAt.has(ids[i]!)) completedAt.set(ids[i]!, Date.now() - started);
      if (now.every((st) => st === 'completed') || Date.now() >= end) break;
      await sleep(500);
    }
    phase(`campaigns ended (${ids.map((id) => `${id} ${((completedAt.get(id) ?? NaN) / 1000).toFixed(1)} s`).join(', ')})`);
    t.same(
      await states(),
      ids.map(() => 'completed'),
      'every campaign completed',
    );
    if ((await states()).some((st) => st !== 'completed')) {
      for (const id of ids) t.comment(`${id}: ${JSON.stringify((await api('dialer-1', 'GET', `/campaigns/${id}`)).json)}`);
      for (const a of agents)
        if (!dead.has(a.dialer)) t.comment(`${a.id}: ${JSON.stringify((await api(a.dialer, 'GET', `/agents/${a.id}/live`)).json)}`);
    }
    stopAgents = true;
    await Promise.all(loops);

    // Every contact whole.
    const text = readFileSync(trace, 'utf8');
    if (process.env.FAULT_LOG) writeFileSync(`${process.env.FAULT_LOG}-carrier.log`, text);
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
    const dialled = (number: string) =>
      [...callIdsByNumber.entries()].filter(([num]) => num.endsWith(national(number))).reduce((a, [, s]) => a + s.size, 0);
    let problems = 0;
    let interrupted = 0;
    let attempts = 0;
    const allAttempts: string[] = [];
    const bridges = new Map<string, { at: number; end: number; attemptId: string }[]>();
    const cbRecords = new Map<string, { code: number; attemptId: string }[]>();
    for (const cid of ids) {
      const expected = desks.includes(cid) ? WITH_AGENTS : AGENTLESS;
      const history = await new DialQueue(redis, cid).history();
      const attemptIds = history.map((h) => h.fields.attemptId!);
      allAttempts.push(...attemptIds.map((a) => `${cid}/${a}`)); // attempt ids are unique within a campaign
      t.equal(new Set(attemptIds).size, attemptIds.length, `${cid}: no attempt has two results`);
      attempts += history.length;
      // `ms`: the attempt's start, answer, person verdict and end, in ms from the test's start (to set beside the faults' times).
      const per = new Map<string, { no: number; code: number; interrupted: boolean; ms: (number | null)[] }[]>();
      for (const h of history) {
        const data = JSON.parse(h.fields.data!) as {
          interrupted?: boolean;
          agentId?: string;
          bridgedAt?: number;
          endedAt?: number;
          startedAt?: number;
          answeredAt?: number;
          personAt?: number;
        };
        if (data.agentId && data.bridgedAt && data.endedAt)
          (bridges.get(data.agentId) ?? bridges.set(data.agentId, []).get(data.agentId)!).push({
            at: data.bridgedAt,
            end: data.endedAt,
            attemptId: h.fields.attemptId!,
          });
        const ref = h.fields.ref!;
        if (ref.startsWith('cb:')) {
          const cbId = ref.slice(3).split('@')[0]!;
          (cbRecords.get(cbId) ?? cbRecords.set(cbId, []).get(cbId)!).push({ code: Number(h.fields.code), attemptId: h.fields.attemptId! });
          continue;
        }
        const id = ref.split(':')[1]!;
        per.set(id, [
          ...(per.get(id) ?? []),
          {
            no: Number(h.fields.attemptNo),
            code: Number(h.fields.code),
            interrupted: !!data.interrupted,
            ms: [data.startedAt, data.answeredAt, data.personAt, data.endedAt].map((x) => (x ? x - started : null)),
          },
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
        for (const r of rec) if (!r.interrupted && r.code !== expected[c.digit]) fail(`code ${r.code} where ${expected[c.digit]} was due`);
        interrupted += rec.filter((r) => r.interrupted).length;
        const last = rec[rec.length - 1]!;
        if (!FINAL.has(last.code) && rec.length < MAX_ATTEMPTS) fail('stopped before its attempts were used although its result retries');
        if (rec.length > MAX_ATTEMPTS) fail('more attempts than allowed');
        const n = dialled(c.number);
        if (n > rec.length) fail(`dialled ${n} times for ${rec.length} attempts`);
      }
      const counters = await new DialQueue(redis, cid).counters();
      t.equal(counters.remaining, 0, `${cid}: nothing left in flight or queued`);
      t.equal(counters.attempts, history.length, `${cid}: counters agree with the history`);
    }
    t.equal(problems, 0, `every contact is whole (${attempts} attempts, ${interrupted} closed as interrupted by the kill)`);
    t.ok(interrupted >= 1 || inflightAtKill === 0, 'calls in flight on the killed dialer were closed as interrupted');

    // Agents: bridged to one call at a time each, on every process.
    let overlaps = 0;
    let bridged = 0;
    for (const [agentId, list] of bridges) {
      list.sort((a, b) => a.at - b.at);
      bridged += list.length;
      for (let i = 1; i < list.length; i++)
        if (list[i]!.at < list[i - 1]!.end) {
          overlaps++;
          t.fail(`${agentId} bridged to ${list[i]!.attemptId} while still on ${list[i - 1]!.attemptId}`);
        }
    }
    t.equal(overlaps, 0, `no agent was on two calls at once (${bridged} bridged calls)`);
    const servedBy = new Set(agents.filter((a) => (bridges.get(a.id)?.length ?? 0) > 0).map((a) => a.dialer));
    t.same([...servedBy].sort(), DIALERS, `agents on every process talked (${[...bridges].map(([a, l]) => `${a}:${l.length}`).join(' ')})`);
    const survivors = agents.filter((a) => a.dialer !== victim);
    t.ok(
      survivors.every((a) => (talked.get(a.id)?.length ?? 0) > 0),
      'every surviving agent was driven through its API',
    );

    // Callbacks: each dialled once, with its result; none lost.
    for (const cb of callbacks) {
      const recs = cbRecords.get(cb.id) ?? [];
      const stored = await getCallback(redis, cb.campaign, cb.id);
      t.equal(recs.length, 1, `callback ${cb.id} (${cb.campaign}) has one attempt (${JSON.stringify(recs)})`);
      t.match(
        stored,
        { state: 'done', attemptId: recs[0]?.attemptId, resultCode: recs[0]?.code },
        `callback ${cb.id} is done with that result`,
      );
      t.ok(dialled(cb.number) <= 1, `callback ${cb.id}'s number reached the carrier at most once (${dialled(cb.number)})`);
    }

    // Webhooks: every recorded call.ended reached the receiver, at least once; a repeat carries the same event id.
    const logged = (await readLog(redis, '0-0', 100000)).filter((e) => e.type === 'call.ended');
    const loggedIds = new Set(logged.map((e) => e.id));
    const deliveredBy = Date.now() + 40000;
    const missing = () => [...loggedIds].filter((id) => !received.some((r) => r.eventId === id));
    while (missing().length > 0 && Date.now() < deliveredBy) await sleep(250);
    t.same(missing(), [], `every logged call.ended event was delivered (${loggedIds.size} events)`);
    const byEvent = new Map<string, number>();
    for (const r of received) byEvent.set(r.eventId, (byEvent.get(r.eventId) ?? 0) + 1);
    const repeats = [...byEvent.values()].filter((n) => n > 1).length;
    t.ok(
      received.every((r) => loggedIds.has(r.eventId)),
      'nothing delivered that was not recorded',
    );
    const eventsPerAttempt = new Map<string, Set<string>>();
    for (const e of logged) {
      const a = `${e.campaignId}/${String(e.data.attemptId)}`;
      (eventsPerAttempt.get(a) ?? eventsPerAttempt.set(a, new Set()).get(a)!).add(e.id);
    }
    const noEvent = allAttempts.filter((a) => !eventsPerAttempt.has(a));
    const twoEvents = [...eventsPerAttempt.values()].filter((s) => s.size > 1).length;
    t.equal(twoEvents, 0, 'one call.ended event recorded per attempt');
    t.same(
      noEvent,
      [],
      `every attempt's call.ended was recorded (${received.length} deliveries, ${repeats} events delivered more than once)`,
    );

    // The trunk's calls per second, as the carrier saw them.
    const times = [...firstSeen.values()].sort((a, b) => a - b);
    t.equal(
      times.length,
      [...callIdsByNumber.values()].reduce((a, s) => a + s.size, 0),
    );
    t.ok(times.length >= attempts - interrupted, `the carrier saw ${times.length} INVITEs for ${attempts} attempts`);
    let worst = 0;
    let worstAt = 0;
    for (let i = 0, j = 0; i < times.length; i++) {
      while (times[j]! <= times[i]! - 1000) j++;
      if (i - j + 1 > worst) [worst, worstAt] = [i - j + 1, times[i]!];
    }
    t.comment(
      `busiest second ended ${worstAt - started} ms into the run (dialer killed at ${killedAt - started}, failover at ${failoverAt - started}, master killed at ${doomedAt - started})`,
    );
    t.ok(worst <= TRUNK_CPS, `at most ${TRUNK_CPS} new INVITEs in any second at the carrier (worst ${worst})`);
    t.ok(worst >= TRUNK_CPS - 3, 'and the limit was actually the bottleneck');
    t.comment(`run took ${Math.round((Date.now() - started) / 1000)} s`);
  },
);
