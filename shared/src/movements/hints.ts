/**
 * Root-cause hints on a variance line (issue #17, docs/design.md §13): pure functions over what the
 * caller hands in, each hint with the evidence that raised it, so a supervisor can check it rather
 * than trust it. A hint is a lead, not a verdict: several may fire on one line.
 * Inputs are quantities in units (as lines and books are kept); evidence is in integer thousandths.
 */
import { z } from 'zod';
import { itemCodeSchema } from '../items';
import { MAX_QTY } from '../quantity';
import { toMilli } from '../tolerance/evaluate';
import { countIntervalSchema, type CountInterval } from './clock';
import { prepareMovements, type MovementEvidence, type PreparedMovements } from './expected';
import { MovementInputError, instantSchema, ms, option, parseInput } from './input';

export const HINT_KINDS = [
  'movement_near_count',
  'pack_multiple',
  'mirror_adjacent_rack',
  'serial_elsewhere',
  'earlier_sessions',
  'uom_factor',
] as const;
export type HintKind = (typeof HINT_KINDS)[number];

export type PackReading = 'whole_packs' | 'pack_counted_as_unit' | 'unit_counted_as_pack';
export type SerialReading = 'counted_here_seen_elsewhere' | 'missing_here_seen_elsewhere';

export interface SerialSeenElsewhere {
  serial: string;
  item_code: string;
  session_id: string;
  rack: string;
  seen_at: string;
  line_id?: string | null;
}

export type RootCauseHint =
  | {
      kind: 'movement_near_count';
      evidence: {
        window_ms: number;
        /** By distance from the count's interval (0 = inside it), then watermark. */
        movements: (MovementEvidence & { distance_ms: number })[];
      };
    }
  | {
      kind: 'pack_multiple';
      evidence: {
        reading: PackReading;
        pack_size_milli: number;
        /** Whole packs (signed) for `whole_packs`; packs or units mistaken otherwise. */
        packs: number;
        variance_milli: number;
      };
    }
  | {
      kind: 'mirror_adjacent_rack';
      evidence: {
        rack: string;
        variance_milli: number;
        neighbour_rack: string;
        neighbour_variance_milli: number;
      };
    }
  | {
      kind: 'serial_elsewhere';
      evidence: {
        serial: string;
        reading: SerialReading;
        sightings: SerialSeenElsewhere[];
        /** How the caller bounded its reads (serials looked up, sightings per serial), if it did. */
        limits?: { serials: number; sightings_per_serial: number; truncated: boolean };
      };
    }
  | {
      kind: 'earlier_sessions';
      evidence: {
        /** Earlier sessions where the item had a variance, latest first. */
        sessions: { session_id: string; closed_at: string; variance_milli: number }[];
        /** How many of them went the same way as this one (short or over). */
        same_direction: number;
        /** How the caller bounded its read (sessions kept, sessions looked at), if it did. */
        limits?: { sessions: number; scanned_sessions: number };
      };
    }
  | {
      kind: 'uom_factor';
      evidence: {
        factor: number;
        book_milli: number;
        counted_milli: number;
        variance_milli: number;
      };
    };

const qty = (min: number) =>
  z
    .number()
    .finite()
    .min(min, `must be at least ${min}`)
    .max(MAX_QTY, `must be at most ${MAX_QTY}`)
    .refine((v) => Math.abs(Math.round(v * 1000) - v * 1000) < 1e-6, 'at most 3 decimals');
const text = (max: number) => z.string().trim().min(1, 'required').max(max);

// ---------------------------------------------------------------------------------------------
// A movement posted near the count time

export const DEFAULT_HINT_WINDOW_MS = 15 * 60_000;

const nearLineSchema = z.object({
  item_code: itemCodeSchema,
  warehouse: text(64),
  at: countIntervalSchema,
});

/**
 * Movements of the item in the warehouse (any rack: a pick booked to the wrong rack is a lead too)
 * posted within `windowMs` of the count's interval. An interval with an open start is taken from
 * its end. Null when there is none.
 */
export function movementNearCount(
  line: { item_code: string; warehouse: string; at: CountInterval },
  movements: PreparedMovements | readonly unknown[],
  windowMs: number = DEFAULT_HINT_WINDOW_MS,
): Extract<RootCauseHint, { kind: 'movement_near_count' }> | null {
  const l = parseInput(nearLineSchema, line, 'line');
  const w = option(windowMs, DEFAULT_HINT_WINDOW_MS, 'windowMs', 7 * 86_400_000);
  const prepared = 'byItem' in movements ? movements : prepareMovements(movements);
  const late = ms(l.at.latest);
  const early = l.at.earliest === null ? late : ms(l.at.earliest);
  const near = (prepared.byItem.get(l.item_code) ?? [])
    .filter((v) => v.m.warehouse === l.warehouse)
    .map((v) => ({ v, d: v.t < early ? early - v.t : v.t > late ? v.t - late : 0 }))
    .filter((x) => x.d <= w)
    .sort((a, b) => a.d - b.d)
    .map(({ v, d }) => ({
      watermark: v.m.watermark,
      doc_type: v.m.doc_type,
      doc_no: v.m.doc_no,
      posted_at: v.m.posted_at,
      rack: v.m.rack,
      quantity_milli: v.q,
      distance_ms: d,
    }));
  return near.length === 0
    ? null
    : { kind: 'movement_near_count', evidence: { window_ms: w, movements: near } };
}

// ---------------------------------------------------------------------------------------------
// A variance that is a multiple of a pack size

const packInputSchema = z.strictObject({ variance: qty(-MAX_QTY), counted: qty(0) });
const packSizesSchema = z.array(qty(0)).max(100);

/**
 * A pack of p units read wrongly leaves a variance in steps of p or p − 1:
 * - `whole_packs`: variance = k × p — whole packs missed, or counted twice (k signed);
 * - `pack_counted_as_unit`: n packs entered as n units → variance = −n × (p − 1), and at least n
 *   units were entered;
 * - `unit_counted_as_pack`: n units scanned by the pack barcode → +n × (p − 1), and at least n × p
 *   entered.
 * Pack sizes of 1 or less are ignored; the p − 1 readings need p − 1 ≥ 2 (else every whole
 * variance is a multiple). `counted` is the quantity variance is taken on.
 */
export function packMultipleHints(
  line: { variance: number; counted: number },
  packSizes: readonly number[],
): Extract<RootCauseHint, { kind: 'pack_multiple' }>[] {
  const l = parseInput(packInputSchema, line, 'line');
  const sizes = [...new Set(parseInput(packSizesSchema, packSizes, 'packSizes').map(toMilli))]
    .filter((p) => p > 1000)
    .sort((a, b) => a - b);
  const v = toMilli(l.variance);
  const counted = toMilli(l.counted);
  const out: Extract<RootCauseHint, { kind: 'pack_multiple' }>[] = [];
  if (v === 0) return out;
  const hint = (reading: PackReading, p: number, packs: number) =>
    out.push({
      kind: 'pack_multiple',
      evidence: { reading, pack_size_milli: p, packs, variance_milli: v },
    });
  for (const p of sizes) {
    if (v % p === 0) hint('whole_packs', p, v / p);
    const step = p - 1000;
    if (step >= 2000 && v % step === 0) {
      const n = Math.abs(v / step);
      if (v < 0 && counted >= n * 1000) hint('pack_counted_as_unit', p, n);
      if (v > 0 && counted >= n * p) hint('unit_counted_as_pack', p, n);
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// A mirror variance in an adjacent rack

/** A rack code's aisle (everything before its trailing number) and that number. */
export function rackPosition(code: string): { aisle: string; number: number } | null {
  if (typeof code !== 'string') return null;
  const m = /^(.*?)(\d+)$/.exec(code.trim());
  if (m === null) return null;
  return { aisle: m[1]!.toUpperCase(), number: Number(m[2]) };
}

/**
 * Default adjacency: same aisle prefix (case-insensitive) and rack numbers one apart — `A-01` and
 * `A-02`, `B12-3` and `B12-4`; not `A-01` and `B-02`, nor codes without a trailing number.
 */
export function defaultAdjacency(a: string, b: string): boolean {
  const pa = rackPosition(a);
  const pb = rackPosition(b);
  return (
    pa !== null && pb !== null && pa.aisle === pb.aisle && Math.abs(pa.number - pb.number) === 1
  );
}

const binVarianceSchema = z.object({
  item_code: itemCodeSchema,
  rack: text(64),
  variance: qty(-MAX_QTY),
});
export type BinVariance = z.input<typeof binVarianceSchema>;

/**
 * +N here and −N in an adjacent rack for the same item: stock put away or counted one rack off.
 * Needs variances per bin (a per-rack book). `adjacent` is the caller's idea of neighbours.
 */
export function mirrorHints(
  bin: BinVariance,
  others: readonly BinVariance[],
  adjacent: (a: string, b: string) => boolean = defaultAdjacency,
): Extract<RootCauseHint, { kind: 'mirror_adjacent_rack' }>[] {
  const b = parseInput(binVarianceSchema, bin, 'bin');
  const v = toMilli(b.variance);
  if (typeof adjacent !== 'function') {
    throw new MovementInputError('MOVEMENTS_BAD_OPTION', 'adjacent', 'a function of two racks');
  }
  const out: Extract<RootCauseHint, { kind: 'mirror_adjacent_rack' }>[] = [];
  others.forEach((raw, i) => {
    const o = parseInput(binVarianceSchema, raw, `others.${i}`);
    if (v === 0 || o.item_code !== b.item_code || o.rack === b.rack) return;
    const ov = toMilli(o.variance);
    if (ov !== -v || !adjacent(b.rack, o.rack)) return;
    out.push({
      kind: 'mirror_adjacent_rack',
      evidence: {
        rack: b.rack,
        variance_milli: v,
        neighbour_rack: o.rack,
        neighbour_variance_milli: ov,
      },
    });
  });
  return out.sort((x, y) => (x.evidence.neighbour_rack < y.evidence.neighbour_rack ? -1 : 1));
}

// ---------------------------------------------------------------------------------------------
// A serial of this item seen in another rack or session

/** Serials are trimmed and upper-cased (design §4). */
const serialSchema = z
  .string()
  .trim()
  .min(1, 'required')
  .max(128)
  .transform((s) => s.toUpperCase());
const sightingSchema = z.object({
  serial: serialSchema,
  item_code: itemCodeSchema,
  session_id: text(64),
  rack: text(64),
  seen_at: instantSchema,
  line_id: text(128).nullable().optional(),
});
const serialLineSchema = z.object({
  item_code: itemCodeSchema,
  session_id: text(64),
  rack: text(64),
  serials: z.array(serialSchema).max(5_000),
});

const bySeen = (a: SerialSeenElsewhere, b: SerialSeenElsewhere) =>
  ms(a.seen_at) - ms(b.seen_at) || (a.rack < b.rack ? -1 : a.rack > b.rack ? 1 : 0);

/**
 * - `counted_here_seen_elsewhere`: a serial on this line also seen in another rack or session
 *   (moved, or counted twice);
 * - `missing_here_seen_elsewhere`: a serial seen in this rack in an earlier session, not on this
 *   line, and seen in another rack since (it moved; the shortage here may be an overage there).
 * Only sightings of this item count.
 */
export function serialHints(
  line: { item_code: string; session_id: string; rack: string; serials: readonly string[] },
  sightings: readonly SerialSeenElsewhere[],
): Extract<RootCauseHint, { kind: 'serial_elsewhere' }>[] {
  const l = parseInput(serialLineSchema, line, 'line');
  const all = sightings
    .map((s, i) => parseInput(sightingSchema, s, `sightings.${i}`))
    .filter((s) => s.item_code === l.item_code);
  const bySerial = new Map<string, SerialSeenElsewhere[]>();
  for (const s of all) bySerial.set(s.serial, [...(bySerial.get(s.serial) ?? []), s]);
  const here = new Set(l.serials);
  const out: Extract<RootCauseHint, { kind: 'serial_elsewhere' }>[] = [];
  for (const [serial, seen] of [...bySerial].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const elsewhere = seen.filter((s) => s.rack !== l.rack || s.session_id !== l.session_id);
    if (here.has(serial)) {
      if (elsewhere.length > 0) {
        out.push({
          kind: 'serial_elsewhere',
          evidence: {
            serial,
            reading: 'counted_here_seen_elsewhere',
            sightings: elsewhere.sort(bySeen),
          },
        });
      }
      continue;
    }
    const earlierHere = seen.filter((s) => s.rack === l.rack && s.session_id !== l.session_id);
    if (earlierHere.length === 0) continue;
    const lastHere = Math.max(...earlierHere.map((s) => ms(s.seen_at)));
    const since = seen.filter((s) => s.rack !== l.rack && ms(s.seen_at) > lastHere);
    if (since.length === 0) continue;
    out.push({
      kind: 'serial_elsewhere',
      evidence: {
        serial,
        reading: 'missing_here_seen_elsewhere',
        sightings: [...earlierHere, ...since].sort(bySeen),
      },
    });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// The same item's variance in earlier sessions

const earlierSchema = z.object({
  session_id: text(64),
  closed_at: instantSchema,
  variance: qty(-MAX_QTY),
});
export type EarlierVariance = z.input<typeof earlierSchema>;

/** The item's non-zero variances in earlier sessions, latest first; null when there is none. */
export function earlierSessionsHint(
  variance: number,
  history: readonly EarlierVariance[],
): Extract<RootCauseHint, { kind: 'earlier_sessions' }> | null {
  const v = toMilli(parseInput(qty(-MAX_QTY), variance, 'variance'));
  const sessions = history
    .map((h, i) => parseInput(earlierSchema, h, `history.${i}`))
    .map((h) => ({
      session_id: h.session_id,
      closed_at: h.closed_at,
      variance_milli: toMilli(h.variance),
    }))
    .filter((h) => h.variance_milli !== 0)
    .sort((a, b) => ms(b.closed_at) - ms(a.closed_at) || (a.session_id < b.session_id ? -1 : 1));
  if (sessions.length === 0) return null;
  const same = sessions.filter((h) => Math.sign(h.variance_milli) === Math.sign(v) && v !== 0);
  return { kind: 'earlier_sessions', evidence: { sessions, same_direction: same.length } };
}

// ---------------------------------------------------------------------------------------------
// A unit-of-measure factor

const uomInputSchema = z.strictObject({ book: qty(-MAX_QTY), counted: qty(0) });
const factorsSchema = z
  .array(
    z
      .number()
      .finite()
      .positive('must be above 0')
      .max(1_000_000)
      .refine((k) => k !== 1, 'a factor of 1 is no factor'),
  )
  .max(100);

/**
 * Counted in another unit: counted = book × k, i.e. variance = book × (k − 1), for a factor k the
 * caller knows (12 for dozens, 1/12 the other way, 1,000 for kg counted in g). Exact to half a
 * thousandth (a third of a dozen is 0.333). Needs a non-zero book and variance.
 */
export function uomFactorHints(
  line: { book: number; counted: number },
  factors: readonly number[],
): Extract<RootCauseHint, { kind: 'uom_factor' }>[] {
  const l = parseInput(uomInputSchema, line, 'line');
  const ks = [...new Set(parseInput(factorsSchema, factors, 'factors'))].sort((a, b) => a - b);
  const book = toMilli(l.book);
  const counted = toMilli(l.counted);
  if (book === 0 || counted === book) return [];
  return ks
    .filter((k) => Math.abs(counted - book * k) <= 0.5 + 1e-9 * Math.abs(book * k))
    .map((k) => ({
      kind: 'uom_factor' as const,
      evidence: {
        factor: k,
        book_milli: book,
        counted_milli: counted,
        variance_milli: counted - book,
      },
    }));
}

// ---------------------------------------------------------------------------------------------
// All of them

export interface HintInput {
  line: {
    item_code: string;
    warehouse: string;
    session_id: string;
    rack: string;
    /** The book the variance is against (the snapshot's, or the expected at count). */
    book: number;
    /** The quantity variance is taken on (counted − written-off damage). */
    counted: number;
    /** The count's interval (clock.ts); without it no movement hint. */
    at?: CountInterval;
    serials?: readonly string[];
  };
  movements?: PreparedMovements | readonly unknown[];
  windowMs?: number;
  packSizes?: readonly number[];
  /** Variances per bin of this session (per-rack books), for mirrors. */
  bins?: readonly BinVariance[];
  adjacent?: (a: string, b: string) => boolean;
  serialSightings?: readonly SerialSeenElsewhere[];
  earlierSessions?: readonly EarlierVariance[];
  uomFactors?: readonly number[];
}

/**
 * Every hint that fires on one line, in the order of `HINT_KINDS`. The variance is counted − book:
 * pass the expected at count as `book` where it is exact, so hints explain what the movements
 * do not.
 */
export function rootCauseHints(input: HintInput): RootCauseHint[] {
  const l = input.line;
  parseInput(uomInputSchema, { book: l.book, counted: l.counted }, 'line');
  const variance = (toMilli(l.counted) - toMilli(l.book)) / 1000;
  const out: RootCauseHint[] = [];
  if (l.at !== undefined && input.movements !== undefined) {
    const h = movementNearCount({ ...l, at: l.at }, input.movements, input.windowMs);
    if (h !== null) out.push(h);
  }
  if (input.packSizes !== undefined) {
    out.push(...packMultipleHints({ variance, counted: l.counted }, input.packSizes));
  }
  if (input.bins !== undefined) {
    out.push(
      ...mirrorHints(
        { item_code: l.item_code, rack: l.rack, variance },
        input.bins,
        input.adjacent,
      ),
    );
  }
  if (input.serialSightings !== undefined) {
    out.push(...serialHints({ ...l, serials: l.serials ?? [] }, input.serialSightings));
  }
  if (input.earlierSessions !== undefined) {
    const h = earlierSessionsHint(variance, input.earlierSessions);
    if (h !== null) out.push(h);
  }
  if (input.uomFactors !== undefined) {
    out.push(...uomFactorHints({ book: l.book, counted: l.counted }, input.uomFactors));
  }
  return out;
}
