import { syncRecordSchema } from '@stockverify/shared';
import { AppError } from '../../lib/errors';
import type { ConflictRecord } from '../../ports/counting';
import type { Actor, RequestMeta } from '../audit/audit-log';
import { newBatch } from './batch-cache';
import type { Corrections } from './corrections';
import type { LineBuilder } from './line-builder';
import type { LineWrite } from './line-write';
import type { CountingDeps, RecordContext } from './record-context';

export type ConflictResolution = ReturnType<typeof createConflictResolution>;

/**
 * A supervisor's ruling on a kept conflict (design §5): accept it as a line, unfenced and flagged
 * for review, written for the counter who sent it; or discard it. Either is audited.
 */
export function createConflictResolution(
  deps: Pick<CountingDeps, 'store' | 'audit' | 'clock' | 'access'>,
  parts: { corrections: Corrections; builder: LineBuilder; lineWrite: LineWrite },
) {
  const { store, audit, clock, access } = deps;
  const { corrections, builder, lineWrite } = parts;

  /** Supervisor: accepts a conflict as a line (unfenced, flagged for review) or discards it. */
  async function resolveConflict(
    actor: Actor,
    meta: RequestMeta,
    id: string,
    action: 'accept' | 'discard',
    note: string | undefined,
  ) {
    const found = await store.conflicts.get(id);
    if (!found) throw new AppError(404, 'NOT_FOUND', `No conflict ${id}`);
    // A supervisor with a warehouse resolves only that warehouse's conflicts (issue #12).
    const of = found.session_id ? await store.sessions.get(found.session_id) : null;
    if (of) await access.assertWarehouse(actor, of.warehouse, 'params.id');
    if (found.status !== 'OPEN')
      throw new AppError(409, 'INVALID_TRANSITION', `The conflict is already ${found.status}`);
    const lineId = action === 'accept' ? await acceptAsLine(actor, meta, found) : null;
    const resolved = await store.conflicts.resolve(id, {
      status: action === 'accept' ? 'ACCEPTED' : 'DISCARDED',
      resolved_by: actor.id,
      resolved_at: clock().toISOString(),
      note: note ?? null,
      line_id: lineId,
    });
    if (!resolved)
      throw new AppError(409, 'INVALID_TRANSITION', 'The conflict was resolved meanwhile');
    await audit.record(
      actor,
      meta,
      `conflict.${action}`,
      { type: 'conflict', id },
      { op_id: found.op_id, code: found.code, line_id: lineId },
    );
    return resolved;
  }

  /** Writes the conflict's count record as a line of its counter; 409 when it cannot be one. */
  async function acceptAsLine(
    actor: Actor,
    meta: RequestMeta,
    found: ConflictRecord,
  ): Promise<string> {
    const parsed = syncRecordSchema.safeParse(found.record);
    if (!parsed.success || parsed.data.type !== 'count') {
      throw new AppError(
        409,
        'INVALID_TRANSITION',
        'Only count records can be accepted as lines; discard this one',
      );
    }
    const session = await store.sessions.get(parsed.data.session_id);
    if (!session || session.status === 'RECONCILED')
      throw new AppError(409, 'SESSION_CLOSED', 'The session is reconciled');
    const owner = await store.users.get(found.user_id);
    const ctx: RecordContext = {
      actor: owner ? { id: owner.id, username: owner.username, role: owner.role } : actor,
      meta,
      deviceId: found.device_id,
      prefix: '',
      batch: newBatch(false),
    };
    const item = await store.items.get(parsed.data.item_code);
    if (!item)
      throw new AppError(409, 'CONFLICT', `Cannot accept: no item ${parsed.data.item_code}`);
    // Accepting does not let a conflict erase another counter's line (issue #12).
    const notYours = await corrections.supersedeRefusal(ctx, parsed.data);
    if (notYours)
      throw new AppError(409, 'CONFLICT', `Cannot accept: ${notYours.message}`, notYours.details);
    const line = await builder.buildLine(ctx, parsed.data, session, item, null, true);
    const [outcome] = await store.lines.insertMany([line]);
    await lineWrite.settleWritten([outcome!]);
    const made = await lineWrite.lineOutcome({ ctx, record: parsed.data, session, item }, outcome!);
    if (!('line' in made))
      throw new AppError(409, 'CONFLICT', `Cannot accept: ${made.message}`, made.details);
    return made.line.id;
  }

  return { resolveConflict };
}
