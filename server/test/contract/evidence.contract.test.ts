/**
 * Evidence and monitoring store contract (design §4 photos, §7): the photo, client-error and
 * monitoring repositories, run against every adapter that can run here — sqlite always, mongodb
 * only when MONGODB_URI points at a server.
 */
import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSqliteStore } from '../../src/adapters/store/sqlite';
import {
  T0,
  at,
  makeClaim,
  makeConflict,
  makeLine,
  makeUnknownItem,
} from '../support/counting-records';
import { storeAdapters, type StoreFixture } from '../support/store-adapters';
import type { CountLineRecord } from '../../src/ports/counting';
import type { ClientErrorRecord, PhotoMeta } from '../../src/ports/evidence';
import { StoreConflictError, type Store } from '../../src/ports/store';

const adapters = storeAdapters('evidence');

/** Bytes that look like a PNG, distinct per `seed`, with every byte value present. */
function pngBytes(seed: number, size = 4096): Buffer {
  const bytes = Buffer.alloc(size);
  for (let i = 0; i < size; i++) bytes[i] = (i * 31 + seed) % 256;
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(bytes);
  return bytes;
}

function makePhoto(bytes: Buffer, overrides: Partial<PhotoMeta> = {}): PhotoMeta {
  return {
    id: randomUUID(),
    content_type: 'image/png',
    bytes: bytes.length,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    uploaded_by: 'u-alice',
    uploaded_by_name: 'alice',
    uploaded_at: T0,
    ...overrides,
  };
}

function makeReport(id: string, overrides: Partial<ClientErrorRecord> = {}): ClientErrorRecord {
  return {
    id,
    source: 'pwa',
    message: `TypeError ${id}`,
    stack: 'TypeError: x is undefined\n    at scan (scan.ts:10:5)',
    url: 'https://stock.example/scan',
    app_version: '1.2.3',
    user_agent: 'Mozilla/5.0',
    context: { rack: 'A-01', nested: { online: false, queued: [1, 2] } },
    user_id: 'u-alice',
    username: 'alice',
    request_id: `req-${id}`,
    ip: '10.0.0.7',
    created_at: T0,
    ...overrides,
  };
}

describe.each(adapters)('evidence store contract: $name', (adapter) => {
  let f: StoreFixture;
  let store: Store;
  beforeEach(async () => {
    f = await adapter.open();
    store = f.store;
  });
  afterEach(async () => {
    await f.dispose();
  });

  describe('photos', () => {
    it('round-trips bytes and metadata exactly', async () => {
      const bytes = pngBytes(1, 300_000);
      const meta = makePhoto(bytes);
      await store.photos.save(meta, bytes);
      const got = await store.photos.get(meta.id);
      expect(got?.meta).toEqual(meta);
      expect(got?.bytes.equals(bytes)).toBe(true);
      expect(await store.photos.getMeta(meta.id)).toEqual(meta);
    });

    it('keeps photos apart and answers null for unknown ids', async () => {
      const a = pngBytes(1);
      const b = pngBytes(2);
      const metaA = makePhoto(a);
      const metaB = makePhoto(b, { content_type: 'image/webp', uploaded_by: 'u-bob' });
      await store.photos.save(metaA, a);
      await store.photos.save(metaB, b);
      expect((await store.photos.get(metaB.id))?.bytes.equals(b)).toBe(true);
      expect((await store.photos.getMeta(metaB.id))?.content_type).toBe('image/webp');
      expect(await store.photos.get(randomUUID())).toBeNull();
      expect(await store.photos.getMeta(randomUUID())).toBeNull();
    });

    it('refuses a second save of the same id, keeping the first bytes', async () => {
      const first = pngBytes(1);
      const meta = makePhoto(first);
      await store.photos.save(meta, first);
      await expect(store.photos.save(meta, pngBytes(9))).rejects.toBeInstanceOf(StoreConflictError);
      expect((await store.photos.get(meta.id))?.bytes.equals(first)).toBe(true);
    });

    it('names the sessions whose lines or unknown items carry a photo', async () => {
      const id = randomUUID();
      const other = randomUUID();
      expect(await store.photos.sessionsOf(id)).toEqual([]);
      await store.lines.insert(makeLine('p1', { session_id: 'S1', photo_ids: [other, id] }));
      await store.lines.insert(makeLine('p2', { session_id: 'S3', photo_ids: [other] }));
      await store.unknownItems.insertIfAbsent(
        makeUnknownItem('u1', { session_id: 'S2', photo_ids: [id] }),
      );
      expect((await store.photos.sessionsOf(id)).sort()).toEqual(['S1', 'S2']);
      expect((await store.photos.sessionsOf(other)).sort()).toEqual(['S1', 'S3']);
      expect(await store.photos.sessionsOf('../S1')).toEqual([]);
    });

    it('refuses ids that are not server-made UUIDs, reading and writing nothing', async () => {
      const bytes = pngBytes(3);
      for (const id of ['../../etc/passwd', '..', 'a/b', '', 'not-a-uuid', `${randomUUID()}x`]) {
        await expect(store.photos.save(makePhoto(bytes, { id }), bytes)).rejects.toThrow();
        expect(await store.photos.get(id)).toBeNull();
        expect(await store.photos.getMeta(id)).toBeNull();
      }
    });
  });

  describe('client errors', () => {
    it('stores reports and lists them newest first with totals', async () => {
      const old = makeReport('e1', { created_at: at(0) });
      const mid = makeReport('e2', { created_at: at(5), source: 'console', context: null });
      const bare = makeReport('e3', {
        created_at: at(10),
        stack: null,
        url: null,
        app_version: null,
        user_agent: null,
        context: null,
        user_id: null,
        username: null,
        request_id: null,
        ip: null,
      });
      for (const r of [mid, bare, old]) await store.clientErrors.insert(r);
      const all = await store.clientErrors.list({ page: 1, page_size: 10 });
      expect(all).toEqual({ items: [bare, mid, old], total: 3 });
      const page2 = await store.clientErrors.list({ page: 2, page_size: 2 });
      expect(page2).toEqual({ items: [old], total: 3 });
    });

    it('filters by source and by a [from, to) time window', async () => {
      await store.clientErrors.insert(makeReport('e1', { created_at: at(0) }));
      await store.clientErrors.insert(makeReport('e2', { created_at: at(5), source: 'console' }));
      await store.clientErrors.insert(makeReport('e3', { created_at: at(10) }));
      const pwa = await store.clientErrors.list({ page: 1, page_size: 10, source: 'pwa' });
      expect(pwa.items.map((r) => r.id)).toEqual(['e3', 'e1']);
      expect(pwa.total).toBe(2);
      const window = await store.clientErrors.list({
        page: 1,
        page_size: 10,
        from: at(0),
        to: at(10),
      });
      expect(window.items.map((r) => r.id)).toEqual(['e2', 'e1']);
      const both = await store.clientErrors.list({
        page: 1,
        page_size: 10,
        source: 'console',
        from: at(1),
      });
      expect(both.items.map((r) => r.id)).toEqual(['e2']);
    });

    it('orders reports of the same instant by id, descending', async () => {
      for (const id of ['e-b', 'e-c', 'e-a']) await store.clientErrors.insert(makeReport(id));
      const list = await store.clientErrors.list({ page: 1, page_size: 10 });
      expect(list.items.map((r) => r.id)).toEqual(['e-c', 'e-b', 'e-a']);
    });
  });

  describe('monitoring', () => {
    it('answers zeros on an empty store', async () => {
      expect(await store.monitoring.countOpenClaims()).toBe(0);
      expect(await store.monitoring.openConflicts()).toBe(0);
      expect(await store.monitoring.linesSince(T0)).toEqual({
        lines: 0,
        counters: 0,
        abs_variance: 0,
        abs_book: 0,
        variance_value_at_cost: 0,
      });
    });

    it('counts active and paused claims across sessions', async () => {
      await store.claims.insert(makeClaim('c1'));
      await store.claims.insert(makeClaim('c2', { session_id: 'S2', status: 'paused' }));
      await store.claims.insert(makeClaim('c3', { rack: 'A-02', status: 'completed' }));
      await store.claims.insert(makeClaim('c4', { rack: 'A-03', status: 'released' }));
      expect(await store.monitoring.countOpenClaims()).toBe(2);
      await store.claims.update('c1', { status: 'completed' });
      expect(await store.monitoring.countOpenClaims()).toBe(1);
    });

    it('sums lines received since a time that still count, across sessions', async () => {
      const put = async (line: CountLineRecord) => {
        const outcome = await store.lines.insert(line);
        expect(outcome.ok).toBe(true);
      };
      // Before the window: left out.
      await put(makeLine('old', { received_at: at(-1), variance: -50, book_qty: 100 }));
      // alice, S1: book 10, counted 7 → −3 at cost 2 → −6.
      await put(makeLine('a1', { received_at: at(0), variance: -3, value_at_cost: -6 }));
      // bob, S2: book 20, variance +4 at cost 1.5 → 6.
      await put(
        makeLine('b1', {
          session_id: 'S2',
          counted_by: 'u-bob',
          received_at: at(1),
          book_qty: 20,
          variance: 4,
          value_at_cost: 6,
        }),
      );
      // alice corrects a1 (a1 stops counting): variance −1 at cost 2 → −2.
      await put(
        makeLine('a2', { received_at: at(2), supersedes: 'a1', variance: -1, value_at_cost: -2 }),
      );
      // A rejected line does not count.
      await put(
        makeLine('r1', {
          item_code: 'ITM-2',
          received_at: at(3),
          variance: 99,
          value_at_cost: 99,
          counted_by: 'u-carol',
        }),
      );
      const rejected = await store.lines.getByOpId('r1');
      await store.lines.review(rejected!.id, {
        status: 'REJECTED',
        reviewed_by: 'u-sup',
        reviewed_at: at(4),
        review_note: 'miscount',
      });

      expect(await store.monitoring.linesSince(T0)).toEqual({
        lines: 2,
        counters: 2,
        abs_variance: 5,
        abs_book: 30,
        variance_value_at_cost: 4,
      });
      expect(await store.monitoring.linesSince(at(2))).toEqual({
        lines: 1,
        counters: 1,
        abs_variance: 1,
        abs_book: 10,
        variance_value_at_cost: -2,
      });
    });

    it('rounds the sums like the rest of the store', async () => {
      await store.lines.insert(
        makeLine('k1', { book_qty: 0.1, variance: 0.1, value_at_cost: 0.1 }),
      );
      await store.lines.insert(
        makeLine('k2', { item_code: 'ITM-2', book_qty: 0.2, variance: -0.2, value_at_cost: 0.2 }),
      );
      const figures = await store.monitoring.linesSince(T0);
      expect(figures.abs_book).toBe(0.3);
      expect(figures.abs_variance).toBe(0.3);
      expect(figures.variance_value_at_cost).toBe(0.3);
    });

    it('counts open conflicts across sessions', async () => {
      await store.conflicts.insertIfAbsent(makeConflict('k1'));
      await store.conflicts.insertIfAbsent(makeConflict('k2', { session_id: 'S2' }));
      await store.conflicts.insertIfAbsent(makeConflict('k3', { session_id: null }));
      expect(await store.monitoring.openConflicts()).toBe(3);
      await store.conflicts.resolve('k2', {
        status: 'DISCARDED',
        resolved_by: 'u-sup',
        resolved_at: at(1),
        note: null,
        line_id: null,
      });
      expect(await store.monitoring.openConflicts()).toBe(2);
    });
  });
});

describe('sqlite photo files', () => {
  it('keeps bytes under photos/ beside the database, with no temporary files left', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sv-photo-files-'));
    const store = createSqliteStore({ file: path.join(dir, 'data', 'store.db') });
    try {
      await store.init();
      const bytes = pngBytes(5);
      const meta = makePhoto(bytes);
      await store.photos.save(meta, bytes);
      expect(fs.readdirSync(path.join(dir, 'data', 'photos'))).toEqual([meta.id]);
      expect(fs.readFileSync(path.join(dir, 'data', 'photos', meta.id)).equals(bytes)).toBe(true);
    } finally {
      await store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('uses photosDir when given, and a temporary folder for :memory:', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sv-photo-dir-'));
    const memory = createSqliteStore({ file: ':memory:' });
    const custom = createSqliteStore({ file: ':memory:', photosDir: path.join(dir, 'pics') });
    try {
      await memory.init();
      await custom.init();
      const bytes = pngBytes(6);
      const meta = makePhoto(bytes);
      await memory.photos.save(meta, bytes);
      expect((await memory.photos.get(meta.id))?.bytes.equals(bytes)).toBe(true);
      await custom.photos.save(meta, bytes);
      expect(fs.readdirSync(path.join(dir, 'pics'))).toEqual([meta.id]);
    } finally {
      await memory.close();
      await custom.close();
      // A given photosDir belongs to the caller: close leaves it alone.
      expect(fs.existsSync(path.join(dir, 'pics'))).toBe(true);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
