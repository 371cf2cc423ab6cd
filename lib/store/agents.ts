/**
 * Agents and agent groups in Redis, all under the deployment-wide tag `{g}` so
 * memberships change atomically with definitions (Lua: agent-put, agent-delete,
 * group-put, group-delete):
 *   g:{g}:agents                 HASH id → JSON (without groups)
 *   g:{g}:agent-groups:<agent>   SET of group ids
 *   g:{g}:groups                 HASH id → JSON
 *   g:{g}:group-members:<group>  SET of agent ids
 *   g:{g}:group-users:<group>    SET of campaign ids (maintained by the campaigns store)
 */
import type { Redis, Result } from 'ioredis';
import { keys } from './keys';
import type { Agent, AgentGroup } from '../domain/agent';

declare module 'ioredis' {
  interface RedisCommander<Context> {
    agentPut(
      agents: string,
      groups: string,
      prefix: string,
      id: string,
      json: string,
      mode: string,
      hasGroups: string,
      ...groupIds: string[]
    ): Result<string[], Context>;
    agentDelete(agents: string, prefix: string, id: string): Result<number, Context>;
    groupPut(groups: string, id: string, json: string, mode: string): Result<string, Context>;
    groupDelete(groups: string, prefix: string, id: string): Result<string[], Context>;
  }
}

const AGENTS = keys.global('agents');
const GROUPS = keys.global('groups');
const PREFIX = keys.global('');
export const groupUsersKey = (groupId: string) => keys.global(`group-users:${groupId}`);
const membersKey = (groupId: string) => keys.global(`group-members:${groupId}`);
const agentGroupsKey = (agentId: string) => keys.global(`agent-groups:${agentId}`);

export class AgentStoreError extends Error {
  constructor(
    message: string,
    readonly kind: 'not-found' | 'duplicate' | 'in-use',
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'AgentStoreError';
  }
}

export async function groupExists(redis: Redis, id: string): Promise<boolean> {
  return (await redis.hexists(GROUPS, id)) === 1;
}

export async function getAgent(redis: Redis, id: string): Promise<Agent | null> {
  const [json, groups] = await Promise.all([redis.hget(AGENTS, id), redis.smembers(agentGroupsKey(id))]);
  return json ? { ...(JSON.parse(json) as Omit<Agent, 'groups'>), groups: groups.sort() } : null;
}

export async function listAgents(redis: Redis, filter: { group?: string } = {}): Promise<Agent[]> {
  const ids = filter.group ? await redis.smembers(membersKey(filter.group)) : await redis.hkeys(AGENTS);
  const rows = await Promise.all(ids.sort().map((id) => getAgent(redis, id)));
  return rows.filter((a): a is Agent => a !== null);
}

async function putAgent(redis: Redis, a: Agent, mode: 'create' | 'update', groups: string[] | undefined): Promise<void> {
  const { groups: _g, ...doc } = a;
  const res = await redis.agentPut(AGENTS, GROUPS, PREFIX, a.id, JSON.stringify(doc), mode, groups ? '1' : '0', ...(groups ?? []));
  if (res[0] === 'EXISTS') throw new AgentStoreError(`agent ${a.id} already exists`, 'duplicate');
  if (res[0] === 'MISSING') throw new AgentStoreError(`agent ${a.id} does not exist`, 'not-found');
  if (res[0] === 'NOGROUP') throw new AgentStoreError(`agent group ${res[1]} does not exist`, 'not-found');
}

export async function createAgent(
  redis: Redis,
  input: { id: string; name: string; sipUri: string; groups?: string[] },
  now = new Date(),
): Promise<Agent> {
  const at = now.toISOString();
  const groups = [...new Set(input.groups ?? [])].sort();
  const a: Agent = { id: input.id, name: input.name, sipUri: input.sipUri, groups, createdAt: at, updatedAt: at };
  await putAgent(redis, a, 'create', groups);
  return a;
}

export async function updateAgent(
  redis: Redis,
  id: string,
  patch: { name?: string; sipUri?: string; groups?: string[] },
  now = new Date(),
): Promise<Agent> {
  const cur = await getAgent(redis, id);
  if (!cur) throw new AgentStoreError(`agent ${id} does not exist`, 'not-found');
  const groups = patch.groups ? [...new Set(patch.groups)].sort() : undefined;
  const next: Agent = {
    ...cur,
    ...(patch.name !== undefined ? { name: patch.name } : {}),
    ...(patch.sipUri !== undefined ? { sipUri: patch.sipUri } : {}),
    groups: groups ?? cur.groups,
    updatedAt: now.toISOString(),
  };
  await putAgent(redis, next, 'update', groups);
  return next;
}

export async function deleteAgent(redis: Redis, id: string): Promise<void> {
  if (!(await redis.agentDelete(AGENTS, PREFIX, id))) throw new AgentStoreError(`agent ${id} does not exist`, 'not-found');
}

export async function getGroup(redis: Redis, id: string): Promise<(AgentGroup & { members: string[]; campaigns: string[] }) | null> {
  const [json, members, campaigns] = await Promise.all([
    redis.hget(GROUPS, id),
    redis.smembers(membersKey(id)),
    redis.smembers(groupUsersKey(id)),
  ]);
  return json ? { ...(JSON.parse(json) as AgentGroup), members: members.sort(), campaigns: campaigns.sort() } : null;
}

export async function listGroups(redis: Redis): Promise<AgentGroup[]> {
  const all = await redis.hgetall(GROUPS);
  return Object.keys(all)
    .sort()
    .map((k) => JSON.parse(all[k]!) as AgentGroup);
}

export async function createGroup(
  redis: Redis,
  input: { id: string; name: string; description?: string },
  now = new Date(),
): Promise<AgentGroup> {
  const at = now.toISOString();
  const g: AgentGroup = { id: input.id, name: input.name, description: input.description ?? '', createdAt: at, updatedAt: at };
  if ((await redis.groupPut(GROUPS, g.id, JSON.stringify(g), 'create')) === 'EXISTS')
    throw new AgentStoreError(`agent group ${g.id} already exists`, 'duplicate');
  return g;
}

export async function updateGroup(
  redis: Redis,
  id: string,
  patch: { name?: string; description?: string },
  now = new Date(),
): Promise<AgentGroup> {
  const json = await redis.hget(GROUPS, id);
  if (!json) throw new AgentStoreError(`agent group ${id} does not exist`, 'not-found');
  const g: AgentGroup = { ...(JSON.parse(json) as AgentGroup), ...patch, updatedAt: now.toISOString() };
  if ((await redis.groupPut(GROUPS, id, JSON.stringify(g), 'update')) === 'MISSING')
    throw new AgentStoreError(`agent group ${id} does not exist`, 'not-found');
  return g;
}

/** Deletes a group (its agents lose the membership); refused while a campaign uses it. */
export async function deleteGroup(redis: Redis, id: string): Promise<void> {
  const res = await redis.groupDelete(GROUPS, PREFIX, id);
  if (res[0] === 'MISSING') throw new AgentStoreError(`agent group ${id} does not exist`, 'not-found');
  if (res[0] === 'INUSE')
    throw new AgentStoreError(
      `agent group ${id} is used by campaign(s) ${res.slice(1).sort().join(', ')}; remove it from them first`,
      'in-use',
      { campaigns: res.slice(1).sort() },
    );
}
