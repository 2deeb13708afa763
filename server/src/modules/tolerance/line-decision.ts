/**
 * Which tolerance rule decides a count line, and what it decides (issue #16 item 1, docs/design.md
 * §12). A session runs on the rule table version it started with (`tolerance_rule_set.version`),
 * never on the table as it is now; a session from before rule sets, and a set with no rule for the
 * item, fall back to the built-in default (today's review thresholds). The decision is stored on
 * the line (`LineTolerance`), so the console shows what decided and why.
 *
 * Rule sets are read once per version and kept (least recently used first out): a version is
 * written once and never changed, so what is kept can never go stale.
 */
import {
  DEFAULT_TOLERANCE_RULE,
  evaluate,
  resolveRule,
  type LineTolerance,
  type ToleranceItemFacts,
  type ToleranceRule,
} from '@stockverify/shared';
import type { Store } from '../../ports/store';

/** Versions kept in memory (a site runs a few sessions at a time; each names one version). */
export const RULE_SET_CACHE_SIZE = 32;

const norm = (s: string) => s.trim().toUpperCase();

/**
 * A rule set indexed by what scopes match exactly (item code, category, warehouse), so finding the
 * rule of one item looks at the few rules that can match instead of the whole table. The rest
 * (value bands, ABC classes, everything) are few and are all looked at.
 */
export interface IndexedRuleSet {
  /** The rule table version; null for a session from before rule sets. */
  version: number | null;
  rules: readonly ToleranceRule[];
  byItem: Map<string, ToleranceRule[]>;
  byCategory: Map<string, ToleranceRule[]>;
  byWarehouse: Map<string, ToleranceRule[]>;
  rest: ToleranceRule[];
}

function push(map: Map<string, ToleranceRule[]>, key: string, rule: ToleranceRule): void {
  const list = map.get(key);
  if (list) list.push(rule);
  else map.set(key, [rule]);
}

export function indexRuleSet(
  version: number | null,
  rules: readonly ToleranceRule[],
): IndexedRuleSet {
  const set: IndexedRuleSet = {
    version,
    rules,
    byItem: new Map(),
    byCategory: new Map(),
    byWarehouse: new Map(),
    rest: [],
  };
  for (const rule of rules) {
    const scope = rule.scope;
    if (scope.kind === 'item') push(set.byItem, scope.item_code, rule);
    else if (scope.kind === 'category') push(set.byCategory, norm(scope.category), rule);
    else if (scope.kind === 'warehouse') push(set.byWarehouse, scope.warehouse, rule);
    else set.rest.push(rule);
  }
  return set;
}

/**
 * The rule that decides for the item: `resolveRule` over the rules that can match (the same
 * answer as over the whole set), with `fallback` where no rule of the set matches.
 */
export function ruleFor(
  set: IndexedRuleSet,
  item: ToleranceItemFacts,
  warehouse: string,
  fallback: ToleranceRule,
): ToleranceRule {
  const candidates = [
    ...(set.byItem.get(item.item_code) ?? []),
    ...(item.category ? (set.byCategory.get(norm(item.category)) ?? []) : []),
    ...(set.byWarehouse.get(warehouse) ?? []),
    ...set.rest,
  ];
  const rule = resolveRule(candidates, item, warehouse);
  return rule === DEFAULT_TOLERANCE_RULE ? fallback : rule;
}

export interface LineFacts {
  item: ToleranceItemFacts;
  warehouse: string;
  /** The snapshot's book quantity. */
  book: number;
  /** The quantity variance is taken on: counted − written-off damage (design §4). */
  counted: number;
  /** The snapshot's unit cost. */
  unitCost: number;
}

/** What the deciding rule says of one count, as stored on the line. */
export function decideLine(
  set: IndexedRuleSet,
  facts: LineFacts,
  fallback: ToleranceRule,
): LineTolerance {
  const rule = ruleFor(set, facts.item, facts.warehouse, fallback);
  const e = evaluate(rule, { book: facts.book, counted: facts.counted, unitCost: facts.unitCost });
  return {
    rule_id: rule.id,
    rule_version: rule.version,
    rule_scope: rule.scope.kind,
    rule_set_version: set.version,
    within: e.within,
    exceeded_by: e.exceededBy,
    action: e.action,
    direction: e.direction,
    thresholds: e.thresholds,
    allowance: e.allowance,
  };
}

/** The rule set of no version: a session from before rule sets (the fallback decides). */
export const NO_RULE_SET: IndexedRuleSet = indexRuleSet(null, []);

export type RuleSetCache = ReturnType<typeof createRuleSetCache>;

/** Rule sets by table version, read from the store once each and kept (LRU, `capacity`). */
export function createRuleSetCache(
  store: Pick<Store, 'tolerance'>,
  capacity = RULE_SET_CACHE_SIZE,
) {
  const kept = new Map<number, Promise<IndexedRuleSet | null>>();

  /**
   * The indexed rules of `version` (null: no version, the fallback decides). A version the store
   * does not hold answers null and is not kept (it may not be written yet).
   */
  async function ruleSet(version: number | null | undefined): Promise<IndexedRuleSet | null> {
    if (version === null || version === undefined) return NO_RULE_SET;
    let found = kept.get(version);
    if (found) {
      // Most recently used last: Map keeps insertion order.
      kept.delete(version);
      kept.set(version, found);
      return found;
    }
    found = store.tolerance.get(version).then((record) => {
      if (!record) {
        kept.delete(version);
        return null;
      }
      return indexRuleSet(record.version, record.rules);
    });
    // A failed read is not kept: the next line asks the store again.
    found.catch(() => kept.delete(version));
    kept.set(version, found);
    while (kept.size > capacity) kept.delete(kept.keys().next().value!);
    return found;
  }

  return { ruleSet, size: () => kept.size };
}
