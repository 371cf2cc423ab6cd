import t from 'tap';
import { PassThrough } from 'node:stream';
import ExcelJS from 'exceljs';
import { readXlsxRows, DEFAULT_XLSX_LIMITS, type XlsxLimits } from '../../../lib/import/xlsx/reader';
import type { RawRow } from '../../../lib/import/rows';
import { inlineRow, si, writeWorkbook, type WorkbookParts } from '../../helpers/xlsx-writer';

async function* chunks(buf: Buffer, size = 777): AsyncGenerator<Buffer> {
  for (let i = 0; i < buf.length; i += size) yield buf.subarray(i, i + size);
}

async function workbook(parts: WorkbookParts): Promise<Buffer> {
  const out = new PassThrough();
  const bufs: Buffer[] = [];
  out.on('data', (b: Buffer) => bufs.push(b));
  await writeWorkbook(out, parts);
  return Buffer.concat(bufs);
}

async function rows(buf: Buffer, limits: Partial<XlsxLimits> = {}): Promise<RawRow[]> {
  const out: RawRow[] = [];
  for await (const b of readXlsxRows(chunks(buf), { ...DEFAULT_XLSX_LIMITS, ...limits }, 2)) out.push(...b);
  return out;
}

t.test('a workbook written by exceljs: first sheet, shared strings, rich text, numbers, booleans, formulas, gaps', async (t) => {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('対象');
  ws.addRow(['電話番号', '名前', 'n', 'b', 'f']);
  ws.addRow(['09012345678', { richText: [{ text: '山田 ' }, { text: '太郎' }] }, 9012345678, true, { formula: '1+1', result: 2 }]);
  ws.addRow([]);
  ws.getCell('A4').value = '0312345678';
  ws.getCell('E4').value = 'a & <b> "c"';
  wb.addWorksheet('other').addRow(['not this one']);
  const buf = Buffer.from(await wb.xlsx.writeBuffer());
  t.same(await rows(buf), [
    { row: 1, cells: ['電話番号', '名前', 'n', 'b', 'f'] },
    { row: 2, cells: ['09012345678', '山田 太郎', '9012345678', 'true', '2'] },
    { row: 4, cells: ['0312345678', '', '', '', 'a & <b> "c"'] },
  ]);
});

t.test('Excel details: phonetic runs left out, _xHHHH_ and character references decoded, inline strings, prefixed tags', async (t) => {
  const buf = await workbook({
    sharedStrings: `<si><t>山田</t><rPh sb="0" eb="2"><t>ヤマダ</t></rPh></si><si><r><t>line&#10;one_x000D_</t></r><r><t xml:space="preserve"> two</t></r></si>${si('x')}`,
    sheetData: `<row r="1"><c r="A1" t="s"><v>0</v></c><c r="C1" t="s"><v>1</v></c></row><row r="2" spans="1:2"><c r="B2" t="inlineStr"><is><t>in&amp;line</t></is></c><c r="C2" t="e"><v>#N/A</v></c></row><x:row r="3"><x:c r="A3" t="s"><x:v>2</x:v></x:c></x:row><row r="4"><c r="A4" s="1"/></row>`,
  });
  t.same(await rows(buf), [
    { row: 1, cells: ['山田', '', 'line\none\r two'] },
    { row: 2, cells: ['', 'in&line', '#N/A'] },
    { row: 3, cells: ['x'] },
  ]);
});

t.test('limits are enforced while reading, each naming its key', async (t) => {
  const many = await workbook({ sheetData: Array.from({ length: 10 }, (_, i) => inlineRow(i + 1, ['a', 'b', 'c'])) });
  await t.rejects(rows(many, { maxRows: 5 }), {
    name: 'ImportFileError',
    code: 'PAYLOAD_TOO_LARGE',
    message: 'the worksheet has more than 5 rows (import.xlsx.maxRows)',
  });
  await t.rejects(rows(many, { maxColumns: 2 }), {
    code: 'PAYLOAD_TOO_LARGE',
    message: 'row 1 has a cell in column 3; at most 2 columns are read (import.xlsx.maxColumns)',
  });
  const far = await workbook({ sheetData: '<row r="1"><c r="XFD1" t="inlineStr"><is><t>far</t></is></c></row>' });
  await t.rejects(rows(far), { message: 'row 1 has a cell in column 16384; at most 1024 columns are read (import.xlsx.maxColumns)' });
  const long = await workbook({ sheetData: inlineRow(1, ['x'.repeat(40_000)]) });
  await t.rejects(rows(long), { message: 'the cell in row 1, column 1 is longer than 32767 characters (import.xlsx.maxCellChars)' });
  const strings = await workbook({ sharedStrings: [si('a'.repeat(600)), si('b'.repeat(600))], sheetData: '' });
  await t.rejects(rows(strings, { maxSharedStringsChars: 1000 }), {
    message: 'the shared strings exceed 1000 characters (import.xlsx.maxSharedStringsChars)',
  });
});

t.test('a shared-string bomb is refused after its first bytes, by cell length or by expansion ratio', async (t) => {
  // 64 MB of one letter deflate to ~64 KB: a ratio of ~1000, as in a zip bomb.
  async function* bomb(): AsyncGenerator<string> {
    yield '<si><t>';
    const mb = 'A'.repeat(1 << 20);
    for (let i = 0; i < 64; i++) yield mb;
    yield '</t></si>';
  }
  const buf = await workbook({ sharedStrings: bomb(), sheetData: '<row r="1"><c r="A1" t="s"><v>0</v></c></row>' });
  t.ok(buf.length < 200_000, `bomb is ${buf.length} bytes`);
  const rss0 = process.memoryUsage().rss;
  await t.rejects(rows(buf), {
    code: 'PAYLOAD_TOO_LARGE',
    message: 'shared string 0 is longer than 32767 characters (import.xlsx.maxCellChars)',
  });
  await t.rejects(rows(buf, { maxCellChars: 1e9, maxSharedStringsChars: 1e9 }), {
    code: 'PAYLOAD_TOO_LARGE',
    message: 'xl/sharedStrings.xml expands more than 200 times its compressed size (import.xlsx.maxExpansionRatio): refused as a zip bomb',
  });
  await t.rejects(rows(buf, { maxCellChars: 1e9, maxSharedStringsChars: 1e9, maxExpansionRatio: 10_000, maxUnzippedBytes: 8 << 20 }), {
    message: `the workbook expands to more than ${8 << 20} bytes (import.xlsx.maxUnzippedBytes)`,
  });
  t.comment(`rss grew ${Math.round((process.memoryUsage().rss - rss0) / 1048576)} MB reading the bomb three times`);
});

t.test('damaged archives are refused as unreadable workbooks', async (t) => {
  await t.rejects(rows(Buffer.from('PK\x03\x04garbage')), {
    code: 'INVALID_FILE',
    message: /^not a readable XLSX workbook: no end of central directory/,
  });
  const ok = await workbook({ sheetData: inlineRow(1, ['a']) });
  await t.rejects(rows(ok.subarray(0, ok.length - 30)), { message: /^not a readable XLSX workbook/ });
  const corrupt = Buffer.from(ok);
  corrupt.fill(0x55, 200, 400);
  await t.rejects(rows(corrupt), { message: /^not a readable XLSX workbook/ });
  const doctype = await workbook({ sheetData: '<!DOCTYPE x [<!ENTITY a "aaaa">]><row r="1"/>' });
  await t.rejects(rows(doctype), {
    message: 'not a readable XLSX workbook: xl/worksheets/sheet1.xml: DOCTYPE declarations are not allowed',
  });
});
