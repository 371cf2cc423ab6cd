/** One row of an upload as read (CSV or XLSX), before validation; its own module so rows.ts and xlsx/reader.ts do not import each other. */
export interface RawRow {
  row: number;
  cells: string[];
}
