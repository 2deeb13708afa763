import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { erpStatusSchema, type Item, type Warehouse } from '@stockverify/shared';
import { createMemoryCoordination } from '../../adapters/coordination/memory';
import { createSqliteStore } from '../../adapters/store/sqlite';
import { parseItemMasterInWorker } from '../../adapters/erp/import-worker';
import { CircuitOpenError, createCircuitBreaker } from '../../lib/circuit-breaker';
import { AppError } from '../../lib/errors';
import type { ErpSource, FetchItemsOptions } from '../../ports/erp';
import type { Store } from '../../ports/store';
import { createAuditLog } from '../audit/audit-log';
import {
  FULL_RETRY_MS,
  SINCE_OVERLAP_MS,
  createErpScheduler,
  duePass,
  lastOccurrence,
  readScheduleStatus,
  type ScheduleSettings,
} from './erp-scheduler';
import { createErpService } from './erp.service';
import { createErpStatusRecorder } from './erp-status';

// The nightly time is server-local; pin the zone so the test means the same everywhere.
process.env.TZ = 'UTC';

const MIN = 60_000;

/** An ERP that records what it was asked; `down` makes every call fail like a dead server. */
class FakeErp implements ErpSource {
  readonly kind = 'mssql' as const;
  calls: Array<{ call: string; since: string | null }> = [];
  down = false;
  items: Item[] = [item('IT1'), item('IT2')];
  /** Like SQL Server, the quantities pass can read stock rows alone (undefined: a source without). */
  fetchStock?: ErpSource['fetchStock'] = async function* (this: FakeErp, options) {
    this.fail();
    this.calls.push({ call: 'stock', since: options?.since?.toISOString() ?? null });
    yield this.items.map((i) => ({ item_code: i.item_code, stock: i.stock, updated_at: null }));
  };
  private fail(): void {
    if (this.down) throw new Error('connect ETIMEDOUT erp:1433');
  }
  async *fetchItems(options?: FetchItemsOptions) {
    this.fail();
    this.calls.push({ call: 'items', since: options?.since?.toISOString() ?? null });
    yield this.items;
  }
  async fetchWarehouses(): Promise<Warehouse[]> {
    this.fail();
    this.calls.push({ call: 'warehouses', since: null });
    return [{ id: 'WH', name: 'WH', floors: [], racks: [] }];
  }
  async findByBarcode() {
    return null;
  }
  async ping() {
    this.calls.push({ call: 'ping', since: null });
    this.fail();
  }
  async close() {}
}

function item(code: string): Item {
  return {
    item_code: code,
    name: code,
    category: null,
    brand: null,
    supplier: null,
    uom: 'PCS',
    decimal_qty: false,
    price: 1,
    cost: 1,
    serialized: false,
    batch_tracked: false,
    barcodes: [],
    stock: [{ warehouse: 'WH', rack: null, qty: 5 }],
    active: true,
    updated_at: '2026-01-01T00:00:00.000Z',
  };
}

let store: Store;
let now: number;
let erp: FakeErp;
const clock = () => new Date(now);
const quiet = { info: () => {}, warn: () => {} };

function setup(settings: ScheduleSettings, openMs = 30_000) {
  const coordination = createMemoryCoordination({ now: () => now });
  const erpBreaker = createCircuitBreaker({
    name: 'erp',
    failureThreshold: 3,
    openMs,
    now: () => now,
  });
  const service = createErpService({
    store,
    coordination,
    erp,
    parseItemMaster: parseItemMasterInWorker,
    erpBreaker,
    erpStatus: createErpStatusRecorder(store, erp, clock),
    audit: createAuditLog(store, clock),
    clock,
  });
  const scheduler = createErpScheduler({
    meta: store.meta,
    settings,
    clock,
    runPass: async (pass, since) => ({ ...(await service.scheduledPass(pass, since)) }),
    isBusy: (err) => err instanceof AppError && err.status === 409,
    log: quiet,
  });
  return { service, scheduler, coordination, erpBreaker };
}

beforeEach(async () => {
  now = Date.parse('2026-11-29T10:00:00Z');
  store = createSqliteStore({ file: ':memory:' });
  await store.init();
  erp = new FakeErp();
});
afterEach(async () => {
  await store.close();
});

const calls = () => erp.calls.filter((c) => c.call !== 'ping');

describe('ERP schedule rules', () => {
  const settings: ScheduleSettings = { qtyMinutes: 5, itemMinutes: 60, fullAt: '02:00' };

  it('finds the latest occurrence of the nightly time', () => {
    expect(lastOccurrence('02:00', new Date('2026-11-29T10:00:00Z')).toISOString()).toBe(
      '2026-11-29T02:00:00.000Z',
    );
    expect(lastOccurrence('02:00', new Date('2026-11-29T01:59:00Z')).toISOString()).toBe(
      '2026-11-28T02:00:00.000Z',
    );
  });

  it('nothing is due right after the first start; then quantities, items and full in turn', () => {
    const doc = {
      created_at: '2026-11-29T10:00:00.000Z',
      settings,
      passes: {
        quantities: emptyPass(),
        items: emptyPass(),
        full: emptyPass(),
      },
    };
    expect(duePass(doc, settings, new Date('2026-11-29T10:04:59Z'))).toBeNull();
    expect(duePass(doc, settings, new Date('2026-11-29T10:05:00Z'))).toBe('quantities');
    expect(duePass(doc, settings, new Date('2026-11-29T11:00:00Z'))).toBe('items');
    expect(duePass(doc, settings, new Date('2026-11-30T02:00:00Z'))).toBe('full');
    expect(
      duePass(
        doc,
        { qtyMinutes: 0, itemMinutes: 0, fullAt: 'off' },
        new Date('2026-12-05T00:00:00Z'),
      ),
    ).toBeNull();
  });
});

function emptyPass() {
  return {
    last_started_at: null,
    last_finished_at: null,
    last_success_started_at: null,
    last_error: null,
    last_result: null,
  };
}

describe('ERP scheduler (fake clock, fake ERP, real ErpService on SQLite)', () => {
  it('runs quantities every few minutes, items hourly, the full pass nightly, each from the right point', async () => {
    const { scheduler } = setup({ qtyMinutes: 5, itemMinutes: 60, fullAt: '02:00' });
    expect(await scheduler.tick()).toBeNull();
    now += 5 * MIN;
    // Never synced under the scheduler: the first incremental pass reads from the beginning.
    // A quantities pass reads stock rows only, and only updates items already mirrored.
    expect(await scheduler.tick()).toBe('quantities');
    expect(calls()).toEqual([{ call: 'stock', since: null }]);
    expect(await store.items.count()).toBe(0);
    let status = await readScheduleStatus(store.meta, clock());
    expect(status!.passes.quantities.last_result).toMatchObject({
      items_received: 2,
      not_mirrored: 2,
    });

    erp.calls = [];
    now = Date.parse('2026-11-29T11:00:00Z');
    expect(await scheduler.tick()).toBe('items');
    // From the start of the last successful pass, less the overlap; with warehouses.
    expect(calls()).toEqual([
      { call: 'warehouses', since: null },
      {
        call: 'items',
        since: new Date(Date.parse('2026-11-29T10:05:00Z') - SINCE_OVERLAP_MS).toISOString(),
      },
    ]);
    expect(await store.items.count()).toBe(2);
    // The items pass also counts as a quantities pass.
    now += 4 * MIN;
    expect(await scheduler.tick()).toBeNull();

    // Stock moves in the ERP: the next quantities pass carries it into the mirror.
    erp.calls = [];
    erp.items[0] = { ...erp.items[0]!, stock: [{ warehouse: 'WH', rack: 'A-01', qty: 7 }] };
    now += 1 * MIN;
    expect(await scheduler.tick()).toBe('quantities');
    expect(calls()).toEqual([
      {
        call: 'stock',
        since: new Date(Date.parse('2026-11-29T11:00:00Z') - SINCE_OVERLAP_MS).toISOString(),
      },
    ]);
    expect((await store.items.get('IT1'))!.stock).toEqual([
      { warehouse: 'WH', rack: 'A-01', qty: 7 },
    ]);
    status = await readScheduleStatus(store.meta, clock());
    expect(status!.passes.quantities.last_result).toMatchObject({ updated: 1, unchanged: 1 });

    erp.calls = [];
    now = Date.parse('2026-11-30T02:00:30Z');
    expect(await scheduler.tick()).toBe('full');
    expect(calls()).toEqual([
      { call: 'warehouses', since: null },
      { call: 'items', since: null },
    ]);
    now += 1 * MIN;
    expect(await scheduler.tick()).toBeNull();

    status = await readScheduleStatus(store.meta, clock());
    expect(status!.passes.full).toMatchObject({
      last_started_at: '2026-11-30T02:00:30.000Z',
      last_error: null,
      next_due_at: '2026-12-01T02:00:00.000Z',
    });
    expect(status!.passes.quantities.next_due_at).toBe('2026-11-30T02:05:30.000Z');
    expect(status!.passes.items.last_result).toMatchObject({ items_received: 2 });
  });

  it('a source that cannot read stock alone gets an incremental items read on a quantities pass', async () => {
    erp.fetchStock = undefined;
    const { scheduler } = setup({ qtyMinutes: 5, itemMinutes: 0, fullAt: 'off' });
    expect(await scheduler.tick()).toBeNull();
    now += 5 * MIN;
    expect(await scheduler.tick()).toBe('quantities');
    // No warehouses on a quantities pass.
    expect(calls()).toEqual([{ call: 'items', since: null }]);
    expect(await store.items.count()).toBe(2);
  });

  it('a fractional quantity for a whole-number unit is not taken from a quantities pass', async () => {
    const { scheduler, service } = setup({ qtyMinutes: 5, itemMinutes: 0, fullAt: 'off' });
    await service.sync(null, { request_id: null, ip: null });
    erp.items[1] = { ...erp.items[1]!, stock: [{ warehouse: 'WH', rack: null, qty: 2.5 }] };
    expect(await scheduler.tick()).toBeNull();
    now += 5 * MIN;
    expect(await scheduler.tick()).toBe('quantities');
    expect((await store.items.get('IT2'))!.stock).toEqual([
      { warehouse: 'WH', rack: null, qty: 5 },
    ]);
    const status = await readScheduleStatus(store.meta, clock());
    expect(status!.passes.quantities.last_result).toMatchObject({ rejected: 1, unchanged: 1 });
  });

  it('an ERP outage fails passes fast through the circuit breaker and the schedule recovers', async () => {
    // The circuit stays open longer than a pass interval here, to see a pass skip the ERP.
    const { scheduler, erpBreaker } = setup(
      { qtyMinutes: 5, itemMinutes: 0, fullAt: 'off' },
      8 * MIN,
    );
    expect(await scheduler.tick()).toBeNull();
    erp.down = true;
    for (let i = 0; i < 3; i++) {
      now += 5 * MIN;
      expect(await scheduler.tick()).toBe('quantities');
    }
    expect(erpBreaker.state()).toBe('open');
    const status = await readScheduleStatus(store.meta, clock());
    expect(status!.passes.quantities.last_error).toMatch(/ETIMEDOUT/);
    expect(status!.passes.quantities.last_success_started_at).toBeNull();

    // While open, the next pass does not even ping the ERP.
    erp.calls = [];
    now += 5 * MIN;
    expect(await scheduler.tick()).toBe('quantities');
    expect(erp.calls).toEqual([]);
    expect((await readScheduleStatus(store.meta, clock()))!.passes.quantities.last_error).toMatch(
      new CircuitOpenError('erp', 0).message.split(' (')[0]!,
    );

    erp.down = false;
    now += 5 * MIN;
    expect(await scheduler.tick()).toBe('quantities');
    const after = await readScheduleStatus(store.meta, clock());
    expect(after!.passes.quantities.last_error).toBeNull();
    expect(after!.passes.quantities.last_result).toMatchObject({ items_received: 2 });
  });

  it('a failed nightly pass is tried again after a while, until it succeeds', async () => {
    const { scheduler } = setup({ qtyMinutes: 0, itemMinutes: 0, fullAt: '02:00' });
    expect(await scheduler.tick()).toBeNull();
    now = Date.parse('2026-11-30T02:00:00Z');
    erp.down = true;
    expect(await scheduler.tick()).toBe('full');
    now += FULL_RETRY_MS - 1;
    expect(await scheduler.tick()).toBeNull();
    erp.down = false;
    now += 1;
    expect(await scheduler.tick()).toBe('full');
    now += FULL_RETRY_MS;
    expect(await scheduler.tick()).toBeNull();
  });

  it('another process holding the sync lock: the pass stays due, nothing is recorded', async () => {
    const { scheduler, coordination } = setup({ qtyMinutes: 5, itemMinutes: 0, fullAt: 'off' });
    expect(await scheduler.tick()).toBeNull();
    await coordination.acquireLock('erp:sync', 'other-process', 60 * MIN);
    now += 5 * MIN;
    expect(await scheduler.tick()).toBeNull();
    const status = await readScheduleStatus(store.meta, clock());
    expect(status!.passes.quantities.last_started_at).toBeNull();
    await coordination.releaseLock('erp:sync', 'other-process');
    expect(await scheduler.tick()).toBe('quantities');
  });

  it('/erp/status carries the schedule', async () => {
    const { service, scheduler } = setup({ qtyMinutes: 5, itemMinutes: 60, fullAt: '02:00' });
    expect((await service.status()).schedule).toBeNull();
    expect((await service.status()).circuit).toBe('closed');
    await scheduler.tick();
    // The console reads it through the shared schema (each pass by name).
    const status = erpStatusSchema.parse(await service.status());
    expect(status.schedule!.settings).toEqual({ qtyMinutes: 5, itemMinutes: 60, fullAt: '02:00' });
    expect(status.schedule!.passes.quantities.next_due_at).toBe('2026-11-29T10:05:00.000Z');
  });
});
