/**
 * The store client for the configured Redis topology: one server (`url`),
 * Sentinel (`sentinels` + `masterName`: the client asks the sentinels for the
 * current master and follows a failover), or Redis Cluster (`cluster` seed
 * nodes: ioredis' Cluster client routes each command and script by its keys'
 * hash slot and follows MOVED/ASK after a failover or resharding).
 */
import { Cluster, Redis } from 'ioredis';
import { createRedis, defineScripts } from './client';

export interface TopologyOptions {
  url?: string;
  cluster?: readonly string[];
  sentinels?: readonly string[];
  masterName?: string;
  password?: string;
  keyPrefix?: string;
  connectionName?: string;
}

export type Topology = 'single' | 'sentinel' | 'cluster';

export function topologyOf(o: TopologyOptions): Topology {
  if (o.cluster && o.cluster.length > 0) return 'cluster';
  if (o.sentinels && o.sentinels.length > 0) return 'sentinel';
  return 'single';
}

const hostPort = (s: string) => {
  const i = s.lastIndexOf(':');
  return { host: s.slice(0, i), port: Number(s.slice(i + 1)) };
};

/**
 * A client with the project's scripts for the configured topology. The
 * cluster client is typed as `Redis`: the store modules use only commands
 * both share, every multi-key script and MULTI stays within one hash tag
 * (lib/store/keys.ts), and test/integration/scale/cluster.test.ts runs the
 * dialer's store paths against a real cluster to keep it that way.
 */
export function createStoreClient(o: TopologyOptions): Redis {
  const keyPrefix = o.keyPrefix ?? 'dialer:';
  const connectionName = o.connectionName ?? 'dialer';
  const password = o.password || undefined;
  switch (topologyOf(o)) {
    case 'cluster': {
      const cluster = new Cluster(o.cluster!.map(hostPort), {
        keyPrefix,
        // Off on a cluster: ioredis' auto-pipelining groups commands by node and
        // throws "All keys in the pipeline should belong to the same slots
        // allocation group" (uncaught, killing the process) when the slot map
        // changes under it, as in a failover (redis/ioredis#2075, #2109).
        enableAutoPipelining: false,
        // Commands wait through a failover (node timeout + election) instead of failing fast.
        retryDelayOnFailover: 200,
        retryDelayOnClusterDown: 300,
        retryDelayOnTryAgain: 200,
        maxRedirections: 32,
        slotsRefreshTimeout: 2000,
        redisOptions: { connectionName, password, maxRetriesPerRequest: 20 },
      });
      defineScripts(cluster as unknown as Redis);
      return cluster as unknown as Redis;
    }
    case 'sentinel': {
      const redis = new Redis({
        sentinels: o.sentinels!.map(hostPort),
        name: o.masterName ?? 'mymaster',
        password,
        keyPrefix,
        connectionName,
        maxRetriesPerRequest: 20,
        enableAutoPipelining: true,
      });
      defineScripts(redis);
      return redis;
    }
    default:
      return createRedis({ url: o.url!, keyPrefix, connectionName });
  }
}
