/**
 * One cell of a report file, by column kind (shared REPORT_COLUMNS): text is neutralised against
 * formula injection; numbers stay numbers, so a negative variance is −3, not the text "'-3".
 */
import { neutralizeFormula, type ReportColumn } from '@stockverify/shared';

export type CellValue = string | number | Date | null;

/** The cell value for a column: a number, a Date (date columns), a neutralised string or null. */
export function cellValue(column: ReportColumn, raw: unknown): CellValue {
  if (raw === null || raw === undefined || raw === '') return null;
  switch (column.kind) {
    case 'int':
    case 'qty':
    case 'money':
    case 'percent': {
      const n = typeof raw === 'number' ? raw : Number(raw);
      return Number.isFinite(n) ? n : neutralizeFormula(String(raw));
    }
    case 'date': {
      const d = new Date(String(raw));
      return Number.isNaN(d.getTime()) ? neutralizeFormula(String(raw)) : d;
    }
    case 'text':
      return neutralizeFormula(String(raw));
  }
}

const NEEDS_QUOTES = /[",\r\n]/;
const ISO_INSTANT = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;

/** RFC 4180: a field with a quote, comma or line break is quoted, its quotes doubled. */
export function csvField(value: CellValue): string {
  if (value === null) return '';
  if (typeof value === 'number') return String(value);
  const text = value instanceof Date ? value.toISOString() : value;
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** One CSV record (CRLF-terminated, RFC 4180) of a row under the given columns. */
export function csvRecord(columns: readonly ReportColumn[], row: Record<string, unknown>): string {
  let line = '';
  for (let i = 0; i < columns.length; i++) {
    const column = columns[i]!;
    if (i > 0) line += ',';
    const raw = row[column.key];
    // An ISO instant from the store is already the text a CSV date cell shows.
    line +=
      column.kind === 'date' && typeof raw === 'string' && ISO_INSTANT.test(raw)
        ? raw
        : csvField(cellValue(column, raw));
  }
  return `${line}\r\n`;
}

/** The header record: column headers (ours, but neutralised like any text). */
export function csvHeader(columns: readonly ReportColumn[]): string {
  return `${columns.map((c) => csvField(neutralizeFormula(c.header))).join(',')}\r\n`;
}
