/**
 * Bins and recount tasks (issue #16 items 2, 3 and 6; docs/design.md §12). A bin is one item in one
 * rack of a session. Its counts settle by consensus (`settleBin` from @stockverify/shared), kept
 * in the store as a row per bin (the read model per bin, docs/design.md §10), and the lines whose
 * figure the bin did not take are marked `CANDIDATE`, which does not count — so the session read
 * model stays a sum of the lines that count.
 */
import type {
  BinDecision,
  BinRecord,
  LineStatus,
  OpenBin,
  RecountTaskState,
  Settlement,
  ToleranceRule,
} from '@stockverify/shared';
import type { CountLineRecord } from './counting';
import type { Paged } from './store';

export interface BinKey {
  rack: string;
  item_code: string;
}

/** What the store hands the settle callback for one bin. */
/** What settlement reads of each line of a bin. */
export type BinLine = Pick<
  CountLineRecord,
  | 'id'
  | 'op_id'
  | 'counted_by'
  | 'phase'
  | 'counted_qty'
  | 'non_returnable_damaged_qty'
  | 'received_at'
  | 'supersedes'
  | 'superseded_by'
  | 'status'
  | 'recount_task_id'
  | 'reviewed_by'
  | 'reviewed_at'
  | 'review_note'
>;

export interface BinSettleInput {
  session_id: string;
  key: BinKey;
  /** The bin's lines that are not REJECTED (superseded ones included), oldest first. */
  lines: BinLine[];
  /** Supervisor decisions on the bin, oldest first. */
  decisions: BinDecision[];
  /** The key's `split` when given, else the bin row's (false without one). */
  split: boolean;
  /** The bin's open recount tasks. */
  open_tasks: RecountTaskRecord[];
  /**
   * The bin's tasks no longer open (done or cancelled): a count naming one that came after it
   * closed is late (docs/design.md §11 "Late counts"). None when absent.
   */
  closed_tasks?: RecountTaskRecord[];
  /** The bin's row before this settlement (null: none yet): its settled_at stays while settled. */
  previous: Omit<BinRecord, 'item_name'> | null;
}

/** A line's review fields as settlement sets them (applied through the read-model upkeep). */
export interface BinLineUpdate {
  id: string;
  status: LineStatus;
  reviewed_by: string | null;
  reviewed_at: string | null;
  review_note: string | null;
}

/** What the service decided for one bin; the store applies it in the same transaction. */
export interface BinSettleOutcome {
  settlement: Settlement;
  rule: ToleranceRule;
  /** Line ids whose figure the bin takes (they count); the bin's other live lines are CANDIDATE. */
  taken_line_ids: string[];
  /**
   * The status changes that make it so (only lines whose status changes; superseded lines are
   * never touched): the store applies exactly these, each as a review of the line.
   */
  line_updates: BinLineUpdate[];
  /** The bin row to write (null: the bin needs no row, e.g. one counter's count within tolerance). */
  record: Omit<BinRecord, 'item_name'> | null;
  /** A task to open (the service chose its phase and assignee). */
  open_task?: RecountTaskRecord;
  /**
   * A note for the open task the bin keeps: a supervisor asked for the recount of the phase it
   * already waits for (docs/design.md §11). The store writes it on the task if still open.
   */
  task_note?: { id: string; note: string };
  /** Open tasks to close. */
  close_tasks?: {
    id: string;
    state: Exclude<RecountTaskState, 'open'>;
    answered_by_op_id: string | null;
  }[];
}

export interface RecountTaskRecord {
  id: string;
  session_id: string;
  rack: string;
  item_code: string;
  phase: number;
  state: RecountTaskState;
  assigned_to: string | null;
  assigned_at: string | null;
  excluded_counters: string[];
  reason: string;
  note: string | null;
  created_at: string;
  created_by: string;
  closed_at: string | null;
  answered_by_op_id: string | null;
}

export interface BinRepo {
  /**
   * Re-settles the given bins, each in one transaction with its line status changes (and their
   * read-model upkeep), its bin row and its task changes: reads the bin's lines and decisions,
   * calls `settle` (pure, synchronous), applies the outcome. Returns the written records, in the
   * keys' order (null: the bin has no row and needs none). A key's `split` (the rack was claimed
   * split) is kept on the row; a key without it keeps the row's.
   */
  settle(
    sessionId: string,
    keys: readonly (BinKey & { split?: boolean })[],
    settle: (input: BinSettleInput) => BinSettleOutcome,
  ): Promise<(Omit<BinRecord, 'item_name'> | null)[]>;
  /**
   * The bin's row; for a bin with lines and no row (one counter's first counts within tolerance),
   * the record computed from its lines (settled `within_tolerance`); null for a bin without lines.
   */
  get(sessionId: string, key: BinKey): Promise<Omit<BinRecord, 'item_name'> | null>;
  list(
    sessionId: string,
    query: {
      state?: BinRecord['state'];
      rack?: string;
      /** `late`: only bins with unacknowledged late counts. */
      attention?: 'late';
      page: number;
      page_size: number;
    },
  ): Promise<Paged<Omit<BinRecord, 'item_name'>>>;
  /** Every line of the bin (candidates, superseded and rejected included), oldest first. */
  lines(sessionId: string, key: BinKey): Promise<CountLineRecord[]>;
  decisions(sessionId: string, key: BinKey): Promise<BinDecision[]>;
  /** Stores a decision once (by decision_id); false when the id was already stored. */
  addDecision(sessionId: string, key: BinKey, decision: BinDecision): Promise<boolean>;
  /**
   * Of bins that just got a line by `counter` that cannot change a bin on its own (a first count
   * within tolerance, no correction), those that must be settled anyway: the bin has a row, or a
   * line by another counter. One indexed point read each; the answer keeps the given order.
   */
  needsSettling(
    sessionId: string,
    bins: readonly { key: BinKey; counter: string }[],
  ): Promise<BinKey[]>;
  /**
   * A supervisor acknowledged late counts of the bin (docs/design.md §11 "Late counts"): adds
   * `countIds` (null: every late count of the row) that are late counts of the row to its
   * acknowledged ones, in one transaction with the read (serialised with `settle` on the bin).
   * Returns the row before and after; null when the bin has no row.
   */
  acknowledgeLate(
    sessionId: string,
    key: BinKey,
    countIds: readonly string[] | null,
    /** The server clock, stamped as the row's `updated_at`. */
    now: string,
  ): Promise<{
    before: Omit<BinRecord, 'item_name'>;
    after: Omit<BinRecord, 'item_name'>;
  } | null>;
  /**
   * Bins that block reconcile: open tasks, bins needing a supervisor and bins with unacknowledged
   * late counts (at most `limit`).
   */
  blocking(sessionId: string, limit: number): Promise<{ total: number; items: OpenBin[] }>;
  /**
   * Every bin of a session (count-quality measures), ordered by rack then item: the rows, and for
   * a bin that needs no row (one counter's first counts within tolerance) the record `get`
   * computes for it (settled `within_tolerance`, confirmed, no recount, settled_at = its first
   * received_at) — without them first-count accuracy and the recount rate would count only the
   * doubtful bins.
   */
  all(sessionId: string): Promise<Omit<BinRecord, 'item_name'>[]>;
}

export interface RecountTaskRepo {
  get(id: string): Promise<RecountTaskRecord | null>;
  list(
    sessionId: string,
    query: {
      state?: RecountTaskState;
      rack?: string;
      assigned_to?: string;
      /** Tasks this user may do: assigned to them, or unassigned and not excluding them. */
      eligible_user?: string;
      page: number;
      page_size: number;
    },
  ): Promise<Paged<RecountTaskRecord>>;
  /** Open tasks per assignee in a session (the server's workload measure). */
  openCountsByAssignee(sessionId: string): Promise<Map<string, number>>;
  assign(id: string, userId: string | null, at: string): Promise<RecountTaskRecord | null>;
}
