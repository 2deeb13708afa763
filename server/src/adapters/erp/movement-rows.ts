/**
 * One ERP ledger row → one ErpMovement (issue #17), for the SQL Server and file sources alike: a
 * column means the same in both. A row that cannot become a movement is refused with every
 * problem named by its column; the sources refuse the whole page then (a skipped movement would
 * silently be lost behind the watermark).
 */
import {
  compareWatermarks,
  erpMovementSchema,
  type ErpMovement,
  type ImportRowError,
} from '@stockverify/shared';

export const MOVEMENT_FIELDS = [
  'item_code',
  'warehouse',
  'rack',
  'quantity',
  'posted_at',
  'doc_type',
  'doc_no',
  'watermark',
] as const;
export type MovementField = (typeof MOVEMENT_FIELDS)[number];

export type RawMovementRow = Partial<Record<MovementField, unknown>>;

export interface MovementProblem {
  field: MovementField | null;
  message: string;
}

export type MovementRead =
  { ok: true; movement: ErpMovement } | { ok: false; problems: MovementProblem[] };

function text(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  const s = (value instanceof Date ? value.toISOString() : String(value)).trim();
  return s === '' ? null : s;
}

function quantity(value: unknown, decimalComma: boolean): unknown {
  if (typeof value === 'number' || typeof value === 'bigint') return Number(value);
  const s = text(value);
  if (s === null) return undefined;
  const plain = decimalComma ? s.replace(',', '.') : s;
  return /^[+-]?(\d+\.?\d*|\.\d+)$/.test(plain) ? Number(plain) : s;
}

function postedAt(value: unknown): unknown {
  if (value instanceof Date)
    return Number.isNaN(value.getTime()) ? 'an invalid date' : value.toISOString();
  return text(value) ?? undefined;
}

/** An entry number (number, bigint, decimal string) or a rowversion (8 bytes) as a watermark string. */
export function watermarkOf(value: unknown): unknown {
  if (value instanceof Uint8Array) return `0x${Buffer.from(value).toString('hex')}`;
  if (typeof value === 'bigint') return value.toString(10);
  if (typeof value === 'number') return Number.isSafeInteger(value) ? String(value) : value;
  return text(value) ?? undefined;
}

/** Reads one row; `decimalComma` for a `;`-separated CSV. */
export function readMovementRow(raw: RawMovementRow, decimalComma = false): MovementRead {
  const candidate = {
    item_code: text(raw.item_code) ?? undefined,
    warehouse: text(raw.warehouse) ?? undefined,
    rack: text(raw.rack),
    quantity: quantity(raw.quantity, decimalComma),
    posted_at: postedAt(raw.posted_at),
    doc_type: text(raw.doc_type) ?? undefined,
    doc_no: text(raw.doc_no) ?? undefined,
    watermark: watermarkOf(raw.watermark),
  };
  const parsed = erpMovementSchema.safeParse(candidate);
  if (parsed.success) return { ok: true, movement: parsed.data };
  const problems = parsed.error.issues.map((issue) => {
    const field = issue.path[0];
    const known = MOVEMENT_FIELDS.find((f) => f === field) ?? null;
    const value = known === null ? undefined : candidate[known];
    const message =
      value === undefined
        ? 'required'
        : `${issue.message} (got ${JSON.stringify(String(value)).slice(0, 60)})`;
    return { field: known, message };
  });
  return { ok: false, problems };
}

/** A page or file of movements cannot be read: every problem, by row and column. */
export class MovementRowError extends Error {
  constructor(
    readonly problems: readonly ImportRowError[],
    what: string,
  ) {
    const shown = problems
      .slice(0, 5)
      .map((p) => `row ${p.row}${p.field ? ` column ${p.field}` : ''}: ${p.message}`);
    const more = problems.length > 5 ? `; … and ${problems.length - 5} more` : '';
    super(`${what}: ${shown.join('; ')}${more}`);
    this.name = 'MovementRowError';
  }
}

/**
 * Checks that movements come in strictly increasing watermark order, all after `since`: a query
 * or file that breaks it would lose or repeat movements across pages. Returns the problems.
 */
export function orderProblems(
  movements: readonly { movement: ErpMovement; row: number }[],
  since: string | null,
): ImportRowError[] {
  const problems: ImportRowError[] = [];
  let previous = since;
  movements.forEach(({ movement, row }, i) => {
    if (previous !== null && compareWatermarks(movement.watermark, previous) <= 0) {
      problems.push({
        row,
        field: 'watermark',
        message:
          i === 0
            ? `${movement.watermark} is not after ${since} (the ledger must return only watermarks after @since)`
            : `${movement.watermark} does not come after ${previous} (the ledger must be ordered by watermark, each once)`,
      });
    }
    previous = movement.watermark;
  });
  return problems;
}
