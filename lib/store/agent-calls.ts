/**
 * What the agent desktop reads beyond the live state:
 *   g:{g}:agent-calls:<agentId>   ZSET "<campaignId>~<attemptId>" by connect time (own history)
 *   g:{g}:agent-call-pops         HASH "<campaignId>~<attemptId>" → JSON screen pop
 *   c:{c:<id>}:agent-script       STRING the campaign's call script ({{name}}, {{key1}}, {{attr.X}}…)
 * History entries older than `keepDays` are trimmed when a new one is written.
 */
import type { Redis } from 'ioredis';
import type { ScreenPop } from '../dialer/ports';
import { keys } from './keys';

const callsKey = (agentId: string) => keys.global(`agent-calls:${agentId}`);
const POPS = keys.global('agent-call-pops');
const scriptKey = (campaignId: string) => keys.campaign(campaignId, 'agent-script');
const DAY = 86_400_000;

export const callKey = (campaignId: string, attemptId: string) => `${campaignId}~${attemptId}`;

export async function logAgentCall(redis: Redis, agentId: string, pop: ScreenPop, at: number, keepDays = 2): Promise<void> {
  const k = callKey(pop.campaignId, pop.attemptId);
  const old = await redis.zrangebyscore(callsKey(agentId), 0, at - keepDays * DAY);
  const m = redis.multi().zadd(callsKey(agentId), at, k).hset(POPS, k, JSON.stringify(pop));
  if (old.length) m.zrem(callsKey(agentId), ...old).hdel(POPS, ...old);
  await m.exec();
}

export interface AgentCall {
  at: number;
  pop: ScreenPop;
}

/** The agent's calls connected since `since`, newest first. */
export async function agentCalls(redis: Redis, agentId: string, since: number): Promise<AgentCall[]> {
  const raw = await redis.zrevrangebyscore(callsKey(agentId), '+inf', since, 'WITHSCORES');
  const ids: string[] = [];
  const ats: number[] = [];
  for (let i = 0; i < raw.length; i += 2) {
    ids.push(raw[i]!);
    ats.push(Number(raw[i + 1]));
  }
  if (!ids.length) return [];
  const pops = await redis.hmget(POPS, ...ids);
  return ids.flatMap((_, i) => (pops[i] ? [{ at: ats[i]!, pop: JSON.parse(pops[i]!) as ScreenPop }] : []));
}

export async function agentCallAt(redis: Redis, agentId: string, campaignId: string, attemptId: string): Promise<number | null> {
  const s = await redis.zscore(callsKey(agentId), callKey(campaignId, attemptId));
  return s === null ? null : Number(s);
}

export async function getScript(redis: Redis, campaignId: string): Promise<string> {
  return (await redis.get(scriptKey(campaignId))) ?? '';
}

export async function setScript(redis: Redis, campaignId: string, text: string): Promise<void> {
  if (text) await redis.set(scriptKey(campaignId), text);
  else await redis.del(scriptKey(campaignId));
}
