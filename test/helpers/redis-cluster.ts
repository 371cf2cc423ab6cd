import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { startRedisCluster, type RedisClusterHandle } from '../../lib/store/redis-cluster';
import { createStoreClient } from '../../lib/store/topology';

interface Teardown {
  teardown(fn: () => unknown): void;
}

/**
 * A real Redis Cluster (3 masters + 3 replicas) on free loopback ports for one
 * test file, and a cluster client with the project's scripts. Stopped at teardown.
 */
export async function startTestCluster(
  t: Teardown,
  keyPrefix = 'test:',
): Promise<{ cluster: RedisClusterHandle; redis: Redis; client(prefix?: string, name?: string): Redis }> {
  const dir = mkdtempSync(join(tmpdir(), 'dialer-cluster-'));
  const cluster = await startRedisCluster({ dataDir: dir });
  const clients: Redis[] = [];
  const client = (prefix = keyPrefix, name = 'test') => {
    const c = createStoreClient({ cluster: cluster.seeds, keyPrefix: prefix, connectionName: name });
    clients.push(c);
    return c;
  };
  const redis = client();
  t.teardown(async () => {
    clients.forEach((c) => c.disconnect());
    await cluster.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  return { cluster, redis, client };
}
