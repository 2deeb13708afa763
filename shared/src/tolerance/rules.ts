/**
 * Tolerance rules (issue #16, docs/design.md §12): which counts are accepted as they stand, which go
 * to a blind recount by another counter and which wait for a supervisor. Schemas here are the API
 * contract of the rule table and of the rule-set snapshot a session keeps; the arithmetic is in
 * `evaluate.ts`, the choice of rule in `resolve.ts`, consensus in `consensus.ts`.
 */
import { z } from 'zod';
import { isoInstantSchema } from '../envelope';
import { itemCodeSchema } from '../items';
import { MAX_QTY } from '../quantity';

/** The three axes a limit can be set on, in the order they are always reported. */
export const TOLERANCE_AXES = ['units', 'percent', 'value'] as const;
export type ToleranceAxis = (typeof TOLERANCE_AXES)[number];

/** Largest limit of money (value at cost) a rule may set: beyond it a number is a typo. */
export const MAX_TOLERANCE_VALUE = 1_000_000_000_000;
/** Largest percent limit (100 000 % = a thousand times the book). */
export const MAX_TOLERANCE_PERCENT = 100_000;
/** Most recount phases a rule may ask for before a supervisor decides (mSupply stops at three). */
export const MAX_RECOUNT_PHASES = 5;
export const DEFAULT_RECOUNT_PHASES = 2;

function atMostDecimals(value: number, decimals: number): boolean {
  const f = 10 ** decimals;
  return Math.abs(Math.round(value * f) - value * f) < 1e-6;
}

function decimalNumber(max: number, decimals: number) {
  return z
    .number()
    .finite()
    .min(0, 'must not be negative')
    .max(max, `must be at most ${max}`)
    .refine((v) => atMostDecimals(v, decimals), `at most ${decimals} decimals`);
}

/** Units of the item's unit of measure (thousandths allowed, as for counts). */
const unitsLimitSchema = decimalNumber(MAX_QTY, 3);
/** Percent of the book quantity, hundredths allowed (2.5 = 2.5 %). */
const percentLimitSchema = decimalNumber(MAX_TOLERANCE_PERCENT, 2);
/** Money at cost, to the cent. */
const valueLimitSchema = decimalNumber(MAX_TOLERANCE_VALUE, 2);
/** A unit cost bound of a value band; unit costs may carry sub-cent precision (6 decimals). */
const unitCostBoundSchema = decimalNumber(MAX_TOLERANCE_VALUE, 6);

/**
 * The limits on one side (shortage or overage). An absent axis is no limit on that axis; a side
 * with no axis at all accepts any difference in that direction. A limit is inclusive: a variance
 * equal to it is within tolerance.
 */
export const toleranceLimitsSchema = z.strictObject({
  units: unitsLimitSchema.optional(),
  percent: percentLimitSchema.optional(),
  value: valueLimitSchema.optional(),
});
export type ToleranceLimits = z.infer<typeof toleranceLimitsSchema>;

/** Asymmetric thresholds: shortages (counted below book) and overages (above) have their own limits. */
export const toleranceThresholdsSchema = z.strictObject({
  shortage: toleranceLimitsSchema,
  overage: toleranceLimitsSchema,
});
export type ToleranceThresholds = z.infer<typeof toleranceThresholdsSchema>;

/** An ABC class is one letter, upper-cased (`a` → `A`). */
export const abcClassSchema = z
  .string()
  .trim()
  .toUpperCase()
  .regex(/^[A-Z]$/, 'one letter A–Z');

/** What a rule applies to (design §12 lists them from most to least specific). */
export const toleranceScopeSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('item'), item_code: itemCodeSchema }),
  z.strictObject({ kind: z.literal('category'), category: z.string().trim().min(1).max(128) }),
  z
    .strictObject({
      kind: z.literal('value_band'),
      /** Inclusive lower bound of the item's unit cost. */
      min_cost: unitCostBoundSchema,
      /** Exclusive upper bound; null = no upper bound. */
      max_cost: unitCostBoundSchema.nullable(),
    })
    .refine((s) => s.max_cost === null || s.max_cost > s.min_cost, {
      message: 'max_cost must be above min_cost (the band is [min_cost, max_cost))',
      path: ['max_cost'],
    }),
  z.strictObject({ kind: z.literal('abc_class'), abc_class: abcClassSchema }),
  z.strictObject({ kind: z.literal('warehouse'), warehouse: z.string().trim().min(1).max(64) }),
  z.strictObject({ kind: z.literal('everything') }),
]);
export type ToleranceScope = z.infer<typeof toleranceScopeSchema>;
export type ToleranceScopeKind = ToleranceScope['kind'];

/**
 * What happens when a count is outside tolerance. Within tolerance a count is always accepted
 * (there is no "auto-accept" action to choose: accepting is what "within" means).
 * - `recount`: a blind recount by a different counter; consensus settles (design §12).
 * - `approve`: a supervisor approves (or asks for a recount, or decides).
 */
export const TOLERANCE_ACTIONS = ['recount', 'approve'] as const;
export const toleranceActionSchema = z.enum(TOLERANCE_ACTIONS);
export type ToleranceAction = z.infer<typeof toleranceActionSchema>;

export const toleranceRuleIdSchema = z
  .string()
  .trim()
  .min(1, 'required')
  .max(64)
  .regex(/^[A-Za-z0-9._:-]+$/, 'letters, digits and . _ : - only');

/** One row of the rule table. */
export const toleranceRuleSchema = z.strictObject({
  id: toleranceRuleIdSchema,
  /** Bumped on every edit of the rule; the pair (id, version) names what decided a line. */
  version: z.number().int().min(1),
  name: z.string().trim().max(120).optional(),
  scope: toleranceScopeSchema,
  thresholds: toleranceThresholdsSchema,
  on_exceed: toleranceActionSchema,
  /** Recount phases before a supervisor decides (phase 0 is the first count). */
  recount_phases: z.number().int().min(0).max(MAX_RECOUNT_PHASES).default(DEFAULT_RECOUNT_PHASES),
});
export type ToleranceRule = z.infer<typeof toleranceRuleSchema>;
export type ToleranceRuleInput = z.input<typeof toleranceRuleSchema>;

/**
 * The rule used when no rule of a set applies: today's review thresholds (100 units, 50 % of book,
 * 1,000 at cost, either way; `DEFAULT_REVIEW_THRESHOLDS`), now answered by a blind recount.
 */
export const DEFAULT_TOLERANCE_RULE: ToleranceRule = Object.freeze({
  id: 'default',
  version: 1,
  name: 'Built-in default',
  scope: { kind: 'everything' },
  thresholds: {
    shortage: { units: 100, percent: 50, value: 1000 },
    overage: { units: 100, percent: 50, value: 1000 },
  },
  on_exceed: 'recount',
  recount_phases: DEFAULT_RECOUNT_PHASES,
}) as ToleranceRule;

/** The same limits for shortages and overages (the console's "±" entry). */
export function symmetricThresholds(limits: ToleranceLimits): ToleranceThresholds {
  return { shortage: { ...limits }, overage: { ...limits } };
}

/** JSON with keys sorted and undefined left out, so equal content always gives equal text. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * Fingerprint of a rule set's content (64 bits as 16 hex digits): the rules ordered by id, keys
 * sorted. Equal rules give equal hashes whatever their order, so a session can show whether it runs
 * on today's rules. A fingerprint, not a signature: it detects change, it does not authenticate.
 */
export function ruleSetHash(rules: readonly ToleranceRule[]): string {
  const text = canonicalJson(
    [...rules].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : a.version - b.version)),
  );
  // Two independent 32-bit FNV-1a style streams with murmur finalisers (cyrb53's mixing).
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  const hex = (n: number) => (n >>> 0).toString(16).padStart(8, '0');
  return `${hex(h2)}${hex(h1)}`;
}

/**
 * The rules in force when a session started, kept with the session like its book snapshot:
 * editing the rule table never changes what an open stocktake runs on. `version` is the rule
 * table's version at that moment; `hash` its content fingerprint (checked on parse).
 */
export const toleranceRuleSetSchema = z
  .strictObject({
    version: z.number().int().min(1),
    hash: z.string().regex(/^[0-9a-f]{16}$/, '16 hex digits'),
    taken_at: isoInstantSchema,
    rules: z.array(toleranceRuleSchema).max(10_000),
  })
  .superRefine((set, ctx) => {
    const seen = new Map<string, number>();
    set.rules.forEach((rule, i) => {
      const first = seen.get(rule.id);
      if (first !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['rules', i, 'id'],
          message: `rule id ${rule.id} is used twice (also at rules.${first})`,
        });
      } else {
        seen.set(rule.id, i);
      }
    });
    if (seen.size === set.rules.length && ruleSetHash(set.rules) !== set.hash) {
      ctx.addIssue({
        code: 'custom',
        path: ['hash'],
        message: 'hash does not match the rules (use makeRuleSet)',
      });
    }
  });
export type ToleranceRuleSet = z.infer<typeof toleranceRuleSetSchema>;

/** Builds a snapshot of the rules in force: validates every rule and computes the hash. */
export function makeRuleSet(
  rules: readonly ToleranceRuleInput[],
  version: number,
  takenAt: string,
): ToleranceRuleSet {
  const parsed = rules.map((r) => toleranceRuleSchema.parse(r));
  return toleranceRuleSetSchema.parse({
    version,
    hash: ruleSetHash(parsed),
    taken_at: takenAt,
    rules: parsed,
  });
}
