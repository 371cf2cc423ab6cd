/**
 * Agent reservation scoped to this dialer process: an agent's phone leg
 * lives in the process whose desk logged the agent in, so only that process
 * can bridge a customer to it (lib/store/lua/agent-reserve-node.lua).
 */
import type { Redis, Result } from 'ioredis';
import { agentKeys, poolQueue, type ReserveArgs } from '../store/agent-live';

declare module 'ioredis' {
  interface RedisCommander<Context> {
    agentReserveNode(agentPrefix: string, readyPrefix: string, ...args: string[]): Result<[string, string, number] | null, Context>;
  }
}

export async function reserveAgentOnNode(
  redis: Redis,
  groups: readonly string[],
  node: string,
  o: ReserveArgs,
): Promise<{ agentId: string; legId: string; ver: number } | null> {
  if (groups.length === 0) return null;
  const prefer = o.prefer ? `${o.only ? '=' : ''}${o.prefer}` : '';
  const q = poolQueue(o.pool);
  const r = await redis.agentReserveNode(
    agentKeys.agentPrefix,
    q.prefix,
    o.token,
    o.attemptId,
    String(o.now),
    prefer,
    node,
    q.state,
    ...groups,
  );
  return r ? { agentId: r[0], legId: r[1], ver: Number(r[2]) } : null;
}
