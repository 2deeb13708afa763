/** How a report column is written: its number format, and whether it is a variance (coloured). */
export type ColumnKind = 'text' | 'int' | 'qty' | 'money' | 'percent' | 'datetime';

export interface ReportColumn {
  key: string;
  header: string;
  kind: ColumnKind;
  /** Variance columns are coloured: red below zero, green above (issue #5). */
  variance?: boolean;
  /** Summed on the summary sheet. */
  total?: boolean;
  /** Width in characters. */
  width?: number;
}

export type ReportRow = Record<string, unknown>;

/** Excel's limit is 1,048,576 rows a sheet; one is the header. */
export const EXCEL_MAX_DATA_ROWS = 1_048_575;

/** The value of `row[column.key]` as a number, or null when it is not one. */
export function numericCell(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'string' && value.trim() !== '' && !Number.isNaN(Number(value))) {
    return Number(value);
  }
  return null;
}

/** Column totals for the summary (only columns marked `total`). */
export function createTotals(columns: readonly ReportColumn[]) {
  const summed = columns.filter((c) => c.total === true);
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
