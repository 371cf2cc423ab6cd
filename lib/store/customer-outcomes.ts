/**
 * Outcomes recorded from the customer search (issue 18; lib/domain/customer-outcome.ts),
 * per campaign under its hash tag, one sorted set per contact:
 *   c:{c:<id>}:outcomes:<listId>:<contactId>   ZSET score=at member=JSON (with a unique id)
 * Kept a year (refreshed on each entry): a return call's result belongs to the
 * contact's history like its attempts do.
 */
import type { Redis } from 'ioredis';
import type { OutcomeRecord } from '../domain/customer-outcome';
import { keys } from './keys';

const KEEP_SEC = 366 * 24 * 3600;
const outcomesKey = (campaignId: string, listId: string, contactId: string) => keys.campaign(campaignId, `outcomes:${listId}:${contactId}`);

export async function addCustomerOutcome(redis: Redis, r: OutcomeRecord): Promise<void> {
  const key = outcomesKey(r.campaignId, r.listId, r.contactId);
  await redis.multi().zadd(key, r.at, JSON.stringify(r)).expire(key, KEEP_SEC).exec();
}

/** A contact's outcomes across the given campaigns, newest first. */
export async function listCustomerOutcomes(
  redis: Redis,
  campaignIds: readonly string[],
  listId: string,
  contactId: string,
): Promise<OutcomeRecord[]> {
  const out: OutcomeRecord[] = [];
  // One key per command: each campaign is on its own slot in a cluster.
  for (const c of campaignIds)
    for (const v of await redis.zrange(outcomesKey(c, listId, contactId), '0', '-1')) out.push(JSON.parse(v) as OutcomeRecord);
  return out.sort((a, b) => b.at - a.at || b.id.localeCompare(a.id));
}
