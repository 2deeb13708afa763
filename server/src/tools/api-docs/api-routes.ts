/**
 * Every route of the API with who may call it and the shared schemas of its request and answer:
 * the table docs/api.md's route lists and shape tables are generated from (`npm run docs:api`).
 * server/test/docs/api-docs.test.ts checks it against the running app: every route the app serves
 * is here and nothing else, and the role each route asks for is the one written here.
 *
 * Every JSON request and answer names its shared schema (issue #15, one contract); `text(…)` is
 * only for what is not JSON: an empty body, an upload, a file or stream in answer.
 * server/test/docs/api-docs.test.ts fails on any other text.
 */
import type { Permission } from '@stockverify/shared';
import {
  REPORT_TYPES,
  activeUsersSchema,
  analyticsSchema,
  adjustmentPackageSchema,
  adjustmentsQuerySchema,
  analyticsQuerySchema,
  auditPageSchema,
  auditQuerySchema,
  barcodeLookupSchema,
  bookQuantitiesSchema,
  bulkExportSchema,
  bulkIdsSchema,
  bulkResultsSchema,
  changePasswordSchema,
  changePinSchema,
  claimAnswerSchema,
  claimBodySchema,
  clientErrorListQuerySchema,
  clientErrorPageSchema,
  clientErrorReportSchema,
  clientErrorStoredSchema,
  conflictListQuerySchema,
  conflictPageSchema,
  conflictSchema,
  countLinePageSchema,
  countRecordSchema,
  countSessionSchema,
  createToleranceRuleSchema,
  createSessionSchema,
  createUserSchema,
  deviceBodySchema,
  erpSyncBodySchema,
  erpSyncResultSchema,
  deleteToleranceRuleQuerySchema,
  erpStatusSchema,
  exportQuerySchema,
  healthSchema,
  heartbeatAnswerSchema,
  importResultSchema,
  itemExpectedAnswerSchema,
  movedDecisionBodySchema,
  movedDecisionsAnswerSchema,
  movedDecisionsBulkBodySchema,
  itemSearchSchema,
  itemViewSchema,
  kpisSchema,
  linesQuerySchema,
  liveEventSchema,
  listSessionsQuerySchema,
  listUsersQuerySchema,
  lockedAccountsSchema,
  loginSchema,
  logoutAnswerSchema,
  lookupQuerySchema,
  metricsJsonSchema,
  passwordResetSchema,
  phoneAccessSchema,
  photoUploadAnswerSchema,
  pinLoginSchema,
  rackLinesSchema,
  rackListSchema,
  rackMapSchema,
  racksQuerySchema,
  recordResultSchema,
  assignRecountTaskSchema,
  binDecisionRequestSchema,
  binDetailSchema,
  binPageSchema,
  binQuerySchema,
  lateCountsAcknowledgeSchema,
  binRecordSchema,
  recountQueueItemSchema,
  recountQueuePageSchema,
  recountQueueQuerySchema,
  recountTaskListSchema,
  recountTaskNoticeSchema,
  refreshSchema,
  reportPageSchemaOf,
  reportRequestSchema,
  resolveConflictSchema,
  resolveUnknownItemSchema,
  reviewedLineSchema,
  reviewSchema,
  searchQuerySchema,
  sessionDetailSchema,
  sessionPageSchema,
  serialHistorySchema,
  syncBatchAnswerSchema,
  syncBatchSchema,
  syncRecordSchema,
  systemStatusSchema,
  tokenPairSchema,
  tolerancePreviewRequestSchema,
  tolerancePreviewSchema,
  toleranceRuleChangeSchema,
  toleranceRuleSetSchema,
  toleranceVersionDetailSchema,
  toleranceVersionPageSchema,
  toleranceVersionsQuerySchema,
  unknownItemListQuerySchema,
  unknownItemPageSchema,
  unknownItemSchema,
  updateToleranceRuleSchema,
  updateUserSchema,
  userDirectoryQuerySchema,
  userDirectorySchema,
  userPageSchema,
  userSchema,
  variancesPageSchema,
  variancesQuerySchema,
  warehousesSchema,
  writebackAnswerSchema,
} from '@stockverify/shared';
import type { z } from 'zod';

/** The sections of docs/api.md, in page order; each has a generated route table. */
export const API_GROUPS = [
  'auth',
  'items',
  'locations',
  'sessions',
  'tolerance',
  'counting',
  'reports',
  'monitoring',
] as const;
export type ApiGroup = (typeof API_GROUPS)[number];

/** Anyone, any signed-in user, or the permission a route asks for (shared/src/roles.ts). */
export type Who = 'anyone' | 'signed in' | Permission;

export type Shape =
  | z.ZodType
  | { kind: 'text'; text: string }
  | { kind: 'variants'; variants: readonly { label: string; schema: z.ZodType }[] };

export interface RouteDoc {
  group: ApiGroup;
  who: Who;
  /** Said after the role: an ownership rule, or who gets in without a token. */
  whoNote?: string;
  summary: string;
  query?: Shape;
  /** What the answer's table describes; default: the envelope's `data`. */
  answerLabel?: string;
  body?: Shape;
  answer: Shape;
  /** Further shapes the route reads, each with what it describes (e.g. each record of a batch). */
  more?: readonly { label: string; shape: Shape }[];
}

export const text = (value: string): Shape => ({ kind: 'text', text: value });

/** The body of a call that takes none. */
export const EMPTY_BODY = '`{}` or nothing.';
const empty = text(EMPTY_BODY);

/** Route key: `METHOD /path` as the app serves it under `/api`, `:name` for path parameters. */
export const API_ROUTES: Record<string, RouteDoc> = {
  // Auth and users
  'POST /auth/login': {
    group: 'auth',
    who: 'anyone',
    summary: 'Sign in with a password; counts toward the lockout and the per-address limit.',
    body: loginSchema,
    answer: tokenPairSchema,
  },
  'POST /auth/pin-login': {
    group: 'auth',
    who: 'anyone',
    summary: 'Sign in with a PIN (phones); same answer as a password login.',
    body: pinLoginSchema,
    answer: tokenPairSchema,
  },
  'POST /auth/refresh': {
    group: 'auth',
    who: 'anyone',
    summary: 'A new token pair (rotation; reusing an old refresh token revokes the family).',
    body: refreshSchema,
    answer: tokenPairSchema,
  },
  'POST /auth/logout': {
    group: 'auth',
    who: 'signed in',
    summary: "Revokes this sign-in's refresh family.",
    body: empty,
    answer: logoutAnswerSchema,
  },
  'GET /auth/me': {
    group: 'auth',
    who: 'signed in',
    summary: 'The signed-in user.',
    answer: userSchema,
  },
  'PUT /auth/me/password': {
    group: 'auth',
    who: 'signed in',
    summary: "Change one's own password; ends the user's refresh tokens.",
    body: changePasswordSchema,
    answer: userSchema,
  },
  'PUT /auth/me/pin': {
    group: 'auth',
    who: 'signed in',
    summary: "Change one's own PIN (needs the current password); ends the user's refresh tokens.",
    body: changePinSchema,
    answer: userSchema,
  },
  'GET /users': {
    group: 'auth',
    who: 'users.manage',
    summary: 'Users, paginated.',
    query: listUsersQuerySchema,
    answer: userPageSchema,
  },
  'POST /users': {
    group: 'auth',
    who: 'users.manage',
    summary: 'Create a user.',
    body: createUserSchema,
    answer: userSchema,
  },
  'GET /users/locked': {
    group: 'auth',
    who: 'users.unlock',
    summary: 'Locked accounts (supervisors see staff and supervisors; admins see all).',
    answer: lockedAccountsSchema,
  },
  'GET /users/directory': {
    group: 'auth',
    who: 'sessions.manage',
    summary: 'Who is who for pickers: active accounts only, a few fields each.',
    query: userDirectoryQuerySchema,
    answer: userDirectorySchema,
  },
  'GET /users/:id': {
    group: 'auth',
    who: 'users.manage',
    summary: 'One user.',
    answer: userSchema,
  },
  'PATCH /users/:id': {
    group: 'auth',
    who: 'users.manage',
    summary: 'Role, name, warehouse, active flag, reset password or PIN.',
    body: updateUserSchema,
    answer: userSchema,
  },
  'POST /users/:id/reset-password': {
    group: 'auth',
    who: 'users.manage',
    summary: 'A new random password, shown once; ends the sessions of the user.',
    body: empty,
    answer: passwordResetSchema,
  },
  'POST /users/:id/unlock': {
    group: 'auth',
    who: 'users.unlock',
    summary: 'Clear a lockout; unlocking an account above one’s own role is refused.',
    body: empty,
    answer: userSchema,
  },

  // Items and ERP
  'GET /items/barcode/:code': {
    group: 'items',
    who: 'items.read',
    summary:
      'Exact lookup: primary, manual and pack barcodes, GS1 element strings; 404 `ITEM_NOT_FOUND` with `error.suggestions` (≤ 5).',
    query: lookupQuerySchema,
    answer: barcodeLookupSchema,
  },
  'GET /items/search': {
    group: 'items',
    who: 'items.read',
    summary: 'Ranked: exact barcode > exact code > code / name prefix > fuzzy name.',
    query: searchQuerySchema,
    answer: itemSearchSchema,
  },
  'GET /items/export': {
    group: 'items',
    who: 'items.read',
    summary: 'The item master for offline use; `X-Generated-At` is the next `since`.',
    query: exportQuerySchema,
    answer: text('an NDJSON stream of items (`format=json`: one JSON answer), not enveloped.'),
  },
  'GET /items/:item_code': {
    group: 'items',
    who: 'items.read',
    summary: 'One item.',
    query: lookupQuerySchema,
    answer: itemViewSchema,
  },
  'GET /serials/:serial': {
    group: 'items',
    who: 'serials.read',
    summary: 'Every sighting of a serial across sessions.',
    answer: serialHistorySchema,
  },
  'POST /erp/import': {
    group: 'items',
    who: 'erp.manage',
    summary: 'Upload a CSV or XLSX item master; per-row errors reported, valid rows kept.',
    body: text('multipart form data with the file in `file`.'),
    answer: importResultSchema,
  },
  'POST /erp/sync': {
    group: 'items',
    who: 'erp.manage',
    summary: 'Mirror the configured ERP source now.',
    body: erpSyncBodySchema,
    answer: erpSyncResultSchema,
  },
  'GET /erp/status': {
    group: 'items',
    who: 'erp.status',
    summary: 'Source, last sync, item count, last error, circuit state, schedule, mirror progress.',
    answer: erpStatusSchema,
  },

  // Locations
  'GET /warehouses': {
    group: 'locations',
    who: 'locations.read',
    summary: 'Warehouses with floors and rack counts.',
    answer: warehousesSchema,
  },
  'GET /warehouses/:id/racks': {
    group: 'locations',
    who: 'locations.read',
    summary: "Racks; with `session=` each rack's claim state, claimant, lines, items, activity.",
    query: racksQuerySchema,
    answer: {
      kind: 'variants',
      variants: [
        { label: 'without `session`', schema: rackListSchema },
        { label: 'with `session`', schema: rackMapSchema },
      ],
    },
  },

  // Count sessions
  'POST /sessions': {
    group: 'sessions',
    who: 'sessions.manage',
    summary: 'Open a count session; snapshots book quantities.',
    body: createSessionSchema,
    answer: countSessionSchema,
  },
  'GET /sessions': {
    group: 'sessions',
    who: 'sessions.read',
    summary: 'Sessions, paginated, filtered and sorted.',
    query: listSessionsQuerySchema,
    answer: sessionPageSchema,
  },
  'GET /sessions/analytics': {
    group: 'sessions',
    who: 'sessions.manage',
    summary: 'Variance, accuracy, efficiency by warehouse or staff.',
    query: analyticsQuerySchema,
    answer: analyticsSchema,
  },
  'POST /sessions/bulk/close': {
    group: 'sessions',
    who: 'sessions.manage',
    summary: 'Close several sessions; a result per id.',
    body: bulkIdsSchema,
    answer: bulkResultsSchema,
  },
  'POST /sessions/bulk/reconcile': {
    group: 'sessions',
    who: 'sessions.manage',
    summary: 'Reconcile several sessions; a result per id.',
    body: bulkIdsSchema,
    answer: bulkResultsSchema,
  },
  'POST /sessions/bulk/export': {
    group: 'sessions',
    who: 'sessions.manage',
    summary: 'The variance lines of these sessions as one file.',
    body: bulkExportSchema,
    answer: text('a CSV or XLSX stream, not enveloped.'),
  },
  'GET /sessions/:id': {
    group: 'sessions',
    who: 'sessions.read',
    summary:
      "Detail with metrics (items counted, lines, total variance, value, progress, items/min; beside the snapshot variance `at_count`: the exact items' variance at count and its value, items by status at count).",
    answer: sessionDetailSchema,
  },
  'GET /sessions/:id/book-quantities': {
    group: 'sessions',
    who: 'sessions.read',
    summary: 'The snapshot, for standard and strict sessions; 403 for staff while blind applies.',
    answer: bookQuantitiesSchema,
  },
  'GET /sessions/:id/lines': {
    group: 'sessions',
    who: 'sessions.manage',
    summary:
      "Count lines, paginated and filterable; each with `item_name`, `supersedes_line` (the line a recount corrects) and `item_at_count` (design §13: its item's variance at count and rule at count from the read model; null without an ERP watermark). `at_count=explained` (exact and within its rule), `unexplained` (exact, beyond it) or `unresolved` (pending, ambiguous, unknown) filters in the query, so `total` counts every match.",
    query: linesQuerySchema,
    answer: countLinePageSchema,
  },
  'GET /sessions/:id/variances': {
    group: 'sessions',
    who: 'sessions.manage',
    summary:
      'Variances per item, paged with a `next_after` cursor (below); each with its variance at count (design §13: `pending` until the read model computed it), sortable by |variance at count| (unknown, pending and ambiguous last) and filterable by `at_count_status` and `hint`.',
    query: variancesQuerySchema,
    answer: variancesPageSchema,
  },
  'GET /sessions/:id/items/:code/expected': {
    group: 'sessions',
    who: 'sessions.manage',
    summary:
      'The item against the book when it was counted, beside the snapshot variance (design §13): movements as evidence, `ambiguous` when one cannot be ordered; `known: false` without a watermark.',
    answer: itemExpectedAnswerSchema,
  },
  'POST /sessions/:id/items/:code/moved-decision': {
    group: 'sessions',
    who: 'sessions.manage',
    summary:
      'Keep counted or keep the difference for an item that moved after its count (design §13); latest stands, audited, used by the package. 409 `MOVED_DECISION_AMBIGUOUS`, `MOVED_DECISION_UNKNOWN`, `MOVED_DECISION_NOT_MOVED`; `SESSION_CLOSED` after reconcile.',
    body: movedDecisionBodySchema,
    answer: movedDecisionsAnswerSchema,
  },
  'POST /sessions/:id/moved-decisions': {
    group: 'sessions',
    who: 'sessions.manage',
    summary:
      'The same for up to 1,000 items; refused whole at the first item that cannot take its mode (the error names `items.N.item_code`).',
    body: movedDecisionsBulkBodySchema,
    answer: movedDecisionsAnswerSchema,
  },
  'POST /sessions/:id/close': {
    group: 'sessions',
    who: 'sessions.manage',
    summary: 'Close the session (409 `INVALID_TRANSITION` from another state).',
    body: empty,
    answer: countSessionSchema,
  },
  'POST /sessions/:id/reopen': {
    group: 'sessions',
    who: 'sessions.manage',
    summary: 'Reopen a closed session.',
    body: empty,
    answer: countSessionSchema,
  },
  'POST /sessions/:id/reconcile': {
    group: 'sessions',
    who: 'sessions.manage',
    summary:
      'Reconcile a closed session. 409 `RECOUNTS_OPEN` while recount tasks are open, bins wait for a supervisor or bins have late counts no supervisor acknowledged (`open_bins`: up to 50 `{rack, item_code, state, task_id, late_counts}`, `open_bins_total`); 409 `MOVED_ITEMS_UNDECIDED` while an item that moved after the snapshot has an ambiguous expected at count and no decision keeping its count (`moved_items`: up to 50 `{item_code, at_count_status, reason, decision}`, `moved_items_total`; design §13); 409 `OPEN_WORK_REMAINS` while conflicts or lines need review.',
    body: empty,
    answer: countSessionSchema,
  },
  'GET /sessions/:id/adjustments': {
    group: 'sessions',
    who: 'sessions.manage',
    summary:
      'The ERP adjustment package of a reconciled session (`X-Content-Hash`). Computed when asked, with the movements known then: a row posts `variance` on its `basis` — `snapshot` (never moved, or at count not exact), `at_count` (moved, exact: the variance at count against the live book), or the decision for the moved item — with `snapshot_variance`, `variance_at_count` and `at_count_status` beside it (design §13).',
    query: adjustmentsQuerySchema,
    answerLabel: 'The package (`format=json`; with `format=xlsx` the same as an XLSX file)',
    answer: adjustmentPackageSchema,
  },
  'POST /sessions/:id/adjustments/writeback': {
    group: 'sessions',
    who: 'erp.manage',
    summary:
      'Insert the package into the staging table (off unless `ERP_WRITEBACK_ENABLED`: 409 `WRITEBACK_DISABLED`), each row with its `basis`, `snapshot_variance`, `variance_at_count`, `at_count_status`, `moved_mode`, `live_book_qty` and `target_qty` (design §13). A table without those columns is refused before anything is written: 409 `CONFLICT`, `reason: WRITEBACK_TABLE_OUTDATED`, `missing_columns`, `alter_table` (the statement that adds them).',
    body: empty,
    answer: writebackAnswerSchema,
  },
  'PATCH /lines/:id/review': {
    group: 'sessions',
    who: 'lines.review',
    summary: 'Approve, reject or send a line back for recount.',
    body: reviewSchema,
    answer: reviewedLineSchema,
  },
  'GET /conflicts': {
    group: 'sessions',
    who: 'conflicts.resolve',
    summary: 'Sync conflicts, paginated.',
    query: conflictListQuerySchema,
    answer: conflictPageSchema,
  },
  'POST /conflicts/:id/resolve': {
    group: 'sessions',
    who: 'conflicts.resolve',
    summary: 'Accept or discard a sync conflict.',
    body: resolveConflictSchema,
    answer: conflictSchema,
  },
  'GET /unknown-items': {
    group: 'sessions',
    who: 'conflicts.resolve',
    summary: 'Unknown items reported by phones, paginated.',
    query: unknownItemListQuerySchema,
    answer: unknownItemPageSchema,
  },
  'POST /unknown-items/:id/resolve': {
    group: 'sessions',
    who: 'conflicts.resolve',
    summary: 'Map an unknown item to an item, or mark it "not ours".',
    body: resolveUnknownItemSchema,
    answer: unknownItemSchema,
  },

  // Racks and counting
  'POST /sessions/:id/racks/:rack/claim': {
    group: 'counting',
    who: 'counting.write',
    summary:
      'Claim a rack; 409 `RACK_LOCKED` with the holder. `split: true` counts a part of it beside other split holders (their counts add up, design §12 "Split bins"); 409 `RACK_HELD_WHOLE` / `RACK_HELD_SPLIT` (field `split`) when the other kind holds it.',
    body: claimBodySchema,
    answer: claimAnswerSchema,
  },
  'POST /sessions/:id/heartbeat': {
    group: 'counting',
    who: 'counting.write',
    summary: 'Renews presence and every lock this user holds in the session.',
    body: deviceBodySchema,
    answer: heartbeatAnswerSchema,
  },
  'POST /sessions/:id/racks/:rack/pause': {
    group: 'counting',
    who: 'counting.write',
    whoNote: 'own claim; a supervisor any',
    summary: 'Pause counting a claimed rack.',
    body: deviceBodySchema,
    answer: claimAnswerSchema,
  },
  'POST /sessions/:id/racks/:rack/resume': {
    group: 'counting',
    who: 'counting.write',
    whoNote: 'own claim; a supervisor any',
    summary: 'Resume a paused rack.',
    body: deviceBodySchema,
    answer: claimAnswerSchema,
  },
  'POST /sessions/:id/racks/:rack/complete': {
    group: 'counting',
    who: 'counting.write',
    whoNote: 'own claim; a supervisor any',
    summary: 'Mark the rack counted.',
    body: deviceBodySchema,
    answer: claimAnswerSchema,
  },
  'POST /sessions/:id/racks/:rack/release': {
    group: 'counting',
    who: 'counting.write',
    whoNote: 'own claim; a supervisor any',
    summary: 'Give the rack up.',
    body: deviceBodySchema,
    answer: claimAnswerSchema,
  },
  'POST /sessions/:id/racks/:rack/reopen': {
    group: 'counting',
    who: 'sessions.manage',
    summary: 'Reopen a completed rack for recount; the next claim starts a new claim.',
    body: empty,
    answer: claimAnswerSchema,
  },
  'POST /sessions/:id/count-lines': {
    group: 'counting',
    who: 'counting.write',
    summary:
      'One `count` record online; same rules and answers as sync (201 OK, 409 CONFLICT, 400 ERROR).',
    body: countRecordSchema,
    answer: recordResultSchema,
  },
  'POST /sync/batch': {
    group: 'counting',
    who: 'counting.write',
    summary: 'Records from a phone with an `Idempotency-Key` header; a result per record.',
    body: syncBatchSchema,
    more: [
      {
        label:
          'Each of `records[]`, checked one by one (a record that fails gets its own `ERROR` result)',
        shape: syncRecordSchema,
      },
    ],
    answer: syncBatchAnswerSchema,
  },
  'POST /photos': {
    group: 'counting',
    who: 'photos.write',
    summary: 'Upload an evidence photo.',
    body: text('the image bytes (JPEG, PNG or WebP, ≤ 8 MB) with their `Content-Type`.'),
    answer: photoUploadAnswerSchema,
  },
  'GET /photos/:id': {
    group: 'counting',
    who: 'signed in',
    summary: 'The photo, for whoever may read the session it belongs to.',
    answer: text('the image bytes, not enveloped.'),
  },
  'GET /sessions/:id/recounts': {
    group: 'counting',
    who: 'sessions.read',
    summary:
      'The phone route before issue #16: the caller’s open recount tasks, as a counter gets them from `GET /sessions/:id/recount-tasks`.',
    answer: recountTaskListSchema,
  },
  'GET /sessions/:id/recount-tasks': {
    group: 'counting',
    who: 'sessions.read',
    whoNote:
      'staff get their own open tasks (assigned to them, or offered to every counter who did not count the bin): never a quantity, never who counted before, whatever the session mode; supervisors get the paged queue (query below)',
    summary:
      'Recount tasks (docs/design.md §11). A count answering one names it in `recount_task_id` (no rack claim needed).',
    query: recountQueueQuerySchema,
    answer: recountQueuePageSchema,
    more: [{ label: 'The answer for staff (no query)', shape: recountTaskListSchema }],
  },
  'GET /sessions/:id/recount-tasks/live': {
    group: 'counting',
    who: 'sessions.read',
    summary:
      'Server-Sent Events for a counter (token as `Authorization` or `?access_token=`), not enveloped: `event: tasks` with `{"session_id"}` soon after a task of theirs (or offered to anyone) opens, moves or closes; several within 250 ms are one notice. The phone then reads `GET /sessions/:id/recount-tasks` (docs/design.md §11 "Tasks reach the phone"). 404 / 403 as for that list; 429 `RATE_LIMITED` for a fifth stream of one counter.',
    answerLabel:
      'Each `tasks` event of the `text/event-stream` (`end` when the user may read no more)',
    answer: recountTaskNoticeSchema,
  },
  'POST /sessions/:id/recount-tasks/:task/assign': {
    group: 'counting',
    who: 'lines.review',
    summary:
      'Give an open task to a counter (`null`: offer it to every eligible counter); audited. 409 `RECOUNT_COUNTER_EXCLUDED` (field `user_id`) for a counter who counted the bin, 409 `INVALID_TRANSITION` for a closed task.',
    body: assignRecountTaskSchema,
    answer: recountQueueItemSchema,
  },
  'GET /sessions/:id/bins': {
    group: 'counting',
    who: 'lines.review',
    summary:
      'Bins (item in rack) that needed settling, by state and rack, paged: consensus state, quantity, phase, rule, counters, late counts (`late_count_ids`, `late_acknowledged_ids`, `late_unacknowledged`); `attention=late` keeps the bins with late counts no supervisor acknowledged (docs/design.md §11–§12).',
    query: binQuerySchema,
    answer: binPageSchema,
  },
  'GET /sessions/:id/bins/:rack/:item': {
    group: 'counting',
    who: 'lines.review',
    summary:
      'One bin side by side: every count (phase, counter, device, time, quantity, taken / candidate / superseded / late), decisions with names, tasks, the rule and the agreement allowance, conflicts. 404 when nothing is known of it.',
    answer: binDetailSchema,
  },
  'POST /sessions/:id/bins/:rack/:item/decisions': {
    group: 'counting',
    who: 'lines.review',
    summary:
      'Decide a bin: `set` takes a count’s figure (`count_id`) or a quantity (written as a line of the supervisor’s, device `console`), reason required (400 naming `reason`); `recount` asks a different counter (`assign_to`, 409 `RECOUNT_COUNTER_EXCLUDED`). Audited `bin.decide` / `bin.override`; answers the bin (201).',
    body: binDecisionRequestSchema,
    answer: binRecordSchema,
  },
  'POST /sessions/:id/bins/:rack/:item/late-counts/acknowledge': {
    group: 'counting',
    who: 'lines.review',
    summary:
      'Keep the bin’s decision having looked at its late counts (received after the decision, or answering a task already closed; docs/design.md §11 “Late counts”): `count_ids` (default: every late count), reason required (400 naming `reason`; 400 `count_ids.N` for a count that is not late). Audited `bin.late_acknowledge`; 409 `NO_LATE_COUNTS` when none waits, `SESSION_CLOSED` once reconciled. A `set` decision acknowledges the late counts it saw. Answers the bin.',
    body: lateCountsAcknowledgeSchema,
    answer: binRecordSchema,
  },
  'GET /sessions/:id/racks/:rack/lines': {
    group: 'counting',
    who: 'sessions.read',
    summary:
      'What is counted in a rack, from every phone, newest first (≤ 200); `counted_qty` null while blind applies to the viewer.',
    answer: rackLinesSchema,
  },

  // Reports
  'POST /reports/generate': {
    group: 'reports',
    who: 'reports.read',
    summary:
      "JSON rows and totals of one report (the audit trail needs `audit.read`); the variance report's totals add `variance_at_count` and `value_at_count_cost` over its exact rows and `at_count_rows` (rows by status at count).",
    body: reportRequestSchema,
    answer: {
      kind: 'variants',
      variants: REPORT_TYPES.map((type) => ({
        label: `type \`${type}\``,
        schema: reportPageSchemaOf(type),
      })),
    },
  },
  'POST /reports/export/:format': {
    group: 'reports',
    who: 'reports.read',
    summary: 'The same report as a `csv` or `xlsx` file, streamed.',
    body: reportRequestSchema,
    answer: text('a CSV or XLSX stream, not enveloped.'),
  },

  // Tolerance rules (issue #16)
  'GET /tolerance-rules': {
    group: 'tolerance',
    who: 'tolerance.manage',
    summary: 'The rules in force, with the table version and its hash.',
    answer: toleranceRuleSetSchema,
  },
  'POST /tolerance-rules': {
    group: 'tolerance',
    who: 'tolerance.manage',
    summary: 'Add a rule (409 `CONFLICT` when the id is taken); makes a new table version.',
    body: createToleranceRuleSchema,
    answer: toleranceRuleChangeSchema,
  },
  'PUT /tolerance-rules/:id': {
    group: 'tolerance',
    who: 'tolerance.manage',
    summary:
      'Replace a rule; `version` is the rule version edited (409 `STALE_VERSION` when it changed since).',
    body: updateToleranceRuleSchema,
    answer: toleranceRuleChangeSchema,
  },
  'DELETE /tolerance-rules/:id': {
    group: 'tolerance',
    who: 'tolerance.manage',
    summary: 'Delete a rule; `?version=` as for an edit (409 `STALE_VERSION`).',
    query: deleteToleranceRuleQuerySchema,
    answer: toleranceRuleChangeSchema,
  },
  'GET /tolerance-rules/versions': {
    group: 'tolerance',
    who: 'tolerance.manage',
    summary: 'Every version of the table, newest first: who changed which rule, when.',
    query: toleranceVersionsQuerySchema,
    answer: toleranceVersionPageSchema,
  },
  'GET /tolerance-rules/versions/:version': {
    group: 'tolerance',
    who: 'tolerance.manage',
    summary: 'The rules of one version (what a session that started on it runs on).',
    answer: toleranceVersionDetailSchema,
  },
  'POST /tolerance-rules/preview': {
    group: 'tolerance',
    who: 'tolerance.manage',
    summary:
      "What candidate rules would have done with a session's counts: accepted, recount, supervisor, per rule.",
    body: tolerancePreviewRequestSchema,
    answer: tolerancePreviewSchema,
  },

  // Monitoring
  'GET /health': {
    group: 'monitoring',
    who: 'anyone',
    summary: 'Liveness.',
    answer: healthSchema,
  },
  'GET /admin/system-status': {
    group: 'monitoring',
    who: 'system.read',
    summary: 'Store / ERP / Redis with latency, overall status, version, uptime.',
    answer: systemStatusSchema,
  },
  'GET /admin/phone-access': {
    group: 'monitoring',
    who: 'monitoring.read',
    summary: "The addresses phones on the LAN can open the staff app at (the console's QR code).",
    answer: phoneAccessSchema,
  },
  'GET /admin/kpis': {
    group: 'monitoring',
    who: 'monitoring.read',
    summary: 'Counts today, accuracy, variance value, active counters, sync backlog.',
    answer: kpisSchema,
  },
  'GET /admin/active-users': {
    group: 'monitoring',
    who: 'monitoring.read',
    summary: 'Presence: who, which session / rack, last seen, device.',
    answer: activeUsersSchema,
  },
  'GET /admin/audit': {
    group: 'monitoring',
    who: 'audit.read',
    summary: 'The audit trail, paginated.',
    query: auditQuerySchema,
    answer: auditPageSchema,
  },
  'GET /admin/errors': {
    group: 'monitoring',
    who: 'system.read',
    summary: 'Client error reports, paginated.',
    query: clientErrorListQuerySchema,
    answer: clientErrorPageSchema,
  },
  'POST /client-errors': {
    group: 'monitoring',
    who: 'client_errors.write',
    summary: 'An error report from the staff app or the console.',
    body: clientErrorReportSchema,
    answer: clientErrorStoredSchema,
  },
  'GET /events': {
    group: 'monitoring',
    who: 'events.read',
    summary:
      'Server-Sent Events (token as `Authorization` or `?access_token=`), not enveloped. 429 `RATE_LIMITED` for a ninth stream of one user (at most 8 per API process: each is handed every live event).',
    answerLabel: 'Each event of the `text/event-stream`',
    answer: liveEventSchema,
  },
  'GET /metrics': {
    group: 'monitoring',
    who: 'system.read',
    whoNote: 'or without a token from allow-listed networks (loopback)',
    summary: 'Prometheus text.',
    answer: text('Prometheus text, not enveloped.'),
  },
  'GET /metrics/json': {
    group: 'monitoring',
    who: 'system.read',
    summary: 'The same figures as JSON.',
    answer: metricsJsonSchema,
  },
};
