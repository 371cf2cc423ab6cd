/**
 * "Unsaved" records (seed 001): a call whose disposition was never entered
 * because the agent's phone dropped, the agent was released for idleness or
 * logged out in wrap-up. Written atomically with the agent's transition by
 * agent-apply.lua; completed once by the agent or a supervisor.
 *   g:{g}:unsaved:rec:<id>      hash: json, agentId, state (open|completed), completion
 *   g:{g}:unsaved:open          ZSET of open ids by creation time
 *   g:{g}:unsaved:agent:<id>    ZSET of the agent's open ids
 *   g:{g}:unsaved:completed     ZSET of completed ids by completion time
 */
import type { Redis } from 'ioredis';
import type { ScreenPop } from '../dialer/ports';
import { agentKeys } from './agent-live';

export interface UnsavedCompletion {
  disposition?: string;
  note?: string;
  by: string;
  at: number;
}

export interface UnsavedRecord {
  id: string;
  agentId: string;
  campaignId?: string;
  attemptId?: string;
  /** The contact as the agent's screen showed it. */
  pop?: ScreenPop;
  /** The state the call was in when it was lost. */
  callState: 'reserved' | 'talking' | 'wrap_up';
  /** What ended it: phone_ended, idle_timeout, logout. */
  reason: string;
  createdAt: number;
  state: 'open' | 'completed';
  completion?: UnsavedCompletion;
}

const recKey = (id: string) => `${agentKeys.unsavedPrefix}rec:${id}`;

export async function getUnsaved(redis: Redis, id: string): Promise<UnsavedRecord | null> {
  const h = await redis.hgetall(recKey(id));
  if (!h.json) return null;
  const base = JSON.parse(h.json) as Omit<UnsavedRecord, 'state' | 'completion'>;
  return {
    ...base,
    state: h.state === 'completed' ? 'completed' : 'open',
    ...(h.completion ? { completion: JSON.parse(h.completion) as UnsavedCompletion } : {}),
  };
}

/** Open records, oldest first; of one agent when `agentId` is given. */
export async function listUnsaved(redis: Redis, o: { agentId?: string; limit?: number } = {}): Promise<UnsavedRecord[]> {
  const key = o.agentId ? `${agentKeys.unsavedPrefix}agent:${o.agentId}` : `${agentKeys.unsavedPrefix}open`;
  const ids = await redis.zrange(key, '0', String((o.limit ?? 500) - 1));
  const recs = await Promise.all(ids.map((id) => getUnsaved(redis, id)));
  return recs.filter((r): r is UnsavedRecord => r !== null);
}

export type CompleteOutcome = 'completed' | 'not_found' | 'already_completed';

/** Completes an open record once. */
export async function completeUnsaved(redis: Redis, id: string, c: UnsavedCompletion): Promise<CompleteOutcome> {
  const r = await redis.agentUnsavedComplete(agentKeys.unsavedPrefix, id, JSON.stringify(c));
  return r === 1 ? 'completed' : r === 0 ? 'not_found' : 'already_completed';
}
