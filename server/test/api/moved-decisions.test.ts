/**
 * Decisions for moved items through the API on SQLite (issue #17 item 3, docs/design.md §13
 * "Decisions for moved items"): keep the counted quantity or keep the difference, per item and in
 * bulk, against stored movements and clock samples; each refusal with its code and field and
 * nothing stored; every change audited, the latest standing; and the adjustment package posting
 * target − live book for a decided item (JSON and XLSX) while the others keep the snapshot
 * variance (`moved_mode: null`). Answers parsed with the shared schemas.
 *
 * The worked example: ITM-B, snapshot book 100 at watermark 1000; a pick of 5 (1001) before the
 * count, 93 counted (at count −2, snapshot −7), then a receipt of 12 (1002) and a pick of 4 (1003)
 * after it: the live book is 103. Keep counted: target 93, post −10. Keep the difference: target
 * 101, post −2.
 */
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  adjustmentPackageSchema,
  movedDecisionsAnswerSchema,
  type CountSession,
} from '@stockverify/shared';
import { NORTH, claimOk, countRecord, createSession, userIn } from '../support/counting-fixture';
import {
  adjustmentXlsx,
  approveAndClose,
  mirrorAt1000,
  movement,
  slowPhone,
  startMovementsApp,
  syncFromPhone,
  workedExampleMovements,
} from '../support/movements-fixture';
import type { TestApp } from '../support/test-app';

let t: TestApp;
let sup: { token: string };
let alice: { token: string; id: string };
/** The phone runs five minutes slow. */
const phone = (): string => slowPhone(t.clock());

beforeEach(async () => {
  ({ t, sup, alice } = await startMovementsApp());
});
afterEach(async () => {
  await t.close();
});

/**
 * A session at watermark 1000 with ITM-B as in the worked example, ITM-A counted 8 of 10 with no
 * movement, and ITM-C counted 9 of 10 with a pick inside its count's uncertainty (ambiguous).
 */
async function movedSession(): Promise<CountSession> {
  await mirrorAt1000(t);
  const s = await createSession(t, sup.token);
  expect(s.erp_watermark).toBe('1000');
  const c = await claimOk(t, alice.token, s.id, 'A-01');
  t.advance(30_000); // 08:40 server, 08:35 on the phone
  const counted_at = '2026-12-06T08:34:00.000Z'; // 08:39 server time
  const answer = await syncFromPhone(t, alice.token, {
    client_sent_at: phone(),
    records: [
      countRecord(s.id, 'A-01', 'ITM-B', c.fencing_token, { counted_qty: 93, counted_at }),
      countRecord(s.id, 'A-01', 'ITM-A', c.fencing_token, { counted_qty: 8, counted_at }),
      countRecord(s.id, 'A-01', 'ITM-C', c.fencing_token, { counted_qty: 9, counted_at }),
    ],
  });
  expect(answer.results.map((r) => r.status)).toEqual(['OK', 'OK', 'OK']);
  await t.store.movements.record(
    [
      ...workedExampleMovements(),
      movement({
        item_code: 'ITM-C',
        watermark: '1004',
        posted_at: '2026-12-06T08:38:59.000Z',
        quantity: -1,
      }),
    ],
    { watermark: '1004', pulled_at: '2026-12-06T09:41:00.000Z' },
  );
  return s;
}

const decide = (sessionId: string, code: string, body: unknown, token = sup.token) =>
  t.request('POST', `/api/sessions/${sessionId}/items/${code}/moved-decision`, { token, body });
const decideMany = (sessionId: string, body: unknown, token = sup.token) =>
  t.request('POST', `/api/sessions/${sessionId}/moved-decisions`, { token, body });

async function auditOf(sessionId: string) {
  const page = await t.store.audit.list({
    page: 1,
    page_size: 50,
    action: 'moved_decision.set',
    target_type: 'session',
    target_id: sessionId,
  });
  return page.items.map((e) => e.summary);
}

/**
 * Approves, closes and reconciles. ITM-C is ambiguous: reconcile refuses it without a decision
 * keeping its count (MOVED_ITEMS_UNDECIDED, design §13), so its count is kept first.
 */
async function closeAndReconcile(sessionId: string) {
  const keep = await decide(sessionId, 'ITM-C', { mode: 'keep_counted' });
  expect(keep.status, JSON.stringify(keep.body)).toBe(200);
  await approveAndClose(t, sup.token, sessionId);
  const rec = await t.request('POST', `/api/sessions/${sessionId}/reconcile`, {
    token: sup.token,
    body: {},
  });
  expect(rec.status, JSON.stringify(rec.body)).toBe(200);
}

describe('POST /sessions/:id/items/:code/moved-decision', () => {
  it('keep counted, then keep the difference: the figures of the worked example, both audited', async () => {
    const s = await movedSession();
    const first = await decide(s.id, 'ITM-B', { mode: 'keep_counted', reason: 'recounted' });
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(movedDecisionsAnswerSchema.parse(first.body.data).decisions).toEqual([
      {
        item_code: 'ITM-B',
        mode: 'keep_counted',
        reason: 'recounted',
        decided_by: 'sup',
        decided_at: '2026-12-06T08:40:00.000Z',
        counted_milli: 93_000,
        variance_at_count_milli: -2_000,
        live_book_milli: 103_000,
        live_book_watermark: '1003',
        target_milli: 93_000,
        delta_milli: -10_000,
      },
    ]);
    t.advance(1_000);
    const second = await decide(s.id, 'ITM-B', { mode: 'keep_difference' });
    expect(second.status).toBe(200);
    expect(movedDecisionsAnswerSchema.parse(second.body.data).decisions[0]).toMatchObject({
      mode: 'keep_difference',
      reason: null,
      target_milli: 101_000,
      delta_milli: -2_000,
    });
    // The latest stands; every change is in the audit trail.
    expect(await t.store.movedDecisions.list(s.id)).toEqual([
      expect.objectContaining({ item_code: 'ITM-B', mode: 'keep_difference', reason: null }),
    ]);
    const audit = await auditOf(s.id);
    expect(audit).toHaveLength(2);
    expect(audit).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ item_code: 'ITM-B', mode: 'keep_counted', delta_milli: -10_000 }),
        expect.objectContaining({
          item_code: 'ITM-B',
          mode: 'keep_difference',
          delta_milli: -2_000,
        }),
      ]),
    );
  });

  it('refuses each case with its code and field, and stores nothing', async () => {
    const s = await movedSession();
    const cases: Array<[string, unknown, number, string, string]> = [
      ['ITM-B', { mode: 'keep' }, 400, 'VALIDATION_FAILED', 'mode'],
      ['ITM-B', {}, 400, 'VALIDATION_FAILED', 'mode'],
      ['ITM-B', { mode: 'keep_counted', extra: 1 }, 400, 'VALIDATION_FAILED', '(root)'],
      [
        'ITM-B',
        { mode: 'keep_counted', reason: 'x'.repeat(501) },
        400,
        'VALIDATION_FAILED',
        'reason',
      ],
      ['ITM-C', { mode: 'keep_difference' }, 409, 'MOVED_DECISION_AMBIGUOUS', 'params.code'],
      ['ITM-A', { mode: 'keep_counted' }, 409, 'MOVED_DECISION_NOT_MOVED', 'params.code'],
      ['NOPE-1', { mode: 'keep_counted' }, 404, 'NOT_FOUND', 'params.code'],
    ];
    for (const [code, body, status, err, path] of cases) {
      const res = await decide(s.id, code, body);
      expect(res.status, `${code} ${JSON.stringify(body)}: ${JSON.stringify(res.body)}`).toBe(
        status,
      );
      expect(res.body.error?.code).toBe(err);
      expect(res.body.error?.details?.[0]?.path ?? '').toBe(path);
    }
    const ambiguous = await decide(s.id, 'ITM-C', { mode: 'keep_difference' });
    expect(ambiguous.body.error?.message).toContain('ITM-C');
    // Keep the count of an ambiguous item: allowed (the live book is known).
    const kept = await decide(s.id, 'ITM-C', { mode: 'keep_counted' });
    expect(kept.status).toBe(200);
    expect(movedDecisionsAnswerSchema.parse(kept.body.data).decisions[0]).toMatchObject({
      variance_at_count_milli: null,
      live_book_milli: 9_000,
      target_milli: 9_000,
      delta_milli: 0,
    });
    expect((await t.store.movedDecisions.list(s.id)).map((d) => d.item_code)).toEqual(['ITM-C']);
    expect(await auditOf(s.id)).toHaveLength(1);
  });

  it('an unknown expected at count (no watermark) is refused with MOVED_DECISION_UNKNOWN', async () => {
    const s = await createSession(t, sup.token);
    expect(s.erp_watermark).toBeNull();
    const c = await claimOk(t, alice.token, s.id, 'A-01');
    await t.request('POST', '/api/sync/batch', {
      token: alice.token,
      body: {
        device_id: 'phone-7',
        records: [countRecord(s.id, 'A-01', 'ITM-B', c.fencing_token, { counted_qty: 93 })],
      },
      headers: { 'idempotency-key': randomUUID() },
    });
    const res = await decide(s.id, 'ITM-B', { mode: 'keep_counted' });
    expect(res.status).toBe(409);
    expect(res.body.error?.code).toBe('MOVED_DECISION_UNKNOWN');
    expect(res.body.error?.details?.[0]?.path).toBe('params.code');
  });

  it('staff never reach either route; after reconcile both answer SESSION_CLOSED', async () => {
    const s = await movedSession();
    expect((await decide(s.id, 'ITM-B', { mode: 'keep_counted' }, alice.token)).status).toBe(403);
    expect(
      (
        await decideMany(
          s.id,
          { items: [{ item_code: 'ITM-B', mode: 'keep_counted' }] },
          alice.token,
        )
      ).status,
    ).toBe(403);
    expect((await decide('no-such-session', 'ITM-B', { mode: 'keep_counted' })).status).toBe(404);
    await closeAndReconcile(s.id);
    const one = await decide(s.id, 'ITM-B', { mode: 'keep_counted' });
    expect(one.status).toBe(409);
    expect(one.body.error?.code).toBe('SESSION_CLOSED');
    const many = await decideMany(s.id, { items: [{ item_code: 'ITM-B', mode: 'keep_counted' }] });
    expect(many.body.error?.code).toBe('SESSION_CLOSED');
    // Only ITM-C's kept count, taken before reconcile.
    expect((await t.store.movedDecisions.list(s.id)).map((d) => [d.item_code, d.mode])).toEqual([
      ['ITM-C', 'keep_counted'],
    ]);
  });
});

describe('the warehouse boundary', () => {
  it('a supervisor of another warehouse reaches neither route (params.id) and stores nothing', async () => {
    const s = await movedSession();
    await t.store.locations.upsertWarehouses([NORTH]);
    const other = await userIn(t, 'supervisor', 'nils', 'WH-N');
    for (const res of [
      await decide(s.id, 'ITM-B', { mode: 'keep_counted' }, other.token),
      await decideMany(
        s.id,
        { items: [{ item_code: 'ITM-B', mode: 'keep_counted' }] },
        other.token,
      ),
    ]) {
      expect(res.status).toBe(403);
      expect(res.body.error?.code).toBe('WAREHOUSE_FORBIDDEN');
      expect(res.body.error?.details?.[0]?.path).toBe('params.id');
    }
    expect(await t.store.movedDecisions.list(s.id)).toEqual([]);
    expect(await auditOf(s.id)).toEqual([]);
  });
});

describe('POST /sessions/:id/moved-decisions', () => {
  it('decides several items in one request, each audited', async () => {
    const s = await movedSession();
    const res = await decideMany(s.id, {
      items: [
        { item_code: 'ITM-B', mode: 'keep_difference' },
        { item_code: 'ITM-C', mode: 'keep_counted' },
      ],
      reason: 'live warehouse',
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const answer = movedDecisionsAnswerSchema.parse(res.body.data);
    expect(answer.decisions.map((d) => [d.item_code, d.mode, d.reason, d.delta_milli])).toEqual([
      ['ITM-B', 'keep_difference', 'live warehouse', -2_000],
      ['ITM-C', 'keep_counted', 'live warehouse', 0],
    ]);
    expect((await t.store.movedDecisions.list(s.id)).map((d) => d.item_code)).toEqual([
      'ITM-B',
      'ITM-C',
    ]);
    expect(await auditOf(s.id)).toHaveLength(2);
  });

  it('refuses the whole request at the first item that cannot take its mode, naming it', async () => {
    const s = await movedSession();
    const cases: Array<[unknown, number, string, string]> = [
      [{ items: [] }, 400, 'VALIDATION_FAILED', 'items'],
      [
        {
          items: Array.from({ length: 1001 }, (_, i) => ({
            item_code: `X-${i}`,
            mode: 'keep_counted',
          })),
        },
        400,
        'VALIDATION_FAILED',
        'items',
      ],
      [
        {
          items: [
            { item_code: 'ITM-B', mode: 'keep_counted' },
            { item_code: 'ITM-B', mode: 'keep_difference' },
          ],
        },
        400,
        'VALIDATION_FAILED',
        'items.1.item_code',
      ],
      [{ items: [{ item_code: 'ITM-B', mode: 'nope' }] }, 400, 'VALIDATION_FAILED', 'items.0.mode'],
      [
        {
          items: [
            { item_code: 'ITM-B', mode: 'keep_counted' },
            { item_code: 'ITM-C', mode: 'keep_difference' },
          ],
        },
        409,
        'MOVED_DECISION_AMBIGUOUS',
        'items.1.item_code',
      ],
      [
        {
          items: [
            { item_code: 'ITM-B', mode: 'keep_counted' },
            { item_code: 'ITM-A', mode: 'keep_difference' },
          ],
        },
        409,
        'MOVED_DECISION_NOT_MOVED',
        'items.1.item_code',
      ],
      [
        { items: [{ item_code: 'NOPE-1', mode: 'keep_counted' }] },
        404,
        'NOT_FOUND',
        'items.0.item_code',
      ],
    ];
    for (const [body, status, code, path] of cases) {
      const res = await decideMany(s.id, body);
      expect(res.status, JSON.stringify(res.body).slice(0, 300)).toBe(status);
      expect(res.body.error?.code).toBe(code);
      expect(res.body.error?.details?.[0]?.path).toBe(path);
    }
    expect(await t.store.movedDecisions.list(s.id)).toEqual([]);
    expect(await auditOf(s.id)).toEqual([]);
  });
});

describe('the adjustment package with decisions for moved items', () => {
  it('posts target − live book for a decided item, JSON and XLSX; the others say moved_mode null', async () => {
    const s = await movedSession();
    expect((await decide(s.id, 'ITM-B', { mode: 'keep_difference' })).status).toBe(200);
    await closeAndReconcile(s.id);
    const res = await t.request('GET', `/api/sessions/${s.id}/adjustments`, { token: sup.token });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const pkg = adjustmentPackageSchema.parse(res.body.data);
    const byCode = Object.fromEntries(pkg.rows.map((r) => [r.item_code, r]));
    expect(byCode['ITM-B']).toMatchObject({
      book_qty: 100,
      counted_qty: 93,
      variance: -2,
      value_at_cost: -1,
      value_at_price: -2.5,
      moved_mode: 'keep_difference',
      live_book_qty: 103,
      live_book_watermark: '1003',
      target_qty: 101,
      moved_adjustment: -2,
      moved_refused: null,
    });
    // No decision: the snapshot variance as before, and the package says so.
    expect(byCode['ITM-A']).toMatchObject({
      variance: -2,
      moved_mode: null,
      live_book_qty: null,
      target_qty: null,
      moved_adjustment: null,
    });
    // Totals: the variances endpoint's sum with ITM-B's −7 (snapshot) replaced by its −2 and
    // ITM-C's −1 by its kept count's 0 (live book 9, target 9: left out of the rows).
    const variances = await t.store.lines.variances(s.id);
    const snapshotSum = variances.reduce((n, v) => n + v.variance, 0);
    expect(variances.find((v) => v.item_code === 'ITM-B')!.variance).toBe(-7);
    expect(pkg.totals.variance).toBeCloseTo(snapshotSum + 7 - 2 + 1, 6);
    expect(byCode['ITM-C']).toBeUndefined();

    const { header, rows } = await adjustmentXlsx(t, sup.token, s.id);
    expect(header).toEqual(
      expect.arrayContaining(['moved_mode', 'target_qty', 'moved_adjustment']),
    );
    expect(rows['ITM-B']).toMatchObject({
      moved_mode: 'keep_difference',
      live_book_qty: 103,
      target_qty: 101,
      moved_adjustment: -2,
      variance: -2,
    });
  });
  it('a decision that no longer holds when the package is built is reported, and the row keeps the snapshot variance', async () => {
    const s = await movedSession();
    expect((await decide(s.id, 'ITM-B', { mode: 'keep_difference' })).status).toBe(200);
    await closeAndReconcile(s.id);
    // A pick of ITM-B posted inside its count's uncertainty arrives after reconcile (before, the
    // reconcile would refuse it: MOVED_ITEMS_UNDECIDED): now it is flagged.
    await t.store.movements.record(
      [movement({ watermark: '1005', posted_at: '2026-12-06T08:38:59.000Z', quantity: -1 })],
      { watermark: '1005', pulled_at: '2026-12-06T09:45:00.000Z' },
    );
    const res = await t.request('GET', `/api/sessions/${s.id}/adjustments`, { token: sup.token });
    const pkg = adjustmentPackageSchema.parse(res.body.data);
    expect(pkg.rows.find((r) => r.item_code === 'ITM-B')).toMatchObject({
      variance: -7,
      moved_mode: 'keep_difference',
      moved_refused: 'MOVED_DECISION_AMBIGUOUS',
      live_book_qty: null,
      target_qty: null,
      moved_adjustment: null,
    });
  });
});
