import { Zip, ZipDeflate } from 'fflate';
import { neutralizeFormula } from '@stockverify/shared';
import { EXCEL_MAX_DATA_ROWS, VARIANCE_KEYS, createTotals, numericCell } from './columns';
import type { ReportColumn, ReportRow } from './columns';

/**
 * A streaming XLSX writer for report rows: each row becomes sheet XML at once and is deflated into
 * the zip as it goes, so memory stays flat however many rows there are. Runs the same in a Web
 * Worker (the console) and in Node (the benchmark). The workbook has a frozen, filterable header,
 * number formats per column kind, coloured variance cells, sheets split at Excel's row limit, and a
 * Summary sheet with the filters, row count and column totals.
 */
export interface XlsxWriterOptions {
  title: string;
  sheetName: string;
  columns: readonly ReportColumn[];
  /** Summary lines shown above the totals, e.g. the filters. */
  summary?: ReadonlyArray<readonly [string, string]>;
  /** Rows per sheet before a new one starts (tests use small numbers). */
  maxRowsPerSheet?: number;
  /** Receives the file in order, piece by piece. */
  onData(chunk: Uint8Array, final: boolean): void;
  /** Deflate level (1 fastest … 9 smallest). */
  level?: 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9;
  now?: Date;
}

export interface XlsxWriterResult {
  rows: number;
  sheets: number;
  totals: Record<string, number>;
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

const STYLES_XML =
  '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' +
  '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">' +
  '<numFmts count="4">' +
  '<numFmt numFmtId="164" formatCode="#,##0.###"/>' +
  '<numFmt numFmtId="165" formatCode="#,##0.00"/>' +
  '<numFmt numFmtId="166" formatCode="0.0&quot;%&quot;"/>' +
  '<numFmt numFmtId="167" formatCode="yyyy-mm-dd hh:mm"/>' +
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
  '<cellXfs count="12">' +
  '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>' +
  '<xf numFmtId="0" fontId="2" fillId="2" borderId="0" xfId="0" applyFont="1" applyFill="1"/>' +
  '<xf numFmtId="3" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>' +
  '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>' +
  '<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>' +
  '<xf numFmtId="166" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>' +
  '<xf numFmtId="167" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>' +
  '<xf numFmtId="164" fontId="0" fillId="3" borderId="0" xfId="0" applyNumberFormat="1" applyFill="1"/>' +
  '<xf numFmtId="164" fontId="0" fillId="4" borderId="0" xfId="0" applyNumberFormat="1" applyFill="1"/>' +
  '<xf numFmtId="165" fontId="0" fillId="3" borderId="0" xfId="0" applyNumberFormat="1" applyFill="1"/>' +
  '<xf numFmtId="165" fontId="0" fillId="4" borderId="0" xfId="0" applyNumberFormat="1" applyFill="1"/>' +
  '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>' +
  '</cellXfs>' +
  '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>' +
  '</styleSheet>';

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

const EXCEL_EPOCH_MS = Date.UTC(1899, 11, 30);

/** An ISO instant as an Excel date serial (UTC), or null. */
export function excelDate(value: unknown): number | null {
  if (typeof value !== 'string' && !(value instanceof Date)) return null;
  const ms = value instanceof Date ? value.getTime() : Date.parse(value);
  return Number.isNaN(ms) ? null : (ms - EXCEL_EPOCH_MS) / 86_400_000;
}

function textCell(ref: string, text: string, style: number = STYLE.text): string {
  const s = style === 0 ? '' : ` s="${style}"`;
  return `<c r="${ref}"${s} t="inlineStr"><is><t xml:space="preserve">${xmlText(text)}</t></is></c>`;
}

function numberCell(ref: string, n: number, style: number): string {
  return `<c r="${ref}" s="${style}"><v>${n}</v></c>`;
}

function cellXml(column: ReportColumn, ref: string, value: unknown): string {
  if (value === null || value === undefined || value === '') return '';
  switch (column.kind) {
    case 'text':
      return textCell(ref, neutralizeFormula(String(value)));
    case 'date': {
      const serial = excelDate(value);
      return serial === null ? textCell(ref, String(value)) : numberCell(ref, serial, STYLE.date);
    }
    default: {
      const n = numericCell(value);
      if (n === null) return textCell(ref, String(value));
      if (VARIANCE_KEYS.has(column.key) && n !== 0) {
        const money = column.kind === 'money';
        const style =
          n < 0 ? (money ? STYLE.moneyNeg : STYLE.qtyNeg) : money ? STYLE.moneyPos : STYLE.qtyPos;
        return numberCell(ref, n, style);
      }
      return numberCell(ref, n, STYLE[column.kind]);
    }
  }
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

const encoder = new TextEncoder();

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
    sheet.push(encoder.encode(buffer), final);
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
      const result = { rows, sheets: sheetNames.length, totals: totals.result() };
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
  file.push(encoder.encode(text), true);
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
      `Total ${column.header}`,
      total,
      column.kind === 'money' ? STYLE.money : STYLE.qty,
    ]);
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
