import { Cluster, type Redis } from 'ioredis';

/**
 * SCAN MATCH over every master: a cluster client's own `scan` visits one
 * node only. Yields batches of full key names (with the client's prefix; the
 * pattern is not prefixed by ioredis either).
 */
export async function* scanMatch(redis: Redis, pattern: string, count = 1000): AsyncGenerator<string[]> {
  const r = redis as unknown as Redis | Cluster;
  const nodes: Redis[] = r instanceof Cluster ? r.nodes('master') : [r];
  for (const node of nodes) {
    let cursor = '0';
    do {
      const [next, found] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', count);
      cursor = next;
      if (found.length > 0) yield found;
    } while (cursor !== '0');
  }
}
