/** A streaming CSV writer for report rows: UTF-8 with a BOM (Excel reads the encoding), RFC 4180, CRLF. */
import { strToU8 } from 'fflate';
import { neutralizeFormula } from '../reports';
import { cellOf, createTotals } from './cells';
import type { ReportColumn, ReportRow } from './cells';

export interface CsvWriterOptions {
  columns: readonly ReportColumn[];
  /** Receives the file in order, piece by piece; the last piece has `final` set. */
  onData(chunk: Uint8Array, final: boolean): void;
}

const NEEDS_QUOTES = /[",\r\n]/;

const ISO_INSTANT = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;

const quoted = (text: string) => (NEEDS_QUOTES.test(text) ? `"${text.replace(/"/g, '""')}"` : text);

/** A CSV field under the cell rules (cells.ts), quoted when needed (RFC 4180). */
export function csvField(value: unknown, column: ReportColumn): string {
  // Fast paths for what the store hands over (a million rows): the same result as cellOf.
  if (typeof value === 'number' && column.kind !== 'text' && column.kind !== 'date') {
    if (Number.isFinite(value)) return String(value);
  } else if (typeof value === 'string' && value !== '') {
    if (column.kind === 'text') return quoted(neutralizeFormula(value));
    if (column.kind === 'date' && ISO_INSTANT.test(value)) return value;
  }
  const cell = cellOf(column, value);
  if (cell === null) return '';
  if (cell.type === 'number') return String(cell.value);
  // A date cell shows the instant as the store gave it (ISO 8601, UTC).
  return quoted(cell.type === 'date' ? cell.iso : cell.value);
}

/** Starts a CSV file (BOM and header); call `addRow` for every row, then `finish`. */
export function createCsvWriter({ columns, onData }: CsvWriterOptions) {
  const totals = createTotals(columns);
  let rows = 0;
  let buffer = `\uFEFF${columns.map((c) => csvField(c.header, { ...c, kind: 'text' })).join(',')}\r\n`;
  return {
    addRow(row: ReportRow): void {
      let line = '';
      for (let i = 0; i < columns.length; i++) {
        const column = columns[i]!;
        line += (i > 0 ? ',' : '') + csvField(row[column.key], column);
      }
      buffer += `${line}\r\n`;
      rows++;
      totals.add(row);
      if (buffer.length > 65_536) {
        onData(strToU8(buffer), false);
        buffer = '';
      }
    },
    /** Hands over what is still buffered (the last piece, `final`). */
    finish() {
      onData(strToU8(buffer), true);
      buffer = '';
      const statuses = totals.atCountRows();
      return {
        rows,
        sheets: 1,
        totals: totals.result(),
        ...(statuses ? { at_count_rows: statuses } : {}),
      };
    },
  };
}
