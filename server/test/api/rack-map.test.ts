/**
 * The rack map and the staff rack list (`GET /warehouses/:id/racks?session=`) read the session's
 * read model (issue #13): a rack's lines are the lines that count (a rejected line no longer
 * does), and its variance flag says whether an item counted on it has a variance for the session
 * (an item split over two racks that balances in total flags neither rack). The session detail
 * shows the same totals.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ClaimAnswer } from '@stockverify/shared';
import { claim, countRecord, createSession, seedCounting, sync } from '../support/counting-fixture';
import { startTestApp, type TestApp } from '../support/test-app';

let t: TestApp;
let supervisor: { token: string };
let alice: { token: string };

beforeEach(async () => {
  t = await startTestApp();
  await seedCounting(t);
  supervisor = await t.userWithRole('supervisor', 'sup');
  alice = await t.userWithRole('staff', 'alice');
});
afterEach(async () => {
  await t.close();
});

async function claimed(sessionId: string, rack: string): Promise<ClaimAnswer> {
  const res = await claim(t, alice.token, sessionId, rack);
  if (res.status !== 200) throw new Error(`claim ${rack}: ${JSON.stringify(res.body)}`);
  return res.body.data;
}

type RackRow = { code: string; lines: number; has_variances: boolean | null };

async function rackMap(
  sessionId: string,
  token: string,
): Promise<Array<[string, number, unknown]>> {
  const res = await t.request<{ items: RackRow[] }>(
    'GET',
    `/api/warehouses/WH-T/racks?session=${sessionId}`,
    { token },
  );
  expect(res.status).toBe(200);
  return res.body.data.items.map((r) => [r.code, r.lines, r.has_variances]);
}

describe('rack map from the read model', () => {
  it('flags racks by item variance and counts only the lines that count', async () => {
    const s = await createSession(t, supervisor.token);
    const a1 = await claimed(s.id, 'A-01');
    const a2 = await claimed(s.id, 'A-02');
    const b1 = await claimed(s.id, 'B-01');
    // ITM-C has a book of 10 over A-02 (6) and B-01 (4): counted where it lies, it balances.
    // ITM-A (book 10) is counted 4 on A-01: a variance.
    const res = await sync(t, alice.token, [
      countRecord(s.id, 'A-02', 'ITM-C', a2.fencing_token, { counted_qty: 6 }),
      countRecord(s.id, 'B-01', 'ITM-C', b1.fencing_token, { counted_qty: 4 }),
      countRecord(s.id, 'A-01', 'ITM-A', a1.fencing_token, {
        counted_qty: 4,
        variance_reason: 'short',
      }),
    ]);
    expect(res.body.data.results.map((r) => r.status)).toEqual(['OK', 'OK', 'OK']);
    expect(await rackMap(s.id, supervisor.token)).toEqual([
      ['A-01', 1, true],
      ['A-02', 1, false],
      ['B-01', 1, false],
    ]);
    // Staff never get the flag.
    expect((await rackMap(s.id, alice.token)).map((r) => r[2])).toEqual([null, null, null]);

    // A supervisor rejects the ITM-A line: it stops counting, on the map and in the totals.
    const lines = await t.request<{ items: Array<{ id: string; item_code: string }> }>(
      'GET',
      `/api/sessions/${s.id}/lines`,
      { token: supervisor.token },
    );
    const itmA = lines.body.data.items.find((l) => l.item_code === 'ITM-A')!;
    const review = await t.request('PATCH', `/api/lines/${itmA.id}/review`, {
      token: supervisor.token,
      body: { decision: 'reject', note: 'wrong item' },
    });
    expect(review.status).toBe(200);
    expect(await rackMap(s.id, supervisor.token)).toEqual([
      ['A-01', 0, false],
      ['A-02', 1, false],
      ['B-01', 1, false],
    ]);
    const detail = await t.request<{
      metrics: { lines: number; items_counted: number; total_variance: number };
    }>('GET', `/api/sessions/${s.id}`, { token: supervisor.token });
    expect(detail.body.data.metrics).toMatchObject({
      lines: 2,
      items_counted: 1,
      total_variance: 0,
    });
  });
});
