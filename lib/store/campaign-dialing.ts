/**
 * A running campaign's dialing status (why nothing dials, see
 * lib/dialer/steps/dialing-status.ts), written by the runner holding the
 * campaign's lease when it changes and read by the API:
 *   c:{c:<id>}:dialing   STRING JSON { state, reason?, detail?, until?, since }
 */
import type { Redis } from 'ioredis';
import { keys } from './keys';
import type { DialingStatus } from '../dialer/steps/dialing-status';

export type StoredDialingStatus = DialingStatus & { since: number };

const key = (id: string) => keys.campaign(id, 'dialing');

export async function putDialingStatus(redis: Redis, campaignId: string, s: StoredDialingStatus): Promise<void> {
  await redis.set(key(campaignId), JSON.stringify(s));
}

export async function getDialingStatus(redis: Redis, campaignId: string): Promise<StoredDialingStatus | null> {
  const raw = await redis.get(key(campaignId));
  return raw ? (JSON.parse(raw) as StoredDialingStatus) : null;
}
