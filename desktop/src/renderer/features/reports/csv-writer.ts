import { neutralizeFormula } from '@stockverify/shared';
import { createTotals, numericCell } from './columns';
import type { ReportColumn, ReportRow } from './columns';

export interface CsvWriterOptions {
  columns: readonly ReportColumn[];
  onData(chunk: Uint8Array, final: boolean): void;
}

/** A CSV field: quoted when needed (RFC 4180); text that a spreadsheet would run as a formula is
 * prefixed with an apostrophe (CSV injection). */
export function csvField(value: unknown, column: ReportColumn): string {
  if (value === null || value === undefined) return '';
  if (column.kind !== 'text' && column.kind !== 'date') {
    const n = numericCell(value);
    if (n !== null) return String(n);
  }
  const text = neutralizeFormula(String(value));
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

const encoder = new TextEncoder();

/** Streams rows as UTF-8 CSV with a BOM (so Excel reads the encoding right). */
export function createCsvWriter({ columns, onData }: CsvWriterOptions) {
  const totals = createTotals(columns);
  let rows = 0;
  let buffer = `\uFEFF${columns.map((c) => csvField(c.header, { ...c, kind: 'text' })).join(',')}\r\n`;
  return {
    addRow(row: ReportRow) {
      buffer += `${columns.map((c) => csvField(row[c.key], c)).join(',')}\r\n`;
      rows++;
      totals.add(row);
      if (buffer.length > 65_536) {
        onData(encoder.encode(buffer), false);
        buffer = '';
      }
    },
    finish() {
      onData(encoder.encode(buffer), true);
      buffer = '';
      return { rows, sheets: 1, totals: totals.result() };
    },
  };
}
