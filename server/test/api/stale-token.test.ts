/**
 * Issue #14 point 9: a count written with the token of a claim the same user released and then
 * claimed again is STALE_TOKEN, and the message says what happened (no "someone else").
 * A rack really taken by another counter stays LOCK_LOST.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  countRecord,
  createSession,
  seedCounting,
  sync,
  claimOk,
} from '../support/counting-fixture';
import { startTestApp, type TestApp } from '../support/test-app';

let t: TestApp;
let supervisor: { token: string };
let alice: { token: string; password: string };
let bob: { token: string; password: string };

beforeEach(async () => {
  t = await startTestApp();
  await seedCounting(t);
  supervisor = await t.userWithRole('supervisor', 'sup');
  alice = await t.userWithRole('staff', 'alice');
  bob = await t.userWithRole('staff', 'bob');
});
afterEach(async () => {
  await t.close();
});

async function release(token: string, sessionId: string, rack: string) {
  const res = await t.request('POST', `/api/sessions/${sessionId}/racks/${rack}/release`, {
    token,
    body: {},
  });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
}

describe('a released claim’s token', () => {
  it('is STALE_TOKEN with a true message when the same user released and claimed again', async () => {
    const s = await createSession(t, supervisor.token);
    const first = await claimOk(t, alice.token, s.id, 'A-01');
    await release(alice.token, s.id, 'A-01');
    const second = await claimOk(t, alice.token, s.id, 'A-01');
    expect(second.fencing_token).toBeGreaterThan(first.fencing_token);
    const res = await sync(t, alice.token, [
      countRecord(s.id, 'A-01', 'ITM-A', first.fencing_token),
    ]);
    const result = res.body.data.results[0]!;
    expect(result).toMatchObject({ status: 'CONFLICT', code: 'STALE_TOKEN' });
    expect(result.message).not.toMatch(/someone else/i);
    expect(result.message).toMatch(/claimed again/i);
    expect(result.message).toMatch(/newer token/i);
    // The newer claim's token still writes.
    const ok = await sync(t, alice.token, [
      countRecord(s.id, 'A-01', 'ITM-A', second.fencing_token),
    ]);
    expect(ok.body.data.results[0]).toMatchObject({ status: 'OK' });
  });

  it('stays LOCK_LOST when another counter holds the rack now', async () => {
    const s = await createSession(t, supervisor.token);
    const first = await claimOk(t, alice.token, s.id, 'A-01');
    await release(alice.token, s.id, 'A-01');
    await claimOk(t, bob.token, s.id, 'A-01');
    const res = await sync(t, alice.token, [
      countRecord(s.id, 'A-01', 'ITM-A', first.fencing_token),
    ]);
    expect(res.body.data.results[0]).toMatchObject({ status: 'CONFLICT', code: 'LOCK_LOST' });
  });
});
