import { randomUUID } from 'node:crypto';
import Dexie from 'dexie';
import { describe, expect, it } from 'vitest';
import { countRecord } from '../../test/support/records';
import { DEVICE_DB_VERSIONS, DeviceDb } from './device-db';
import { ITEM_DB_VERSIONS, ItemDb } from './item-db';

describe('device database migrations', () => {
  it('upgrades a v1 outbox to v2 without losing a record, filling in attempts', async () => {
    const name = `migrate-${randomUUID()}`;
    const v1 = new Dexie(name);
    v1.version(1).stores(DEVICE_DB_VERSIONS[1]);
    const record = countRecord();
    await v1.table('outbox').add({
      op_id: record.op_id,
      user_id: 'u1',
      session_id: 'S1',
      rack: 'A-01',
      record,
      summary: 'Hammer · 7',
      status: 'pending',
      created_at: '2026-11-01T08:00:00.000Z',
      updated_at: '2026-11-01T08:00:00.000Z',
      result: null,
      synced_at: null,
    });
    await v1.table('meta').put({ key: 'device_id', value: 'phone-1' });
    v1.close();

    const db = new DeviceDb(name);
    await db.open();
    expect(db.verno).toBe(3);
    const upgraded = await db.outbox.get(record.op_id);
    expect(upgraded).toMatchObject({ attempts: 0, status: 'pending', summary: 'Hammer · 7' });
    expect(upgraded?.record).toEqual(record);
    expect(await db.meta.get('device_id')).toEqual({ key: 'device_id', value: 'phone-1' });
    // The v2 index exists on old rows too.
    expect(await db.outbox.where('[session_id+rack]').equals(['S1', 'A-01']).count()).toBe(1);
    db.close();
  });

  it('upgrades a v2 phone to v3 keeping its outbox, photos and claims, and adds recount tasks', async () => {
    const name = `migrate-${randomUUID()}`;
    const v2 = new Dexie(name);
    v2.version(1).stores(DEVICE_DB_VERSIONS[1]);
    v2.version(2).stores(DEVICE_DB_VERSIONS[2]);
    const pending = countRecord();
    const failed = countRecord({ rack: 'A-02' });
    const row = (record: typeof pending, status: string, attempts: number) => ({
      op_id: record.op_id,
      user_id: 'u1',
      session_id: 'S1',
      rack: record.rack,
      record,
      summary: `Hammer · ${record.counted_qty}`,
      status,
      created_at: '2026-11-01T08:00:00.000Z',
      updated_at: '2026-11-01T08:00:00.000Z',
      attempts,
      result:
        status === 'error'
          ? { code: 'VALIDATION_FAILED', message: 'bad', details: [], line_id: null }
          : null,
      synced_at: null,
    });
    await v2.table('outbox').bulkAdd([row(pending, 'pending', 3), row(failed, 'error', 1)]);
    await v2.table('photos').add({
      id: 'p1',
      op_id: pending.op_id,
      blob: new Blob(['jpeg']),
      content_type: 'image/jpeg',
      server_id: null,
      created_at: '2026-11-01T08:00:00.000Z',
    });
    await v2.table('claims').add({
      session_id: 'S1',
      rack: 'A-01',
      user_id: 'u1',
      claim_id: 'c1',
      fencing_token: 4,
      lock_expires_at: '2026-11-01T08:01:00.000Z',
      status: 'active',
      claimed_at: '2026-11-01T08:00:00.000Z',
    });
    v2.close();

    const db = new DeviceDb(name);
    await db.open();
    expect(db.verno).toBe(3);
    expect(await db.outbox.get(pending.op_id)).toMatchObject({ status: 'pending', attempts: 3 });
    expect((await db.outbox.get(pending.op_id))?.record).toEqual(pending);
    expect(await db.outbox.get(failed.op_id)).toMatchObject({
      status: 'error',
      result: { code: 'VALIDATION_FAILED' },
    });
    expect(await db.outbox.where('[user_id+status]').equals(['u1', 'pending']).count()).toBe(1);
    expect(await db.photos.where('op_id').equals(pending.op_id).count()).toBe(1);
    expect(await db.claims.get(['S1', 'A-01'])).toMatchObject({ fencing_token: 4 });
    await db.recountTasks.put({
      task_id: 't1',
      session_id: 'S1',
      rack: 'A-01',
      item_code: 'ITEM-1',
      item_name: 'Hammer',
      phase: 1,
      state: 'open',
      assigned_to_me: true,
      created_at: '2026-11-01T09:00:00.000Z',
      note: null,
      user_id: 'u1',
      received_at: '2026-11-01T09:00:01.000Z',
      fetched_at: '2026-11-01T09:00:01.000Z',
    });
    expect(await db.recountTasks.where('[user_id+session_id]').equals(['u1', 'S1']).count()).toBe(
      1,
    );
    db.close();
  });

  it('keeps every older version declared (a primary key never changes)', () => {
    const versions = Object.values(DEVICE_DB_VERSIONS);
    for (const version of versions) {
      expect(version.outbox.startsWith('&op_id')).toBe(true);
      expect(version.meta).toBe('&key');
    }
    expect(Object.keys(ITEM_DB_VERSIONS)).toEqual(['1']);
  });

  it('opens both databases from nothing', async () => {
    const device = new DeviceDb(`fresh-${randomUUID()}`);
    const items = new ItemDb(`fresh-${randomUUID()}`);
    await Promise.all([device.open(), items.open()]);
    expect(device.tables.map((t) => t.name).sort()).toEqual([
      'claims',
      'meta',
      'outbox',
      'photos',
      'recentUsers',
      'recountTasks',
    ]);
    expect(items.tables.map((t) => t.name).sort()).toEqual(['books', 'catalogs', 'items']);
    device.close();
    items.close();
  });
});
