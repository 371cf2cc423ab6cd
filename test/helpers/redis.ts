import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { createRedis, startEmbeddedRedis, type EmbeddedRedis } from '../../lib/store';

interface Teardown {
  teardown(fn: () => unknown): void;
}

/**
 * Starts a real redis-server on a free loopback port for one test file (no
 * persistence), and a client with the project's scripts. Stopped at teardown.
 */
export async function startTestRedis(t: Teardown, keyPrefix = 'test:'): Promise<{ redis: Redis; server: EmbeddedRedis; url: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'dialer-redis-'));
  const server = await startEmbeddedRedis({ dataDir: dir, persist: false });
  const redis = createRedis({ url: server.url, keyPrefix });
  t.teardown(async () => {
    redis.disconnect();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  return { redis, server, url: server.url };
}
