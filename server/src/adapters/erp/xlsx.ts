/** The first worksheet of an XLSX workbook as rows of plain cell values (via exceljs). */
import ExcelJS from 'exceljs';
import {
  checkInflatedSize,
  IMPORT_LIMITS,
  ImportLimitError,
  type ImportLimits,
} from './import-limits';
import type { CellValue } from './item-rows';

/** A workbook that cannot be read as a whole. */
export class XlsxFormatError extends Error {}

export interface SheetRow {
  /** The row number Excel shows (1-based). */
  number: number;
  cells: CellValue[];
}

/** Plain value of an exceljs cell: rich text joined, formulas as their cached result. */
export function plainCellValue(value: ExcelJS.CellValue): CellValue {
  if (value === null || value === undefined) return null;
  if (
    typeof value === 'string' ||
    typeof value === 'number' ||
    typeof value === 'boolean' ||
    value instanceof Date
  ) {
    return value;
  }
  if ('richText' in value) return value.richText.map((run) => run.text).join('');
  if ('formula' in value || 'sharedFormula' in value) {
    // A workbook saved without calculation has no result; reading it as empty is the honest
    // answer (we cannot evaluate Excel formulas).
    return value.result === undefined ? null : plainCellValue(value.result);
  }
  if ('hyperlink' in value) return value.text;
  if ('error' in value) return value.error;
  return null;
}

/**
 * Rows of the first worksheet that hold anything, with their sheet row numbers. The workbook must
 * inflate to at most `limits.inflatedBytes` (checked before exceljs reads it) and its sheet stay
 * within the row, column and cell caps (issue #12).
 */
export async function readFirstSheet(
  input: Buffer,
  limits: ImportLimits = IMPORT_LIMITS,
): Promise<SheetRow[]> {
  checkInflatedSize(input, limits.inflatedBytes);
  const workbook = new ExcelJS.Workbook();
  try {
    // exceljs types its argument with a private Buffer interface (an ArrayBuffer); at run time it
    // hands the value to JSZip, which reads a Node Buffer directly.
    await workbook.xlsx.load(input as unknown as Parameters<typeof workbook.xlsx.load>[0]);
  } catch (err) {
    throw new XlsxFormatError(`not a readable XLSX workbook: ${(err as Error).message}`, {
      cause: err,
    });
  }
  const sheet = workbook.worksheets[0];
  if (!sheet) throw new XlsxFormatError('the workbook has no worksheet');
  if (sheet.columnCount > limits.columns) {
    throw new ImportLimitError(
      'columns',
      limits.columns,
      `the sheet has ${sheet.columnCount} columns; at most ${limits.columns}`,
    );
  }
  // +1: the header row.
  if (sheet.actualRowCount > limits.rows + 1) {
    throw new ImportLimitError('rows', limits.rows, `the sheet has more than ${limits.rows} rows`);
  }
  const rows: SheetRow[] = [];
  let cellCount = 0;
  sheet.eachRow({ includeEmpty: false }, (row, number) => {
    if (row.cellCount > limits.columns) {
      throw new ImportLimitError(
        'columns',
        limits.columns,
        `row ${number} has ${row.cellCount} cells; at most ${limits.columns} columns`,
      );
    }
    cellCount += row.cellCount;
    if (cellCount > limits.cells) {
      throw new ImportLimitError('cells', limits.cells, `more than ${limits.cells} cells`);
    }
    const cells: CellValue[] = [];
    for (let col = 1; col <= row.cellCount; col++) {
      cells.push(plainCellValue(row.getCell(col).value));
    }
    rows.push({ number, cells });
  });
  return rows;
}
