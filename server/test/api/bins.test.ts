/**
 * Bins for supervisors (issue #16 items 3, 4 and 6; docs/design.md §11–§12), through HTTP on the
 * real SQLite store: the list by state, one bin's history side by side, decisions (take a count,
 * a free quantity written as the supervisor's line, a recount for a different counter, an
 * override), each with a mandatory reason and audited; the line review mapped onto bins; and the
 * adjustment package carrying each bin's counts and deciding rule.
 */
import ExcelJS from 'exceljs';
import {
  adjustmentPackageSchema,
  binDetailSchema,
  binPageSchema,
  binRecordSchema,
  countLinePageSchema,
  recountQueuePageSchema,
  variancesPageSchema,
  type CountSession,
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

async function answerTask(who: User, session: CountSession, qty: number) {
  const tasks = await t.request('GET', `/api/sessions/${session.id}/recount-tasks`, {
    token: who.token,
  });
  const task = (tasks.body.data as { items: Array<{ task_id: string }> }).items[0]!;
  const { fencing_token: _none, ...record } = countRecord(session.id, 'A-01', 'ITM-A', 1, {
    counted_qty: qty,
    recount_task_id: task.task_id,
  });
  const res = await sync(t, who.token, [record]);
  expect(res.body.data.results[0]!.status, JSON.stringify(res.body.data)).toBe('OK');
  return record;
}

const binUrl = (s: CountSession) => `/api/sessions/${s.id}/bins/A-01/ITM-A`;

async function detail(session: CountSession) {
  const res = await t.request('GET', binUrl(session), { token: supervisor.token });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return binDetailSchema.parse(res.body.data);
}

async function decide(session: CountSession, body: unknown, token = supervisor.token) {
  return t.request('POST', `${binUrl(session)}/decisions`, { token, body });
}

async function countedA(session: CountSession) {
  const res = await t.request('GET', `/api/sessions/${session.id}/variances?page_size=50`, {
    token: supervisor.token,
  });
  return variancesPageSchema.parse(res.body.data).items.find((v) => v.item_code === 'ITM-A')
    ?.counted_qty;
}

async function audits(action: string) {
  return (await t.store.audit.list({ page: 1, page_size: 20, action })).items;
}

describe('GET /sessions/:id/bins', () => {
  it('lists the bins that needed settling, by state, for supervisors only', async () => {
    const session = await createSession(t, supervisor.token);
    await firstCount(t, alice, session, 5);
    const all = await t.request('GET', `/api/sessions/${session.id}/bins`, {
      token: supervisor.token,
    });
    expect(all.status, JSON.stringify(all.body)).toBe(200);
    const page = binPageSchema.parse(all.body.data);
    expect(page.items).toEqual([
      expect.objectContaining({
        rack: 'A-01',
        item_code: 'ITM-A',
        item_name: 'Alpha Widget',
        state: 'open',
        reason: 'exceeds_tolerance',
        phase: 1,
        rule_id: 'alpha-tight',
        counters: [alice.user.id],
        first_count_qty: 5,
      }),
    ]);
    const settled = await t.request('GET', `/api/sessions/${session.id}/bins?state=settled`, {
      token: supervisor.token,
    });
    expect(binPageSchema.parse(settled.body.data).total).toBe(0);
    const staff = await t.request('GET', `/api/sessions/${session.id}/bins`, {
      token: alice.token,
    });
    expect(staff.status).toBe(403);
    const bad = await t.request('GET', `/api/sessions/${session.id}/bins?state=nope`, {
      token: supervisor.token,
    });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('query.state');
  });
});

describe('GET /sessions/:id/bins/:rack/:item', () => {
  it('shows every count side by side with the rule, the tasks and who decided what', async () => {
    const session = await createSession(t, supervisor.token);
    const first = await firstCount(t, alice, session, 5);
    const recount = await answerTask(bob, session, 8);
    const d = await detail(session);
    expect(d.bin).toMatchObject({ state: 'open', phase: 2, reason: 'disagreement' });
    expect(d.counts).toHaveLength(2);
    expect(d.counts.find((c) => c.op_id === first.op_id)).toMatchObject({
      phase: 0,
      counted_by: alice.user.id,
      quantity: 5,
      device_id: 'phone-1',
      taken: true,
      late: false,
    });
    expect(d.counts.find((c) => c.op_id === recount.op_id)).toMatchObject({
      phase: 1,
      counted_by: bob.user.id,
      quantity: 8,
      taken: false,
      status: 'CANDIDATE',
    });
    expect(d.rule).toMatchObject({ rule_id: 'alpha-tight' });
    expect(d.agreement_allowance).toBe(1);
    expect(d.tasks.map((task) => [task.phase, task.state])).toEqual(
      expect.arrayContaining([
        [1, 'done'],
        [2, 'open'],
      ]),
    );
  });

  it('answers 404 for a bin nothing is known of, 400 for bad parameters, 403 for staff', async () => {
    const session = await createSession(t, supervisor.token);
    const none = await t.request('GET', `/api/sessions/${session.id}/bins/A-01/ITM-B`, {
      token: supervisor.token,
    });
    expect(none.status).toBe(404);
    const notRack = await t.request('GET', `/api/sessions/${session.id}/bins/Z-99/ITM-A`, {
      token: supervisor.token,
    });
    expect(notRack.status).toBe(404);
    const bad = await t.request('GET', `/api/sessions/${session.id}/bins/${'x'.repeat(65)}/ITM-A`, {
      token: supervisor.token,
    });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('params.rack');
    const staff = await t.request('GET', binUrl(session), { token: alice.token });
    expect(staff.status).toBe(403);
  });
});

describe('POST /sessions/:id/bins/:rack/:item/decisions', () => {
  it('needs a reason to set a quantity (400 naming reason), and changes nothing without one', async () => {
    const session = await createSession(t, supervisor.token);
    await firstCount(t, alice, session, 5);
    for (const body of [
      { kind: 'set', quantity: 6 },
      { kind: 'set', quantity: 6, reason: '   ' },
    ]) {
      const res = await decide(session, body);
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({
        code: 'VALIDATION_FAILED',
        details: [expect.objectContaining({ path: 'reason' })],
      });
    }
    const both = await decide(session, {
      kind: 'set',
      quantity: 6,
      count_id: 'x',
      reason: 'Both',
    });
    expect(both.status).toBe(400);
    expect(JSON.stringify(both.body)).toContain('"path":"count_id"');
    const unknownCount = await decide(session, { kind: 'set', count_id: 'nope', reason: 'Why' });
    expect(unknownCount.status).toBe(400);
    expect(JSON.stringify(unknownCount.body)).toContain('"path":"count_id"');
    const staff = await decide(session, { kind: 'set', quantity: 6, reason: 'x' }, alice.token);
    expect(staff.status).toBe(403);
    expect((await detail(session)).bin.state).toBe('open');
    expect(await audits('bin.decide')).toEqual([]);
  });

  it("refuses a counter's correction of a decided bin (BIN_DECIDED on supersedes) and changes nothing", async () => {
    const session = await createSession(t, supervisor.token);
    const first = await firstCount(t, alice, session, 5);
    const decided = await decide(session, {
      kind: 'set',
      count_id: first.op_id,
      reason: 'Checked',
    });
    expect(decided.status, JSON.stringify(decided.body)).toBe(201);
    expect(await countedA(session)).toBe(5);
    // Alice's phone corrects her count after the supervisor decided (it was offline meanwhile).
    const held = await claimOk(t, alice.token, session.id, 'A-01');
    const fix = countRecord(session.id, 'A-01', 'ITM-A', held.fencing_token, {
      counted_qty: 7,
      supersedes: first.op_id,
    });
    const res = await sync(t, alice.token, [fix]);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.data.results[0]).toMatchObject({
      status: 'ERROR',
      code: 'BIN_DECIDED',
      details: [expect.objectContaining({ path: expect.stringContaining('supersedes') })],
    });
    // The decision stands, and so does the figure the session counts.
    expect((await detail(session)).bin).toMatchObject({ state: 'decided', quantity: 5 });
    expect(await countedA(session)).toBe(5);
  });

  it("takes a count's figure, closes the open task, and the read model counts that figure", async () => {
    const session = await createSession(t, supervisor.token);
    const first = await firstCount(t, alice, session, 5);
    const res = await decide(session, { kind: 'set', count_id: first.op_id, reason: 'Checked' });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(binRecordSchema.parse(res.body.data)).toMatchObject({ state: 'decided', quantity: 5 });
    const d = await detail(session);
    expect(d.decisions).toEqual([
      expect.objectContaining({
        kind: 'set',
        count_id: first.op_id,
        quantity: 5,
        decided_by: supervisor.user.id,
        decided_by_name: 'supervisor user',
        reason: 'Checked',
        override: false,
      }),
    ]);
    expect(d.tasks.every((task) => task.state !== 'open')).toBe(true);
    expect(await countedA(session)).toBe(5);
    expect(await audits('bin.decide')).toHaveLength(1);
  });

  it("writes a free quantity as the supervisor's own line (device console, remark = reason); an override is audited as such", async () => {
    const session = await createSession(t, supervisor.token);
    await firstCount(t, alice, session, 5);
    const res = await decide(session, { kind: 'set', quantity: 7, reason: 'Counted it myself' });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(await countedA(session)).toBe(7);
    const d = await detail(session);
    const mine = d.counts.find((c) => c.counted_by === supervisor.user.id)!;
    expect(mine).toMatchObject({ device_id: 'console', quantity: 7, taken: true });
    const lines = await t.request('GET', `/api/sessions/${session.id}/lines?page_size=50`, {
      token: supervisor.token,
    });
    const line = countLinePageSchema
      .parse(lines.body.data)
      .items.find((l) => l.op_id === mine.op_id)!;
    expect(line.remark).toBe('Counted it myself');
    // Alice's count no longer counts: the bin is one figure.
    expect(d.counts.find((c) => c.counted_by === alice.user.id)!.taken).toBe(false);

    t.advance(1000);
    const again = await decide(session, { kind: 'set', quantity: 6, reason: 'Recounted the box' });
    expect(again.status, JSON.stringify(again.body)).toBe(201);
    expect(await countedA(session)).toBe(6);
    expect(await audits('bin.override')).toHaveLength(1);
    const after = await detail(session);
    expect(after.decisions.map((x) => x.override)).toEqual([false, true]);
  });

  it('asks a recount of a settled bin from a different counter; never from one who counted it', async () => {
    const session = await createSession(t, supervisor.token);
    await firstCount(t, alice, session, 10);
    const refused = await decide(session, {
      kind: 'recount',
      reason: 'Looks odd',
      assign_to: alice.user.id,
    });
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatchObject({
      code: 'RECOUNT_COUNTER_EXCLUDED',
      details: [expect.objectContaining({ path: 'assign_to' })],
    });
    const asked = await decide(session, {
      kind: 'recount',
      reason: 'Looks odd',
      assign_to: carol.user.id,
    });
    expect(asked.status, JSON.stringify(asked.body)).toBe(201);
    expect(binRecordSchema.parse(asked.body.data)).toMatchObject({
      state: 'open',
      reason: 'awaiting_recount',
      phase: 1,
    });
    const q = await t.request('GET', `/api/sessions/${session.id}/recount-tasks?state=open`, {
      token: supervisor.token,
    });
    expect(recountQueuePageSchema.parse(q.body.data).items).toEqual([
      expect.objectContaining({
        assigned_to: carol.user.id,
        note: 'Looks odd',
        excluded_counters: [alice.user.id],
      }),
    ]);
  });
});

describe('the line review on bins', () => {
  it('"recount" on a line asks a different counter, not the one who counted it', async () => {
    const session = await createSession(t, supervisor.token);
    await firstCount(t, alice, session, 10);
    const line = (await t.store.lines.list(session.id, { page: 1, page_size: 5 })).items[0]!;
    const res = await t.request('PATCH', `/api/lines/${line.id}/review`, {
      token: supervisor.token,
      body: { decision: 'recount', note: 'Back shelf' },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const aliceTasks = await t.request('GET', `/api/sessions/${session.id}/recount-tasks`, {
      token: alice.token,
    });
    expect((aliceTasks.body.data as { items: unknown[] }).items).toEqual([]);
    const bobTasks = await t.request('GET', `/api/sessions/${session.id}/recount-tasks`, {
      token: bob.token,
    });
    expect((bobTasks.body.data as { items: unknown[] }).items).toEqual([
      expect.objectContaining({ rack: 'A-01', item_code: 'ITM-A', note: 'Back shelf' }),
    ]);
    // Bob's agreeing count settles it.
    await answerTask(bob, session, 10);
    expect((await detail(session)).bin).toMatchObject({ state: 'settled', quantity: 10 });
  });

  it('"approve" on a line decides its bin on that count', async () => {
    const session = await createSession(t, supervisor.token);
    const first = await firstCount(t, alice, session, 5);
    const line = await t.store.lines.getByOpId(first.op_id);
    const res = await t.request('PATCH', `/api/lines/${line!.id}/review`, {
      token: supervisor.token,
      body: { decision: 'approve', note: 'Shelf was short' },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const d = await detail(session);
    expect(d.bin).toMatchObject({ state: 'decided', quantity: 5 });
    expect(d.decisions[0]).toMatchObject({ kind: 'set', count_id: first.op_id });
  });
});

describe('the adjustment package', () => {
  it("carries each bin's counts and deciding rule, in JSON and on the XLSX", async () => {
    const session = await createSession(t, supervisor.token);
    await firstCount(t, alice, session, 5);
    await answerTask(bob, session, 5);
    const ruled = (await detail(session)).rule!;
    for (const step of ['close', 'reconcile']) {
      const res = await t.request('POST', `/api/sessions/${session.id}/${step}`, {
        token: supervisor.token,
      });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
    }
    const json = await t.request('GET', `/api/sessions/${session.id}/adjustments`, {
      token: supervisor.token,
    });
    expect(json.status, JSON.stringify(json.body)).toBe(200);
    const pkg = adjustmentPackageSchema.parse(json.body.data);
    const row = pkg.rows.find((r) => r.item_code === 'ITM-A')!;
    expect(row.counted_qty).toBe(5);
    expect(row.variance).toBe(-5);
    expect(row.bins).toEqual([
      {
        rack: 'A-01',
        state: 'settled',
        quantity: 5,
        rule_id: 'alpha-tight',
        rule_version: ruled.rule_version,
        counts: [
          { phase: 0, counter: 'alice', quantity: 5, taken: true },
          { phase: 1, counter: 'bob', quantity: 5, taken: false },
        ],
      },
    ]);

    const xlsx = await fetch(`${t.baseUrl}/api/sessions/${session.id}/adjustments?format=xlsx`, {
      headers: { authorization: `Bearer ${supervisor.token}` },
    });
    expect(xlsx.status).toBe(200);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(await xlsx.arrayBuffer());
    const sheet = workbook.getWorksheet('Counts')!;
    const rows: unknown[][] = [];
    sheet.eachRow((r) => rows.push((r.values as unknown[]).slice(1)));
    expect(rows[0]).toEqual([
      'line_no',
      'item_code',
      'rack',
      'bin_state',
      'bin_quantity',
      'rule_id',
      'rule_version',
      'phase',
      'counter',
      'quantity',
      'taken',
    ]);
    expect(rows.slice(1)).toEqual([
      [
        row.line_no,
        'ITM-A',
        'A-01',
        'settled',
        5,
        'alpha-tight',
        ruled.rule_version,
        0,
        'alice',
        5,
        'yes',
      ],
      [
        row.line_no,
        'ITM-A',
        'A-01',
        'settled',
        5,
        'alpha-tight',
        ruled.rule_version,
        1,
        'bob',
        5,
        'no',
      ],
    ]);
  });
});
