import { randomUUID } from 'node:crypto';
import type { CountRecord, CountSession, Item } from '@stockverify/shared';
import { computeVariance, normalizeSerial, varianceValue } from '@stockverify/shared';
import type { CountLineRecord } from '../../ports/counting';
import type { BatchReads } from './batch-cache';
import type { CountingDeps, RecordContext } from './record-context';
import { reviewReasons } from './review-rules';

export type LineBuilder = ReturnType<typeof createLineBuilder>;

/**
 * The count line a record becomes (design §4): variance and values against the session's
 * book-quantity snapshot, and the review rules that send it to a supervisor.
 */
export function createLineBuilder(deps: Pick<CountingDeps, 'clock' | 'review'>, reads: BatchReads) {
  const { clock, review } = deps;

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
    const values = varianceValue(variance, {
      cost: snapshot?.cost ?? item.cost,
      price: snapshot?.price ?? item.price,
    });
    const previous = await reads.previousCounts(
      ctx.batch,
      session.id,
      ctx.actor.id,
      item.item_code,
      record,
    );
    const reasons = reviewReasons(
      {
        variance,
        bookQty: book,
        valueAtCost: values.at_cost,
        varianceReason: record.variance_reason ?? null,
        previousCountsBySameUser: previous,
      },
      review,
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
      fencing_token: claimId ? record.fencing_token : null,
      counted_at: new Date(record.counted_at).toISOString(),
      received_at: clock().toISOString(),
    };
  }

  return { buildLine };
}
