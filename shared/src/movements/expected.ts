/**
 * Expected quantity at count time (issue #17, docs/design.md §13): the snapshot's book plus the ERP
 * movements of the item (and rack, where the ERP knows racks) posted after the snapshot's watermark
 * and before the moment of the count. A movement that falls inside a count's uncertainty interval —
 * or between two counts it could belong to, or with no rack against a rack's book — makes the line
 * ambiguous: flagged with the movements at fault and the range they span, never guessed.
 * Quantities are integer thousandths (as the read model, §10); times integer ms.
 */
import { z } from 'zod';
import { isoInstantSchema } from '../envelope';
import { itemCodeSchema } from '../items';
import { MAX_QTY } from '../quantity';
import { toMilli } from '../tolerance/evaluate';
import { countIntervalSchema, type ClockStatus } from './clock';
import { MovementInputError, ms, option, parseInput } from './input';
import {
  compareWatermarks,
  erpMovementSchema,
  watermarkSchema,
  type ErpMovement,
} from './movement';

const thousandths = (v: number) => Math.abs(Math.round(v * 1000) - v * 1000) < 1e-6;
const qty = (min: number) =>
  z
    .number()
    .finite()
    .min(min, min === 0 ? 'must not be negative' : `must be at least ${min}`)
    .max(MAX_QTY, `must be at most ${MAX_QTY}`)
    .refine(thousandths, 'at most 3 decimals');
const rackSchema = z.string().trim().min(1, 'required').max(64);

/** One count line of the bin or item, with the server-time interval it happened in. */
export const countAtSchema = z.strictObject({
  line_id: z.string().trim().min(1, 'required').max(128),
  rack: rackSchema,
  /** The quantity variance is taken on: counted − written-off damage (design §4). */
  quantity: qty(0),
  /** From `countInterval` (clock.ts). */
  at: countIntervalSchema,
});
export type CountAt = z.input<typeof countAtSchema>;

/** What is compared: one item (its book per warehouse) or one bin (its book per rack). */
export const expectedTargetSchema = z.strictObject({
  item_code: itemCodeSchema,
  warehouse: z.string().trim().min(1, 'required').max(64),
  /** The rack of a per-rack book (the ERP knows racks); null for an item-level book. */
  rack: rackSchema.nullable(),
  /** Book quantity of the session's snapshot. */
  book: qty(-MAX_QTY),
  /** The ERP watermark the snapshot was taken at: later movements are not in its book. */
  snapshot_watermark: watermarkSchema,
  /**
   * The ledger's watermark read after the stock pass, when the book was not read in one snapshot
   * with the watermark: a movement after `snapshot_watermark` up to this one was posted while the
   * stock was read and may or may not be in the book (flagged `in_snapshot_window`).
   */
  snapshot_watermark_high: watermarkSchema.nullable().optional(),
  /** The lines that count (not superseded, not rejected). */
  counts: z.array(countAtSchema).max(10_000),
});
export type ExpectedTarget = z.input<typeof expectedTargetSchema>;

export interface ExpectedOptions {
  /**
   * Uncertainty of a movement's `posted_at` against server time, ms each way (default 1,000):
   * ERPs keep whole seconds, and the ERP's clock is not the server's. A movement this close to a
   * count's interval is inside it.
   */
  slackMs?: number;
  /**
   * Server time up to which the movements given are complete (the last pull caught up to the
   * ERP). A count later than it is `provisional`: a movement before it may still arrive.
   */
  completeUntil?: string | null;
}
export const DEFAULT_MOVEMENT_SLACK_MS = 1_000;

/** A movement as evidence: what the console shows and links to the ERP document. */
export interface MovementEvidence {
  watermark: string;
  doc_type: string;
  doc_no: string;
  posted_at: string;
  rack: string | null;
  quantity_milli: number;
}

/**
 * Why a movement cannot be placed before or after the count:
 * - `within_uncertainty`: posted inside a count's interval (or a count's interval is open);
 * - `between_counts`: after one count of the item and before another, no rack says which saw it;
 * - `unplaced`: no rack, against a per-rack book, and not after every count;
 * - `in_snapshot_window`: posted while the snapshot read the stock: maybe in the book already.
 */
export type AmbiguityReason =
  'within_uncertainty' | 'between_counts' | 'unplaced' | 'in_snapshot_window';
export interface AmbiguousMovement extends MovementEvidence {
  reason: AmbiguityReason;
  /** The count lines it cannot be ordered against. */
  line_ids: string[];
}

export interface ExpectedAtCount {
  item_code: string;
  warehouse: string;
  rack: string | null;
  /** `exact`: every movement is placed; `ambiguous`: see `ambiguous`. */
  status: 'exact' | 'ambiguous';
  /** Some count is later than `completeUntil`: movements may still arrive. */
  provisional: boolean;
  book_milli: number;
  counted_milli: number;
  /** counted − snapshot book: what the session showed before this issue. */
  snapshot_variance_milli: number;
  /** Book at the moment of the count; null when ambiguous (never guessed). */
  expected_milli: number | null;
  /** The range the ambiguous movements allow (equal to `expected_milli` when exact). */
  expected_low_milli: number;
  expected_high_milli: number;
  /** counted − expected; null when ambiguous. */
  variance_at_count_milli: number | null;
  variance_at_count_low_milli: number;
  variance_at_count_high_milli: number;
  /** Movements in the expected quantity (posted after the snapshot, before the count). */
  applied: MovementEvidence[];
  /** Movements after the snapshot but after the count: not in it. */
  after_count: MovementEvidence[];
  ambiguous: AmbiguousMovement[];
  /** Count lines whose moment could not be bounded (their clock status), the cause of most flags. */
  open_clocks: { line_id: string; status: ClockStatus }[];
}

/** A movement as the computations read it: parsed, with its time in ms and quantity in thousandths. */
export interface PreparedMovement {
  m: ErpMovement;
  t: number;
  q: number;
}

/** Movements parsed once, deduplicated by watermark and indexed by item, for many targets. */
export interface PreparedMovements {
  readonly byItem: ReadonlyMap<string, readonly PreparedMovement[]>;
  readonly count: number;
}

/**
 * Parses and indexes ERP movements (`erpMovementSchema`). The same watermark twice is one
 * movement (a pull repeated); with different content it is refused (`MOVEMENTS_WATERMARK_REUSED`).
 */
export function prepareMovements(movements: readonly unknown[]): PreparedMovements {
  if (!Array.isArray(movements)) {
    throw new MovementInputError('MOVEMENTS_BAD_INPUT', 'movements', 'an array of movements');
  }
  const seen = new Map<string, { text: string; at: number }>();
  const byItem = new Map<string, PreparedMovement[]>();
  movements.forEach((raw, i) => {
    const m = canonicalMovement(raw) ?? parseInput(erpMovementSchema, raw, `movements.${i}`);
    const text = JSON.stringify([
      m.item_code,
      m.warehouse,
      m.rack,
      m.quantity,
      m.posted_at,
      m.doc_type,
      m.doc_no,
    ]);
    const prev = seen.get(m.watermark);
    if (prev !== undefined) {
      if (prev.text === text) return;
      throw new MovementInputError(
        'MOVEMENTS_WATERMARK_REUSED',
        `movements.${i}.watermark`,
        `watermark ${m.watermark} was given with different content (also at movements.${prev.at})`,
      );
    }
    seen.set(m.watermark, { text, at: i });
    const list = byItem.get(m.item_code) ?? [];
    list.push({ m, t: ms(m.posted_at), q: toMilli(m.quantity) });
    byItem.set(m.item_code, list);
  });
  for (const list of byItem.values())
    list.sort((a, b) => compareWatermarks(a.m.watermark, b.m.watermark));
  return { byItem, count: seen.size };
}

const CANONICAL_INSTANT = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
const CANONICAL_WATERMARK = /^(0|[1-9][0-9]{0,37}|0x[0-9a-f]{16,32})$/;
const MOVEMENT_KEYS = new Set(Object.keys(erpMovementSchema.shape));
const plainText = (v: unknown, max: number): v is string =>
  typeof v === 'string' && v.length > 0 && v.length <= max && v.trim() === v;

/**
 * A movement already in the form `erpMovementSchema` gives (as a store reads it back) is taken as
 * it is, without the schema's cost: 100,000 movements are parsed per computation. Anything else
 * returns null and goes through the schema, which canonicalises it or names the field at fault.
 */
function canonicalMovement(raw: unknown): ErpMovement | null {
  if (raw === null || typeof raw !== 'object') return null;
  const m = raw as Record<string, unknown>;
  for (const k in m) if (!MOVEMENT_KEYS.has(k)) return null;
  const q = m.quantity;
  const ok =
    plainText(m.item_code, 64) &&
    plainText(m.warehouse, 64) &&
    (m.rack === null || plainText(m.rack, 64)) &&
    typeof q === 'number' &&
    Number.isFinite(q) &&
    Math.abs(q) <= MAX_QTY &&
    Math.round(q * 1000) / 1000 === q &&
    typeof m.posted_at === 'string' &&
    CANONICAL_INSTANT.test(m.posted_at) &&
    Number.isFinite(Date.parse(m.posted_at)) &&
    plainText(m.doc_type, 64) &&
    plainText(m.doc_no, 128) &&
    typeof m.watermark === 'string' &&
    CANONICAL_WATERMARK.test(m.watermark);
  return ok ? (m as unknown as ErpMovement) : null;
}

function evidence(v: PreparedMovement): MovementEvidence {
  return {
    watermark: v.m.watermark,
    doc_type: v.m.doc_type,
    doc_no: v.m.doc_no,
    posted_at: v.m.posted_at,
    rack: v.m.rack,
    quantity_milli: v.q,
  };
}

interface ParsedCount {
  line_id: string;
  rack: string;
  e: number;
  l: number;
  status: ClockStatus;
}

type Placement =
  | { kind: 'before' }
  | { kind: 'after' }
  | { kind: 'ambiguous'; reason: AmbiguityReason; line_ids: string[] };

/** Where a movement at `t` falls against the counts that could have seen it. */
function place(t: number, counts: readonly ParsedCount[], slack: number): Placement {
  const within: string[] = [];
  let before = 0;
  let after = 0;
  for (const c of counts) {
    if (t + slack < c.e) before++;
    else if (t - slack > c.l) after++;
    else within.push(c.line_id);
  }
  if (within.length > 0)
    return { kind: 'ambiguous', reason: 'within_uncertainty', line_ids: within.sort() };
  if (after === 0) return { kind: 'before' };
  if (before === 0) return { kind: 'after' };
  return {
    kind: 'ambiguous',
    reason: 'between_counts',
    line_ids: counts.map((c) => c.line_id).sort(),
  };
}

/**
 * Expected quantity at the moment of the count for one item or bin (design §13), with the snapshot
 * variance beside it. `movements` may hold any items and warehouses: only this target's count.
 * Throws {@link MovementInputError} (code, field path) on bad input.
 */
export function expectedAtCount(
  target: ExpectedTarget,
  movements: PreparedMovements | readonly unknown[],
  options: ExpectedOptions = {},
): ExpectedAtCount {
  const tg = parseInput(expectedTargetSchema, target, 'target');
  const slack = option(options.slackMs, DEFAULT_MOVEMENT_SLACK_MS, 'options.slackMs', 86_400_000);
  const completeUntil =
    options.completeUntil === undefined || options.completeUntil === null
      ? null
      : ms(parseInput(isoInstantSchema, options.completeUntil, 'options.completeUntil'));
  if (tg.counts.length === 0) {
    throw new MovementInputError('MOVEMENTS_NO_COUNTS', 'target.counts', 'at least one count');
  }
  const lineIds = new Set<string>();
  const counts: ParsedCount[] = tg.counts.map((c, i) => {
    if (lineIds.has(c.line_id)) {
      throw new MovementInputError(
        'MOVEMENTS_BAD_INPUT',
        `target.counts.${i}.line_id`,
        `line ${c.line_id} is given twice: its quantity would count twice`,
      );
    }
    lineIds.add(c.line_id);
    if (tg.rack !== null && c.rack !== tg.rack) {
      throw new MovementInputError(
        'MOVEMENTS_BAD_INPUT',
        `target.counts.${i}.rack`,
        `a per-rack book (${tg.rack}) takes the counts of its own rack`,
      );
    }
    const e = c.at.earliest === null ? -Infinity : ms(c.at.earliest);
    const l = ms(c.at.latest);
    if (e > l) {
      throw new MovementInputError(
        'MOVEMENTS_BAD_INPUT',
        `target.counts.${i}.at.earliest`,
        'after latest',
      );
    }
    return { line_id: c.line_id, rack: c.rack, e, l, status: c.at.status };
  });
  const windowEnd = tg.snapshot_watermark_high ?? null;
  if (windowEnd !== null && compareWatermarks(windowEnd, tg.snapshot_watermark) < 0) {
    throw new MovementInputError(
      'MOVEMENTS_BAD_INPUT',
      'target.snapshot_watermark_high',
      'before snapshot_watermark',
    );
  }
  const prepared = 'byItem' in movements ? movements : prepareMovements(movements);

  const bookM = toMilli(tg.book);
  const countedM = counts.reduce((s, _c, i) => s + toMilli(tg.counts[i]!.quantity), 0);
  let base = bookM;
  let low = 0;
  let high = 0;
  const applied: MovementEvidence[] = [];
  const afterCount: MovementEvidence[] = [];
  const ambiguous: AmbiguousMovement[] = [];
  for (const v of prepared.byItem.get(tg.item_code) ?? []) {
    if (v.m.warehouse !== tg.warehouse) continue;
    if (compareWatermarks(v.m.watermark, tg.snapshot_watermark) <= 0) continue; // in the book
    let p: Placement;
    if (windowEnd !== null && compareWatermarks(v.m.watermark, windowEnd) <= 0) {
      if (tg.rack !== null && v.m.rack !== null && v.m.rack !== tg.rack) continue; // another bin
      p = {
        kind: 'ambiguous',
        reason: 'in_snapshot_window',
        line_ids: counts.map((c) => c.line_id).sort(),
      };
    } else if (tg.rack !== null) {
      if (v.m.rack !== null && v.m.rack !== tg.rack) continue; // another bin
      p = place(v.t, counts, slack);
      if (v.m.rack === null && p.kind !== 'after') {
        p = {
          kind: 'ambiguous',
          reason: 'unplaced',
          line_ids: counts.map((c) => c.line_id).sort(),
        };
      }
    } else {
      const here = v.m.rack === null ? [] : counts.filter((c) => c.rack === v.m.rack);
      p = place(v.t, here.length > 0 ? here : counts, slack);
    }
    if (p.kind === 'before') {
      base += v.q;
      applied.push(evidence(v));
    } else if (p.kind === 'after') {
      afterCount.push(evidence(v));
    } else {
      if (v.q < 0) low += v.q;
      else high += v.q;
      ambiguous.push({ ...evidence(v), reason: p.reason, line_ids: p.line_ids });
    }
  }
  const exact = ambiguous.length === 0;
  const expLow = base + low;
  const expHigh = base + high;
  const provisional = completeUntil !== null && counts.some((c) => c.l + slack > completeUntil);
  return {
    item_code: tg.item_code,
    warehouse: tg.warehouse,
    rack: tg.rack,
    status: exact ? 'exact' : 'ambiguous',
    provisional,
    book_milli: bookM,
    counted_milli: countedM,
    snapshot_variance_milli: countedM - bookM,
    expected_milli: exact ? base : null,
    expected_low_milli: expLow,
    expected_high_milli: expHigh,
    variance_at_count_milli: exact ? countedM - base : null,
    variance_at_count_low_milli: countedM - expHigh,
    variance_at_count_high_milli: countedM - expLow,
    applied,
    after_count: afterCount,
    ambiguous,
    open_clocks: counts
      .filter((c) => c.status !== 'ok')
      .map((c) => ({ line_id: c.line_id, status: c.status }))
      .sort((a, b) => (a.line_id < b.line_id ? -1 : a.line_id > b.line_id ? 1 : 0)),
  };
}

/**
 * The supervisor's choice for an item that moved after it was counted (Odoo's two): keep the
 * counted quantity (the stock becomes what was counted, as if nothing moved since), or keep the
 * difference (the variance at count is applied to today's book, so the movements since stand).
 */
export const MOVED_LINE_CHOICES = ['keep_counted', 'keep_difference'] as const;
export type MovedLineChoice = (typeof MOVED_LINE_CHOICES)[number];

export interface MovedLineAdjustment {
  choice: MovedLineChoice;
  /** The quantity the item should have in the ERP after the adjustment. */
  target_milli: number;
  /** What to post against today's book: target − live book. */
  delta_milli: number;
}

/**
 * The adjustment a choice makes, against the live book (snapshot book + every movement since).
 * `keep_difference` needs an exact expected-at-count (`MOVEMENTS_AMBIGUOUS` otherwise: the
 * supervisor settles the ambiguity first, or keeps the counted quantity).
 */
export function movedLineAdjustment(
  choice: MovedLineChoice,
  line: Pick<ExpectedAtCount, 'counted_milli' | 'variance_at_count_milli'>,
  liveBookMilli: number,
): MovedLineAdjustment {
  if (!MOVED_LINE_CHOICES.includes(choice)) {
    throw new MovementInputError('MOVEMENTS_BAD_INPUT', 'choice', MOVED_LINE_CHOICES.join(' or '));
  }
  if (!Number.isSafeInteger(liveBookMilli)) {
    throw new MovementInputError('MOVEMENTS_BAD_INPUT', 'liveBookMilli', 'whole thousandths');
  }
  if (!Number.isSafeInteger(line.counted_milli)) {
    throw new MovementInputError('MOVEMENTS_BAD_INPUT', 'line.counted_milli', 'whole thousandths');
  }
  if (choice === 'keep_counted') {
    return {
      choice,
      target_milli: line.counted_milli,
      delta_milli: line.counted_milli - liveBookMilli,
    };
  }
  const v = line.variance_at_count_milli;
  if (v === null) {
    throw new MovementInputError(
      'MOVEMENTS_AMBIGUOUS',
      'line.variance_at_count_milli',
      'the line is ambiguous: no difference at count to keep',
    );
  }
  if (!Number.isSafeInteger(v)) {
    throw new MovementInputError(
      'MOVEMENTS_BAD_INPUT',
      'line.variance_at_count_milli',
      'whole thousandths',
    );
  }
  return { choice, target_milli: liveBookMilli + v, delta_milli: v };
}
