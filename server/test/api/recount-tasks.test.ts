/**
 * Recount tasks by another counter (issue #16 item 2, docs/design.md §11), through HTTP on the real
 * SQLite store: a count outside tolerance opens a blind task for a counter who did not count the
 * bin (the present one with the least work, or everyone eligible); a count answering it needs no
 * claim, settles the bin by consensus (it does not add) or opens the next phase; bad task ids,
 * excluded counters and closed tasks are answered as the design says; a supervisor assigns; and
 * reconcile waits for open tasks.
 */
import { randomUUID } from 'node:crypto';
import {
  binDetailSchema,
  recountQueueItemSchema,
  recountQueuePageSchema,
  recountTaskListSchema,
  variancesPageSchema,
  type CountSession,
  type RecordResult,
} from '@stockverify/shared';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { claimOk, countRecord, createSession, sync } from '../support/counting-fixture';
import { firstCount, startRecountApp, type User } from '../support/recount-fixture';
import type { TestApp } from '../support/test-app';

let t: TestApp;
let supervisor: User;
let alice: User;
let bob: User;
let carol: User;

beforeEach(async () => {
  ({ t, supervisor, alice, bob, carol } = await startRecountApp());
});
afterEach(async () => {
  await t.close();
});

/** A count answering a task: no claim, no token. */
function taskAnswer(session: CountSession, taskId: string, qty: number, extra = {}) {
  const { fencing_token: _none, ...record } = countRecord(session.id, 'A-01', 'ITM-A', 1, {
    counted_qty: qty,
    recount_task_id: taskId,
    ...extra,
  });
  return record;
}

async function heartbeat(who: User, session: CountSession) {
  const res = await t.request('POST', `/api/sessions/${session.id}/heartbeat`, {
    token: who.token,
    body: { device_id: 'phone-x' },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
}

async function myTasks(who: User, session: CountSession) {
  const res = await t.request('GET', `/api/sessions/${session.id}/recount-tasks`, {
    token: who.token,
  });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return {
    items: recountTaskListSchema.parse(res.body.data).items,
    text: JSON.stringify(res.body),
  };
}

async function queue(session: CountSession, query = '') {
  const res = await t.request('GET', `/api/sessions/${session.id}/recount-tasks${query}`, {
    token: supervisor.token,
  });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return recountQueuePageSchema.parse(res.body.data);
}

async function bin(session: CountSession) {
  const res = await t.request('GET', `/api/sessions/${session.id}/bins/A-01/ITM-A`, {
    token: supervisor.token,
  });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return binDetailSchema.parse(res.body.data);
}

async function countedA(session: CountSession): Promise<number | undefined> {
  const res = await t.request('GET', `/api/sessions/${session.id}/variances?page_size=50`, {
    token: supervisor.token,
  });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return variancesPageSchema.parse(res.body.data).items.find((v) => v.item_code === 'ITM-A')
    ?.counted_qty;
}

describe('a count outside tolerance', () => {
  it('opens a blind task for the present counter who did not count the bin, not for the first counter', async () => {
    const session = await createSession(t, supervisor.token);
    await heartbeat(bob, session);
    await firstCount(t, alice, session, 5);

    expect((await myTasks(alice, session)).items).toEqual([]);
    const bobs = await myTasks(bob, session);
    expect(bobs.items).toEqual([
      expect.objectContaining({
        rack: 'A-01',
        item_code: 'ITM-A',
        item_name: 'Alpha Widget',
        phase: 1,
        state: 'open',
        assigned_to_me: true,
      }),
    ]);
    // Blind: nothing that anchors the count, whatever the session's mode (this one is standard).
    expect(bobs.text).not.toMatch(/counted_qty|book_qty|variance|quantity|alice/);
    // Carol is not present: the task was given to bob, so she does not see it.
    expect((await myTasks(carol, session)).items).toEqual([]);

    const page = await queue(session);
    expect(page.total).toBe(1);
    expect(page.items[0]).toMatchObject({
      assigned_to: bob.user.id,
      excluded_counters: [alice.user.id],
      reason: 'exceeds_tolerance',
      created_by: 'system',
    });
  });

  it('is announced on the live events: the bin opened, the task opened, and closed once answered', async () => {
    const seen: Array<{ type: string; action: string; data?: Record<string, unknown> }> = [];
    const stop = await t.coordination.subscribe('events', (m) => {
      const e = m as (typeof seen)[number];
      if (e.type === 'bin' || e.type === 'recount_task') seen.push(e);
    });
    const session = await createSession(t, supervisor.token);
    await firstCount(t, alice, session, 5);
    const task = (await myTasks(bob, session)).items[0]!;
    await sync(t, bob.token, [taskAnswer(session, task.task_id, 5)]);
    await stop();
    expect(seen.map((e) => `${e.type}:${e.action}`)).toEqual([
      'bin:open',
      'recount_task:opened',
      'bin:settled',
      'recount_task:done',
    ]);
    expect(seen[1]!.data).toMatchObject({ task_id: task.task_id, item_code: 'ITM-A', phase: 1 });
  });

  it('is offered to every eligible counter when nobody is present', async () => {
    const session = await createSession(t, supervisor.token);
    await firstCount(t, alice, session, 5);
    expect((await myTasks(alice, session)).items).toEqual([]);
    expect((await myTasks(bob, session)).items).toEqual([
      expect.objectContaining({ assigned_to_me: false, phase: 1 }),
    ]);
    expect((await myTasks(carol, session)).items).toHaveLength(1);
    expect((await queue(session)).items[0]!.assigned_to).toBeNull();
    // The route the phone used before answers the same list.
    const old = await t.request('GET', `/api/sessions/${session.id}/recounts`, {
      token: bob.token,
    });
    expect(recountTaskListSchema.parse(old.body.data).items).toHaveLength(1);
  });

  it("a counter's two lines within tolerance each but over it together open a task (the bin is their sum)", async () => {
    const session = await createSession(t, supervisor.token);
    const held = await claimOk(t, alice.token, session.id, 'A-01');
    const line = (qty: number) =>
      countRecord(session.id, 'A-01', 'ITM-A', held.fencing_token, { counted_qty: qty });
    // Two syncs, as a phone sends two places of one rack: 10 and 10 against a book of 10.
    expect((await sync(t, alice.token, [line(10)])).body.data.results[0]!.status).toBe('OK');
    expect((await queue(session)).total).toBe(0);
    expect((await sync(t, alice.token, [line(10)])).body.data.results[0]!.status).toBe('OK');
    expect((await bin(session)).bin).toMatchObject({ state: 'open', reason: 'exceeds_tolerance' });
    expect((await queue(session)).total).toBe(1);
  });

  it("hides a bin's earlier counts in the rack's lines from every counter the task may go to", async () => {
    const session = await createSession(t, supervisor.token);
    await firstCount(t, alice, session, 5);
    // The session is standard (book shown): outside a recount, a counter sees a rack's lines.
    const seen = async (who: User) => {
      const res = await t.request('GET', `/api/sessions/${session.id}/racks/A-01/lines`, {
        token: who.token,
      });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return res.body.data as { items: Array<{ item_code: string }>; total: number };
    };
    // Bob may be asked to recount ITM-A in A-01: no earlier count of it, not even that one exists.
    const bobs = await seen(bob);
    expect(bobs.items.filter((l) => l.item_code === 'ITM-A')).toEqual([]);
    expect(bobs.total).toBe(0);
    // Alice counted it (she is never asked to recount it): she still sees her line.
    expect((await seen(alice)).items.map((l) => l.item_code)).toEqual(['ITM-A']);
    // A supervisor sees everything.
    expect((await seen(supervisor)).items).toHaveLength(1);
  });

  it('a count within tolerance opens no task', async () => {
    const session = await createSession(t, supervisor.token);
    await firstCount(t, alice, session, 10);
    expect((await queue(session)).total).toBe(0);
  });
});

describe('answering a task', () => {
  it('needs no claim; an agreeing count settles the bin on one figure (a recount does not add)', async () => {
    const session = await createSession(t, supervisor.token);
    await firstCount(t, alice, session, 5);
    const task = (await myTasks(bob, session)).items[0]!;

    const answer = taskAnswer(session, task.task_id, 5);
    const res = await sync(t, bob.token, [answer]);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const result = res.body.data.results[0]! as RecordResult;
    expect(result).toMatchObject({ status: 'OK', message: 'Saved' });
    // Blind answer, even in a standard session.
    expect(result).not.toHaveProperty('variance');

    const detail = await bin(session);
    expect(detail.bin).toMatchObject({ state: 'settled', reason: 'consensus', quantity: 5 });
    expect(detail.counts.map((c) => [c.counted_by, c.phase, c.quantity, c.taken])).toEqual(
      expect.arrayContaining([
        [alice.user.id, 0, 5, true],
        [bob.user.id, 1, 5, false],
      ]),
    );
    // The read model takes the bin's figure once: 5, not 5 + 5.
    expect(await countedA(session)).toBe(5);
    const closed = await queue(session, '?state=done');
    expect(closed.items[0]).toMatchObject({
      task_id: task.task_id,
      answered_by_op_id: answer.op_id,
    });
    expect((await myTasks(bob, session)).items).toEqual([]);
  });

  it('a disagreeing count opens the next phase for a third counter', async () => {
    const session = await createSession(t, supervisor.token);
    await firstCount(t, alice, session, 5);
    const first = (await myTasks(bob, session)).items[0]!;
    await sync(t, bob.token, [taskAnswer(session, first.task_id, 8)]);

    const detail = await bin(session);
    expect(detail.bin).toMatchObject({ state: 'open', reason: 'disagreement', phase: 2 });
    const open = await queue(session, '?state=open');
    expect(open.items).toHaveLength(1);
    expect(open.items[0]).toMatchObject({ phase: 2 });
    expect([...open.items[0]!.excluded_counters].sort()).toEqual(
      [alice.user.id, bob.user.id].sort(),
    );
    expect((await myTasks(bob, session)).items).toEqual([]);
    expect((await myTasks(carol, session)).items).toEqual([expect.objectContaining({ phase: 2 })]);
    // Carol agrees with bob: 8 settles.
    await sync(t, carol.token, [taskAnswer(session, open.items[0]!.task_id, 8)]);
    expect((await bin(session)).bin).toMatchObject({ state: 'settled', quantity: 8 });
    expect(await countedA(session)).toBe(8);
  });

  it('refuses an unknown task, a task of another bin, and a counter who counted the bin', async () => {
    const session = await createSession(t, supervisor.token);
    await firstCount(t, alice, session, 5);
    const task = (await myTasks(bob, session)).items[0]!;

    const unknown = taskAnswer(session, 'no-such-task', 5);
    const otherItem = { ...taskAnswer(session, task.task_id, 5), item_code: 'ITM-B' };
    const mine = taskAnswer(session, task.task_id, 5);
    const noToken = { ...taskAnswer(session, task.task_id, 5), recount_task_id: undefined };
    const res = await sync(t, bob.token, [unknown, otherItem, noToken]);
    const results = res.body.data.results;
    expect(results[0]).toMatchObject({ status: 'ERROR', code: 'RECOUNT_TASK_UNKNOWN' });
    expect(results[0]!.details).toEqual([
      expect.objectContaining({ path: 'records.0.recount_task_id' }),
    ]);
    expect(results[1]).toMatchObject({ status: 'ERROR', code: 'RECOUNT_TASK_UNKNOWN' });
    expect(results[2]).toMatchObject({ status: 'ERROR', code: 'VALIDATION_FAILED' });
    expect(results[2]!.details).toEqual([
      expect.objectContaining({ path: 'records.2.fencing_token' }),
    ]);

    const byAlice = await sync(t, alice.token, [mine]);
    expect(byAlice.body.data.results[0]).toMatchObject({
      status: 'ERROR',
      code: 'RECOUNT_NOT_ELIGIBLE',
      details: [expect.objectContaining({ path: 'records.0.recount_task_id' })],
    });
    // A task of another session.
    const other = await createSession(t, supervisor.token, { name: 'Other' });
    const elsewhere = { ...taskAnswer(other, task.task_id, 5) };
    const res2 = await sync(t, bob.token, [elsewhere]);
    expect(res2.body.data.results[0]).toMatchObject({ code: 'RECOUNT_TASK_UNKNOWN' });
    // Nothing was stored by any of these.
    for (const r of [unknown, otherItem, noToken, mine, elsewhere]) {
      expect(await t.store.lines.getByOpId(r.op_id)).toBeNull();
    }
  });

  it('a task closed meanwhile still takes the count, shown late, and changes nothing decided', async () => {
    const session = await createSession(t, supervisor.token);
    await firstCount(t, alice, session, 5);
    const task = (await myTasks(bob, session)).items[0]!;
    t.advance(1000);
    const decided = await t.request(
      'POST',
      `/api/sessions/${session.id}/bins/A-01/ITM-A/decisions`,
      { token: supervisor.token, body: { kind: 'set', quantity: 7, reason: 'Counted myself' } },
    );
    expect(decided.status, JSON.stringify(decided.body)).toBe(201);
    expect((await queue(session, '?state=cancelled')).items[0]!.task_id).toBe(task.task_id);

    t.advance(1000);
    const late = taskAnswer(session, task.task_id, 9);
    const announced: unknown[] = [];
    const stop = await t.coordination.subscribe('events', (m) => {
      if ((m as { action?: string }).action === 'late_count') announced.push(m);
    });
    const res = await sync(t, bob.token, [late]);
    await stop();
    // The watchtower hears of it.
    expect(announced).toEqual([
      expect.objectContaining({ type: 'bin', data: { item_code: 'ITM-A', op_ids: [late.op_id] } }),
    ]);
    expect(res.body.data.results[0]).toMatchObject({ status: 'OK' });
    expect(await t.store.lines.getByOpId(late.op_id)).not.toBeNull();

    const detail = await bin(session);
    expect(detail.bin).toMatchObject({ state: 'decided', quantity: 7 });
    expect(detail.counts.find((c) => c.op_id === late.op_id)).toMatchObject({
      late: true,
      taken: false,
    });
    expect(detail.conflicts.map((c) => c.id)).toContain(late.op_id);
    expect(await countedA(session)).toBe(7);
  });

  it('the same answer sent twice is stored once', async () => {
    const session = await createSession(t, supervisor.token);
    await firstCount(t, alice, session, 5);
    const task = (await myTasks(bob, session)).items[0]!;
    const answer = taskAnswer(session, task.task_id, 5);
    const key = randomUUID();
    await sync(t, bob.token, [answer], key);
    const again = await sync(t, bob.token, [answer], key);
    expect(again.body.data.replayed).toBe(true);
    expect((await bin(session)).counts.filter((c) => c.op_id === answer.op_id)).toHaveLength(1);
  });
});

describe('a supervisor assigns', () => {
  it('to a counter who did not count the bin; never to one who did (409 RECOUNT_COUNTER_EXCLUDED); audited', async () => {
    const session = await createSession(t, supervisor.token);
    await firstCount(t, alice, session, 5);
    const task = (await queue(session)).items[0]!;
    const url = `/api/sessions/${session.id}/recount-tasks/${task.task_id}/assign`;

    const refused = await t.request('POST', url, {
      token: supervisor.token,
      body: { user_id: alice.user.id },
    });
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatchObject({
      code: 'RECOUNT_COUNTER_EXCLUDED',
      details: [expect.objectContaining({ path: 'user_id' })],
    });

    const given = await t.request('POST', url, {
      token: supervisor.token,
      body: { user_id: carol.user.id },
    });
    expect(given.status, JSON.stringify(given.body)).toBe(200);
    expect(recountQueueItemSchema.parse(given.body.data)).toMatchObject({
      assigned_to: carol.user.id,
    });
    expect((await myTasks(carol, session)).items[0]).toMatchObject({ assigned_to_me: true });
    expect((await myTasks(bob, session)).items).toEqual([]);
    const audit = await t.store.audit.list({
      page: 1,
      page_size: 10,
      action: 'recount_task.assign',
    });
    expect(audit.total).toBe(1);

    // Back to everyone eligible.
    const offered = await t.request('POST', url, {
      token: supervisor.token,
      body: { user_id: null },
    });
    expect(offered.status).toBe(200);
    expect((await myTasks(bob, session)).items).toHaveLength(1);

    // Staff may not assign; bad bodies and unknown tasks are answered clearly.
    const staff = await t.request('POST', url, { token: bob.token, body: { user_id: null } });
    expect(staff.status).toBe(403);
    const bad = await t.request('POST', url, { token: supervisor.token, body: { user: 'x' } });
    expect(bad.status).toBe(400);
    const unknownUser = await t.request('POST', url, {
      token: supervisor.token,
      body: { user_id: 'nobody' },
    });
    expect(unknownUser.status).toBe(400);
    expect(JSON.stringify(unknownUser.body)).toContain('"path":"user_id"');
    const missing = await t.request(
      'POST',
      `/api/sessions/${session.id}/recount-tasks/nope/assign`,
      { token: supervisor.token, body: { user_id: null } },
    );
    expect(missing.status).toBe(404);
  });
});

describe('reconcile', () => {
  it('is refused with RECOUNTS_OPEN and the list while a task is open, and goes through once decided', async () => {
    const session = await createSession(t, supervisor.token);
    await firstCount(t, alice, session, 5);
    const task = (await queue(session)).items[0]!;
    const close = await t.request('POST', `/api/sessions/${session.id}/close`, {
      token: supervisor.token,
    });
    expect(close.status, JSON.stringify(close.body)).toBe(200);
    const refused = await t.request('POST', `/api/sessions/${session.id}/reconcile`, {
      token: supervisor.token,
    });
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatchObject({
      code: 'RECOUNTS_OPEN',
      open_bins: [{ rack: 'A-01', item_code: 'ITM-A', state: 'open', task_id: task.task_id }],
      open_bins_total: 1,
    });

    const decided = await t.request(
      'POST',
      `/api/sessions/${session.id}/bins/A-01/ITM-A/decisions`,
      {
        token: supervisor.token,
        body: { kind: 'set', count_id: (await bin(session)).counts[0]!.op_id, reason: 'Seen' },
      },
    );
    expect(decided.status, JSON.stringify(decided.body)).toBe(201);
    const reconciled = await t.request('POST', `/api/sessions/${session.id}/reconcile`, {
      token: supervisor.token,
    });
    expect(reconciled.status, JSON.stringify(reconciled.body)).toBe(200);
  });
});
