/**
 * Bins, recount tasks and supervisor decisions on the wire (issue #16 items 2–4, docs/design.md
 * §12). A bin is one item in one rack of a session; its counts settle by consensus
 * (`settleBin`, shared/src/tolerance/consensus.ts) unless the rack was claimed as split.
 *
 * Staff see a recount task as "count this item in this rack": never a quantity, never who counted
 * before (a recount is blind whatever the session's mode). Supervisors see the queue and every
 * bin's history side by side.
 */
import { z } from 'zod';
import { pageSchemaOf } from './pages';
import { SETTLEMENT_REASONS, SETTLEMENT_STATES } from './tolerance/consensus';
import { lineToleranceSchema } from './tolerance/line';

export const RECOUNT_TASK_STATES = ['open', 'done', 'cancelled'] as const;
export type RecountTaskState = (typeof RECOUNT_TASK_STATES)[number];

/** Why a task exists: the settlement's reason, or a supervisor's request. */
export const recountTaskReasonSchema = z.enum([...SETTLEMENT_REASONS, 'supervisor']);

/** A recount task as a counter's phone sees it: where and what, nothing that anchors the count. */
export const recountTaskSchema = z.object({
  task_id: z.string(),
  session_id: z.string(),
  rack: z.string(),
  item_code: z.string(),
  item_name: z.string().nullable(),
  /** The recount phase this task counts (1 = first recount). */
  phase: z.number().int().min(1),
  state: z.enum(RECOUNT_TASK_STATES),
  /** True when the server or a supervisor gave it to this counter; false: offered to any eligible. */
  assigned_to_me: z.boolean(),
  created_at: z.string(),
  /** A supervisor's note, when a supervisor asked for it. */
  note: z.string().nullable(),
});
export type RecountTask = z.infer<typeof recountTaskSchema>;

/** A recount task in the supervisor's queue. */
export const recountQueueItemSchema = recountTaskSchema.omit({ assigned_to_me: true }).extend({
  assigned_to: z.string().nullable(),
  assigned_to_name: z.string().nullable(),
  /** Counters who already counted the bin: the task goes to somebody else. */
  excluded_counters: z.array(z.string()),
  reason: recountTaskReasonSchema,
  created_by: z.string(),
  closed_at: z.string().nullable(),
  /** The count that answered it. */
  answered_by_op_id: z.string().nullable(),
});
export type RecountQueueItem = z.infer<typeof recountQueueItemSchema>;

/** `GET /sessions/:id/recount-tasks` for staff (theirs and those open to them). */
export const recountTaskListSchema = z.object({ items: z.array(recountTaskSchema) });
export type RecountTaskList = z.infer<typeof recountTaskListSchema>;

/**
 * `GET /sessions/:id/recount-tasks/live`: each `tasks` event says only that the counter's list
 * of that session changed (the phone then reads it; docs/design.md §11 "Tasks reach the phone").
 */
export const recountTaskNoticeSchema = z.object({ session_id: z.string() });
export type RecountTaskNotice = z.infer<typeof recountTaskNoticeSchema>;

/** `GET /sessions/:id/recount-tasks` for supervisors (paged queue). */
export const recountQueuePageSchema = pageSchemaOf(recountQueueItemSchema);
export type RecountQueuePage = z.infer<typeof recountQueuePageSchema>;

export const recountQueueQuerySchema = z.strictObject({
  state: z.enum(RECOUNT_TASK_STATES).optional(),
  rack: z.string().trim().min(1).max(64).optional(),
  assigned_to: z.string().trim().min(1).max(128).optional(),
  page: z.coerce.number().int().min(1).default(1),
  page_size: z.coerce.number().int().min(1).max(500).default(100),
});
export type RecountQueueQuery = z.infer<typeof recountQueueQuerySchema>;

/** `POST /sessions/:id/recount-tasks/:task/assign`: a counter, or null to offer it to everyone eligible. */
export const assignRecountTaskSchema = z.strictObject({
  user_id: z.string().trim().min(1).max(128).nullable(),
});
export type AssignRecountTask = z.infer<typeof assignRecountTaskSchema>;

/** The read model of one bin (docs/design.md §10, §12). Supervisors only. */
export const binRecordSchema = z.object({
  session_id: z.string(),
  rack: z.string(),
  item_code: z.string(),
  item_name: z.string().nullable(),
  state: z.enum(SETTLEMENT_STATES),
  reason: z.enum(SETTLEMENT_REASONS),
  /** Settled or decided quantity (counted less written-off damage); null while open. */
  quantity: z.number().nullable(),
  /** What a supervisor is asked about, when one is. */
  proposed_quantity: z.number().nullable(),
  /** The phase awaiting a count when open; else the latest reached. */
  phase: z.number().int().min(0),
  split: z.boolean(),
  book_qty: z.number(),
  rule_id: z.string(),
  rule_version: z.number().int(),
  counters: z.array(z.string()),
  /** The first count's quantity (phase 0, first received), for count-quality measures. */
  first_count_qty: z.number().nullable(),
  first_received_at: z.string().nullable(),
  /**
   * Who made the first count (phase 0, first received); null with no count. `counters` is sorted,
   * so it does not say who came first: first-count accuracy is attributed to this counter.
   */
  first_counted_by: z.string().nullable(),
  /**
   * Settled or decided, and the first count was confirmed: the bin's quantity equals it, or it is
   * among the counts behind the quantity (`settlement.agreeing`); a first count settled within
   * tolerance as it stands is confirmed. False while open or awaiting a supervisor (design §12,
   * "Count quality").
   */
  first_count_confirmed: z.boolean(),
  settled_at: z.string().nullable(),
  /** Recount phases used. */
  recounts: z.number().int().min(0),
  /** The settled quantity differs from the first count. */
  overturned: z.boolean(),
  open_task_id: z.string().nullable(),
  /**
   * Counts received late (docs/design.md §11 "Late counts"): after the bin was decided
   * (`late_after_decision`) or answering a task already closed (`late_after_task_closed`), op_ids
   * sorted. They never change the bin's figure; a supervisor acknowledges them or overrides.
   */
  late_count_ids: z.array(z.string()),
  /** Of `late_count_ids`, those a supervisor acknowledged (or saw when overriding), sorted. */
  late_acknowledged_ids: z.array(z.string()),
  /** How many late counts wait for a supervisor: reconcile is refused while any does. */
  late_unacknowledged: z.number().int().min(0),
  updated_at: z.string(),
});
export type BinRecord = z.infer<typeof binRecordSchema>;

export const binQuerySchema = z.strictObject({
  state: z.enum(SETTLEMENT_STATES).optional(),
  rack: z.string().trim().min(1).max(64).optional(),
  /** `late`: only bins with late counts no supervisor acknowledged yet. */
  attention: z.enum(['late']).optional(),
  page: z.coerce.number().int().min(1).default(1),
  page_size: z.coerce.number().int().min(1).max(500).default(100),
});
export type BinQuery = z.infer<typeof binQuerySchema>;

export const binPageSchema = pageSchemaOf(binRecordSchema);
export type BinPage = z.infer<typeof binPageSchema>;

/** One count of a bin in its history. */
export const binCountViewSchema = z.object({
  line_id: z.string(),
  op_id: z.string(),
  phase: z.number().int().min(0),
  recount_task_id: z.string().nullable(),
  counted_by: z.string(),
  counted_by_name: z.string(),
  device_id: z.string().nullable(),
  counted_at: z.string(),
  received_at: z.string(),
  /** Counted less written-off damage: the figure consensus compares. */
  quantity: z.number(),
  counted_qty: z.number(),
  photo_ids: z.array(z.string()),
  status: z.string(),
  /** Its figure is the bin's (or, while open, the provisional first count). */
  taken: z.boolean(),
  superseded_by: z.string().nullable(),
  /** Received after the bin was decided: shown, never changes the decision. */
  late: z.boolean(),
  /** A late count a supervisor acknowledged (or saw when overriding). */
  late_acknowledged: z.boolean(),
  tolerance: lineToleranceSchema.nullable(),
});
export type BinCountView = z.infer<typeof binCountViewSchema>;

/** A supervisor's act on a bin. */
export const binDecisionViewSchema = z.object({
  decision_id: z.string(),
  kind: z.enum(['set', 'recount']),
  quantity: z.number().nullable(),
  count_id: z.string().nullable(),
  phase: z.number().int().nullable(),
  decided_by: z.string(),
  decided_by_name: z.string().nullable(),
  decided_at: z.string(),
  reason: z.string().nullable(),
  /** A `set` that replaced an earlier decision. */
  override: z.boolean(),
});
export type BinDecisionView = z.infer<typeof binDecisionViewSchema>;

/** `GET /sessions/:id/bins/:rack/:item`: everything about one bin, side by side. */
export const binDetailSchema = z.object({
  bin: binRecordSchema,
  counts: z.array(binCountViewSchema),
  decisions: z.array(binDecisionViewSchema),
  tasks: z.array(recountQueueItemSchema),
  /** The deciding rule's limits, as the line decision carries them (null: no count yet). */
  rule: lineToleranceSchema.nullable(),
  /** Largest difference at which two counts agree (null: no limit). */
  agreement_allowance: z.number().nullable(),
  conflicts: z.array(z.object({ id: z.string(), code: z.string() })),
  /**
   * The book the bin is judged on (docs/design.md §13 "Bins judged at count"): `at_count` — the
   * snapshot's bin book plus the ERP movements placed before its counts — where that is exact and
   * differs, else `snapshot`. Optional: servers before issue #17's bins omit it.
   */
  book: z
    .object({
      basis: z.enum(['snapshot', 'at_count']),
      snapshot_qty: z.number(),
      at_count_qty: z.number().nullable(),
    })
    .optional(),
});
export type BinDetail = z.infer<typeof binDetailSchema>;

/** `POST /sessions/:id/bins/:rack/:item/decisions`. A reason is always required to decide. */
export const binDecisionRequestSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('set'),
    /** Take this count's figure (its op_id)… */
    count_id: z.string().trim().min(1).max(128).optional(),
    /** …or this quantity (counted less written-off damage). Exactly one of the two. */
    quantity: z.number().finite().min(0).optional(),
    reason: z.string().trim().min(1, 'a decision needs a reason').max(1000),
  }),
  z.strictObject({
    kind: z.literal('recount'),
    reason: z.string().trim().max(1000).optional(),
    /** Give the task to this counter (who must not have counted the bin). */
    assign_to: z.string().trim().min(1).max(128).optional(),
  }),
]);
export type BinDecisionRequest = z.infer<typeof binDecisionRequestSchema>;

/**
 * `POST /sessions/:id/bins/:rack/:item/late-counts/acknowledge`: a supervisor keeps the bin's
 * decision having looked at its late counts (docs/design.md §11 "Late counts"). A reason is
 * required; `count_ids` names the late counts seen (default: every one the bin has now).
 */
export const lateCountsAcknowledgeSchema = z.strictObject({
  reason: z.string().trim().min(1, 'acknowledging needs a reason').max(1000),
  count_ids: z.array(z.string().trim().min(1).max(128)).min(1).max(500).optional(),
});
export type LateCountsAcknowledge = z.infer<typeof lateCountsAcknowledgeSchema>;

/** Reconcile refused: what is still open (details of the 409 RECOUNTS_OPEN error). */
export const openBinSchema = z.object({
  rack: z.string(),
  item_code: z.string(),
  state: z.enum(SETTLEMENT_STATES),
  task_id: z.string().nullable(),
  /** Late counts no supervisor acknowledged (a decided bin can block for these alone). */
  late_counts: z.number().int().min(0),
});
export type OpenBin = z.infer<typeof openBinSchema>;
