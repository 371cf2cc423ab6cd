/**
 * Downloadable upload templates (seed 000: "download the template, fill it,
 * upload it"; seed 002: the per-business CSV template). A header row with the
 * profile's fields; the XLSX one formats ID and phone columns as text, because
 * Excel drops the leading 0 of a number typed into a General cell.
 */
// exceljs is loaded on the first XLSX template asked for: it is large, and loading it made `dialer serve` slower to start.
import { TEMPLATE_FIELDS, type ProfileName } from '../domain/contact';

/** UTF-8 with BOM: Excel opens it with the right encoding on Japanese Windows too. */
export function csvTemplate(profile: ProfileName): string {
  return `\ufeff${TEMPLATE_FIELDS[profile].join(',')}\r\n`;
}

export async function xlsxTemplate(profile: ProfileName): Promise<Buffer> {
  const { default: ExcelJS } = await import('exceljs');
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('contacts');
  const fields = TEMPLATE_FIELDS[profile];
  ws.columns = fields.map((f) => ({ header: f, key: f, width: f === 'phone' || f === 'name' ? 20 : 14 }));
  for (const f of ['id', 'phone'] as const) {
    const i = fields.indexOf(f);
    if (i >= 0) ws.getColumn(i + 1).numFmt = '@';
  }
  ws.getRow(1).font = { bold: true };
  return Buffer.from(await wb.xlsx.writeBuffer());
}

export const XLSX_MIME = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
