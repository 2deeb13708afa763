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
  // What `variance` posts and the variances beside it (issue #17, design §13).
  { key: 'basis', width: 16 },
  { key: 'snapshot_variance', width: 14, fmt: '0.###' },
  { key: 'variance_at_count', width: 14, fmt: '0.###' },
  { key: 'at_count_status', width: 14 },
  // Moved items (issue #17, design §13): a decision, or the at-count posting; empty on the snapshot.
  { key: 'moved_mode', width: 16 },
  { key: 'live_book_qty', width: 12, fmt: '0.###' },
  { key: 'live_book_watermark', width: 20 },
  { key: 'target_qty', width: 12, fmt: '0.###' },
  { key: 'moved_adjustment', width: 14, fmt: '0.###' },
  { key: 'moved_refused', width: 26 },
];

/** Columns of the Counts sheet: a row's bins and their counts, one count a row. */
export const COUNT_COLUMNS: ReadonlyArray<{ key: string; width: number; fmt?: string }> = [
  { key: 'line_no', width: 8 },
  { key: 'item_code', width: 16 },
  { key: 'rack', width: 10 },
  { key: 'bin_state', width: 16 },
  { key: 'bin_quantity', width: 12, fmt: '0.###' },
  { key: 'rule_id', width: 20 },
  { key: 'rule_version', width: 12 },
  { key: 'phase', width: 8 },
  { key: 'counter', width: 18 },
  { key: 'quantity', width: 12, fmt: '0.###' },
  { key: 'taken', width: 8 },
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

  // Each bin's counts and deciding rule (issue #16 item 6): one row per count, per bin of a row.
  const counts = workbook.addWorksheet('Counts', { views: [{ state: 'frozen', ySplit: 1 }] });
  counts.columns = COUNT_COLUMNS.map((c) => ({
    header: c.key,
    key: c.key,
    width: c.width,
    style: c.fmt ? { numFmt: c.fmt } : {},
  }));
  counts.getRow(1).font = { bold: true };
  for (const row of pkg.rows) {
    for (const bin of row.bins ?? []) {
      const base = {
        line_no: row.line_no,
        item_code: row.item_code,
        rack: bin.rack,
        bin_state: bin.state,
        bin_quantity: bin.quantity,
        rule_id: bin.rule_id,
        rule_version: bin.rule_version,
      };
      if (bin.counts.length === 0) counts.addRow(base);
      for (const c of bin.counts) {
        counts.addRow({
          ...base,
          phase: c.phase,
          counter: c.counter,
          quantity: c.quantity,
          taken: c.taken ? 'yes' : 'no',
        });
      }
    }
  }

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
