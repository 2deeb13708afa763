/**
 * Evidence photos (issue #12, Low): a photo is readable by whoever may read a session it belongs
 * to (staff: sessions of their own warehouse; supervisors per the warehouse rule), by its uploader,
 * and by admins and supervisors without a warehouse; `photo_ids` on a line or unknown item must
 * name photos that exist and were uploaded by the same user, else that record is an ERROR
 * PHOTO_NOT_FOUND naming the field, stored nowhere, and the rest of a batch goes on.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CountSession, RecordResult } from '@stockverify/shared';
import {
  claim,
  countRecord,
  createSession,
  seedCounting,
  sync,
  userIn as userInWarehouse,
} from '../support/counting-fixture';
import { startTestApp, type TestApp } from '../support/test-app';

let t: TestApp;
let admin: { token: string };
let boss: { token: string };
/** Staff of WH-T (two) and of WH-N; supervisors of WH-T and of WH-N. */
let tess: { id: string; token: string };
let tom: { id: string; token: string };
let nora: { id: string; token: string };
let tina: { id: string; token: string };
let sven: { id: string; token: string };
let session: CountSession;
let fence: number;

const PNG = Buffer.from([
  0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
]);

const userIn = (role: 'staff' | 'supervisor', username: string, warehouse: string | null) =>
  userInWarehouse(t, role, username, warehouse);

async function upload(token: string): Promise<string> {
  const res = await fetch(`${t.baseUrl}/api/photos`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'image/png' },
    body: PNG,
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { data: { photo_id: string } }).data.photo_id;
}

async function fetchPhoto(id: string, token: string): Promise<number> {
  const res = await fetch(`${t.baseUrl}/api/photos/${id}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  await res.arrayBuffer();
  return res.status;
}

beforeAll(async () => {
  t = await startTestApp();
  await seedCounting(t);
  admin = await t.userWithRole('admin', 'ph-admin');
  boss = await t.userWithRole('supervisor', 'ph-boss');
  tess = await userIn('staff', 'tess', 'WH-T');
  tom = await userIn('staff', 'tom', 'WH-T');
  nora = await userIn('staff', 'nora', 'WH-N');
  tina = await userIn('supervisor', 'tina', 'WH-T');
  sven = await userIn('supervisor', 'sven', 'WH-N');
  session = await createSession(t, boss.token);
  const held = await claim(t, tess.token, session.id, 'A-01');
  expect(held.status).toBe(200);
  fence = held.body.data.fencing_token;
});

afterAll(async () => {
  await t?.close();
});

describe('who may read a photo', () => {
  it('a photo on no line yet: its uploader, admins and supervisors without a warehouse', async () => {
    const id = await upload(tess.token);
    expect(await fetchPhoto(id, tess.token)).toBe(200);
    expect(await fetchPhoto(id, admin.token)).toBe(200);
    expect(await fetchPhoto(id, boss.token)).toBe(200);
    for (const other of [tom, nora, tina, sven])
      expect(await fetchPhoto(id, other.token)).toBe(404);
  });

  it('a photo on a line: whoever may read the line’s session', async () => {
    const id = await upload(tess.token);
    const res = await t.request<RecordResult>('POST', `/api/sessions/${session.id}/count-lines`, {
      token: tess.token,
      body: countRecord(session.id, 'A-01', 'ITM-A', fence, { photo_ids: [id] }),
    });
    expect(res.status).toBe(201);
    for (const reader of [tess, tom, tina, admin, boss])
      expect(await fetchPhoto(id, reader.token)).toBe(200);
    // Staff and supervisors of another warehouse learn nothing, not even that it exists.
    for (const outsider of [nora, sven]) expect(await fetchPhoto(id, outsider.token)).toBe(404);
  });
});

describe('photo_ids on a record', () => {
  it('online: an unknown photo or another user’s is an error naming the field, and nothing is stored', async () => {
    const noras = await upload(nora.token);
    for (const [photoIds, field] of [
      [[randomUUID()], 'photo_ids.0'],
      [[await upload(tess.token), noras], 'photo_ids.1'],
    ] as const) {
      const before = await t.store.lines.list(session.id, { page: 1, page_size: 100 });
      const res = await t.request<RecordResult>('POST', `/api/sessions/${session.id}/count-lines`, {
        token: tess.token,
        body: countRecord(session.id, 'A-01', 'ITM-B', fence, { photo_ids: [...photoIds] }),
      });
      expect(res.status).toBe(400);
      expect(res.body.error?.code).toBe('PHOTO_NOT_FOUND');
      expect(res.body.error?.details?.map((d) => d.path)).toEqual([field]);
      const after = await t.store.lines.list(session.id, { page: 1, page_size: 100 });
      expect(after.total).toBe(before.total);
    }
  });

  it('sync: the bad record gets its own answer, the others are kept', async () => {
    const mine = await upload(tess.token);
    const noras = await upload(nora.token);
    const records = [
      countRecord(session.id, 'A-01', 'ITM-C', fence, { photo_ids: [mine] }),
      countRecord(session.id, 'A-01', 'KG-1', fence, { photo_ids: [noras] }),
      {
        op_id: randomUUID(),
        type: 'unknown_item',
        session_id: session.id,
        rack: 'A-01',
        barcode: 'UNK-PH',
        description: 'box',
        counted_qty: 1,
        photo_ids: [randomUUID()],
        counted_at: '2026-11-29T10:00:00Z',
      },
      {
        op_id: randomUUID(),
        type: 'unknown_item',
        session_id: session.id,
        rack: 'A-01',
        barcode: 'UNK-OK',
        description: 'box',
        counted_qty: 1,
        photo_ids: [await upload(tess.token)],
        counted_at: '2026-11-29T10:00:00Z',
      },
    ];
    const res = await sync(t, tess.token, records);
    expect(res.status).toBe(200);
    expect(
      res.body.data.results.map((r: RecordResult) => [
        r.status,
        r.code,
        r.details[0]?.path ?? null,
      ]),
    ).toEqual([
      ['OK', null, null],
      ['ERROR', 'PHOTO_NOT_FOUND', 'records.1.photo_ids.0'],
      ['ERROR', 'PHOTO_NOT_FOUND', 'records.2.photo_ids.0'],
      ['OK', null, null],
    ]);
    const unknown = await t.store.unknownItems.list({
      page: 1,
      page_size: 50,
      session: session.id,
    });
    expect(unknown.items.map((u) => u.barcode)).toEqual(['UNK-OK']);
  });
});
