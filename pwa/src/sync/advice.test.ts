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
});
