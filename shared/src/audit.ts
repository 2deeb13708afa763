import { z } from 'zod';
import { isoInstantSchema, paginationQuerySchema } from './envelope';
import { pageSchemaOf } from './pages';
import { roleSchema } from './roles';

/** One entry of the audit log, `GET /admin/audit`. */
export const auditEntrySchema = z.object({
  id: z.string(),
  at: z.string(),
  actor_id: z.string().nullable(),
  actor_username: z.string().nullable(),
  actor_role: roleSchema.nullable(),
  action: z.string(),
  target_type: z.string().nullable(),
  target_id: z.string().nullable(),
  /** Before/after summary or other facts; never secrets. */
  summary: z.record(z.string(), z.unknown()).nullable(),
  request_id: z.string().nullable(),
  ip: z.string().nullable(),
});
export type AuditEntry = z.infer<typeof auditEntrySchema>;

/** `GET /admin/audit`. */
export const auditPageSchema = pageSchemaOf(auditEntrySchema);

/** The filters of `GET /admin/audit`. */
export const auditQuerySchema = paginationQuerySchema.extend({
  actor_id: z.string().max(64).optional(),
  action: z.string().max(64).optional(),
  target_type: z.string().max(64).optional(),
  target_id: z.string().max(64).optional(),
  from: isoInstantSchema.optional(),
  to: isoInstantSchema.optional(),
});
