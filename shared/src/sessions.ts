import { z } from 'zod';
import { isoInstantSchema } from './envelope';

export const SESSION_MODES = ['standard', 'blind', 'strict'] as const;
export const sessionModeSchema = z.enum(SESSION_MODES);

export const SESSION_STATUSES = ['OPEN', 'CLOSED', 'RECONCILED'] as const;
export const sessionStatusSchema = z.enum(SESSION_STATUSES);
export type SessionStatus = z.infer<typeof sessionStatusSchema>;

const codeList = z.array(z.string().trim().min(1).max(64)).max(5000);

/** Which part of a warehouse a session counts; both empty means the whole warehouse. */
export const sessionScopeSchema = z.strictObject({
  floors: codeList.default([]),
  racks: codeList.default([]),
});
export type SessionScope = z.infer<typeof sessionScopeSchema>;

export const createSessionSchema = z.strictObject({
  warehouse: z.string().trim().min(1, 'required').max(64),
  name: z.string().trim().min(1, 'required').max(120),
  mode: sessionModeSchema,
  scope: sessionScopeSchema.default({ floors: [], racks: [] }),
});
export type CreateSessionInput = z.infer<typeof createSessionSchema>;

/** A count session as the API shows it. */
export interface CountSession {
  id: string;
  warehouse: string;
  name: string;
  mode: z.infer<typeof sessionModeSchema>;
  scope: SessionScope;
  status: SessionStatus;
  /** Racks in scope, fixed at creation. */
  racks: string[];
  /** Items in the book-quantity snapshot. */
  snapshot_items: number;
  created_by: string;
  created_at: string;
  closed_at: string | null;
  reconciled_at: string | null;
  updated_at: string;
}

export const SESSION_SORTS = [
  'created_at',
  '-created_at',
  'name',
  '-name',
  'status',
  '-status',
] as const;

export const listSessionsQuerySchema = z.object({
  page: z.coerce.number().int().min(1).default(1),
  page_size: z.coerce.number().int().min(1).max(500).default(50),
  status: sessionStatusSchema.optional(),
  warehouse: z.string().max(64).optional(),
  /** Sessions this user counted in. */
  staff: z.string().max(64).optional(),
  from: isoInstantSchema.optional(),
  to: isoInstantSchema.optional(),
  q: z.string().trim().max(120).optional(),
  sort: z.enum(SESSION_SORTS).default('-created_at'),
});
export type ListSessionsQuery = z.infer<typeof listSessionsQuerySchema>;

export const bulkIdsSchema = z.strictObject({
  ids: z.array(z.string().min(1).max(64)).min(1, 'at least one id').max(500),
});

/** One id's outcome in a bulk action. */
export interface BulkResult {
  id: string;
  ok: boolean;
  code: string | null;
  message: string;
  status: SessionStatus | null;
}

export const CLAIM_STATUSES = ['active', 'paused', 'completed', 'released', 'lost'] as const;
export type ClaimStatus = (typeof CLAIM_STATUSES)[number];

/** Answer of a rack claim (API.md). */
export interface ClaimAnswer {
  claim_id: string;
  rack: string;
  fencing_token: number;
  lock_expires_at: string;
  status: ClaimStatus;
}

export const REVIEW_DECISIONS = ['approve', 'reject', 'recount'] as const;
export const reviewSchema = z.strictObject({
  decision: z.enum(REVIEW_DECISIONS),
  note: z.string().trim().max(500).optional(),
});

export const LINE_STATUSES = [
  'PENDING',
  'NEEDS_REVIEW',
  'APPROVED',
  'REJECTED',
  'RECOUNT',
] as const;
export type LineStatus = (typeof LINE_STATUSES)[number];

export const resolveConflictSchema = z.strictObject({
  action: z.enum(['accept', 'discard']),
  note: z.string().trim().max(500).optional(),
});
