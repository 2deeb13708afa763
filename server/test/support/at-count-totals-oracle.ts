/**
 * The session detail's figures at count (`store.reports.sessionAtCount`, design §10: a row the
 * SQLite store keeps by triggers, an aggregate on MongoDB) recomputed from the session's item rows
 * at count (`store.readModel.atCount`): the exact items' variance at count, their values at the
 * snapshot's cost, each item's value rounded to the cent first, and the items by status.
 */
import { expect } from 'vitest';
import { roundMoney, roundQty, type SessionAtCount } from '@stockverify/shared';
import type { Store } from '../../src/ports/store';

export async function expectSessionAtCountExact(
  store: Store,
  sessionId: string,
  /** The snapshot's cost per item (an item outside the snapshot: none, valued at 0). */
  costs: ReadonlyMap<string, number>,
): Promise<void> {
  const items: SessionAtCount['items'] = { exact: 0, ambiguous: 0, unknown: 0, pending: 0 };
  let vacM = 0;
  let cents = 0;
  for (const item of await store.readModel.atCount(sessionId)) {
    items[item.status]++;
    if (item.status !== 'exact' || item.vac_m === null) continue;
    vacM += item.vac_m;
    cents += Math.round(roundMoney((item.vac_m / 1000) * (costs.get(item.item_code) ?? 0)) * 100);
  }
  expect(await store.reports.sessionAtCount(sessionId)).toEqual({
    variance_at_count: roundQty(vacM / 1000),
    value_at_count_cost: roundMoney(cents / 100),
    items,
  });
}
