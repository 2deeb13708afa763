import { randomUUID } from 'node:crypto';
import type { CountSession, RecordResult, UnknownItemRecord } from '@stockverify/shared';
import { UNKNOWN_ITEM_BUDGET } from '@stockverify/shared';
import { overBudget, type Budgets } from './budgets';
import type { OpAnswers } from './op-answers';
import { rackRefusal, unknownQtyRefusal, type RecordChecks } from './record-checks';
import type { ConflictKeeper } from './record-conflicts';
import { at, recordError, type CountingDeps, type RecordContext } from './record-context';

export type UnknownItems = ReturnType<typeof createUnknownItems>;

/**
 * A barcode not in the item master (design §4 "Unknown items"): kept for a supervisor to map,
 * under the same claim, rack and quantity checks as a count line (issue #12 #7), within the
 * user's budget of open unknown items.
 */
export function createUnknownItems(
  deps: Pick<CountingDeps, 'store' | 'events' | 'clock'>,
  parts: {
    answers: OpAnswers;
    budgets: Budgets;
    checks: RecordChecks;
    conflicts: ConflictKeeper;
  },
) {
  const { store, events, clock } = deps;
  const { answers, budgets, checks, conflicts } = parts;

  /** Checks an unknown-item record, stores it once per op_id and announces it. */
  async function reportUnknownItem(
    ctx: RecordContext,
    record: UnknownItemRecord,
  ): Promise<RecordResult> {
    const session = await checks.openSessionOf(ctx, record);
    if (!('racks' in session)) return session;
    const refused =
      rackRefusal(ctx.prefix, session, record) ??
      unknownQtyRefusal(ctx.prefix, record) ??
      (await claimRefusal(ctx, record, session));
    if (refused) return refused;
    const budget = await budgets.budgetUsed(ctx, 'unknown', session.id);
    if (budget.used >= UNKNOWN_ITEM_BUDGET) return overBudget(ctx.prefix, record.op_id, 'unknown');
    const unknownId = randomUUID();
    const badPhoto = await checks.photoRefusal(ctx, record);
    if (badPhoto) return badPhoto;
    const stored = await store.unknownItems.insertIfAbsent({
      id: unknownId,
      op_id: record.op_id,
      session_id: session.id,
      rack: record.rack,
      barcode: record.barcode,
      description: record.description,
      counted_qty: record.counted_qty,
      photo_ids: record.photo_ids,
      remark: record.remark ?? null,
      counted_by: ctx.actor.id,
      counted_by_name: ctx.actor.username,
      counted_at: new Date(record.counted_at).toISOString(),
      received_at: clock().toISOString(),
      status: 'OPEN',
      mapped_item_code: null,
      resolved_by: null,
      resolved_at: null,
    });
    if (stored.id === unknownId) budgets.budgetSpent(ctx, budget);
    events.publish({
      type: 'unknown_item',
      action: 'reported',
      session_id: session.id,
      rack: record.rack,
      user_id: ctx.actor.id,
      username: ctx.actor.username,
      data: { barcode: record.barcode, id: stored.id },
    });
    return answers.remember(ctx, {
      op_id: record.op_id,
      status: 'OK',
      code: null,
      message: 'Unknown item recorded',
      details: [],
      line_id: stored.id,
    });
  }

  /**
   * The rack must be the reporter's, claimed now: a claim they held and lost is a CONFLICT kept
   * for the supervisor (LOCK_LOST), no claim at all an ERROR.
   */
  async function claimRefusal(
    ctx: RecordContext,
    record: UnknownItemRecord,
    session: CountSession,
  ): Promise<RecordResult | null> {
    const latest = await store.claims.latest(session.id, record.rack);
    if (latest && latest.user_id === ctx.actor.id && latest.status !== 'lost') return null;
    const claims = await store.claims.listBySession(session.id);
    const own = claims.filter((c) => c.rack === record.rack && c.user_id === ctx.actor.id);
    // A split part held beside the newest one holds the rack too (design §12 "Split claims").
    const open = (c: (typeof own)[number]) => c.status === 'active' || c.status === 'paused';
    if (latest?.split && own.some((c) => c.split && open(c) && c.token === latest.token)) {
      return null;
    }
    if (own.length > 0) {
      return conflicts.keepConflict(
        ctx,
        record,
        session.id,
        record.rack,
        'LOCK_LOST',
        `Your claim on rack ${record.rack} was released or taken over`,
      );
    }
    return recordError(
      record.op_id,
      'RACK_NOT_CLAIMED',
      `Claim rack ${record.rack} before reporting what is on it`,
      [{ path: at(ctx.prefix, 'rack'), message: 'not claimed by you' }],
    );
  }

  return { reportUnknownItem };
}
