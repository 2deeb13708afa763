/**
 * The one streaming XLSX writer for report rows (ADR 0005): each row becomes SpreadsheetML at once
 * and is deflated into the zip as it goes, so memory stays flat however many rows there are. The
 * console runs it in a Web Worker, the server's export in Node (feeding the response with
 * back-pressure between chunks of rows), so a report reads the same whoever made the file. The
 * workbook has a frozen, filterable header, the number format of each column kind (cells.ts),
 * coloured variance cells, sheets split at Excel's row limit, and a Summary sheet with the
 * filters, row count and column totals.
 */
import { Zip, ZipDeflate, strToU8 } from 'fflate';
import {
  EXCEL_MAX_DATA_ROWS,
  NUMBER_FORMATS,
  TOTAL_LABELS,
  VARIANCE_KEYS,
  cellOf,
  columnLetter,
  createTotals,
  xmlText,
} from './cells';
import type { AtCountRows, ColumnKind, ReportColumn, ReportRow } from './cells';

export interface XlsxWriterOptions {
  title: string;
  sheetName: string;
  columns: readonly ReportColumn[];
  /** Summary lines shown above the totals, e.g. the filters. */
  summary?: ReadonlyArray<readonly [string, string]>;
  /** Data rows per sheet before a new one starts (tests use small numbers). */
  maxRowsPerSheet?: number;
  /** Receives the file in order, piece by piece. */
  onData(chunk: Uint8Array, final: boolean): void;
  /** Deflate level (1 fastest … 9 smallest). */
  level?: 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9;
  /** The "Generated" instant on the Summary sheet (default: now). */
  now?: Date;
}

export interface XlsxWriterResult {
  rows: number;
  sheets: number;
  totals: Record<string, number>;
  /** The variance report's rows by status at count (issue #17); absent for other reports. */
  at_count_rows?: AtCountRows;
}

// Style ids in styles.xml (cellXfs order below).
const STYLE = {
  text: 0,
  header: 1,
  int: 2,
  qty: 3,
  money: 4,
  percent: 5,
  date: 6,
  qtyNeg: 7,
  qtyPos: 8,
  moneyNeg: 9,
  moneyPos: 10,
  bold: 11,
} as const;

/** Custom number format ids (164 and up) of the kinds that have a format, in kind order. */
const FORMAT_KINDS = (Object.keys(NUMBER_FORMATS) as ColumnKind[]).filter(
  (k) => NUMBER_FORMATS[k] !== null,
);
const formatId = (kind: ColumnKind) => 164 + FORMAT_KINDS.indexOf(kind);

const xf = (kind: ColumnKind | null, fontId: number, fillId: number) =>
  `<xf numFmtId="${kind ? formatId(kind) : 0}" fontId="${fontId}" fillId="${fillId}" borderId="0" xfId="0"` +
  `${kind ? ' applyNumberFormat="1"' : ''}${fontId ? ' applyFont="1"' : ''}${fillId ? ' applyFill="1"' : ''}/>`;

// One xf per STYLE id, in the same order.
const CELL_XFS = [
  xf(null, 0, 0),
  xf(null, 2, 2),
  xf('int', 0, 0),
  xf('qty', 0, 0),
  xf('money', 0, 0),
  xf('percent', 0, 0),
  xf('date', 0, 0),
  xf('qty', 0, 3),
  xf('qty', 0, 4),
  xf('money', 0, 3),
  xf('money', 0, 4),
  xf(null, 1, 0),
];

const STYLES_XML =
  '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' +
  '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">' +
  `<numFmts count="${FORMAT_KINDS.length}">` +
  FORMAT_KINDS.map(
    (k) => `<numFmt numFmtId="${formatId(k)}" formatCode="${xmlText(NUMBER_FORMATS[k]!)}"/>`,
  ).join('') +
  '</numFmts>' +
  '<fonts count="3"><font><sz val="11"/><name val="Calibri"/></font>' +
  '<font><b/><sz val="11"/><name val="Calibri"/></font>' +
  '<font><b/><sz val="11"/><color rgb="FFFFFFFF"/><name val="Calibri"/></font></fonts>' +
  '<fills count="5"><fill><patternFill patternType="none"/></fill>' +
  '<fill><patternFill patternType="gray125"/></fill>' +
  '<fill><patternFill patternType="solid"><fgColor rgb="FF1F4E79"/><bgColor indexed="64"/></patternFill></fill>' +
  '<fill><patternFill patternType="solid"><fgColor rgb="FFFDE2E1"/><bgColor indexed="64"/></patternFill></fill>' +
  '<fill><patternFill patternType="solid"><fgColor rgb="FFE2F5E5"/><bgColor indexed="64"/></patternFill></fill>' +
  '</fills>' +
  '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>' +
  '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>' +
  `<cellXfs count="${CELL_XFS.length}">${CELL_XFS.join('')}</cellXfs>` +
  '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>' +
  '</styleSheet>';

function textCell(ref: string, text: string, style: number = STYLE.text): string {
  const s = style === 0 ? '' : ` s="${style}"`;
  return `<c r="${ref}"${s} t="inlineStr"><is><t xml:space="preserve">${xmlText(text)}</t></is></c>`;
}

function numberCell(ref: string, n: number, style: number): string {
  return `<c r="${ref}" s="${style}"><v>${n}</v></c>`;
}

function cellXml(column: ReportColumn, ref: string, value: unknown): string {
  const cell = cellOf(column, value);
  if (cell === null) return '';
  if (cell.type === 'text') return textCell(ref, cell.value);
  if (cell.type === 'date') return numberCell(ref, cell.value, STYLE.date);
  const n = cell.value;
  if (VARIANCE_KEYS.has(column.key) && n !== 0) {
    const money = column.kind === 'money';
    const style =
      n < 0 ? (money ? STYLE.moneyNeg : STYLE.qtyNeg) : money ? STYLE.moneyPos : STYLE.qtyPos;
    return numberCell(ref, n, style);
  }
  return numberCell(ref, n, STYLE[column.kind as Exclude<ColumnKind, 'text' | 'date'>]);
}

const SHEET_HEAD =
  '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' +
  '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" ' +
  'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">';

/** A valid, unique sheet name (≤ 31 characters, none of []:*?/\). */
function sheetName(base: string, index: number): string {
  const clean =
    base
      .replace(/[[\]:*?/\\]/g, ' ')
      .trim()
      .slice(0, 25) || 'Report';
  return index === 1 ? clean : `${clean} (${index})`;
}

/** Starts a workbook; call `addRow` for every row, then `finish`. */
export function createXlsxWriter(options: XlsxWriterOptions) {
  const { columns, onData } = options;
  if (columns.length === 0) throw new Error('a report needs at least one column');
  const maxRows = Math.min(options.maxRowsPerSheet ?? EXCEL_MAX_DATA_ROWS, EXCEL_MAX_DATA_ROWS);
  const level = options.level ?? 1;
  const lastColumn = columnLetter(columns.length - 1);
  const letters = columns.map((_, i) => columnLetter(i));
  const totals = createTotals(columns);
  const sheetNames: string[] = [];
  const sheetRows: number[] = [];
  let zipError: Error | null = null;
  const zip = new Zip((error, chunk, final) => {
    if (error) {
      zipError = error;
      return;
    }
    onData(chunk, final);
  });

  let sheet: ZipDeflate | null = null;
  let rowInSheet = 0;
  let rows = 0;
  // Rows are buffered into ~64 KB strings: one deflate push per row would be slow.
  let buffer = '';

  const flush = (final = false) => {
    if (sheet === null) return;
    sheet.push(strToU8(buffer), final);
    buffer = '';
  };

  function openSheet() {
    const index = sheetNames.length + 1;
    sheetNames.push(sheetName(options.sheetName, index));
    sheet = new ZipDeflate(`xl/worksheets/sheet${index}.xml`, { level });
    zip.add(sheet);
    const widths = columns
      .map((c, i) => `<col min="${i + 1}" max="${i + 1}" width="${c.width}" customWidth="1"/>`)
      .join('');
    const header = columns
      .map((c, i) => textCell(`${letters[i]}1`, c.header, STYLE.header))
      .join('');
    buffer +=
      SHEET_HEAD +
      '<sheetPr filterMode="false"/>' +
      '<sheetViews><sheetView workbookViewId="0">' +
      '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>' +
      '<selection pane="bottomLeft" activeCell="A2" sqref="A2"/></sheetView></sheetViews>' +
      `<sheetFormatPr defaultRowHeight="15"/><cols>${widths}</cols><sheetData>` +
      `<row r="1">${header}</row>`;
    rowInSheet = 0;
  }

  function closeSheet() {
    if (sheet === null) return;
    sheetRows.push(rowInSheet);
    buffer += `</sheetData><autoFilter ref="A1:${lastColumn}${rowInSheet + 1}"/></worksheet>`;
    flush(true);
    sheet = null;
  }

  return {
    /** Writes one row (values by column key). */
    addRow(row: ReportRow): void {
      if (zipError) throw zipError;
      if (sheet === null || rowInSheet >= maxRows) {
        closeSheet();
        openSheet();
      }
      rowInSheet++;
      rows++;
      const r = rowInSheet + 1;
      let xml = `<row r="${r}">`;
      for (let i = 0; i < columns.length; i++) {
        const column = columns[i]!;
        xml += cellXml(column, `${letters[i]}${r}`, row[column.key]);
      }
      buffer += `${xml}</row>`;
      totals.add(row);
      if (buffer.length > 65_536) flush();
    },

    /** Ends the last sheet, adds the Summary sheet and the workbook parts; the last chunk is final. */
    finish(): XlsxWriterResult {
      if (zipError) throw zipError;
      if (sheet === null) openSheet(); // an empty report still has its header
      closeSheet();
      const statuses = totals.atCountRows();
      const result: XlsxWriterResult = {
        rows,
        sheets: sheetNames.length,
        totals: totals.result(),
        ...(statuses ? { at_count_rows: statuses } : {}),
      };
      addSummarySheet(
        zip,
        `xl/worksheets/sheet${sheetNames.length + 1}.xml`,
        options,
        result,
        level,
      );
      addWorkbookParts(zip, sheetNames, sheetRows, lastColumn, level);
      zip.end();
      if (zipError) throw zipError;
      return result;
    },
  };
}

function addFile(zip: Zip, name: string, text: string, level: XlsxWriterOptions['level']) {
  const file = new ZipDeflate(name, { level });
  zip.add(file);
  file.push(strToU8(text), true);
}

function addSummarySheet(
  zip: Zip,
  path: string,
  options: XlsxWriterOptions,
  result: XlsxWriterResult,
  level: XlsxWriterOptions['level'],
) {
  const lines: Array<[string, string | number, number]> = [
    ['Report', options.title, STYLE.text],
    ['Generated', (options.now ?? new Date()).toISOString(), STYLE.text],
    ...(options.summary ?? []).map(([k, v]) => [k, v, STYLE.text] as [string, string, number]),
    ['Rows', result.rows, STYLE.int],
    ['Sheets', result.sheets, STYLE.int],
  ];
  for (const column of options.columns) {
    const total = result.totals[column.key];
    if (total === undefined) continue;
    lines.push([
      TOTAL_LABELS[column.key] ?? `Total ${column.header}`,
      total,
      column.kind === 'money' ? STYLE.money : STYLE.qty,
    ]);
  }
  const at = result.at_count_rows;
  if (at) {
    // Beside the totals at count, which rows they leave out (design §13 "Reports").
    lines.push(
      ['Items exact at count', at.exact, STYLE.int],
      ['Items not resolved at count', at.ambiguous + at.unknown + at.pending, STYLE.int],
      ['Items ambiguous at count', at.ambiguous, STYLE.int],
      ['Items unknown at count', at.unknown, STYLE.int],
      ['Items pending at count', at.pending, STYLE.int],
    );
  }
  const rowsXml = lines
    .map(([label, value, style], i) => {
      const r = i + 1;
      const valueXml =
        typeof value === 'number' ? numberCell(`B${r}`, value, style) : textCell(`B${r}`, value);
      return `<row r="${r}">${textCell(`A${r}`, label, STYLE.bold)}${valueXml}</row>`;
    })
    .join('');
  addFile(
    zip,
    path,
    `${SHEET_HEAD}<cols><col min="1" max="1" width="28" customWidth="1"/>` +
      `<col min="2" max="2" width="40" customWidth="1"/></cols><sheetData>${rowsXml}</sheetData></worksheet>`,
    level,
  );
}

function addWorkbookParts(
  zip: Zip,
  sheetNames: readonly string[],
  sheetRows: readonly number[],
  lastColumn: string,
  level: XlsxWriterOptions['level'],
) {
  const sheets = [
    ...sheetNames.map((name, i) => ({ name, file: `sheet${i + 1}.xml` })),
    { name: 'Summary', file: `sheet${sheetNames.length + 1}.xml` },
  ];
  const head = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n';
  addFile(
    zip,
    '[Content_Types].xml',
    `${head}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
      '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>' +
      '<Default Extension="xml" ContentType="application/xml"/>' +
      '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>' +
      '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>' +
      sheets
        .map(
          (s) =>
            `<Override PartName="/xl/worksheets/${s.file}" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>`,
        )
        .join('') +
      '</Types>',
    level,
  );
  addFile(
    zip,
    '_rels/.rels',
    `${head}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
      '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>' +
      '</Relationships>',
    level,
  );
  addFile(
    zip,
    'xl/_rels/workbook.xml.rels',
    `${head}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
      sheets
        .map(
          (s, i) =>
            `<Relationship Id="rId${i + 1}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/${s.file}"/>`,
        )
        .join('') +
      `<Relationship Id="rId${sheets.length + 1}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>` +
      '</Relationships>',
    level,
  );
  // Hidden _FilterDatabase names tell Excel where each data sheet's filter is.
  const filterNames = sheetNames
    .map(
      (name, i) =>
        `<definedName name="_xlnm._FilterDatabase" localSheetId="${i}" hidden="1">'${xmlText(name.replace(/'/g, "''"))}'!$A$1:$${lastColumn}$${(sheetRows[i] ?? 0) + 1}</definedName>`,
    )
    .join('');
  addFile(
    zip,
    'xl/workbook.xml',
    `${head}<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" ` +
      'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>' +
      sheets
        .map((s, i) => `<sheet name="${xmlText(s.name)}" sheetId="${i + 1}" r:id="rId${i + 1}"/>`)
        .join('') +
      `</sheets><definedNames>${filterNames}</definedNames></workbook>`,
    level,
  );
  addFile(zip, 'xl/styles.xml', STYLES_XML, level);
}
