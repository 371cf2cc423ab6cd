/**
 * Loads a list into a campaign's dial queue. Idempotent (contacts already
 * known keep their attempts), so the runner calls it at start and again
 * whenever the list's contact count changed. The list's
 * order score is kept, so head-of-list contacts (negative scores) go first.
 */
import type { Redis } from 'ioredis';
import { decodeRecord } from '../domain/contact';
import { listKeys } from '../store/lists';
import { DialQueue, type QueueContact } from '../store/dial-queue';

const PAGE = 1000;

export async function syncList(redis: Redis, campaignId: string, listId: string): Promise<number> {
  const q = new DialQueue(redis, campaignId);
  const k = listKeys(listId);
  let added = 0;
  let min = '-inf';
  for (;;) {
    const flat = await redis.zrangebyscore(k.order, min, '+inf', 'WITHSCORES', 'LIMIT', 0, PAGE);
    if (flat.length === 0) break;
    const ids: string[] = [];
    const scores: number[] = [];
    for (let i = 0; i < flat.length; i += 2) {
      ids.push(flat[i]!);
      scores.push(Number(flat[i + 1]));
    }
    const recs = await redis.hmget(k.contacts, ...ids);
    const batch: QueueContact[] = [];
    ids.forEach((id, i) => {
      const json = recs[i];
      if (!json) return;
      const r = decodeRecord(json);
      batch.push({
        contactId: id,
        phone: r.phone ?? '',
        phoneType: r.phoneType ?? 'unknown',
        timeZone: r.timeZone ?? '',
        score: scores[i]!,
      });
    });
    added += await q.enqueue(listId, batch);
    if (ids.length < PAGE) break;
    min = `(${scores[scores.length - 1]}`;
  }
  return added;
}
