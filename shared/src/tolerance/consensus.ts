/**
 * Consensus of one bin (one item in one rack of a session), docs/design.md §12. A recount does not
 * add to the quantity: it is another candidate for the same bin. `settleBin` is a pure function of
 * the SET of counts and supervisor decisions — duplicates collapse by id and every output list is
 * sorted — so phones that sync late, twice or out of order always get the same answer.
 */
import { z } from 'zod';
import { isoInstantSchema, issuesToDetails } from '../envelope';
import { MAX_QTY } from '../quantity';
import {
  ToleranceInputError,
  agreementAllowanceMilli,
  evaluate,
  fromMilli,
  toMilli,
  unitCostMicro,
  type ToleranceEvaluation,
} from './evaluate';
import type { ToleranceRule } from './rules';

const idSchema = z.string().trim().min(1, 'required').max(128);
const qtySchema = z.number().finite().min(0, 'must not be negative').max(MAX_QTY);

/** One count of the bin as the consensus sees it (a count line, reduced). */
export const binCountSchema = z.strictObject({
  /** Unique id of the count (the line's op_id): the same id twice is one count. */
  count_id: idSchema,
  counter_id: idSchema,
  /** 0 = first count; k = the k-th recount phase. */
  phase: z.number().int().min(0).max(100),
  /** The quantity variance is taken on: counted − written-off damage (design §4). */
  quantity: qtySchema,
  /** Server clock when the count was received (decides "late after a decision"). */
  received_at: isoInstantSchema,
  /** A correction names the count it replaces (normally the same counter's, same phase). */
  supersedes: idSchema.nullable().optional(),
});
export type BinCount = z.input<typeof binCountSchema>;

/** A supervisor's act on the bin. */
export const binDecisionSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    /** Decide the quantity. The latest `set` stands (a later one is an explicit override). */
    kind: z.literal('set'),
    decision_id: idSchema,
    quantity: qtySchema,
    decided_by: idSchema,
    decided_at: isoInstantSchema,
    reason: z.string().trim().min(1, 'a decision needs a reason').max(1000),
    /** The count accepted, when the supervisor took one count's figure. */
    count_id: idSchema.nullable().optional(),
  }),
  z.strictObject({
    /** Ask for one more blind recount: opens `phase`, which must then be counted to settle. */
    kind: z.literal('recount'),
    decision_id: idSchema,
    phase: z.number().int().min(1).max(100),
    decided_by: idSchema,
    decided_at: isoInstantSchema,
    reason: z.string().trim().max(1000).nullable().optional(),
  }),
]);
export type BinDecision = z.input<typeof binDecisionSchema>;
/** A count as `binCountSchema` returns it: ids trimmed, the instant canonical (`toISOString`). */
export type ParsedCount = z.output<typeof binCountSchema>;
/** A decision as `binDecisionSchema` returns it (ids and reason trimmed, canonical instant). */
export type ParsedDecision = z.output<typeof binDecisionSchema>;
type SetDecision = Extract<ParsedDecision, { kind: 'set' }>;

/** Everything known about one bin. */
export const binHistorySchema = z.strictObject({
  /** Book quantity of the session snapshot. */
  book: z.number().finite(),
  /** Unit cost of the session snapshot. */
  unit_cost: z.number().finite().min(0),
  /** Several counters deliberately count parts of the rack: counts add up, no consensus. */
  split: z.boolean().optional(),
  counts: z.array(z.unknown()).max(10_000),
  decisions: z.array(z.unknown()).max(10_000).optional(),
});
export type BinHistory = {
  book: number;
  unit_cost: number;
  split?: boolean;
  counts: readonly BinCount[];
  decisions?: readonly BinDecision[];
};
/** A history of the parsed shape (what `parseBinHistory` returns), for `settleBinTrusted`. */
export type ParsedBinHistory = {
  book: number;
  unit_cost: number;
  split?: boolean;
  counts: readonly ParsedCount[];
  decisions?: readonly ParsedDecision[];
};

export const SETTLEMENT_STATES = ['settled', 'open', 'needs_supervisor', 'decided'] as const;
export type SettlementState = (typeof SETTLEMENT_STATES)[number];

/** Why the bin is in its state; the console words each one (design §12). */
export const SETTLEMENT_REASONS = [
  'no_counts', // open: nothing counted yet
  'within_tolerance', // settled: one first count, within tolerance
  'consensus', // settled: counts of different counters agree
  'exceeds_tolerance', // open: a first count outside tolerance, recount phase 1 opened
  'disagreement', // open: counts disagree, the next recount phase opened
  'awaiting_recount', // open: a supervisor asked for a recount not yet counted
  'approval_required', // needs_supervisor: the rule's action is `approve`
  'phase_limit_reached', // needs_supervisor: no agreement after the last recount phase
  'split_additive', // settled: split bin, sum within tolerance
  'split_exceeds_tolerance', // needs_supervisor: split bin, sum outside tolerance
  'supervisor_decided', // decided
] as const;
export type SettlementReason = (typeof SETTLEMENT_REASONS)[number];

export type BinConflictCode = 'late_after_decision' | 'recount_after_decision';
export interface BinConflict {
  /** A count id, or a decision id for `recount_after_decision`. */
  id: string;
  code: BinConflictCode;
}

/** One counter's current say: the sum of their counts in the latest phase they counted. */
export interface Voice {
  counter_id: string;
  phase: number;
  quantity: number;
  count_ids: string[];
  /** Their counts of earlier phases, replaced by their later count. */
  replaced_count_ids: string[];
}

export interface Settlement {
  state: SettlementState;
  /** The settled or decided quantity. */
  quantity?: number;
  /** What a supervisor is asked about (`needs_supervisor`, or an open first count over tolerance). */
  proposed_quantity?: number;
  /** Settled/decided/needs_supervisor: the latest phase reached; open: the phase awaiting a count. */
  phase: number;
  /** Count ids behind the quantity (or the proposal), sorted. */
  agreeing: string[];
  reason: SettlementReason;
  /** One per counter, sorted by counter id (late counts left out). */
  voices: Voice[];
  /** Count ids a correction replaced. */
  superseded: string[];
  /**
   * Everyone who counted the bin (corrected and replaced counts included, late ones not), sorted:
   * a recount task goes to somebody else.
   */
  counters: string[];
  conflicts: BinConflict[];
  /** The decision that stands, when decided. */
  decision?: {
    decision_id: string;
    decided_by: string;
    decided_at: string;
    reason: string;
    count_id: string | null;
    /** Earlier `set` decisions it overrode. */
    overrides: string[];
  };
  /** The quantity (or proposal) against the book under the rule. */
  evaluation?: ToleranceEvaluation;
  /** Largest difference at which two counts agree (null = the rule sets no limit). */
  agreement_allowance: number | null;
  rule: { id: string; version: number };
  phase_limit: number;
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Collects items by id: the same id twice is one item, one id given twice with different content
 * throws TOLERANCE_ID_REUSED (at `path`.i). No schema: the trusted entry uses it as it is.
 */
function uniqueById<T>(path: string, idOf: (t: T) => string) {
  const byId = new Map<string, { value: T; at: number }>();
  // Canonical text, only to compare an id given twice (rare: a stringify per item was a tenth of
  // a settle's CPU in the sync benchmark).
  const textOf = (v: T) => JSON.stringify(v, Object.keys(v as object).sort());
  return {
    add(value: T, i: number): void {
      const id = idOf(value);
      const seen = byId.get(id);
      if (seen === undefined) byId.set(id, { value, at: i });
      else if (textOf(seen.value) !== textOf(value)) {
        throw new ToleranceInputError(
          'TOLERANCE_ID_REUSED',
          `${path}.${i}`,
          `id ${id} was given twice with different content (also at ${path}.${seen.at})`,
        );
      }
    },
    values: (): T[] => [...byId.values()].map((v) => v.value),
  };
}

function parseAll<T>(
  schema: z.ZodType<T>,
  items: readonly unknown[],
  path: string,
  idOf: (t: T) => string,
): T[] {
  const unique = uniqueById(path, idOf);
  items.forEach((raw, i) => {
    const r = schema.safeParse(raw);
    if (!r.success) {
      const d = issuesToDetails(r.error.issues, `${path}.${i}`)[0]!;
      throw new ToleranceInputError('TOLERANCE_BAD_INPUT', d.path, d.message);
    }
    unique.add(r.data, i);
  });
  return unique.values();
}

function uniqueAll<T>(items: readonly T[], path: string, idOf: (t: T) => string): T[] {
  const unique = uniqueById(path, idOf);
  items.forEach((item, i) => unique.add(item, i));
  return unique.values();
}

/** Decisions in time order, the id breaking ties. */
function byTime(a: ParsedDecision, b: ParsedDecision): number {
  const t = Date.parse(a.decided_at) - Date.parse(b.decided_at);
  return t !== 0 ? t : cmp(a.decision_id, b.decision_id);
}

interface MVoice {
  counter_id: string;
  phase: number;
  m: number;
  count_ids: string[];
  replaced: string[];
}

function voicesOf(counts: readonly ParsedCount[]): MVoice[] {
  const byCounter = new Map<string, ParsedCount[]>();
  for (const c of counts) {
    const list = byCounter.get(c.counter_id);
    if (list) list.push(c);
    else byCounter.set(c.counter_id, [c]);
  }
  const voices: MVoice[] = [];
  for (const [counter_id, list] of byCounter) {
    const phase = Math.max(...list.map((c) => c.phase));
    const current = list.filter((c) => c.phase === phase);
    voices.push({
      counter_id,
      phase,
      m: current.reduce((s, c) => s + toMilli(c.quantity), 0),
      count_ids: current.map((c) => c.count_id).sort(cmp),
      replaced: list
        .filter((c) => c.phase !== phase)
        .map((c) => c.count_id)
        .sort(cmp),
    });
  }
  return voices.sort((a, b) => cmp(a.counter_id, b.counter_id));
}

/** Lower median of a sorted list: the lower of the two middle values when even (design §12). */
function lowerMedian(sorted: readonly number[]): number {
  return sorted[Math.floor((sorted.length - 1) / 2)]!;
}

/**
 * The agreeing group: the most voices whose quantities all lie within `allowance` of each other
 * (at least two, so at least two counters), containing a voice of phase ≥ `minPhase`. Ties: the
 * smaller spread, then the lower quantities. Agreement depends only on the difference, so a group
 * is a window of the voices sorted by quantity; the largest windows start somewhere and run as far
 * as they can, which is all this scans.
 */
export function bestGroup<V extends { m: number; phase: number; counter_id: string }>(
  voices: readonly V[],
  allowance: number,
  minPhase: number,
): V[] | null {
  const sorted = [...voices].sort((a, b) => a.m - b.m || cmp(a.counter_id, b.counter_id));
  let best: { from: number; to: number } | null = null;
  for (let i = 0; i < sorted.length; i++) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1]!.m - sorted[i]!.m <= allowance) j++;
    if (j === i) continue;
    const window = sorted.slice(i, j + 1);
    if (!window.some((v) => v.phase >= minPhase)) continue;
    if (best === null) {
      best = { from: i, to: j };
      continue;
    }
    const size = j - i;
    const bestSize = best.to - best.from;
    const spread = sorted[j]!.m - sorted[i]!.m;
    const bestSpread = sorted[best.to]!.m - sorted[best.from]!.m;
    // Scanning upwards, an equal window found later has higher quantities: keep the earlier.
    if (size > bestSize || (size === bestSize && spread < bestSpread)) best = { from: i, to: j };
  }
  return best === null ? null : sorted.slice(best.from, best.to + 1);
}

function checkPhaseLimit(phaseLimit: number): void {
  if (!Number.isInteger(phaseLimit) || phaseLimit < 0) {
    throw new ToleranceInputError('TOLERANCE_BAD_INPUT', 'phaseLimit', 'a whole number ≥ 0');
  }
}

/**
 * The validation half of `settleBin`: the history with every count and decision parsed (ids and
 * reasons trimmed, instants canonical) and each id once. Throws `ToleranceInputError` (code and
 * field path) on bad input, including one id given twice with different content.
 */
export function parseBinHistory(history: BinHistory): ParsedBinHistory {
  const h = parseHistory(history);
  return {
    ...h,
    counts: parseAll(binCountSchema, h.counts, 'counts', (c) => c.count_id),
    decisions: parseAll(binDecisionSchema, h.decisions ?? [], 'decisions', (d) => d.decision_id),
  };
}

function parseHistory(history: BinHistory): z.output<typeof binHistorySchema> {
  const h = binHistorySchema.safeParse(history);
  if (!h.success) {
    const d = issuesToDetails(h.error.issues)[0]!;
    throw new ToleranceInputError('TOLERANCE_BAD_INPUT', d.path, d.message);
  }
  return h.data;
}

/**
 * Settles one bin. `phaseLimit` (default: the rule's `recount_phases`) is the last recount phase
 * before a supervisor decides. Throws `ToleranceInputError` (code and field path) on bad input,
 * including one id given twice with different content.
 */
export function settleBin(
  history: BinHistory,
  rule: ToleranceRule,
  phaseLimit: number = rule.recount_phases,
): Settlement {
  const h = parseHistory(history);
  checkPhaseLimit(phaseLimit);
  const counts = parseAll(binCountSchema, h.counts, 'counts', (c) => c.count_id);
  const decisions = parseAll(
    binDecisionSchema,
    h.decisions ?? [],
    'decisions',
    (d) => d.decision_id,
  ).sort(byTime);
  return settleParsed(h, counts, decisions, rule, phaseLimit);
}

/**
 * `settleBin` for a history that is already of the parsed shape, without validating it again (the
 * server's own rows, validated when they were written; docs/design.md §12 "When"). The caller
 * guarantees what `parseBinHistory` would otherwise ensure: `book` and `unit_cost` finite (cost
 * ≥ 0); every count a `ParsedCount` — `count_id`, `counter_id` and `supersedes` (when given)
 * trimmed, non-empty, at most 128 characters; `phase` a whole number 0–100; `quantity` finite,
 * 0 ≤ q ≤ MAX_QTY; `received_at` an ISO instant in `Date.prototype.toISOString` form — and every
 * decision a `ParsedDecision` (ids and reasons trimmed, a `set`'s reason non-empty, `decided_at`
 * in `toISOString` form, a `recount`'s phase a whole number 1–100), with no other keys. Given
 * that, the answer deep-equals `settleBin`'s. What it still does: collapses an id given twice
 * (one id with different content still throws TOLERANCE_ID_REUSED, at the same path), sorts the
 * decisions by time, and refuses a `phaseLimit` that is not a whole number ≥ 0.
 */
export function settleBinTrusted(
  history: ParsedBinHistory,
  rule: ToleranceRule,
  phaseLimit: number = rule.recount_phases,
): Settlement {
  checkPhaseLimit(phaseLimit);
  const counts = uniqueAll(history.counts, 'counts', (c) => c.count_id);
  const decisions = uniqueAll(history.decisions ?? [], 'decisions', (d) => d.decision_id).sort(
    byTime,
  );
  return settleParsed(history, counts, decisions, rule, phaseLimit);
}

/** The settlement proper: counts unique by id, decisions unique and in time order. */
function settleParsed(
  h: Pick<ParsedBinHistory, 'book' | 'unit_cost' | 'split'>,
  counts: readonly ParsedCount[],
  decisions: readonly ParsedDecision[],
  rule: ToleranceRule,
  phaseLimit: number,
): Settlement {
  const bookM = toMilli(h.book);
  const costU = unitCostMicro(h.unit_cost);
  const allowance = agreementAllowanceMilli(rule, bookM, costU);
  const conflicts: BinConflict[] = [];

  // Decisions: the first `set` closes the bin; the latest `set` is the quantity.
  const sets = decisions.filter((d): d is SetDecision => d.kind === 'set');
  const firstSet = sets[0];
  const closedAt = firstSet ? Date.parse(firstSet.decided_at) : Number.POSITIVE_INFINITY;
  let recountPhase = 0;
  for (const d of decisions) {
    if (d.kind !== 'recount') continue;
    if (Date.parse(d.decided_at) > closedAt) {
      conflicts.push({ id: d.decision_id, code: 'recount_after_decision' });
    } else {
      recountPhase = Math.max(recountPhase, d.phase);
    }
  }

  // Counts received after the bin was decided are conflicts and take no part.
  const onTime: ParsedCount[] = [];
  for (const c of counts) {
    if (Date.parse(c.received_at) > closedAt) {
      conflicts.push({ id: c.count_id, code: 'late_after_decision' });
    } else onTime.push(c);
  }
  const supersededIds = new Set<string>();
  for (const c of onTime) if (c.supersedes) supersededIds.add(c.supersedes);
  const live = onTime.filter((c) => !supersededIds.has(c.count_id));
  const superseded = onTime
    .filter((c) => supersededIds.has(c.count_id))
    .map((c) => c.count_id)
    .sort(cmp);
  const mvoices = voicesOf(live);
  const maxCountPhase = mvoices.reduce((p, v) => Math.max(p, v.phase), 0);
  const phase = Math.max(maxCountPhase, recountPhase);

  const base = {
    voices: mvoices.map<Voice>((v) => ({
      counter_id: v.counter_id,
      phase: v.phase,
      quantity: fromMilli(v.m),
      count_ids: v.count_ids,
      replaced_count_ids: v.replaced,
    })),
    superseded,
    counters: [...new Set(onTime.map((c) => c.counter_id))].sort(cmp),
    conflicts: conflicts.sort((a, b) => cmp(a.id, b.id) || cmp(a.code, b.code)),
    agreement_allowance: Number.isFinite(allowance) ? fromMilli(allowance) : null,
    rule: { id: rule.id, version: rule.version },
    phase_limit: phaseLimit,
  };
  const judge = (m: number) =>
    evaluate(rule, { book: h.book, counted: fromMilli(m), unitCost: h.unit_cost });
  const idsOf = (vs: readonly MVoice[]) => vs.flatMap((v) => v.count_ids).sort(cmp);

  if (firstSet) {
    const standing = sets[sets.length - 1]!;
    const m = toMilli(standing.quantity);
    return {
      ...base,
      state: 'decided',
      quantity: fromMilli(m),
      phase,
      agreeing: standing.count_id ? [standing.count_id] : [],
      reason: 'supervisor_decided',
      decision: {
        decision_id: standing.decision_id,
        decided_by: standing.decided_by,
        decided_at: standing.decided_at,
        reason: standing.reason,
        count_id: standing.count_id ?? null,
        overrides: sets.slice(0, -1).map((d) => d.decision_id),
      },
      evaluation: judge(m),
    };
  }

  if (mvoices.length === 0) {
    return recountPhase > 0
      ? { ...base, state: 'open', phase: recountPhase, agreeing: [], reason: 'awaiting_recount' }
      : { ...base, state: 'open', phase: 0, agreeing: [], reason: 'no_counts' };
  }

  if (h.split) {
    if (recountPhase > maxCountPhase) {
      return { ...base, state: 'open', phase, agreeing: [], reason: 'awaiting_recount' };
    }
    const m = mvoices.reduce((s, v) => s + v.m, 0);
    const evaluation = judge(m);
    return evaluation.within
      ? {
          ...base,
          state: 'settled',
          quantity: fromMilli(m),
          phase,
          agreeing: idsOf(mvoices),
          reason: 'split_additive',
          evaluation,
        }
      : {
          ...base,
          state: 'needs_supervisor',
          proposed_quantity: fromMilli(m),
          phase,
          agreeing: idsOf(mvoices),
          reason: 'split_exceeds_tolerance',
          evaluation,
        };
  }

  const group = bestGroup(mvoices, allowance, recountPhase);
  if (group) {
    const m = lowerMedian(group.map((v) => v.m));
    const evaluation = judge(m);
    if (rule.on_exceed === 'approve' && !evaluation.within) {
      return {
        ...base,
        state: 'needs_supervisor',
        proposed_quantity: fromMilli(m),
        phase,
        agreeing: idsOf(group),
        reason: 'approval_required',
        evaluation,
      };
    }
    return {
      ...base,
      state: 'settled',
      quantity: fromMilli(m),
      phase,
      agreeing: idsOf(group),
      reason: 'consensus',
      evaluation,
    };
  }

  if (mvoices.length === 1 && maxCountPhase === 0 && recountPhase === 0) {
    const only = mvoices[0]!;
    const evaluation = judge(only.m);
    const figure = { phase: 0, agreeing: only.count_ids, evaluation };
    if (evaluation.within) {
      return {
        ...base,
        ...figure,
        state: 'settled',
        quantity: fromMilli(only.m),
        reason: 'within_tolerance',
      };
    }
    const proposed_quantity = fromMilli(only.m);
    if (rule.on_exceed === 'approve') {
      return {
        ...base,
        ...figure,
        state: 'needs_supervisor',
        proposed_quantity,
        reason: 'approval_required',
      };
    }
    return phaseLimit >= 1
      ? {
          ...base,
          ...figure,
          state: 'open',
          phase: 1,
          proposed_quantity,
          reason: 'exceeds_tolerance',
        }
      : {
          ...base,
          ...figure,
          state: 'needs_supervisor',
          proposed_quantity,
          reason: 'phase_limit_reached',
        };
  }

  // No agreement.
  if (recountPhase > maxCountPhase) {
    return {
      ...base,
      state: 'open',
      phase: recountPhase,
      agreeing: [],
      reason: 'awaiting_recount',
    };
  }
  if (rule.on_exceed === 'approve') {
    return { ...base, state: 'needs_supervisor', phase, agreeing: [], reason: 'approval_required' };
  }
  if (phase < phaseLimit) {
    return { ...base, state: 'open', phase: phase + 1, agreeing: [], reason: 'disagreement' };
  }
  return { ...base, state: 'needs_supervisor', phase, agreeing: [], reason: 'phase_limit_reached' };
}
