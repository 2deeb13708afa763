/** The adjustment package as a workbook: the rows on one sheet, the package facts on another. */
import type { Writable } from 'node:stream';
import ExcelJS from 'exceljs';
import type { AdjustmentPackage, AdjustmentRow } from './adjustment-package';

/** Column order of the Adjustments sheet: the row's field names, as headers an import maps. */
export const XLSX_COLUMNS: ReadonlyArray<{
  key: keyof AdjustmentRow;
  width: number;
  fmt?: string;
}> = [
  { key: 'line_no', width: 8 },
  { key: 'session_id', width: 38 },
  { key: 'warehouse', width: 12 },
  { key: 'item_code', width: 16 },
  { key: 'item_name', width: 36 },
  { key: 'book_qty', width: 12, fmt: '0.###' },
  { key: 'counted_qty', width: 12, fmt: '0.###' },
  { key: 'damaged_qty', width: 12, fmt: '0.###' },
  { key: 'non_returnable_damaged_qty', width: 14, fmt: '0.###' },
  { key: 'variance', width: 12, fmt: '0.###' },
  { key: 'unit_cost', width: 12, fmt: '0.00##' },
  { key: 'value_at_cost', width: 14, fmt: '0.00' },
  { key: 'value_at_price', width: 14, fmt: '0.00' },
  { key: 'reason', width: 30 },
  { key: 'approver', width: 18 },
  { key: 'approved_at', width: 26 },
];

/** Writes the package as XLSX to `out`. Text cells stay text (item codes keep leading zeros). */
export async function writeAdjustmentsXlsx(pkg: AdjustmentPackage, out: Writable): Promise<void> {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'Stock Verify';
  const sheet = workbook.addWorksheet('Adjustments', { views: [{ state: 'frozen', ySplit: 1 }] });
  sheet.columns = XLSX_COLUMNS.map((c) => ({
    header: c.key,
    key: c.key,
    width: c.width,
    style: c.fmt ? { numFmt: c.fmt } : {},
  }));
  sheet.getRow(1).font = { bold: true };
  for (const row of pkg.rows) sheet.addRow(row);

  const about = workbook.addWorksheet('Package');
  about.columns = [
    { header: 'field', key: 'field', width: 20 },
    { header: 'value', key: 'value', width: 70 },
  ];
  about.getRow(1).font = { bold: true };
  const facts: Array<[string, string | number]> = [
    ['format', pkg.format],
    ['session_id', pkg.session.id],
    ['session_name', pkg.session.name],
    ['warehouse', pkg.session.warehouse],
    ['mode', pkg.session.mode],
    ['reconciled_at', pkg.session.reconciled_at],
    ['reconciled_by', pkg.session.reconciled_by],
    ['items', pkg.totals.items],
    ['total_variance', pkg.totals.variance],
    ['total_value_at_cost', pkg.totals.value_at_cost],
    ['total_value_at_price', pkg.totals.value_at_price],
    ['content_hash', pkg.content_hash],
    ['hash_rule', 'SHA-256 of the canonical JSON (sorted keys) of the rows of the JSON package'],
    ['generated_at', pkg.generated_at],
  ];
  for (const [field, value] of facts) about.addRow({ field, value });
  await workbook.xlsx.write(out);
}
