/**
 * Live agent state in Redis, all under the `{g}` hash tag so that one Lua
 * script can change an agent and the ready queues together:
 *   g:{g}:agent:<id>      hash: state, since, ver, leg, groups, readySince, call fields
 *   g:{g}:ready:<group>   ZSET of ready agents scored by ready-since (longest-idle first)
 *   g:{g}:rc-ready:<group> the same for agents taking return calls (state return_calls)
 *   g:{g}:agents-live     SET of agents not logged out (the sweeper's and monitor's list)
 * Every change is a compare-and-set on `ver` (agent-apply.lua) or the atomic
 * reservation (agent-reserve.lua).
 */
import type { Redis, Result } from 'ioredis';
import type { ScreenPop } from '../dialer/ports';
import type { AgentState } from '../agents/state';
import { keys } from './keys';

declare module 'ioredis' {
  interface RedisCommander<Context> {
    agentApply(
      agentKey: string,
      readyPrefix: string,
      liveSet: string,
      unsavedPrefix: string,
      rcReadyPrefix: string,
      expectVer: string,
      agentId: string,
      queueOp: string,
      setJson: string,
      delJson: string,
      unsavedJson: string,
      liveOp: string,
    ): Result<[number, number], Context>;
    agentReserve(
      agentPrefix: string,
      readyPrefix: string,
      token: string,
      attemptId: string,
      now: string,
      prefer: string,
      state: string,
      ...groups: string[]
    ): Result<[string, string, number] | null, Context>;
    agentReadyCount(readyPrefix: string, ...groups: string[]): Result<number, Context>;
    agentUnsavedComplete(unsavedPrefix: string, id: string, completionJson: string): Result<number, Context>;
  }
}

export const agentKeys = {
  agent: (id: string) => keys.global(`agent:${id}`),
  agentPrefix: keys.global('agent:'),
  readyPrefix: keys.global('ready:'),
  ready: (group: string) => keys.global(`ready:${group}`),
  /** Agents taking return calls (issue 18): inbound routes reserve from here, campaigns never do. */
  rcReadyPrefix: keys.global('rc-ready:'),
  rcReady: (group: string) => keys.global(`rc-ready:${group}`),
  live: keys.global('agents-live'),
  /** Heartbeat of a desk (dialer process); its agents' legs are gone when it expires. */
  node: (nodeId: string) => keys.global(`desk-node:${nodeId}`),
  unsavedPrefix: keys.global('unsaved:'),
};

/** One agent's live state as stored. */
export interface AgentLive {
  id: string;
  state: AgentState;
  /** When the current state was entered (epoch ms). */
  since: number;
  ver: number;
  name?: string;
  uri?: string;
  /** Groups as of login (a change of membership applies at the next login). */
  groups: string[];
  /** The agent's phone leg. */
  leg?: string;
  /** When the agent last became ready: the longest-waiting order. */
  readySince?: number;
  token?: string;
  attemptId?: string;
  campaignId?: string;
  customerLeg?: string;
  pop?: ScreenPop;
  held: boolean;
  /** Why the agent was last logged out (idle limit, phone ended…). */
  lastReason?: string;
  /** The desk (dialer process) holding the agent's phone leg. */
  owner?: string;
  /** In return-calls mode: waiting in return_calls, or on (or wrapping up) a call taken from there. */
  returnCalls: boolean;
}

const num = (s: string | undefined) => (s === undefined || s === '' ? undefined : Number(s));

function parse(h: Record<string, string>): AgentLive | null {
  if (!h.state) return null;
  return {
    id: h.id!,
    state: h.state as AgentState,
    since: Number(h.since),
    ver: Number(h.ver),
    name: h.name || undefined,
    uri: h.uri || undefined,
    groups: h.groups ? (JSON.parse(h.groups) as string[]) : [],
    leg: h.leg || undefined,
    readySince: num(h.readySince),
    token: h.token || undefined,
    attemptId: h.attemptId || undefined,
    campaignId: h.campaignId || undefined,
    customerLeg: h.customerLeg || undefined,
    pop: h.pop ? (JSON.parse(h.pop) as ScreenPop) : undefined,
    held: h.held === '1',
    lastReason: h.lastReason || undefined,
    owner: h.owner || undefined,
    returnCalls: h.mode === 'return_calls',
  };
}

export async function getAgentLive(redis: Redis, id: string): Promise<AgentLive | null> {
  return parse(await redis.hgetall(agentKeys.agent(id)));
}

/** Every agent that is not logged out, by id. */
export async function listLiveAgents(redis: Redis): Promise<AgentLive[]> {
  const ids = (await redis.smembers(agentKeys.live)).sort();
  const rows = await Promise.all(ids.map((id) => redis.hgetall(agentKeys.agent(id))));
  return rows.map(parse).filter((a): a is AgentLive => a !== null);
}

export interface AgentChange {
  expectVer: number;
  /** enqueue: the campaigns' ready queues; enqueue-rc: the return-call ones (either leaves the other). */
  queue?: 'enqueue' | 'enqueue-rc' | 'dequeue';
  set: Record<string, string | number>;
  del?: string[];
  unsaved?: UnsavedInput;
  live?: 'add' | 'remove';
}

/** An unsaved record as written by a transition (see agent-unsaved.ts). */
export interface UnsavedInput {
  id: string;
  agentId: string;
  createdAt: number;
  [k: string]: unknown;
}

/** Applies a change if the agent is still at `expectVer`; false when someone else changed it first. */
export async function applyAgentChange(redis: Redis, id: string, c: AgentChange): Promise<{ ok: boolean; ver: number }> {
  const [ok, ver] = await redis.agentApply(
    agentKeys.agent(id),
    agentKeys.readyPrefix,
    agentKeys.live,
    agentKeys.unsavedPrefix,
    agentKeys.rcReadyPrefix,
    String(c.expectVer),
    id,
    c.queue ?? '',
    JSON.stringify(c.set),
    JSON.stringify(c.del ?? []),
    c.unsaved ? JSON.stringify(c.unsaved) : '',
    c.live ?? '',
  );
  return { ok: ok === 1, ver };
}

/** Which waiting agents a reservation takes from: the campaigns' ready agents or those taking return calls. */
export type ReservePool = 'ready' | 'return_calls';

export interface ReserveArgs {
  token: string;
  attemptId: string;
  now: number;
  prefer?: string;
  only?: boolean;
  /** Default ready. */
  pool?: ReservePool;
}

/** The queue prefix and agent state of a pool (the reservation scripts' KEYS[2] and wanted state). */
export function poolQueue(pool: ReservePool = 'ready'): { prefix: string; state: string } {
  return pool === 'ready' ? { prefix: agentKeys.readyPrefix, state: 'ready' } : { prefix: agentKeys.rcReadyPrefix, state: 'return_calls' };
}

/** Atomically moves the longest-waiting agent of the pool in any of `groups` to reserved (`prefer` first; with `only`, nobody else). */
export async function reserveAgent(
  redis: Redis,
  groups: readonly string[],
  o: ReserveArgs,
): Promise<{ agentId: string; legId: string; ver: number } | null> {
  if (groups.length === 0) return null;
  const prefer = o.prefer ? `${o.only ? '=' : ''}${o.prefer}` : '';
  const q = poolQueue(o.pool);
  const r = await redis.agentReserve(agentKeys.agentPrefix, q.prefix, o.token, o.attemptId, String(o.now), prefer, q.state, ...groups);
  return r ? { agentId: r[0], legId: r[1], ver: Number(r[2]) } : null;
}

export async function readyCount(redis: Redis, groups: readonly string[]): Promise<number> {
  if (groups.length === 0) return 0;
  return redis.agentReadyCount(agentKeys.readyPrefix, ...groups);
}

/** A group's ready queue (or return-call queue), longest-waiting first. */
export async function readyQueue(
  redis: Redis,
  group: string,
  pool: ReservePool = 'ready',
): Promise<{ agentId: string; readySince: number }[]> {
  const flat = await redis.zrange(pool === 'ready' ? agentKeys.ready(group) : agentKeys.rcReady(group), '0', '-1', 'WITHSCORES');
  const out: { agentId: string; readySince: number }[] = [];
  for (let i = 0; i < flat.length; i += 2) out.push({ agentId: flat[i]!, readySince: Number(flat[i + 1]) });
  return out;
}
