/**
 * Writes XLSX workbooks part by part as streams, for tests and benchmarks that
 * need files no spreadsheet library would write in bounded memory: a
 * million-row sheet, or a shared-string bomb. Parts are deflated as they are
 * generated (each followed by a data descriptor, APPNOTE.TXT §4.3.9) and the
 * central directory is written at the end, so nothing is held whole.
 * The part order is Excel's: the worksheet before the shared strings.
 */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { createDeflateRaw, crc32 } from 'node:zlib';
import type { Writable } from 'node:stream';

export type PartSource = string | Iterable<string> | AsyncIterable<string>;

class ZipOut {
  private offset = 0;
  private readonly cd: Buffer[] = [];
  constructor(private readonly out: Writable) {}

  private async write(b: Buffer): Promise<void> {
    this.offset += b.length;
    if (!this.out.write(b)) await once(this.out, 'drain');
  }

  async part(name: string, src: PartSource): Promise<void> {
    const nameBuf = Buffer.from(name);
    const start = this.offset;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0808, 6); // data descriptor follows; UTF-8 names
    local.writeUInt16LE(8, 8);
    local.writeUInt16LE(nameBuf.length, 26);
    await this.write(Buffer.concat([local, nameBuf]));
    let crc = 0;
    let size = 0;
    let compressed = 0;
    const deflate = createDeflateRaw({ level: 6 });
    const pending: Buffer[] = [];
    deflate.on('data', (c: Buffer) => pending.push(c));
    const flushOut = async () => {
      while (pending.length) {
        const c = pending.shift()!;
        compressed += c.length;
        await this.write(c);
      }
    };
    const items: Iterable<string> | AsyncIterable<string> = typeof src === 'string' ? [src] : src;
    for await (const s of items) {
      const b = Buffer.from(s);
      crc = crc32(b, crc);
      size += b.length;
      if (!deflate.write(b)) await once(deflate, 'drain');
      await flushOut();
    }
    deflate.end();
    await once(deflate, 'end');
    await flushOut();
    const dd = Buffer.alloc(16);
    dd.writeUInt32LE(0x08074b50, 0);
    dd.writeUInt32LE(crc >>> 0, 4);
    dd.writeUInt32LE(compressed, 8);
    dd.writeUInt32LE(size, 12);
    await this.write(dd);
    const c = Buffer.alloc(46);
    c.writeUInt32LE(0x02014b50, 0);
    c.writeUInt16LE(20, 4);
    c.writeUInt16LE(20, 6);
    c.writeUInt16LE(0x0808, 8);
    c.writeUInt16LE(8, 10);
    c.writeUInt32LE(crc >>> 0, 16);
    c.writeUInt32LE(compressed, 20);
    c.writeUInt32LE(size, 24);
    c.writeUInt16LE(nameBuf.length, 28);
    c.writeUInt32LE(start, 42);
    this.cd.push(Buffer.concat([c, nameBuf]));
  }

  async finish(): Promise<void> {
    const cdStart = this.offset;
    const cd = Buffer.concat(this.cd);
    await this.write(cd);
    const e = Buffer.alloc(22);
    e.writeUInt32LE(0x06054b50, 0);
    e.writeUInt16LE(this.cd.length, 8);
    e.writeUInt16LE(this.cd.length, 10);
    e.writeUInt32LE(cd.length, 12);
    e.writeUInt32LE(cdStart, 16);
    await this.write(e);
  }
}

const xmlEscape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n';
const NS = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
const REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';

/** Column letters of a 0-based index. */
export function columnName(i: number): string {
  let s = '';
  for (let n = i + 1; n > 0; n = Math.floor((n - 1) / 26)) s = String.fromCharCode(65 + ((n - 1) % 26)) + s;
  return s;
}

export interface WorkbookParts {
  /** The worksheet's <sheetData> content (rows), generated in pieces. */
  sheetData: PartSource;
  /** The <si> elements of sharedStrings.xml, generated in pieces (omit for none). */
  sharedStrings?: PartSource;
}

/** Writes a one-sheet workbook to `out` (a file path or a stream). */
export async function writeWorkbook(out: string | Writable, parts: WorkbookParts): Promise<void> {
  const stream = typeof out === 'string' ? createWriteStream(out) : out;
  const z = new ZipOut(stream);
  await z.part(
    '[Content_Types].xml',
    `${XML}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>`,
  );
  await z.part(
    '_rels/.rels',
    `${XML}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="${REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>`,
  );
  await z.part(
    'xl/workbook.xml',
    `${XML}<workbook xmlns="${NS}" xmlns:r="${REL}"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>`,
  );
  await z.part(
    'xl/_rels/workbook.xml.rels',
    `${XML}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="${REL}/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="${REL}/sharedStrings" Target="sharedStrings.xml"/></Relationships>`,
  );
  await z.part('xl/worksheets/sheet1.xml', wrap(`${XML}<worksheet xmlns="${NS}"><sheetData>`, parts.sheetData, '</sheetData></worksheet>'));
  await z.part('xl/sharedStrings.xml', wrap(`${XML}<sst xmlns="${NS}">`, parts.sharedStrings ?? '', '</sst>'));
  await z.finish();
  if (typeof out === 'string') {
    stream.end();
    await once(stream, 'close');
  }
}

async function* wrap(head: string, body: PartSource, tail: string): AsyncGenerator<string> {
  yield head;
  if (typeof body === 'string') yield body;
  else yield* body;
  yield tail;
}

/** A row of inline-string cells, as generators write them. */
export function inlineRow(r: number, cells: string[]): string {
  return `<row r="${r}">${cells.map((v, i) => `<c r="${columnName(i)}${r}" t="inlineStr"><is><t>${xmlEscape(v)}</t></is></c>`).join('')}</row>`;
}

/** `<si>` for one shared string. */
export const si = (s: string) => `<si><t xml:space="preserve">${xmlEscape(s)}</t></si>`;
