import type { RecordResult } from '@stockverify/shared';
import { CONFLICT_BUDGET, UNKNOWN_ITEM_BUDGET } from '@stockverify/shared';
import type { Store } from '../../ports/store';
import { at, recordError, type RecordContext } from './record-context';

/** What a budget limits: open conflicts or open unknown items of one user in one session. */
export type BudgetKind = 'conflict' | 'unknown';

/** How much of a budget is used, and the key the request's cache keeps it under. */
export interface BudgetUse {
  used: number;
  key: string;
}

export type Budgets = ReturnType<typeof createBudgets>;

/**
 * Per-user, per-session budgets of open conflicts and unknown items (issue #12: one staff user
 * flooded the supervisor's queue with 1,000 conflicts in 1.3 s).
 */
export function createBudgets(store: Store) {
  /** How much of the budget is used: read from the store once per request, then counted up. */
  async function budgetUsed(
    ctx: RecordContext,
    kind: BudgetKind,
    sessionId: string,
  ): Promise<BudgetUse> {
    const key = `${kind}|${sessionId}|${ctx.actor.id}`;
    let used = ctx.batch.budgets.get(key);
    if (used === undefined) {
      used =
        kind === 'conflict'
          ? await store.conflicts.countOpenByUser(sessionId, ctx.actor.id)
          : await store.unknownItems.countOpenByUser(sessionId, ctx.actor.id);
      ctx.batch.budgets.set(key, used);
    }
    return { used, key };
  }

  /** Counts one more stored against the budget for the rest of the request. */
  function budgetSpent(ctx: RecordContext, budget: BudgetUse): void {
    ctx.batch.budgets.set(budget.key, budget.used + 1);
  }

  return { budgetUsed, budgetSpent };
}

/** The ERROR for a record past its budget: nothing stored, the phone keeps it and shows it. */
export function overBudget(prefix: string, opId: string, kind: BudgetKind): RecordResult {
  const [code, max, what] =
    kind === 'conflict'
      ? ['CONFLICT_BUDGET_EXCEEDED', CONFLICT_BUDGET, 'open conflicts']
      : ['UNKNOWN_ITEM_BUDGET_EXCEEDED', UNKNOWN_ITEM_BUDGET, 'open unknown items'];
  return recordError(
    opId,
    code,
    `You have ${max} ${what} in this session; a supervisor must resolve some before more are kept`,
    [{ path: at(prefix, 'op_id'), message: `at most ${max} ${what} per user and session` }],
  );
}
