import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSession, seedCounting } from '../support/counting-fixture';
import { makeItem, startTestApp, type TestApp } from '../support/test-app';

let t: TestApp;
let supervisor: { token: string };
let staff: { token: string };

beforeEach(async () => {
  t = await startTestApp();
  await seedCounting(t);
  supervisor = await t.userWithRole('supervisor', 'sup');
  staff = await t.userWithRole('staff', 'alice');
});
afterEach(async () => {
  await t.close();
});

type Books = { session_id: string; items: Array<{ item_code: string; book_qty: number }> };

describe('GET /sessions/:id/book-quantities', () => {
  it('gives staff the snapshot of a standard session, not the live ERP figure', async () => {
    const session = await createSession(t, supervisor.token, { scope: { racks: ['A-01'] } });
    // The ERP moves after the snapshot; the phone must keep counting against the snapshot.
    await t.seedItems([
      makeItem('ITM-A', 'Alpha Widget', { stock: [{ warehouse: 'WH-T', rack: 'A-01', qty: 55 }] }),
    ]);
    const live = await t.request<{ stock: Array<{ qty: number }> }>('GET', '/api/items/ITM-A', {
      token: supervisor.token,
    });
    expect(live.body.data.stock[0]?.qty).toBe(55);
    const res = await t.request<Books>('GET', `/api/sessions/${session.id}/book-quantities`, {
      token: staff.token,
    });
    expect(res.status).toBe(200);
    expect(res.body.data.items.sort((a, b) => a.item_code.localeCompare(b.item_code))).toEqual([
      { item_code: 'ITM-A', book_qty: 10 },
      { item_code: 'ITM-B', book_qty: 100 },
    ]);
  });

  it('refuses staff in a blind session and answers supervisors', async () => {
    const session = await createSession(t, supervisor.token, { mode: 'blind' });
    const path = `/api/sessions/${session.id}/book-quantities`;
    const refused = await t.request('GET', path, { token: staff.token });
    expect(refused.status).toBe(403);
    expect(refused.body.error?.code).toBe('FORBIDDEN');
    const shown = await t.request<Books>('GET', path, { token: supervisor.token });
    expect(shown.status).toBe(200);
    expect(shown.body.data.items.length).toBe(session.snapshot_items);
  });

  it('answers 404 for an unknown session and 401 without a token', async () => {
    expect(
      (await t.request('GET', '/api/sessions/nope/book-quantities', { token: staff.token })).status,
    ).toBe(404);
    expect((await t.request('GET', '/api/sessions/nope/book-quantities')).status).toBe(401);
  });
});
