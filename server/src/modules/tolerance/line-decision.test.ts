/**
 * The tolerance decision of a count line (issue #16 item 1, docs/design.md §12): the most specific
 * rule of the session's set decides (item > category > value band > … > everything), asymmetric
 * limits, value bands, the fallback where no rule matches, and the rule sets kept per version.
 */
import {
  DEFAULT_TOLERANCE_RULE,
  lineToleranceSchema,
  resolveRule,
  type ToleranceRule,
  type ToleranceRuleInput,
} from '@stockverify/shared';
import { describe, expect, it } from 'vitest';
import type { ToleranceVersionRecord } from '../../ports/tolerance';
import { fallbackRule, reviewReasons, toleranceReasons } from '../counting/review-rules';
import {
  createRuleSetCache,
  decideLine,
  indexRuleSet,
  NO_RULE_SET,
  ruleFor,
  type LineFacts,
} from './line-decision';

function rule(input: Partial<ToleranceRuleInput> & Pick<ToleranceRule, 'id' | 'scope'>) {
  return {
    version: 3,
    thresholds: { shortage: { units: 5 }, overage: { units: 5 } },
    on_exceed: 'approve',
    recount_phases: 2,
    ...input,
  } as ToleranceRule;
}

const ITEM_RULE = rule({
  id: 'itm-9',
  scope: { kind: 'item', item_code: 'ITM-9' },
  // Asymmetric: a shortage of 2 is too many, an overage of 10 is not.
  thresholds: { shortage: { units: 1 }, overage: { units: 10 } },
  on_exceed: 'recount',
});
const TOOLS_RULE = rule({
  id: 'tools',
  scope: { kind: 'category', category: 'Tools' },
  thresholds: { shortage: { percent: 10 }, overage: { value: 50 } },
  on_exceed: 'approve',
});
const DEAR_RULE = rule({
  id: 'dear',
  scope: { kind: 'value_band', min_cost: 100, max_cost: null },
  thresholds: { shortage: { value: 100 }, overage: { value: 100 } },
  on_exceed: 'recount',
});
const SET = indexRuleSet(7, [DEAR_RULE, TOOLS_RULE, ITEM_RULE]);

function facts(over: Partial<LineFacts> & { code?: string; category?: string | null }) {
  const { code = 'ITM-1', category = 'Tools', ...rest } = over;
  return {
    item: { item_code: code, category, cost: rest.unitCost ?? 2 },
    warehouse: 'WH1',
    book: 40,
    counted: 40,
    unitCost: 2,
    ...rest,
  };
}

describe('decideLine: the most specific rule of the session set decides', () => {
  it('an item rule wins over its category and value band, with asymmetric limits', () => {
    const short = decideLine(
      SET,
      facts({ code: 'ITM-9', counted: 38, unitCost: 250 }),
      DEFAULT_TOLERANCE_RULE,
    );
    expect(short).toEqual({
      rule_id: 'itm-9',
      rule_version: 3,
      rule_scope: 'item',
      rule_set_version: 7,
      within: false,
      exceeded_by: ['units'],
      action: 'recount',
      direction: 'shortage',
      thresholds: { units: 1 },
      allowance: { units: 1, percent: null, value: null },
    });
    expect(lineToleranceSchema.parse(short)).toEqual(short);
    // The same item 10 over is within: the overage side allows 10.
    const over = decideLine(
      SET,
      facts({ code: 'ITM-9', counted: 50, unitCost: 250 }),
      DEFAULT_TOLERANCE_RULE,
    );
    expect(over).toMatchObject({
      rule_id: 'itm-9',
      within: true,
      action: 'accept',
      direction: 'overage',
    });
  });

  it('a category rule (any case) wins over a value band; shortage in percent, overage in value', () => {
    const f = facts({ code: 'ITM-1', category: ' TOOLS ', unitCost: 250 });
    // 10 % of 40 = 4 short is within; 5 short is not.
    expect(decideLine(SET, { ...f, counted: 36 }, DEFAULT_TOLERANCE_RULE)).toMatchObject({
      rule_id: 'tools',
      rule_scope: 'category',
      within: true,
      action: 'accept',
    });
    expect(decideLine(SET, { ...f, counted: 35 }, DEFAULT_TOLERANCE_RULE)).toMatchObject({
      rule_id: 'tools',
      within: false,
      exceeded_by: ['percent'],
      action: 'approve',
      thresholds: { percent: 10 },
      allowance: { units: null, percent: 4, value: null },
    });
    // Over the book only the value limit applies: 50.00 at 250 a piece is 0.2 units.
    expect(decideLine(SET, { ...f, counted: 41 }, DEFAULT_TOLERANCE_RULE)).toMatchObject({
      within: false,
      exceeded_by: ['value'],
      direction: 'overage',
    });
  });

  it('a value band decides an item of no matching category by its snapshot cost', () => {
    const dear = facts({ code: 'ITM-2', category: 'Food', unitCost: 150, counted: 39 });
    expect(decideLine(SET, dear, DEFAULT_TOLERANCE_RULE)).toMatchObject({
      rule_id: 'dear',
      rule_scope: 'value_band',
      within: false,
      exceeded_by: ['value'],
      action: 'recount',
    });
    const cheap = facts({ code: 'ITM-2', category: 'Food', unitCost: 99.99, counted: 39 });
    expect(decideLine(SET, cheap, DEFAULT_TOLERANCE_RULE)).toMatchObject({
      rule_id: 'default',
      rule_scope: 'everything',
      within: true,
    });
  });

  it('no matching rule, an empty set and a session without a set fall back to the default', () => {
    const f = facts({ code: 'ITM-3', category: null, book: 10, counted: 200 });
    for (const set of [SET, indexRuleSet(1, []), NO_RULE_SET]) {
      expect(decideLine(set, f, DEFAULT_TOLERANCE_RULE)).toMatchObject({
        rule_id: 'default',
        rule_version: 1,
        rule_set_version: set.version,
        within: false,
        exceeded_by: ['units', 'percent'],
        action: 'recount',
      });
    }
    expect(NO_RULE_SET.version).toBeNull();
  });

  it('the fallback is the built-in default under the default review thresholds, else the configured ones', () => {
    expect(fallbackRule({ varianceQty: 100, variancePercent: 50, varianceValue: 1000 })).toBe(
      DEFAULT_TOLERANCE_RULE,
    );
    const configured = fallbackRule({ varianceQty: 3, variancePercent: 50, varianceValue: 1000 });
    expect(configured).toMatchObject({ id: 'default-config', on_exceed: 'recount' });
    const f = facts({ code: 'ITM-3', category: null, book: 10, counted: 14 });
    expect(decideLine(NO_RULE_SET, f, configured)).toMatchObject({
      rule_id: 'default-config',
      exceeded_by: ['units'],
    });
    expect(decideLine(NO_RULE_SET, f, DEFAULT_TOLERANCE_RULE)).toMatchObject({ within: true });
  });

  it('the index finds the same rule as resolveRule over the whole set', () => {
    const rules: ToleranceRule[] = [
      rule({ id: 'all', scope: { kind: 'everything' } }),
      rule({ id: 'wh1', scope: { kind: 'warehouse', warehouse: 'WH1' } }),
      rule({ id: 'abc-a', scope: { kind: 'abc_class', abc_class: 'A' } }),
      rule({ id: 'b0', scope: { kind: 'value_band', min_cost: 0, max_cost: 10 } }),
      rule({ id: 'b1', scope: { kind: 'value_band', min_cost: 5, max_cost: null } }),
      rule({ id: 'food', scope: { kind: 'category', category: 'food' } }),
      rule({ id: 'food-2', scope: { kind: 'category', category: 'FOOD ' } }),
      rule({ id: 'i1', scope: { kind: 'item', item_code: 'I-1' } }),
      rule({ id: 'i1b', version: 9, scope: { kind: 'item', item_code: 'I-1' } }),
    ];
    for (let n = 0; n < 400; n++) {
      const subset = rules.filter((_, i) => (n * 7919 + i * 31) % 3 !== 0);
      const set = indexRuleSet(2, subset);
      const item = {
        item_code: ['I-1', 'I-2'][n % 2]!,
        category: [null, 'Food', ' food', 'Tools'][n % 4]!,
        cost: [0, 4.5, 7, 12][(n >> 2) % 4]!,
        abc_class: [null, 'a', 'B'][n % 3]!,
      };
      const warehouse = ['WH1', 'WH2'][(n >> 3) % 2]!;
      expect(ruleFor(set, item, warehouse, DEFAULT_TOLERANCE_RULE)).toBe(
        resolveRule(subset, item, warehouse),
      );
    }
  });
});

describe('review reasons from the decision', () => {
  const decision = (over: Partial<ReturnType<typeof decideLine>>) => ({
    ...decideLine(NO_RULE_SET, facts({}), DEFAULT_TOLERANCE_RULE),
    ...over,
  });

  it('within tolerance adds none; exceeded adds the old codes, and RECOUNT_REQUIRED under recount', () => {
    expect(toleranceReasons(decision({ within: true }))).toEqual([]);
    expect(
      toleranceReasons(decision({ within: false, exceeded_by: ['percent'], action: 'approve' })),
    ).toEqual(['LARGE_VARIANCE']);
    expect(
      toleranceReasons(
        decision({ within: false, exceeded_by: ['units', 'value'], action: 'recount' }),
      ),
    ).toEqual(['LARGE_VARIANCE', 'HIGH_VALUE_VARIANCE', 'RECOUNT_REQUIRED']);
    expect(
      reviewReasons(
        { variance: -3, varianceReason: null, previousCountsBySameUser: 1 },
        decision({ within: false, exceeded_by: ['value'], action: 'approve' }),
      ),
    ).toEqual(['HIGH_VALUE_VARIANCE', 'MISSING_REASON', 'REPEATED_COUNT']);
  });
});

describe('rule sets kept per version', () => {
  function fakeStore(records: ToleranceVersionRecord[]) {
    const reads: number[] = [];
    return {
      reads,
      store: {
        tolerance: {
          async get(version: number) {
            reads.push(version);
            return records.find((r) => r.version === version) ?? null;
          },
          current: () => Promise.resolve(null),
          versions: () => Promise.resolve({ items: [], total: 0 }),
          append: () => Promise.resolve(false),
        },
      },
    };
  }
  const record = (version: number, rules: ToleranceRule[] = []): ToleranceVersionRecord => ({
    version,
    hash: '0'.repeat(16),
    taken_at: '2026-01-01T00:00:00.000Z',
    rules,
    change: 'create',
    rule_id: null,
    rule_version: null,
    changed_by: null,
    changed_by_name: null,
  });

  it('reads a version once, forgets the least recently used, never keeps a missing one', async () => {
    const { store, reads } = fakeStore([record(1), record(2, [TOOLS_RULE]), record(3)]);
    const cache = createRuleSetCache(store, 2);
    expect((await cache.ruleSet(2))?.rules).toEqual([TOOLS_RULE]);
    await Promise.all([cache.ruleSet(2), cache.ruleSet(2)]);
    expect(reads).toEqual([2]);
    await cache.ruleSet(1);
    await cache.ruleSet(2); // 2 is now the most recently used: 1 goes when 3 comes
    await cache.ruleSet(3);
    expect(cache.size()).toBe(2);
    await cache.ruleSet(2);
    await cache.ruleSet(1);
    expect(reads).toEqual([2, 1, 3, 1]);
    expect(await cache.ruleSet(9)).toBeNull();
    expect(await cache.ruleSet(9)).toBeNull();
    expect(reads.filter((v) => v === 9)).toHaveLength(2);
    expect(await cache.ruleSet(null)).toBe(NO_RULE_SET);
    expect(await cache.ruleSet(undefined)).toBe(NO_RULE_SET);
  });
});
