/**
 * The import pipeline: bytes → (decode) → rows → header plan → validation →
 * batches of `import.batchSize` rows written by one Lua call each. One batch
 * is in flight while the next is parsed, so Redis and parsing overlap; memory
 * stays bounded by a couple of batches whatever the file size.
 *
 * All-or-nothing imports reserve rows outside the dial order (a pending zset)
 * and move them in only when the whole file was clean; otherwise they are
 * removed again, so a dialer never sees half an import.
 */
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { encodeRecord, validateContact, preview, type ContactField, type ContactInput, type ProfileName, type ValidationOptions } from '../domain/contact';
import { commitPending, contactsAddArgs, parseStatuses, reserveHeadBlock, rollbackPending, type StoredRow } from '../store/contacts';
import { listKeys } from '../store/lists';
import { decodeText, ImportFileError, limitBytes, peek, type EncodingChoice } from './decode';
import { planColumns, templatePlan, type ColumnPlan } from './header';
import { jobErrorsKey, jobKey, jobPendingKey, jobToHash, MAX_STORED_ERRORS, type ImportJob, type RowError } from './jobs';
import { csvRows, xlsxRows, type Delimiter, type RawRow } from './rows';

export const FORMATS = ['csv', 'xlsx'] as const;
export type ImportFormat = (typeof FORMATS)[number];

export interface ImportRequest {
  redis: Redis;
  listId: string;
  profile: ProfileName;
  source: AsyncIterable<Buffer>;
  /** Sniffed from the bytes (XLSX is a ZIP: "PK\3\4") when absent. */
  format?: ImportFormat;
  encoding?: EncodingChoice;
  delimiter?: Delimiter;
  /** false: the file has no header row; columns follow the profile's template. */
  header?: boolean;
  mapping?: Record<string, string>;
  head?: boolean;
  allOrNothing?: boolean;
  jobId?: string;
  region: string;
  limits: { maxFieldLength: number; maxAttributes: number; batchSize: number; uploadLimitBytes: number };
  now?: () => Date;
}

export interface ImportOutcome {
  job: ImportJob;
  /** File-level failure, if any (the job's state is then `failed`). */
  fileError?: ImportFileError;
  /** First row errors, for the immediate answer; the full report is downloadable. */
  firstErrors: RowError[];
}

const FIRST_ERRORS = 20;
/** Batches sent to Redis and not yet answered: enough to keep Redis busy while the next batch is parsed. */
const MAX_IN_FLIGHT = 2;

export class ImportRunner {
  private readonly job: ImportJob;
  private readonly vopts: ValidationOptions;
  private plan!: ColumnPlan;
  private batch: StoredRow[] = [];
  private batchRows: number[] = [];
  /** The phone cell as typed, for duplicate reports. */
  private batchRaw: string[] = [];
  private errors: RowError[] = [];
  private readonly firstErrors: RowError[] = [];
  private queue: Promise<void>[] = [];
  private headBase = 0;
  private seq = 0;
  private readonly pendingKey: string | undefined;
  private readonly now: () => Date;

  constructor(private readonly req: ImportRequest) {
    this.now = req.now ?? (() => new Date());
    this.job = {
      id: req.jobId ?? randomUUID(),
      listId: req.listId,
      state: 'running',
      format: req.format ?? '',
      encoding: '',
      head: req.head ?? false,
      allOrNothing: req.allOrNothing ?? false,
      rowsRead: 0,
      accepted: 0,
      rejected: 0,
      errorsStored: 0,
      startedAt: this.now().toISOString(),
      finishedAt: null,
      error: null,
    };
    this.vopts = { profile: req.profile, region: req.region, maxFieldLength: req.limits.maxFieldLength, maxAttributes: req.limits.maxAttributes };
    this.pendingKey = this.job.allOrNothing ? jobPendingKey(req.listId, this.job.id) : undefined;
  }

  get id(): string {
    return this.job.id;
  }

  /** Registers the job (visible at once) and streams the file into the list. */
  async run(): Promise<ImportOutcome> {
    const { redis, listId } = this.req;
    const key = jobKey(listId, this.job.id);
    if (await redis.exists(key)) throw new ImportFileError(`import job ${this.job.id} already exists`);
    await redis.multi().hset(key, jobToHash(this.job, Date.now())).zadd(listKeys(listId).imports, String(Date.parse(this.job.startedAt)), this.job.id).exec();
    if (this.job.head) this.headBase = await reserveHeadBlock(redis, listId);
    let fileError: ImportFileError | undefined;
    try {
      for await (const rows of this.rows()) {
        for (const r of rows) if (this.onRow(r)) await this.startFlush();
      }
      await this.startFlush();
      await this.drain();
    } catch (err) {
      // Valid rows read before a file-level fault are kept (rolled back below when all-or-nothing).
      if (err instanceof ImportFileError) await this.startFlush().then(() => this.drain()).catch(() => undefined);
      else await this.drain().catch(() => undefined);
      if (!(err instanceof ImportFileError)) {
        this.job.state = 'failed';
        this.job.error = `internal error: ${(err as Error).message}`;
        await this.finish();
        throw err;
      }
      fileError = err;
    }
    if (fileError) {
      this.job.state = 'failed';
      this.job.error = fileError.message;
      if (this.pendingKey) await this.rollback();
    } else if (this.pendingKey && this.job.rejected > 0) {
      this.job.state = 'rolled-back';
      this.job.error = `${this.job.rejected} row(s) rejected; nothing was imported (allOrNothing)`;
      await this.rollback();
    } else {
      if (this.pendingKey) await commitPending(redis, listId, this.pendingKey);
      this.job.state = 'completed';
    }
    await this.finish();
    return { job: { ...this.job }, fileError, firstErrors: this.firstErrors };
  }

  private async rollback(): Promise<void> {
    await rollbackPending(this.req.redis, this.req.listId, this.pendingKey!);
    this.job.accepted = 0;
  }

  private async finish(): Promise<void> {
    this.job.finishedAt = this.now().toISOString();
    await this.req.redis.hset(jobKey(this.req.listId, this.job.id), jobToHash(this.job, Date.now()));
  }

  private async *rows(): AsyncGenerator<RawRow[]> {
    const { limits } = this.req;
    const { head, all } = await peek(limitBytes(this.req.source, limits.uploadLimitBytes), 4);
    const zip = head.length >= 4 && head.readUInt32LE(0) === 0x04034b50;
    const format: ImportFormat = this.req.format ?? (zip ? 'xlsx' : 'csv');
    this.job.format = format;
    if (format === 'xlsx' && !zip) throw new ImportFileError('format is xlsx but the file is not an XLSX workbook (not a ZIP archive)');
    if (format === 'csv' && zip) throw new ImportFileError('format is csv but the file is a ZIP archive (an XLSX workbook?); send it with format=xlsx');
    if (head.length === 0) throw new ImportFileError('file is empty');
    const rows =
      format === 'xlsx'
        ? xlsxRows(all)
        : csvRows(
            decodeText(all, this.req.encoding ?? 'auto', (e) => (this.job.encoding = e)),
            { delimiter: this.req.delimiter, maxRecordSize: limits.maxFieldLength * (limits.maxAttributes + 8) + 4096 },
          );
    if (format === 'xlsx') this.job.encoding = 'xlsx';
    let first = true;
    for await (const batch of rows) {
      if (first && batch.length) {
        first = false;
        if (this.req.header === false) this.plan = templatePlan(this.req.profile);
        else this.plan = planColumns(batch.shift()!.cells, { mapping: this.req.mapping, maxAttributes: limits.maxAttributes });
      }
      yield batch;
    }
    if (first) throw new ImportFileError('file has no rows');
  }

  private reject(row: number, column: string, value: string, reason: string): void {
    const e = { row, column, value, reason };
    if (this.firstErrors.length < FIRST_ERRORS) this.firstErrors.push(e);
    if (this.job.errorsStored + this.errors.length < MAX_STORED_ERRORS) this.errors.push(e);
  }

  /** Validates one row into the current batch; true when the batch is full. */
  private onRow(r: RawRow): boolean {
    this.job.rowsRead++;
    const { cells } = r;
    const plan = this.plan;
    if (cells.length > plan.width) {
      for (let i = plan.width; i < cells.length; i++) {
        if (cells[i] !== '') {
          this.job.rejected++;
          this.reject(r.row, `column ${i + 1}`, preview(cells[i]!), `row has ${cells.length} columns; the header has ${plan.width}`);
          return false;
        }
      }
    }
    const f = plan.fields;
    const cell = (k: ContactField) => {
      const i = f[k];
      return i === undefined ? undefined : cells[i];
    };
    const input: ContactInput = { id: cell('id'), phone: cell('phone') ?? '', name: cell('name'), key1: cell('key1'), key2: cell('key2'), timeZone: cell('timeZone') };
    if (plan.attributes.length) {
      const a: Record<string, string> = {};
      for (const { name, index } of plan.attributes) {
        const v = cells[index];
        if (v !== undefined && v !== '') a[name] = v;
      }
      input.attributes = a;
    }
    const v = validateContact(input, this.vopts, plan.labels);
    if (!v.ok) {
      this.job.rejected++;
      for (const e of v.errors) this.reject(r.row, e.column, e.value, e.reason);
      return false;
    }
    this.batch.push({ id: v.id, phone: v.record.phone, record: encodeRecord(v.record) });
    this.batchRows.push(r.row);
    this.batchRaw.push(v.record.rawPhone);
    return this.batch.length >= this.req.limits.batchSize;
  }

  /**
   * Waits for the batch in flight, then sends the current one without waiting
   * for it: Redis works on batch N while batch N+1 is parsed, and no more than
   * that is ever held (backpressure on the file stream).
   */
  private async startFlush(): Promise<void> {
    await this.waitForRoom();
    const rows = this.batch;
    const rowNums = this.batchRows;
    const raws = this.batchRaw;
    const errors = this.errors;
    this.batch = [];
    this.batchRows = [];
    this.batchRaw = [];
    this.errors = [];
    // Writes run in order (one connection, and each waits for the one before
    // it to be sent), so "first occurrence wins" holds for duplicates.
    const p = this.write(rows, rowNums, raws, errors);
    p.catch(() => undefined); // awaited later; this only keeps Node from calling it unhandled meanwhile
    this.queue.push(p);
  }

  /** At most MAX_IN_FLIGHT batches are sent and not yet answered; a failure surfaces here. */
  private async waitForRoom(): Promise<void> {
    while (this.queue.length >= MAX_IN_FLIGHT) await this.queue.shift();
  }

  /** Waits for every batch sent. */
  private async drain(): Promise<void> {
    while (this.queue.length) await this.queue.shift();
  }

  private async write(rows: StoredRow[], rowNums: number[], raws: string[], errors: RowError[]): Promise<void> {
    const { redis, listId } = this.req;
    if (rows.length) {
      const opts = { head: this.job.head, headBase: this.headBase, seqStart: this.seq, pendingKey: this.pendingKey };
      this.seq += rows.length;
      const out = await redis.contactsAdd(...contactsAddArgs(listId, rows, opts));
      const statuses = parseStatuses(out);
      const labels = this.plan.labels;
      statuses.forEach((s, i) => {
        if (s.ok) return;
        this.job.rejected++;
        if (s.reason === 'dup-id') this.reject(rowNums[i]!, labels.id ?? 'id', s.id, 'duplicate contact ID: the list already has it');
        else this.reject(rowNums[i]!, labels.phone ?? 'phone', raws[i]!, `duplicate phone number: contact ${s.holder} of the list has it (${rows[i]!.phone})`);
      });
      this.job.accepted += Number(out[0]);
    }
    // Errors found in this write were pushed to this.errors; take them with the batch's own.
    errors.push(...this.errors.splice(0));
    const m = redis.multi();
    if (errors.length) m.rpush(jobErrorsKey(listId, this.job.id), ...errors.map((e) => JSON.stringify(e)));
    this.job.errorsStored += errors.length;
    m.hset(jobKey(listId, this.job.id), jobToHash(this.job, Date.now()));
    await m.exec();
  }
}

/** Runs one import to its end; see `ImportRunner`. */
export function runImport(req: ImportRequest): Promise<ImportOutcome> {
  return new ImportRunner(req).run();
}
