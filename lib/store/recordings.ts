/**
 * Call recordings' metadata and per-campaign recording settings:
 *   c:{c:<id>}:recording-settings  HASH enabled (0|1)
 *   g:{g}:recordings               HASH id → JSON RecordingMeta
 *   g:{g}:recordings-by-time       ZSET id by start time (listing, retention)
 * A recording id is `<campaignId>~<attemptId>` (one recording per attempt).
 */
import type { Redis } from 'ioredis';
import { keys } from './keys';

export interface RecordingSettings {
  enabled: boolean;
}

export interface RecordingMeta {
  id: string;
  campaignId: string;
  attemptId: string;
  agentId: string;
  contactId?: string;
  listId?: string;
  /** Path of the WAV file. */
  path: string;
  status: 'recording' | 'done' | 'failed';
  startedAt: number;
  durationMs?: number;
  bytes?: number;
  /** What went wrong (disk full…): the call went on without a recording. */
  error?: string;
  channels: ['customer', 'agent'];
}

const settingsKey = (campaignId: string) => keys.campaign(campaignId, 'recording-settings');
const META = keys.global('recordings');
const BY_TIME = keys.global('recordings-by-time');

export const recordingId = (campaignId: string, attemptId: string) => `${campaignId}~${attemptId}`;

export async function getRecordingSettings(redis: Redis, campaignId: string): Promise<RecordingSettings> {
  const h = await redis.hgetall(settingsKey(campaignId));
  return { enabled: h.enabled === '1' };
}

export async function setRecordingSettings(redis: Redis, campaignId: string, s: RecordingSettings): Promise<void> {
  await redis.hset(settingsKey(campaignId), 'enabled', s.enabled ? '1' : '0');
}

export async function saveRecording(redis: Redis, r: RecordingMeta): Promise<void> {
  await redis.multi().hset(META, r.id, JSON.stringify(r)).zadd(BY_TIME, r.startedAt, r.id).exec();
}

export async function getRecording(redis: Redis, id: string): Promise<RecordingMeta | null> {
  const j = await redis.hget(META, id);
  return j ? (JSON.parse(j) as RecordingMeta) : null;
}

/** Newest first, filtered; at most `limit`. */
export async function listRecordings(
  redis: Redis,
  f: { campaignId?: string; agentId?: string; attemptIds?: string[]; limit?: number } = {},
): Promise<RecordingMeta[]> {
  const limit = f.limit ?? 100;
  const ids =
    f.attemptIds && f.campaignId ? f.attemptIds.map((a) => recordingId(f.campaignId!, a)) : await redis.zrevrange(BY_TIME, 0, 9999);
  if (ids.length === 0) return [];
  const out: RecordingMeta[] = [];
  for (const j of await redis.hmget(META, ...ids)) {
    if (!j) continue;
    const r = JSON.parse(j) as RecordingMeta;
    if (f.campaignId && r.campaignId !== f.campaignId) continue;
    if (f.agentId && r.agentId !== f.agentId) continue;
    out.push(r);
    if (out.length >= limit) break;
  }
  return out;
}

/** Recordings started before `before` (retention), oldest first. */
export async function expiredRecordings(redis: Redis, before: number, max = 500): Promise<RecordingMeta[]> {
  const ids = await redis.zrangebyscore(BY_TIME, 0, before - 1, 'LIMIT', 0, max);
  if (ids.length === 0) return [];
  return (await redis.hmget(META, ...ids)).filter((j): j is string => !!j).map((j) => JSON.parse(j) as RecordingMeta);
}

export async function deleteRecording(redis: Redis, id: string): Promise<void> {
  await redis.multi().hdel(META, id).zrem(BY_TIME, id).exec();
}
