/**
 * Re-list over the store: scans source lists page by page in dial order,
 * filters with the pure `matchesRelist`, and adds hits to the target list in
 * batches through the same script as imports (duplicates refused there).
 */
import type { Redis } from 'ioredis';
import { encodeRecord, type Contact } from '../domain/contact';
import { addContacts, iterateContacts, type StoredRow } from './contacts';

export interface RelistQuery {
  lastResult?: number[];
  attempts?: { min?: number; max?: number };
  phoneType?: string[];
  attributes?: Record<string, string>;
}

/** Whether a contact matches every given criterion. */
export function matchesRelist(c: Contact, q: RelistQuery): boolean {
  if (q.lastResult && (c.lastResult === null || !q.lastResult.includes(c.lastResult))) return false;
  if (q.attempts?.min !== undefined && c.attempts < q.attempts.min) return false;
  if (q.attempts?.max !== undefined && c.attempts > q.attempts.max) return false;
  if (q.phoneType && !q.phoneType.includes(c.phoneType)) return false;
  if (q.attributes) for (const [k, v] of Object.entries(q.attributes)) if (c.attributes[k] !== v) return false;
  return true;
}

export async function buildRelist(
  redis: Redis,
  o: { sources: string[]; target: string; where: RelistQuery; batchSize: number },
): Promise<{ scanned: number; matched: number; added: number; duplicates: number }> {
  let scanned = 0;
  let matched = 0;
  let added = 0;
  let duplicates = 0;
  let batch: StoredRow[] = [];
  const flush = async () => {
    if (!batch.length) return;
    const r = await addContacts(redis, o.target, batch);
    added += r.written;
    duplicates += batch.length - r.written;
    batch = [];
  };
  for (const src of o.sources) {
    for await (const c of iterateContacts(redis, src)) {
      scanned++;
      if (!matchesRelist(c, o.where)) continue;
      matched++;
      const { id, attempts: _a, lastResult: _r, lastAttemptAt: _l, firstAttemptAt: _f, ...record } = c;
      batch.push({ id, phone: record.phone, record: encodeRecord(record) });
      if (batch.length >= o.batchSize) await flush();
    }
  }
  await flush();
  return { scanned, matched, added, duplicates };
}
