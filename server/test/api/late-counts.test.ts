/**
 * Late counts become a conflict to act on (issue #16 item 3, docs/design.md §11 "Late counts"):
 * a recount received after the supervisor decided the bin is kept on the bin row as a late count
 * until a supervisor acknowledges it (keeping the decision, with a reason, audited) or overrides
 * the decision; `GET /sessions/:id/bins?attention=late` lists such bins, and reconcile is refused
 * (409 RECOUNTS_OPEN, the bin listed with its `late_counts`) until every one is acknowledged.
 */
import {
  binDetailSchema,
  binPageSchema,
  recountTaskListSchema,
  type CountSession,
} from '@stockverify/shared';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { countRecord, createSession, sync } from '../support/counting-fixture';
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

const binUrl = (session: CountSession) => `/api/sessions/${session.id}/bins/A-01/ITM-A`;

/** A count answering a task: no claim, no token. */
function taskAnswer(session: CountSession, taskId: string, qty: number) {
  const { fencing_token: _none, ...record } = countRecord(session.id, 'A-01', 'ITM-A', 1, {
    counted_qty: qty,
    recount_task_id: taskId,
  });
  return record;
}

async function detail(session: CountSession) {
  const res = await t.request('GET', binUrl(session), { token: supervisor.token });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return binDetailSchema.parse(res.body.data);
}

async function lateBins(session: CountSession) {
  const res = await t.request('GET', `/api/sessions/${session.id}/bins?attention=late`, {
    token: supervisor.token,
  });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return binPageSchema.parse(res.body.data);
}

const acknowledge = (session: CountSession, body: unknown, token = supervisor.token) =>
  t.request('POST', `${binUrl(session)}/late-counts/acknowledge`, { token, body });

const reconcile = (session: CountSession) =>
  t.request('POST', `/api/sessions/${session.id}/reconcile`, { token: supervisor.token });

/**
 * Alice counts 5 against a book of 10 (a task goes to Bob), the supervisor sets 7, and Bob's
 * answer to the cancelled task arrives after: a late count. Returns its op_id.
 */
async function decidedThenLate(session: CountSession, qty = 9): Promise<string> {
  await firstCount(t, alice, session, 5);
  const tasks = await t.request('GET', `/api/sessions/${session.id}/recount-tasks`, {
    token: bob.token,
  });
  const taskId = recountTaskListSchema.parse(tasks.body.data).items[0]!.task_id;
  t.advance(1000);
  const decided = await t.request('POST', `${binUrl(session)}/decisions`, {
    token: supervisor.token,
    body: { kind: 'set', quantity: 7, reason: 'Counted myself' },
  });
  expect(decided.status, JSON.stringify(decided.body)).toBe(201);
  t.advance(1000);
  const late = taskAnswer(session, taskId, qty);
  const res = await sync(t, bob.token, [late]);
  expect(res.body.data.results[0], JSON.stringify(res.body)).toMatchObject({ status: 'OK' });
  return late.op_id;
}

describe('a count received after the decision', () => {
  it('stays on the bin as unacknowledged, is listed by attention=late and blocks reconcile', async () => {
    const session = await createSession(t, supervisor.token);
    const late = await decidedThenLate(session);

    const { bin } = await detail(session);
    expect(bin).toMatchObject({
      state: 'decided',
      quantity: 7,
      late_count_ids: [late],
      late_acknowledged_ids: [],
      late_unacknowledged: 1,
    });
    const listed = await lateBins(session);
    expect(listed.total).toBe(1);
    expect(listed.items.map((b) => [b.rack, b.item_code])).toEqual([['A-01', 'ITM-A']]);

    const close = await t.request('POST', `/api/sessions/${session.id}/close`, {
      token: supervisor.token,
    });
    expect(close.status, JSON.stringify(close.body)).toBe(200);
    const refused = await reconcile(session);
    expect(refused.status, JSON.stringify(refused.body)).toBe(409);
    expect(refused.body.error).toMatchObject({
      code: 'RECOUNTS_OPEN',
      open_bins: [
        { rack: 'A-01', item_code: 'ITM-A', state: 'decided', task_id: null, late_counts: 1 },
      ],
      open_bins_total: 1,
    });
  });

  it('is acknowledged with a reason (audited), keeping the decision; reconcile then passes', async () => {
    const session = await createSession(t, supervisor.token);
    const late = await decidedThenLate(session);

    const noReason = await acknowledge(session, {});
    expect(noReason.status).toBe(400);
    expect(JSON.stringify(noReason.body)).toContain('"path":"reason"');
    const blank = await acknowledge(session, { reason: '   ' });
    expect(blank.status).toBe(400);
    expect(JSON.stringify(blank.body)).toContain('"path":"reason"');
    const notLate = await acknowledge(session, { reason: 'Seen', count_ids: ['nope'] });
    expect(notLate.status).toBe(400);
    expect(JSON.stringify(notLate.body)).toContain('"path":"count_ids.0"');
    const byStaff = await acknowledge(session, { reason: 'Seen' }, alice.token);
    expect(byStaff.status).toBe(403);
    expect((await detail(session)).bin.late_unacknowledged).toBe(1);

    const ok = await acknowledge(session, { reason: 'Bob counted the wrong shelf' });
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect(ok.body.data).toMatchObject({
      state: 'decided',
      quantity: 7,
      late_count_ids: [late],
      late_acknowledged_ids: [late],
      late_unacknowledged: 0,
    });
    const audits = await t.store.audit.list({
      page: 1,
      page_size: 10,
      action: 'bin.late_acknowledge',
    });
    expect(audits.items).toHaveLength(1);
    expect(JSON.stringify(audits.items[0])).toContain('Bob counted the wrong shelf');
    expect(JSON.stringify(audits.items[0])).toContain(late);
    expect((await lateBins(session)).total).toBe(0);

    // Nothing late any more.
    const again = await acknowledge(session, { reason: 'Seen' });
    expect(again.status).toBe(409);
    expect(again.body.error?.code).toBe('NO_LATE_COUNTS');

    await t.request('POST', `/api/sessions/${session.id}/close`, { token: supervisor.token });
    const reconciled = await reconcile(session);
    expect(reconciled.status, JSON.stringify(reconciled.body)).toBe(200);
  });

  it('a count answering a task already closed is late too, until acknowledged', async () => {
    const session = await createSession(t, supervisor.token);
    await firstCount(t, alice, session, 5);
    const tasks = await t.request('GET', `/api/sessions/${session.id}/recount-tasks`, {
      token: carol.token,
    });
    const taskId = recountTaskListSchema.parse(tasks.body.data).items[0]!.task_id;
    t.advance(1000);
    // Carol answers first (agreeing: the bin settles and the task is done)…
    const answered = await sync(t, carol.token, [taskAnswer(session, taskId, 5)]);
    expect(answered.body.data.results[0]).toMatchObject({ status: 'OK' });
    t.advance(1000);
    // …then Bob's phone, offline meanwhile, sends its answer to the same task.
    const late = taskAnswer(session, taskId, 6);
    expect((await sync(t, bob.token, [late])).body.data.results[0]).toMatchObject({
      status: 'OK',
    });
    const { bin, conflicts } = await detail(session);
    expect(bin).toMatchObject({
      state: 'settled',
      late_count_ids: [late.op_id],
      late_unacknowledged: 1,
    });
    expect(conflicts).toContainEqual({ id: late.op_id, code: 'late_after_task_closed' });
    expect((await lateBins(session)).total).toBe(1);
    const ok = await acknowledge(session, { reason: 'Same figure', count_ids: [late.op_id] });
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect(ok.body.data).toMatchObject({ state: 'settled', late_unacknowledged: 0 });
    const { counts } = await detail(session);
    expect(counts.find((c) => c.op_id === late.op_id)).toMatchObject({
      late: true,
      late_acknowledged: true,
    });
  });

  it('a bin with nothing late answers 409', async () => {
    const session = await createSession(t, supervisor.token);
    await firstCount(t, alice, session, 5);
    const res = await acknowledge(session, { reason: 'Seen' });
    expect(res.status).toBe(409);
    expect(res.body.error?.code).toBe('NO_LATE_COUNTS');
  });

  it('an override acknowledges the late counts it saw; its own figure is never late', async () => {
    const session = await createSession(t, supervisor.token);
    const late = await decidedThenLate(session);
    t.advance(1000);
    // A typed quantity is written as the supervisor's own line, after the first decision.
    const override = await t.request('POST', `${binUrl(session)}/decisions`, {
      token: supervisor.token,
      body: { kind: 'set', quantity: 8, reason: 'Counted again with Bob' },
    });
    expect(override.status, JSON.stringify(override.body)).toBe(201);
    expect(override.body.data).toMatchObject({
      state: 'decided',
      quantity: 8,
      late_count_ids: [late],
      late_acknowledged_ids: [late],
      late_unacknowledged: 0,
    });
    expect((await lateBins(session)).total).toBe(0);
    const audits = await t.store.audit.list({ page: 1, page_size: 10, action: 'bin.override' });
    expect(JSON.stringify(audits.items[0])).toContain(late);

    // Taking the late count itself: it is the decision's figure, not a late count any more.
    t.advance(1000);
    const taken = await t.request('POST', `${binUrl(session)}/decisions`, {
      token: supervisor.token,
      body: { kind: 'set', count_id: late, reason: 'Bob was right' },
    });
    expect(taken.status, JSON.stringify(taken.body)).toBe(201);
    expect(taken.body.data).toMatchObject({
      quantity: 9,
      late_count_ids: [],
      late_unacknowledged: 0,
    });
  });
});
