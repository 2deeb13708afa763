/**
 * The tolerance rule table over HTTP (issue #16 items 1 and 4, docs/design.md §12): rules managed
 * by supervisors and admins, every change a new version of the whole table (audited, never
 * rewritten), stale edits refused, a session keeping the version it started with whatever is edited
 * later, and the preview of candidate rules over a session's counts.
 */
import {
  DEFAULT_TOLERANCE_RULE,
  countSessionSchema,
  sessionDetailSchema,
  tolerancePreviewSchema,
  toleranceRuleChangeSchema,
  toleranceRuleSetSchema,
  toleranceVersionDetailSchema,
  toleranceVersionPageSchema,
  updateToleranceRuleSchema,
  type ClaimAnswer,
  type CountSession,
} from '@stockverify/shared';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  NORTH,
  claim,
  countRecord,
  createSession,
  seedCounting,
  sync,
  userIn,
} from '../support/counting-fixture';
import { startTestApp, type TestApp } from '../support/test-app';
import type { AccessPolicy } from '../../src/modules/access/access-policy';
import { createAuditLog } from '../../src/modules/audit/audit-log';
import { createToleranceService } from '../../src/modules/tolerance/tolerance.service';

let t: TestApp;
let supervisor: { token: string };
let admin: { token: string };
let staff: { token: string };

beforeEach(async () => {
  t = await startTestApp();
  await seedCounting(t);
  supervisor = await t.userWithRole('supervisor', 'sup');
  admin = await t.userWithRole('admin', 'boss');
  staff = await t.userWithRole('staff', 'alice');
});
afterEach(async () => {
  await t.close();
});

const TOOLS_RULE = {
  id: 'tools',
  name: 'Tools',
  scope: { kind: 'category', category: 'Tools' },
  thresholds: { shortage: { units: 5 }, overage: { units: 5, value: 50 } },
  on_exceed: 'recount',
};

async function ok<T>(
  method: string,
  url: string,
  token: string,
  body?: unknown,
  status = 200,
): Promise<T> {
  const res = await t.request<T>(method, url, { token, body });
  expect(res.status, `${method} ${url}: ${JSON.stringify(res.body)}`).toBe(status);
  return res.body.data;
}

async function current(token = supervisor.token) {
  return toleranceRuleSetSchema.parse(await ok('GET', '/api/tolerance-rules', token));
}

describe('the rule table', () => {
  it('starts as version 1 with no rules; create, edit and delete each make a version, audited', async () => {
    const first = await current();
    expect(first).toMatchObject({ version: 1, rules: [] });

    const created = toleranceRuleChangeSchema.parse(
      await ok('POST', '/api/tolerance-rules', supervisor.token, TOOLS_RULE, 201),
    );
    expect(created.rule).toEqual({ ...TOOLS_RULE, version: 2, recount_phases: 2 });
    expect(created.change).toMatchObject({
      version: 2,
      change: 'create',
      rule_id: 'tools',
      rule_version: 2,
      rules_count: 1,
      changed_by_name: 'sup',
    });
    const v2 = await current();
    expect(v2.version).toBe(2);
    expect(v2.rules).toEqual([created.rule]);
    expect(v2.hash).not.toBe(first.hash);

    const edited = toleranceRuleChangeSchema.parse(
      await ok('PUT', '/api/tolerance-rules/tools', admin.token, {
        ...TOOLS_RULE,
        id: undefined,
        version: 2,
        on_exceed: 'approve',
        recount_phases: 0,
      }),
    );
    expect(edited.rule).toMatchObject({ id: 'tools', version: 3, on_exceed: 'approve' });
    expect(edited.change).toMatchObject({ version: 3, change: 'update', changed_by_name: 'boss' });

    // A rule without an id is named by the server.
    const named = toleranceRuleChangeSchema.parse(
      await ok(
        'POST',
        '/api/tolerance-rules',
        supervisor.token,
        { ...TOOLS_RULE, id: undefined, scope: { kind: 'everything' } },
        201,
      ),
    );
    expect(named.rule.id).toMatch(/^r-[0-9a-f]{10}$/);
    expect(named.rule.version).toBe(4);

    const deleted = toleranceRuleChangeSchema.parse(
      await ok('DELETE', '/api/tolerance-rules/tools?version=3', supervisor.token),
    );
    expect(deleted.rule).toEqual(edited.rule);
    expect(deleted.change).toMatchObject({ version: 5, change: 'delete', rule_version: 3 });
    expect((await current()).rules.map((r) => r.id)).toEqual([named.rule.id]);

    const versions = toleranceVersionPageSchema.parse(
      await ok('GET', '/api/tolerance-rules/versions?page_size=10', supervisor.token),
    );
    expect(versions.total).toBe(5);
    expect(versions.items.map((v) => [v.version, v.change, v.rule_id, v.changed_by_name])).toEqual([
      [5, 'delete', 'tools', 'sup'],
      [4, 'create', named.rule.id, 'sup'],
      [3, 'update', 'tools', 'boss'],
      [2, 'create', 'tools', 'sup'],
      [1, 'init', null, null],
    ]);

    // Old versions stay as they were.
    const v3 = toleranceVersionDetailSchema.parse(
      await ok('GET', '/api/tolerance-rules/versions/3', supervisor.token),
    );
    expect(v3.rule_set.rules).toEqual([edited.rule]);
    expect(v3.change.change).toBe('update');
    const again = toleranceVersionDetailSchema.parse(
      await ok('GET', '/api/tolerance-rules/versions/2', supervisor.token),
    );
    expect(again.rule_set).toEqual(v2);

    const audit = await t.store.audit.list({
      page: 1,
      page_size: 50,
      target_type: 'tolerance_rule',
    });
    // One instant on the test clock: ordered by the table version each change made.
    const byVersion = [...audit.items].sort(
      (a, b) => Number(a.summary?.table_version) - Number(b.summary?.table_version),
    );
    expect(byVersion.map((e) => [e.action, e.target_id, e.actor_username])).toEqual([
      ['tolerance.create', 'tools', 'sup'],
      ['tolerance.update', 'tools', 'boss'],
      ['tolerance.create', named.rule.id, 'sup'],
      ['tolerance.delete', 'tools', 'sup'],
    ]);
    const update = audit.items.find((e) => e.action === 'tolerance.update');
    expect(update?.summary).toMatchObject({
      table_version: 3,
      before: { on_exceed: 'recount', version: 2 },
      after: { on_exceed: 'approve', version: 3 },
    });
  });

  it('refuses an edit or delete of a version that is no longer current (409), changing nothing', async () => {
    await ok('POST', '/api/tolerance-rules', supervisor.token, TOOLS_RULE, 201);
    const { id: _id, ...content } = TOOLS_RULE;
    await ok('PUT', '/api/tolerance-rules/tools', supervisor.token, { ...content, version: 2 });
    const before = await current();

    const stale = await t.request('PUT', '/api/tolerance-rules/tools', {
      token: admin.token,
      body: { ...content, version: 2, on_exceed: 'approve' },
    });
    expect(stale.status).toBe(409);
    expect(stale.body.error).toMatchObject({
      code: 'STALE_VERSION',
      current_version: 3,
      details: [{ path: 'version' }],
    });
    const staleDelete = await t.request('DELETE', '/api/tolerance-rules/tools?version=2', {
      token: admin.token,
    });
    expect(staleDelete.status).toBe(409);
    expect(staleDelete.body.error?.code).toBe('STALE_VERSION');
    expect(await current()).toEqual(before);
  });

  it('keeps one of two edits made at once on the same version and refuses the other', async () => {
    await ok('POST', '/api/tolerance-rules', supervisor.token, TOOLS_RULE, 201);
    // Through the service, so both edits read the table before either writes.
    const service = createToleranceService({
      store: t.store,
      audit: createAuditLog(t.store, () => new Date()),
      clock: () => new Date(),
      access: {} as AccessPolicy,
      fallback: DEFAULT_TOLERANCE_RULE,
    });
    const actor = { id: 'u-1', username: 'sup', role: 'supervisor' as const };
    const meta = { request_id: null, ip: null };
    const { id: _id, ...content } = TOOLS_RULE;
    const edit = (units: number) =>
      service.update(
        actor,
        meta,
        'tools',
        updateToleranceRuleSchema.parse({
          ...content,
          version: 2,
          thresholds: { shortage: { units }, overage: {} },
        }),
      );
    const settled = await Promise.allSettled([edit(1), edit(2)]);
    expect(settled.map((s) => s.status).sort()).toEqual(['fulfilled', 'rejected']);
    const refused = settled.find((s) => s.status === 'rejected') as PromiseRejectedResult;
    expect(refused.reason).toMatchObject({ status: 409, code: 'STALE_VERSION' });
    const kept = settled.find((s) => s.status === 'fulfilled') as PromiseFulfilledResult<
      Awaited<ReturnType<typeof edit>>
    >;
    const after = await current();
    expect(after.version).toBe(3);
    expect(after.rules).toEqual([kept.value.rule]);
  });

  it('answers 404 for an unknown rule or version and 409 for a taken id', async () => {
    await ok('POST', '/api/tolerance-rules', supervisor.token, TOOLS_RULE, 201);
    const { id: _id, ...content } = TOOLS_RULE;
    for (const [method, url, body] of [
      ['PUT', '/api/tolerance-rules/nope', { ...content, version: 2 }],
      ['DELETE', '/api/tolerance-rules/nope?version=2', undefined],
    ] as const) {
      const res = await t.request(method, url, { token: supervisor.token, body });
      expect(res.status, url).toBe(404);
      expect(res.body.error?.code).toBe('TOLERANCE_RULE_NOT_FOUND');
    }
    const version = await t.request('GET', '/api/tolerance-rules/versions/99', {
      token: supervisor.token,
    });
    expect(version.status).toBe(404);
    expect(version.body.error?.code).toBe('TOLERANCE_VERSION_NOT_FOUND');
    const taken = await t.request('POST', '/api/tolerance-rules', {
      token: supervisor.token,
      body: TOOLS_RULE,
    });
    expect(taken.status).toBe(409);
    expect(taken.body.error).toMatchObject({ code: 'CONFLICT', details: [{ path: 'id' }] });
    expect((await current()).version).toBe(2);
  });

  it('refuses bad input with 400 and the field at fault, changing nothing', async () => {
    await ok('POST', '/api/tolerance-rules', supervisor.token, TOOLS_RULE, 201);
    const { id: _id, ...content } = TOOLS_RULE;
    const cases: [string, string, unknown, string][] = [
      [
        'POST',
        '/api/tolerance-rules',
        { ...TOOLS_RULE, id: 'neg', thresholds: { shortage: { units: -1 }, overage: {} } },
        'thresholds.shortage.units',
      ],
      [
        'POST',
        '/api/tolerance-rules',
        { ...TOOLS_RULE, id: 'bad', scope: { kind: 'planet' } },
        'scope.kind',
      ],
      ['POST', '/api/tolerance-rules', { ...TOOLS_RULE, id: 'x', colour: 'red' }, '(root)'],
      ['POST', '/api/tolerance-rules', { ...TOOLS_RULE, id: 'has space' }, 'id'],
      [
        'POST',
        '/api/tolerance-rules',
        { ...TOOLS_RULE, id: 'y', on_exceed: 'ignore' },
        'on_exceed',
      ],
      [
        'POST',
        '/api/tolerance-rules',
        { ...TOOLS_RULE, id: 'z', recount_phases: 9 },
        'recount_phases',
      ],
      ['PUT', '/api/tolerance-rules/tools', content, 'version'],
      ['DELETE', '/api/tolerance-rules/tools', undefined, 'query.version'],
      ['GET', '/api/tolerance-rules/versions/abc', undefined, 'params.version'],
      ['GET', '/api/tolerance-rules/versions?page_size=0', undefined, 'query.page_size'],
      ['POST', '/api/tolerance-rules/preview', { rules: [] }, 'session_id'],
      [
        'POST',
        '/api/tolerance-rules/preview',
        { session_id: 's', rules: [TOOLS_RULE, TOOLS_RULE] },
        'rules.1.id',
      ],
    ];
    for (const [method, url, body, path] of cases) {
      const res = await t.request(method, url, { token: supervisor.token, body });
      expect(res.status, `${method} ${url} ${JSON.stringify(body)}`).toBe(400);
      expect(res.body.error?.code).toBe('VALIDATION_FAILED');
      const paths = (res.body.error?.details ?? []).map((d) => d.path);
      expect(paths, JSON.stringify(res.body.error)).toContain(path);
    }
    expect((await current()).version).toBe(2);
  });

  it('is for supervisors and admins only: staff get 403 on every route, no token 401', async () => {
    const routes: [string, string, unknown][] = [
      ['GET', '/api/tolerance-rules', undefined],
      ['POST', '/api/tolerance-rules', TOOLS_RULE],
      ['PUT', '/api/tolerance-rules/tools', { ...TOOLS_RULE, id: undefined, version: 1 }],
      ['DELETE', '/api/tolerance-rules/tools?version=1', undefined],
      ['GET', '/api/tolerance-rules/versions', undefined],
      ['GET', '/api/tolerance-rules/versions/1', undefined],
      ['POST', '/api/tolerance-rules/preview', { session_id: 's', rules: [] }],
    ];
    for (const [method, url, body] of routes) {
      const asStaff = await t.request(method, url, { token: staff.token, body });
      expect(asStaff.status, `${method} ${url}`).toBe(403);
      expect(asStaff.body.error?.code).toBe('FORBIDDEN');
      const anonymous = await t.request(method, url, { body });
      expect(anonymous.status, `${method} ${url}`).toBe(401);
    }
    expect(await current(admin.token)).toMatchObject({ version: 1, rules: [] });
  });
});

describe('a session keeps the rules in force when it started', () => {
  it('records the version and hash; editing the table later changes neither', async () => {
    const created = toleranceRuleChangeSchema.parse(
      await ok('POST', '/api/tolerance-rules', supervisor.token, TOOLS_RULE, 201),
    );
    const table = await current();
    const session = countSessionSchema.parse(await createSession(t, supervisor.token));
    expect(session.tolerance_rule_set).toEqual({ version: table.version, hash: table.hash });

    const { id: _id, ...content } = TOOLS_RULE;
    await ok('PUT', '/api/tolerance-rules/tools', supervisor.token, {
      ...content,
      version: created.rule.version,
      thresholds: { shortage: { units: 1 }, overage: { units: 1 } },
    });
    const edited = await current();
    expect(edited.version).toBe(table.version + 1);

    const detail = sessionDetailSchema.parse(
      await ok('GET', `/api/sessions/${session.id}`, supervisor.token),
    );
    expect(detail.tolerance_rule_set).toEqual({ version: table.version, hash: table.hash });
    const itsRules = toleranceVersionDetailSchema.parse(
      await ok('GET', `/api/tolerance-rules/versions/${table.version}`, supervisor.token),
    );
    expect(itsRules.rule_set.rules).toEqual([created.rule]);
    expect(itsRules.rule_set.hash).toBe(detail.tolerance_rule_set?.hash);

    // A session created after the edit runs on the edited rules.
    const later = await createSession(t, supervisor.token, { name: 'Later count' });
    expect(later.tolerance_rule_set).toEqual({ version: edited.version, hash: edited.hash });
  });

  it('a session created before any rule names version 1, the empty table', async () => {
    const session = await createSession(t, supervisor.token);
    const table = await current();
    expect(table.version).toBe(1);
    expect(session.tolerance_rule_set).toEqual({ version: 1, hash: table.hash });
  });
});

describe('preview', () => {
  async function countedSession(): Promise<CountSession & { lineOf(item: string): string }> {
    const session = await createSession(t, supervisor.token);
    const counter = await t.userWithRole('staff', 'counter');
    const records: ReturnType<typeof countRecord>[] = [];
    for (const [rack, lines] of [
      [
        'A-01',
        [
          ['ITM-A', 10],
          ['ITM-B', 50],
          // ITM-B found in two places of the rack: one bin of 50 + 48.
          ['ITM-B', 48],
        ],
      ],
      ['A-02', [['ITM-C', 9]]],
      ['B-01', [['KG-1', 10]]],
    ] as const) {
      const c = await claim(t, counter.token, session.id, rack);
      expect(c.status, JSON.stringify(c.body)).toBe(200);
      const token = (c.body.data as ClaimAnswer).fencing_token;
      for (const [item, qty] of lines)
        records.push(
          countRecord(session.id, rack, item, token, {
            counted_qty: qty,
            variance_reason: 'Misplaced in another rack',
          }),
        );
    }
    const res = await sync(t, counter.token, records);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(
      res.body.data.results.every((r) => r.status === 'OK'),
      JSON.stringify(res.body),
    ).toBe(true);
    return Object.assign(session, {
      lineOf: (item: string) =>
        res.body.data.results[records.findIndex((r) => r.item_code === item)]!.line_id!,
    });
  }

  it('falls back on the configured review thresholds (REVIEW_VARIANCE_*), as the lines do', async () => {
    await t.close();
    t = await startTestApp({
      settings: { review: { varianceQty: 100, variancePercent: 5, varianceValue: 1000 } },
    });
    await seedCounting(t);
    supervisor = await t.userWithRole('supervisor', 'sup');
    const session = await countedSession();
    const none = tolerancePreviewSchema.parse(
      await ok('POST', '/api/tolerance-rules/preview', supervisor.token, {
        session_id: session.id,
        rules: [],
      }),
    );
    // 5 % instead of the built-in 50 %: ITM-A (10 of 10) and ITM-B (98 of 100) within, ITM-C
    // and KG-1 over — and the rule that decided is the configured one, as on the lines.
    expect(none).toMatchObject({ lines: 4, accept: 2, recount: 2, approve: 0 });
    expect(none.by_rule).toEqual([
      { id: 'default-config', version: 1, accept: 2, recount: 2, approve: 0 },
    ]);
  });

  it('counts what candidate rules would have accepted, sent to recount and to a supervisor, by rule', async () => {
    const session = await countedSession();
    const rules = [
      {
        id: 'all',
        scope: { kind: 'everything' },
        thresholds: { shortage: { units: 5 }, overage: { units: 5 } },
        on_exceed: 'recount',
      },
      {
        id: 'itm-c',
        version: 7,
        scope: { kind: 'item', item_code: 'ITM-C' },
        thresholds: { shortage: { units: 0 }, overage: { units: 0 } },
        on_exceed: 'approve',
      },
    ];
    const preview = tolerancePreviewSchema.parse(
      await ok('POST', '/api/tolerance-rules/preview', supervisor.token, {
        session_id: session.id,
        rules,
      }),
    );
    // ITM-A 10 of 10 and ITM-B 98 of 100: within; KG-1 10 of 20.5: 10.5 short, over 5; ITM-C
    // 9 of 10 (6 in A-02 and 4 in B-01): its own rule, no difference allowed.
    expect(preview).toMatchObject({
      session_id: session.id,
      lines: 4,
      accept: 2,
      recount: 1,
      approve: 1,
      by_rule: [
        { id: 'all', version: 1, accept: 2, recount: 1, approve: 0 },
        { id: 'itm-c', version: 7, accept: 0, recount: 0, approve: 1 },
      ],
    });

    // No rules: the built-in default (100 units, 50 %, 1,000 at cost) accepts three; KG-1 is
    // 51.2 % short.
    const none = tolerancePreviewSchema.parse(
      await ok('POST', '/api/tolerance-rules/preview', supervisor.token, {
        session_id: session.id,
        rules: [],
      }),
    );
    expect(none).toMatchObject({ lines: 4, accept: 3, recount: 1, approve: 0 });
    expect(none.by_rule).toEqual([
      { id: 'default', version: 1, accept: 3, recount: 1, approve: 0 },
    ]);
    // A preview changes nothing.
    expect((await current()).version).toBe(1);

    // A rejected line no longer counts: its bin is left out.
    const rejected = await t.request('PATCH', `/api/lines/${session.lineOf('KG-1')}/review`, {
      token: supervisor.token,
      body: { decision: 'reject', note: 'Wrong item' },
    });
    expect(rejected.status, JSON.stringify(rejected.body)).toBe(200);
    const after = tolerancePreviewSchema.parse(
      await ok('POST', '/api/tolerance-rules/preview', supervisor.token, {
        session_id: session.id,
        rules: [],
      }),
    );
    expect(after).toMatchObject({ lines: 3, accept: 3, recount: 0, approve: 0 });
  });

  it('answers 404 for an unknown session and 403 for a session of another warehouse', async () => {
    const missing = await t.request('POST', '/api/tolerance-rules/preview', {
      token: supervisor.token,
      body: { session_id: 'no-such-session', rules: [] },
    });
    expect(missing.status).toBe(404);
    expect(missing.body.error?.code).toBe('NOT_FOUND');

    await t.store.locations.upsertWarehouses([NORTH]);
    const session = await createSession(t, supervisor.token);
    const north = await userIn(t, 'supervisor', 'north-sup', 'WH-N');
    const other = await t.request('POST', '/api/tolerance-rules/preview', {
      token: north.token,
      body: { session_id: session.id, rules: [] },
    });
    expect(other.status).toBe(403);
    expect(other.body.error?.code).toBe('WAREHOUSE_FORBIDDEN');
  });
});
