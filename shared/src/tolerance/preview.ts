/**
 * Rule preview for the console (issue #16 item 4, docs/design.md §12): "with these rules, this
 * session's first counts would have been accepted N times, sent to recount M times, sent to you
 * K times". Pure: the caller hands in one line per bin (its first count).
 */
import { evaluate, type ToleranceOutcome } from './evaluate';
import { resolveRule, type ToleranceItemFacts } from './resolve';
import type { ToleranceRule, ToleranceRuleSet } from './rules';

export interface PreviewLine {
  item: ToleranceItemFacts;
  warehouse: string;
  book: number;
  /** Counted − written-off damage, as for `evaluate`. */
  counted: number;
}

export interface RulePreviewCounts {
  accept: number;
  recount: number;
  approve: number;
}

export interface RulePreview extends RulePreviewCounts {
  lines: number;
  /** Per deciding rule, sorted by id then version. */
  by_rule: ({ id: string; version: number } & RulePreviewCounts)[];
}

/**
 * `fallback` decides where no rule of the set matches (the built-in default unless given: the
 * server passes the rule its lines fall back on, e.g. the configured review thresholds).
 */
export function previewRules(
  ruleSet: Pick<ToleranceRuleSet, 'rules'> | readonly ToleranceRule[],
  lines: readonly PreviewLine[],
  fallback?: ToleranceRule,
): RulePreview {
  const total: RulePreviewCounts = { accept: 0, recount: 0, approve: 0 };
  const byRule = new Map<string, { id: string; version: number } & RulePreviewCounts>();
  for (const line of lines) {
    const rule = resolveRule(ruleSet, line.item, line.warehouse, fallback);
    const outcome: ToleranceOutcome = evaluate(rule, {
      book: line.book,
      counted: line.counted,
      unitCost: line.item.cost,
    }).action;
    const key = `${rule.id}\u0000${rule.version}`;
    let row = byRule.get(key);
    if (!row) {
      row = { id: rule.id, version: rule.version, accept: 0, recount: 0, approve: 0 };
      byRule.set(key, row);
    }
    row[outcome]++;
    total[outcome]++;
  }
  const by_rule = [...byRule.values()].sort((a, b) =>
    a.id < b.id ? -1 : a.id > b.id ? 1 : a.version - b.version,
  );
  return { lines: lines.length, ...total, by_rule };
}
