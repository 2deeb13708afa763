/**
 * Effects inside one sync batch that the counting service's parts share through the request's
 * cache (server/src/modules/counting): rack completion reads its claim fresh, so a second "rack
 * done" in the same batch completes nothing again; a line the store refuses does not count as a
 * repeat for lines prepared after it; a correction of the user's own line in the same batch is no
 * repeat. Pinned when counting.service.ts was split by job (issue #15), so the split changes none.
 */
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  claim,
  countRecord,
  createSession,
  seedCounting,
  sync,
  claimOk,
} from '../support/counting-fixture';
import { startTestApp, type TestApp } from '../support/test-app';

let t: TestApp;
let supervisor: { token: string };
let alice: { token: string; user: { id: string } };
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

function rackDone(sessionId: string, rack: string, token: number) {
  return {
    op_id: randomUUID(),
    type: 'rack_complete',
    session_id: sessionId,
    rack,
    fencing_token: token,
  };
}

/** A master-data correction: not a count line, so the batch writes its pending lines before it. */
function proposal() {
  return {
    op_id: randomUUID(),
    type: 'correction',
    item_code: 'ITM-A',
    field: 'name',
    proposed_value: 'Alpha Widget v2',
    reason: 'label says so',
  };
}

async function reasonsOf(opId: string): Promise<string[] | undefined> {
  return (await t.store.lines.getByOpId(opId))?.review_reasons;
}

describe('one sync batch', () => {
  it('completes a rack once: a second "rack done" in the same batch reads the claim fresh', async () => {
    const s = await createSession(t, supervisor.token);
    const held = await claimOk(t, alice.token, s.id, 'A-01');
    const line = countRecord(s.id, 'A-01', 'ITM-A', held.fencing_token, { counted_qty: 10 });
    const res = await sync(t, alice.token, [
      line,
      rackDone(s.id, 'A-01', held.fencing_token),
      rackDone(s.id, 'A-01', held.fencing_token),
      rackDone(s.id, 'A-01', held.fencing_token + 50),
    ]);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.data.results.map((r) => [r.status, r.code, r.message])).toEqual([
      ['OK', null, 'Saved'],
      ['OK', null, 'Rack completed'],
      ['OK', null, 'Rack completed'],
      ['CONFLICT', 'STALE_TOKEN', expect.stringContaining('not one of your claims on rack A-01')],
    ]);
    expect((await t.store.claims.latest(s.id, 'A-01'))?.status).toBe('completed');
    const audit = await t.store.audit.list({ page: 1, page_size: 50, action: 'claim.complete' });
    expect(audit.items).toHaveLength(1);
    // Completed, not merely released: another counter needs a supervisor to reopen the rack.
    expect((await claim(t, bob.token, s.id, 'A-01')).body.error?.code).toBe('RACK_COMPLETED');
  });

  it('a line the store refuses does not make the next line a repeated count', async () => {
    const s = await createSession(t, supervisor.token);
    const bobs = await claimOk(t, bob.token, s.id, 'A-01');
    const first = countRecord(s.id, 'A-01', 'SER-1', bobs.fencing_token, { serials: ['S1'] });
    expect((await sync(t, bob.token, [first])).body.data.results[0]?.status).toBe('OK');

    const held = await claimOk(t, alice.token, s.id, 'A-02');
    const reason = { variance_reason: 'missing', counted_qty: 1 };
    const taken = countRecord(s.id, 'A-02', 'SER-1', held.fencing_token, {
      ...reason,
      serials: ['S1'],
    });
    const next = countRecord(s.id, 'A-02', 'SER-1', held.fencing_token, {
      ...reason,
      serials: ['S2'],
    });
    const again = countRecord(s.id, 'A-02', 'SER-1', held.fencing_token, {
      ...reason,
      serials: ['S3'],
    });
    const res = await sync(t, alice.token, [taken, proposal(), next, again]);
    expect(res.body.data.results.map((r) => [r.status, r.code])).toEqual([
      ['CONFLICT', 'DUPLICATE_SERIAL'],
      ['OK', null],
      ['OK', null],
      ['OK', null],
    ]);
    expect(await reasonsOf(taken.op_id)).toBeUndefined();
    expect(await reasonsOf(next.op_id)).not.toContain('REPEATED_COUNT');
    expect(await reasonsOf(again.op_id)).toContain('REPEATED_COUNT');
  });

  it('a correction of the user’s own line is no repeated count, nor is a correction of that', async () => {
    const s = await createSession(t, supervisor.token);
    const held = await claimOk(t, alice.token, s.id, 'A-01');
    const count = (extra: Record<string, unknown> = {}) =>
      countRecord(s.id, 'A-01', 'ITM-A', held.fencing_token, { counted_qty: 10, ...extra });
    const original = count();
    const correction = count({ supersedes: original.op_id });
    const second = count();
    const res = await sync(t, alice.token, [original, correction, second]);
    expect(res.body.data.results.map((r) => [r.status, r.message])).toEqual([
      ['OK', 'Saved'],
      ['OK', 'Saved'],
      ['OK', 'Saved; a supervisor will review it'],
    ]);
    expect(await reasonsOf(original.op_id)).toEqual([]);
    expect(await reasonsOf(correction.op_id)).toEqual([]);
    expect(await reasonsOf(second.op_id)).toEqual(['REPEATED_COUNT']);

    // Corrections chained in the next batch: each replaces a line that counted, so none repeats.
    const bolts = (extra: Record<string, unknown> = {}) =>
      countRecord(s.id, 'A-01', 'ITM-B', held.fencing_token, { counted_qty: 100, ...extra });
    const counted = bolts();
    expect((await sync(t, alice.token, [counted])).body.data.results[0]?.message).toBe('Saved');
    const fix = bolts({ supersedes: counted.op_id });
    const fixAgain = bolts({ supersedes: fix.op_id });
    const later = await sync(t, alice.token, [fix, proposal(), fixAgain]);
    expect(later.body.data.results.map((r) => [r.status, r.message])).toEqual([
      ['OK', 'Saved'],
      ['OK', 'Correction proposed'],
      ['OK', 'Saved'],
    ]);
    expect(await reasonsOf(fixAgain.op_id)).toEqual([]);
  });
});
