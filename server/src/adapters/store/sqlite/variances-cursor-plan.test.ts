/**
 * A cursor page of the variances (issue #13) by |variance| or |value|: most items of a session share
 * the key 0 (no variance), so a cursor inside them is common — the middle page of bench:session's
 * 270 is one. The page is read by two seeks in the sort's index: the rest of the cursor's key from
 * its item code on, then the keys beyond. One condition for both let SQLite seek to the key only
 * and step over every item of that key before the cursor (16 ms for page 135 alone at 250,000
 * lines, page 1 7 ms). Checked here: the plan seeks the key and the item code together, and the
 * pages walked by cursor are the sorted list, ties included, under every key sort.
 */
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import type { VarianceSort } from '@stockverify/shared';
import type { VarianceCursor } from '../../../ports/variances';
import { makeLine, makeSession, makeSnapshotRow } from '../../../../test/support/counting-records';
import { queryPlan, recordPreparedStatements } from './query-plans.test-support';

const { prepared, open } = recordPreparedStatements('sv-variances-cursor-');
const SESSION = 'S-CURSOR';
const ITEMS = 60;
const codes = Array.from({ length: ITEMS }, (_, i) => `ITM-${String(i).padStart(3, '0')}`);

describe('a cursor page of the variances (SQLite)', () => {
  it('seeks the cursor’s key and item code together, and walks every item once in order', async () => {
    const { store, file } = await open('cursor.db');
    await store.sessions.create(
      makeSession(SESSION, { racks: ['A-01'], snapshot_items: ITEMS }),
      codes.map((code) => makeSnapshotRow(SESSION, code, { book_qty: 10, cost: 2, price: 4 })),
    );
    // Two in three items exactly on their book (key 0); the others off by 1, 2 or 3, both ways.
    await store.lines.insertMany(
      codes.map((code, i) => {
        const off = i % 3 === 0 ? 0 : ((i % 4) + 1) * (i % 2 ? 1 : -1);
        const counted = 10 + (i % 3 === 0 ? 0 : off);
        return makeLine(`op-${code}`, {
          id: `line-${code}`,
          session_id: SESSION,
          rack: 'A-01',
          item_code: code,
          counted_qty: i % 3 === 1 ? 10 : counted,
          book_qty: 10,
          variance: (i % 3 === 1 ? 10 : counted) - 10,
          value_at_cost: ((i % 3 === 1 ? 10 : counted) - 10) * 2,
          value_at_price: ((i % 3 === 1 ? 10 : counted) - 10) * 4,
        });
      }),
    );
    const sorts: VarianceSort[] = ['-abs_variance', 'abs_variance', '-abs_value', 'abs_value'];
    for (const sort of sorts) {
      const all = await store.variances.page(SESSION, { sort, page: 1, page_size: ITEMS });
      const walked: string[] = [];
      let after: VarianceCursor | undefined;
      for (let n = 0; n < ITEMS; n++) {
        const page = await store.variances.page(SESSION, { sort, page: 1, page_size: 7, after });
        walked.push(...page.items.map((v) => v.item_code));
        if (!page.next) break;
        after = page.next;
      }
      expect(walked, sort).toEqual(all.items.map((v) => v.item_code));
      // Ties: most items share |variance| 0, in item-code order.
      expect(new Set(walked).size).toBe(ITEMS);
    }
    const side = new Database(file, { readonly: true });
    const cursorPages = [...prepared].filter(
      (sql) =>
        /FROM rm_items r INDEXED BY rm_items_abs_variance/.test(sql) && /@after_code/.test(sql),
    );
    expect(cursorPages.length).toBeGreaterThan(0);
    for (const sql of cursorPages) {
      expect(queryPlan(side, sql).join('\n'), sql).toMatch(
        /USING INDEX rm_items_abs_variance \(session_id=\? AND <expr>=\? AND item_code>\?\)/,
      );
    }
    side.close();
    await store.close();
  });
});
