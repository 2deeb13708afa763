import { randomUUID } from 'node:crypto';
import type { ErrorDetail, RecordResult, SyncRecord } from '@stockverify/shared';
import { CONFLICT_BUDGET } from '@stockverify/shared';
import type { ConflictRecord } from '../../ports/counting';
import { overBudget, type Budgets } from './budgets';
import type { OpAnswers } from './op-answers';
import type { CountingDeps, RecordContext } from './record-context';

/** Keeps a conflict for a supervisor (`keepConflict`). */
export type ConflictKeeper = ReturnType<typeof createConflictKeeper>;

/**
 * A record the server cannot take as sent is kept as a conflict for a supervisor (design §5), and
 * answered CONFLICT under its op_id, within the user's budget of open conflicts.
 */
export function createConflictKeeper(
  deps: Pick<CountingDeps, 'store' | 'audit' | 'events' | 'clock'>,
  budgets: Budgets,
  answers: OpAnswers,
) {
  const { store, audit, events, clock } = deps;

  /** Stores the conflict once per op_id, tells the audit log and live feed, answers CONFLICT. */
  async function keepConflict(
    ctx: RecordContext,
    record: SyncRecord,
    sessionId: string | null,
    rack: string | null,
    code: string,
    message: string,
    details: ErrorDetail[] = [],
  ): Promise<RecordResult> {
    const budget = sessionId === null ? null : await budgets.budgetUsed(ctx, 'conflict', sessionId);
    if (budget && budget.used >= CONFLICT_BUDGET)
      return overBudget(ctx.prefix, record.op_id, 'conflict');
    const id = randomUUID();
    const stored: ConflictRecord = await store.conflicts.insertIfAbsent({
      id,
      op_id: record.op_id,
      session_id: sessionId,
      rack,
      code,
      message,
      record: record as unknown as Record<string, unknown>,
      user_id: ctx.actor.id,
      username: ctx.actor.username,
      device_id: ctx.deviceId,
      created_at: clock().toISOString(),
      status: 'OPEN',
      resolved_by: null,
      resolved_at: null,
      note: null,
      line_id: null,
    });
    if (budget && stored.id === id) budgets.budgetSpent(ctx, budget);
    await audit.record(
      ctx.actor,
      ctx.meta,
      'sync.conflict',
      { type: 'conflict', id: stored.id },
      { op_id: record.op_id, code, session_id: sessionId, rack },
    );
    events.publish({
      type: 'conflict',
      action: code,
      session_id: sessionId,
      rack,
      user_id: ctx.actor.id,
      username: ctx.actor.username,
      data: { op_id: record.op_id, conflict_id: stored.id },
    });
    return answers.remember(ctx, {
      op_id: record.op_id,
      status: 'CONFLICT',
      code,
      message,
      details,
      line_id: null,
    });
  }

  return { keepConflict };
}
