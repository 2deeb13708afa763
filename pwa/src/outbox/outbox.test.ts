import { describe, expect, it } from 'vitest';
import { countRecord, resultFor } from '../../test/support/records';
import { freshDeviceDb } from '../../test/support/fake-db';
import { Outbox, STALE_PENDING_MS, SYNCED_KEEP_MS } from './outbox';

function setup(start = '2026-11-29T10:00:00.000Z') {
  let now = new Date(start);
  const db = freshDeviceDb();
  const outbox = new Outbox(db, () => now);
  return {
    db,
    outbox,
    advance: (ms: number) => {
      now = new Date(now.getTime() + ms);
    },
    now: () => now,
  };
}

describe('Outbox', () => {
  it('stores a record with its photos in one transaction and reads it back pending', async () => {
    const { db, outbox } = setup();
    const record = countRecord({ photo_ids: ['p1'] });
    await outbox.enqueue({
      userId: 'u1',
      record,
      summary: 'Hammer · 7',
      photos: [{ id: 'p1', blob: new Blob(['x']), content_type: 'image/jpeg' }],
    });
    const stored = await db.outbox.get(record.op_id);
    expect(stored).toMatchObject({ status: 'pending', user_id: 'u1', rack: 'A-01', attempts: 0 });
    expect(stored?.record).toEqual(record);
    expect(await db.photos.where('op_id').equals(record.op_id).count()).toBe(1);
  });

  it('refuses the same op_id twice and keeps the first', async () => {
    const { db, outbox } = setup();
    const record = countRecord();
    await outbox.enqueue({ userId: 'u1', record, summary: 'first' });
    await expect(
      outbox.enqueue({ userId: 'u1', record: { ...record, counted_qty: 99 }, summary: 'second' }),
    ).rejects.toThrow();
    expect((await db.outbox.get(record.op_id))?.summary).toBe('first');
  });

  it('rolls back the record when a photo cannot be stored', async () => {
    const { db, outbox } = setup();
    const record = countRecord({ photo_ids: ['dup', 'dup'] });
    const photo = { id: 'dup', blob: new Blob(['x']), content_type: 'image/jpeg' };
    await expect(
      outbox.enqueue({ userId: 'u1', record, summary: 's', photos: [photo, photo] }),
    ).rejects.toThrow();
    expect(await db.outbox.count()).toBe(0);
    expect(await db.photos.count()).toBe(0);
  });

  it('hands out the oldest pending records of one user, at most the limit', async () => {
    const { outbox, advance } = setup();
    const mine = [];
    for (let i = 0; i < 5; i += 1) {
      const record = countRecord();
      mine.push(record.op_id);
      await outbox.enqueue({ userId: 'u1', record, summary: `${i}` });
      await outbox.enqueue({ userId: 'u2', record: countRecord(), summary: 'other' });
      advance(1000);
    }
    const batch = await outbox.pendingBatch('u1', 3);
    expect(batch.map((e) => e.op_id)).toEqual(mine.slice(0, 3));
  });

  it('applies OK, CONFLICT and ERROR verdicts and leaves unanswered records pending', async () => {
    const { outbox } = setup();
    const [a, b, c, d] = [countRecord(), countRecord(), countRecord(), countRecord()];
    for (const record of [a, b, c, d]) await outbox.enqueue({ userId: 'u1', record, summary: '' });
    const changed = await outbox.applyResults([
      { ...resultFor(a), variance: -3 },
      resultFor(b, 'CONFLICT', 'LOCK_LOST'),
      resultFor(c, 'ERROR', 'VALIDATION_FAILED'),
      resultFor(countRecord()), // an op_id this phone never had
    ]);
    expect(changed).toBe(3);
    const counts = await outbox.counts('u1');
    expect(counts).toMatchObject({ pending: 1, synced: 1, conflict: 1, error: 1 });
    expect((await outbox.list('synced'))[0]?.result).toMatchObject({ variance: -3 });
    expect((await outbox.list('conflict'))[0]?.result?.code).toBe('LOCK_LOST');
    expect((await outbox.pendingBatch('u1', 10)).map((e) => e.op_id)).toEqual([d.op_id]);
  });

  it('keeps creation order for records saved within one millisecond', async () => {
    const { outbox } = setup();
    const records = Array.from({ length: 20 }, () => countRecord());
    for (const record of records) await outbox.enqueue({ userId: 'u1', record, summary: '' });
    const batch = await outbox.pendingBatch('u1', 20);
    expect(batch.map((e) => e.op_id)).toEqual(records.map((r) => r.op_id));
  });

  it('prunes records synced more than a week ago, with their photos, and nothing else', async () => {
    const { db, outbox, advance } = setup();
    const photo = { id: 'p-old', blob: new Blob(['x']), content_type: 'image/jpeg' };
    const old = countRecord({ photo_ids: ['p-old'] });
    const kept = [countRecord(), countRecord(), countRecord()];
    await outbox.enqueue({ userId: 'u1', record: old, summary: '', photos: [photo] });
    for (const record of kept) await outbox.enqueue({ userId: 'u1', record, summary: '' });
    await outbox.applyResults([resultFor(old), resultFor(kept[0]!, 'CONFLICT', 'LOCK_LOST')]);
    advance(SYNCED_KEEP_MS - 1000);
    await outbox.applyResults([resultFor(kept[1]!)]);
    advance(2000);
    expect(await outbox.pruneSynced()).toBe(1);
    expect(await db.outbox.get(old.op_id)).toBeUndefined();
    expect(await db.photos.count()).toBe(0);
    expect(await outbox.counts('u1')).toMatchObject({ pending: 1, synced: 1, conflict: 1 });
  });

  it('says when pending data has waited more than four hours', async () => {
    const { outbox, advance, now } = setup();
    await outbox.enqueue({ userId: 'u1', record: countRecord(), summary: '' });
    advance(STALE_PENDING_MS - 1000);
    expect(Outbox.isStale(await outbox.counts(), now())).toBe(false);
    advance(2000);
    expect(Outbox.isStale(await outbox.counts(), now())).toBe(true);
  });

  it('maps local photo ids to server ids only once every photo is uploaded', async () => {
    const { outbox } = setup();
    const record = countRecord({ photo_ids: ['p1', 'p2'] });
    const photo = (id: string) => ({ id, blob: new Blob([id]), content_type: 'image/jpeg' });
    await outbox.enqueue({ userId: 'u1', record, summary: '', photos: [photo('p1'), photo('p2')] });
    await outbox.markPhotoUploaded('p1', 'srv-1');
    expect(await outbox.serverPhotoIds(record.op_id, record.photo_ids)).toBeNull();
    expect((await outbox.photosToUpload(record.op_id)).map((p) => p.id)).toEqual(['p2']);
    await outbox.markPhotoUploaded('p2', 'srv-2');
    expect(await outbox.serverPhotoIds(record.op_id, record.photo_ids)).toEqual(['srv-1', 'srv-2']);
  });
});
