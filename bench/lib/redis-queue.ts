/**
 * What the Redis benches share: a throw-away redis-server with the project's
 * scripts, and a list of N generated contacts queued through the real
 * enqueue script (bench/claim.ts, bench/reports.ts).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { createRedis, startEmbeddedRedis } from '../../lib/store';
import { DialQueue } from '../../lib/store/dial-queue';

/** Runs `fn` against a fresh redis-server (no persistence, keys under `bench:`), stopped and removed after. */
export async function withBenchRedis<T>(name: string, fn: (redis: Redis) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), `bench-${name}-`));
  const server = await startEmbeddedRedis({ dataDir: dir, persist: false });
  const redis = createRedis({ url: server.url, keyPrefix: 'bench:' });
  try {
    return await fn(redis);
  } finally {
    redis.disconnect();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Queues n landline contacts k0…k(n-1) on list L of campaign `id`, 1,000 per call, contact i in zone `zoneOf(i)`. */
export async function fillQueue(redis: Redis, id: string, n: number, zoneOf: (i: number) => string): Promise<DialQueue> {
  const q = new DialQueue(redis, id);
  for (let i = 0; i < n; i += 1000) {
    await q.enqueue(
      'L',
      Array.from({ length: Math.min(1000, n - i) }, (_, j) => ({
        contactId: `k${i + j}`,
        phone: `+8131234${String(i + j).padStart(5, '0')}`,
        phoneType: 'landline',
        timeZone: zoneOf(i + j),
        score: i + j,
      })),
    );
  }
  return q;
}
