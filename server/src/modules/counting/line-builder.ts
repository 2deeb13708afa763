import { randomUUID } from 'node:crypto';
import type { CountRecord, CountSession, Item } from '@stockverify/shared';
import { computeVariance, normalizeSerial, varianceValue } from '@stockverify/shared';
import type { CountLineRecord } from '../../ports/counting';
import { binBook } from '../sessions/bin-book';
import { decideLine, NO_RULE_SET } from '../tolerance/line-decision';
import type { BatchReads } from './batch-cache';
import type { CountingDeps, RecordContext } from './record-context';
import { fallbackRule, reviewReasons } from './review-rules';

export type LineBuilder = ReturnType<typeof createLineBuilder>;

/**
 * The count line a record becomes (design §4): variance and values against the session's
 * book-quantity snapshot, the tolerance rule of the session's rule set that decides it (design
 * §12, stored on the line) and the review rules that send it to a supervisor.
 */
export function createLineBuilder(deps: Pick<CountingDeps, 'clock' | 'review'>, reads: BatchReads) {
  const { clock } = deps;
  /** Decides where no rule of the session's set does: the configured review thresholds. */
  const fallback = fallbackRule(deps.review);

  /** Builds the line for a count record; `claimId` null means a supervisor accepted it unfenced. */
  async function buildLine(
    ctx: RecordContext,
    record: CountRecord,
    session: CountSession,
    item: Item,
    claimId: string | null,
    acceptedConflict: boolean,
  ): Promise<CountLineRecord> {
    const snapshot = await reads.snapshotOf(ctx.batch, session.id, item.item_code);
    const book = snapshot?.book_qty ?? 0;
    const variance = computeVariance(record, book);
    const cost = snapshot?.cost ?? item.cost;
    const values = varianceValue(variance, {
      cost,
      price: snapshot?.price ?? item.price,
    });
    const previous = await reads.previousCounts(
      ctx.batch,
      session.id,
      ctx.actor.id,
      item.item_code,
      record,
    );
    // A session from before rule sets, or naming a version the store lacks: the fallback decides.
    const rules = (await reads.ruleSetOf(session)) ?? NO_RULE_SET;
    // The decision judges the bin (item in rack) against its own book where the snapshot knows
    // the item's racks; the line's variance stays item-level (docs/design.md §4 "A bin's book").
    const racks = snapshot
      ? await reads.snapshotRacksOf(ctx.batch, session.id, item.item_code)
      : null;
    const tolerance = decideLine(
      rules,
      {
        // The snapshot's category and cost, as for book (an item outside it: the master's).
        item: {
          item_code: item.item_code,
          category: snapshot ? snapshot.category : item.category,
          cost,
        },
        warehouse: session.warehouse,
        book: binBook(book, racks, record.rack),
        counted: record.counted_qty - record.non_returnable_damaged_qty,
        unitCost: cost,
      },
      fallback,
    );
    const reasons = reviewReasons(
      {
        variance,
        varianceReason: record.variance_reason ?? null,
        previousCountsBySameUser: previous,
      },
      tolerance,
    );
    if (acceptedConflict) reasons.push('ACCEPTED_CONFLICT');
    return {
      id: randomUUID(),
      op_id: record.op_id,
      session_id: session.id,
      rack: record.rack,
      item_code: item.item_code,
      barcode: record.barcode ?? null,
      counted_qty: record.counted_qty,
      damaged_qty: record.damaged_qty,
      non_returnable_damaged_qty: record.non_returnable_damaged_qty,
      serials: record.serials.map(normalizeSerial),
      batch_no: record.batch_no ?? null,
      mfg_date: record.mfg_date ?? null,
      expiry_date: record.expiry_date ?? null,
      condition: record.condition,
      variance_reason: record.variance_reason ?? null,
      variance_confirmed: record.variance_confirmed,
      remark: record.remark ?? null,
      photo_ids: record.photo_ids,
      supersedes: record.supersedes ?? null,
      superseded_by: null,
      book_qty: book,
      variance,
      value_at_cost: values.at_cost,
      value_at_price: values.at_price,
      status: reasons.length > 0 ? 'NEEDS_REVIEW' : 'PENDING',
      review_reasons: reasons,
      reviewed_by: null,
      reviewed_at: null,
      review_note: null,
      counted_by: ctx.actor.id,
      counted_by_name: ctx.actor.username,
      device_id: ctx.deviceId,
      claim_id: claimId,
      fencing_token: claimId ? (record.fencing_token ?? null) : null,
      counted_at: new Date(record.counted_at).toISOString(),
      received_at: clock().toISOString(),
      // A first count; the recounts module sets both from the task a line answers (design §12).
      phase: 0,
      recount_task_id: null,
      tolerance,
    };
  }

  return { buildLine };
}
