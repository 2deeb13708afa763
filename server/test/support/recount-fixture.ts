/**
 * What the recount and bin API tests share (issue #16, docs/design.md §11–§12): an app with the
 * counting seed, a supervisor and three counters, and a tight rule on ITM-A (book 10 in A-01: one
 * unit either way; a blind recount answers, two phases); and a first count under a claim.
 */
import type { CountSession } from '@stockverify/shared';
import { expect } from 'vitest';
import { claimOk, countRecord, createSession, seedCounting, sync } from './counting-fixture';
import { startTestApp, type TestApp } from './test-app';

export type User = Awaited<ReturnType<TestApp['userWithRole']>>;

export const TIGHT_RULE = {
  id: 'alpha-tight',
  scope: { kind: 'item', item_code: 'ITM-A' },
  thresholds: { shortage: { units: 1 }, overage: { units: 1 } },
  on_exceed: 'recount',
  recount_phases: 2,
};

export interface RecountApp {
  t: TestApp;
  supervisor: User;
  alice: User;
  bob: User;
  carol: User;
}

/** The app, its people and the tight rule on ITM-A. */
export async function startRecountApp(): Promise<RecountApp> {
  const t = await startTestApp();
  await seedCounting(t);
  const supervisor = await t.userWithRole('supervisor', 'sup');
  const alice = await t.userWithRole('staff', 'alice');
  const bob = await t.userWithRole('staff', 'bob');
  const carol = await t.userWithRole('staff', 'carol');
  const rule = await t.request('POST', '/api/tolerance-rules', {
    token: supervisor.token,
    body: TIGHT_RULE,
  });
  expect(rule.status, JSON.stringify(rule.body)).toBe(201);
  return { t, supervisor, alice, bob, carol };
}

/** A first count of `item` in A-01 under a claim, as one sync batch; the rack is released after. */
export async function firstCount(
  t: TestApp,
  who: User,
  session: CountSession,
  qty: number,
  item = 'ITM-A',
) {
  const held = await claimOk(t, who.token, session.id, 'A-01');
  const record = countRecord(session.id, 'A-01', item, held.fencing_token, {
    counted_qty: qty,
    variance_reason: 'Found so',
  });
  const res = await sync(t, who.token, [record]);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  expect(res.body.data.results[0]!.status, JSON.stringify(res.body.data)).toBe('OK');
  // Free the rack for whoever counts next.
  await t.request('POST', `/api/sessions/${session.id}/racks/A-01/release`, {
    token: who.token,
    body: {},
  });
  return record;
}

/** A session the supervisor opened, with A-01 held by alice (ITM-A: book 10 there). */
export async function sessionWithA01Held(t: TestApp) {
  const supervisor = await t.userWithRole('supervisor', 'sup');
  const alice = await t.userWithRole('staff', 'alice');
  const session = await createSession(t, supervisor.token);
  const held = await claimOk(t, alice.token, session.id, 'A-01');
  return { supervisor, alice, session, held };
}
