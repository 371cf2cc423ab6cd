/**
 * Row sources for imports: CSV text (csv-parse, streaming) and XLSX (exceljs'
 * streaming WorkbookReader). Both yield `{ row, cells }` where `row` is the
 * spreadsheet row number (the header is row 1), the number a person sees.
 */
import { Readable } from 'node:stream';
import { parse, CsvError } from 'csv-parse';
import ExcelJS from 'exceljs';
import { ImportFileError } from './decode';

export interface RawRow {
  row: number;
  cells: string[];
}

export const DELIMITERS = [',', ';', '\t', '|'] as const;
export type Delimiter = (typeof DELIMITERS)[number];

/** Picks the delimiter from the header line: the most frequent of , ; TAB | (comma on ties). */
export function sniffDelimiter(firstLine: string): Delimiter {
  let best: Delimiter = ',';
  let bestN = 0;
  for (const d of DELIMITERS) {
    const n = firstLine.split(d).length - 1;
    if (n > bestN) {
      best = d;
      bestN = n;
    }
  }
  return best;
}

async function* withFirstLine(src: AsyncIterable<string>, onLine: (line: string) => void): AsyncGenerator<string> {
  let buf = '';
  let seen = false;
  for await (const t of src) {
    if (seen) {
      yield t;
      continue;
    }
    buf += t;
    const nl = buf.indexOf('\n');
    if (nl >= 0 || buf.length > 65536) {
      seen = true;
      onLine(nl >= 0 ? buf.slice(0, nl) : buf);
      yield buf;
      buf = '';
    }
  }
  if (!seen) {
    onLine(buf);
    if (buf) yield buf;
  }
}

export interface CsvOptions {
  delimiter?: Delimiter;
  /** Longest record (characters) held while parsing; guards memory against an unclosed quote. */
  maxRecordSize: number;
}

function csvFileError(e: unknown, row: number): unknown {
  return e instanceof CsvError ? new ImportFileError(`malformed CSV after row ${row}: ${e.message}`) : e;
}

/**
 * Parses CSV text into batches of rows. The parser is fed chunk by chunk and
 * its records are collected from 'data' events into one array per chunk, so
 * the consumer awaits once per chunk rather than once per record (`on_record`
 * would be simpler but builds an info object per record: measurable at a
 * million rows).
 * Syntax errors (a quote never closed, text after a closing quote, an oversize
 * record) stop the import with the row number: skipping such a record could
 * silently swallow the rows after it.
 */
export async function* csvRows(text: AsyncIterable<string>, opts: CsvOptions): AsyncGenerator<RawRow[]> {
  let delimiter: Delimiter = opts.delimiter ?? ',';
  const src = withFirstLine(text, (line) => {
    if (!opts.delimiter) delimiter = sniffDelimiter(line);
  });
  let out: RawRow[] = [];
  let row = 0;
  let failure: unknown;
  let parser: ReturnType<typeof parse> | undefined;
  for await (const chunk of src) {
    // The first chunk holds the header line, which decided the delimiter.
    if (!parser) {
      parser = parse({ delimiter, relax_column_count: true, skip_empty_lines: true, max_record_size: opts.maxRecordSize });
      parser.on('data', (cells: string[]) => out.push({ row: ++row, cells }));
      parser.on('error', (e) => (failure ??= e));
    }
    parser.write(chunk);
    // Rows parsed before a fault are handed over first: they are kept.
    if (out.length) {
      const batch = out;
      out = [];
      yield batch;
    }
    if (failure) throw csvFileError(failure, row);
  }
  if (!parser) return;
  const p = parser;
  await new Promise<void>((resolve) => {
    p.once('end', resolve);
    p.once('error', () => resolve());
    p.end();
  });
  if (out.length) yield out;
  if (failure) throw csvFileError(failure, row);
}

/** A cell value of exceljs as the text a person sees. */
function cellText(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (v instanceof Date) return v.toISOString();
  if (typeof v === 'object') {
    const o = v as { richText?: { text: string }[]; text?: unknown; result?: unknown; error?: string };
    if (o.richText) return o.richText.map((r) => r.text).join('');
    if (o.text !== undefined) return cellText(o.text);
    if (o.result !== undefined) return cellText(o.result);
    if (o.error) return o.error;
  }
  return String(v);
}

/**
 * Rows of the first worksheet of an XLSX stream. Numbers typed as numbers lose
 * leading zeros in Excel; the template formats the phone column as text.
 */
export async function* xlsxRows(bytes: AsyncIterable<Buffer>, batchSize = 1000): AsyncGenerator<RawRow[]> {
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(Readable.from(bytes), {
    sharedStrings: 'cache',
    hyperlinks: 'ignore',
    styles: 'ignore',
    worksheets: 'emit',
    entries: 'emit',
  });
  let out: RawRow[] = [];
  try {
    for await (const sheet of reader) {
      for await (const r of sheet as unknown as AsyncIterable<ExcelJS.Row>) {
        const values = r.values as unknown[];
        const cells: string[] = [];
        for (let i = 1; i < values.length; i++) cells.push(cellText(values[i]));
        if (cells.every((c) => c === '')) continue;
        out.push({ row: r.number, cells });
        if (out.length >= batchSize) {
          yield out;
          out = [];
        }
      }
      break; // first worksheet only
    }
  } catch (err) {
    if (err instanceof ImportFileError) throw err;
    throw new ImportFileError(`not a readable XLSX workbook: ${(err as Error).message}`);
  }
  if (out.length) yield out;
}
