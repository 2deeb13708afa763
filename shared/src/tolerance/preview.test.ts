import { describe, expect, it } from 'vitest';
import { previewRules } from './preview';
import { symmetricThresholds, toleranceRuleSchema } from './rules';

const rules = [
  toleranceRuleSchema.parse({
    id: 'all',
    version: 2,
    scope: { kind: 'everything' },
    thresholds: symmetricThresholds({ units: 5 }),
    on_exceed: 'recount',
  }),
  toleranceRuleSchema.parse({
    id: 'dear',
    version: 1,
    scope: { kind: 'value_band', min_cost: 100, max_cost: null },
    thresholds: symmetricThresholds({ value: 500 }),
    on_exceed: 'approve',
  }),
];
const line = (item_code: string, cost: number, book: number, counted: number) => ({
  item: { item_code, cost, category: null },
  warehouse: 'WH1',
  book,
  counted,
});

describe('previewRules: what a rule set would have done with a session (design §12)', () => {
  it('counts accept / recount / approve overall and per deciding rule', () => {
    const p = previewRules(rules, [
      line('A', 1, 10, 12), // all: within 5 → accept
      line('B', 1, 10, 20), // all: 10 > 5 → recount
      line('C', 150, 10, 13), // dear: 3 × 150 = 450 ≤ 500 → accept
      line('D', 150, 10, 14), // dear: 600 > 500 → approve
      line('E', 150, 10, 10), // dear: exact → accept
    ]);
    expect(p).toEqual({
      lines: 5,
      accept: 3,
      recount: 1,
      approve: 1,
      by_rule: [
        { id: 'all', version: 2, accept: 1, recount: 1, approve: 0 },
        { id: 'dear', version: 1, accept: 2, recount: 0, approve: 1 },
      ],
    });
  });
  it('an empty session previews to zeros', () => {
    expect(previewRules(rules, [])).toEqual({
      lines: 0,
      accept: 0,
      recount: 0,
      approve: 0,
      by_rule: [],
    });
  });
});
