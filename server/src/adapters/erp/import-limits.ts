/**
 * Caps on what one item-master import may cost (issue #12: a 737 KB XLSX whose sheet inflates to
 * 300 MB ran the server out of heap; a CSV with a million columns made a 74 MB error answer). The
 * upload limit bounds the file; these bound what it turns into. Checked while reading, so a file
 * past a cap stops there, and the error names the cap.
 */
import { inflateRawSync } from 'node:zlib';
import { ImportLimitExceeded } from '../../ports/item-master-import';

export interface ImportLimits {
  /** Bytes all entries of an XLSX (zip) inflate to, measured by inflating, not as declared. */
  inflatedBytes: number;
  /** Data rows (header and blank rows not counted). */
  rows: number;
  /** Cells in one row (a header of a million columns stops here). */
  columns: number;
  /** Cells in the whole table. */
  cells: number;
}

export const IMPORT_LIMITS: ImportLimits = {
  inflatedBytes: 64 * 1024 * 1024,
  rows: 300_000,
  columns: 100,
  cells: 6_000_000,
};

/** Row problems listed in one answer; the rest are counted in a last entry. */
export const MAX_REPORTED_ERRORS = 1_000;
/** Characters of one message or column name in an answer. */
export const MAX_REPORTED_TEXT = 200;

export type ImportCap = keyof ImportLimits | 'memory' | 'time';

/** The file went past a cap; `cap` names it, `limit` is its value (the port's error, these caps). */
export class ImportLimitError extends ImportLimitExceeded {
  declare readonly cap: ImportCap;
  constructor(cap: ImportCap, limit: number, message: string) {
    super(cap, limit, message);
  }
}

/** `text` cut to MAX_REPORTED_TEXT characters, with an ellipsis when cut. */
export function clipText(text: string): string {
  return text.length > MAX_REPORTED_TEXT ? `${text.slice(0, MAX_REPORTED_TEXT - 1)}…` : text;
}

/**
 * Inflates every entry of a zip, stopping as soon as the total passes `limit` (zlib's
 * maxOutputLength): the sizes a zip declares can lie, what inflating produces cannot. Throws
 * ImportLimitError('inflatedBytes'); returns the total. A structure it cannot walk is left for
 * the XLSX reader to refuse.
 */
export function checkInflatedSize(zip: Buffer, limit: number): number {
  const eocd = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (eocd < 0 || eocd + 22 > zip.length) return 0;
  const entries = zip.readUInt16LE(eocd + 10);
  let at = zip.readUInt32LE(eocd + 16);
  let total = 0;
  for (let n = 0; n < entries; n++) {
    if (at + 46 > zip.length || zip.readUInt32LE(at) !== 0x02014b50) return total;
    const method = zip.readUInt16LE(at + 10);
    const compressed = zip.readUInt32LE(at + 20);
    const nameLength = zip.readUInt16LE(at + 28);
    const extraLength = zip.readUInt16LE(at + 30);
    const commentLength = zip.readUInt16LE(at + 32);
    const local = zip.readUInt32LE(at + 42);
    at += 46 + nameLength + extraLength + commentLength;
    if (local + 30 > zip.length || zip.readUInt32LE(local) !== 0x04034b50) continue;
    const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
    const data = zip.subarray(start, Math.min(zip.length, start + compressed));
    const room = limit - total;
    if (method === 0) {
      total += data.length;
    } else if (method === 8) {
      try {
        total += inflateRawSync(data, { maxOutputLength: Math.max(1, room + 1) }).length;
      } catch (err) {
        if ((err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') total = limit + 1;
        // Anything else is a broken entry: the XLSX reader says so in its own words.
      }
    }
    if (total > limit) {
      throw new ImportLimitError(
        'inflatedBytes',
        limit,
        `the workbook unpacks to more than ${Math.round(limit / 1024 / 1024)} MB`,
      );
    }
  }
  return total;
}
