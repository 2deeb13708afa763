/**
 * Store contract (design §3, §8): one suite, run against every adapter that can run here — sqlite
 * always, mongodb only when MONGODB_URI points at a server.
 */
import type { Item, Warehouse } from '@stockverify/shared';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { storeAdapters, type StoreFixture } from '../support/store-adapters';
import { trigrams } from '../../src/lib/text';
import {
  StoreConflictError,
  type AuditEntry,
  type RefreshTokenRecord,
  type Store,
  type UserRecord,
} from '../../src/ports/store';

const adapters = storeAdapters('core');

const T0 = '2025-03-01T08:00:00.000Z';

/** A user with every field set, so a round trip proves each one is stored. */
function makeUser(username: string, overrides: Partial<UserRecord> = {}): UserRecord {
  return {
    id: `u-${username}`,
    username,
    full_name: `Full ${username}`,
    role: 'staff',
    warehouse: 'WH1',
    active: true,
    password_hash: '$argon2id$hash',
    pin_hash: null,
    consecutive_failures: 0,
    failure_times: [],
    locked_until: null,
    hard_locked: false,
    created_at: T0,
    updated_at: T0,
    last_login_at: null,
    ...overrides,
  };
}

/** A live refresh token of `u-alice`, family `f1`, expiring a week after T0. */
function makeRefreshToken(
  id: string,
  overrides: Partial<RefreshTokenRecord> = {},
): RefreshTokenRecord {
  return {
    id,
    user_id: 'u-alice',
    family_id: 'f1',
    token_hash: `hash-${id}`,
    device_id: 'phone-1',
    created_at: T0,
    expires_at: '2025-03-08T08:00:00.000Z',
    used_at: null,
    revoked_at: null,
    ...overrides,
  };
}

/** An audit entry at `at` by alice. */
function makeAuditEntry(id: string, at: string, overrides: Partial<AuditEntry> = {}): AuditEntry {
  return {
    id,
    at,
    actor_id: 'u-alice',
    actor_username: 'alice',
    actor_role: 'supervisor',
    action: 'user.update',
    target_type: 'user',
    target_id: 'u-bob',
    summary: { before: { role: 'staff' }, after: { role: 'supervisor' } },
    request_id: `req-${id}`,
    ip: '10.0.0.7',
    ...overrides,
  };
}

/** An item with a primary barcode derived from its code and one WH1 stock row. */
function makeItem(itemCode: string, overrides: Partial<Item> = {}): Item {
  return {
    item_code: itemCode,
    name: `Item ${itemCode}`,
    category: 'Hardware',
    brand: 'Acme',
    supplier: null,
    uom: 'pcs',
    decimal_qty: false,
    price: 12.5,
    cost: 8.25,
    serialized: false,
    batch_tracked: false,
    barcodes: [{ code: `BC-${itemCode}`, kind: 'primary', pack_qty: 1 }],
    stock: [{ warehouse: 'WH1', rack: 'A-01', qty: 10 }],
    active: true,
    updated_at: T0,
    ...overrides,
  };
}

/** A warehouse with one floor and two racks. */
function makeWarehouse(id: string, overrides: Partial<Warehouse> = {}): Warehouse {
  return {
    id,
    name: `Warehouse ${id}`,
    floors: [{ code: 'G', name: 'Ground' }],
    racks: [
      { code: 'A-01', floor: 'G', location_barcode: `LOC-${id}-A01` },
      { code: 'A-02', floor: 'G', location_barcode: null },
    ],
    ...overrides,
  };
}

const codes = (items: readonly Item[]) => items.map((i) => i.item_code);

describe.each(adapters)('Store contract: $name', (adapter) => {
  let fx: StoreFixture;
  let store: Store;

  beforeEach(async () => {
    fx = await adapter.open();
    store = fx.store;
  });
  afterEach(async () => {
    await fx.dispose();
  });

  describe('lifecycle', () => {
    it('reports its kind, answers ping, and init() twice keeps the data', async () => {
      expect(store.kind).toBe(adapter.name);
      await store.ping();
      await store.users.create(makeUser('alice'));
      await store.init();
      expect(await store.users.count()).toBe(1);
    });

    it('keeps every kind of data across close and reopen', async () => {
      await store.users.create(makeUser('alice'));
      await store.refreshTokens.insert(makeRefreshToken('t1'));
      await store.audit.append(makeAuditEntry('a1', T0));
      await store.items.upsertMany([makeItem('ITM-1')]);
      await store.locations.upsertWarehouses([makeWarehouse('WH1')]);
      await store.meta.set('erp.status', { ok: true });

      const reopened = await fx.reopen();

      expect(await reopened.users.getByUsername('alice')).toEqual(makeUser('alice'));
      expect(await reopened.refreshTokens.getByHash('hash-t1')).toEqual(makeRefreshToken('t1'));
      expect((await reopened.audit.list({ page: 1, page_size: 10 })).items).toEqual([
        makeAuditEntry('a1', T0),
      ]);
      expect(await reopened.items.findByBarcode('BC-ITM-1')).not.toBeNull();
      expect(await reopened.locations.getWarehouse('WH1')).toEqual(makeWarehouse('WH1'));
      expect(await reopened.meta.get('erp.status')).toEqual({ ok: true });
    });
  });

  describe('users', () => {
    it('creates a user and finds it by id and by username in any case', async () => {
      const alice = makeUser('alice', {
        role: 'supervisor',
        warehouse: null,
        pin_hash: '$argon2id$pin',
        failure_times: ['2025-03-01T07:00:00.000Z'],
        consecutive_failures: 1,
        locked_until: '2025-03-01T09:00:00.000Z',
        hard_locked: true,
        active: false,
        last_login_at: '2025-02-28T08:00:00.000Z',
      });
      await store.users.create(alice);

      expect(await store.users.get('u-alice')).toEqual(alice);
      expect(await store.users.getByUsername('alice')).toEqual(alice);
      expect(await store.users.getByUsername('ALICE')).toEqual(alice);
      expect(await store.users.get('u-nobody')).toBeNull();
      expect(await store.users.getByUsername('nobody')).toBeNull();
    });

    it('rejects a taken username, whatever its case, with StoreConflictError("username")', async () => {
      await store.users.create(makeUser('alice'));
      const again = store.users.create(makeUser('alice', { id: 'u-other' }));
      await expect(again).rejects.toBeInstanceOf(StoreConflictError);
      await expect(store.users.create(makeUser('ALICE', { id: 'u-third' }))).rejects.toMatchObject({
        field: 'username',
      });
      expect(await store.users.count()).toBe(1);
    });

    it('rejects a taken id with StoreConflictError("id")', async () => {
      await store.users.create(makeUser('alice'));
      await expect(store.users.create(makeUser('bob', { id: 'u-alice' }))).rejects.toMatchObject({
        name: 'StoreConflictError',
        field: 'id',
      });
      expect(await store.users.getByUsername('bob')).toBeNull();
    });

    it('lists by username with paging, total and role / active / q filters', async () => {
      await store.users.create(makeUser('dave', { role: 'admin', full_name: 'Dave Admin' }));
      await store.users.create(makeUser('alice', { role: 'supervisor', full_name: 'Alice Lund' }));
      await store.users.create(makeUser('carol', { active: false, full_name: 'Carol Berg' }));
      await store.users.create(makeUser('bob', { full_name: 'Bob Lundqvist' }));
      await store.users.create(makeUser('erin', { full_name: 'Erin Svensson' }));

      const page1 = await store.users.list({ page: 1, page_size: 2 });
      const page3 = await store.users.list({ page: 3, page_size: 2 });
      expect(page1.items.map((u) => u.username)).toEqual(['alice', 'bob']);
      expect(page1.total).toBe(5);
      expect(page3.items.map((u) => u.username)).toEqual(['erin']);
      expect(page3.total).toBe(5);
      expect((await store.users.list({ page: 4, page_size: 2 })).items).toEqual([]);

      const staff = await store.users.list({ page: 1, page_size: 10, role: 'staff' });
      expect(staff.items.map((u) => u.username)).toEqual(['bob', 'carol', 'erin']);
      expect(staff.total).toBe(3);

      const inactive = await store.users.list({ page: 1, page_size: 10, active: false });
      expect(inactive.items.map((u) => u.username)).toEqual(['carol']);
      const active = await store.users.list({ page: 1, page_size: 10, active: true });
      expect(active.total).toBe(4);

      // q is a case-insensitive substring of the username or the full name.
      const lund = await store.users.list({ page: 1, page_size: 10, q: 'LUND' });
      expect(lund.items.map((u) => u.username)).toEqual(['alice', 'bob']);
      const byName = await store.users.list({ page: 1, page_size: 10, q: 'ro' });
      expect(byName.items.map((u) => u.username)).toEqual(['carol']);
      const combined = await store.users.list({ page: 1, page_size: 1, q: 'lund', role: 'staff' });
      expect(combined).toEqual({ items: [expect.objectContaining({ username: 'bob' })], total: 1 });
      // Pattern characters are text, not wildcards.
      expect((await store.users.list({ page: 1, page_size: 10, q: '%' })).total).toBe(0);
      expect((await store.users.list({ page: 1, page_size: 10, q: '.*' })).total).toBe(0);
    });

    it('updates: returns the new record, keeps unpatched fields, null for a missing id', async () => {
      const bob = makeUser('bob');
      await store.users.create(bob);
      const patch = {
        role: 'supervisor' as const,
        active: false,
        consecutive_failures: 3,
        failure_times: ['2025-03-01T08:01:00.000Z', '2025-03-01T08:02:00.000Z'],
        locked_until: '2025-03-01T08:30:00.000Z',
        hard_locked: true,
        updated_at: '2025-03-01T08:03:00.000Z',
      };
      const expected = { ...bob, ...patch };

      expect(await store.users.update('u-bob', patch)).toEqual(expected);
      expect(await store.users.get('u-bob')).toEqual(expected);
      expect(await store.users.update('u-bob', { locked_until: null })).toEqual({
        ...expected,
        locked_until: null,
      });
      // A key present with the value undefined changes nothing (it has no JSON or BSON form).
      expect(await store.users.update('u-bob', { full_name: undefined, pin_hash: '$pin' })).toEqual(
        { ...expected, locked_until: null, pin_hash: '$pin' },
      );
      expect(await store.users.update('u-nobody', { active: false })).toBeNull();
      expect(await store.users.count()).toBe(1);
    });

    it('counts users', async () => {
      expect(await store.users.count()).toBe(0);
      await store.users.create(makeUser('alice'));
      await store.users.create(makeUser('bob'));
      expect(await store.users.count()).toBe(2);
    });
  });

  describe('refresh tokens', () => {
    it('stores a token and finds it by hash', async () => {
      await store.refreshTokens.insert(makeRefreshToken('t1'));
      expect(await store.refreshTokens.getByHash('hash-t1')).toEqual(makeRefreshToken('t1'));
      expect(await store.refreshTokens.getByHash('hash-unknown')).toBeNull();
    });

    it('consumes a token exactly once, even when two refreshes race', async () => {
      await store.refreshTokens.insert(makeRefreshToken('t1'));
      await store.refreshTokens.insert(makeRefreshToken('t2'));
      const at = '2025-03-01T09:00:00.000Z';

      expect(await store.refreshTokens.consume('t1', at)).toBe(true);
      expect(await store.refreshTokens.consume('t1', at)).toBe(false);
      expect(await store.refreshTokens.getByHash('hash-t1')).toMatchObject({ used_at: at });

      const race = await Promise.all([
        store.refreshTokens.consume('t2', at),
        store.refreshTokens.consume('t2', at),
      ]);
      expect(race.filter(Boolean)).toHaveLength(1);
      expect(await store.refreshTokens.consume('missing', at)).toBe(false);
    });

    it('does not consume a revoked token', async () => {
      await store.refreshTokens.insert(makeRefreshToken('t1', { revoked_at: T0 }));
      expect(await store.refreshTokens.consume('t1', T0)).toBe(false);
      expect(await store.refreshTokens.getByHash('hash-t1')).toMatchObject({ used_at: null });
    });

    it('revokes a family or a user, counting only tokens not yet revoked', async () => {
      const earlier = '2025-03-01T07:00:00.000Z';
      await store.refreshTokens.insert(makeRefreshToken('t1'));
      await store.refreshTokens.insert(makeRefreshToken('t2'));
      await store.refreshTokens.insert(makeRefreshToken('t3', { revoked_at: earlier }));
      await store.refreshTokens.insert(makeRefreshToken('t4', { family_id: 'f2' }));
      await store.refreshTokens.insert(
        makeRefreshToken('t5', { user_id: 'u-bob', family_id: 'f3' }),
      );
      const at = '2025-03-01T09:00:00.000Z';

      expect(await store.refreshTokens.revokeFamily('f1', at)).toBe(2);
      expect(await store.refreshTokens.revokeFamily('f1', at)).toBe(0);
      expect(await store.refreshTokens.getByHash('hash-t1')).toMatchObject({ revoked_at: at });
      expect(await store.refreshTokens.getByHash('hash-t3')).toMatchObject({ revoked_at: earlier });
      expect(await store.refreshTokens.getByHash('hash-t4')).toMatchObject({ revoked_at: null });

      expect(await store.refreshTokens.revokeUser('u-alice', at)).toBe(1);
      expect(await store.refreshTokens.getByHash('hash-t4')).toMatchObject({ revoked_at: at });
      expect(await store.refreshTokens.getByHash('hash-t5')).toMatchObject({ revoked_at: null });
      expect(await store.refreshTokens.revokeUser('u-bob', at)).toBe(1);
    });

    it('deletes tokens that expired strictly before the given time', async () => {
      await store.refreshTokens.insert(
        makeRefreshToken('old', { expires_at: '2025-03-01T00:00:00.000Z' }),
      );
      await store.refreshTokens.insert(
        makeRefreshToken('edge', { expires_at: '2025-03-02T00:00:00.000Z' }),
      );
      await store.refreshTokens.insert(
        makeRefreshToken('live', { expires_at: '2025-03-09T00:00:00.000Z' }),
      );

      expect(await store.refreshTokens.deleteExpired('2025-03-02T00:00:00.000Z')).toBe(1);
      expect(await store.refreshTokens.getByHash('hash-old')).toBeNull();
      expect(await store.refreshTokens.getByHash('hash-edge')).not.toBeNull();
      expect(await store.refreshTokens.getByHash('hash-live')).not.toBeNull();
      expect(await store.refreshTokens.deleteExpired('2025-03-02T00:00:00.000Z')).toBe(0);
    });
  });

  describe('audit', () => {
    const at = (minute: number) => `2025-03-01T08:${String(minute).padStart(2, '0')}:00.000Z`;

    beforeEach(async () => {
      await store.audit.append(
        makeAuditEntry('a1', at(1), {
          action: 'auth.login',
          target_type: null,
          target_id: null,
          summary: null,
        }),
      );
      await store.audit.append(makeAuditEntry('a2', at(2)));
      await store.audit.append(
        makeAuditEntry('a3', at(3), {
          actor_id: 'u-bob',
          actor_username: 'bob',
          actor_role: 'staff',
          action: 'count.create',
          target_type: 'session',
          target_id: 's1',
          summary: { qty: 5, serials: ['SN1'], nested: { ok: true } },
          ip: null,
          request_id: null,
        }),
      );
      // Same instant as a3: the id breaks the tie, newest (highest) first.
      await store.audit.append(makeAuditEntry('a4', at(3), { target_id: 'u-carol' }));
      await store.audit.append(
        makeAuditEntry('a5', at(5), { actor_id: null, actor_username: null, actor_role: null }),
      );
    });

    it('lists newest first with paging and a total', async () => {
      const page1 = await store.audit.list({ page: 1, page_size: 2 });
      const page2 = await store.audit.list({ page: 2, page_size: 2 });
      const page3 = await store.audit.list({ page: 3, page_size: 2 });
      expect(page1.items.map((e) => e.id)).toEqual(['a5', 'a4']);
      expect(page2.items.map((e) => e.id)).toEqual(['a3', 'a2']);
      expect(page3.items.map((e) => e.id)).toEqual(['a1']);
      expect(page1.total).toBe(5);
      expect(page2.items[0]).toEqual(
        expect.objectContaining({
          summary: { qty: 5, serials: ['SN1'], nested: { ok: true } },
          ip: null,
        }),
      );
      expect(page3.items[0]).toEqual(
        makeAuditEntry('a1', at(1), {
          action: 'auth.login',
          target_type: null,
          target_id: null,
          summary: null,
        }),
      );
    });

    it('filters by actor, action, target and a [from, to) time range', async () => {
      const ids = async (q: Partial<Parameters<Store['audit']['list']>[0]>) => {
        const result = await store.audit.list({ page: 1, page_size: 50, ...q });
        expect(result.total).toBe(result.items.length);
        return result.items.map((e) => e.id);
      };
      expect(await ids({ actor_id: 'u-bob' })).toEqual(['a3']);
      expect(await ids({ action: 'user.update' })).toEqual(['a5', 'a4', 'a2']);
      expect(await ids({ target_type: 'user' })).toEqual(['a5', 'a4', 'a2']);
      expect(await ids({ target_type: 'user', target_id: 'u-carol' })).toEqual(['a4']);
      expect(await ids({ target_id: 's1' })).toEqual(['a3']);
      expect(await ids({ from: at(2), to: at(5) })).toEqual(['a4', 'a3', 'a2']);
      expect(await ids({ from: at(3) })).toEqual(['a5', 'a4', 'a3']);
      expect(await ids({ to: at(2) })).toEqual(['a1']);
      expect(await ids({ actor_id: 'u-alice', from: at(2), to: at(4) })).toEqual(['a4', 'a2']);
      expect(await ids({ action: 'nothing' })).toEqual([]);
    });
  });

  describe('items', () => {
    it('upserts, counting inserted and updated, and reads items back whole', async () => {
      const full = makeItem('ITM-1', {
        name: 'Copper Cable 2.5mm',
        supplier: 'Nordic Wire',
        category: null,
        uom: 'm',
        decimal_qty: true,
        serialized: true,
        batch_tracked: true,
        active: false,
        price: 3.75,
        cost: 0,
        barcodes: [
          { code: '7310000000011', kind: 'primary', pack_qty: 1 },
          { code: 'MAN-1', kind: 'manual', pack_qty: 1 },
          { code: '17310000000018', kind: 'pack', pack_qty: 50 },
        ],
        stock: [
          { warehouse: 'WH1', rack: 'A-01', qty: 12.5 },
          { warehouse: 'WH1', rack: null, qty: 0 },
          { warehouse: 'WH2', rack: 'B-07', qty: -2 },
        ],
      });
      expect(await store.items.upsertMany([full, makeItem('ITM-2')])).toEqual({
        inserted: 2,
        updated: 0,
      });
      expect(await store.items.get('ITM-1')).toEqual(full);
      expect(await store.items.get('itm-1')).toBeNull();
      expect(await store.items.get('ITM-404')).toBeNull();

      const renamed = makeItem('ITM-2', {
        name: 'Renamed',
        updated_at: '2025-03-02T00:00:00.000Z',
      });
      expect(await store.items.upsertMany([renamed, makeItem('ITM-3')])).toEqual({
        inserted: 1,
        updated: 1,
      });
      expect(await store.items.get('ITM-2')).toEqual(renamed);
      expect(await store.items.count()).toBe(3);
      expect(await store.items.upsertMany([])).toEqual({ inserted: 0, updated: 0 });
    });

    it('getMany returns the items that exist and skips the rest', async () => {
      await store.items.upsertMany([makeItem('ITM-1'), makeItem('ITM-2'), makeItem('ITM-3')]);
      const found = await store.items.getMany(['ITM-3', 'ITM-404', 'ITM-1']);
      expect(codes(found).sort()).toEqual(['ITM-1', 'ITM-3']);
      expect(found.find((i) => i.item_code === 'ITM-3')).toEqual(makeItem('ITM-3'));
      expect(await store.items.getMany([])).toEqual([]);
    });

    it('finds an item by its primary, manual or pack barcode, with the pack quantity', async () => {
      const item = makeItem('ITM-1', {
        barcodes: [
          { code: '7310000000011', kind: 'primary', pack_qty: 1 },
          { code: 'MAN-1', kind: 'manual', pack_qty: 1 },
          { code: '17310000000018', kind: 'pack', pack_qty: 24 },
        ],
      });
      await store.items.upsertMany([item, makeItem('ITM-2')]);

      expect(await store.items.findByBarcode('7310000000011')).toEqual({
        item,
        barcode: { code: '7310000000011', kind: 'primary', pack_qty: 1 },
      });
      expect(await store.items.findByBarcode('MAN-1')).toMatchObject({
        item: { item_code: 'ITM-1' },
        barcode: { kind: 'manual', pack_qty: 1 },
      });
      expect(await store.items.findByBarcode('17310000000018')).toMatchObject({
        item: { item_code: 'ITM-1' },
        barcode: { kind: 'pack', pack_qty: 24 },
      });
      expect(await store.items.findByBarcode('BC-ITM-2')).toMatchObject({
        item: { item_code: 'ITM-2' },
      });
      expect(await store.items.findByBarcode('0000')).toBeNull();
    });

    it('replaces barcodes and stock whole on update', async () => {
      await store.items.upsertMany([
        makeItem('ITM-1', {
          barcodes: [{ code: 'OLD-1', kind: 'primary', pack_qty: 1 }],
          stock: [{ warehouse: 'WH1', rack: 'A-01', qty: 3 }],
        }),
      ]);
      const updated = makeItem('ITM-1', {
        barcodes: [{ code: 'NEW-1', kind: 'pack', pack_qty: 6 }],
        stock: [{ warehouse: 'WH2', rack: null, qty: 9 }],
      });
      await store.items.upsertMany([updated]);

      expect(await store.items.findByBarcode('OLD-1')).toBeNull();
      expect(await store.items.findByBarcode('NEW-1')).toEqual({
        item: updated,
        barcode: updated.barcodes[0],
      });
      expect(await store.items.get('ITM-1')).toEqual(updated);
      expect(codes(await store.items.list({ warehouse: 'WH1', limit: 10 }))).toEqual([]);
      expect(codes(await store.items.list({ warehouse: 'WH2', limit: 10 }))).toEqual(['ITM-1']);
    });

    it('gives a barcode to one item only: the later claim wins', async () => {
      const shared = { code: 'SHARED', kind: 'manual' as const, pack_qty: 1 };
      await store.items.upsertMany([
        makeItem('ITM-1', { barcodes: [{ code: 'OWN-1', kind: 'primary', pack_qty: 1 }, shared] }),
      ]);
      // A later upsert takes the code over…
      await store.items.upsertMany([
        makeItem('ITM-2', { barcodes: [{ ...shared, pack_qty: 4, kind: 'pack' }] }),
      ]);
      expect(await store.items.findByBarcode('SHARED')).toMatchObject({
        item: { item_code: 'ITM-2' },
        barcode: { kind: 'pack', pack_qty: 4 },
      });
      expect((await store.items.get('ITM-1'))?.barcodes).toEqual([
        { code: 'OWN-1', kind: 'primary', pack_qty: 1 },
      ]);

      // …and within one batch the later item wins too.
      await store.items.upsertMany([
        makeItem('ITM-3', { barcodes: [{ code: 'TWICE', kind: 'primary', pack_qty: 1 }] }),
        makeItem('ITM-4', { barcodes: [{ code: 'TWICE', kind: 'manual', pack_qty: 1 }] }),
      ]);
      expect(await store.items.findByBarcode('TWICE')).toMatchObject({
        item: { item_code: 'ITM-4' },
      });
      expect((await store.items.get('ITM-3'))?.barcodes).toEqual([]);
      expect((await store.items.get('ITM-4'))?.barcodes).toEqual([
        { code: 'TWICE', kind: 'manual', pack_qty: 1 },
      ]);
    });

    it('searches by case-insensitive prefix of code or name, by item_code, with a limit', async () => {
      await store.items.upsertMany([
        makeItem('PNT-002', { name: 'Red Paint' }),
        makeItem('PNT-001', { name: 'Blue Paint' }),
        makeItem('CBL-001', { name: 'Paint Roller' }),
        makeItem('BLT-001', { name: 'Hex Bolt' }),
        makeItem('X%_.*1', { name: 'Odd (code)' }),
      ]);
      expect(codes(await store.items.searchPrefix('pnt', 10))).toEqual(['PNT-001', 'PNT-002']);
      expect(codes(await store.items.searchPrefix('PAINT', 10))).toEqual(['CBL-001']);
      expect(codes(await store.items.searchPrefix('blu', 10))).toEqual(['PNT-001']);
      expect(codes(await store.items.searchPrefix('b', 10))).toEqual(['BLT-001', 'PNT-001']);
      expect(codes(await store.items.searchPrefix('P', 1))).toEqual(['CBL-001']);
      expect(await store.items.searchPrefix('paint', 10)).toEqual([
        makeItem('CBL-001', { name: 'Paint Roller' }),
      ]);
      // Pattern characters match only themselves.
      expect(codes(await store.items.searchPrefix('x%_.*', 10))).toEqual(['X%_.*1']);
      expect(await store.items.searchPrefix('x%a', 10)).toEqual([]);
      expect(await store.items.searchPrefix('odd (', 10)).toHaveLength(1);
      expect(await store.items.searchPrefix('.', 10)).toEqual([]);
      expect(await store.items.searchPrefix('zzz', 10)).toEqual([]);
    });

    it('finds fuzzy candidates for a misspelled name, best match first', async () => {
      const items = [
        makeItem('PNT-001', { name: 'Blue Paint 1L' }),
        makeItem('BLT-002', { name: 'Blue Steel Bolt' }),
        makeItem('PNT-003', { name: 'Red Paint 5L' }),
        makeItem('CBL-004', { name: 'Copper Cable' }),
      ];
      await store.items.upsertMany(items);
      const query = trigrams('blu pant');

      const candidates = await store.items.fuzzyCandidates(query, 10);
      expect(candidates[0]?.item).toEqual(items[0]);
      const expectedShared = (item: Item) =>
        trigrams(`${item.item_code} ${item.name}`).filter((t) => query.includes(t)).length;
      for (const c of candidates) expect(c.shared).toBe(expectedShared(c.item));
      const shares = candidates.map((c) => c.shared);
      expect(shares).toEqual([...shares].sort((a, b) => b - a));
      expect(codes(candidates.map((c) => c.item)).sort()).toEqual([
        'BLT-002',
        'PNT-001',
        'PNT-003',
      ]);

      expect(await store.items.fuzzyCandidates(query, 1)).toHaveLength(1);
      expect(await store.items.fuzzyCandidates([], 10)).toEqual([]);
      // The code is indexed too.
      const byCode = await store.items.fuzzyCandidates(trigrams('CBL004'), 10);
      expect(byCode[0]?.item.item_code).toBe('CBL-004');
    });

    it('re-indexes search on rename and keeps the index on other updates', async () => {
      await store.items.upsertMany([makeItem('ITM-1', { name: 'Hammer' })]);
      await store.items.upsertMany([makeItem('ITM-1', { name: 'Wrench' })]);
      expect(await store.items.fuzzyCandidates(trigrams('hammer'), 10)).toEqual([]);
      expect(await store.items.searchPrefix('ham', 10)).toEqual([]);
      expect(codes(await store.items.searchPrefix('wre', 10))).toEqual(['ITM-1']);

      // Same name, other fields changed: still found, exactly once, with the new data.
      await store.items.upsertMany([makeItem('ITM-1', { name: 'Wrench', price: 99 })]);
      const found = await store.items.fuzzyCandidates(trigrams('wrench'), 10);
      expect(found).toEqual([
        { item: makeItem('ITM-1', { name: 'Wrench', price: 99 }), shared: 7 },
      ]);
    });

    it('lists by item_code with keyset paging that reaches every item exactly once', async () => {
      const all = Array.from({ length: 23 }, (_, i) =>
        makeItem(`ITM-${String(i).padStart(3, '0')}`, {
          stock:
            i % 3 === 0
              ? [{ warehouse: 'WH2', rack: null, qty: 1 }]
              : [
                  { warehouse: 'WH1', rack: 'A-01', qty: i },
                  { warehouse: 'WH3', rack: null, qty: 1 },
                ],
          updated_at: i % 2 === 0 ? '2025-03-01T00:00:00.000Z' : '2025-03-05T00:00:00.000Z',
        }),
      );
      // Inserted out of order so the listing cannot just echo insertion order.
      await store.items.upsertMany([...all].reverse());

      const pageThrough = async (q: { warehouse?: string; since?: string }) => {
        const seen: string[] = [];
        let after: string | undefined;
        for (let guard = 0; guard < 50; guard++) {
          const page = await store.items.list({ ...q, after, limit: 5 });
          expect(page.length).toBeLessThanOrEqual(5);
          if (page.length === 0) return seen;
          seen.push(...codes(page));
          after = page[page.length - 1]?.item_code;
        }
        throw new Error('paging did not end');
      };

      expect(await pageThrough({})).toEqual(codes(all));
      expect((await store.items.list({ limit: 100 }))[4]).toEqual(all[4]);
      expect(await pageThrough({ warehouse: 'WH2' })).toEqual(
        codes(all.filter((_, i) => i % 3 === 0)),
      );
      expect(await pageThrough({ since: '2025-03-01T00:00:00.000Z' })).toEqual(
        codes(all.filter((_, i) => i % 2 === 1)),
      );
      expect(await pageThrough({ warehouse: 'WH1', since: '2025-03-02T00:00:00.000Z' })).toEqual(
        codes(all.filter((_, i) => i % 3 !== 0 && i % 2 === 1)),
      );
      expect(await store.items.list({ warehouse: 'WH9', limit: 10 })).toEqual([]);
      expect(codes(await store.items.list({ after: 'ITM-020', limit: 10 }))).toEqual([
        'ITM-021',
        'ITM-022',
      ]);
      expect(await store.items.count()).toBe(23);
    });
  });

  describe('locations', () => {
    it('upserts warehouses whole, lists them by id and gets one', async () => {
      await store.locations.upsertWarehouses([makeWarehouse('WH2'), makeWarehouse('WH1')]);
      expect(await store.locations.listWarehouses()).toEqual([
        makeWarehouse('WH1'),
        makeWarehouse('WH2'),
      ]);

      const moved = makeWarehouse('WH2', {
        name: 'Annex',
        floors: [{ code: '1', name: 'First' }],
        racks: [{ code: 'Z-09', floor: '1', location_barcode: 'LOC-Z09' }],
      });
      await store.locations.upsertWarehouses([moved]);
      expect(await store.locations.getWarehouse('WH2')).toEqual(moved);
      expect(await store.locations.listWarehouses()).toHaveLength(2);
      expect(await store.locations.getWarehouse('WH9')).toBeNull();
      await store.locations.upsertWarehouses([]);
      expect(await store.locations.listWarehouses()).toHaveLength(2);
    });
  });

  describe('meta', () => {
    it('gets null for a missing key, sets, and overwrites JSON values', async () => {
      expect(await store.meta.get('erp.status')).toBeNull();
      await store.meta.set('erp.status', { source: 'demo', item_count: 3, last_error: null });
      expect(await store.meta.get('erp.status')).toEqual({
        source: 'demo',
        item_count: 3,
        last_error: null,
      });
      await store.meta.set('erp.status', { source: 'file', tags: ['a', 'b'] });
      expect(await store.meta.get('erp.status')).toEqual({ source: 'file', tags: ['a', 'b'] });
      await store.meta.set('schema.note', 'text');
      await store.meta.set('schema.count', 42);
      expect(await store.meta.get<string>('schema.note')).toBe('text');
      expect(await store.meta.get<number>('schema.count')).toBe(42);
      expect(await store.meta.get('erp.status')).toEqual({ source: 'file', tags: ['a', 'b'] });
    });
  });
});
