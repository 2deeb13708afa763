import type { ReportColumn, ReportTotals } from '@stockverify/shared';

export type { ColumnKind, ReportColumn } from '@stockverify/shared';

export type ReportRow = Record<string, unknown>;

/** Excel's limit is 1,048,576 rows a sheet; one is the header. */
export const EXCEL_MAX_DATA_ROWS = 1_048_575;

/** Variance columns are coloured: red below zero, green above (issue #5). */
export const VARIANCE_KEYS: ReadonlySet<string> = new Set([
  'variance',
  'value_at_cost',
  'value_at_price',
]);

/** Columns summed on the summary sheet: the same figures as the API's `totals`. */
export const TOTAL_KEYS = [
  'book_qty',
  'counted_qty',
  'variance',
  'value_at_cost',
  'value_at_price',
  'lines',
] as const satisfies ReadonlyArray<keyof ReportTotals>;

/** The value as a number, or null when it is not one. */
export function numericCell(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'string' && value.trim() !== '' && !Number.isNaN(Number(value))) {
    return Number(value);
  }
  return null;
}

/** Column totals for the summary (only the TOTAL_KEYS columns present in the report). */
export function createTotals(columns: readonly ReportColumn[]) {
  const keys: readonly string[] = TOTAL_KEYS;
  const summed = columns.filter((c) => keys.includes(c.key));
  const totals = new Map<string, number>(summed.map((c) => [c.key, 0]));
  return {
    add(row: ReportRow) {
      for (const column of summed) {
        const n = numericCell(row[column.key]);
        if (n !== null) totals.set(column.key, (totals.get(column.key) ?? 0) + n);
      }
    },
    /** Rounded to 6 decimals, so float noise from summing does not show. */
    result(): Record<string, number> {
      return Object.fromEntries(
        [...totals].map(([key, sum]) => [key, Math.round(sum * 1e6) / 1e6]),
      );
    },
  };
}
