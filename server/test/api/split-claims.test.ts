/**
 * Split claims (issue #16 item 3, docs/design.md §12 "Split bins"), through HTTP on the real
 * SQLite store: several counters deliberately counting parts of one rack claim it `split: true`
 * at once; their counts of one item add up (the bin is split) instead of competing as consensus
 * candidates. A split claim and a whole (normal) claim exclude each other with a clear 409; the
 * fencing of whole claims is unchanged (claims tests).
 */
import {
  binDetailSchema,
  rackMapSchema,
  type ClaimAnswer,
  type CountSession,
  type RackView,
} from '@stockverify/shared';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { claimOk, countRecord, createSession, sync } from '../support/counting-fixture';
import { startRecountApp, type User } from '../support/recount-fixture';
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

function claimSplit(who: User, session: CountSession, rack = 'A-01', split = true) {
  return t.request<ClaimAnswer & { split: boolean }>(
    'POST',
    `/api/sessions/${session.id}/racks/${rack}/claim`,
    { token: who.token, body: { device_id: `phone-${who.user.username}`, split } },
  );
}

async function splitCount(who: User, session: CountSession, qty: number) {
  const held = await claimSplit(who, session);
  expect(held.status, JSON.stringify(held.body)).toBe(200);
  expect(held.body.data.split).toBe(true);
  const record = countRecord(session.id, 'A-01', 'ITM-A', held.body.data.fencing_token, {
    counted_qty: qty,
    variance_reason: 'Found so',
  });
  const res = await sync(t, who.token, [record]);
  expect(res.body.data.results[0]!.status, JSON.stringify(res.body.data)).toBe('OK');
  return { held: held.body.data, record };
}

async function detail(session: CountSession) {
  const res = await t.request('GET', `/api/sessions/${session.id}/bins/A-01/ITM-A`, {
    token: supervisor.token,
  });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return binDetailSchema.parse(res.body.data);
}

async function openTasks(session: CountSession) {
  const res = await t.request<{ items: unknown[] }>(
    'GET',
    `/api/sessions/${session.id}/recount-tasks?state=open`,
    { token: supervisor.token },
  );
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.data.items;
}

describe('split claims', () => {
  it('two counters holding one rack split: their counts of one item add up (split_additive)', async () => {
    const session = await createSession(t, supervisor.token);
    const a = await splitCount(alice, session, 6);
    const b = await splitCount(bob, session, 4);
    // Both hold the rack at once, each with a token that still fences their writes.
    expect(b.held.fencing_token).toBeGreaterThanOrEqual(a.held.fencing_token);
    const more = countRecord(session.id, 'A-01', 'ITM-B', a.held.fencing_token, {
      counted_qty: 1,
      variance_reason: 'Found so',
    });
    const late = await sync(t, alice.token, [more]);
    expect(late.body.data.results[0]!.status, JSON.stringify(late.body.data)).toBe('OK');

    const d = await detail(session);
    expect(d.bin).toMatchObject({
      state: 'settled',
      reason: 'split_additive',
      quantity: 10,
      split: true,
    });
    expect(d.counts.every((c) => c.taken)).toBe(true);
    expect(await openTasks(session)).toHaveLength(0);
    void b;
  });

  it('a split sum outside tolerance goes to the supervisor, not to a recount', async () => {
    const session = await createSession(t, supervisor.token);
    await splitCount(alice, session, 6);
    await splitCount(bob, session, 2);
    const d = await detail(session);
    expect(d.bin).toMatchObject({
      state: 'needs_supervisor',
      reason: 'split_exceeds_tolerance',
      split: true,
    });
    expect(await openTasks(session)).toHaveLength(0);
  });

  it('a split claim is refused while a whole claim is held, and a whole claim while split ones are', async () => {
    const session = await createSession(t, supervisor.token);
    const whole = await claimOk(t, alice.token, session.id, 'A-01');
    const refused = await claimSplit(bob, session);
    expect(refused.status, JSON.stringify(refused.body)).toBe(409);
    expect(refused.body.error).toMatchObject({
      code: 'RACK_HELD_WHOLE',
      details: [expect.objectContaining({ path: 'split' })],
      holder: expect.objectContaining({ username: 'alice' }),
    });
    // Alice's whole claim still fences her writes.
    const ok = await sync(t, alice.token, [
      countRecord(session.id, 'A-01', 'ITM-A', whole.fencing_token, { counted_qty: 10 }),
    ]);
    expect(ok.body.data.results[0]!.status, JSON.stringify(ok.body.data)).toBe('OK');

    const other = await createSession(t, supervisor.token);
    expect((await claimSplit(alice, other)).status).toBe(200);
    const wholeRefused = await claimSplit(bob, other, 'A-01', false);
    expect(wholeRefused.status, JSON.stringify(wholeRefused.body)).toBe(409);
    expect(wholeRefused.body.error).toMatchObject({
      code: 'RACK_HELD_SPLIT',
      details: [expect.objectContaining({ path: 'split' })],
    });
    // Nor may Alice turn her split claim whole without giving it back first.
    expect((await claimSplit(alice, other, 'A-01', false)).status).toBe(409);
    // A third counter joins the split.
    expect((await claimSplit(carol, other)).status).toBe(200);
  });

  it('a split holder giving the rack back does not take it from the others; the last one frees it', async () => {
    const session = await createSession(t, supervisor.token);
    const a = await claimSplit(alice, session);
    const b = await claimSplit(bob, session);
    expect(a.status).toBe(200);
    expect(b.status).toBe(200);
    const rel = await t.request('POST', `/api/sessions/${session.id}/racks/A-01/release`, {
      token: alice.token,
      body: {},
    });
    expect(rel.status, JSON.stringify(rel.body)).toBe(200);
    expect(rel.body.data).toMatchObject({ status: 'released', split: true });
    // Bob still holds his part and counts under it.
    const res = await sync(t, bob.token, [
      countRecord(session.id, 'A-01', 'ITM-A', b.body.data.fencing_token, {
        counted_qty: 10,
      }),
    ]);
    expect(res.body.data.results[0]!.status, JSON.stringify(res.body.data)).toBe('OK');
    // Nobody may claim it whole while Bob counts his part.
    expect((await claimSplit(carol, session, 'A-01', false)).status).toBe(409);
    await t.request('POST', `/api/sessions/${session.id}/racks/A-01/release`, {
      token: bob.token,
      body: {},
    });
    const whole = await claimOk(t, carol.token, session.id, 'A-01');
    expect(whole.fencing_token).toBeGreaterThan(b.body.data.fencing_token);
    // A split line queued before the whole claim is fenced out.
    const stale = await sync(t, bob.token, [
      countRecord(session.id, 'A-01', 'ITM-B', b.body.data.fencing_token, { counted_qty: 1 }),
    ]);
    expect(stale.body.data.results[0]!.status).not.toBe('OK');
  });

  it('heartbeats renew every part under its shared token; pause and complete act on the own part', async () => {
    const session = await createSession(t, supervisor.token);
    const a = (await claimSplit(alice, session)).body.data;
    const b = (await claimSplit(bob, session)).body.data;
    expect(b.fencing_token).toBe(a.fencing_token);
    for (const who of [alice, bob]) {
      const beat = await t.request<{ claims: ClaimAnswer[]; lost: string[] }>(
        'POST',
        `/api/sessions/${session.id}/heartbeat`,
        { token: who.token, body: {} },
      );
      expect(beat.status, JSON.stringify(beat.body)).toBe(200);
      expect(beat.body.data.lost).toEqual([]);
      expect(beat.body.data.claims).toEqual([
        expect.objectContaining({ rack: 'A-01', fencing_token: a.fencing_token, split: true }),
      ]);
    }
    const paused = await t.request('POST', `/api/sessions/${session.id}/racks/A-01/pause`, {
      token: bob.token,
      body: {},
    });
    expect(paused.body.data).toMatchObject({ claim_id: b.claim_id, status: 'paused' });
    const done = await t.request('POST', `/api/sessions/${session.id}/racks/A-01/complete`, {
      token: alice.token,
      body: {},
    });
    expect(done.body.data).toMatchObject({ claim_id: a.claim_id, status: 'completed' });
    // Bob's part still holds the rack: another counter may join, nobody may take it whole.
    expect((await claimSplit(carol, session)).status).toBe(200);
    expect((await claimSplit(supervisor, session, 'A-01', false)).status).toBe(409);
  });

  it("a shared rack is done only when every part is: the session's metrics look at all parts", async () => {
    const session = await createSession(t, supervisor.token);
    await claimSplit(alice, session);
    t.advance(1000);
    await claimSplit(bob, session);
    const metrics = async () => {
      const res = await t.request<{ metrics: { racks_done: number; racks_claimed: number } }>(
        'GET',
        `/api/sessions/${session.id}`,
        { token: supervisor.token },
      );
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      const { racks_done, racks_claimed } = res.body.data.metrics;
      return { racks_done, racks_claimed };
    };
    const complete = (who: User) =>
      t.request('POST', `/api/sessions/${session.id}/racks/A-01/complete`, {
        token: who.token,
        body: {},
      });
    expect(await metrics()).toEqual({ racks_done: 0, racks_claimed: 1 });
    // Bob's part is the newest claim; his completing it leaves alice's part open.
    expect((await complete(bob)).status).toBe(200);
    expect(await metrics()).toEqual({ racks_done: 0, racks_claimed: 1 });
    expect((await complete(alice)).status).toBe(200);
    expect(await metrics()).toEqual({ racks_done: 1, racks_claimed: 0 });
  });

  it('lapsed split parts stay reserved for the grace period, then a whole claim takes the rack', async () => {
    const session = await createSession(t, supervisor.token);
    const a = (await claimSplit(alice, session)).body.data;
    const b = (await claimSplit(bob, session)).body.data;
    t.advance(5 * 60_000);
    const reserved = await claimSplit(carol, session, 'A-01', false);
    expect(reserved.status, JSON.stringify(reserved.body)).toBe(409);
    expect(reserved.body.error).toMatchObject({ code: 'RACK_HELD_SPLIT' });
    expect(reserved.body.error?.reserved_until).toBeTruthy();
    t.advance(11 * 60_000);
    for (const who of [alice, bob]) who.token = await t.signIn(who.user.username, who.password);
    // A former part's counter claims it whole: a new whole claim, not their lost part revived.
    const whole = await claimSplit(alice, session, 'A-01', false);
    expect(whole.status, JSON.stringify(whole.body)).toBe(200);
    expect(whole.body.data).toMatchObject({ split: false, status: 'active' });
    expect(whole.body.data.claim_id).not.toBe(a.claim_id);
    expect(whole.body.data.fencing_token).toBeGreaterThan(a.fencing_token);
    const late = await sync(t, bob.token, [
      countRecord(session.id, 'A-01', 'ITM-A', b.fencing_token, { counted_qty: 3 }),
    ]);
    expect(late.body.data.results[0]).toMatchObject({ code: 'LOCK_LOST' });
  });

  it('a part claimed after the parts lapsed moves every part to the new token', async () => {
    const session = await createSession(t, supervisor.token);
    const a = (await claimSplit(alice, session)).body.data;
    t.advance(2 * 60_000); // past the lock's TTL, within the grace period
    for (const who of [alice, bob]) who.token = await t.signIn(who.user.username, who.password);
    const b = (await claimSplit(bob, session)).body.data;
    expect(b.fencing_token).toBeGreaterThan(a.fencing_token);
    // Alice's queued line under her first token still passes, with no heartbeat in between.
    const res = await sync(t, alice.token, [
      countRecord(session.id, 'A-01', 'ITM-A', a.fencing_token, { counted_qty: 4 }),
    ]);
    expect(res.body.data.results[0], JSON.stringify(res.body.data)).toMatchObject({ status: 'OK' });
  });

  it('every part may report an unknown item on the rack, not only the newest', async () => {
    const session = await createSession(t, supervisor.token);
    await claimSplit(alice, session);
    await claimSplit(bob, session);
    const res = await sync(t, alice.token, [
      {
        op_id: crypto.randomUUID(),
        type: 'unknown_item',
        session_id: session.id,
        rack: 'A-01',
        barcode: '999000111',
        description: 'Blue box, no label',
        counted_qty: 2,
        counted_at: '2026-11-29T10:00:00Z',
      },
    ]);
    expect(res.body.data.results[0], JSON.stringify(res.body.data)).toMatchObject({ status: 'OK' });
  });

  it('the rack map shows a split rack with every holder', async () => {
    const session = await createSession(t, supervisor.token);
    await claimSplit(alice, session);
    await claimSplit(bob, session);
    const map = await t.request<{ items: RackView[] }>(
      'GET',
      `/api/warehouses/${session.warehouse}/racks?session=${session.id}`,
      { token: supervisor.token },
    );
    expect(map.status, JSON.stringify(map.body)).toBe(200);
    const a01 = rackMapSchema.parse(map.body.data).items.find((r) => r.code === 'A-01');
    expect(a01).toMatchObject({ state: 'claimed', split: true });
    expect(a01?.holders?.map((h) => h.username).sort()).toEqual(['alice', 'bob']);
    const a02 = rackMapSchema.parse(map.body.data).items.find((r) => r.code === 'A-02');
    expect(a02).toMatchObject({ split: false, holders: [] });
  });

  it("reads a split rack's open parts by the rack, not every claim of the session", async () => {
    // At 1,000 racks a split claim, a heartbeat and a release read the session's 1,000-odd claims
    // to find the few of one rack (noticed in issue #13's session; ClaimRepo.listOpenOnRack).
    const session = await createSession(t, supervisor.token);
    const whole = vi.spyOn(t.store.claims, 'listBySession');
    const byRack = vi.spyOn(t.store.claims, 'listOpenOnRack');
    try {
      const a = (await claimSplit(alice, session)).body.data;
      expect((await claimSplit(bob, session)).status).toBe(200);
      const given = await t.request('POST', `/api/sessions/${session.id}/racks/A-01/release`, {
        token: alice.token,
        body: {},
      });
      expect(given.status, JSON.stringify(given.body)).toBe(200);
      expect(a.split).toBe(true);
      expect(byRack).toHaveBeenCalled();
      expect(whole).not.toHaveBeenCalled();
    } finally {
      whole.mockRestore();
      byRack.mockRestore();
    }
  });

  it('rejects a split flag that is not a boolean, naming the field', async () => {
    const session = await createSession(t, supervisor.token);
    const res = await t.request('POST', `/api/sessions/${session.id}/racks/A-01/claim`, {
      token: alice.token,
      body: { split: 'yes' },
    });
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body)).toContain('"path":"split"');
  });
});
