/**
 * The Idempotency-Key in-flight marker is a lease (issue #7): short (10 s) so that a batch whose
 * API process died stops blocking the phone's retry soon (see process-kill.test.ts), renewed
 * every 3 s so that a batch still running keeps it however slow the store is.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { claim, countRecord, createSession, seedCounting, sync } from '../support/counting-fixture';
import { startTestApp, type TestApp } from '../support/test-app';

let t: TestApp;

beforeAll(async () => {
  t = await startTestApp();
  await seedCounting(t);
});

afterAll(async () => {
  await t?.close();
});

it('a slow batch keeps its marker past the TTL; the same key meanwhile answers 409', async () => {
  const sup = await t.userWithRole('supervisor');
  const alice = await t.userWithRole('staff');
  const session = await createSession(t, sup.token);
  const held = await claim(t, alice.token, session.id, 'A-01');
  expect(held.status).toBe(200);
  const records = [countRecord(session.id, 'A-01', 'ITM-A', held.body.data.fencing_token)];
  const key = `lease-${randomUUID()}`;

  // The store takes 4 s (real time) to write the lines.
  const insertMany = t.store.lines.insertMany.bind(t.store.lines);
  t.store.lines.insertMany = async (lines) => {
    await new Promise((r) => setTimeout(r, 4000));
    return insertMany(lines);
  };
  try {
    const slow = sync(t, alice.token, records, key);
    await new Promise((r) => setTimeout(r, 300));
    // Coordination runs on the test clock: 9 s pass, the marker (10 s) has 1 s left...
    t.advance(9_000);
    // ...the batch renews it at 3 s (real time), then the clock passes the first expiry.
    await new Promise((r) => setTimeout(r, 3_200));
    t.advance(5_000);
    const meanwhile = await sync(t, alice.token, records, key);
    expect(meanwhile.status, JSON.stringify(meanwhile.body.error)).toBe(409);
    expect(meanwhile.body.error?.code).toBe('IDEMPOTENCY_IN_FLIGHT');
    const done = await slow;
    expect(done.status).toBe(200);
    expect(done.body.data.results[0]!.status).toBe('OK');
  } finally {
    t.store.lines.insertMany = insertMany;
  }
  // Once answered, the key replays the stored answer at once: the lease was let go.
  const replay = await sync(t, alice.token, records, key);
  expect(replay.status).toBe(200);
  expect(replay.body.data.replayed).toBe(true);
}, 20_000);
