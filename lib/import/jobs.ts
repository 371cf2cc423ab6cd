/**
 * Import jobs in Redis, beside their list (same hash tag):
 *   `<imports>`            zset of job ids by start time
 *   `<imports>:<jobId>`    hash: state and counters, updated every batch, so
 *                          progress is visible while a big file streams in
 *   `<imports>:<jobId>:errors`  list of row errors (JSON), downloadable
 */
import type { Redis } from 'ioredis';
import { listKeys } from '../store/lists';

export const JOB_STATES = ['running', 'completed', 'failed', 'rolled-back', 'interrupted'] as const;
export type JobState = (typeof JOB_STATES)[number];

export interface RowError {
  row: number;
  column: string;
  value: string;
  reason: string;
}

export interface ImportJob {
  id: string;
  listId: string;
  state: JobState;
  format: string;
  encoding: string;
  head: boolean;
  allOrNothing: boolean;
  rowsRead: number;
  accepted: number;
  rejected: number;
  /** Row errors kept for the report (at most MAX_STORED_ERRORS; `rejected` counts them all). */
  errorsStored: number;
  startedAt: string;
  finishedAt: string | null;
  /** Why the job failed (file-level problem), or why it was rolled back. */
  error: string | null;
}

/** Cap on stored row errors per job: a garbage million-row file must not fill Redis with its report. */
export const MAX_STORED_ERRORS = 100_000;
/** A running job whose heartbeat is older than this was cut short (process stopped). */
export const HEARTBEAT_STALE_MS = 120_000;

export const jobKey = (listId: string, jobId: string) => `${listKeys(listId).imports}:${jobId}`;
export const jobErrorsKey = (listId: string, jobId: string) => `${jobKey(listId, jobId)}:errors`;
export const jobPendingKey = (listId: string, jobId: string) => `${jobKey(listId, jobId)}:pending`;

export function jobToHash(j: ImportJob, now: number): Record<string, string> {
  return {
    id: j.id,
    listId: j.listId,
    state: j.state,
    format: j.format,
    encoding: j.encoding,
    head: j.head ? '1' : '0',
    allOrNothing: j.allOrNothing ? '1' : '0',
    rowsRead: String(j.rowsRead),
    accepted: String(j.accepted),
    rejected: String(j.rejected),
    errorsStored: String(j.errorsStored),
    startedAt: j.startedAt,
    finishedAt: j.finishedAt ?? '',
    error: j.error ?? '',
    heartbeat: String(now),
  };
}

function fromHash(h: Record<string, string>, now: number): ImportJob | null {
  if (!h.id) return null;
  let state = h.state as JobState;
  if (state === 'running' && now - Number(h.heartbeat ?? 0) > HEARTBEAT_STALE_MS) state = 'interrupted';
  return {
    id: h.id,
    listId: h.listId ?? '',
    state,
    format: h.format ?? '',
    encoding: h.encoding ?? '',
    head: h.head === '1',
    allOrNothing: h.allOrNothing === '1',
    rowsRead: Number(h.rowsRead ?? 0),
    accepted: Number(h.accepted ?? 0),
    rejected: Number(h.rejected ?? 0),
    errorsStored: Number(h.errorsStored ?? 0),
    startedAt: h.startedAt ?? '',
    finishedAt: h.finishedAt || null,
    error: h.error || null,
  };
}

export async function getJob(redis: Redis, listId: string, jobId: string, now = Date.now()): Promise<ImportJob | null> {
  return fromHash(await redis.hgetall(jobKey(listId, jobId)), now);
}

/** A list's jobs, newest first. */
export async function listJobs(redis: Redis, listId: string, now = Date.now()): Promise<ImportJob[]> {
  const ids = await redis.zrange(listKeys(listId).imports, '0', '-1', 'REV');
  const hashes = await Promise.all(ids.map((id) => redis.hgetall(jobKey(listId, id))));
  return hashes.map((h) => fromHash(h, now)).filter((j): j is ImportJob => j !== null);
}

/** Row errors of a job, page by page (for streaming downloads). */
export async function* iterateJobErrors(redis: Redis, listId: string, jobId: string, pageSize = 5000): AsyncGenerator<RowError> {
  const key = jobErrorsKey(listId, jobId);
  for (let start = 0; ; start += pageSize) {
    const page = await redis.lrange(key, start, start + pageSize - 1);
    for (const s of page) yield JSON.parse(s) as RowError;
    if (page.length < pageSize) return;
  }
}
