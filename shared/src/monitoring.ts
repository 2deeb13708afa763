import { z } from 'zod';

/** One dependency as `GET /admin/system-status` reports it. */
export const dependencyStatusSchema = z.object({
  kind: z.string(),
  ok: z.boolean(),
  latency_ms: z.number(),
  error: z.string().nullable(),
});
export type DependencyStatus = z.infer<typeof dependencyStatusSchema>;

/**
 * `ok` when every dependency answers; `degraded` when Redis or the ERP does not (counting goes on:
 * lookups fall back to the mirror, locks wait); `down` when the store does not.
 */
export const OVERALL_STATUSES = ['ok', 'degraded', 'down'] as const;
export type OverallStatus = (typeof OVERALL_STATUSES)[number];

/** The answer of `GET /admin/system-status`. */
export const systemStatusSchema = z.object({
  status: z.enum(OVERALL_STATUSES),
  version: z.string(),
  uptime_s: z.number(),
  store: dependencyStatusSchema,
  coordination: dependencyStatusSchema,
  erp: dependencyStatusSchema,
});
export type SystemStatus = z.infer<typeof systemStatusSchema>;

/** The overall status from the three dependencies (see OVERALL_STATUSES). */
export function overallStatus(deps: {
  store: { ok: boolean };
  coordination: { ok: boolean };
  erp: { ok: boolean };
}): OverallStatus {
  if (!deps.store.ok) return 'down';
  return deps.coordination.ok && deps.erp.ok ? 'ok' : 'degraded';
}
