/**
 * The session read model recomputed from scratch (the oracle of read-model.contract.test.ts, for
 * other suites that write lines and change their statuses, e.g. bins settling): the store's own
 * variance and stats aggregations, the rack rule and the writers' rule over every line. A line
 * counts unless superseded, REJECTED or CANDIDATE (docs/design.md §10, §12).
 */
import { roundMoney, roundQty } from '@stockverify/shared';
import { expect } from 'vitest';
import type { CountLineRecord } from '../../src/ports/counting';
import type {
  ItemAtCount,
  RackFigures,
  SessionFigures,
  WriterFigures,
} from '../../src/ports/read-model';
import type { Store } from '../../src/ports/store';
import { computeAtCount } from '../../src/modules/movements/at-count-upkeep';
import { readCompleteUntil } from '../../src/modules/movements/expected.service';

const counts = (l: CountLineRecord) =>
  l.superseded_by === null && l.status !== 'REJECTED' && l.status !== 'CANDIDATE';

/** Every line of a session, superseded ones included. */
export async function allSessionLines(store: Store, sessionId: string): Promise<CountLineRecord[]> {
  const out: CountLineRecord[] = [];
  for (let page = 1; ; page++) {
    const { items } = await store.lines.list(sessionId, {
      page,
      page_size: 500,
      include_superseded: true,
    });
    out.push(...items);
    if (items.length < 500) return out;
  }
}

/** Lines written and overturned per counter, by the user_activity report's rule. */
function writersOf(sessionId: string, lines: readonly CountLineRecord[]): WriterFigures[] {
  const byOp = new Map(lines.map((l) => [l.op_id, l]));
  const out = new Map<string, WriterFigures>();
  for (const l of lines) {
    let w = out.get(l.counted_by);
    if (!w) {
      w = { session_id: sessionId, user_id: l.counted_by, written: 0, overturned: 0 };
      out.set(l.counted_by, w);
    }
    w.written += 1;
    const next = l.superseded_by === null ? undefined : byOp.get(l.superseded_by);
    const changed =
      next !== undefined &&
      (next.counted_qty !== l.counted_qty ||
        next.damaged_qty !== l.damaged_qty ||
        next.non_returnable_damaged_qty !== l.non_returnable_damaged_qty);
    if (l.status === 'REJECTED' || changed) w.overturned += 1;
  }
  return [...out.values()].sort((a, b) => (a.user_id < b.user_id ? -1 : 1));
}

/** The model recomputed from the lines. */
export async function recomputeReadModel(store: Store, sessionId: string) {
  const variances = await store.lines.variances(sessionId);
  const lines = await allSessionLines(store, sessionId);
  const waiting = (code: string) =>
    lines.filter(
      (l) => l.item_code === code && l.superseded_by === null && l.status === 'NEEDS_REVIEW',
    ).length;
  const items = variances.map(({ name: _n, category: _c, ...v }) => ({
    ...v,
    needs_review: waiting(v.item_code),
  }));
  const session: SessionFigures = {
    session_id: sessionId,
    lines: variances.reduce((n, v) => n + v.lines, 0),
    items_counted: variances.length,
    total_variance: roundQty(variances.reduce((n, v) => n + v.variance, 0)),
    variance_value_at_cost: roundMoney(variances.reduce((n, v) => n + v.value_at_cost, 0)),
    variance_value_at_price: roundMoney(variances.reduce((n, v) => n + v.value_at_price, 0)),
    abs_book: roundQty(variances.reduce((n, v) => n + Math.abs(v.book_qty), 0)),
    abs_variance: roundQty(variances.reduce((n, v) => n + Math.abs(v.variance), 0)),
  };
  const varianceOf = new Map(variances.map((v) => [v.item_code, v.variance]));
  const racks = new Map<string, RackFigures & { itemSet: Set<string> }>();
  for (const line of lines) {
    let r = racks.get(line.rack);
    if (!r) {
      r = {
        rack: line.rack,
        lines: 0,
        items: 0,
        variance_items: 0,
        last_activity_at: null,
        itemSet: new Set(),
      };
      racks.set(line.rack, r);
    }
    if (r.last_activity_at === null || line.received_at > r.last_activity_at)
      r.last_activity_at = line.received_at;
    if (!counts(line)) continue;
    r.lines += 1;
    r.itemSet.add(line.item_code);
  }
  const rackList = [...racks.values()]
    .map(({ itemSet, ...r }) => ({
      ...r,
      items: itemSet.size,
      variance_items: [...itemSet].filter((code) => (varianceOf.get(code) ?? 0) !== 0).length,
    }))
    .sort((a, b) => a.rack.localeCompare(b.rack));
  return {
    session,
    items,
    racks: rackList,
    counters: await store.lines.stats({ session_ids: [sessionId] }),
    writers: writersOf(sessionId, lines),
  };
}

/** The model as the store keeps it. */
export async function storedReadModel(store: Store, sessionId: string) {
  return {
    session: await store.readModel.session(sessionId),
    items: await store.readModel.items(sessionId),
    racks: await store.readModel.racks(sessionId),
    counters: await store.readModel.counters([sessionId]),
    writers: await store.readModel.writers([sessionId]),
  };
}

export async function expectReadModelExact(store: Store, sessionId: string): Promise<void> {
  expect(await storedReadModel(store, sessionId)).toEqual(
    await recomputeReadModel(store, sessionId),
  );
}

/**
 * Every counted item's at-count columns computed from scratch (docs/design.md §13), by the one
 * function the expected route answers with, with the feed's completeness as the drain reads it.
 */
export async function recomputeAtCount(store: Store, sessionId: string): Promise<ItemAtCount[]> {
  const session = await store.sessions.get(sessionId);
  if (!session) throw new Error(`no session ${sessionId}`);
  const completeUntil = await readCompleteUntil(store);
  const out: ItemAtCount[] = [];
  for (const { item_code } of await store.readModel.items(sessionId)) {
    out.push({ item_code, ...(await computeAtCount(store, session, item_code, completeUntil)) });
  }
  return out;
}

/**
 * The model's at-count columns: each item pending, or equal to the recomputation (`drained`: none
 * pending and all equal). Returns how many were pending.
 */
export async function expectAtCountExact(
  store: Store,
  sessionId: string,
  drained: boolean,
): Promise<number> {
  const stored = await store.readModel.atCount(sessionId);
  const fresh = await recomputeAtCount(store, sessionId);
  expect(stored.map((c) => c.item_code)).toEqual(fresh.map((c) => c.item_code));
  let pending = 0;
  stored.forEach((c, i) => {
    if (!drained && c.status === 'pending') pending++;
    else expect(c).toEqual(fresh[i]);
  });
  return pending;
}
