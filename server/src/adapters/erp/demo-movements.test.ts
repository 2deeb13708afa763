/**
 * The demo's live warehouse (issue #17): rate, determinism, and a book that moves with exactly the
 * movements it reports.
 */
import { describe, expect, it } from 'vitest';
import { erpMovementSchema, roundQty, type Item } from '@stockverify/shared';
import { createDemoErpSource, type DemoErpOptions } from './demo';

function clocked(options: DemoErpOptions = {}) {
  let now = Date.parse('2026-12-06T09:00:00.000Z');
  const source = createDemoErpSource({
    itemCount: 300,
    movementsPerMinute: 6,
    movementCatchUpMs: 60 * 60_000,
    clock: () => new Date(now),
    ...options,
  });
  return {
    source,
    tick: (ms: number) => {
      now += ms;
    },
    now: () => now,
  };
}

const bookOf = (items: readonly Item[]) =>
  new Map(
    items.flatMap((i) => i.stock.map((s) => [`${i.item_code}|${s.warehouse}|${s.rack}`, s.qty])),
  );

async function readAll(source: ReturnType<typeof clocked>['source'], since: string | null) {
  const page = await source.fetchMovements!(since, { limit: 10_000 });
  return page;
}

describe('demo movements', () => {
  it('posts picks and receipts at the configured rate while read, none on the first read', async () => {
    const { source, tick } = clocked();
    expect(await readAll(source, null)).toEqual({ movements: [], watermark: null });
    tick(10 * 60_000);
    const page = await readAll(source, null);
    expect(page.movements).toHaveLength(60);
    expect(page.watermark).toBe('60');
    expect(await source.currentWatermark!()).toBe('60');
    for (const m of page.movements) expect(erpMovementSchema.parse(m)).toEqual(m);
    const kinds = new Set(page.movements.map((m) => m.doc_type));
    expect(kinds).toEqual(new Set(['SHIPMENT', 'RECEIPT']));
    // Posted within the interval, in order, each with its own entry number.
    const times = page.movements.map((m) => Date.parse(m.posted_at));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(times[0]).toBeGreaterThan(Date.parse('2026-12-06T09:00:00.000Z'));
    expect(times.at(-1)).toBeLessThanOrEqual(Date.parse('2026-12-06T09:10:00.000Z'));
    expect(page.movements.map((m) => m.watermark)).toEqual(
      Array.from({ length: 60 }, (_, i) => String(i + 1)),
    );
  });

  it('moves its own book by exactly the movements it reports, never picking below zero', async () => {
    const { source, tick } = clocked({ movementsPerMinute: 50 });
    const before = bookOf(source.items());
    await readAll(source, null);
    for (let i = 0; i < 20; i++) {
      tick(60_000);
      await readAll(source, null);
    }
    const expected = new Map(before);
    for (const m of source.movements()) {
      const key = `${m.item_code}|${m.warehouse}|${m.rack}`;
      expect(expected.has(key)).toBe(true);
      const next = roundQty(expected.get(key)! + m.quantity);
      if (m.quantity < 0) expect(next).toBeGreaterThanOrEqual(0);
      expected.set(key, next);
    }
    expect(source.movements()).toHaveLength(1000);
    expect(bookOf(source.items())).toEqual(expected);
    // An incremental items pass sees the moved items; a lookup returns the moved book.
    const moved = source.movements().at(-1)!;
    const since = new Date(Date.parse(moved.posted_at) - 1);
    const changed: Item[] = [];
    for await (const batch of source.fetchItems({ since })) changed.push(...batch);
    expect(changed.map((i) => i.item_code)).toContain(moved.item_code);
    const item = source.items().find((i) => i.item_code === moved.item_code)!;
    expect(await source.findByBarcode(item.barcodes[0]!.code)).toBe(item);
  });

  it('is deterministic: the same seed and reads give the same ledger; another seed another', async () => {
    const run = async (seed: number) => {
      const { source, tick } = clocked({ seed });
      await readAll(source, null);
      tick(5 * 60_000);
      return (await readAll(source, null)).movements;
    };
    expect(await run(3)).toEqual(await run(3));
    expect(await run(3)).not.toEqual(await run(4));
  });

  it('is still at 0 per minute, and simulates at most the catch-up window of idle time', async () => {
    const still = clocked({ movementsPerMinute: 0 });
    await readAll(still.source, null);
    still.tick(60 * 60_000);
    expect((await readAll(still.source, null)).movements).toEqual([]);
    expect(await still.source.currentWatermark!()).toBeNull();

    const idle = clocked({ movementsPerMinute: 6, movementCatchUpMs: 2 * 60_000 });
    await readAll(idle.source, null);
    idle.tick(3 * 60 * 60_000);
    expect((await readAll(idle.source, null)).movements).toHaveLength(12);
  });

  it('stands still after its total, a restarted one too; 0 is no limit', async () => {
    const capped = clocked({ movementsTotal: 25 });
    await readAll(capped.source, null);
    capped.tick(3 * 60_000);
    expect((await readAll(capped.source, null)).movements).toHaveLength(18);
    capped.tick(10 * 60_000);
    const all = await readAll(capped.source, null);
    expect(all.movements).toHaveLength(25);
    expect(all.watermark).toBe('25');
    capped.tick(60 * 60_000);
    expect((await readAll(capped.source, '25')).movements).toEqual([]);
    expect(await capped.source.currentWatermark!()).toBe('25');

    const restarted = clocked({ movementsTotal: 25 });
    await readAll(restarted.source, '25');
    restarted.tick(60 * 60_000);
    expect(await readAll(restarted.source, '25')).toEqual({ movements: [], watermark: '25' });

    const unlimited = clocked({ movementsTotal: 0 });
    await readAll(unlimited.source, null);
    unlimited.tick(10 * 60_000);
    expect((await readAll(unlimited.source, null)).movements).toHaveLength(60);
    expect(() =>
      createDemoErpSource({ movementsPerMinute: 6, movementsTotal: 1.5 }).fetchMovements!(null, {
        limit: 1,
      }),
    ).toThrow(/whole number/);
  });

  it('a restarted demo asked after entry N replays 1…N into its book and carries on from N + 1', async () => {
    const first = clocked();
    await readAll(first.source, null);
    first.tick(10 * 60_000);
    const seen = await readAll(first.source, null);
    const restarted = clocked();
    const page = await readAll(restarted.source, seen.watermark);
    expect(page).toEqual({ movements: [], watermark: '60' });
    expect(bookOf(restarted.source.items())).toEqual(bookOf(first.source.items()));
    restarted.tick(60_000);
    first.tick(60_000);
    const next = await readAll(restarted.source, '60');
    expect(next.movements[0]!.watermark).toBe('61');
    // The same entries; only their posting times follow each run's own clock.
    const content = (ms: readonly { posted_at: string }[]) =>
      ms.map(({ posted_at: _at, ...rest }) => rest);
    expect(content(next.movements)).toEqual(content((await readAll(first.source, '60')).movements));
  });

  it('filters a warehouse and pages by limit, since exclusive', async () => {
    const { source, tick } = clocked({ movementsPerMinute: 30 });
    await readAll(source, null);
    tick(2 * 60_000);
    const all = (await readAll(source, null)).movements;
    const north = await source.fetchMovements!(null, { limit: 10_000, warehouse: 'WH-NORTH' });
    expect(north.movements).toEqual(all.filter((m) => m.warehouse === 'WH-NORTH'));
    const page = await source.fetchMovements!('10', { limit: 5 });
    expect(page.movements.map((m) => m.watermark)).toEqual(['11', '12', '13', '14', '15']);
    expect(page.watermark).toBe('15');
    await expect(source.fetchMovements!('0x10', { limit: 5 })).rejects.toThrow(
      /not an entry number/,
    );
    await expect(source.fetchMovements!(null, { limit: 0 })).rejects.toThrow(RangeError);
  });
});
