/**
 * Dial ratio by number of idle agents (seed 002's predictive settings; seed 001
 * "ratio may differ by number of waiting agents"). A row applies up to and
 * including `upToIdleAgents`; the last row (`null`) applies to any larger count.
 */
export interface RatioRow {
  upToIdleAgents: number | null;
  ratio: number;
}

/** Seed 002's table: 1–5 → 1.00, ≤10 → 1.50, ≤20 → 2.00, ≤50 → 2.50, more → 3.00. */
export const RATIO_TABLE_PRESET: readonly RatioRow[] = Object.freeze([
  { upToIdleAgents: 5, ratio: 1.0 },
  { upToIdleAgents: 10, ratio: 1.5 },
  { upToIdleAgents: 20, ratio: 2.0 },
  { upToIdleAgents: 50, ratio: 2.5 },
  { upToIdleAgents: null, ratio: 3.0 },
]);

/** Problems with a table, as sentences; empty when valid. */
export function validateRatioTable(rows: readonly RatioRow[]): string[] {
  const errors: string[] = [];
  if (rows.length === 0) return ['ratioTable must have at least one row'];
  let prev = 0;
  rows.forEach((r, i) => {
    const last = i === rows.length - 1;
    if (r.upToIdleAgents === null && !last) errors.push(`ratioTable[${i}] has no upper bound but is not the last row`);
    if (r.upToIdleAgents !== null) {
      if (r.upToIdleAgents <= prev) errors.push(`ratioTable[${i}].upToIdleAgents must be greater than ${prev}`);
      prev = r.upToIdleAgents;
    }
    if (last && r.upToIdleAgents !== null) errors.push(`ratioTable's last row must have upToIdleAgents null (any larger count)`);
  });
  return errors;
}

/** The ratio for `idle` agents (0 idle → the first row's ratio, though nothing is dialled for nobody). */
export function ratioForIdleAgents(rows: readonly RatioRow[], idle: number): number {
  for (const r of rows) if (r.upToIdleAgents === null || idle <= r.upToIdleAgents) return r.ratio;
  return rows[rows.length - 1]!.ratio;
}
