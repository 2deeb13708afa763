/** A small warehouse and item master for counting tests, and helpers to drive a session. */
import { randomUUID } from 'node:crypto';
import type { ClaimAnswer, CountSession, RecordResult, TokenPair } from '@stockverify/shared';
import { expect } from 'vitest';
import { makeItem, type TestApp } from './test-app';

export const WAREHOUSE = {
  id: 'WH-T',
  name: 'Test Warehouse',
  floors: [
    { code: 'GF', name: 'Ground' },
    { code: 'F1', name: 'First' },
  ],
  racks: [
    { code: 'A-01', floor: 'GF', location_barcode: 'LOC-A-01' },
    { code: 'A-02', floor: 'GF', location_barcode: 'LOC-A-02' },
    { code: 'B-01', floor: 'F1', location_barcode: 'LOC-B-01' },
  ],
};

export const ITEMS = [
  makeItem('ITM-A', 'Alpha Widget', {
    cost: 2,
    price: 3,
    stock: [{ warehouse: 'WH-T', rack: 'A-01', qty: 10 }],
    barcodes: [{ code: 'BC-A', kind: 'primary', pack_qty: 1 }],
  }),
  makeItem('ITM-B', 'Bravo Bolt', {
    cost: 0.5,
    price: 1.25,
    stock: [{ warehouse: 'WH-T', rack: 'A-01', qty: 100 }],
    barcodes: [{ code: 'BC-B', kind: 'primary', pack_qty: 1 }],
  }),
  makeItem('ITM-C', 'Charlie Cable', {
    cost: 4,
    price: 6,
    stock: [
      { warehouse: 'WH-T', rack: 'A-02', qty: 6 },
      { warehouse: 'WH-T', rack: 'B-01', qty: 4 },
    ],
  }),
  makeItem('SER-1', 'Serial Scanner', {
    serialized: true,
    cost: 100,
    price: 150,
    stock: [{ warehouse: 'WH-T', rack: 'A-02', qty: 3 }],
  }),
  makeItem('KG-1', 'Rice Bulk', {
    uom: 'KG',
    decimal_qty: true,
    stock: [{ warehouse: 'WH-T', rack: 'B-01', qty: 20.5 }],
  }),
  makeItem('OUT-1', 'Other Site Item', { stock: [{ warehouse: 'WH-X', rack: 'Z-01', qty: 9 }] }),
];

/** Seeds the warehouse and items. */
export async function seedCounting(t: TestApp): Promise<void> {
  await t.store.locations.upsertWarehouses([WAREHOUSE]);
  await t.seedItems(ITEMS);
}

/** Creates a session through the API as the given supervisor token. */
export async function createSession(
  t: TestApp,
  token: string,
  body: Record<string, unknown> = {},
): Promise<CountSession> {
  const res = await t.request<CountSession>('POST', '/api/sessions', {
    token,
    body: { warehouse: 'WH-T', name: 'Cycle count', mode: 'standard', ...body },
  });
  if (res.status !== 201) throw new Error(`create session: ${JSON.stringify(res.body)}`);
  return res.body.data;
}

export async function claim(t: TestApp, token: string, sessionId: string, rack: string) {
  return t.request<ClaimAnswer>('POST', `/api/sessions/${sessionId}/racks/${rack}/claim`, {
    token,
    body: { device_id: 'phone-1' },
  });
}

/** Claims the rack and answers the claim; fails the test (with the answer) when it is refused. */
export async function claimOk(
  t: TestApp,
  token: string,
  sessionId: string,
  rack: string,
): Promise<ClaimAnswer> {
  const res = await claim(t, token, sessionId, rack);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.data;
}

/** A count record with defaults; override any field. */
export function countRecord(
  sessionId: string,
  rack: string,
  itemCode: string,
  token: number,
  extra: Record<string, unknown> = {},
) {
  return {
    op_id: randomUUID(),
    type: 'count',
    session_id: sessionId,
    rack,
    item_code: itemCode,
    counted_qty: 1,
    damaged_qty: 0,
    non_returnable_damaged_qty: 0,
    serials: [],
    fencing_token: token,
    counted_at: '2026-11-29T10:00:00Z',
    ...extra,
  };
}

export async function sync(
  t: TestApp,
  token: string,
  records: unknown[],
  key: string = randomUUID(),
) {
  return t.request<{ results: RecordResult[]; counts: Record<string, number>; replayed: boolean }>(
    'POST',
    '/api/sync/batch',
    {
      token,
      body: { device_id: 'phone-1', records },
      headers: { 'idempotency-key': key },
    },
  );
}

/** A second warehouse for the boundary tests (issue #12). */
export const NORTH = {
  id: 'WH-N',
  name: 'North',
  floors: [{ code: 'GF', name: 'Ground' }],
  racks: [{ code: 'N-01', floor: 'GF', location_barcode: 'LOC-N-01' }],
};

/** Creates a user bound to a warehouse (or none) and signs them in through the API. */
export async function userIn(
  t: TestApp,
  role: 'staff' | 'supervisor',
  username: string,
  warehouse: string | null,
): Promise<{ id: string; token: string }> {
  const password = `pw-${username}-secret`;
  const user = await t.services.users.create(
    { id: 'test', username: 'test', role: 'admin' },
    { request_id: null, ip: null },
    { username, full_name: username, role, password, warehouse },
  );
  const login = await t.request<TokenPair>('POST', '/api/auth/login', {
    body: { username, password },
  });
  expect(login.status).toBe(200);
  return { id: user.id, token: login.body.data.access_token };
}
