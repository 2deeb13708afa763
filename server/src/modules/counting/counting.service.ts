import type { CountRecord, RecordResult, SyncRecord } from '@stockverify/shared';
import type { Actor, RequestMeta } from '../audit/audit-log';
import { createBatchReads, newBatch } from './batch-cache';
import { createBudgets } from './budgets';
import { createConflictResolution } from './conflict-resolution';
import { createCorrections } from './corrections';
import { createLineBuilder } from './line-builder';
import { createLineWrite } from './line-write';
import { createOpAnswers } from './op-answers';
import { createRackCompletion } from './rack-completion';
import { createRecordChecks } from './record-checks';
import { createConflictKeeper } from './record-conflicts';
import { recordError, type CountingDeps, type RecordContext } from './record-context';
import { createSyncBatch } from './sync-batch';
import { createTaskAnswers } from './task-answers';
import { createUnknownItems } from './unknown-items';

export { batchHash } from './sync-batch';
export type { CountingDeps } from './record-context';

export type CountingService = ReturnType<typeof createCountingService>;

/**
 * The one code path for count lines (design §4–§5): online `count-lines` and `sync/batch` both
 * call `processRecord`. OK and CONFLICT answers are stored by op_id and returned again on any
 * replay; conflicts are kept for a supervisor; ERRORs change nothing and are re-evaluated when the
 * phone sends the record again.
 *
 * This file wires the parts, each in a file of its own: the request's cache (batch-cache.ts), the
 * answers per op_id (op-answers.ts), the checks of one record (record-checks.ts), budgets and kept
 * conflicts (budgets.ts, record-conflicts.ts), the line write path (line-builder.ts,
 * line-write.ts), corrections, unknown items and rack completion, the sync batch (sync-batch.ts)
 * and a supervisor's ruling on a conflict (conflict-resolution.ts).
 */
export function createCountingService(deps: CountingDeps) {
  const reads = createBatchReads(deps.store);
  const answers = createOpAnswers(deps, reads);
  const budgets = createBudgets(deps.store);
  const conflicts = createConflictKeeper(deps, budgets, answers);
  const checks = createRecordChecks(deps, reads, conflicts);
  const corrections = createCorrections(deps, answers);
  const builder = createLineBuilder(deps, reads);
  const lineWrite = createLineWrite(deps, {
    reads,
    answers,
    conflicts,
    checks,
    corrections,
    builder,
    tasks: createTaskAnswers(deps),
  });
  const unknownItems = createUnknownItems(deps, { answers, budgets, checks, conflicts });
  const racks = createRackCompletion(deps, { answers, checks });

  /** Unknown items, rack completion and master-data corrections. */
  async function processOther(
    ctx: RecordContext,
    record: Exclude<SyncRecord, CountRecord>,
  ): Promise<RecordResult> {
    switch (record.type) {
      case 'unknown_item':
        return unknownItems.reportUnknownItem(ctx, record);
      case 'rack_complete':
        return racks.completeRack(ctx, record);
      case 'correction':
        return corrections.proposeCorrection(ctx, record);
    }
  }

  async function processRecord(ctx: RecordContext, raw: unknown): Promise<RecordResult> {
    const admitted = await answers.admit(ctx, raw);
    if (!('type' in admitted)) return admitted;
    return admitted.type === 'count'
      ? lineWrite.writeCount(ctx, admitted)
      : processOther(ctx, admitted);
  }

  const { syncBatch } = createSyncBatch(deps, { answers, lineWrite, processOther });
  const { resolveConflict } = createConflictResolution(deps, { corrections, builder, lineWrite });

  return {
    /** One count record online (`POST /sessions/:id/count-lines`). */
    async countOnline(
      actor: Actor,
      meta: RequestMeta,
      sessionId: string,
      body: unknown,
      deviceId: string | null,
    ): Promise<RecordResult> {
      const record = (body ?? {}) as Record<string, unknown>;
      if (record['type'] === undefined) record['type'] = 'count';
      if (record['session_id'] !== undefined && record['session_id'] !== sessionId) {
        return recordError(
          String(record['op_id'] ?? ''),
          'VALIDATION_FAILED',
          'session_id differs from the URL',
          [{ path: 'session_id', message: 'must match the session in the URL' }],
        );
      }
      record['session_id'] = sessionId;
      if (record['type'] !== 'count') {
        return recordError(
          String(record['op_id'] ?? ''),
          'VALIDATION_FAILED',
          'Only count records are taken here',
          [{ path: 'type', message: 'must be "count"' }],
        );
      }
      return answers.counted(
        await processRecord({ actor, meta, deviceId, prefix: '', batch: newBatch(false) }, record),
      );
    },

    /**
     * A sync batch with Idempotency-Key semantics: a finished key with the same body returns the
     * stored results; with another body 422; while in flight 409. Records run in order.
     */
    syncBatch,

    /** Supervisor: accepts a conflict as a line (unfenced, flagged for review) or discards it. */
    resolveConflict,
  };
}
