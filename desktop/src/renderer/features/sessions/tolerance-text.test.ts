import type { LineTolerance } from '@stockverify/shared';
import { describe, expect, it } from 'vitest';
import { toleranceText } from './tolerance-text';

const decision: LineTolerance = {
  rule_id: 'tools',
  rule_version: 4,
  rule_scope: 'category',
  rule_set_version: 6,
  within: false,
  exceeded_by: ['units', 'value'],
  action: 'recount',
  direction: 'overage',
  thresholds: { units: 5, value: 50 },
  allowance: { units: 5, percent: null, value: 21.276 },
};

describe('the tolerance decision in the line drawer (issue #16)', () => {
  it('names the deciding rule, what it decided and the limits of the side that applied', () => {
    expect(toleranceText(decision)).toBe(
      'tools v4 (category rule; rule set v6) · outside on units, value → blind recount by another counter · overage limits: 5 units, 50.00 at cost',
    );
    expect(
      toleranceText({
        ...decision,
        rule_id: 'default',
        rule_version: 1,
        rule_scope: 'everything',
        rule_set_version: null,
        within: true,
        exceeded_by: [],
        action: 'accept',
        direction: 'shortage',
        thresholds: { percent: 50 },
      }),
    ).toBe(
      'default v1 (rule for everything; session without a rule set) · within tolerance: accepted · shortage limits: 50 % of book',
    );
    expect(
      toleranceText({
        ...decision,
        within: true,
        action: 'accept',
        direction: 'none',
        thresholds: {},
      }),
    ).toContain('counted as booked');
  });

  it('shows nothing for a line from before rule sets', () => {
    expect(toleranceText(null)).toBeNull();
    expect(toleranceText(undefined)).toBeNull();
  });
});
