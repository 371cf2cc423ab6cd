/**
 * `npm run bench -- agents`: how fast the live-agent store reserves and
 * releases agents on a real redis-server it starts (no telephony). 500 agents
 * in 20 groups (each in 2), 16 concurrent "calls" looping reserve → release
 * over 3 random groups, the path every live answer takes. Prints per-op
 * latency and, last, a JSON line.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { createRedis, startEmbeddedRedis } from '../lib/store';
import { agentKeys, applyAgentChange, readyCount, reserveAgent } from '../lib/store/agent-live';

const AGENTS = 500;
const GROUPS = 20;
const WORKERS = 16;
const SECONDS = 5;

const pct = (xs: number[], p: number) => xs[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;

export default async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-agents-'));
  const server = await startEmbeddedRedis({ dataDir: dir, persist: false });
  const redis = createRedis({ url: server.url, keyPrefix: 'bench:' });
  try {
    const t0 = Date.now();
    for (let i = 0; i < AGENTS; i++) {
      const groups = [`g${i % GROUPS}`, `g${(i * 7 + 3) % GROUPS}`];
      await applyAgentChange(redis, `a${i}`, {
        expectVer: 0,
        queue: 'enqueue',
        live: 'add',
        set: { state: 'ready', since: t0 + i, readySince: t0 + i, groups: JSON.stringify([...new Set(groups)]), leg: `leg-${i}` },
      });
    }
    const reserveMs: number[] = [];
    const releaseMs: number[] = [];
    let misses = 0;
    const end = performance.now() + SECONDS * 1000;
    const worker = async (w: number) => {
      let n = w;
      while (performance.now() < end) {
        const groups = [`g${n++ % GROUPS}`, `g${(n * 3) % GROUPS}`, `g${(n * 11) % GROUPS}`];
        const a = performance.now();
        const r = await reserveAgent(redis, groups, { token: randomUUID(), attemptId: `att-${w}-${n}`, now: Date.now(), prefer: '' });
        reserveMs.push(performance.now() - a);
        if (!r) {
          misses++;
          continue;
        }
        // release: reserved → ready at the same place (what desk.release commits)
        const ver = Number(await redis.hget(agentKeys.agent(r.agentId), 'ver'));
        const b = performance.now();
        await applyAgentChange(redis, r.agentId, {
          expectVer: ver,
          queue: 'enqueue',
          set: { state: 'ready', since: Date.now() },
          del: ['token', 'attemptId'],
        });
        releaseMs.push(performance.now() - b);
      }
    };
    const started = performance.now();
    await Promise.all(Array.from({ length: WORKERS }, (_, w) => worker(w)));
    const secs = (performance.now() - started) / 1000;
    const ready = await readyCount(
      redis,
      Array.from({ length: GROUPS }, (_, g) => `g${g}`),
    );
    reserveMs.sort((x, y) => x - y);
    releaseMs.sort((x, y) => x - y);
    const out = {
      agents: AGENTS,
      groups: GROUPS,
      workers: WORKERS,
      seconds: Number(secs.toFixed(2)),
      reservationsPerSec: Math.round(reserveMs.length / secs),
      reserveP50Ms: Number(pct(reserveMs, 50).toFixed(3)),
      reserveP99Ms: Number(pct(reserveMs, 99).toFixed(3)),
      releaseP50Ms: Number(pct(releaseMs, 50).toFixed(3)),
      releaseP99Ms: Number(pct(releaseMs, 99).toFixed(3)),
      misses,
      readyAfter: ready,
    };
    console.log(
      `reserve: ${reserveMs.length} in ${secs.toFixed(1)} s, p50 ${out.reserveP50Ms} ms, p99 ${out.reserveP99Ms} ms; release p50 ${out.releaseP50Ms} ms; ready agents after: ${ready}/${AGENTS}`,
    );
    console.log(JSON.stringify(out));
  } finally {
    redis.disconnect();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
