/**
 * The incremental read model of each session (issue #13): per rack, per item, per counter and per
 * session figures kept by the Store in the same transaction as the line writes, so every
 * supervisor and staff view reads a few rows instead of aggregating every line on each request.
 *
 * "Counting lines" are the lines that count in the variance definition: not superseded by a
 * correction, not rejected by a supervisor (`store.lines.variances`). Every figure below is over
 * them, except a rack's `last_activity_at`, the newest `received_at` of any line written into it.
 * Both adapters keep the model with the one planner in adapters/store/read-model-plan.ts.
 */
import type { AtCountAction, AtCountStatus, HintKind } from '@stockverify/shared';
import type { CounterStats, ItemVariance } from './counting';
import type { LineFigures } from './evidence';

/**
 * An item's expected at count in the model (issue #17, docs/design.md §13): what
 * `GET /sessions/:id/items/:code/expected` answers for it, as columns. Written by the at-count
 * drain (modules/movements/at-count-upkeep.ts); a line write or a stored movement of the item in
 * a session with an ERP watermark sets it `pending` (figures null) and marks it dirty until then.
 */
export interface AtCountColumns {
  status: AtCountStatus;
  /** Thousandths; null unless exact. */
  expected_m: number | null;
  /** Variance at count (counted − written off − expected), thousandths; null unless exact. */
  vac_m: number | null;
  /** Its range; null unless exact or ambiguous. */
  vac_low_m: number | null;
  vac_high_m: number | null;
  provisional: boolean;
  /** Kinds of root-cause hint, in HINT_KINDS order. */
  hints: HintKind[];
  /**
   * Server time from which no count of the item is provisional (its latest count's latest bound
   * plus the movements' slack); null unless exact or ambiguous. The drain marks the item again
   * when the movement feed's completeness crosses it.
   */
  final_at: string | null;
  /**
   * The item's tolerance rule on its variance at count (item level: counted against expected,
   * the snapshot's cost), worse end of an ambiguous range; null unless exact or ambiguous.
   */
  within: boolean | null;
  action: AtCountAction | null;
}

export interface ItemAtCount extends AtCountColumns {
  item_code: string;
}

/**
 * The at-count columns of an item whose figures wait for the drain (`pending`) or that has none
 * (`unknown`), with the kinds of its hints if any.
 */
export function atCountOf(status: 'pending' | 'unknown', hints: HintKind[] = []): AtCountColumns {
  return {
    status,
    expected_m: null,
    vac_m: null,
    vac_low_m: null,
    vac_high_m: null,
    provisional: false,
    hints,
    final_at: null,
    within: null,
    action: null,
  };
}

/**
 * An item whose at-count columns wait to be computed again. `seq` is positive while the mark waits
 * and negative once a drain has claimed it (`claimAtCount`); a write that marks an item whose mark
 * waits leaves it as it is (the drain has not read the item yet, so it will see the write), and a
 * write that marks a claimed item gives it a new positive `seq`, so the claimer's `putAtCount`
 * writes nothing and the item is computed again.
 */
export interface AtCountMark {
  session_id: string;
  item_code: string;
  seq: number;
}

/** One rack of a session. Racks no line was ever written into have no row. */
export interface RackFigures {
  rack: string;
  /** Counting lines in this rack. */
  lines: number;
  /** Distinct items with a counting line in this rack. */
  items: number;
  /** Of those, items whose session-level variance is not zero (supervisor-only to show). */
  variance_items: number;
  /** Newest `received_at` of any line written into the rack (corrected and rejected ones too). */
  last_activity_at: string | null;
}

/** Per-item figures: `ItemVariance` less the name and category, which come from the snapshot. */
export type ItemFigures = Omit<ItemVariance, 'name' | 'category'> & {
  /** Its counting lines waiting for a supervisor (status NEEDS_REVIEW). */
  needs_review: number;
};

/** Whole-session totals, the numbers of the detail page (`sessions.service` metrics). */
export interface SessionFigures {
  session_id: string;
  lines: number;
  /** Items with at least one counting line. */
  items_counted: number;
  /** Σ of the items' variances (item level), and their values, each item value rounded first. */
  total_variance: number;
  variance_value_at_cost: number;
  variance_value_at_price: number;
  /** Σ|book| and Σ|variance| over counted items (item-level accuracy). */
  abs_book: number;
  abs_variance: number;
}

/**
 * One counter's writing in one session, over every line they wrote (corrected and rejected ones
 * too): the user_activity report's "lines written" and "lines overturned", the latter being lines a
 * supervisor rejected or a correction changed (another quantity, damage or write-off).
 */
export interface WriterFigures {
  session_id: string;
  user_id: string;
  written: number;
  overturned: number;
}

export interface ReadModelRepo {
  /** Totals of one session (all zero when nothing counts yet). */
  session(sessionId: string): Promise<SessionFigures>;
  /** Every rack of the session that a line was written into, by rack code. */
  racks(sessionId: string): Promise<RackFigures[]>;
  /** Every item with a counting line, by item code. */
  items(sessionId: string): Promise<ItemFigures[]>;
  /**
   * Per (session, counter) figures, ordered by session then user: `store.lines.stats` without a
   * time window, read from the model.
   */
  counters(sessionIds: readonly string[]): Promise<CounterStats[]>;
  /** Per (session, counter) lines written and overturned, ordered by session then user. */
  writers(sessionIds: readonly string[]): Promise<WriterFigures[]>;
  /**
   * `monitoring.linesSince` for a UTC midnight: lines received on that day or later; with
   * `sessionIds`, only those sessions' (a supervisor bound to a warehouse, issue #12).
   */
  linesSinceDay(midnightIso: string, sessionIds?: readonly string[]): Promise<LineFigures>;
  /** Every item of the session with a counting line, its at-count columns, by item code. */
  atCount(sessionId: string): Promise<ItemAtCount[]>;
  /**
   * These items' at-count columns in one read (a page of the lines, docs/design.md §13); an item
   * without a model row is left out.
   */
  atCountOf(sessionId: string, itemCodes: readonly string[]): Promise<ItemAtCount[]>;
  /**
   * Up to `limit` items waiting for their at-count columns (any session), in key order: waiting
   * marks only, never one a drain has claimed (it may be another process's, computing it now).
   */
  dirtyAtCount(limit: number): Promise<AtCountMark[]>;
  /**
   * Makes every claimed mark wait again (a drain starting: claims left by a process that stopped
   * half-way). A drain still computing one of them then writes nothing for it, and the item is
   * computed again. Returns how many it released.
   */
  releaseAtCountClaims(): Promise<number>;
  /**
   * Claims a mark before its item is computed: gives it a new negative `seq` if it still has this
   * one, and returns the claimed mark, or null when it changed or went (another drain, a newer
   * write).
   */
  claimAtCount(mark: AtCountMark): Promise<AtCountMark | null>;
  /**
   * Writes an item's at-count columns and clears its mark, both only if the mark still has this
   * `seq` (a change marked it again meanwhile: the item stays pending for the next round).
   * Returns whether it wrote. An item without a model row any more only loses its mark.
   */
  putAtCount(mark: AtCountMark, columns: AtCountColumns): Promise<boolean>;
  /**
   * Marks these items of the session pending and dirty, those with a model row only (a movement
   * pull: its items that moved). Returns how many it marked.
   */
  markAtCount(sessionId: string, itemCodes: readonly string[]): Promise<number>;
  /**
   * Marks every computed item whose `provisional` disagrees with the feed complete until
   * `completeUntil` (null: none is provisional). Returns how many it marked.
   */
  markProvisional(completeUntil: string | null): Promise<number>;
  /** Recomputes one session's model from its lines (the rebuild tool, migrations). */
  rebuild(sessionId: string): Promise<void>;
  /** Recomputes every session's model; returns how many sessions it rebuilt. */
  rebuildAll(): Promise<number>;
}
