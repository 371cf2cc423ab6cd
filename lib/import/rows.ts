/**
 * Row sources for imports: CSV text (csv-parse, streaming) and XLSX (our own
 * bounded reader, xlsx/). Both yield `{ row, cells }` where `row` is the
 * spreadsheet row number (the header is row 1), the number a person sees.
 */
import { parse, CsvError } from 'csv-parse';
import { ImportFileError } from './decode';
import { DEFAULT_XLSX_LIMITS, readXlsxRows, type XlsxLimits } from './xlsx/reader';
import type { RawRow } from './raw-row';

export type { RawRow };

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
  // A parser that has failed (a record over max_record_size in the last chunk: its error comes after that
  // write returns) is destroyed and never emits 'end': waiting for it alone hung the upload for ever.
  await new Promise<void>((resolve) => {
    if (p.destroyed) return resolve();
    p.once('end', resolve);
    p.once('error', () => resolve());
    p.once('close', resolve);
    p.end();
  });
  if (out.length) yield out;
  if (failure) throw csvFileError(failure, row);
}

/**
 * Rows of the first worksheet of an XLSX stream, in bounded memory with the
 * limits enforced while reading (xlsx/reader.ts). Numbers typed as numbers
 * lose leading zeros in Excel; the template formats the phone column as text.
 */
export function xlsxRows(
  bytes: AsyncIterable<Buffer>,
  limits: XlsxLimits = DEFAULT_XLSX_LIMITS,
  batchSize = 1000,
): AsyncGenerator<RawRow[]> {
  return readXlsxRows(bytes, limits, batchSize);
}
