/**
 * Call recordings' metadata and per-campaign recording settings:
 *   c:{c:<id>}:recording-settings  HASH enabled (0|1), from (bridge|answer), consentPrompt (WAV path)
 *   g:{g}:recordings               HASH id → JSON RecordingMeta
 *   g:{g}:recordings-by-time       ZSET id by start time (listing, retention)
 * A recording id is `<campaignId>~<attemptId>` (one recording per attempt).
 * When a recording ends, a `recording` entry with its metadata is also added
 * to the campaign's attempt history stream (c:{c:<id>}:history), beside the
 * attempt's own entry, so a replay of the history carries it.
 */
import type { Redis } from 'ioredis';
import { keys } from './keys';

/**
 * bridge: from the moment an agent is connected (the agent conversation only; the default).
 * answer: from the customer's answer (analysis, the consent announcement, the wait for an agent too).
 */
export type RecordingFrom = 'bridge' | 'answer';
export const RECORDING_FROM: readonly RecordingFrom[] = ['bridge', 'answer'];

export interface RecordingSettings {
  enabled: boolean;
  from: RecordingFrom;
  /** A WAV played to the customer once a person is detected, before the agent is connected (and recorded when from = answer). */
  consentPrompt?: string;
}

export interface RecordingMeta {
  id: string;
  campaignId: string;
  attemptId: string;
  /** The agent connected to the call; '' for a call recorded from the answer that never reached one. */
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
  /** Where it started (absent in records of earlier versions: bridge). */
  from?: RecordingFrom;
}

const settingsKey = (campaignId: string) => keys.campaign(campaignId, 'recording-settings');
const META = keys.global('recordings');
const BY_TIME = keys.global('recordings-by-time');

export const recordingId = (campaignId: string, attemptId: string) => `${campaignId}~${attemptId}`;

export async function getRecordingSettings(redis: Redis, campaignId: string): Promise<RecordingSettings> {
  const h = await redis.hgetall(settingsKey(campaignId));
  return {
    enabled: h.enabled === '1',
    from: h.from === 'answer' ? 'answer' : 'bridge',
    ...(h.consentPrompt ? { consentPrompt: h.consentPrompt } : {}),
  };
}

export async function setRecordingSettings(redis: Redis, campaignId: string, s: RecordingSettings): Promise<void> {
  const m = redis.multi().hset(settingsKey(campaignId), 'enabled', s.enabled ? '1' : '0', 'from', s.from);
  if (s.consentPrompt) m.hset(settingsKey(campaignId), 'consentPrompt', s.consentPrompt);
  else m.hdel(settingsKey(campaignId), 'consentPrompt');
  await m.exec();
}

/**
 * The `recording` entry of the campaign's attempt history stream for a
 * finished recording: attemptId and ref as the attempt's own entry has them,
 * the metadata as JSON in `data` (lib/reports/records.ts parses it).
 */
export async function appendRecordingToHistory(redis: Redis, r: RecordingMeta, at: number): Promise<string> {
  const data = {
    recordingId: r.id,
    status: r.status,
    startedAt: r.startedAt,
    from: r.from ?? 'bridge',
    channels: r.channels,
    ...(r.durationMs !== undefined ? { durationMs: r.durationMs } : {}),
    ...(r.bytes !== undefined ? { bytes: r.bytes } : {}),
    ...(r.error ? { error: r.error } : {}),
  };
  const ref = r.listId && r.contactId ? `${r.listId}:${r.contactId}` : '';
  return (await redis.xadd(
    keys.campaign(r.campaignId, 'history'),
    '*',
    'type',
    'recording',
    'attemptId',
    r.attemptId,
    'ref',
    ref,
    'agent',
    r.agentId,
    'at',
    String(at),
    'data',
    JSON.stringify(data),
  ))!;
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
