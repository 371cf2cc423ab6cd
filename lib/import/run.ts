/**
 * An import job: the file is parsed and validated into batches (pipeline.ts;
 * in a worker thread when the file is big, parse-thread.ts) and each batch is
 * written by one `contactsAdd` script call. Up to `MAX_IN_FLIGHT` batches are
 * sent and unanswered while the next ones are parsed, so Redis, the parser and
 * this thread work at the same time; memory stays bounded by a few batches
 * whatever the file size.
 *
 * All-or-nothing imports reserve rows outside the dial order (a pending zset)
 * and move them in only when the whole file was clean; otherwise they are
 * removed again, so a dialer never sees half an import.
 */
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { ContactField, ProfileName } from '../domain/contact';
import { commitPending, contactsAddPackedArgs, parseFailures, reserveHeadBlock, rollbackPending, type RowFailure } from '../store/contacts';
import { listKeys } from '../store/lists';
import { ImportFileError, limitBytes, type EncodingChoice } from './decode';
import { jobErrorsKey, jobKey, jobPendingKey, jobToHash, MAX_STORED_ERRORS, type ImportJob, type RowError } from './jobs';
import { parseInWorker } from './parse-thread';
import { parseBatches, type ImportFormat, type ParsedBatch, type ParseHooks, type ParseOptions } from './pipeline';
import type { Delimiter } from './rows';
import type { XlsxLimits } from './xlsx/reader';

export { FORMATS, type ImportFormat } from './pipeline';

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
  limits: { maxFieldLength: number; maxAttributes: number; batchSize: number; uploadLimitBytes: number; xlsx?: XlsxLimits };
  now?: () => Date;
  /** The file's size when known beforehand (Content-Length, file size); see `workerFromBytes`. */
  sizeHint?: number;
  /**
   * Files of at least this many bytes (default 1 MiB), or of unknown size,
   * are parsed in a worker thread; smaller ones in this thread, where starting
   * a thread would cost more than it saves. 0 = always a worker.
   */
  workerFromBytes?: number;
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
/** See `ImportRequest.workerFromBytes`. */
const WORKER_FROM_BYTES = 1 << 20;

export class ImportRunner {
  private readonly job: ImportJob;
  private labels: Partial<Record<ContactField, string>> = {};
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
    await redis
      .multi()
      .hset(key, jobToHash(this.job, Date.now()))
      .zadd(listKeys(listId).imports, String(Date.parse(this.job.startedAt)), this.job.id)
      .exec();
    if (this.job.head) this.headBase = await reserveHeadBlock(redis, listId);
    let fileError: ImportFileError | undefined;
    try {
      // A file-level fault is thrown after the batch of the rows read before it: those are written (kept).
      for await (const b of await this.batches()) await this.startFlush(b);
      await this.drain();
    } catch (err) {
      await this.drain().catch(() => undefined);
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

  /** The parsed batches: in this thread for a small file, from a worker thread for a big one. */
  private async batches(): Promise<AsyncIterable<ParsedBatch>> {
    const { req } = this;
    const opts: ParseOptions = {
      profile: req.profile,
      region: req.region,
      format: req.format,
      encoding: req.encoding,
      delimiter: req.delimiter,
      header: req.header,
      mapping: req.mapping,
      limits: {
        maxFieldLength: req.limits.maxFieldLength,
        maxAttributes: req.limits.maxAttributes,
        batchSize: req.limits.batchSize,
        xlsx: req.limits.xlsx,
      },
    };
    const hooks: ParseHooks = {
      onFormat: (f) => (this.job.format = f),
      onEncoding: (e) => (this.job.encoding = e),
      onPlan: (labels) => (this.labels = labels),
    };
    const source = limitBytes(req.source, req.limits.uploadLimitBytes);
    // Not decided by reading ahead: an upload that trickles in must be parsed (and its progress shown) as it comes.
    const small = req.sizeHint !== undefined && req.sizeHint < (req.workerFromBytes ?? WORKER_FROM_BYTES);
    return small ? parseBatches(source, opts, hooks) : parseInWorker(source, opts, hooks);
  }

  private reject(row: number, column: string, value: string, reason: string): void {
    const e = { row, column, value, reason };
    if (this.firstErrors.length < FIRST_ERRORS) this.firstErrors.push(e);
    if (this.job.errorsStored + this.errors.length < MAX_STORED_ERRORS) this.errors.push(e);
  }

  /**
   * Waits until fewer than MAX_IN_FLIGHT batches are unanswered, then sends
   * this one without waiting for it: Redis works on batch N while batch N+1 is
   * parsed, and no more than that is ever held (backpressure on the file).
   */
  private async startFlush(b: ParsedBatch): Promise<void> {
    await this.waitForRoom();
    this.job.rowsRead += b.rowsRead;
    this.job.rejected += b.rejected;
    // Writes run in order (one connection, and each waits for the one before
    // it to be sent), so "first occurrence wins" holds for duplicates.
    const p = this.write(b);
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

  /**
   * Writes one batch, then records its refusals (validation and duplicates
   * together, by row): replies come back in batch order, so the report is in
   * row order whichever thread parsed and however the writes overlapped.
   */
  private async write(b: ParsedBatch): Promise<void> {
    const { redis, listId } = this.req;
    let dups: RowError[] = [];
    if (b.rows.length) {
      const opts = { head: this.job.head, headBase: this.headBase, seqStart: this.seq, pendingKey: this.pendingKey, failuresOnly: true };
      this.seq += b.rows.length;
      const { written, failures } = parseFailures(await redis.contactsAdd(...contactsAddPackedArgs(listId, b.packed, opts)));
      if (failures.length) dups = this.duplicates(b, failures);
      this.job.accepted += written;
    }
    for (const e of byRow(b.errors, dups)) this.reject(e.row, e.column, e.value, e.reason);
    const errors = this.errors;
    this.errors = [];
    const m = redis.multi();
    if (errors.length) m.rpush(jobErrorsKey(listId, this.job.id), ...errors.map((e) => JSON.stringify(e)));
    this.job.errorsStored += errors.length;
    m.hset(jobKey(listId, this.job.id), jobToHash(this.job, Date.now()));
    await m.exec();
  }

  /** Rows the script refused as duplicates, reported as typed. Rare: only then is the packed batch split. */
  private duplicates(b: ParsedBatch, failures: RowFailure[]): RowError[] {
    const packed = b.packed.toString().split('\x1e');
    const labels = this.labels;
    return failures.map((f) => {
      this.job.rejected++;
      const row = b.rows[f.index]!;
      if (f.reason === 'dup-id')
        return { row, column: labels.id ?? 'id', value: f.id, reason: 'duplicate contact ID: the list already has it' };
      const [, phone, record] = packed[f.index]!.split('\x1f');
      const raw = (JSON.parse(record!) as { r: string }).r;
      return {
        row,
        column: labels.phone ?? 'phone',
        value: raw,
        reason: `duplicate phone number: contact ${f.holder} of the list has it (${phone})`,
      };
    });
  }
}

/** Two lists of errors, each in row order, merged in row order. */
function byRow(a: RowError[], b: RowError[]): RowError[] {
  if (!b.length) return a;
  if (!a.length) return b;
  const out: RowError[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (j >= b.length || (i < a.length && a[i]!.row <= b[j]!.row)) out.push(a[i++]!);
    else out.push(b[j++]!);
  }
  return out;
}

/** Runs one import to its end; see `ImportRunner`. */
export function runImport(req: ImportRequest): Promise<ImportOutcome> {
  return new ImportRunner(req).run();
}
