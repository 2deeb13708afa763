/** The first worksheet of an XLSX workbook as rows of plain cell values (via exceljs). */
import ExcelJS from 'exceljs';
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

/** Rows of the first worksheet that hold anything, with their sheet row numbers. */
export async function readFirstSheet(input: Buffer): Promise<SheetRow[]> {
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
  const rows: SheetRow[] = [];
  sheet.eachRow({ includeEmpty: false }, (row, number) => {
    const cells: CellValue[] = [];
    for (let col = 1; col <= row.cellCount; col++) {
      cells.push(plainCellValue(row.getCell(col).value));
    }
    rows.push({ number, cells });
  });
  return rows;
}
