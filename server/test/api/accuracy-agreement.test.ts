/**
 * One accuracy formula (issue #15 point 7, docs/design.md §4: an item's accuracy is
 * max(0, 1 − |variance| / book)): today's KPIs, the analytics and the reports answer the same
 * figure for the same counts, also when a variance is larger than the book quantity.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { ClaimAnswer } from '@stockverify/shared';
import { claim, countRecord, createSession, seedCounting, sync } from '../support/counting-fixture';
import { startTestApp, type TestApp } from '../support/test-app';

let t: TestApp;
beforeEach(async () => {
  t = await startTestApp();
  await seedCounting(t);
});
afterEach(async () => {
  await t.close();
});

it('KPIs, analytics and reports agree when |variance| > book', async () => {
  const supervisor = await t.userWithRole('supervisor', 'sup');
  const alice = await t.userWithRole('staff', 'alice');
  const s = await createSession(t, supervisor.token);
  const c = await claim(t, alice.token, s.id, 'A-01');
  expect(c.status, JSON.stringify(c.body)).toBe(200);
  const token = (c.body.data as ClaimAnswer).fencing_token;
  // ITM-A has book 10: counting 35 is a variance of +25, two and a half times the book.
  const res = await sync(t, alice.token, [
    countRecord(s.id, 'A-01', 'ITM-A', token, {
      counted_qty: 35,
      variance_reason: 'found a pallet',
      counted_at: t.clock().toISOString(),
    }),
  ]);
  expect(res.body.data.results[0]?.status, JSON.stringify(res.body)).toBe('OK');

  const auth = { token: supervisor.token };
  const kpis = await t.request<{ accuracy_today: number | null }>('GET', '/api/admin/kpis', auth);
  const warehouse = await t.request<{ groups: Array<{ accuracy: number | null }> }>(
    'GET',
    '/api/sessions/analytics?group_by=warehouse',
    auth,
  );
  const staff = await t.request<{ groups: Array<{ accuracy: number | null }> }>(
    'GET',
    '/api/sessions/analytics?group_by=staff',
    auth,
  );
  const report = async <R>(type: string) =>
    (
      await t.request<{ items: R[] }>('POST', '/api/reports/generate', {
        ...auth,
        body: { type },
      })
    ).body.data.items;
  const history = await report<{ accuracy: number | null }>('session_history');
  const activity = await report<{ first_count_accuracy: number | null }>('user_activity');

  expect({
    kpis: kpis.body.data.accuracy_today,
    analytics_by_warehouse: warehouse.body.data.groups.map((g) => g.accuracy),
    analytics_by_staff: staff.body.data.groups.map((g) => g.accuracy),
    session_history: history.map((r) => r.accuracy),
    user_activity: activity.map((r) => r.first_count_accuracy),
  }).toEqual({
    kpis: 0,
    analytics_by_warehouse: [0],
    analytics_by_staff: [0],
    session_history: [0],
    user_activity: [0],
  });
});
