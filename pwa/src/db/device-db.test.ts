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
    expect(db.verno).toBe(2);
    const upgraded = await db.outbox.get(record.op_id);
    expect(upgraded).toMatchObject({ attempts: 0, status: 'pending', summary: 'Hammer · 7' });
    expect(upgraded?.record).toEqual(record);
    expect(await db.meta.get('device_id')).toEqual({ key: 'device_id', value: 'phone-1' });
    // The v2 index exists on old rows too.
    expect(await db.outbox.where('[session_id+rack]').equals(['S1', 'A-01']).count()).toBe(1);
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
    ]);
    expect(items.tables.map((t) => t.name).sort()).toEqual(['books', 'catalogs', 'items']);
    device.close();
    items.close();
  });
});
