/**
 * Campaign definitions in Redis. One hash per campaign (`c:{c:<id>}:campaign`:
 * state, version, doc) and a deployment-wide index (`g:{g}:campaigns`). Every
 * write is a compare-and-set Lua script (`campaign-cas`) on the expected state
 * and version, so the guarded transition of lib/domain/campaign-state and the
 * edit rules hold even when API calls and dialer processes race.
 *
 * Cross-tag references (list-users, group-users live under `{g}`) cannot share
 * a script with the campaign's hash on Redis Cluster; they are ordered so that a
 * crash leaves at most a stale "in use" mark (conservative), never a list or a
 * group deleted under a campaign: add the mark, check the target exists, write
 * the campaign; remove marks only after the campaign no longer refers.
 */
import { purgeOutbound } from './dial-queue';
import { cancelScheduledCallbacks } from './callbacks';
import { randomUUID } from 'node:crypto';
import type { Redis, Result } from 'ioredis';
import { keys } from './keys';
import { listExists, listUsersKey } from './lists';
import { groupExists, groupUsersKey } from './agents';
import {
  campaignDefaults,
  editRefusal,
  deleteRefusal,
  mergeSettings,
  startRefusal,
  transition,
  validateAllocation,
  validateSettings,
  type Allocation,
  type Campaign,
  type CampaignEffect,
  type CampaignEvent,
  type CampaignInput,
  type CampaignSettings,
  type CampaignState,
} from '../domain/campaign';

declare module 'ioredis' {
  interface RedisCommander<Context> {
    campaignCreate(hash: string, state: string, doc: string): Result<number, Context>;
    campaignCas(hash: string, expectState: string, expectVersion: string, newState: string, doc: string): Result<string[], Context>;
  }
}

export const campaignKey = (id: string) => keys.campaign(id, 'campaign');
export const CAMPAIGN_INDEX = keys.global('campaigns');

/** The campaign does not exist. */
export class CampaignNotFoundError extends Error {
  constructor(readonly id: string) {
    super(`campaign ${id} does not exist`);
    this.name = 'CampaignNotFoundError';
  }
}
/** The campaign's state forbids the change; `message` says why (API: 409). */
export class CampaignConflictError extends Error {
  constructor(
    message: string,
    readonly code: 'CONFLICT' | 'DUPLICATE' = 'CONFLICT',
  ) {
    super(message);
    this.name = 'CampaignConflictError';
  }
}
/** Settings that break a rule JSON Schema cannot express (API: 400). */
export class CampaignInvalidError extends Error {
  constructor(readonly errors: string[]) {
    super(errors.join('; '));
    this.name = 'CampaignInvalidError';
  }
}
/** A referenced list or agent group does not exist (API: 404). */
export class ReferenceNotFoundError extends Error {
  constructor(
    readonly kind: 'list' | 'agent group' | 'attached list',
    readonly id: string,
    where = '',
  ) {
    super(`${kind} ${id} does not exist${where}`);
    this.name = 'ReferenceNotFoundError';
  }
}

export interface WriteContext {
  /** Region for normalising the caller ID. */
  region: string;
  now?: Date;
}

type Stored = Omit<Campaign, 'state' | 'version'>;

function parse(id: string, h: Record<string, string>): Campaign | null {
  if (!h.doc) return null;
  const doc = JSON.parse(h.doc) as Stored;
  return { ...doc, id, state: h.state as CampaignState, version: Number(h.version) };
}

function serialise(c: Campaign): string {
  const { state: _s, version: _v, ...doc } = c;
  return JSON.stringify(doc);
}

/** The campaign, or null. Used by the runtime. */
export async function getCampaign(redis: Redis, id: string): Promise<Campaign | null> {
  return parse(id, await redis.hgetall(campaignKey(id)));
}

/** All campaigns (optionally in one state), oldest first. */
export async function listCampaigns(redis: Redis, filter: { state?: CampaignState } = {}): Promise<Campaign[]> {
  const ids = await redis.zrange(CAMPAIGN_INDEX, '0', '-1');
  const rows = await Promise.all(ids.map((id) => getCampaign(redis, id)));
  return rows.filter((c): c is Campaign => c !== null && (!filter.state || c.state === filter.state));
}

/** Campaigns the runtime should be driving. */
export const listRunningCampaigns = (redis: Redis) => listCampaigns(redis, { state: 'running' });

async function checkGroupsExist(redis: Redis, groups: readonly string[]): Promise<void> {
  for (const g of groups) if (!(await groupExists(redis, g))) throw new ReferenceNotFoundError('agent group', g);
}

/** Creates a draft campaign with defaults for every setting not given. */
export async function createCampaign(redis: Redis, input: CampaignInput & { id?: string }, ctx: WriteContext): Promise<Campaign> {
  const { id: wanted, ...settings } = input;
  const id = wanted ?? randomUUID();
  const merged = mergeSettings(campaignDefaults(), settings);
  const errors = validateSettings(merged, ctx.region);
  if (errors.length) throw new CampaignInvalidError(errors);
  const now = (ctx.now ?? new Date()).toISOString();
  const c: Campaign = {
    ...merged,
    id,
    state: 'draft',
    version: 1,
    lists: [],
    createdAt: now,
    updatedAt: now,
    stateChangedAt: now,
    startedAt: null,
  };
  if (merged.agentGroups.length) {
    await Promise.all(merged.agentGroups.map((g) => redis.sadd(groupUsersKey(g), id)));
    try {
      await checkGroupsExist(redis, merged.agentGroups);
    } catch (err) {
      await Promise.all(merged.agentGroups.map((g) => redis.srem(groupUsersKey(g), id)));
      throw err;
    }
  }
  const created = await redis.campaignCreate(campaignKey(id), 'draft', serialise(c));
  if (!created) throw new CampaignConflictError(`campaign ${id} already exists`, 'DUPLICATE');
  await redis.zadd(CAMPAIGN_INDEX, String(Date.parse(now)), id);
  return c;
}

/**
 * Reads the campaign, lets `change` compute the next version from it (throwing
 * to refuse), and writes it only if nobody wrote in between; retries on a race.
 */
async function mutate(
  redis: Redis,
  id: string,
  change: (c: Campaign) => Promise<Campaign | null> | Campaign | null,
): Promise<{ before: Campaign; after: Campaign | null }> {
  for (let attempt = 0; attempt < 8; attempt++) {
    const before = await getCampaign(redis, id);
    if (!before) throw new CampaignNotFoundError(id);
    const after = await change(structuredClone(before));
    const res = await redis.campaignCas(
      campaignKey(id),
      before.state,
      String(before.version),
      after ? after.state : '',
      after ? serialise(after) : '',
    );
    if (res[0] === 'MISSING') throw new CampaignNotFoundError(id);
    if (res[0] === 'OK') return { before, after: after && { ...after, version: Number(res[1]) } };
  }
  throw new CampaignConflictError(`campaign ${id} is being changed concurrently; try again`);
}

/** Applies a partial update under the edit rules of the campaign's state. */
export async function updateCampaign(redis: Redis, id: string, patch: CampaignInput, ctx: WriteContext): Promise<Campaign> {
  const fields = Object.keys(patch).filter((k) => (patch as Record<string, unknown>)[k] !== undefined);
  const addedGroups = new Set<string>();
  try {
    const { before, after } = await mutate(redis, id, async (c) => {
      const refusal = editRefusal(c.state, fields);
      if (refusal) throw new CampaignConflictError(`campaign ${id} cannot be edited: ${refusal}`);
      const { id: _i, state: _s, version: _v, lists, createdAt, updatedAt: _u, stateChangedAt, startedAt, ...settings } = c;
      const merged = mergeSettings(settings as CampaignSettings, patch);
      const errors = validateSettings(merged, ctx.region);
      for (const l of lists)
        if (l.allocation) errors.push(...validateAllocation(l.allocation, merged.agentGroups).map((e) => `list ${l.listId}: ${e}`));
      if (errors.length) throw new CampaignInvalidError(errors);
      const fresh = merged.agentGroups.filter((g) => !c.agentGroups.includes(g));
      for (const g of fresh) {
        await redis.sadd(groupUsersKey(g), id);
        addedGroups.add(g);
      }
      await checkGroupsExist(redis, fresh);
      return {
        ...merged,
        id,
        state: c.state,
        version: c.version,
        lists,
        createdAt,
        stateChangedAt,
        startedAt,
        updatedAt: (ctx.now ?? new Date()).toISOString(),
      };
    });
    const dropped = before.agentGroups.filter((g) => !after!.agentGroups.includes(g));
    await Promise.all(dropped.map((g) => redis.srem(groupUsersKey(g), id)));
    return after!;
  } catch (err) {
    await Promise.all([...addedGroups].map((g) => redis.srem(groupUsersKey(g), id)));
    throw err;
  }
}

/** Deletes a campaign that is not running or paused; releases its lists and groups. */
export async function deleteCampaign(redis: Redis, id: string): Promise<void> {
  const { before } = await mutate(redis, id, (c) => {
    const refusal = deleteRefusal(c.state);
    if (refusal) throw new CampaignConflictError(`campaign ${id} cannot be deleted: ${refusal}`);
    return null;
  });
  await redis.zrem(CAMPAIGN_INDEX, id);
  await redis.del(keys.campaign(id, 'dnc'));
  await release(redis, before);
}

async function release(redis: Redis, c: Campaign): Promise<void> {
  await Promise.all([
    ...c.lists.map((l) => redis.srem(listUsersKey(l.listId), c.id)),
    ...c.agentGroups.map((g) => redis.srem(groupUsersKey(g), c.id)),
  ]);
}

/**
 * Moves the campaign through the guarded transition (lib/domain/campaign-state)
 * atomically; `start` also needs the campaign ready (lists, groups, period).
 * Carries out the store's effects (releaseLists) and returns all effects so the
 * runtime can carry out the rest (start/stop dialing, purge, publish).
 * Throws IllegalTransitionError, CampaignConflictError or CampaignNotFoundError.
 */
export async function setCampaignState(
  redis: Redis,
  id: string,
  event: CampaignEvent,
  opts: { now?: Date } = {},
): Promise<{ campaign: Campaign; effects: CampaignEffect[] }> {
  const now = opts.now ?? new Date();
  let effects: CampaignEffect[] = [];
  const { after } = await mutate(redis, id, (c) => {
    const t = transition(c.state, event);
    if (event === 'start') {
      const why = startRefusal(c, now);
      if (why) throw new CampaignConflictError(`campaign ${id} cannot start: ${why}`);
    }
    effects = t.effects;
    const iso = now.toISOString();
    return {
      ...c,
      state: t.state,
      stateChangedAt: iso,
      updatedAt: iso,
      startedAt: t.effects.some((e) => e.type === 'freezeAllocation') ? (c.startedAt ?? iso) : c.startedAt,
    };
  });
  if (effects.some((e) => e.type === 'releaseLists')) await release(redis, after!);
  if (effects.some((e) => e.type === 'purgeOutbound')) {
    await purgeOutbound(redis, id);
    // A closed campaign dials nothing more: its promised callbacks are cancelled, not left due forever.
    await cancelScheduledCallbacks(redis, id, now.getTime());
  }
  return { campaign: after!, effects };
}

export interface AttachOptions {
  listId: string;
  active?: boolean;
  allocation?: Allocation | null;
  now?: Date;
}

/** Attaching and detaching lists is an edit: allowed in draft and paused only. */
function assertListEditable(c: Campaign, what: string): void {
  if (c.state !== 'draft' && c.state !== 'paused') {
    throw new CampaignConflictError(`campaign ${c.id} is ${c.state}: lists can be ${what} only while draft or paused`);
  }
}

/** Attaches an existing contact list; marks it used so it cannot be deleted. */
export async function attachList(redis: Redis, id: string, opts: AttachOptions): Promise<Campaign> {
  const users = listUsersKey(opts.listId);
  const wasUser = (await redis.sismember(users, id)) === 1;
  await redis.sadd(users, id);
  try {
    if (!(await listExists(redis, opts.listId))) throw new ReferenceNotFoundError('list', opts.listId);
    const { after } = await mutate(redis, id, (c) => {
      assertListEditable(c, 'attached');
      if (c.lists.some((l) => l.listId === opts.listId))
        throw new CampaignConflictError(`list ${opts.listId} is already attached to campaign ${id}`, 'DUPLICATE');
      if (opts.allocation) {
        const errors = validateAllocation(opts.allocation, c.agentGroups);
        if (errors.length) throw new CampaignInvalidError(errors);
      }
      const at = (opts.now ?? new Date()).toISOString();
      c.lists.push({ listId: opts.listId, active: opts.active ?? true, allocation: opts.allocation ?? null, attachedAt: at });
      c.updatedAt = at;
      return c;
    });
    return after!;
  } catch (err) {
    if (!wasUser) await redis.srem(users, id);
    throw err;
  }
}

/** Detaches a list and releases its "in use" mark. */
export async function detachList(redis: Redis, id: string, listId: string): Promise<Campaign> {
  const { after } = await mutate(redis, id, (c) => {
    assertListEditable(c, 'detached');
    if (!c.lists.some((l) => l.listId === listId)) throw new ReferenceNotFoundError('attached list', listId, ` on campaign ${id}`);
    c.lists = c.lists.filter((l) => l.listId !== listId);
    c.updatedAt = new Date().toISOString();
    return c;
  });
  await redis.srem(listUsersKey(listId), id);
  return after!;
}

/** Starts or stops dialing one attached list (allowed in draft, running and paused). */
export async function setListActive(redis: Redis, id: string, listId: string, active: boolean): Promise<Campaign> {
  const { after } = await mutate(redis, id, (c) => {
    if (c.state === 'completed' || c.state === 'closed')
      throw new CampaignConflictError(`campaign ${id} is ${c.state}: its lists can no longer be started or stopped`);
    const l = c.lists.find((x) => x.listId === listId);
    if (!l) throw new ReferenceNotFoundError('attached list', listId, ` on campaign ${id}`);
    l.active = active;
    c.updatedAt = new Date().toISOString();
    return c;
  });
  return after!;
}

/** Sets how a list's rows are shared among agent groups; fixed once dialing has started (seed 001). */
export async function setAllocation(redis: Redis, id: string, listId: string, allocation: Allocation | null): Promise<Campaign> {
  const { after } = await mutate(redis, id, (c) => {
    if (c.startedAt) throw new CampaignConflictError(`campaign ${id} started dialing at ${c.startedAt}: list allocation is fixed`);
    const l = c.lists.find((x) => x.listId === listId);
    if (!l) throw new ReferenceNotFoundError('attached list', listId, ` on campaign ${id}`);
    if (allocation) {
      const errors = validateAllocation(allocation, c.agentGroups);
      if (errors.length) throw new CampaignInvalidError(errors);
    }
    l.allocation = allocation;
    c.updatedAt = new Date().toISOString();
    return c;
  });
  return after!;
}
