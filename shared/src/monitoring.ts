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

/** `GET /admin/kpis`: today's figures (UTC day), for the dashboards. */
export const kpisSchema = z.object({
  /** Start of the UTC day the figures cover. */
  since: z.string(),
  counted_today: z.number(),
  active_counters: z.number(),
  /** 100 × (Σ|book| − Σ|variance|) / Σ|book| over today's lines; null when Σ|book| is 0. */
  accuracy_today: z.number().nullable(),
  variance_value_today: z.number(),
  open_sessions: z.number(),
  open_conflicts: z.number(),
  active_claims: z.number(),
});
export type Kpis = z.infer<typeof kpisSchema>;

/** One counter seen by a heartbeat lately (`GET /admin/active-users`). */
export const activeUserSchema = z.object({
  user_id: z.string(),
  username: z.string(),
  session_id: z.string(),
  session_name: z.string(),
  warehouse: z.string(),
  racks: z.array(z.string()),
  device_id: z.string().nullable(),
  last_seen: z.string(),
});
export type ActiveUser = z.infer<typeof activeUserSchema>;

/** `GET /admin/active-users`. */
export const activeUsersSchema = z.object({ items: z.array(activeUserSchema) });

/** Kinds of live event a supervisor's watchtower receives (`GET /events`, server-sent). */
export const LIVE_EVENT_TYPES = [
  'session',
  'claim',
  'lock',
  'heartbeat',
  'scan',
  'conflict',
  'unknown_item',
  'review',
  /** A bin changed state (settled, opened a recount phase, needs a supervisor, decided). */
  'bin',
  /** A recount task opened, assigned or closed. */
  'recount_task',
  /** Items of a session got new figures at count (the read model's drain; `data.items`: how many). */
  'at_count',
] as const;
export type LiveEventType = (typeof LIVE_EVENT_TYPES)[number];

/** One live event. */
export const liveEventSchema = z.object({
  type: z.enum(LIVE_EVENT_TYPES),
  /** What happened, e.g. 'claimed', 'released', 'lost', 'line'. */
  action: z.string(),
  session_id: z.string().nullable(),
  rack: z.string().nullable().optional(),
  user_id: z.string().nullable().optional(),
  username: z.string().nullable().optional(),
  at: z.string(),
  data: z.record(z.string(), z.unknown()).optional(),
});
export type LiveEvent = z.infer<typeof liveEventSchema>;

/** `GET /health`: liveness, for anyone. */
export const healthSchema = z.object({
  status: z.literal('ok'),
  version: z.string(),
  uptime_s: z.number(),
});
export type Health = z.infer<typeof healthSchema>;

/** One sample of a metric: its value and labels (`metricName` for a histogram's series). */
export const metricSampleSchema = z.object({
  value: z.number(),
  labels: z.record(z.string(), z.union([z.string(), z.number()]).optional()),
  metricName: z.string().optional(),
  /** A histogram bucket's exemplar; null when none was recorded. */
  exemplar: z.unknown().optional(),
});

/** One metric of `GET /metrics/json`, as the Prometheus client lists it. */
export const metricJsonSchema = z.object({
  name: z.string(),
  help: z.string(),
  /** `counter`, `gauge`, `histogram` or `summary`. */
  type: z.string(),
  values: z.array(metricSampleSchema),
  /** How a cluster's values combine: `sum`, `max`, … */
  aggregator: z.string(),
});
export type MetricJson = z.infer<typeof metricJsonSchema>;

/** `GET /metrics/json`: the figures of `GET /metrics`, as JSON. */
export const metricsJsonSchema = z.array(metricJsonSchema);
export type MetricsJson = z.infer<typeof metricsJsonSchema>;
