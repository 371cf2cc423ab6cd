/**
 * `npm run bench -- scale [contactsPerCampaign=100] [claimSeconds=5]`: the
 * same work with 1, 2 and 3 dialer processes against one Redis Cluster
 * (3 masters + 3 replicas on loopback) and against one redis-server:
 *  - claims/s: each process claims, begins and closes attempts of its own
 *    campaign as fast as it can (the store work of a call, no telephony);
 *  - calls/s: real dialer processes (app/server.ts, embedded driver) run
 *    three agentless campaigns against the SIPp carrier simulator; sustained
 *    calls per second from the first INVITE to the last result, with the
 *    dialers' and Redis' CPU time per call (these machines have 2 cores: the
 *    CPU per call is the figure that extrapolates to bigger ones).
 * Prints a JSON line per run and, last, one JSON line with all of them.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Redis } from 'ioredis';
import { writeWav } from '../lib/media/audio-file';
import { makeList, runCampaign } from '../lib/demo/store-setup';
import { runnerConfig } from '../lib/demo/loopback';
import { ownerOf, liveMembers } from '../lib/scale/spread';
import { freePort, startEmbeddedRedis } from '../lib/store';
import { getCampaign } from '../lib/store/campaigns';
import { DialQueue } from '../lib/store/dial-queue';
import { startRedisCluster } from '../lib/store/redis-cluster';
import { createStoreClient } from '../lib/store/topology';
import { startSipp } from '../lib/telephony/testing/sipp';

const ROOT = resolve(__dirname, '..');
const LOADER = pathToFileURL(join(ROOT, 'node_modules/tsx/dist/loader.mjs')).href;
const TICKS = 100; // USER_HZ on Linux

interface Target {
  topology: 'cluster' | 'single';
  cluster?: string[];
  url?: string;
  pids: () => number[];
}

/** CPU seconds used so far by these processes (utime + stime from /proc). */
function cpuSeconds(pids: readonly number[]): number {
  let ticks = 0;
  for (const pid of pids) {
    try {
      const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      ticks += Number(f[11]) + Number(f[12]);
    } catch {
      // process gone
    }
  }
  return ticks / TICKS;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Campaign ids that rendezvous hashing spreads evenly over these owners. */
function spreadIds(owners: readonly string[], count: number, tag: string): string[] {
  const members = owners.map((owner) => ({ owner, capacity: 2000, activeLegs: 0, healthy: true, campaigns: 0 }));
  const out: string[] = [];
  for (let k = 0, i = 0; out.length < count; i++) {
    const id = `${tag}-${i}`;
    if (ownerOf(id, members) === owners[k % owners.length]) {
      out.push(id);
      k++;
    }
  }
  return out;
}

export async function claimsRun(
  target: Target,
  n: number,
  seconds: number,
  tag: string,
): Promise<{ claimsPerSec: number; claimerCpuMsPerClaim: number; redisCpuMsPerClaim: number }> {
  const prefix = `${tag}:`;
  const redis = createStoreClient({ cluster: target.cluster, url: target.url, keyPrefix: prefix });
  const ids = Array.from({ length: n }, (_, i) => `claims-${i}`);
  const perCampaign = 40000;
  for (const id of ids) {
    const q = new DialQueue(redis, id);
    for (let b = 0; b < perCampaign; b += 2000) {
      await q.enqueue(
        'L',
        Array.from({ length: 2000 }, (_, i) => ({
          contactId: `k${b + i}`,
          phone: `+8131${String(b + i).padStart(7, '0')}`,
          phoneType: 'landline',
          timeZone: '',
          score: b + i,
        })),
      );
    }
  }
  const redisCpu0 = cpuSeconds(target.pids());
  const children = ids.map((campaignId) =>
    spawn(
      process.execPath,
      [
        '--import',
        LOADER,
        join(__dirname, 'scale/claimer.ts'),
        JSON.stringify({ cluster: target.cluster, url: target.url, prefix, campaignId, seconds }),
      ],
      { stdio: ['pipe', 'pipe', 'inherit'] },
    ),
  );
  const outs = await new Promise<{ claims: number; cpuMs: number; loopMs: number }[]>((res, rej) => {
    const results: { claims: number; cpuMs: number; loopMs: number }[] = [];
    const ready = new Set<ChildProcess>();
    for (const child of children) {
      let out = '';
      child.stdout!.on('data', (b: Buffer) => {
        out += b.toString();
        if (out.startsWith('ready\n') && !ready.has(child)) {
          ready.add(child);
          // Every claimer connected: start them all at once, so their loops overlap.
          if (ready.size === children.length) children.forEach((c) => c.stdin!.write('go\n'));
        }
      });
      child.once('exit', (code) => {
        if (code !== 0) return rej(new Error(`claimer exited ${code}`));
        results.push(JSON.parse(out.trim().split('\n').pop()!) as { claims: number; cpuMs: number; loopMs: number });
        if (results.length === children.length) res(results);
      });
    }
  });
  // Each claimer times its own loop (start-up excluded); they run side by side, so the rates add up.
  const claims = outs.reduce((a, o) => a + o.claims, 0);
  const rate = outs.reduce((a, o) => a + o.claims / (o.loopMs / 1000), 0);
  const redisCpu = cpuSeconds(target.pids()) - redisCpu0;
  redis.disconnect();
  return {
    claimsPerSec: Math.round(rate),
    claimerCpuMsPerClaim: round(outs.reduce((a, o) => a + o.cpuMs, 0) / claims, 3),
    redisCpuMsPerClaim: round((redisCpu * 1000) / claims, 3),
  };
}

const round = (x: number, d: number) => Math.round(x * 10 ** d) / 10 ** d;

async function callsRun(
  target: Target,
  n: number,
  o: { carrier: string; dir: string; message: string; contacts: number; tag: string },
): Promise<{ calls: number; seconds: number; callsPerSec: number; dialerCpuMsPerCall: number; redisCpuMsPerCall: number }> {
  const prefix = `${o.tag}:`;
  const redis: Redis = createStoreClient({ cluster: target.cluster, url: target.url, keyPrefix: prefix });
  const owners = Array.from({ length: n }, (_, i) => `${o.tag}-d${i + 1}`);
  const procs: ChildProcess[] = [];
  try {
    for (const owner of owners) {
      const cfg = join(o.dir, `${owner}.json`);
      writeFileSync(
        cfg,
        JSON.stringify({
          api: { port: await freePort(), keys: [{ key: 'bench-scale-admin-key-00000', role: 'admin' }] },
          redis: { cluster: target.cluster ?? [], url: target.url ?? '', keyPrefix: prefix },
          log: { level: 'error' },
          telephony: {
            embedded: { sip: { host: '127.0.0.1', port: 0 } },
            trunks: [{ name: 'carrier', address: o.carrier, callsPerSecond: 500, maxChannels: 1000 }],
          },
          media: { amd: { silenceTimeoutMs: 1500 } },
          dialer: { runner: runnerConfig({ ownerId: owner }), prompts: { dir: join(o.dir, 'prompts') } },
        }),
      );
      procs.push(
        spawn(process.execPath, ['--import', LOADER, join(ROOT, 'app/server.ts')], {
          cwd: o.dir,
          env: { ...process.env, DIALER_CONFIG: cfg },
          stdio: ['ignore', 'ignore', 'inherit'],
        }),
      );
    }
    const upBy = Date.now() + 90000;
    while ((await liveMembers(redis)).length < n) {
      if (Date.now() > upBy) throw new Error('dialers did not register');
      await sleep(250);
    }
    const ids = spreadIds(owners, 3, `${o.tag}-camp`);
    const digits = Array.from({ length: o.contacts }, () => 0);
    for (const [k, _id] of ids.entries()) {
      const numbers = digits.map((d, i) =>
        `0312${String(k * o.contacts + i).padStart(5, '0')}${d}`.replace(/^(\d{2})(\d{4})(\d{4})$/, '$1-$2-$3'),
      );
      await makeList(redis, `L${k}`, numbers);
    }
    const pids = () => procs.map((p) => p.pid!).filter(Boolean);
    const dialerCpu0 = cpuSeconds(pids());
    const redisCpu0 = cpuSeconds(target.pids());
    const t0 = Date.now();
    for (const [k, id] of ids.entries()) {
      await runCampaign(redis, id, `L${k}`, {
        mode: 'agentless',
        agentless: { message: o.message },
        maxConcurrentCalls: 25,
        ringTimeoutSec: 5,
        maxAttempts: 1,
      });
    }
    const end = Date.now() + 300000;
    while (Date.now() < end) {
      const states = await Promise.all(ids.map(async (id) => (await getCampaign(redis, id))?.state));
      if (states.every((s) => s === 'completed')) break;
      await sleep(200);
    }
    const seconds = (Date.now() - t0) / 1000;
    const dialerCpu = cpuSeconds(pids()) - dialerCpu0;
    const redisCpu = cpuSeconds(target.pids()) - redisCpu0;
    let calls = 0;
    for (const id of ids) calls += Number((await new DialQueue(redis, id).counters()).attempts ?? 0);
    return {
      calls,
      seconds: round(seconds, 1),
      callsPerSec: round(calls / seconds, 1),
      dialerCpuMsPerCall: round((dialerCpu * 1000) / calls, 1),
      redisCpuMsPerCall: round((redisCpu * 1000) / calls, 2),
    };
  } finally {
    for (const p of procs) p.kill('SIGTERM');
    await sleep(1500);
    for (const p of procs) p.kill('SIGKILL');
    redis.disconnect();
  }
}

export default async function main(args: string[]): Promise<void> {
  const contacts = Number(args[0] ?? 100);
  const claimSeconds = Number(args[1] ?? 5);
  const dir = mkdtempSync(join(tmpdir(), 'bench-scale-'));
  const cluster = await startRedisCluster({ dataDir: join(dir, 'cluster') });
  const single = await startEmbeddedRedis({ dataDir: join(dir, 'single'), persist: false });
  const carrier = await startSipp({
    scenario: 'carrier-simulator',
    calls: 1000000,
    timeoutS: 1800,
    keys: { hangup_ms: '300' },
    args: ['-max_recv_loops', '10000'],
  });
  const message = join(dir, 'message.wav');
  writeWav(
    message,
    new Int16Array(2400).map((_, i) => Math.round(6000 * Math.sin((2 * Math.PI * 440 * i) / 8000))),
  );
  const targets: Target[] = [
    { topology: 'cluster', cluster: cluster.seeds, pids: () => cluster.nodes.map((x) => x.pid) },
    { topology: 'single', url: single.url, pids: () => [single.pid] },
  ];
  const rows: Record<string, unknown>[] = [];
  try {
    for (const target of targets) {
      for (const n of [1, 2, 3]) {
        const tag = `${target.topology[0]}${n}`;
        const claims = await claimsRun(target, n, claimSeconds, `claims-${tag}`);
        const calls = await callsRun(target, n, { carrier: carrier.address, dir, message, contacts, tag: `calls-${tag}` });
        const row = { bench: 'scale', topology: target.topology, processes: n, ...claims, ...calls, loadavg1: round(loadavg()[0]!, 2) };
        rows.push(row);
        console.log(JSON.stringify(row));
      }
    }
  } finally {
    await carrier.stop().catch(() => undefined);
    await cluster.stop();
    await single.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(JSON.stringify({ bench: 'scale', cores: cpus().length, contactsPerCampaign: contacts, claimSeconds, runs: rows }));
}
