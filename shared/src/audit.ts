import { z } from 'zod';
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
