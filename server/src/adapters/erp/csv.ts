/**
 * RFC 4180 CSV reading: quoted fields, doubled quotes, CRLF / LF / CR line ends, line breaks inside
 * quotes, a UTF-8 (or UTF-16 LE) byte-order mark, and `;` or tab as delimiter where the header
 * uses them (Excel writes `;` in locales with a decimal comma). No dependency: the format is small.
 */

import { IMPORT_LIMITS, ImportLimitError, type ImportLimits } from './import-limits';

/** A CSV the parser cannot read as a whole (unlike a bad row, which is reported and skipped). */
export class CsvFormatError extends Error {}

export type CsvDelimiter = ',' | ';' | '\t';

/** Text of a CSV upload; Excel's "Unicode text" is UTF-16 LE with a BOM, everything else UTF-8. */
export function decodeCsv(input: Buffer): string {
  if (input.length >= 2 && input[0] === 0xff && input[1] === 0xfe) {
    return input.subarray(2).toString('utf16le');
  }
  const text = input.toString('utf8');
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** The delimiter used most often (outside quotes) on the first line; `,` when none appears. */
export function detectDelimiter(text: string): CsvDelimiter {
  const counts: Record<CsvDelimiter, number> = { ',': 0, ';': 0, '\t': 0 };
  let inQuotes = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '"') inQuotes = !inQuotes;
    else if (!inQuotes && (c === '\n' || c === '\r')) break;
    else if (!inQuotes && (c === ',' || c === ';' || c === '\t')) counts[c]++;
  }
  let best: CsvDelimiter = ',';
  for (const d of [';', '\t'] as const) if (counts[d] > counts[best]) best = d;
  return best;
}

/**
 * Records of a CSV text, each an array of fields. Record i is spreadsheet row i + 1 (blank lines
 * included as `['']`), which is the row number a user sees when opening the file in Excel.
 * Lenient where RFC 4180 is silent: a quote inside an unquoted field, or text after a closing
 * quote, is kept literally rather than failing the whole file.
 */
export function parseCsv(
  text: string,
  delimiter: CsvDelimiter = detectDelimiter(text),
  limits: Pick<ImportLimits, 'rows' | 'columns' | 'cells'> = IMPORT_LIMITS,
): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let line = 1;
  let i = 0;
  let cells = 0;
  const n = text.length;
  // Caps checked as fields are found (issue #12): a million columns stop at the 101st.
  const pushField = () => {
    record.push(field);
    if (record.length > limits.columns) {
      throw new ImportLimitError(
        'columns',
        limits.columns,
        `line ${line} has more than ${limits.columns} columns`,
      );
    }
    if (++cells > limits.cells) {
      throw new ImportLimitError('cells', limits.cells, `more than ${limits.cells} cells`);
    }
  };
  const endRecord = () => {
    pushField();
    records.push(record);
    // +1: the header row (blank lines count here too; they are rare).
    if (records.length > limits.rows + 1) {
      throw new ImportLimitError('rows', limits.rows, `more than ${limits.rows} rows`);
    }
    record = [];
    field = '';
  };
  while (i < n) {
    const c = text[i]!;
    if (c === '"' && field === '') {
      // Quoted field: read to the closing quote; "" is one literal quote.
      const openedOn = line;
      i++;
      let closed = false;
      let start = i;
      while (i < n) {
        const q = text.indexOf('"', i);
        if (q === -1) break;
        field += text.slice(start, q);
        if (text[q + 1] === '"') {
          field += '"';
          i = q + 2;
          start = i;
        } else {
          i = q + 1;
          closed = true;
          break;
        }
      }
      if (!closed) {
        throw new CsvFormatError(`a quoted field opened on line ${openedOn} is never closed`);
      }
      line += countLineBreaks(field);
      continue;
    }
    if (c === delimiter) {
      pushField();
      field = '';
      i++;
    } else if (c === '\r' || c === '\n') {
      endRecord();
      i += c === '\r' && text[i + 1] === '\n' ? 2 : 1;
      line++;
    } else {
      // Plain run up to the next delimiter or line end, sliced at once for speed.
      let j = i + 1;
      while (j < n) {
        const d = text[j];
        if (d === delimiter || d === '\r' || d === '\n') break;
        j++;
      }
      field += text.slice(i, j);
      i = j;
    }
  }
  // A final line without a line break is still a record; a trailing line break adds none.
  if (field !== '' || record.length > 0) endRecord();
  return records;
}

function countLineBreaks(s: string): number {
  let count = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '\n' || (c === '\r' && s[i + 1] !== '\n')) count++;
  }
  return count;
}
