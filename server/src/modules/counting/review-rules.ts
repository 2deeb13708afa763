/** Review thresholds (design §4; defaults from the old system), configurable. */
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

export interface ReviewFacts {
  variance: number;
  bookQty: number;
  valueAtCost: number;
  varianceReason: string | null;
  /** Lines the same user already has for the same item in the session. */
  previousCountsBySameUser: number;
}

/** Why a line needs a supervisor's eyes; empty when it can go straight to PENDING. */
export function reviewReasons(facts: ReviewFacts, t: ReviewThresholds): string[] {
  const reasons: string[] = [];
  const abs = Math.abs(facts.variance);
  if (abs > t.varianceQty || (facts.bookQty > 0 && (abs / facts.bookQty) * 100 > t.variancePercent))
    reasons.push('LARGE_VARIANCE');
  if (Math.abs(facts.valueAtCost) > t.varianceValue) reasons.push('HIGH_VALUE_VARIANCE');
  if (facts.variance !== 0 && !facts.varianceReason) reasons.push('MISSING_REASON');
  if (facts.previousCountsBySameUser > 0) reasons.push('REPEATED_COUNT');
  return reasons;
}
