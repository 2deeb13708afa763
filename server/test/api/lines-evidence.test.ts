/**
 * `GET /sessions/:id/lines` for review (issue #14 points 5 and 7): every field of a line, the item's
 * name beside its code, and for a recount the line it corrects (its quantities), so the console can
 * show original and recount side by side without more requests.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ClaimAnswer } from '@stockverify/shared';
import { claim, countRecord, createSession, seedCounting, sync } from '../support/counting-fixture';
import { startTestApp, type TestApp } from '../support/test-app';

let t: TestApp;

beforeEach(async () => {
  t = await startTestApp();
  await seedCounting(t);
});
afterEach(async () => {
  await t.close();
});

describe('lines for review', () => {
  it('carry the item name, every field, and the corrected line of a recount', async () => {
    const supervisor = await t.userWithRole('supervisor', 'sup');
    const alice = await t.userWithRole('staff', 'alice');
    const s = await createSession(t, supervisor.token);
    const c = (await claim(t, alice.token, s.id, 'A-01')).body.data as ClaimAnswer;
    const original = countRecord(s.id, 'A-01', 'ITM-A', c.fencing_token, {
      counted_qty: 3,
      variance_reason: 'first look',
    });
    const recount = countRecord(s.id, 'A-01', 'ITM-A', c.fencing_token, {
      counted_qty: 9,
      supersedes: original.op_id,
      batch_no: 'LOT-1',
      expiry_date: '2027-01-31',
      remark: 'behind the pallet',
    });
    const res = await sync(t, alice.token, [original, recount]);
    expect(res.body.data.results.map((r) => r.status)).toEqual(['OK', 'OK']);

    const lines = await t.request<{ items: Array<Record<string, unknown>> }>(
      'GET',
      `/api/sessions/${s.id}/lines`,
      { token: supervisor.token },
    );
    expect(lines.status).toBe(200);
    expect(lines.body.data.items).toHaveLength(1);
    const line = lines.body.data.items[0]!;
    expect(line).toMatchObject({
      item_code: 'ITM-A',
      item_name: 'Alpha Widget',
      counted_qty: 9,
      batch_no: 'LOT-1',
      expiry_date: '2027-01-31',
      remark: 'behind the pallet',
      supersedes: original.op_id,
      fencing_token: c.fencing_token,
      supersedes_line: {
        op_id: original.op_id,
        counted_qty: 3,
        variance: -7,
        variance_reason: 'first look',
        counted_by_name: 'alice',
      },
    });
    for (const field of ['serials', 'photo_ids', 'condition', 'counted_at', 'received_at']) {
      expect(line).toHaveProperty(field);
    }
  });

  it('read the lines a page of corrections replaced in one store read, not one per line', async () => {
    // Issue #13: the lines page in bench:session's phase D is 100 corrections, and each one's
    // replaced line was a read of its own (a round trip each on MongoDB).
    const supervisor = await t.userWithRole('supervisor', 'sup');
    const alice = await t.userWithRole('staff', 'alice');
    const s = await createSession(t, supervisor.token);
    const c = (await claim(t, alice.token, s.id, 'A-01')).body.data as ClaimAnswer;
    const firsts = ['ITM-A', 'ITM-B', 'ITM-C'].map((item) =>
      countRecord(s.id, 'A-01', item, c.fencing_token, { counted_qty: 3, variance_reason: 'x' }),
    );
    const corrections = firsts.map((first) =>
      countRecord(s.id, 'A-01', first.item_code as string, c.fencing_token, {
        counted_qty: 4,
        variance_reason: 'x',
        supersedes: first.op_id,
      }),
    );
    expect((await sync(t, alice.token, [...firsts, ...corrections])).status).toBe(200);
    const one = vi.spyOn(t.store.lines, 'getByOpId');
    const many = vi.spyOn(t.store.lines, 'getManyByOpId');
    try {
      const lines = await t.request<{ items: Array<{ supersedes_line: { op_id: string } }> }>(
        'GET',
        `/api/sessions/${s.id}/lines`,
        { token: supervisor.token },
      );
      expect(lines.status).toBe(200);
      expect(lines.body.data.items.map((l) => l.supersedes_line.op_id).sort()).toEqual(
        firsts.map((f) => f.op_id).sort(),
      );
      expect(one).not.toHaveBeenCalled();
      expect(many).toHaveBeenCalledTimes(1);
    } finally {
      one.mockRestore();
      many.mockRestore();
    }
  });
});
