import {
  DEFAULT_TOLERANCE_RULE,
  symmetricThresholds,
  type LineTolerance,
  type ToleranceRule,
} from '@stockverify/shared';

/**
 * Review thresholds (design §4; defaults from the old system), configurable. Since issue #16 they
 * are the built-in default tolerance rule (`fallbackRule`): what decides where a session has no
 * rule set or its set has no rule for the item (design §12).
 */
export interface ReviewThresholds {
  /** |variance| above this many units. */
  varianceQty: number;
  /** |variance| above this share of the book quantity, in percent. */
  variancePercent: number;
  /** |variance value at cost| above this amount. */
  varianceValue: number;
}

export const DEFAULT_REVIEW_THRESHOLDS: ReviewThresholds = {
  varianceQty: 100,
  variancePercent: 50,
  varianceValue: 1000,
};

/**
 * The rule that decides where no rule of the session's set does: `DEFAULT_TOLERANCE_RULE` under
 * the default thresholds, else the same rule with the configured ones (`REVIEW_VARIANCE_*`), named
 * `default-config` so a line never names the built-in default for limits it did not have.
 */
export function fallbackRule(t: ReviewThresholds): ToleranceRule {
  const d = DEFAULT_REVIEW_THRESHOLDS;
  const same =
    t.varianceQty === d.varianceQty &&
    t.variancePercent === d.variancePercent &&
    t.varianceValue === d.varianceValue;
  if (same) return DEFAULT_TOLERANCE_RULE;
  return {
    ...DEFAULT_TOLERANCE_RULE,
    id: 'default-config',
    name: 'Built-in default (REVIEW_VARIANCE_* settings)',
    thresholds: symmetricThresholds({
      units: t.varianceQty,
      percent: t.variancePercent,
      value: t.varianceValue,
    }),
  };
}

export interface ReviewFacts {
  variance: number;
  varianceReason: string | null;
  /** Lines the same user already has for the same item in the session. */
  previousCountsBySameUser: number;
}

/** A review reason: the deciding tolerance rule asks for a blind recount (design §12). */
export const RECOUNT_REQUIRED = 'RECOUNT_REQUIRED';

/**
 * What the deciding tolerance rule adds to the review reasons: nothing within tolerance; outside,
 * `LARGE_VARIANCE` (units or percent exceeded) and `HIGH_VALUE_VARIANCE` (value exceeded), the
 * codes of the fixed thresholds before rules, and `RECOUNT_REQUIRED` when the rule answers with a
 * recount (under `approve` the line simply waits for a supervisor).
 */
export function toleranceReasons(tolerance: LineTolerance): string[] {
  if (tolerance.within) return [];
  const reasons: string[] = [];
  const by = tolerance.exceeded_by;
  if (by.includes('units') || by.includes('percent')) reasons.push('LARGE_VARIANCE');
  if (by.includes('value')) reasons.push('HIGH_VALUE_VARIANCE');
  if (tolerance.action === 'recount') reasons.push(RECOUNT_REQUIRED);
  return reasons;
}

/** Why a line needs a supervisor's eyes; empty when it can go straight to PENDING. */
export function reviewReasons(facts: ReviewFacts, tolerance: LineTolerance): string[] {
  const reasons = toleranceReasons(tolerance);
  if (facts.variance !== 0 && !facts.varianceReason) reasons.push('MISSING_REASON');
  if (facts.previousCountsBySameUser > 0) reasons.push('REPEATED_COUNT');
  return reasons;
}
