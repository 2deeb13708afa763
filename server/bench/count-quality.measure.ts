/**
 * Count quality at 50,000 bins, in process (issue #16 item 5): a SQLite store with one session of
 * 500 racks × 100 items counted once each by 20 counters; a tenth of the bins got a blind recount
 * by another counter and were settled through `BinRepo.settle` (their rows; half agree, half
 * disagree and a third counter's phase-2 count overturns the first), the rest need no row
 * (`BinRepo.all` computes them). Measures `BinRepo.all`, the pure
 * measures over its records, and the whole `count_quality` report as the service answers it.
 *
 *   npx tsx server/bench/count-quality.measure.ts [bins=50000]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { symmetricThresholds, toleranceRuleSchema } from '@stockverify/shared';
import { createSqliteStore } from '../src/adapters/store/sqlite';
import { makeSettle } from '../src/modules/recounts/settle';
import { measureBins } from '../src/modules/reports/count-quality';
import { createReportsService } from '../src/modules/reports/reports.service';
import type { CountLineRecord } from '../src/ports/counting';
import { makeLine, makeSession, makeSnapshotRow } from '../test/support/counting-records';

const BINS = Number(process.argv[2] ?? 50_000);
const ITEMS_PER_RACK = 100;
const RACKS = Math.ceil(BINS / ITEMS_PER_RACK);
const COUNTERS = 20;
const T0 = Date.parse('2026-03-02T08:00:00.000Z');
const iso = (seconds: number) => new Date(T0 + seconds * 1000).toISOString();
const RULE = toleranceRuleSchema.parse({
  id: 'pm5',
  version: 1,
  scope: { kind: 'everything' },
  thresholds: symmetricThresholds({ units: 5 }),
  on_exceed: 'recount',
});

function line(
  op: string,
  rack: string,
  item: string,
  by: number,
  qty: number,
  s: number,
  phase = 0,
) {
  return makeLine(op, {
    session_id: 'S1',
    rack,
    item_code: item,
    counted_qty: qty,
    damaged_qty: 0,
    non_returnable_damaged_qty: 0,
    serials: [],
    book_qty: 100,
    variance: qty - 100,
    value_at_cost: qty - 100,
    value_at_price: qty - 100,
    counted_by: `u-${by}`,
    counted_by_name: `counter ${by}`,
    received_at: iso(s),
    counted_at: iso(s),
    status: Math.abs(qty - 100) > 5 ? 'NEEDS_REVIEW' : 'PENDING',
    phase,
  });
}

async function timed<T>(label: string, runs: number, f: () => Promise<T>): Promise<T> {
  const ms: number[] = [];
  let out!: T;
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    out = await f();
    ms.push(performance.now() - t);
  }
  ms.sort((a, b) => a - b);
  console.log(
    `${label}: median ${ms[runs >> 1]!.toFixed(1)} ms (min ${ms[0]!.toFixed(1)}, max ${ms.at(-1)!.toFixed(1)}, ${runs} runs)`,
  );
  return out;
}

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sv-cq-'));
  const store = createSqliteStore({ file: path.join(dir, 'cq.db') });
  await store.init();
  try {
    const racks = Array.from({ length: RACKS }, (_, r) => `R${String(r).padStart(4, '0')}`);
    const items = Array.from(
      { length: ITEMS_PER_RACK },
      (_, i) => `I${String(i).padStart(3, '0')}`,
    );
    await store.locations.upsertWarehouses([
      {
        id: 'WH1',
        name: 'Main',
        floors: Array.from({ length: 5 }, (_, f) => ({ code: `F${f}`, name: `Floor ${f}` })),
        racks: racks.map((code, r) => ({ code, floor: `F${r % 5}`, location_barcode: null })),
      },
    ]);
    await store.sessions.create(
      makeSession('S1', { racks, snapshot_items: items.length }),
      items.map((i) => makeSnapshotRow('S1', i, { book_qty: 100, cost: 1, price: 2 })),
    );
    const t0 = performance.now();
    const first: CountLineRecord[] = [];
    const recounts: CountLineRecord[] = [];
    const recounted: { rack: string; item_code: string }[] = [];
    let n = 0;
    for (const rack of racks) {
      for (const item of items) {
        if (n >= BINS) break;
        const by = n % COUNTERS;
        const doubtful = n % 10 === 0;
        first.push(line(`f-${n}`, rack, item, by, doubtful ? 120 : 100, n));
        if (doubtful) {
          // Half the recounts agree with the first count, half find 100 (an overturn).
          const qty = n % 20 === 0 ? 120 : 100;
          recounts.push(line(`r-${n}`, rack, item, (by + 1) % COUNTERS, qty, n + 600, 1));
          // An overturn needs a third voice agreeing with the recount (phase 2).
          if (qty === 100)
            recounts.push(line(`s-${n}`, rack, item, (by + 2) % COUNTERS, 100, n + 900, 2));
          recounted.push({ rack, item_code: item });
        }
        n++;
      }
    }
    for (let i = 0; i < first.length; i += 1000)
      await store.lines.insertMany(first.slice(i, i + 1000));
    for (let i = 0; i < recounts.length; i += 1000)
      await store.lines.insertMany(recounts.slice(i, i + 1000));
    const bins = store.bins!;
    const settle = makeSettle({
      ruleFor: () => ({ rule: RULE, book: 100, unit_cost: 1 }),
      now: () => iso(BINS + 3600),
      newTaskId: () => `t-${Math.random()}`,
      chooseAssignee: () => null,
    });
    for (let i = 0; i < recounted.length; i += 200)
      await bins.settle('S1', recounted.slice(i, i + 200), settle);
    console.log(
      `seeded ${first.length + recounts.length} lines, ${recounted.length} bin rows in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );

    const records = await timed(`BinRepo.all (${BINS} bins)`, 5, () => bins.all('S1'));
    console.log(`  records: ${records.length}`);
    await timed('pure measures over them', 5, async () => measureBins(records));
    const reports = createReportsService(store, store.reports, () => new Date(), {
      chunkSize: 1000,
    });
    const page = await timed('count_quality report (generate, JSON)', 5, () =>
      reports.generate({
        type: 'count_quality',
        filters: {},
        group_by: 'item',
        page: 1,
        page_size: 1000,
      }),
    );
    console.log('  all:', JSON.stringify(page.items[0]));
    console.log(`  rows: ${page.total} (1 all, 1 session, 5 zones, ${COUNTERS} counters)`);
  } finally {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

void main();
