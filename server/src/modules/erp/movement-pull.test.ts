/**
 * The movement pull (issue #17): only while a session is open, bounded pages, never overlapping,
 * nothing lost or repeated, where the first pull starts, failures kept for /erp/status, the timer
 * (fake timers), the mirror watermark a pass keeps and a new session records.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { erpStatusSchema, type ErpMovement } from '@stockverify/shared';
import { createMemoryCoordination } from '../../adapters/coordination/memory';
import { createSqliteStore } from '../../adapters/store/sqlite';
import { createDemoErpSource, type DemoErpSource } from '../../adapters/erp/demo';
import { parseItemMasterInWorker } from '../../adapters/erp/import-worker';
import { createCircuitBreaker } from '../../lib/circuit-breaker';
import type { ErpSource, FetchMovementsOptions, MovementPage } from '../../ports/erp';
import type { Store } from '../../ports/store';
import { createAuditLog } from '../audit/audit-log';
import { makeSession } from '../../../test/support/counting-records';
import { createErpService } from './erp.service';
import { createErpStatusRecorder } from './erp-status';
import { readMirrorWatermark, sessionWatermark, sessionWatermarks } from './mirror-watermark';

let store: Store;
let now: number;
const clock = () => new Date(now);
const quiet = { info: () => {}, warn: () => {} };

function service(erp: ErpSource) {
  const erpBreaker = createCircuitBreaker({
    name: 'erp',
    failureThreshold: 3,
    openMs: 30_000,
    now: () => now,
  });
  return createErpService({
    store,
    coordination: createMemoryCoordination({ now: () => now }),
    erp,
    parseItemMaster: parseItemMasterInWorker,
    erpBreaker,
    erpStatus: createErpStatusRecorder(store, erp, clock),
    audit: createAuditLog(store, clock),
    clock,
  });
}

/** The demo, counting its ledger reads; `failNext` makes the next read fail like a dead ERP. */
function countingDemo(perMinute = 30) {
  const demo = createDemoErpSource({ itemCount: 120, movementsPerMinute: perMinute, clock });
  const reads: { since: string | null; limit: number }[] = [];
  let failNext = false;
  let gate: Promise<void> | null = null;
  const source: DemoErpSource = {
    ...demo,
    async fetchMovements(since: string | null, options: FetchMovementsOptions) {
      reads.push({ since, limit: options.limit });
      if (gate) await gate;
      if (failNext) {
        failNext = false;
        throw new Error('connect ETIMEDOUT erp:1433');
      }
      return demo.fetchMovements!(since, options);
    },
  };
  return {
    source,
    demo,
    reads,
    failOnce: () => {
      failNext = true;
    },
    hold: () => {
      let release!: () => void;
      gate = new Promise((resolve) => (release = resolve));
      return () => {
        gate = null;
        release();
      };
    },
  };
}

async function openSession(id = 's1') {
  await store.sessions.create(makeSession(id), []);
}

beforeEach(async () => {
  now = Date.parse('2026-12-06T09:00:00Z');
  store = createSqliteStore({ file: ':memory:' });
  await store.init();
});
afterEach(async () => {
  vi.useRealTimers();
  await store.close();
});

describe('movement pull', () => {
  it('reads nothing while no session is open', async () => {
    const erp = countingDemo();
    const puller = service(erp.source).movementPuller({ intervalMs: 60_000, log: quiet });
    expect(await puller.tick()).toBeNull();
    expect(erp.reads).toEqual([]);
  });

  it('pulls in bounded pages, goes on where it stopped, and stores every movement once', async () => {
    const erp = countingDemo(60);
    const puller = service(erp.source).movementPuller({
      intervalMs: 60_000,
      log: quiet,
      pageSize: 7,
      maxPages: 3,
    });
    await openSession();
    expect(await puller.tick()).toMatchObject({ pages: 1, received: 0, more: false });
    now += 60_000; // 60 movements posted
    expect(await puller.tick()).toMatchObject({ pages: 3, received: 21, inserted: 21, more: true });
    expect(erp.reads.every((r) => r.limit === 7)).toBe(true);
    for (let i = 0; i < 3; i++) await puller.tick();
    const stored = await store.movements.since(null, 1000);
    expect(stored).toEqual(erp.demo.movements());
    expect(stored).toHaveLength(60);
    expect(await store.movements.state()).toMatchObject({ watermark: '60', count: 60 });
  });

  it('never overlaps itself: a tick while a pull runs answers null at once', async () => {
    const erp = countingDemo();
    const puller = service(erp.source).movementPuller({ intervalMs: 60_000, log: quiet });
    await openSession();
    const release = erp.hold();
    const first = puller.tick();
    await vi.waitFor(() => expect(erp.reads).toHaveLength(1));
    expect(await puller.tick()).toBeNull();
    release();
    expect(await first).toMatchObject({ pages: 1 });
    expect(erp.reads).toHaveLength(1);
  });

  it('starts at the mirror watermark, else the ledger’s current one — never its whole history', async () => {
    const ledger: ErpMovement[] = Array.from({ length: 30 }, (_, i) => ({
      item_code: 'IT1',
      warehouse: 'WH',
      rack: null,
      quantity: -1,
      posted_at: new Date(now - (30 - i) * 1000).toISOString(),
      doc_type: 'SHIPMENT',
      doc_no: `SO-${i + 1}`,
      watermark: String(i + 1),
    }));
    const erp: ErpSource = {
      ...createDemoErpSource({ itemCount: 1 }),
      kind: 'mssql',
      async fetchMovements(since, { limit }): Promise<MovementPage> {
        const movements = ledger
          .filter((m) => since === null || Number(m.watermark) > Number(since))
          .slice(0, limit);
        return { movements, watermark: movements.at(-1)?.watermark ?? since };
      },
      async currentWatermark() {
        return '25';
      },
    };
    await openSession();
    await service(erp).movementPuller({ intervalMs: 60_000, log: quiet }).tick();
    expect((await store.movements.since(null, 100)).map((m) => m.watermark)).toEqual([
      '26',
      '27',
      '28',
      '29',
      '30',
    ]);

    // Another store whose mirror was read at watermark 10: the pull starts there.
    await store.close();
    store = createSqliteStore({ file: ':memory:' });
    await store.init();
    await store.meta.set('erp.mirror_watermark', {
      watermark: '10',
      known: true,
      read_at: clock().toISOString(),
    });
    await openSession();
    await service(erp).movementPuller({ intervalMs: 60_000, log: quiet }).tick();
    expect(await store.movements.state()).toMatchObject({ watermark: '30', count: 20 });
  });

  it('keeps a failure for /erp/status, moves nothing, and the next pull clears it', async () => {
    const erp = countingDemo();
    const svc = service(erp.source);
    const puller = svc.movementPuller({ intervalMs: 60_000, log: quiet });
    await openSession();
    await puller.tick();
    now += 2 * 60_000;
    erp.failOnce();
    expect(await puller.tick()).toBeNull();
    let status = erpStatusSchema.parse(await svc.status());
    expect(status.movements).toMatchObject({
      last_error: 'connect ETIMEDOUT erp:1433',
      last_pull_at: clock().toISOString(),
      count: 0,
      watermark: null,
    });
    now += 1000;
    expect(await puller.tick()).toMatchObject({ inserted: 60 });
    status = erpStatusSchema.parse(await svc.status());
    expect(status.movements).toMatchObject({ last_error: null, watermark: '60', count: 60 });
  });

  it('shows watermark, last pull, lag and count on /erp/status (schema-checked); null without a ledger', async () => {
    const erp = countingDemo(6);
    const svc = service(erp.source);
    await openSession();
    const puller = svc.movementPuller({ intervalMs: 60_000, log: quiet });
    await puller.tick();
    now += 60_000;
    await puller.tick();
    now += 15_000;
    const status = erpStatusSchema.parse(await svc.status());
    const newest = erp.demo.movements().at(-1)!.posted_at;
    expect(status.movements).toEqual({
      watermark: '6',
      last_pull_at: new Date(now - 15_000).toISOString(),
      newest_posted_at: newest,
      lag_ms: now - Date.parse(newest),
      count: 6,
      interval_ms: 60_000,
      mirror_watermark: null,
      last_result: { pages: 1, received: 6, inserted: 6, more: false, duration_ms: 0 },
      last_error: null,
      last_error_at: null,
    });
    const {
      fetchMovements: _f,
      currentWatermark: _c,
      ...still
    } = createDemoErpSource({ itemCount: 1 });
    expect(erpStatusSchema.parse(await service(still).status()).movements).toBeNull();
  });

  it('pulls every interval on its timer while a session is open (fake timers)', async () => {
    vi.useFakeTimers({ now, toFake: ['setInterval', 'clearInterval', 'Date'] });
    const erp = countingDemo(6);
    const puller = service(erp.source).movementPuller({ intervalMs: 60_000, log: quiet });
    await openSession();
    puller.start();
    await vi.advanceTimersByTimeAsync(59_000);
    expect(erp.reads).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1_000);
    await vi.waitFor(() => expect(erp.reads).toHaveLength(1));
    now += 60_000;
    await vi.advanceTimersByTimeAsync(60_000);
    await vi.waitFor(async () => expect((await store.movements.state()).count).toBe(6));
    await puller.stop();
    await vi.advanceTimersByTimeAsync(5 * 60_000);
    expect(erp.reads).toHaveLength(2);
  });
});

describe('mirror watermark', () => {
  it('an items pass keeps the ledger watermark read before the stock; a new session records it', async () => {
    const erp = countingDemo(30);
    const svc = service(erp.source);
    await openSession('s-before');
    const puller = svc.movementPuller({ intervalMs: 60_000, log: quiet });
    await puller.tick();
    now += 60_000;
    await puller.tick();
    expect(await readMirrorWatermark(store.meta)).toBeNull();
    expect(await sessionWatermark(store.meta)).toBeNull();
    await svc.sync(null, { request_id: null, ip: null });
    expect(await readMirrorWatermark(store.meta)).toEqual({
      watermark: '30',
      known: true,
      // Read again after the stock: nothing was posted meanwhile, so no window.
      watermark_high: '30',
      read_at: clock().toISOString(),
    });
    // The mirror now holds the demo's moved book: the same as the demo's own.
    const mirrored = await store.items.getMany(erp.demo.items().map((i) => i.item_code));
    expect(mirrored.map((i) => i.stock)).toEqual(erp.demo.items().map((i) => i.stock));
    expect(await sessionWatermark(store.meta)).toBe('30');
  });

  it('a failed pass keeps the previous watermark', async () => {
    const erp = countingDemo(30);
    const svc = service({
      ...erp.source,
      fetchItems() {
        return {
          [Symbol.asyncIterator]: () => ({
            next: () => Promise.reject(new Error('view missing')),
          }),
        };
      },
    });
    await store.meta.set('erp.mirror_watermark', {
      watermark: '7',
      known: true,
      read_at: clock().toISOString(),
    });
    await expect(svc.sync(null, { request_id: null, ip: null })).rejects.toThrow(/view missing/);
    expect((await readMirrorWatermark(store.meta))?.watermark).toBe('7');
  });

  it('a book read from an empty ledger is before every entry: sessions record 0', async () => {
    const erp = countingDemo(30);
    await service(erp.source).sync(null, { request_id: null, ip: null });
    expect(await readMirrorWatermark(store.meta)).toMatchObject({ watermark: null, known: true });
    expect(await sessionWatermark(store.meta)).toBe('0');
  });

  it('a pass whose ledger cannot say its watermark leaves none known: sessions record null', async () => {
    const erp = countingDemo(30);
    await store.meta.set('erp.mirror_watermark', {
      watermark: '7',
      known: true,
      read_at: clock().toISOString(),
    });
    const svc = service({
      ...erp.source,
      async currentWatermark() {
        throw new Error('Invalid object name erp.ItemLedger');
      },
    });
    await svc.sync(null, { request_id: null, ip: null });
    // The book is newer than 7 now: keeping 7 would add movements it already holds.
    expect(await readMirrorWatermark(store.meta)).toMatchObject({ watermark: null, known: false });
    expect(await sessionWatermark(store.meta)).toBeNull();
  });

  it('a ledger that cannot say its watermark after the stock leaves none known', async () => {
    const erp = countingDemo(30);
    let reads = 0;
    const svc = service({
      ...erp.source,
      async currentWatermark() {
        if (++reads > 1) throw new Error('connection reset');
        return '30';
      },
    });
    await svc.sync(null, { request_id: null, ip: null });
    // Movements up to an unknown watermark may be in the book: no window bound, no watermark.
    expect(await readMirrorWatermark(store.meta)).toMatchObject({ watermark: null, known: false });
    expect(await sessionWatermarks(store.meta)).toEqual({
      erp_watermark: null,
      erp_watermark_high: null,
    });
  });

  it('the window ends at the source’s window watermark when it has one (entries not yet committed)', async () => {
    const erp = countingDemo(30);
    const svc = service({
      ...erp.source,
      currentWatermark: async () => '0x00000000000007cf',
      windowWatermark: async () => '0x00000000000007d2',
    });
    await svc.sync(null, { request_id: null, ip: null });
    expect(await sessionWatermarks(store.meta)).toEqual({
      erp_watermark: '0x00000000000007cf',
      erp_watermark_high: '0x00000000000007d2',
    });
  });

  it('a ledger behind its first read after the stock (restored meanwhile) leaves none known', async () => {
    const erp = countingDemo(30);
    const reads = ['30', '12'];
    const svc = service({ ...erp.source, currentWatermark: async () => reads.shift() ?? null });
    await svc.sync(null, { request_id: null, ip: null });
    expect(await readMirrorWatermark(store.meta)).toMatchObject({ watermark: null, known: false });
  });

  it('a watermark kept before the second read gives sessions no high watermark', async () => {
    await store.meta.set('erp.mirror_watermark', {
      watermark: '7',
      known: true,
      read_at: clock().toISOString(),
    });
    expect(await sessionWatermarks(store.meta)).toEqual({
      erp_watermark: '7',
      erp_watermark_high: null,
    });
  });

  it('an uploaded item master has no known watermark: sessions record null', async () => {
    const erp = countingDemo(30);
    const svc = service(erp.source);
    await svc.sync(null, { request_id: null, ip: null });
    expect(await sessionWatermark(store.meta)).toBe('0');
    const admin = { id: 'u-admin', username: 'admin', role: 'admin' as const };
    await svc.importFile(
      admin,
      { request_id: null, ip: null },
      {
        buffer: Buffer.from(
          'item_code,name,warehouse,rack,stock_qty\nIT000001,One,WH-MAIN,A-01,5\n',
        ),
        originalname: 'items.csv',
      },
    );
    expect(await readMirrorWatermark(store.meta)).toMatchObject({ watermark: null, known: false });
    expect(await sessionWatermark(store.meta)).toBeNull();
  });
});
