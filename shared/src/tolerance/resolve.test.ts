import { describe, expect, it } from 'vitest';
import { resolveRule } from './resolve';
import {
  DEFAULT_TOLERANCE_RULE,
  makeRuleSet,
  symmetricThresholds,
  toleranceRuleSchema,
  type ToleranceRule,
  type ToleranceScope,
} from './rules';

function rule(id: string, scope: ToleranceScope, version = 1): ToleranceRule {
  return toleranceRuleSchema.parse({
    id,
    version,
    scope,
    thresholds: symmetricThresholds({ units: 1 }),
    on_exceed: 'recount',
  });
}

// design §12, "Worked examples — which rule applies".
const RULES = [
  rule('all', { kind: 'everything' }),
  rule('wh1', { kind: 'warehouse', warehouse: 'WH1' }),
  rule('abc-a', { kind: 'abc_class', abc_class: 'A' }),
  rule('band-100-up', { kind: 'value_band', min_cost: 100, max_cost: null }),
  rule('band-100-500', { kind: 'value_band', min_cost: 100, max_cost: 500 }),
  rule('band-0-10', { kind: 'value_band', min_cost: 0, max_cost: 10 }),
  rule('tools', { kind: 'category', category: 'Tools' }),
  rule('itm-9', { kind: 'item', item_code: 'ITM-9' }),
];
const SET = makeRuleSet(RULES, 1, '2026-12-06T08:00:00Z');
const item = (
  item_code: string,
  category: string | null,
  cost: number,
  abc_class: string | null = null,
) => ({ item_code, category, cost, abc_class });

describe('resolveRule: the most specific scope wins (design §12)', () => {
  it('item beats everything else', () => {
    expect(resolveRule(SET, item('ITM-9', 'Tools', 250, 'A'), 'WH1').id).toBe('itm-9');
  });
  it('category beats value band, ABC class and warehouse (case-insensitive)', () => {
    expect(resolveRule(SET, item('ITM-1', 'TOOLS', 250, 'A'), 'WH1').id).toBe('tools');
  });
  it('value band beats ABC class; of two bands the narrower wins', () => {
    expect(resolveRule(SET, item('ITM-2', 'Food', 250, 'A'), 'WH1').id).toBe('band-100-500');
    expect(resolveRule(SET, item('ITM-2', 'Food', 500, 'A'), 'WH1').id).toBe('band-100-up');
  });
  it('a band is [min, max): 10.00 is not in [0, 10), 9.999999 is', () => {
    expect(resolveRule(SET, item('ITM-3', null, 10), 'WH2').id).toBe('all');
    expect(resolveRule(SET, item('ITM-3', null, 9.999999), 'WH2').id).toBe('band-0-10');
  });
  it('ABC class beats warehouse (the class is matched case-insensitively)', () => {
    expect(resolveRule(SET, item('ITM-3', 'Food', 50, 'a'), 'WH1').id).toBe('abc-a');
  });
  it('warehouse beats everything; elsewhere everything applies', () => {
    expect(resolveRule(SET, item('ITM-4', 'Food', 50), 'WH1').id).toBe('wh1');
    expect(resolveRule(SET, item('ITM-4', 'Food', 50), 'WH2').id).toBe('all');
  });
  it('with no matching rule, the built-in default', () => {
    expect(resolveRule([], item('ITM-4', null, 1), 'WH1')).toBe(DEFAULT_TOLERANCE_RULE);
    expect(resolveRule([RULES[1]!], item('ITM-4', null, 1), 'WH2')).toBe(DEFAULT_TOLERANCE_RULE);
  });
  it('ties in one scope go to the lower id, then the higher version', () => {
    const twins = [
      rule('cat-b', { kind: 'category', category: 'Tools' }),
      rule('cat-a', { kind: 'category', category: 'Tools' }, 1),
      rule('cat-a', { kind: 'category', category: 'Tools' }, 2),
    ];
    const chosen = resolveRule(twins, item('X', 'Tools', 1), 'WH1');
    expect([chosen.id, chosen.version]).toEqual(['cat-a', 2]);
  });
  it('does not depend on the order of the rules', () => {
    const facts = [
      item('ITM-9', 'Tools', 250, 'A'),
      item('ITM-2', 'Food', 250, 'A'),
      item('ITM-2', 'Food', 500),
      item('ITM-3', null, 5, 'A'),
      item('ITM-4', 'Food', 50),
    ];
    const reversed = [...RULES].reverse();
    const rotated = [...RULES.slice(3), ...RULES.slice(0, 3)];
    for (const f of facts) {
      for (const wh of ['WH1', 'WH2']) {
        const id = resolveRule(RULES, f, wh).id;
        expect(resolveRule(reversed, f, wh).id).toBe(id);
        expect(resolveRule(rotated, f, wh).id).toBe(id);
      }
    }
  });
});
