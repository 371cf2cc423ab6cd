/**
 * The CPU half of an import: bytes → (decode) → rows → header plan →
 * validation → batches packed for `contacts-add.lua`. No Redis here, so the
 * same code runs in the request's thread (small files) or in a worker thread
 * (big ones, see parse-thread.ts) while the main thread talks to Redis: on two
 * cores that overlap is what lets a million-row file go in at full speed.
 * Either way the batches are identical, row for row.
 */
import {
  encodeRecord,
  preview,
  validateContact,
  type ContactField,
  type ContactInput,
  type ProfileName,
  type ValidationOptions,
} from '../domain/contact';
import { packRow } from '../store/contacts';
import { decodeText, ImportFileError, peek, type DetectedEncoding, type EncodingChoice } from './decode';
import { planColumns, templatePlan, type ColumnPlan } from './header';
import { MAX_STORED_ERRORS, type RowError } from './jobs';
import { csvRows, xlsxRows, type Delimiter, type RawRow } from './rows';
import type { XlsxLimits } from './xlsx/reader';

export const FORMATS = ['csv', 'xlsx'] as const;
export type ImportFormat = (typeof FORMATS)[number];

/** Everything the parsing half needs; plain data, so it can be sent to a worker. */
export interface ParseOptions {
  profile: ProfileName;
  region: string;
  /** Sniffed from the bytes (XLSX is a ZIP: "PK\3\4") when absent. */
  format?: ImportFormat;
  encoding?: EncodingChoice;
  delimiter?: Delimiter;
  /** false: the file has no header row; columns follow the profile's template. */
  header?: boolean;
  mapping?: Record<string, string>;
  limits: { maxFieldLength: number; maxAttributes: number; batchSize: number; xlsx?: XlsxLimits };
}

/** Valid rows ready for one `contactsAdd` call, and what was refused since the previous batch. */
export interface ParsedBatch {
  /**
   * Rows packed as `contactsAddArgs` packs them (`packRow`, joined by RS); as
   * UTF-8 bytes when it comes from the worker thread (moved, not copied, and
   * kept out of the receiving thread's JS heap).
   */
  packed: string | Buffer;
  /** Spreadsheet row number of each packed row, in order. */
  rows: number[];
  /** Rows read since the previous batch, valid or not. */
  rowsRead: number;
  /** Rows refused by validation since the previous batch. */
  rejected: number;
  /** Their errors; past MAX_STORED_ERRORS in the whole file they are only counted. */
  errors: RowError[];
}

export interface ParseHooks {
  onFormat?(format: ImportFormat): void;
  onEncoding?(encoding: DetectedEncoding | 'xlsx'): void;
  /** The header row was read: the labels used in error reports. */
  onPlan?(labels: Partial<Record<ContactField, string>>): void;
}

/** Raw rows of the file, after the checks that need only its first bytes. */
async function* rawRows(source: AsyncIterable<Buffer>, opts: ParseOptions, hooks: ParseHooks): AsyncGenerator<RawRow[]> {
  const { head, all } = await peek(source, 4);
  const zip = head.length >= 4 && head.readUInt32LE(0) === 0x04034b50;
  const format: ImportFormat = opts.format ?? (zip ? 'xlsx' : 'csv');
  hooks.onFormat?.(format);
  if (format === 'xlsx' && !zip) throw new ImportFileError('format is xlsx but the file is not an XLSX workbook (not a ZIP archive)');
  if (format === 'csv' && zip)
    throw new ImportFileError('format is csv but the file is a ZIP archive (an XLSX workbook?); send it with format=xlsx');
  if (head.length === 0) throw new ImportFileError('file is empty');
  if (format === 'xlsx') {
    hooks.onEncoding?.('xlsx');
    yield* xlsxRows(all, opts.limits.xlsx);
    return;
  }
  const { maxFieldLength, maxAttributes } = opts.limits;
  yield* csvRows(
    decodeText(all, opts.encoding ?? 'auto', (e) => hooks.onEncoding?.(e)),
    { delimiter: opts.delimiter, maxRecordSize: maxFieldLength * (maxAttributes + 8) + 4096 },
  );
}

/** Validates rows one by one into packed batches. */
export class BatchBuilder {
  private readonly vopts: ValidationOptions;
  private packed = '';
  private rows: number[] = [];
  private rowsRead = 0;
  private rejected = 0;
  private errors: RowError[] = [];
  /** Errors handed out so far (whole file), to stop collecting past the store's cap. */
  private errorsOut = 0;

  constructor(
    private readonly plan: ColumnPlan,
    opts: ParseOptions,
  ) {
    this.vopts = {
      profile: opts.profile,
      region: opts.region,
      maxFieldLength: opts.limits.maxFieldLength,
      maxAttributes: opts.limits.maxAttributes,
    };
  }

  /** Rows read into this batch, valid or not. */
  get size(): number {
    return this.rowsRead;
  }

  /** Anything to hand over (valid rows or refusals)? */
  get pending(): boolean {
    return this.rowsRead > 0;
  }

  private reject(row: number, column: string, value: string, reason: string): void {
    if (this.errorsOut + this.errors.length < MAX_STORED_ERRORS) this.errors.push({ row, column, value, reason });
  }

  /** Validates one row; a valid one joins the batch. */
  add(r: RawRow): void {
    this.rowsRead++;
    const { cells } = r;
    const plan = this.plan;
    if (cells.length > plan.width) {
      for (let i = plan.width; i < cells.length; i++) {
        if (cells[i] !== '') {
          this.rejected++;
          this.reject(r.row, `column ${i + 1}`, preview(cells[i]!), `row has ${cells.length} columns; the header has ${plan.width}`);
          return;
        }
      }
    }
    const f = plan.fields;
    const input: ContactInput = {
      id: f.id === undefined ? undefined : cells[f.id],
      phone: (f.phone === undefined ? undefined : cells[f.phone]) ?? '',
      name: f.name === undefined ? undefined : cells[f.name],
      key1: f.key1 === undefined ? undefined : cells[f.key1],
      key2: f.key2 === undefined ? undefined : cells[f.key2],
      timeZone: f.timeZone === undefined ? undefined : cells[f.timeZone],
    };
    const attrs = plan.attributes;
    if (attrs.length) {
      const a: Record<string, string> = {};
      for (let i = 0; i < attrs.length; i++) {
        const v = cells[attrs[i]!.index];
        if (v !== undefined && v !== '') a[attrs[i]!.name] = v;
      }
      input.attributes = a;
    }
    const v = validateContact(input, this.vopts, plan.labels);
    if (!v.ok) {
      this.rejected++;
      for (const e of v.errors) this.reject(r.row, e.column, e.value, e.reason);
      return;
    }
    this.packed += (this.rows.length ? '\x1e' : '') + packRow(v.id, v.record.phone, encodeRecord(v.record));
    this.rows.push(r.row);
  }

  /** Hands over the rows collected so far and starts a new batch. */
  take(): ParsedBatch {
    const b: ParsedBatch = { packed: this.packed, rows: this.rows, rowsRead: this.rowsRead, rejected: this.rejected, errors: this.errors };
    this.errorsOut += this.errors.length;
    this.packed = '';
    this.rows = [];
    this.rowsRead = 0;
    this.rejected = 0;
    this.errors = [];
    return b;
  }
}

/**
 * The file as batches of at most `limits.batchSize` rows read. A file-level
 * fault (ImportFileError) is thrown after the batch holding every row read
 * before it was yielded, so those rows are kept.
 */
export async function* parseBatches(
  source: AsyncIterable<Buffer>,
  opts: ParseOptions,
  hooks: ParseHooks = {},
): AsyncGenerator<ParsedBatch> {
  let builder: BatchBuilder | undefined;
  const max = opts.limits.batchSize;
  try {
    for await (const rows of rawRows(source, opts, hooks)) {
      let i = 0;
      if (!builder && rows.length) {
        const plan =
          opts.header === false
            ? templatePlan(opts.profile)
            : planColumns(rows[i++]!.cells, { mapping: opts.mapping, maxAttributes: opts.limits.maxAttributes });
        hooks.onPlan?.(plan.labels);
        builder = new BatchBuilder(plan, opts);
      }
      for (; i < rows.length; i++) {
        builder!.add(rows[i]!);
        // Counting rows read (not only valid ones) keeps progress moving through a file of bad rows.
        if (builder!.size >= max) yield builder!.take();
      }
    }
  } catch (err) {
    if (err instanceof ImportFileError && builder?.pending) yield builder.take();
    throw err;
  }
  if (!builder) throw new ImportFileError('file has no rows');
  if (builder.pending) yield builder.take();
}
