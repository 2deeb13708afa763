/**
 * The recount loop on the counter's side (issue #14 point 3, since issue #16 by another counter):
 * a supervisor's "recount" reaches the phone of a counter who did not count the bin, as a task
 * without quantities, answered without a claim; and another phone opening the rack sees the
 * rack's lines (quantities hidden while blind).
 */
import { rackLinesSchema, recountTaskListSchema } from '@stockverify/shared';
import type { ClaimAnswer, RecordResult } from '@stockverify/shared';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { claim, countRecord, createSession, seedCounting } from '../support/counting-fixture';
import { startTestApp, type TestApp } from '../support/test-app';

let t: TestApp;
let supervisor: { token: string };
let alice: { token: string; user: { id: string } };
let bob: { token: string; user: { id: string } };

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

async function countLine(token: string, sessionId: string, rack: string, qty: number) {
  const c = await claim(t, token, sessionId, rack);
  expect(c.status, JSON.stringify(c.body)).toBe(200);
  const record = countRecord(sessionId, rack, 'ITM-A', (c.body.data as ClaimAnswer).fencing_token, {
    counted_qty: qty,
    variance_reason: 'Misplaced in another rack',
  });
  const res = await t.request<RecordResult>('POST', `/api/sessions/${sessionId}/count-lines`, {
    token,
    body: record,
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return {
    record,
    lineId: res.body.data.line_id!,
    token: (c.body.data as ClaimAnswer).fencing_token,
  };
}

async function tasks(token: string, sessionId: string) {
  const res = await t.request('GET', `/api/sessions/${sessionId}/recounts`, { token });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return recountTaskListSchema.parse(res.body.data).items;
}

describe('recount tasks', () => {
  it("a supervisor's recount reaches another counter's phone, without quantities, and ends when that counter answers", async () => {
    const session = await createSession(t, supervisor.token);
    // Within tolerance (book 10): no task until the supervisor asks for one.
    const first = await countLine(alice.token, session.id, 'A-01', 10);
    expect(await tasks(alice.token, session.id)).toEqual([]);
    expect(await tasks(bob.token, session.id)).toEqual([]);

    const review = await t.request('PATCH', `/api/lines/${first.lineId}/review`, {
      token: supervisor.token,
      body: { decision: 'recount', note: 'Check the back shelf' },
    });
    expect(review.status, JSON.stringify(review.body)).toBe(200);

    // Issue #16: the recount is for somebody who did not count the bin, never the first counter.
    expect(await tasks(alice.token, session.id)).toEqual([]);
    const bobs = await tasks(bob.token, session.id);
    expect(bobs).toEqual([
      expect.objectContaining({
        rack: 'A-01',
        item_code: 'ITM-A',
        item_name: 'Alpha Widget',
        note: 'Check the back shelf',
        phase: 1,
      }),
    ]);
    expect(JSON.stringify(bobs)).not.toMatch(/counted_qty|book_qty|variance|alice/);

    // Bob answers it without claiming the rack.
    const { fencing_token: _none, ...recount } = countRecord(session.id, 'A-01', 'ITM-A', 1, {
      counted_qty: 10,
      recount_task_id: bobs[0]!.task_id,
    });
    const res = await t.request<RecordResult>('POST', `/api/sessions/${session.id}/count-lines`, {
      token: bob.token,
      body: recount,
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(await tasks(bob.token, session.id)).toEqual([]);
  });
});

describe("a rack's lines for another phone", () => {
  it('lists what is counted in the rack, with quantities only where blind does not apply', async () => {
    const standard = await createSession(t, supervisor.token);
    // Within tolerance of the book (10): a count outside it would open a recount task that bob
    // may be given, and a recount's bin is hidden from its possible counters (recount-tasks.test).
    await countLine(alice.token, standard.id, 'A-01', 8);
    const seen = await t.request('GET', `/api/sessions/${standard.id}/racks/A-01/lines`, {
      token: bob.token,
    });
    expect(seen.status).toBe(200);
    const lines = rackLinesSchema.parse(seen.body.data);
    expect(lines.total).toBe(1);
    expect(lines.items[0]).toMatchObject({
      item_code: 'ITM-A',
      item_name: 'Alpha Widget',
      counted_qty: 8,
      mine: false,
    });

    // While a blind session is open in the warehouse, staff see that lines exist, not how many.
    const blind = await createSession(t, supervisor.token, { name: 'Blind', mode: 'blind' });
    // Within tolerance (no recount task hides it from alice) of the bin's book: 10 in A-01 (in
    // A-02 the ERP lists none of ITM-A, so 8 there would be outside; design §4 "A bin's book").
    await countLine(bob.token, blind.id, 'A-01', 8);
    const hidden = await t.request('GET', `/api/sessions/${blind.id}/racks/A-01/lines`, {
      token: alice.token,
    });
    const blindLines = rackLinesSchema.parse(hidden.body.data);
    expect(blindLines.items.map((l) => l.counted_qty)).toEqual([null]);
    const forSupervisor = await t.request('GET', `/api/sessions/${blind.id}/racks/A-01/lines`, {
      token: supervisor.token,
    });
    expect(rackLinesSchema.parse(forSupervisor.body.data).items[0]!.counted_qty).toBe(8);
  });

  it('answers an unknown session with 404 and a bad rack with 400', async () => {
    const missing = await t.request('GET', '/api/sessions/nope/racks/A-01/lines', {
      token: alice.token,
    });
    expect(missing.status).toBe(404);
    const session = await createSession(t, supervisor.token);
    const bad = await t.request(
      'GET',
      `/api/sessions/${session.id}/racks/${'x'.repeat(65)}/lines`,
      {
        token: alice.token,
      },
    );
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('params.rack');
  });
});
