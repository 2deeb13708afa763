/**
 * An item's movements after a watermark (`MovementRepo.list` with `item_code`, what expected at
 * count reads per item: the read model's drain, the adjustment package and reconcile, design §13)
 * are read through the item's index, never by walking the warehouse's movements in watermark
 * order and dropping the other items' — the plan SQLite picks on its own for `ORDER BY wm_key`
 * (measured: 2 ms an item at 8,000 movements, 0.1 ms through the item's index).
 */
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { queryPlan, recordPreparedStatements } from './query-plans.test-support';

const { prepared, open } = recordPreparedStatements('sv-movements-plan-');

describe('an item’s movements (SQLite)', () => {
  it('are searched through the item’s index, whatever else the query asks', async () => {
    const { store, file } = await open('plan.db');
    await store.movements.record(
      Array.from({ length: 200 }, (_, i) => ({
        item_code: `ITM-${i % 20}`,
        warehouse: 'WH-T',
        rack: null,
        quantity: -1,
        posted_at: new Date(Date.UTC(2026, 11, 6, 8, 0, i)).toISOString(),
        doc_type: 'X',
        doc_no: `D${i}`,
        watermark: String(1001 + i),
      })),
      { watermark: '1200', pulled_at: '2026-12-06T09:00:00.000Z' },
    );
    prepared.clear();
    const found = await store.movements.list({
      warehouse: 'WH-T',
      item_code: 'ITM-3',
      after: '1000',
      limit: 10_000,
    });
    expect(found.map((m) => m.watermark)).toEqual(
      Array.from({ length: 10 }, (_, k) => String(1004 + k * 20)),
    );
    const sql = [...prepared].find((s) => /FROM erp_movements/.test(s) && /item_code = @/.test(s));
    expect(sql).toBeDefined();
    const side = new Database(file, { readonly: true });
    const plan = queryPlan(side, sql!);
    expect(plan.join('\n'), sql).toMatch(
      /USING INDEX erp_movements_item \(warehouse=\? AND item_code=\?/,
    );
    side.close();
    await store.close();
  });
});
