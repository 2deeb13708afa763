import { describe, expect, it } from 'vitest';
import { adviceFor } from './advice';

describe('adviceFor', () => {
  it('explains the per-user budgets of the server (issue #12): kept on the phone, see a supervisor', () => {
    for (const code of ['CONFLICT_BUDGET_EXCEEDED', 'UNKNOWN_ITEM_BUDGET_EXCEEDED']) {
      const advice = adviceFor(code, 'error');
      expect(advice).toMatch(/stays on this phone/);
      expect(advice).not.toBe(adviceFor(null, 'error'));
    }
  });

  it('explains a refused recount (issue #16): what happened and what to do, not the generic line', () => {
    expect(adviceFor('RECOUNT_NOT_ELIGIBLE', 'error')).toMatch(/already counted this item/);
    expect(adviceFor('RECOUNT_TASK_UNKNOWN', 'error')).toMatch(/no longer open/);
    for (const code of ['RECOUNT_NOT_ELIGIBLE', 'RECOUNT_TASK_UNKNOWN']) {
      expect(adviceFor(code, 'error')).toMatch(/stays on this phone/);
    }
  });
});
