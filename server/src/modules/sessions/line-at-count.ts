/**
 * Review at count (issue #17, docs/design.md §13 "Review at count"): beside each line of the
 * lines page, its item's figures at count from the session read model — the item level, as the
 * rule at count is. One read per page, of the page's items, never per line; none at all in a
 * session without an ERP watermark, whose lines all answer null (nothing to compare against).
 */
import { roundQty, type LineItemAtCount } from '@stockverify/shared';
import type { AtCountColumns, ReadModelRepo } from '../../ports/read-model';

const qty = (m: number | null): number | null => (m === null ? null : roundQty(m / 1000));

/** The model's columns as the page answers them: quantities, not thousandths. */
export function lineItemAtCount(c: AtCountColumns): LineItemAtCount {
  return {
    status: c.status,
    variance_at_count: qty(c.vac_m),
    variance_at_count_low: qty(c.vac_low_m),
    variance_at_count_high: qty(c.vac_high_m),
    provisional: c.provisional,
    within: c.within,
    action: c.action,
  };
}

/**
 * The page's items at count by item code (one batched read); an item without a model row, and
 * every item of a session without a watermark, is absent: its lines answer null.
 */
export async function itemsAtCount(
  readModel: Pick<ReadModelRepo, 'atCountOf'>,
  session: { id: string; erp_watermark?: string | null },
  itemCodes: readonly string[],
): Promise<Map<string, LineItemAtCount>> {
  if (!session.erp_watermark || itemCodes.length === 0) return new Map();
  const rows = await readModel.atCountOf(session.id, itemCodes);
  return new Map(rows.map((row) => [row.item_code, lineItemAtCount(row)]));
}
