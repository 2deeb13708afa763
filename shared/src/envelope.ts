import { z } from 'zod';

/** Every error code the API can answer with; one list so clients can switch on them exhaustively. */
export const ERROR_CODES = [
  'VALIDATION_FAILED',
  'MALFORMED_JSON',
  'UNSUPPORTED_MEDIA_TYPE',
  'PAYLOAD_TOO_LARGE',
  'UNAUTHENTICATED',
  'INVALID_CREDENTIALS',
  'TOKEN_INVALID',
  'TOKEN_EXPIRED',
  'REFRESH_TOKEN_INVALID',
  'REFRESH_TOKEN_REUSED',
  'FORBIDDEN',
  'WAREHOUSE_FORBIDDEN',
  'PHOTO_NOT_FOUND',
  'NOT_FOUND',
  'ROUTE_NOT_FOUND',
  'USER_NOT_FOUND',
  'ITEM_NOT_FOUND',
  'TOLERANCE_RULE_NOT_FOUND',
  'TOLERANCE_VERSION_NOT_FOUND',
  'USERNAME_TAKEN',
  'ACCOUNT_LOCKED',
  'ACCOUNT_DISABLED',
  'RATE_LIMITED',
  'CONFLICT',
  'INVALID_TRANSITION',
  'RACK_LOCKED',
  'RACK_COMPLETED',
  'RACK_NOT_CLAIMED',
  /** A split claim asked while someone holds the rack whole (docs/design.md §12 "Split bins"). */
  'RACK_HELD_WHOLE',
  /** A whole claim asked while counters hold the rack split (docs/design.md §12 "Split bins"). */
  'RACK_HELD_SPLIT',
  'SUPERSEDES_UNKNOWN',
  'OPEN_WORK_REMAINS',
  /** Reconcile refused: recount tasks open or bins waiting for a supervisor (issue #16). */
  'RECOUNTS_OPEN',
  /** A supervisor acknowledged the late counts of a bin that has none waiting (issue #16). */
  'NO_LATE_COUNTS',
  /** A supervisor gave a recount task to a counter who already counted the bin. */
  'RECOUNT_COUNTER_EXCLUDED',
  /** A count names a recount task of no such session, rack and item (sync record answer). */
  'RECOUNT_TASK_UNKNOWN',
  /** A count answers a recount task of a bin its sender already counted (sync record answer). */
  'RECOUNT_NOT_ELIGIBLE',
  /** A correction of a count in a bin a supervisor decided (sync record answer). */
  'BIN_DECIDED',
  /** Keep the difference of an item whose expected at count is ambiguous (issue #17, design §13). */
  'MOVED_DECISION_AMBIGUOUS',
  /** A decision for an item whose expected at count is unknown (no watermark, too many, no counts). */
  'MOVED_DECISION_UNKNOWN',
  /** A decision for an item that did not move after it was counted. */
  'MOVED_DECISION_NOT_MOVED',
  /** Reconcile refused: ambiguous moved items without a decision keeping their count (design §13). */
  'MOVED_ITEMS_UNDECIDED',
  'IDEMPOTENCY_IN_FLIGHT',
  'IDEMPOTENCY_KEY_REUSED',
  'LOCK_LOST',
  'SESSION_CLOSED',
  'DUPLICATE_SERIAL',
  'STALE_TOKEN',
  'STALE_VERSION',
  'VARIANCE_UNCONFIRMED',
  'VARIANCE_REASON_REQUIRED',
  'SERIAL_COUNT_MISMATCH',
  'ERP_UNAVAILABLE',
  'SERVICE_UNAVAILABLE',
  'INTERNAL_ERROR',
] as const;

export const errorCodeSchema = z.enum(ERROR_CODES);
export type ErrorCode = z.infer<typeof errorCodeSchema>;

/** One field at fault: a dotted path into the request (`records.3.damaged_qty`) and why. */
export const errorDetailSchema = z.object({
  path: z.string(),
  message: z.string(),
  code: z.string().optional(),
});
export type ErrorDetail = z.infer<typeof errorDetailSchema>;

export const apiErrorSchema = z.object({
  code: errorCodeSchema,
  message: z.string(),
  details: z.array(errorDetailSchema).optional(),
});
export type ApiError = z.infer<typeof apiErrorSchema> & Record<string, unknown>;

/** The envelope every JSON response is wrapped in (api.md "Envelope and errors"). */
export interface Envelope<T> {
  success: boolean;
  data: T | null;
  error: ApiError | null;
  message: string;
  request_id: string;
}

/** `data` of every paginated list. */
export interface Page<T> {
  items: T[];
  page: number;
  page_size: number;
  total: number;
}

/** `page` and `page_size` of every paged list query; a list's own filters `.extend` it. */
export const paginationQuerySchema = z.object({
  page: z.coerce.number().int().min(1).default(1),
  page_size: z.coerce.number().int().min(1).max(500).default(50),
});
export type PaginationQuery = z.infer<typeof paginationQuerySchema>;

/** Turns zod issues into the `details` array of a VALIDATION_FAILED error. */
export function issuesToDetails(issues: readonly z.core.$ZodIssue[], prefix = ''): ErrorDetail[] {
  return issues.map((issue) => {
    const path = [prefix, ...issue.path.map(String)].filter((p) => p !== '').join('.');
    return { path: path === '' ? '(root)' : path, message: issue.message, code: issue.code };
  });
}

/** An ISO-8601 instant with any offset, normalised to UTC `…Z` so stored strings compare in order. */
export const isoInstantSchema = z.iso
  .datetime({ offset: true })
  .transform((s) => new Date(s).toISOString());
