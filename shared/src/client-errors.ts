import { z } from 'zod';
import { isoInstantSchema, paginationQuerySchema } from './envelope';
import { pageSchemaOf } from './pages';

/** Front ends that report their errors to the server (design §7). */
export const CLIENT_ERROR_SOURCES = ['pwa', 'console'] as const;
export type ClientErrorSource = (typeof CLIENT_ERROR_SOURCES)[number];

const MAX_CONTEXT_KEYS = 50;

/**
 * `POST /client-errors`: a report as a front end posts it. Unknown fields are dropped, not
 * refused: old clients report too.
 */
export const clientErrorReportSchema = z.object({
  source: z.enum(CLIENT_ERROR_SOURCES),
  message: z.string().trim().min(1).max(2000),
  stack: z.string().max(20_000).optional(),
  url: z.string().max(2000).optional(),
  app_version: z.string().max(64).optional(),
  user_agent: z.string().max(512).optional(),
  context: z
    .record(z.string().max(100), z.unknown())
    .refine((value) => Object.keys(value).length <= MAX_CONTEXT_KEYS, {
      message: `at most ${MAX_CONTEXT_KEYS} keys`,
    })
    .optional(),
});
export type ClientErrorReport = z.infer<typeof clientErrorReportSchema>;

/** A stored client error report, `GET /admin/errors`. */
export const clientErrorEntrySchema = z.object({
  id: z.string(),
  source: z.enum(CLIENT_ERROR_SOURCES),
  message: z.string(),
  stack: z.string().nullable(),
  url: z.string().nullable(),
  app_version: z.string().nullable(),
  user_agent: z.string().nullable(),
  context: z.record(z.string(), z.unknown()).nullable(),
  user_id: z.string().nullable(),
  username: z.string().nullable(),
  request_id: z.string().nullable(),
  ip: z.string().nullable(),
  created_at: z.string(),
});
export type ClientErrorEntry = z.infer<typeof clientErrorEntrySchema>;

/** `GET /admin/errors`. */
export const clientErrorPageSchema = pageSchemaOf(clientErrorEntrySchema);

/** `POST /client-errors`: the id of the stored report. */
export const clientErrorStoredSchema = z.object({ id: z.string() });
export type ClientErrorStored = z.infer<typeof clientErrorStoredSchema>;

/** The filters of `GET /admin/errors`. */
export const clientErrorListQuerySchema = paginationQuerySchema.extend({
  source: z.enum(CLIENT_ERROR_SOURCES).optional(),
  from: isoInstantSchema.optional(),
  to: isoInstantSchema.optional(),
});
