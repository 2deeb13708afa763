import type { CountSession, RecordResult, SyncRecord } from '@stockverify/shared';
import { issuesToDetails, syncRecordSchema } from '@stockverify/shared';
import type { Actor } from '../audit/audit-log';
import type { BatchReads } from './batch-cache';
import { at, recordError, type CountingDeps, type RecordContext } from './record-context';

export const SAVED_MESSAGE = 'Saved';
export const REVIEW_MESSAGE = 'Saved; a supervisor will review it';

export type OpAnswers = ReturnType<typeof createOpAnswers>;

/**
 * Each op_id is answered once (design §5): OK and CONFLICT answers are stored by op_id and given
 * again on a replay, shown as the blind rule allows today; every answer is counted once.
 */
export function createOpAnswers(
  deps: Pick<CountingDeps, 'store' | 'clock' | 'access' | 'metrics'>,
  reads: BatchReads,
) {
  const { store, clock, access, metrics } = deps;

  /** Every answer goes through here once, for the sync-records counter. */
  function counted(result: RecordResult): RecordResult {
    metrics?.syncRecords.inc({ status: result.status, code: result.code ?? 'none' });
    return result;
  }

  /** Hides the variance from staff in blind sessions (design §4). */
  async function visible(
    result: RecordResult,
    session: CountSession | null,
    actor: Actor,
  ): Promise<RecordResult> {
    if (!session || (await access.showsBook(actor, session.warehouse))) return result;
    // Where the counter may not see book quantities, the answer is the same whatever was counted:
    // no variance, and no hint that the line went to review (the supervisor still sees it).
    const { variance: _hidden, ...rest } = result;
    return rest.status === 'OK' && rest.message === REVIEW_MESSAGE
      ? { ...rest, message: SAVED_MESSAGE }
      : rest;
  }

  /** Stores the answer for its op_id (or defers it to the batch's one write); the first stands. */
  async function remember(ctx: RecordContext, result: RecordResult): Promise<RecordResult> {
    const entry = {
      op_id: result.op_id,
      user_id: ctx.actor.id,
      result,
      created_at: clock().toISOString(),
    };
    if (ctx.batch.deferred) {
      ctx.batch.deferred.push(entry);
      return result;
    }
    return (await store.results.putIfAbsent(entry)).result;
  }

  /** Parses a record and answers it at once if its op_id was already answered. */
  async function admit(ctx: RecordContext, raw: unknown): Promise<RecordResult | SyncRecord> {
    const opId =
      typeof (raw as { op_id?: unknown })?.op_id === 'string'
        ? (raw as { op_id: string }).op_id
        : '';
    const parsed = syncRecordSchema.safeParse(raw);
    if (!parsed.success) {
      return recordError(
        opId,
        'VALIDATION_FAILED',
        'The record is not valid',
        issuesToDetails(parsed.error.issues, ctx.prefix),
      );
    }
    const record = parsed.data;
    const previous = await store.results.get(record.op_id);
    if (!previous) return record;
    if (previous.user_id !== ctx.actor.id) {
      return recordError(
        record.op_id,
        'VALIDATION_FAILED',
        'This op_id was already used by another user',
        [{ path: at(ctx.prefix, 'op_id'), message: 'already used' }],
      );
    }
    const session =
      'session_id' in record ? await reads.sessionOf(ctx.batch, record.session_id) : null;
    return visible(previous.result, session, ctx.actor);
  }

  return { counted, visible, remember, admit };
}
