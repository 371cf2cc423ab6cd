/**
 * Bulk import of do-not-call numbers from CSV, streamed: rows are parsed,
 * checked and written in batches, so a large file is never held in memory.
 * Valid rows are kept; every bad row is reported (row, column, value, reason).
 */
import type { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import iconv from 'iconv-lite';
import type { Redis } from 'ioredis';
import { makeEntry, putDncEntries, DncInputError, type DncChannel, type DncEntry, type DncScope } from './dnc';

export interface DncImportError {
  row: number;
  column: string;
  value: string;
  reason: string;
}

export interface DncImportReport {
  rows: number;
  added: number;
  updated: number;
  rejected: number;
  ignoredColumns: string[];
  /** The first `maxErrors` row errors; `rejected` counts them all. */
  errors: DncImportError[];
}

/** A file-level problem (no phone column, broken CSV); `report` has what was kept before it. */
export class DncFileError extends Error {
  constructor(
    message: string,
    readonly report: DncImportReport,
  ) {
    super(message);
    this.name = 'DncFileError';
  }
}

/** Header names accepted for each field (seed spreadsheets are often Japanese). */
const HEADERS: Record<'phone' | 'channels' | 'expiresAt' | 'reason', string[]> = {
  phone: ['phone', 'number', 'tel', 'phone_number', '電話番号'],
  channels: ['channels', 'channel'],
  expiresAt: ['expiresat', 'expires_at', 'expires', '有効期限'],
  reason: ['reason', 'note', '理由'],
};

export interface DncImportOptions {
  scope: DncScope;
  region: string;
  actor: string;
  now: Date;
  encoding?: 'utf8' | 'shift_jis';
  batchSize?: number;
  maxErrors?: number;
  maxFieldLength?: number;
}

export async function importDncCsv(redis: Redis, input: Readable, o: DncImportOptions): Promise<DncImportReport> {
  const report: DncImportReport = { rows: 0, added: 0, updated: 0, rejected: 0, ignoredColumns: [], errors: [] };
  const maxErrors = o.maxErrors ?? 1000;
  const batchSize = o.batchSize ?? 1000;
  const source = `import:${o.now.toISOString()}`;
  let batch: DncEntry[] = [];
  const flush = async () => {
    const res = await putDncEntries(redis, o.scope, batch, { actor: o.actor, now: o.now, source });
    for (const r of res) {
      if (r === 'added') report.added++;
      else report.updated++;
    }
    batch = [];
  };
  const reject = (e: DncImportError) => {
    report.rejected++;
    if (report.errors.length < maxErrors) report.errors.push(e);
  };

  const text: AsyncIterable<Buffer | string> = o.encoding === 'shift_jis' ? input.pipe(iconv.decodeStream('cp932')) : input;
  // Records are taken in `on_record` (synchronously, as the parser meets them)
  // rather than read from the stream: a stream that fails discards what it had
  // buffered, and every valid row before a broken line must be kept.
  const queue: { record: string[]; line: number }[] = [];
  let failure: Error | null = null;
  const parser = parse({
    bom: true,
    skip_empty_lines: true,
    trim: true,
    max_record_size: o.maxFieldLength ? o.maxFieldLength * 8 : 8000,
    on_record: (record: string[], ctx: { lines: number }) => {
      queue.push({ record, line: ctx.lines });
      return null;
    },
  });
  parser.on('error', (err) => (failure ??= err));
  parser.resume();
  const ended = new Promise<void>((res) => {
    parser.once('end', res);
    parser.once('error', () => res());
  });
  let columns: Partial<Record<keyof typeof HEADERS, number>> | null = null;
  let header: string[] = [];
  const take = async () => {
    for (const { record, line } of queue.splice(0)) {
      if (!columns) {
        header = record;
        columns = {};
        record.forEach((h, i) => {
          const name = h.trim().toLowerCase();
          const field = (Object.keys(HEADERS) as (keyof typeof HEADERS)[]).find((f) => HEADERS[f].includes(name));
          if (field && columns![field] === undefined) columns![field] = i;
          else report.ignoredColumns.push(h);
        });
        if (columns.phone === undefined)
          throw new DncFileError(`the header row has no phone column (expected one of: ${HEADERS.phone.join(', ')})`, report);
        continue;
      }
      report.rows++;
      const cols = columns;
      const cell = (f: keyof typeof HEADERS) => (cols[f] === undefined ? '' : (record[cols[f]!] ?? ''));
      const long = record.findIndex((v) => o.maxFieldLength !== undefined && v.length > o.maxFieldLength);
      if (long >= 0) {
        reject({
          row: line,
          column: header[long] ?? String(long),
          value: record[long]!.slice(0, 50),
          reason: `longer than ${o.maxFieldLength} characters`,
        });
        continue;
      }
      try {
        const channels = cell('channels')
          ? (cell('channels')
              .split(/[;,\s|]+/)
              .filter(Boolean) as DncChannel[])
          : undefined;
        batch.push(
          makeEntry(
            { phone: cell('phone'), channels, expiresAt: cell('expiresAt') || null, reason: cell('reason') },
            { region: o.region, actor: o.actor, now: o.now },
          ),
        );
      } catch (err) {
        if (!(err instanceof DncInputError)) throw err;
        const col = err.field as keyof typeof HEADERS;
        reject({ row: line, column: cols[col] !== undefined ? header[cols[col]!]! : err.field, value: err.value, reason: err.message });
        continue;
      }
      if (batch.length >= batchSize) await flush();
    }
  };
  try {
    for await (const chunk of text) {
      if (!parser.write(chunk)) await new Promise((res) => (parser.once('drain', res), parser.once('error', res)));
      await take();
      if (failure) break;
    }
    if (!failure) {
      parser.end();
      await ended;
    }
    await take();
  } catch (err) {
    await flush();
    throw err;
  }
  if (failure) {
    await flush();
    throw new DncFileError(`the file is not valid CSV: ${(failure as Error).message}`, report);
  }
  await flush();
  if (!columns) throw new DncFileError('the file is empty: expected a header row with a phone column', report);
  return report;
}
