/**
 * The HTTP contract of the rule table (issue #16 items 1 and 4, docs/design.md §12): requests and
 * answers of `/tolerance-rules`. Every change makes a new version of the whole table; a version is
 * never rewritten, and a session keeps the version in force when it started.
 */
import { z } from 'zod';
import { isoInstantSchema } from '../envelope';
import { pageSchemaOf } from '../pages';
import {
  toleranceActionSchema,
  toleranceRuleIdSchema,
  toleranceRuleSchema,
  toleranceRuleSetSchema,
  toleranceScopeSchema,
  toleranceThresholdsSchema,
  DEFAULT_RECOUNT_PHASES,
  MAX_RECOUNT_PHASES,
} from './rules';

/** Most rules one table may hold (a site has tens; every version keeps the whole table). */
export const MAX_TOLERANCE_RULES = 1000;

const ruleVersionSchema = z.number().int().min(1);

/** What a rule says, without its identity: the body of a create or an edit. */
const ruleContent = {
  name: z.string().trim().max(120).optional(),
  scope: toleranceScopeSchema,
  thresholds: toleranceThresholdsSchema,
  on_exceed: toleranceActionSchema,
  recount_phases: z.number().int().min(0).max(MAX_RECOUNT_PHASES).default(DEFAULT_RECOUNT_PHASES),
};

/** `POST /tolerance-rules`: a new rule; the server names it (`r-…`) when `id` is left out. */
export const createToleranceRuleSchema = z.strictObject({
  id: toleranceRuleIdSchema.optional(),
  ...ruleContent,
});
export type CreateToleranceRuleInput = z.infer<typeof createToleranceRuleSchema>;

/**
 * `PUT /tolerance-rules/:id`: the rule's new content, whole, and `version`: the version of the rule
 * the edit was made on. An edit of a version that is no longer current is refused (409
 * `STALE_VERSION`), so two supervisors never overwrite each other unseen.
 */
export const updateToleranceRuleSchema = z.strictObject({
  version: ruleVersionSchema,
  ...ruleContent,
});
export type UpdateToleranceRuleInput = z.infer<typeof updateToleranceRuleSchema>;

/** `DELETE /tolerance-rules/:id?version=N`: the version of the rule being deleted, as for an edit. */
export const deleteToleranceRuleQuerySchema = z.strictObject({
  version: z.coerce.number().int().min(1),
});
export type DeleteToleranceRuleQuery = z.infer<typeof deleteToleranceRuleQuerySchema>;

/** `GET /tolerance-rules/versions`: newest first. */
export const toleranceVersionsQuerySchema = z.strictObject({
  page: z.coerce.number().int().min(1).default(1),
  page_size: z.coerce.number().int().min(1).max(500).default(50),
});
export type ToleranceVersionsQuery = z.infer<typeof toleranceVersionsQuerySchema>;

/** What made a version: `init` is the empty table (the built-in default applies to everything). */
export const TOLERANCE_CHANGES = ['init', 'create', 'update', 'delete'] as const;
export const toleranceChangeSchema = z.enum(TOLERANCE_CHANGES);
export type ToleranceChange = z.infer<typeof toleranceChangeSchema>;

/** One version of the rule table: who changed what, when; not the rules themselves. */
export const toleranceVersionSchema = z.object({
  version: z.number().int().min(1),
  hash: z.string(),
  /** When this version came into force. */
  taken_at: isoInstantSchema,
  rules_count: z.number().int().min(0),
  change: toleranceChangeSchema,
  /** The rule created, edited or deleted (null for `init`). */
  rule_id: z.string().nullable(),
  /** Its version after the change (the deleted version for a delete). */
  rule_version: z.number().int().min(1).nullable(),
  changed_by: z.string().nullable(),
  changed_by_name: z.string().nullable(),
});
export type ToleranceVersion = z.infer<typeof toleranceVersionSchema>;

/** `GET /tolerance-rules/versions`. */
export const toleranceVersionPageSchema = pageSchemaOf(toleranceVersionSchema);
export type ToleranceVersionPage = z.infer<typeof toleranceVersionPageSchema>;

/** `GET /tolerance-rules/versions/:version`: that version's rules and what made it. */
export const toleranceVersionDetailSchema = z.object({
  change: toleranceVersionSchema,
  rule_set: toleranceRuleSetSchema,
});
export type ToleranceVersionDetail = z.infer<typeof toleranceVersionDetailSchema>;

/** `POST`, `PUT` and `DELETE /tolerance-rules…`: the rule as it now is (or was, when deleted). */
export const toleranceRuleChangeSchema = z.object({
  rule: toleranceRuleSchema,
  /** The table version the change made. */
  change: toleranceVersionSchema,
});
export type ToleranceRuleChange = z.infer<typeof toleranceRuleChangeSchema>;

/** A rule of a preview: as in the table, `version` may be left out (1). */
export const candidateRuleSchema = toleranceRuleSchema.extend({
  version: ruleVersionSchema.default(1),
});

/**
 * `POST /tolerance-rules/preview`: what a candidate rule list would have done with a session's
 * counts. Rule ids must be unique.
 */
export const tolerancePreviewRequestSchema = z.strictObject({
  session_id: z.string().trim().min(1, 'required').max(64),
  rules: z
    .array(candidateRuleSchema)
    .max(MAX_TOLERANCE_RULES)
    .superRefine((rules, ctx) => {
      const seen = new Map<string, number>();
      rules.forEach((rule, i) => {
        const first = seen.get(rule.id);
        if (first === undefined) seen.set(rule.id, i);
        else
          ctx.addIssue({
            code: 'custom',
            path: [i, 'id'],
            message: `rule id ${rule.id} is used twice (also at rules.${first})`,
          });
      });
    }),
});
export type TolerancePreviewRequest = z.infer<typeof tolerancePreviewRequestSchema>;

const previewCounts = {
  /** Within tolerance: accepted as counted. */
  accept: z.number().int().min(0),
  /** Outside, answered by a blind recount by another counter. */
  recount: z.number().int().min(0),
  /** Outside, sent to a supervisor. */
  approve: z.number().int().min(0),
};

/** The answer of a preview: per bin (item in rack) of the session, overall and per deciding rule. */
export const tolerancePreviewSchema = z.object({
  session_id: z.string(),
  /** Fingerprint of the candidate rules (equal to the table's hash when nothing was changed). */
  hash: z.string(),
  /** Bins judged: one per item and rack with a count that still counts. */
  lines: z.number().int().min(0),
  ...previewCounts,
  by_rule: z.array(
    z.object({ id: z.string(), version: z.number().int().min(1), ...previewCounts }),
  ),
});
export type TolerancePreview = z.infer<typeof tolerancePreviewSchema>;

/** The rule-set version a session keeps (shown with the session; its rules: `versions/:version`). */
export const sessionToleranceSchema = z.object({
  version: z.number().int().min(1),
  hash: z.string(),
});
export type SessionTolerance = z.infer<typeof sessionToleranceSchema>;
