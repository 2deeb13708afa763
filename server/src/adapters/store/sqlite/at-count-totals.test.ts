/**
 * A session's figures at count kept in the read model (rm_at_count_totals, at-count-totals.ts;
 * docs/design.md §10): the session detail reads one row, not every rm_items row of the session;
 * after any history of item changes through the store's real paths (line writes, corrections,
 * reviews that delete an item's row, the drain's putAtCount with each status, markAtCount,
 * markProvisional, rebuild) the row equals the from-scratch aggregate over the items; migration
 * 27 builds it for the items already there.
 */
import fc from 'fast-check';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import {
  computeVariance,
  roundMoney,
  roundQty,
  varianceValue,
  type LineStatus,
  type SessionAtCount,
} from '@stockverify/shared';
import type { CountLineRecord } from '../../../ports/counting';
import type { AtCountColumns } from '../../../ports/read-model';
import { atCountOf } from '../../../ports/read-model';
import type { Store } from '../../../ports/store';
import { makeLine, makeSession, makeSnapshotRow } from '../../../../test/support/counting-records';
import { openDatabase, type Db } from './database';
import { migrate, migrations } from './migrations';
import { queryPlan, recordPreparedStatements } from './query-plans.test-support';
import { registerReportFunctions } from './reports';
import { SESSION_AT_COUNT_FROM_ITEMS_SQL, SESSION_AT_COUNT_SQL } from './reports-sql';

const RACKS = ['A-01', 'A-02'] as const;
/** OFF-4 is outside the snapshot (no cost). */
const ITEMS = ['ITM-1', 'ITM-2', 'KG-3', 'OFF-4'] as const;
const T0 = Date.parse('2025-03-01T00:00:00.000Z');

const snapshotOf = (sessionId: string) => [
  makeSnapshotRow(sessionId, 'ITM-1', { book_qty: 10, cost: 2.35, price: 3.99 }),
  makeSnapshotRow(sessionId, 'ITM-2', { book_qty: 0, cost: 0.1, price: 0.7 }),
  makeSnapshotRow(sessionId, 'KG-3', { book_qty: 2.5, cost: 1.005, price: 4.015 }),
];

interface ScratchRow {
  variance_at_count: number | null;
  value_at_count_cost: number | null;
  at_exact: number | null;
  at_ambiguous: number | null;
  at_unknown: number | null;
  at_pending: number | null;
}

/** The session detail's answer computed from every item row, as sessionAtCount answered before. */
function fromScratch(db: Db, sessionId: string): SessionAtCount {
  const row = db.prepare(SESSION_AT_COUNT_FROM_ITEMS_SQL).get({ session: sessionId }) as ScratchRow;
  return {
    variance_at_count: roundQty(row.variance_at_count ?? 0),
    value_at_count_cost: roundMoney(row.value_at_count_cost ?? 0),
    items: {
      exact: row.at_exact ?? 0,
      ambiguous: row.at_ambiguous ?? 0,
      unknown: row.at_unknown ?? 0,
      pending: row.at_pending ?? 0,
    },
  };
}

interface TotalsRow {
  vac_m: number;
  value_c: number;
  exact: number;
  ambiguous: number;
  unknown: number;
  pending: number;
}

/** The kept row as the same answer (no row: every figure zero). */
function kept(db: Db, sessionId: string): SessionAtCount {
  const row = db.prepare('SELECT * FROM rm_at_count_totals WHERE session_id = ?').get(sessionId) as
    TotalsRow | undefined;
  // Integers, always: a float here would drift over many += and −=.
  for (const v of Object.values(row ?? {}).slice(1)) expect(Number.isInteger(v)).toBe(true);
  return {
    variance_at_count: (row?.vac_m ?? 0) / 1000,
    value_at_count_cost: (row?.value_c ?? 0) / 100,
    items: {
      exact: row?.exact ?? 0,
      ambiguous: row?.ambiguous ?? 0,
      unknown: row?.unknown ?? 0,
      pending: row?.pending ?? 0,
    },
  };
}

type Step =
  | { kind: 'write'; lines: Array<{ item: number; rack: number; counted: number; user: number }> }
  | { kind: 'correct'; pick: number; counted: number }
  | { kind: 'review'; pick: number; status: LineStatus }
  | { kind: 'drain'; columns: AtCountColumns[] }
  | { kind: 'mark'; items: number[] }
  | { kind: 'provisional'; minute: number | null }
  | { kind: 'rebuild' }
  /**
   * Another writer of rm_items (none of the store's paths turns an exact item into another exact
   * one or changes a cost: the triggers must not depend on that).
   */
  | {
      kind: 'raw';
      /** Each change sets only the columns given (undefined: left as it is). */
      changes: Array<{ item: number; status?: string; vac?: number | null; cost?: number }>;
    };

const qty = fc.oneof(
  fc.integer({ min: 0, max: 30 }),
  fc.integer({ min: 0, max: 30_000 }).map((m) => m / 1000),
);

const columnsArb: fc.Arbitrary<AtCountColumns> = fc
  .record({
    status: fc.constantFrom('exact', 'ambiguous', 'unknown', 'pending'),
    vac: fc.oneof(fc.constant(0), fc.integer({ min: -40_000, max: 40_000 })),
    spread: fc.nat({ max: 3000 }),
    provisional: fc.boolean(),
    final: fc.option(fc.nat({ max: 2 * 1440 }), { nil: null }),
  })
  .map(({ status, vac, spread, provisional, final }): AtCountColumns => {
    if (status === 'unknown' || status === 'pending') return atCountOf(status);
    const final_at = final === null ? null : new Date(T0 + final * 60_000).toISOString();
    return {
      status,
      expected_m: status === 'exact' ? 10_000 - vac : null,
      vac_m: status === 'exact' ? vac : null,
      vac_low_m: vac - spread,
      vac_high_m: vac + spread,
      provisional,
      hints: [],
      final_at,
      within: status === 'exact' ? vac === 0 : null,
      action: null,
    };
  });

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('write' as const),
      lines: fc.array(
        fc.record({
          item: fc.nat({ max: ITEMS.length - 1 }),
          rack: fc.nat({ max: RACKS.length - 1 }),
          counted: qty,
          user: fc.nat({ max: 1 }),
        }),
        { minLength: 1, maxLength: 3 },
      ),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant('correct' as const), pick: fc.nat(), counted: qty }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('review' as const),
      pick: fc.nat(),
      status: fc.constantFrom<LineStatus>('APPROVED', 'REJECTED', 'NEEDS_REVIEW'),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('drain' as const),
      columns: fc.array(columnsArb, { minLength: 1, maxLength: 4 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('mark' as const),
      items: fc.uniqueArray(fc.nat({ max: ITEMS.length - 1 }), { minLength: 1 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('provisional' as const),
      minute: fc.option(fc.nat({ max: 2 * 1440 }), { nil: null }),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ kind: 'rebuild' as const }) },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('raw' as const),
      changes: fc.array(
        fc.record(
          {
            item: fc.nat({ max: ITEMS.length - 1 }),
            status: fc.constantFrom('exact', 'exact', 'exact', 'ambiguous', 'unknown', 'pending'),
            vac: fc.option(fc.integer({ min: -40_000, max: 40_000 }), { nil: null, freq: 6 }),
            cost: fc.constantFrom(0, 0.1, 1.005, 2.35, 19.99),
          },
          { requiredKeys: ['item'] },
        ),
        { minLength: 1, maxLength: 4 },
      ),
    }),
  },
);

function lineFor(
  sessionId: string,
  opId: string,
  l: { item: string; rack: string; counted: number; user: number; supersedes?: string },
): CountLineRecord {
  const snap = snapshotOf(sessionId).find((s) => s.item_code === l.item);
  const book = snap?.book_qty ?? 0;
  const q = { counted_qty: l.counted, damaged_qty: 0, non_returnable_damaged_qty: 0 };
  const variance = computeVariance(q, book);
  const values = varianceValue(variance, { cost: snap?.cost ?? 0, price: snap?.price ?? 0 });
  const time = new Date(T0 + Number(opId.split('-').pop()) * 60_000).toISOString();
  return makeLine(opId, {
    id: `line-${opId}`,
    session_id: sessionId,
    rack: l.rack,
    item_code: l.item,
    ...q,
    serials: [],
    supersedes: l.supersedes ?? null,
    book_qty: book,
    variance,
    value_at_cost: values.at_cost,
    value_at_price: values.at_price,
    status: 'PENDING',
    counted_by: `u-${l.user}`,
    counted_by_name: `User ${l.user}`,
    counted_at: time,
    received_at: time,
    claim_id: null,
  });
}

async function run(
  store: Store,
  writer: Db,
  sessionId: string,
  steps: readonly Step[],
  check: () => Promise<void>,
  reached: Record<string, number>,
): Promise<void> {
  const ops: string[] = [];
  let op = 0;
  for (const step of steps) {
    switch (step.kind) {
      case 'write': {
        const lines = step.lines.map((l) =>
          lineFor(sessionId, `${sessionId}-${++op}`, {
            ...l,
            item: ITEMS[l.item]!,
            rack: RACKS[l.rack]!,
          }),
        );
        const outcomes = await store.lines.insertMany(lines);
        lines.forEach((l, i) => outcomes[i]?.ok && ops.push(l.op_id));
        break;
      }
      case 'correct': {
        if (ops.length === 0) break;
        const target = await store.lines.getByOpId(ops[step.pick % ops.length]!);
        if (!target || target.superseded_by !== null) break;
        const next = lineFor(sessionId, `${sessionId}-${++op}`, {
          item: target.item_code,
          rack: target.rack,
          counted: step.counted,
          user: 0,
          supersedes: target.op_id,
        });
        const [outcome] = await store.lines.insertMany([next]);
        if (outcome?.ok) ops.push(next.op_id);
        break;
      }
      case 'review': {
        if (ops.length === 0) break;
        const target = await store.lines.getByOpId(ops[step.pick % ops.length]!);
        if (!target) break;
        await store.lines.review(target.id, {
          status: step.status,
          reviewed_by: 'u-sup',
          reviewed_at: new Date(T0).toISOString(),
          review_note: null,
        });
        break;
      }
      case 'drain': {
        const marks = (await store.readModel.dirtyAtCount(100_000)).filter(
          (m) => m.session_id === sessionId,
        );
        for (const [i, mark] of marks.entries()) {
          const columns = step.columns[i % step.columns.length]!;
          if (await store.readModel.putAtCount(mark, columns)) reached[columns.status]!++;
        }
        break;
      }
      case 'mark': {
        reached.marked! += await store.readModel.markAtCount(
          sessionId,
          step.items.map((i) => ITEMS[i]!),
        );
        break;
      }
      case 'provisional': {
        const until = step.minute === null ? null : new Date(T0 + step.minute * 60_000);
        reached.provisional! += await store.readModel.markProvisional(
          until === null ? null : until.toISOString(),
        );
        break;
      }
      case 'raw': {
        for (const { item, ...set } of step.changes) {
          const columns = { at_status: set.status, vac_m: set.vac, cost: set.cost };
          const given = Object.entries(columns).filter(([, v]) => v !== undefined);
          if (given.length === 0) continue;
          reached.raw! += writer
            .prepare(
              `UPDATE rm_items SET ${given.map(([c]) => `${c} = @${c}`).join(', ')}
               WHERE session_id = @session AND item_code = @item`,
            )
            .run({ ...Object.fromEntries(given), session: sessionId, item: ITEMS[item]! }).changes;
        }
        break;
      }
      case 'rebuild': {
        await store.readModel.rebuild(sessionId);
        break;
      }
    }
    await check();
  }
}

describe('session figures at count kept in the read model (SQLite)', () => {
  const files = recordPreparedStatements('sv-at-count-totals-');

  it("reads no rm_items row for the session detail's figures at count", async () => {
    const { store, file } = await files.open('plan.db');
    const side = new Database(file, { readonly: true });
    try {
      registerReportFunctions(side);
      const plan = queryPlan(side, SESSION_AT_COUNT_SQL);
      expect(plan.join('\n')).not.toMatch(/rm_items/);
      expect(plan.join('\n')).toMatch(/rm_at_count_totals/);
    } finally {
      side.close();
      await store.close();
    }
  });

  it('is recomputed by a rebuild of the session when its row was damaged', async () => {
    const { store, file } = await files.open('rebuild.db');
    const side = openDatabase(file);
    try {
      await store.sessions.create(makeSession('S1', { racks: [...RACKS] }), snapshotOf('S1'));
      const lines = ITEMS.map((item, i) =>
        lineFor('S1', `S1-${i + 1}`, { item, rack: RACKS[0], counted: 3, user: 0 }),
      );
      expect((await store.lines.insertMany(lines)).every((o) => o.ok)).toBe(true);
      side
        .prepare(
          `UPDATE rm_at_count_totals SET unknown = unknown + 2, value_c = value_c + 7,
             exact = exact + 1 WHERE session_id = 'S1'`,
        )
        .run();
      expect(kept(side, 'S1')).not.toEqual(fromScratch(side, 'S1'));
      await store.readModel.rebuild('S1');
      expect(kept(side, 'S1')).toEqual(fromScratch(side, 'S1'));
      expect((await store.reports.sessionAtCount('S1')).items.unknown).toBe(ITEMS.length);
    } finally {
      side.close();
      await store.close();
    }
  });

  it('equals the from-scratch aggregate after every step of random histories', async () => {
    const { store, file } = await files.open('property.db');
    const side = new Database(file, { readonly: true });
    registerReportFunctions(side);
    const writer = openDatabase(file);
    const reached: Record<string, number> = {
      exact: 0,
      ambiguous: 0,
      unknown: 0,
      pending: 0,
      marked: 0,
      provisional: 0,
      valued: 0,
      deleted: 0,
      raw: 0,
    };
    const sessions: string[] = [];
    const numRuns = Number(process.env.AT_COUNT_TOTALS_RUNS ?? 150);
    const expectKept = async (id: string) => {
      const scratch = fromScratch(side, id);
      expect(kept(side, id)).toEqual(scratch);
      expect(await store.reports.sessionAtCount(id)).toEqual(scratch);
      if (scratch.value_at_count_cost !== 0) reached.valued!++;
    };
    try {
      await fc.assert(
        fc.asyncProperty(
          fc.boolean(),
          fc.array(stepArb, { minLength: 1, maxLength: 12 }),
          async (watermarked, steps) => {
            const id = `S${sessions.length + 1}`;
            sessions.push(id);
            await store.sessions.create(
              makeSession(id, {
                racks: [...RACKS],
                warehouse: `WH-${id}`,
                erp_watermark: watermarked ? '1000' : null,
              }),
              snapshotOf(id),
            );
            let items = 0;
            await run(
              store,
              writer,
              id,
              steps,
              async () => {
                const now = fromScratch(side, id);
                const n = Object.values(now.items).reduce((a, b) => a + b, 0);
                if (n < items) reached.deleted!++;
                items = n;
                await expectKept(id);
              },
              reached,
            );
            // markProvisional reaches every session's items: all of them still agree.
            for (const other of sessions) await expectKept(other);
          },
        ),
        { numRuns },
      );
    } finally {
      writer.close();
      side.close();
      await store.close();
    }
    console.info('at-count totals property: what the histories reached', reached);
    if (numRuns >= 100) {
      for (const count of Object.values(reached)) expect(count).toBeGreaterThan(0);
    }
  }, 300_000);
});

describe('migration 27 (rm_at_count_totals)', () => {
  it('builds the totals of the items already in the model', () => {
    const db = openDatabase(':memory:');
    try {
      migrate(
        db,
        migrations.filter((m) => m.version <= 26),
      );
      const insert = db.prepare(
        `INSERT INTO rm_items (session_id, item_code, counted_m, damaged_m, nonret_m, lines, racks,
           users, book_qty, cost, price, variance_m, cost_c, price_c, at_status, vac_m)
         VALUES (?, ?, 0, 0, 0, 1, '{}', '{}', 0, ?, 0, 0, 0, 0, ?, ?)`,
      );
      const statuses = ['exact', 'ambiguous', 'unknown', 'pending'] as const;
      const costs = [2.35, 0.1, 1.005, 0, 19.99];
      for (let i = 0; i < 60; i++) {
        const status = statuses[i % 4]!;
        const vac = status === 'exact' ? ((i * 7919) % 20_001) - 10_000 : null;
        insert.run(`S${i % 3}`, `ITEM-${i}`, costs[i % costs.length]!, status, vac);
      }
      migrate(db);
      for (const id of ['S0', 'S1', 'S2', 'S-none']) {
        expect(kept(db, id)).toEqual(fromScratch(db, id));
      }
      expect(fromScratch(db, 'S0').value_at_count_cost).not.toBe(0);
      // Kept from then on by the triggers.
      db.prepare("UPDATE rm_items SET at_status = 'pending', vac_m = NULL WHERE item_code = ?").run(
        'ITEM-0',
      );
      db.prepare('DELETE FROM rm_items WHERE item_code = ?').run('ITEM-4');
      // An exact item's cost alone, and its variance alone (exact before and after).
      db.prepare("UPDATE rm_items SET cost = cost + 1.11 WHERE session_id = 'S0'").run();
      db.prepare(
        "UPDATE rm_items SET vac_m = vac_m + 7 WHERE session_id = 'S1' AND at_status = 'exact'",
      ).run();
      expect(kept(db, 'S0')).toEqual(fromScratch(db, 'S0'));
      expect(kept(db, 'S1')).toEqual(fromScratch(db, 'S1'));
    } finally {
      db.close();
    }
  });
});
