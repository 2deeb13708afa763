/**
 * The cell rules of every report file (issue #15 point 6), whoever writes it — the server's CSV and
 * XLSX exports and the console's local files run the same writers in `shared/src/spreadsheet`:
 * how a value becomes a cell for each column kind, the number format of each kind, which columns
 * are coloured and which are totalled. Plain TypeScript on strings and Uint8Array: runs in a
 * browser Web Worker and in Node alike.
 */
import {
  neutralizeFormula,
  type ColumnKind,
  type ReportColumn,
  type ReportTotals,
} from '../reports';
import type { AtCountRows } from '../sessions';

export type { ColumnKind, ReportColumn } from '../reports';
export type { AtCountRows } from '../sessions';

/** One report row: values by column key. */
export type ReportRow = Record<string, unknown>;

/** Excel's limit is 1,048,576 rows a sheet; one is the header. */
export const EXCEL_MAX_DATA_ROWS = 1_048_575;

/**
 * The number format of each column kind (text cells have none). Percent columns hold 0–100 with
 * two decimals, so the format shows the number with a % sign rather than scaling it; dates are
 * UTC instants shown to the second (the audit trail needs seconds).
 */
export const NUMBER_FORMATS: { readonly [K in ColumnKind]: string | null } = {
  text: null,
  int: '#,##0',
  qty: '#,##0.###',
  money: '#,##0.00',
  percent: '0.00"%"',
  date: 'yyyy-mm-dd hh:mm:ss',
};

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
  // The variance report's figures at count: null unless exact, so they sum the exact rows.
  'variance_at_count',
  'value_at_count_cost',
] as const satisfies ReadonlyArray<keyof ReportTotals>;

/** The value as a number, or null when it is not one. */
export function numericCell(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'string' && value.trim() !== '' && !Number.isNaN(Number(value))) {
    return Number(value);
  }
  return null;
}

const EXCEL_EPOCH_MS = Date.UTC(1899, 11, 30);

/** An ISO instant (or a Date) as an Excel date serial (UTC), or null. */
export function excelDate(value: unknown): number | null {
  if (typeof value !== 'string' && !(value instanceof Date)) return null;
  const ms = value instanceof Date ? value.getTime() : Date.parse(value);
  return Number.isNaN(ms) ? null : (ms - EXCEL_EPOCH_MS) / 86_400_000;
}

/**
 * What a cell holds, by column kind: numbers stay numbers (a negative variance is −3, not the
 * text "'-3"), dates become instants, text is neutralised against formula injection, and a value
 * that is not what its column says is kept as (neutralised) text. Null for an empty cell.
 */
export type Cell =
  | { type: 'number'; value: number }
  | { type: 'date'; value: number; iso: string }
  | { type: 'text'; value: string };

export function cellOf(column: ReportColumn, raw: unknown): Cell | null {
  if (raw === null || raw === undefined || raw === '') return null;
  switch (column.kind) {
    case 'text':
      return { type: 'text', value: neutralizeFormula(String(raw)) };
    case 'date': {
      const serial = excelDate(raw);
      if (serial === null) return { type: 'text', value: neutralizeFormula(String(raw)) };
      const iso = raw instanceof Date ? raw.toISOString() : String(raw);
      return { type: 'date', value: serial, iso };
    }
    default: {
      const n = numericCell(raw);
      return n === null
        ? { type: 'text', value: neutralizeFormula(String(raw)) }
        : { type: 'number', value: n };
    }
  }
}

/** Summary lines for a report's filters ("Filter warehouse" → "WH1"), in the request's order. */
export function filterSummary(
  filters: Readonly<Record<string, unknown>> | undefined,
): Array<[string, string]> {
  return Object.entries(filters ?? {})
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => [`Filter ${k}`, String(v)]);
}

/** Summary labels where "Total <header>" would not say which rows were summed. */
export const TOTAL_LABELS: Readonly<Record<string, string>> = {
  variance_at_count: 'Total Variance at count (exact items)',
  value_at_count_cost: 'Total Variance at count value at cost (exact items)',
};

/**
 * Column totals for the summary (only the TOTAL_KEYS columns present in the report) and, for a
 * report with an `at_count_status` column (the variance report), its rows by that status.
 */
export function createTotals(columns: readonly ReportColumn[]) {
  const keys: readonly string[] = TOTAL_KEYS;
  const summed = columns.filter((c) => keys.includes(c.key));
  const totals = new Map<string, number>(summed.map((c) => [c.key, 0]));
  const statuses: AtCountRows | null = columns.some((c) => c.key === 'at_count_status')
    ? { exact: 0, ambiguous: 0, unknown: 0, pending: 0 }
    : null;
  return {
    add(row: ReportRow) {
      for (const column of summed) {
        const n = numericCell(row[column.key]);
        if (n !== null) totals.set(column.key, (totals.get(column.key) ?? 0) + n);
      }
      if (statuses !== null) {
        const status = row.at_count_status;
        if (typeof status === 'string' && Object.hasOwn(statuses, status))
          statuses[status as keyof AtCountRows]++;
      }
    },
    /** The rows by status at count; null for a report without that column. */
    atCountRows(): AtCountRows | null {
      return statuses === null ? null : { ...statuses };
    },
    /** Rounded to 6 decimals, so float noise from summing does not show. */
    result(): Record<string, number> {
      return Object.fromEntries(
        [...totals].map(([key, sum]) => [key, Math.round(sum * 1e6) / 1e6]),
      );
    },
  };
}

// XML 1.0 forbids most control characters even when escaped.
// eslint-disable-next-line no-control-regex
const INVALID_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;

/** Escapes text for an XML text node or attribute. */
export function xmlText(value: string): string {
  return value
    .replace(INVALID_XML, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

/** `A`, `B`, … `Z`, `AA`, … for a 0-based column index. */
export function columnLetter(index: number): string {
  let n = index + 1;
  let letters = '';
  while (n > 0) {
    const rest = (n - 1) % 26;
    letters = String.fromCharCode(65 + rest) + letters;
    n = Math.floor((n - 1) / 26);
  }
  return letters;
}
