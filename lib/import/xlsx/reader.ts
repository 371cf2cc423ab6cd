/**
 * Rows of an XLSX workbook's first worksheet, read in bounded memory with
 * limits enforced while reading (see XlsxLimits; each error names its key):
 *
 * - the upload is spooled to a temporary file (bounded by api.uploadLimitBytes)
 *   and read through its central directory (zip.ts);
 * - every entry is inflated as a stream, within a total and a ratio budget;
 * - shared strings (ECMA-376 Part 1 §18.4) are kept, each at most
 *   `maxCellChars`, all together at most `maxSharedStringsChars`;
 * - the sheet (§18.3.1) is scanned row by row: a row beyond `maxRows`, a cell
 *   beyond `maxColumns` or longer than `maxCellChars` stops the file.
 *
 * Cell text is what a person sees without formatting: shared and inline
 * strings (phonetic runs <rPh> left out), numbers as JavaScript prints them
 * (so 9012345678 stays digits), booleans true/false, formulas' cached result.
 */
import { createWriteStream } from 'node:fs';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import { ImportFileError } from '../decode';
import type { RawRow } from '../raw-row';
import { SharedStrings } from './strings';
import { XmlScanner, attr, decodeXml, decodeXstring, type XmlHandler } from './xml';
import { entryBytes, readCentralDirectory, type InflateLimits, type ZipEntry } from './zip';
import type { FileHandle } from 'node:fs/promises';

export interface XlsxLimits extends InflateLimits {
  /** Longest cell text, characters (Excel's own limit is 32,767). */
  maxCellChars: number;
  /** All shared strings together, characters. */
  maxSharedStringsChars: number;
  /** Columns a row may use (a cell in a later column stops the file). */
  maxColumns: number;
  /** Rows of the sheet, header included. */
  maxRows: number;
}

export const DEFAULT_XLSX_LIMITS: XlsxLimits = {
  maxCellChars: 32_767,
  maxSharedStringsChars: 64 << 20,
  maxColumns: 1024,
  maxRows: 1_048_576,
  maxUnzippedBytes: 4 * 2 ** 30,
  maxExpansionRatio: 200,
};

const tooBig = (msg: string) => new ImportFileError(msg, 'PAYLOAD_TOO_LARGE');

/** Writes the upload to a file of its own; returns its path and size. */
async function spool(bytes: AsyncIterable<Buffer>, path: string): Promise<number> {
  const out = createWriteStream(path, { flags: 'wx', mode: 0o600 });
  let size = 0;
  try {
    for await (const chunk of bytes) {
      size += chunk.length;
      if (!out.write(chunk)) await once(out, 'drain');
    }
  } finally {
    out.end();
    await once(out, 'close');
  }
  return size;
}

class Archive {
  readonly budget = { used: 0 };
  constructor(
    readonly path: string,
    readonly fh: FileHandle,
    readonly size: number,
    readonly entries: Map<string, ZipEntry>,
    readonly limits: XlsxLimits,
  ) {}

  /** Feeds an entry's XML to a handler, chunk by chunk. */
  async scan(name: string, h: XmlHandler): Promise<void> {
    for await (const _ of this.scanRows<never>(name, h, () => [])) void _;
  }

  /** Like `scan`, yielding what `drain` collects after each chunk. */
  async *scanRows<T>(name: string, h: XmlHandler, drain: () => T[]): AsyncGenerator<T> {
    const e = this.entries.get(name);
    if (!e) throw new ImportFileError(`not a readable XLSX workbook: it has no ${name}`);
    const scanner = new XmlScanner(name, h);
    const dec = new TextDecoder('utf-8');
    for await (const chunk of entryBytes(this.path, this.fh, this.size, e, this.limits, this.budget)) {
      scanner.write(dec.decode(chunk, { stream: true }));
      for (const x of drain()) yield x;
    }
    scanner.write(dec.decode());
    scanner.end();
    for (const x of drain()) yield x;
  }
}

/** Resolves a relationship target against the part holding it (OPC, ECMA-376 Part 2 §9.3). */
function resolveTarget(base: string, target: string): string {
  if (target.startsWith('/')) return target.slice(1);
  return posix.normalize(posix.join(posix.dirname(base), target));
}

/** The first worksheet's part and the shared-strings part, from workbook.xml and its relationships. */
async function locateParts(a: Archive): Promise<{ sheet: string; sharedStrings?: string }> {
  let wbPart = 'xl/workbook.xml';
  const rootRels: Record<string, string> = {};
  if (a.entries.has('_rels/.rels')) {
    await a.scan('_rels/.rels', relsHandler(rootRels, 'officeDocument'));
    if (rootRels.target) wbPart = resolveTarget('', rootRels.target);
  }
  let firstSheetRid: string | undefined;
  await a.scan(wbPart, {
    open(name, attrs) {
      if (name === 'sheet' && firstSheetRid === undefined) firstSheetRid = attr(attrs, 'r:id') ?? attr(attrs, 'id');
    },
    close() {},
    text() {},
  });
  if (!firstSheetRid) throw new ImportFileError('not a readable XLSX workbook: it has no worksheet');
  const relsPart = posix.join(posix.dirname(wbPart), '_rels', `${posix.basename(wbPart)}.rels`);
  const byId = new Map<string, { type: string; target: string }>();
  await a.scan(relsPart, {
    open(name, attrs) {
      if (name !== 'Relationship') return;
      const id = attr(attrs, 'Id');
      const target = attr(attrs, 'Target');
      if (id && target) byId.set(id, { type: attr(attrs, 'Type') ?? '', target });
    },
    close() {},
    text() {},
  });
  const sheetRel = byId.get(firstSheetRid);
  if (!sheetRel) throw new ImportFileError(`not a readable XLSX workbook: the first sheet's relationship ${firstSheetRid} is missing`);
  const ss = [...byId.values()].find((r) => r.type.endsWith('/sharedStrings'));
  const sharedStrings = ss ? resolveTarget(wbPart, ss.target) : a.entries.has('xl/sharedStrings.xml') ? 'xl/sharedStrings.xml' : undefined;
  return {
    sheet: resolveTarget(wbPart, sheetRel.target),
    sharedStrings: sharedStrings && a.entries.has(sharedStrings) ? sharedStrings : undefined,
  };
}

function relsHandler(out: Record<string, string>, typeSuffix: string): XmlHandler {
  return {
    open(name, attrs) {
      if (name === 'Relationship' && !out.target && (attr(attrs, 'Type') ?? '').endsWith(`/${typeSuffix}`))
        out.target = attr(attrs, 'Target') ?? '';
    },
    close() {},
    text() {},
  };
}

/**
 * Collects the text of <t> elements outside phonetic runs, within `maxCellChars`.
 * Raw text is at most 10 times longer than its decoded form (`&#x10FFFF;`).
 */
class TextCollector {
  private raw = '';
  private decoded = 0;
  parts: string[] = [];
  constructor(
    private readonly maxChars: number,
    private readonly where: () => string,
  ) {}
  add(s: string): void {
    this.raw += s;
    if (this.raw.length > this.maxChars * 10) this.fail();
  }
  /** Ends one <t>. */
  flush(): void {
    const t = decodeXstring(decodeXml(this.raw));
    this.raw = '';
    this.decoded += t.length;
    if (this.decoded > this.maxChars) this.fail();
    this.parts.push(t);
  }
  take(): string {
    const s = this.parts.length === 1 ? this.parts[0]! : this.parts.join('');
    this.parts = [];
    this.decoded = 0;
    return s;
  }
  private fail(): never {
    throw tooBig(`${this.where()} is longer than ${this.maxChars} characters (import.xlsx.maxCellChars)`);
  }
}

async function readSharedStrings(a: Archive, part: string): Promise<SharedStrings> {
  const strings = new SharedStrings();
  let total = 0;
  let inSi = false;
  let inT = false;
  let rph = 0;
  const text = new TextCollector(a.limits.maxCellChars, () => `shared string ${strings.length}`);
  await a.scan(part, {
    open(name) {
      if (name === 'si') inSi = true;
      else if (name === 'rPh') rph++;
      else if (name === 't' && inSi && rph === 0) inT = true;
    },
    close(name) {
      if (name === 't' && inT) {
        inT = false;
        text.flush();
      } else if (name === 'rPh') rph--;
      else if (name === 'si') {
        inSi = false;
        const s = text.take();
        total += s.length;
        if (total > a.limits.maxSharedStringsChars)
          throw tooBig(`the shared strings exceed ${a.limits.maxSharedStringsChars} characters (import.xlsx.maxSharedStringsChars)`);
        strings.push(s);
      }
    },
    text(raw) {
      if (inT) text.add(raw);
    },
  });
  return strings;
}

/** "BC12" → 54 (0-based column of a cell reference). */
function columnOf(ref: string): number {
  let col = 0;
  for (let i = 0; i < ref.length; i++) {
    const c = ref.charCodeAt(i);
    if (c >= 65 && c <= 90) col = col * 26 + (c - 64);
    else if (c >= 97 && c <= 122) col = col * 26 + (c - 96);
    else break;
    if (col > 1e6) break;
  }
  return col - 1;
}

function numberText(v: string): string {
  const n = Number(v);
  return v !== '' && Number.isFinite(n) ? String(n) : v;
}

/** Sheet XML → rows, collected into batches the caller drains after each chunk. */
class SheetRows implements XmlHandler {
  out: RawRow[] = [];
  private rowNum = 0;
  private rowsSeen = 0;
  private cells: string[] = [];
  private col = -1;
  private type = '';
  private collecting = false;
  private inIs = 0;
  private rph = 0;
  private readonly buf: TextCollector;

  constructor(
    private readonly shared: SharedStrings,
    private readonly limits: XlsxLimits,
  ) {
    this.buf = new TextCollector(limits.maxCellChars, () => `the cell in row ${this.rowNum}, column ${this.col + 1}`);
  }

  open(name: string, attrs: string): void {
    switch (name) {
      case 'row': {
        const r = attr(attrs, 'r');
        this.rowNum = r ? Number(r) : this.rowNum + 1;
        if (!Number.isSafeInteger(this.rowNum) || this.rowNum < 1)
          throw new ImportFileError(`not a readable XLSX workbook: row number ${r} is not valid`);
        if (++this.rowsSeen > this.limits.maxRows)
          throw tooBig(`the worksheet has more than ${this.limits.maxRows} rows (import.xlsx.maxRows)`);
        this.cells = [];
        this.col = -1;
        return;
      }
      case 'c': {
        const ref = attr(attrs, 'r');
        this.col = ref ? columnOf(ref) : this.col + 1;
        if (this.col < 0)
          throw new ImportFileError(`not a readable XLSX workbook: cell reference ${ref} in row ${this.rowNum} is not valid`);
        if (this.col >= this.limits.maxColumns)
          throw tooBig(
            `row ${this.rowNum} has a cell in column ${this.col + 1}; at most ${this.limits.maxColumns} columns are read (import.xlsx.maxColumns)`,
          );
        this.type = attr(attrs, 't') ?? 'n';
        return;
      }
      case 'v':
        this.collecting = true;
        return;
      case 'is':
        this.inIs++;
        return;
      case 'rPh':
        this.rph++;
        return;
      case 't':
        if (this.inIs && this.rph === 0) this.collecting = true;
        return;
    }
  }

  close(name: string): void {
    switch (name) {
      case 'v':
      case 't':
        if (this.collecting) {
          this.collecting = false;
          this.buf.flush();
        }
        return;
      case 'is':
        this.inIs--;
        return;
      case 'rPh':
        this.rph--;
        return;
      case 'c': {
        const raw = this.buf.take();
        this.cells[this.col] = this.cellText(raw);
        return;
      }
      case 'row': {
        const cells = this.cells;
        let any = false;
        for (let i = 0; i < cells.length; i++) {
          if (cells[i] === undefined) cells[i] = '';
          else if (cells[i] !== '') any = true;
        }
        if (any) this.out.push({ row: this.rowNum, cells });
        return;
      }
    }
  }

  text(raw: string): void {
    if (this.collecting) this.buf.add(raw);
  }

  private cellText(v: string): string {
    switch (this.type) {
      case 's': {
        const s = this.shared.get(Number(v));
        if (s === undefined)
          throw new ImportFileError(
            `not a readable XLSX workbook: the cell in row ${this.rowNum}, column ${this.col + 1} refers to shared string ${v}, which does not exist`,
          );
        return s;
      }
      case 'n':
        return numberText(v);
      case 'b':
        return v === '1' ? 'true' : v === '0' ? 'false' : v;
      default: // str (formula text), inlineStr, e (error such as #N/A), d (ISO date)
        return v;
    }
  }
}

/**
 * Rows of the first worksheet of an XLSX stream, in batches of about
 * `batchSize` (one per inflated chunk at most). Rows with no text are skipped.
 */
export async function* readXlsxRows(
  bytes: AsyncIterable<Buffer>,
  limits: XlsxLimits = DEFAULT_XLSX_LIMITS,
  batchSize = 1000,
): AsyncGenerator<RawRow[]> {
  const dir = await mkdtemp(join(tmpdir(), 'dialer-xlsx-'));
  const path = join(dir, 'upload.xlsx');
  let fh: FileHandle | undefined;
  try {
    // Errors of the upload itself (too large, connection lost) pass as they are.
    const size = await spool(bytes, path);
    if (size === 0) throw new ImportFileError('file is empty');
    fh = await open(path, 'r');
    const a = new Archive(path, fh, size, await readCentralDirectory(fh, size), limits);
    const parts = await locateParts(a);
    const shared = parts.sharedStrings ? await readSharedStrings(a, parts.sharedStrings) : new SharedStrings();
    const sheet = new SheetRows(shared, limits);
    const drain = (): RawRow[][] => {
      if (sheet.out.length < batchSize) return [];
      const b = sheet.out;
      sheet.out = [];
      return [b];
    };
    try {
      for await (const b of a.scanRows(parts.sheet, sheet, drain)) yield b;
    } catch (err) {
      // Rows read before a fault are handed over first (kept, as for CSV).
      if (sheet.out.length) yield sheet.out;
      throw err;
    }
    if (sheet.out.length) yield sheet.out;
  } finally {
    await fh?.close();
    await rm(dir, { recursive: true, force: true });
  }
}
