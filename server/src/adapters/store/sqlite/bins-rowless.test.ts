/**
 * `BinRepo.all` on SQLite computes the records of bins without a row (one counter's first counts
 * within tolerance) in SQL, grouped per bin, instead of reading every line into JS (the count_quality
 * report at 50,000 bins, issue #16). It must give exactly the records the line-by-line computation
 * (`computedBinRecord` over each bin's lines) gives, on a generated session: several counters and
 * racks, lines in any order, decimals, rejected and corrected lines, and bins that have a row.
 */
import { describe, expect, it } from 'vitest';
import { makeLine, makeSession, makeSnapshotRow } from '../../../../test/support/counting-records';
import { mulberry32 } from '../../../lib/mulberry32';
import { computedBinRecord, noLateCounts } from '../bins-plan';
import { createSqliteStore } from '.';

/** A small deterministic PRNG (mulberry32), so a failure names a seed that reproduces it. */
const rng = mulberry32;

async function generated(seed: number) {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)]!;
  const store = createSqliteStore({ file: ':memory:' });
  await store.init();
  const items = Array.from({ length: 12 }, (_, i) => `ITM-${i}`);
  const racks = ['A-01', 'A-02', 'B-01'];
  await store.sessions.create(
    makeSession('S1', { racks }),
    items.map((code) => makeSnapshotRow('S1', code, { book_qty: Math.floor(r() * 20) })),
  );
  const counters = ['u-ana', 'u-ben', 'u-cara', 'u-dan'];
  const lines = Array.from({ length: 160 }, (_, n) => {
    const counted = Math.round(r() * 40_000) / 1000;
    return makeLine(`op-${seed}-${n}`, {
      id: `line-${seed}-${n}`,
      rack: pick(racks),
      item_code: pick(items),
      counted_qty: counted,
      // Quantities in thousandths, as the API takes them (design §12 "Arithmetic").
      non_returnable_damaged_qty: r() < 0.2 ? Math.round(r() * counted * 500) / 1000 : 0,
      counted_by: pick(counters),
      photo_ids: [],
      serials: [],
      status: r() < 0.1 ? 'REJECTED' : 'PENDING',
      book_qty: Math.floor(r() * 20),
      // Several lines in the same millisecond: the op_id breaks the tie.
      received_at: new Date(Date.UTC(2026, 0, 1, 8, 0, Math.floor(r() * 30))).toISOString(),
      ...(r() < 0.8
        ? {
            tolerance: {
              rule_id: pick(['site', 'tight']),
              rule_version: 1 + Math.floor(r() * 3),
              within: true,
            } as never,
          }
        : {}),
    });
  });
  // Shuffled, so the store's order is not the order of the lines' times.
  for (const line of lines.sort(() => r() - 0.5)) await store.lines.insertMany([line]);
  // Corrections: a counter replaces one of their lines.
  for (const line of lines.filter(() => r() < 0.1)) {
    await store.lines.insertMany([
      {
        ...line,
        id: `${line.id}-fix`,
        op_id: `${line.op_id}-fix`,
        counted_qty: line.counted_qty + 1,
        supersedes: line.op_id,
        received_at: new Date(Date.parse(line.received_at) + 60_000).toISOString(),
      },
    ]);
  }
  // A few bins get a row (as settlement writes one): their lines are not computed.
  const keys = [...new Set(lines.map((l) => `${l.rack}|${l.item_code}`))]
    .filter(() => r() < 0.3)
    .map((k) => ({ rack: k.split('|')[0]!, item_code: k.split('|')[1]! }));
  await store.bins.settle('S1', keys, (input) => ({
    settlement: {} as never,
    rule: {} as never,
    taken_line_ids: [],
    line_updates: [],
    record: {
      ...computedBinRecord('S1', input.key, [])!,
      ...noLateCounts(),
      ...{
        session_id: 'S1',
        rack: input.key.rack,
        item_code: input.key.item_code,
        state: 'open',
        reason: 'exceeds_tolerance',
        quantity: null,
        proposed_quantity: null,
        phase: 1,
        split: false,
        book_qty: 3,
        rule_id: 'tight',
        rule_version: 2,
        counters: ['u-ana'],
        first_count_qty: 1,
        first_received_at: '2026-01-01T08:00:00.000Z',
        first_counted_by: 'u-ana',
        first_count_confirmed: false,
        settled_at: null,
        recounts: 0,
        overturned: false,
        open_task_id: null,
        updated_at: '2026-01-01T09:00:00.000Z',
      },
    },
  }));
  return { store, rowKeys: keys };
}

/** The records as the line-by-line computation gives them: rows, and each rowless bin's lines. */
async function lineByLine(store: Awaited<ReturnType<typeof generated>>['store']) {
  const rows = (await store.bins.list('S1', { page: 1, page_size: 1000 })).items;
  const withRow = new Set(rows.map((b) => `${b.rack}|${b.item_code}`));
  const all = await store.lines.list('S1', {
    page: 1,
    page_size: 10_000,
    include_superseded: true,
  });
  const bins = [...new Set(all.items.map((l) => `${l.rack}|${l.item_code}`))].filter(
    (k) => !withRow.has(k),
  );
  const computed = [];
  for (const k of bins) {
    const key = { rack: k.split('|')[0]!, item_code: k.split('|')[1]! };
    const record = computedBinRecord('S1', key, await store.bins.lines('S1', key));
    if (record) computed.push(record);
  }
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return [...rows, ...computed].sort(
    (a, b) => cmp(a.rack, b.rack) || cmp(a.item_code, b.item_code),
  );
}

describe('BinRepo.all on SQLite: rowless bins computed in SQL', () => {
  for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
    it(`equals the line-by-line computation (seed ${seed})`, async () => {
      const { store, rowKeys } = await generated(seed);
      const expected = await lineByLine(store);
      expect(expected.length).toBeGreaterThan(rowKeys.length);
      expect(await store.bins.all('S1')).toEqual(expected);
      await store.close();
    });
  }
});
