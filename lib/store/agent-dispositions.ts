/**
 * Dispositions agents enter after a call, per campaign under its hash tag:
 *   c:{c:<id>}:dispositions   HASH attemptId → JSON
 * Keyed by attempt so that a repeated submission (retry, correction the same
 * day) overwrites instead of duplicating; the history/report side joins on it.
 */
import type { Redis } from 'ioredis';
import { keys } from './keys';

export interface DispositionRecord {
  campaignId: string;
  attemptId: string;
  agentId: string;
  disposition?: string;
  note?: string;
  /** Who entered it (agent id, or the supervisor's key name). */
  by: string;
  at: number;
  /** Entered through an unsaved record rather than at wrap-up. */
  fromUnsaved?: boolean;
}

export const dispositionsKey = (campaignId: string) => keys.campaign(campaignId, 'dispositions');

export async function saveDisposition(redis: Redis, d: DispositionRecord): Promise<void> {
  await redis.hset(dispositionsKey(d.campaignId), d.attemptId, JSON.stringify(d));
}

export async function getDisposition(redis: Redis, campaignId: string, attemptId: string): Promise<DispositionRecord | null> {
  const json = await redis.hget(dispositionsKey(campaignId), attemptId);
  return json ? (JSON.parse(json) as DispositionRecord) : null;
}
