/**
 * Which rule applies to an item in a warehouse (docs/design.md §12): the most specific scope wins,
 * item > category > value band > ABC class > warehouse > everything; ties inside a scope go to
 * the narrower value band, then the lower rule id (code-point order), then the higher version.
 */
import { COST_SCALE } from './evaluate';
import {
  DEFAULT_TOLERANCE_RULE,
  type ToleranceRule,
  type ToleranceRuleSet,
  type ToleranceScope,
  type ToleranceScopeKind,
} from './rules';

/** Specificity of each scope kind: higher wins. */
export const SCOPE_SPECIFICITY: Readonly<Record<ToleranceScopeKind, number>> = Object.freeze({
  item: 6,
  category: 5,
  value_band: 4,
  abc_class: 3,
  warehouse: 2,
  everything: 1,
});

/** What rule resolution needs to know of an item (a session snapshot row carries all of it). */
export interface ToleranceItemFacts {
  item_code: string;
  category?: string | null;
  /** Unit cost at the snapshot. */
  cost: number;
  /** The item's (or the session's) ABC class, where one is known. */
  abc_class?: string | null;
}

const micro = (cost: number) => Math.round(cost * COST_SCALE);
const norm = (s: string) => s.trim().toUpperCase();

/** Whether a scope covers the item in the warehouse. Categories and ABC classes ignore case. */
export function scopeMatches(
  scope: ToleranceScope,
  item: ToleranceItemFacts,
  warehouse: string,
): boolean {
  switch (scope.kind) {
    case 'item':
      return scope.item_code === item.item_code;
    case 'category':
      return (
        item.category !== null &&
        item.category !== undefined &&
        norm(item.category) === norm(scope.category)
      );
    case 'value_band': {
      const c = micro(item.cost);
      return c >= micro(scope.min_cost) && (scope.max_cost === null || c < micro(scope.max_cost));
    }
    case 'abc_class':
      return (
        item.abc_class !== null &&
        item.abc_class !== undefined &&
        norm(item.abc_class) === scope.abc_class
      );
    case 'warehouse':
      return scope.warehouse === warehouse;
    case 'everything':
      return true;
  }
}

/** Band width in millionths; an open band is infinitely wide. 0 for every other scope. */
function bandWidth(scope: ToleranceScope): number {
  if (scope.kind !== 'value_band') return 0;
  return scope.max_cost === null
    ? Number.POSITIVE_INFINITY
    : micro(scope.max_cost) - micro(scope.min_cost);
}

/** Negative when `a` should win over `b`. A total order, so the winner never depends on order. */
export function compareSpecificity(a: ToleranceRule, b: ToleranceRule): number {
  const s = SCOPE_SPECIFICITY[b.scope.kind] - SCOPE_SPECIFICITY[a.scope.kind];
  if (s !== 0) return s;
  const wa = bandWidth(a.scope);
  const wb = bandWidth(b.scope);
  if (wa !== wb) return wa < wb ? -1 : 1;
  if (a.id !== b.id) return a.id < b.id ? -1 : 1;
  return b.version - a.version;
}

/**
 * The rule that decides for `item` in `warehouse`: the most specific matching rule of the set, or
 * `fallback` (`DEFAULT_TOLERANCE_RULE` unless given) when none matches (a set without an
 * `everything` rule).
 */
export function resolveRule(
  ruleSet: Pick<ToleranceRuleSet, 'rules'> | readonly ToleranceRule[],
  item: ToleranceItemFacts,
  warehouse: string,
  fallback: ToleranceRule = DEFAULT_TOLERANCE_RULE,
): ToleranceRule {
  const rules: readonly ToleranceRule[] = Array.isArray(ruleSet)
    ? ruleSet
    : (ruleSet as Pick<ToleranceRuleSet, 'rules'>).rules;
  let best: ToleranceRule | null = null;
  for (const rule of rules) {
    if (!scopeMatches(rule.scope, item, warehouse)) continue;
    if (best === null || compareSpecificity(rule, best) < 0) best = rule;
  }
  return best ?? fallback;
}
