import { randomUUID } from 'node:crypto';
import {
  compareWatermarks,
  type ErpStatus,
  type ImportResult,
  type Item,
  type StockQty,
} from '@stockverify/shared';
import type { Coordination } from '../../ports/coordination';
import type { ErpSource } from '../../ports/erp';
import type { FirstMirror, Store } from '../../ports/store';
import type { CircuitBreaker } from '../../lib/circuit-breaker';
import {
  ImportLimitExceeded,
  type ItemMasterParser,
  type ParsedItemMaster,
} from '../../ports/item-master-import';
import { AppError, validationError } from '../../lib/errors';
import type { Actor, AuditLog, RequestMeta } from '../audit/audit-log';
import type { ErpStatusRecorder } from './erp-status';
import { readScheduleStatus, type SyncPass } from './erp-scheduler';
import { readMirrorProgress, startMirrorProgress } from './mirror-progress';
import { writeMirrorWatermark, type MirrorWatermarkDoc } from './mirror-watermark';
import { createMovementPuller, readMovementStatus, type MovementPullDeps } from './movement-pull';

export interface ErpServiceDeps {
  store: Store;
  coordination: Coordination;
  erp: ErpSource;
  /** Reads an uploaded item-master file (adapters/erp: in a worker thread, with caps). */
  parseItemMaster: ItemMasterParser;
  erpBreaker: CircuitBreaker;
  erpStatus: ErpStatusRecorder;
  audit: AuditLog;
  clock: () => Date;
}

export interface SyncResult {
  items_received: number;
  inserted: number;
  updated: number;
  warehouses: number;
  duration_ms: number;
}

/** What a quantities pass did (the scheduler records it per pass). */
export interface QuantitiesResult {
  items_received: number;
  updated: number;
  unchanged: number;
  /** Items the mirror does not have yet: the next items pass reads them whole. */
  not_mirrored: number;
  /** Fractional quantities for a whole-number unit. */
  rejected: number;
  duration_ms: number;
}

/** Same warehouse/rack quantities, in any order. */
function sameStock(a: readonly StockQty[], b: readonly StockQty[]): boolean {
  if (a.length !== b.length) return false;
  const key = (row: StockQty) => `${row.warehouse}\u0000${row.rack ?? ''}\u0000${row.qty}`;
  const left = a.map(key).sort();
  const right = b.map(key).sort();
  return left.every((k, i) => k === right[i]);
}

export interface UploadedFile {
  buffer: Buffer;
  originalname: string;
}

export type ErpService = ReturnType<typeof createErpService>;

const SYNC_LOCK = 'erp:sync';
const SYNC_LOCK_TTL_MS = 30 * 60 * 1000;
// Items per write transaction: the SQLite adapter writes 2,000 in about 80 ms of CPU (issue #13),
// under the ~100 ms a turn of the event loop may take; larger transactions commit less often.
const SYNC_BATCH = 2000;

/** Detects the item-master format from the file name, then from the bytes (XLSX is a zip). */
export function detectFormat(file: UploadedFile): 'csv' | 'xlsx' {
  const name = file.originalname.toLowerCase();
  if (name.endsWith('.xlsx')) return 'xlsx';
  if (name.endsWith('.csv') || name.endsWith('.txt')) return 'csv';
  if (file.buffer.subarray(0, 2).toString('latin1') === 'PK') return 'xlsx';
  return 'csv';
}

/** Mirrors the ERP item master into the Store, imports files, reports status. */
export function createErpService(deps: ErpServiceDeps) {
  const { store, coordination, erp, parseItemMaster, erpBreaker, erpStatus, audit, clock } = deps;

  /** The source's item count for a pass, or null when it cannot say (progress shows no total). */
  async function countItems(since: Date | undefined): Promise<number | null> {
    if (!erp.countItems) return null;
    try {
      return await erpBreaker.call(() => erp.countItems!({ since }));
    } catch {
      return null;
    }
  }

  /**
   * The ledger's watermark before a pass reads stock (issue #17): kept once the pass succeeded, so
   * sessions know which movements their snapshot includes. Null when the source has no ledger;
   * `known: false` when it could not say.
   */
  async function ledgerWatermark(
    read: (() => Promise<string | null>) | undefined = erp.currentWatermark?.bind(erp),
  ): Promise<MirrorWatermarkDoc | null> {
    if (!read) return null;
    const readAt = clock().toISOString();
    try {
      const watermark = await erpBreaker.call(read);
      return { watermark, known: true, read_at: readAt };
    } catch {
      // The pass goes on; its book will be newer than any watermark kept before: none is known.
      return { watermark: null, known: false, read_at: readAt };
    }
  }

  /**
   * The ledger's watermark again, after a pass read its stock (design §13): a movement posted
   * meanwhile may be in the book and after `before.watermark`. If the ledger cannot say it now,
   * the window is unbounded and no watermark is known for this book.
   */
  async function ledgerWatermarkAfter(
    before: MirrorWatermarkDoc | null,
  ): Promise<MirrorWatermarkDoc | null> {
    if (!before?.known) return before;
    const after = await ledgerWatermark((erp.windowWatermark ?? erp.currentWatermark)?.bind(erp));
    // Unknown now, or behind the first read (a ledger restored meanwhile): no bound on the window.
    const behind =
      before.watermark !== null &&
      (after?.watermark === null ||
        after?.watermark === undefined ||
        compareWatermarks(after.watermark, before.watermark) < 0);
    if (!after?.known || behind) return { watermark: null, known: false, read_at: before.read_at };
    return { ...before, watermark_high: after.watermark };
  }

  return {
    /** Pulls the whole item master (or what changed since `since`) into the store. One at a time. */
    async sync(
      actor: Actor | null,
      meta: RequestMeta,
      options: { since?: Date; warehouses?: boolean } = {},
    ): Promise<SyncResult> {
      const owner = randomUUID();
      const lock = await coordination.acquireLock(SYNC_LOCK, owner, SYNC_LOCK_TTL_MS);
      if (!lock.ok) throw new AppError(409, 'CONFLICT', 'An ERP sync is already running');
      const started = clock().getTime();
      const result: SyncResult = {
        items_received: 0,
        inserted: 0,
        updated: 0,
        warehouses: 0,
        duration_ms: 0,
      };
      let failure: unknown = null;
      // /erp/status shows how far the pass is (a first mirror of 100,000 items takes seconds);
      // items not mirrored yet are still found meanwhile: a lookup falls through to the ERP.
      const progress = startMirrorProgress(store.meta, clock, options.since === undefined);
      let firstMirror: FirstMirror | null = null;
      let watermark: MirrorWatermarkDoc | null = null;
      try {
        watermark = await ledgerWatermark();
        await progress.begin(await countItems(options.since));
        if (options.warehouses ?? true) {
          const warehouses = await erpBreaker.call(() => erp.fetchWarehouses());
          await store.locations.upsertWarehouses(warehouses);
          result.warehouses = warehouses.length;
        }
        // A full pass into an empty mirror: the store may build some indexes once, at the end.
        if (options.since === undefined)
          firstMirror = (await store.items.beginFirstMirror?.()) ?? null;
        // Small batches, yielding between them: the SQLite adapter writes synchronously, and a
        // 100k-item sync must not stall the lookups of phones scanning meanwhile.
        for await (const batch of erp.fetchItems({ since: options.since, batchSize: SYNC_BATCH })) {
          const written = await store.items.upsertMany(batch);
          result.items_received += batch.length;
          result.inserted += written.inserted;
          result.updated += written.updated;
          await progress.advance(result.items_received);
          await new Promise((resolve) => setImmediate(resolve));
        }
        watermark = await ledgerWatermarkAfter(watermark);
      } catch (err) {
        failure = err;
      } finally {
        // Also after a failure: the items written so far are searched with those indexes.
        try {
          await firstMirror?.finish();
        } catch (err) {
          failure ??= err;
        }
        result.duration_ms = clock().getTime() - started;
        if (!failure && watermark) await writeMirrorWatermark(store.meta, watermark);
        await progress.finish(result.items_received, failure);
        await erpStatus.recordSync({ ...result }, failure);
        await coordination.releaseLock(SYNC_LOCK, owner);
      }
      await audit.record(
        actor,
        meta,
        failure ? 'erp.sync_failed' : 'erp.sync',
        { type: 'erp', id: erp.kind },
        {
          ...result,
          ...(failure
            ? { error: failure instanceof Error ? failure.message : String(failure) }
            : {}),
        },
      );
      if (failure) {
        throw new AppError(
          503,
          'ERP_UNAVAILABLE',
          `ERP sync failed: ${failure instanceof Error ? failure.message : String(failure)}`,
          undefined,
          undefined,
          {
            'Retry-After': '30',
          },
        );
      }
      return result;
    },

    /**
     * The quantities pass where the source can read stock alone (SQL Server): the stock rows of
     * items changed since `since` replace those of the mirrored items. Items the mirror does not
     * have yet are left for the next items pass, which reads them whole.
     */
    async syncQuantities(since: Date | undefined): Promise<QuantitiesResult> {
      const readStock = erp.fetchStock?.bind(erp);
      if (!readStock) throw new Error(`the ${erp.kind} source cannot read stock alone`);
      const owner = randomUUID();
      const lock = await coordination.acquireLock(SYNC_LOCK, owner, SYNC_LOCK_TTL_MS);
      if (!lock.ok) throw new AppError(409, 'CONFLICT', 'An ERP sync is already running');
      const started = clock().getTime();
      const result: QuantitiesResult = {
        items_received: 0,
        updated: 0,
        unchanged: 0,
        not_mirrored: 0,
        rejected: 0,
        duration_ms: 0,
      };
      let failure: unknown = null;
      let watermark: MirrorWatermarkDoc | null = null;
      try {
        watermark = await ledgerWatermark();
        for await (const batch of readStock({ since, batchSize: SYNC_BATCH })) {
          result.items_received += batch.length;
          const mirrored = new Map(
            (await store.items.getMany(batch.map((u) => u.item_code))).map((i) => [i.item_code, i]),
          );
          const changed: Item[] = [];
          for (const update of batch) {
            const item = mirrored.get(update.item_code);
            if (!item) {
              result.not_mirrored++;
              continue;
            }
            // The item's unit decides whether a fractional book quantity is valid (as on import).
            if (!item.decimal_qty && update.stock.some((row) => !Number.isInteger(row.qty))) {
              result.rejected++;
              continue;
            }
            if (sameStock(item.stock, update.stock)) {
              result.unchanged++;
              continue;
            }
            changed.push({
              ...item,
              stock: update.stock,
              updated_at: update.updated_at ?? clock().toISOString(),
            });
          }
          if (changed.length > 0) result.updated += (await store.items.upsertMany(changed)).updated;
          await new Promise((resolve) => setImmediate(resolve));
        }
        watermark = await ledgerWatermarkAfter(watermark);
      } catch (err) {
        failure = err;
      } finally {
        result.duration_ms = clock().getTime() - started;
        if (!failure && watermark) await writeMirrorWatermark(store.meta, watermark);
        await erpStatus.recordSync({ ...result, pass: 'quantities' }, failure);
        await coordination.releaseLock(SYNC_LOCK, owner);
      }
      if (failure) throw failure;
      return result;
    },

    /**
     * One scheduled pass (erp-scheduler.ts): the ERP is pinged through the circuit breaker first,
     * so while it is down passes fail at once instead of each waiting for a connect timeout.
     */
    async scheduledPass(
      pass: SyncPass,
      since: Date | undefined,
    ): Promise<SyncResult | QuantitiesResult> {
      await erpBreaker.call(() => erp.ping());
      if (pass === 'quantities' && erp.fetchStock) return this.syncQuantities(since);
      return this.sync(
        null,
        { request_id: null, ip: null },
        { since, warehouses: pass !== 'quantities' },
      );
    },

    /** Imports an uploaded CSV/XLSX item master: valid rows are kept, bad rows reported. */
    async importFile(actor: Actor, meta: RequestMeta, file: UploadedFile): Promise<ImportResult> {
      if (file.buffer.length === 0)
        throw validationError([{ path: 'file', message: 'the file is empty' }]);
      const format = detectFormat(file);
      let parsed: ParsedItemMaster;
      try {
        // In a worker thread with caps on what the file unpacks to (issue #12).
        parsed = await parseItemMaster(file.buffer, format, { now: clock() });
      } catch (err) {
        if (err instanceof ImportLimitExceeded) {
          throw new AppError(
            413,
            'PAYLOAD_TOO_LARGE',
            `The file is too large to import: ${err.message}`,
            [
              {
                path: 'file',
                message: err.message,
                code: `IMPORT_${err.cap.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`,
              },
            ],
            { cap: err.cap, limit: err.limit },
          );
        }
        throw validationError(
          [{ path: 'file', message: err instanceof Error ? err.message : String(err) }],
          'The file cannot be read as an item master',
        );
      }
      // Written in batches with a turn of the event loop between them, like a sync (issue #12).
      const written = { inserted: 0, updated: 0 };
      for (let i = 0; i < parsed.items.length; i += SYNC_BATCH) {
        const batch = await store.items.upsertMany(parsed.items.slice(i, i + SYNC_BATCH));
        written.inserted += batch.inserted;
        written.updated += batch.updated;
        await new Promise((resolve) => setImmediate(resolve));
      }
      if (parsed.warehouses.length > 0) await mergeWarehouses(store, parsed.warehouses);
      // Book quantities from a file: no ledger watermark is known for them (issue #17), so sessions
      // created now record none rather than an older one the file's book may already include.
      if (erp.fetchMovements && parsed.items.length > 0) {
        await writeMirrorWatermark(store.meta, {
          watermark: null,
          known: false,
          read_at: clock().toISOString(),
        });
      }
      const result: ImportResult = {
        format,
        rows: parsed.rows,
        accepted: parsed.items.length,
        inserted: written.inserted,
        updated: written.updated,
        rejected: parsed.rejected,
        errors: parsed.errors,
        ignored_columns: parsed.ignoredColumns,
      };
      await audit.record(
        actor,
        meta,
        'erp.import',
        { type: 'erp', id: 'file' },
        {
          file: file.originalname,
          format,
          rows: result.rows,
          accepted: result.accepted,
          rejected: result.rejected,
        },
      );
      return result;
    },

    async status(): Promise<ErpStatus> {
      const doc = await erpStatus.read();
      let reachable: boolean | null;
      try {
        await erpBreaker.call(() => erp.ping());
        reachable = true;
      } catch (err) {
        reachable = false;
        await erpStatus.recordError(err);
      }
      const latest = await erpStatus.read();
      return {
        source: erp.kind,
        last_sync_at: doc.last_sync_at,
        last_success_at: doc.last_success_at,
        last_error: latest.last_error,
        last_error_at: latest.last_error_at,
        item_count: await store.items.count(),
        reachable,
        // closed = calls go through; open = failing fast after repeated failures (design §5).
        circuit: erpBreaker.state(),
        // Each scheduled pass's last run and next due time (null when no schedule runs).
        schedule: await readScheduleStatus(store.meta, clock()),
        // The latest items pass: items done of total and when it started, live while it runs.
        mirror: await readMirrorProgress(store.meta, clock()),
        // The movement pull (issue #17): watermark, last pull, lag; null without a ledger.
        movements: erp.fetchMovements ? await readMovementStatus(store, clock()) : null,
      } satisfies ErpStatus;
    },

    /** The movement pull of this process (issue #17); main.ts starts and stops it. */
    movementPuller(
      options: Pick<MovementPullDeps, 'intervalMs' | 'log' | 'pageSize' | 'maxPages'>,
    ) {
      return createMovementPuller({ ...options, store, coordination, erp, erpBreaker, clock });
    },
  };
}

/** Adds imported racks to known warehouses instead of replacing what the ERP told us. */
async function mergeWarehouses(store: Store, incoming: ParsedItemMaster['warehouses']) {
  const merged = [];
  for (const wh of incoming) {
    const existing = await store.locations.getWarehouse(wh.id);
    if (!existing) {
      merged.push(wh);
      continue;
    }
    const floors = new Map(existing.floors.map((f) => [f.code, f]));
    for (const f of wh.floors) if (!floors.has(f.code)) floors.set(f.code, f);
    const racks = new Map(existing.racks.map((r) => [r.code, r]));
    for (const r of wh.racks) if (!racks.has(r.code)) racks.set(r.code, r);
    merged.push({ ...existing, floors: [...floors.values()], racks: [...racks.values()] });
  }
  await store.locations.upsertWarehouses(merged);
}
