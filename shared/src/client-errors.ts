import { z } from 'zod';

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
