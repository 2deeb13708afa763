/**
 * Tolerance arithmetic (docs/design.md §12), in integers only: quantities as thousandths (the
 * precision of `QTY_DECIMALS`, as the read model keeps them), percent limits as hundredths of a
 * percent, money limits as cents and unit costs as millionths, so a limit is met or exceeded to the
 * last digit the user sees and never by float noise. Products that could pass 2^53 are BigInt.
 */
import { QTY_DECIMALS } from '../quantity';
import {
  TOLERANCE_AXES,
  type ToleranceAxis,
  type ToleranceLimits,
  type ToleranceRule,
} from './rules';

export const QTY_SCALE = 10 ** QTY_DECIMALS;
/** Unit costs are compared in millionths: sub-cent costs (a screw at 0.0035) keep their value. */
export const COST_SCALE = 1_000_000;

/** A quantity as an integer of thousandths. */
export function toMilli(qty: number): number {
  return Math.round(qty * QTY_SCALE);
}

/** Thousandths back to a quantity (2500 → 2.5). */
export function fromMilli(m: number): number {
  return m / QTY_SCALE + 0;
}

function toMicroCost(cost: number): number {
  return Math.round(cost * COST_SCALE);
}

function finite(name: string, value: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new ToleranceInputError('TOLERANCE_BAD_NUMBER', name, `${name} must be a finite number`);
  }
  return value;
}

/** A caller handed the tolerance domain something it cannot work with; `path` names the field. */
export class ToleranceInputError extends Error {
  constructor(
    readonly code: string,
    readonly path: string,
    message: string,
  ) {
    super(`${path}: ${message}`);
    this.name = 'ToleranceInputError';
  }
}

/**
 * The limits that are set: only numbers count, so a limit a store kept as null (a document store
 * may write an absent field so) stays "no limit" and never becomes a limit of 0.
 */
export function presentLimits(limits: ToleranceLimits): ToleranceLimits {
  const out: ToleranceLimits = {};
  for (const axis of TOLERANCE_AXES) {
    const v: unknown = limits[axis];
    if (typeof v === 'number') out[axis] = v;
  }
  return out;
}

/**
 * Per axis, the largest difference in thousandths that a side's limits allow, given the book and
 * unit cost: `null` when the axis has no limit (or, for value, when the item costs nothing, so no
 * difference has any value). Limits are inclusive; the value axis compares the variance value
 * rounded to the cent (half away from zero, as `roundMoney` shows it).
 */
export function allowanceMilli(
  limits: ToleranceLimits,
  bookMilli: number,
  unitCostMicro: number,
): Record<ToleranceAxis, number | null> {
  const out: Record<ToleranceAxis, number | null> = { units: null, percent: null, value: null };
  const { units, percent, value } = presentLimits(limits);
  if (units !== undefined) out.units = toMilli(units);
  if (percent !== undefined) {
    // d/|book| × 100 ≤ p  ⇔  d × 10 000 ≤ p_hundredths × |book|; a book of 0 allows no difference.
    const hundredths = BigInt(Math.round(percent * 100));
    out.percent = Number((hundredths * BigInt(Math.abs(bookMilli))) / 10_000n);
  }
  if (value !== undefined && unitCostMicro > 0) {
    // value in cents = d × cost_µ / 10^7 (d in thousandths, cost in millionths); rounded half up it
    // stays ≤ L cents while d × cost_µ ≤ L × 10^7 + 5 × 10^6 − 1.
    const cents = BigInt(Math.round(value * 100));
    out.value = Number((cents * 10_000_000n + 4_999_999n) / BigInt(unitCostMicro));
  }
  return out;
}

/** Variance value at cost in cents, rounded half away from zero, from thousandths × millionths. */
function valueCents(varianceMilli: number, unitCostMicro: number): number {
  const n = BigInt(Math.abs(varianceMilli)) * BigInt(unitCostMicro);
  const cents = Number((n + 5_000_000n) / 10_000_000n);
  return varianceMilli < 0 ? -cents : cents;
}

export type ToleranceDirection = 'shortage' | 'overage' | 'none';
/** Within tolerance a count is accepted; outside, the rule's action applies. */
export type ToleranceOutcome = 'accept' | ToleranceRule['on_exceed'];

export interface ToleranceEvaluation {
  within: boolean;
  /** The axes whose limit the variance exceeds, in the order units, percent, value. */
  exceededBy: ToleranceAxis[];
  action: ToleranceOutcome;
  /** `shortage` when counted < book, `overage` when above, `none` when equal. */
  direction: ToleranceDirection;
  /** counted − book. */
  variance: number;
  /** Variance × unit cost, to the cent. */
  varianceValue: number;
  /** The limits of the side that applied (`{}` when the count equals the book). */
  thresholds: ToleranceLimits;
  /** Per axis, the most units that side allows here (null = no limit on that axis). */
  allowance: Record<ToleranceAxis, number | null>;
  rule: { id: string; version: number };
}

export interface EvaluateInput {
  /** Book quantity of the snapshot. */
  book: number;
  /** The counted quantity variance is taken on: counted − written-off damage (design §4). */
  counted: number;
  /** Unit cost at the snapshot. */
  unitCost: number;
}

/**
 * Whether a count is within a rule's tolerance, and if not, on which axes and what happens.
 * Percent is of the book's absolute value; with a book of 0 any non-zero variance exceeds a
 * percent limit (there is no share of nothing to be within), design §12.
 */
export function evaluate(rule: ToleranceRule, input: EvaluateInput): ToleranceEvaluation {
  const bookM = toMilli(finite('book', input.book));
  const countedM = toMilli(finite('counted', input.counted));
  const costU = toMicroCost(finite('unitCost', input.unitCost));
  if (costU < 0) throw new ToleranceInputError('TOLERANCE_BAD_NUMBER', 'unitCost', 'negative');
  const varianceM = countedM - bookM;
  const direction: ToleranceDirection =
    varianceM < 0 ? 'shortage' : varianceM > 0 ? 'overage' : 'none';
  const thresholds = direction === 'none' ? {} : presentLimits(rule.thresholds[direction]);
  const allowM = allowanceMilli(thresholds, bookM, costU);
  const abs = Math.abs(varianceM);
  const exceededBy = TOLERANCE_AXES.filter((axis) => {
    const a = allowM[axis];
    return a !== null && abs > a;
  });
  const allowance: Record<ToleranceAxis, number | null> = {
    units: null,
    percent: null,
    value: null,
  };
  for (const axis of TOLERANCE_AXES) {
    const a = allowM[axis];
    allowance[axis] = a === null ? null : fromMilli(a);
  }
  const within = exceededBy.length === 0;
  return {
    within,
    exceededBy,
    action: within ? 'accept' : rule.on_exceed,
    direction,
    variance: fromMilli(varianceM),
    varianceValue: valueCents(varianceM, costU) / 100 + 0,
    thresholds,
    allowance,
    rule: { id: rule.id, version: rule.version },
  };
}

/**
 * The largest difference (thousandths) two counts of one bin may have and still agree: on each
 * axis the tighter of the shortage and overage limits, since neither count is the reference;
 * percent is of the book, as for a single count. `Infinity` when the rule sets no limit at all.
 */
export function agreementAllowanceMilli(
  rule: ToleranceRule,
  bookMilli: number,
  unitCostMicro: number,
): number {
  let d = Number.POSITIVE_INFINITY;
  for (const side of [rule.thresholds.shortage, rule.thresholds.overage]) {
    const a = allowanceMilli(side, bookMilli, unitCostMicro);
    for (const axis of TOLERANCE_AXES) {
      const v = a[axis];
      if (v !== null && v < d) d = v;
    }
  }
  return d;
}

/** Unit cost in millionths (for callers that keep integer figures, e.g. consensus). */
export function unitCostMicro(cost: number): number {
  const c = toMicroCost(finite('unit_cost', cost));
  if (c < 0) throw new ToleranceInputError('TOLERANCE_BAD_NUMBER', 'unit_cost', 'negative');
  return c;
}
