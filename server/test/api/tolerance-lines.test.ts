/**
 * Tolerance rules decide count lines (issue #16 item 1, docs/design.md §12): with rules written
 * through POST /tolerance-rules before a session starts, a count within tolerance is accepted
 * (PENDING), one outside goes to a supervisor (NEEDS_REVIEW) — with RECOUNT_REQUIRED where the rule
 * answers with a recount — and the line carries the rule that decided. A session runs on the rule
 * set in force when it started: a rule edited later decides only sessions started after the edit.
 */
import {
  countLinePageSchema,
  reviewedLineSchema,
  toleranceRuleChangeSchema,
  type CountLine,
  type CountSession,
} from '@stockverify/shared';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { claim, countRecord, createSession, seedCounting, sync } from '../support/counting-fixture';
import { makeItem, startTestApp, type TestApp } from '../support/test-app';

let t: TestApp;
let supervisor: { token: string };
let alice: { token: string };
let bob: { token: string };

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

/** ITM-A, ITM-C (category Tools): shortages of 2 and overages of 5 units; a supervisor decides. */
const TOOLS_RULE = {
  id: 'tools',
  scope: { kind: 'category', category: 'tools' },
  thresholds: { shortage: { units: 2 }, overage: { units: 5 } },
  on_exceed: 'approve',
};
/** ITM-B (book 100): 5 % either way; a blind recount answers. */
const BOLT_RULE = {
  id: 'bolt',
  scope: { kind: 'item', item_code: 'ITM-B' },
  thresholds: { shortage: { percent: 5 }, overage: { percent: 5 } },
  on_exceed: 'recount',
};

async function createRule(body: unknown) {
  const res = await t.request('POST', '/api/tolerance-rules', { token: supervisor.token, body });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return toleranceRuleChangeSchema.parse(res.body.data);
}

/** Counts `records` ([item, quantity]) in rack A-01 of the session as one sync batch. */
async function count(
  who: { token: string },
  session: CountSession,
  records: Array<[string, number]>,
) {
  const held = await claim(t, who.token, session.id, 'A-01');
  expect(held.status, JSON.stringify(held.body)).toBe(200);
  const res = await sync(
    t,
    who.token,
    records.map(([item, qty]) =>
      countRecord(session.id, 'A-01', item, held.body.data.fencing_token, {
        counted_qty: qty,
        variance_reason: 'counted twice',
      }),
    ),
  );
  expect(res.status).toBe(200);
  expect(res.body.data.results.map((r) => r.status)).toEqual(records.map(() => 'OK'));
  return res.body.data.results.map((r) => r.line_id);
}

/** The session's lines as a supervisor reads them (the lines page), by line id. */
async function linesOf(session: CountSession): Promise<Map<string, CountLine>> {
  const res = await t.request('GET', `/api/sessions/${session.id}/lines?page_size=100`, {
    token: supervisor.token,
  });
  expect(res.status).toBe(200);
  const page = countLinePageSchema.parse(res.body.data);
  return new Map(page.items.map((l) => [l.id, l]));
}

describe('tolerance rules decide the lines of a session', () => {
  it('within → PENDING; outside under approve → NEEDS_REVIEW; under recount → RECOUNT_REQUIRED; the rule is on the line', async () => {
    await createRule(TOOLS_RULE);
    const bolt = await createRule(BOLT_RULE);
    const session = await createSession(t, supervisor.token, { name: 'With rules' });
    expect(session.tolerance_rule_set?.version).toBe(bolt.change.version);

    const [inTools, outTools, outBolt] = await count(alice, session, [
      ['ITM-A', 8], // book 10: 2 short, within the Tools rule's 2
      ['ITM-C', 16], // book 10: 6 over, beyond the Tools rule's 5
      ['ITM-B', 94], // book 100: 6 % short, beyond the bolt rule's 5 %
    ]);
    const lines = await linesOf(session);

    const a = lines.get(inTools!)!;
    expect(a).toMatchObject({ status: 'PENDING', review_reasons: [] });
    expect(a.tolerance).toEqual({
      rule_id: 'tools',
      rule_version: 2,
      rule_scope: 'category',
      rule_set_version: bolt.change.version,
      within: true,
      exceeded_by: [],
      action: 'accept',
      direction: 'shortage',
      thresholds: { units: 2 },
      allowance: { units: 2, percent: null, value: null },
    });

    const c = lines.get(outTools!)!;
    expect(c).toMatchObject({ status: 'NEEDS_REVIEW', review_reasons: ['LARGE_VARIANCE'] });
    expect(c.tolerance).toMatchObject({
      rule_id: 'tools',
      within: false,
      exceeded_by: ['units'],
      action: 'approve',
      direction: 'overage',
      thresholds: { units: 5 },
    });

    const b = lines.get(outBolt!)!;
    expect(b).toMatchObject({
      status: 'NEEDS_REVIEW',
      review_reasons: ['LARGE_VARIANCE', 'RECOUNT_REQUIRED'],
    });
    expect(b.tolerance).toMatchObject({
      rule_id: 'bolt',
      rule_version: bolt.rule.version,
      rule_scope: 'item',
      within: false,
      exceeded_by: ['percent'],
      action: 'recount',
      allowance: { units: null, percent: 5, value: null },
    });

    // A supervisor's decision keeps the rule's, and its answer shows it.
    const approved = await t.request('PATCH', `/api/lines/${outTools!}/review`, {
      token: supervisor.token,
      body: { decision: 'approve', note: 'six more behind the pallet' },
    });
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    const reviewed = reviewedLineSchema.parse(approved.body.data);
    expect(reviewed.status).toBe('APPROVED');
    expect(reviewed.tolerance).toEqual(c.tolerance);

    // The review queue (lines needing review) shows the same decisions.
    const queue = await t.request(
      'GET',
      `/api/sessions/${session.id}/lines?status=NEEDS_REVIEW&page_size=100`,
      { token: supervisor.token },
    );
    const queued = countLinePageSchema.parse(queue.body.data).items;
    expect(queued.map((l) => [l.item_code, l.tolerance?.rule_id])).toEqual([['ITM-B', 'bolt']]);
  });

  it('a session started before any rule runs on the empty table: the built-in default decides', async () => {
    const before = await createSession(t, supervisor.token, { name: 'Before rules' });
    await createRule({ ...TOOLS_RULE, thresholds: { shortage: {}, overage: {} } });
    const [big] = await count(alice, before, [['ITM-A', 200]]);
    const line = (await linesOf(before)).get(big!)!;
    expect(line.status).toBe('NEEDS_REVIEW');
    expect(line.review_reasons).toEqual(['LARGE_VARIANCE', 'RECOUNT_REQUIRED']);
    expect(line.tolerance).toMatchObject({
      rule_id: 'default',
      rule_set_version: before.tolerance_rule_set!.version,
      exceeded_by: ['units', 'percent'],
      action: 'recount',
    });
  });

  it('the item is judged as the snapshot knew it: a category the master gains later picks no rule', async () => {
    const stock = [{ warehouse: 'WH-T', rack: 'A-01', qty: 10 }];
    await t.seedItems([makeItem('NEW-1', 'Newcomer', { category: null, cost: 1, stock })]);
    await createRule({
      id: 'tools-exact',
      scope: { kind: 'category', category: 'Tools' },
      thresholds: { shortage: { units: 0 }, overage: { units: 0 } },
      on_exceed: 'approve',
    });
    const session = await createSession(t, supervisor.token, { name: 'Snapshot facts' });
    await t.seedItems([makeItem('NEW-1', 'Newcomer', { category: 'Tools', cost: 1, stock })]);
    const [line] = await count(alice, session, [['NEW-1', 11]]);
    expect((await linesOf(session)).get(line!)).toMatchObject({
      status: 'PENDING',
      tolerance: { rule_id: 'default', within: true },
    });
  });

  it('a rule edited after a session started does not change how that session decides new lines', async () => {
    const created = await createRule(BOLT_RULE);
    const running = await createSession(t, supervisor.token, {
      name: 'Running',
      scope: { floors: [], racks: ['A-01'] },
    });
    // The bolt rule widened to 10 % once the count is under way.
    const edit = await t.request('PUT', '/api/tolerance-rules/bolt', {
      token: supervisor.token,
      body: {
        version: created.rule.version,
        scope: BOLT_RULE.scope,
        thresholds: { shortage: { percent: 10 }, overage: { percent: 10 } },
        on_exceed: 'recount',
      },
    });
    expect(edit.status, JSON.stringify(edit.body)).toBe(200);
    const edited = toleranceRuleChangeSchema.parse(edit.body.data);

    // 7 % short: outside the 5 % the running session started with.
    const [old] = await count(bob, running, [['ITM-B', 93]]);
    expect((await linesOf(running)).get(old!)).toMatchObject({
      status: 'NEEDS_REVIEW',
      review_reasons: ['LARGE_VARIANCE', 'RECOUNT_REQUIRED'],
      tolerance: {
        rule_id: 'bolt',
        rule_version: created.rule.version,
        rule_set_version: created.change.version,
        within: false,
        thresholds: { percent: 5 },
      },
    });

    // A session started after the edit runs on it: the same count is within.
    await t.request('POST', `/api/sessions/${running.id}/racks/A-01/release`, {
      token: bob.token,
      body: {},
    });
    const later = await createSession(t, supervisor.token, {
      name: 'Later',
      scope: { floors: [], racks: ['A-01'] },
    });
    const [fresh] = await count(alice, later, [['ITM-B', 93]]);
    expect((await linesOf(later)).get(fresh!)).toMatchObject({
      status: 'PENDING',
      review_reasons: [],
      tolerance: {
        rule_id: 'bolt',
        rule_version: edited.rule.version,
        rule_set_version: edited.change.version,
        within: true,
        thresholds: { percent: 10 },
      },
    });
  });
});
