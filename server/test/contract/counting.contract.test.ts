/**
 * Counting-store contract (issue #3, design §4–§5): the session, claim, line, result, idempotency,
 * conflict and unknown-item repositories, run against every adapter that can run here — sqlite
 * always, mongodb only when MONGODB_URI points at a server.
 */
import type { ListSessionsQuery } from '@stockverify/shared';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  at,
  makeSession,
  makeSnapshotRow,
  makeClaim,
  makeLine,
  makeItem,
  makeResult,
  makeStoredResult,
  makeIdempotency,
  makeConflict,
  makeUnknownItem,
} from '../support/counting-records';
import { storeAdapters, type StoreFixture } from '../support/store-adapters';
import type { CountLineRecord } from '../../src/ports/counting';
import type { Store } from '../../src/ports/store';

const adapters = storeAdapters('counting');

function sessionQuery(overrides: Partial<ListSessionsQuery> = {}): ListSessionsQuery {
  return { page: 1, page_size: 50, sort: '-created_at', ...overrides };
}

const ids = (records: ReadonlyArray<{ id: string }>) => records.map((r) => r.id);
const opIds = (records: ReadonlyArray<{ op_id: string }>) => records.map((r) => r.op_id);

describe.each(adapters)('Counting store contract: $name', (adapter) => {
  let fx: StoreFixture;
  let store: Store;

  beforeEach(async () => {
    fx = await adapter.open();
    store = fx.store;
  });
  afterEach(async () => {
    await fx.dispose();
  });

  /** Inserts a line and fails the test unless it was stored. */
  async function insertOk(line: CountLineRecord): Promise<CountLineRecord> {
    const outcome = await store.lines.insert(line);
    if (!outcome.ok) throw new Error(`expected ${line.op_id} stored, got ${outcome.reason}`);
    return outcome.line;
  }

  describe('sessions', () => {
    it('stores a session with its snapshot and reads both back', async () => {
      const session = makeSession('S1', { mode: 'blind', scope: { floors: [], racks: ['A-01'] } });
      const rows = [
        makeSnapshotRow('S1', 'ITM-2', { category: null, book_qty: 2.5 }),
        makeSnapshotRow('S1', 'ITM-1', { cost: 1.25, price: 9.99 }),
      ];
      await store.sessions.create(session, rows);

      expect(await store.sessions.get('S1')).toEqual(session);
      expect(await store.sessions.get('nope')).toBeNull();
      expect(await store.sessions.snapshotRows('S1')).toEqual([rows[1], rows[0]]);
      expect(await store.sessions.snapshotRow('S1', 'ITM-2')).toEqual(rows[0]);
      expect(await store.sessions.snapshotRow('S1', 'ITM-9')).toBeNull();
      expect(await store.sessions.snapshotRow('S2', 'ITM-1')).toBeNull();
      expect(await store.sessions.snapshotRows('S2')).toEqual([]);
    });

    describe('list', () => {
      beforeEach(async () => {
        await store.sessions.create(
          makeSession('S1', { name: 'March full count', created_at: at(10) }),
          [],
        );
        await store.sessions.create(
          makeSession('S2', {
            name: 'Aisle A spot check',
            warehouse: 'WH2',
            status: 'CLOSED',
            created_at: at(20),
          }),
          [],
        );
        await store.sessions.create(
          makeSession('S3', { name: 'April FULL', status: 'RECONCILED', created_at: at(30) }),
          [],
        );
        await insertOk(makeLine('op-bob', { session_id: 'S2', counted_by: 'u-bob' }));
      });

      it('filters by status, warehouse, staff, name and creation time', async () => {
        const list = async (q: Partial<ListSessionsQuery>) =>
          ids((await store.sessions.list(sessionQuery(q))).items);
        expect(await list({})).toEqual(['S3', 'S2', 'S1']);
        expect(await list({ status: 'CLOSED' })).toEqual(['S2']);
        expect(await list({ warehouse: 'WH1' })).toEqual(['S3', 'S1']);
        expect(await list({ staff: 'u-bob' })).toEqual(['S2']);
        expect(await list({ staff: 'u-alice' })).toEqual([]);
        expect(await list({ q: 'full' })).toEqual(['S3', 'S1']);
        expect(await list({ q: 'SPOT' })).toEqual(['S2']);
        // `from` inclusive, `to` exclusive.
        expect(await list({ from: at(20) })).toEqual(['S3', 'S2']);
        expect(await list({ to: at(20) })).toEqual(['S1']);
        expect(await list({ from: at(10), to: at(30), warehouse: 'WH1' })).toEqual(['S1']);
      });

      it('sorts by every allowed key in both directions', async () => {
        const sorted = async (sort: ListSessionsQuery['sort']) =>
          ids((await store.sessions.list(sessionQuery({ sort }))).items);
        expect(await sorted('created_at')).toEqual(['S1', 'S2', 'S3']);
        expect(await sorted('-created_at')).toEqual(['S3', 'S2', 'S1']);
        expect(await sorted('name')).toEqual(['S2', 'S3', 'S1']);
        expect(await sorted('-name')).toEqual(['S1', 'S3', 'S2']);
        expect(await sorted('status')).toEqual(['S2', 'S1', 'S3']);
        expect(await sorted('-status')).toEqual(['S3', 'S1', 'S2']);
      });

      it('breaks ties by id in the direction of the sort', async () => {
        await store.sessions.create(makeSession('S5', { name: 'Same', created_at: at(40) }), []);
        await store.sessions.create(makeSession('S4', { name: 'Same', created_at: at(40) }), []);
        const first = async (sort: ListSessionsQuery['sort']) =>
          ids((await store.sessions.list(sessionQuery({ sort, q: 'same' }))).items);
        expect(await first('name')).toEqual(['S4', 'S5']);
        expect(await first('-name')).toEqual(['S5', 'S4']);
        expect(await first('created_at')).toEqual(['S4', 'S5']);
        expect(await first('-created_at')).toEqual(['S5', 'S4']);
      });

      it('pages with the total of every match', async () => {
        const page1 = await store.sessions.list(sessionQuery({ page_size: 2 }));
        const page2 = await store.sessions.list(sessionQuery({ page_size: 2, page: 2 }));
        expect(ids(page1.items)).toEqual(['S3', 'S2']);
        expect(ids(page2.items)).toEqual(['S1']);
        expect(page1.total).toBe(3);
        expect(page2.total).toBe(3);
        const filtered = await store.sessions.list(
          sessionQuery({ warehouse: 'WH1', page_size: 1 }),
        );
        expect(filtered.total).toBe(2);
        expect(filtered.items).toHaveLength(1);
      });
    });

    describe('transition', () => {
      beforeEach(async () => {
        await store.sessions.create(makeSession('S1'), []);
      });

      it('moves the status and applies the patch only from an allowed status', async () => {
        const closed = await store.sessions.transition('S1', ['OPEN'], 'CLOSED', {
          closed_at: at(5),
          updated_at: at(5),
        });
        expect(closed).toEqual(
          makeSession('S1', { status: 'CLOSED', closed_at: at(5), updated_at: at(5) }),
        );
        expect(await store.sessions.get('S1')).toEqual(closed);

        expect(
          await store.sessions.transition('S1', ['OPEN'], 'CLOSED', { updated_at: at(6) }),
        ).toBeNull();
        expect(await store.sessions.get('S1')).toEqual(closed);
        expect(await store.sessions.transition('nope', ['OPEN'], 'CLOSED', {})).toBeNull();

        // A supervisor reopens a CLOSED session: closed_at cleared, other fields kept.
        const reopened = await store.sessions.transition('S1', ['CLOSED', 'RECONCILED'], 'OPEN', {
          closed_at: null,
          updated_at: at(7),
        });
        expect(reopened).toEqual(makeSession('S1', { updated_at: at(7) }));
      });

      it('lets exactly one of several concurrent transitions win', async () => {
        const outcomes = await Promise.all(
          Array.from({ length: 8 }, (_, i) =>
            store.sessions.transition('S1', ['OPEN'], 'CLOSED', { updated_at: at(i + 1) }),
          ),
        );
        const winners = outcomes.filter((o) => o !== null);
        expect(winners).toHaveLength(1);
        expect(await store.sessions.get('S1')).toEqual(winners[0]);
      });
    });
  });

  describe('claims', () => {
    it('round-trips a claim and finds the rack newest claim by token', async () => {
      const first = makeClaim('c1', { status: 'released', released_at: at(1), released_by: 'u' });
      const newest = makeClaim('c3', {
        token: 7,
        first_token: 5,
        claimed_at: at(2),
        user_id: 'u-bob',
        username: 'bob',
        device_id: null,
      });
      const middle = makeClaim('c2', { token: 4, first_token: 4, claimed_at: at(3) });
      for (const c of [first, newest, middle]) await store.claims.insert(c);
      await store.claims.insert(makeClaim('c-other-rack', { rack: 'A-02', token: 99 }));
      await store.claims.insert(makeClaim('c-other-session', { session_id: 'S2', token: 99 }));

      expect(await store.claims.get('c1')).toEqual(first);
      expect(await store.claims.get('nope')).toBeNull();
      expect(await store.claims.latest('S1', 'A-01')).toEqual(newest);
      expect(await store.claims.latest('S1', 'B-09')).toBeNull();
    });

    it('lists a session claims newest first and a user open claims', async () => {
      await store.claims.insert(makeClaim('c1', { claimed_at: at(1) }));
      await store.claims.insert(makeClaim('c3', { claimed_at: at(3), rack: 'A-03' }));
      await store.claims.insert(
        makeClaim('c2', { claimed_at: at(2), rack: 'A-02', status: 'paused', paused_at: at(2) }),
      );
      await store.claims.insert(makeClaim('c4', { claimed_at: at(4), status: 'completed' }));
      await store.claims.insert(makeClaim('c5', { claimed_at: at(5), status: 'released' }));
      await store.claims.insert(makeClaim('c6', { claimed_at: at(6), status: 'lost' }));
      await store.claims.insert(makeClaim('c-bob', { claimed_at: at(7), user_id: 'u-bob' }));
      await store.claims.insert(makeClaim('c-s2', { claimed_at: at(8), session_id: 'S2' }));

      expect(ids(await store.claims.listBySession('S1'))).toEqual([
        'c-bob',
        'c6',
        'c5',
        'c4',
        'c3',
        'c2',
        'c1',
      ]);
      expect(await store.claims.listBySession('S9')).toEqual([]);
      // The rack map's and the progress's eight fields of each, in the same order (issue #13).
      const states = (await store.claims.listBySession('S1')).map((c) => ({
        rack: c.rack,
        user_id: c.user_id,
        username: c.username,
        status: c.status,
        token: c.token,
        split: c.split,
        last_heartbeat_at: c.last_heartbeat_at,
        completed_at: c.completed_at,
      }));
      expect(await store.claims.listStates('S1')).toEqual(states);
      expect(await store.claims.listStates('S9')).toEqual([]);
      const open = await store.claims.listOpenByUser('S1', 'u-alice');
      expect(ids(open).sort()).toEqual(['c1', 'c2', 'c3']);
      expect(await store.claims.listOpenByUser('S2', 'u-bob')).toEqual([]);
      // A rack's open claims (split parts), newest first, as listBySession has them.
      const onRack = await store.claims.listOpenOnRack('S1', 'A-01');
      expect(ids(onRack)).toEqual(['c-bob', 'c1']);
      expect(onRack).toEqual(
        (await store.claims.listBySession('S1')).filter(
          (c) => c.rack === 'A-01' && ['active', 'paused'].includes(c.status),
        ),
      );
      expect(ids(await store.claims.listOpenOnRack('S1', 'A-02'))).toEqual(['c2']);
      expect(await store.claims.listOpenOnRack('S1', 'B-09')).toEqual([]);
    });

    it('updates a claim, keeping what the patch does not name', async () => {
      const claim = makeClaim('c1');
      await store.claims.insert(claim);
      const updated = await store.claims.update('c1', {
        status: 'paused',
        paused_at: at(3),
        token: 2,
        last_heartbeat_at: at(3),
      });
      const expected = {
        ...claim,
        status: 'paused',
        paused_at: at(3),
        token: 2,
        last_heartbeat_at: at(3),
      };
      expect(updated).toEqual(expected);
      expect(await store.claims.get('c1')).toEqual(expected);
      expect(await store.claims.update('nope', { status: 'released' })).toBeNull();
    });
  });

  describe('lines', () => {
    beforeEach(async () => {
      await store.sessions.create(makeSession('S1'), [
        makeSnapshotRow('S1', 'ITM-1', { book_qty: 10, cost: 0.1, price: 19.99 }),
        makeSnapshotRow('S1', 'ITM-2', { book_qty: 5 }),
        makeSnapshotRow('S1', 'ITM-SER', { book_qty: 2, category: null }),
      ]);
      await store.sessions.create(makeSession('S2'), []);
    });

    it('stores a line and reads it back by id and op_id', async () => {
      const line = makeLine('op-1', {
        serials: ['SN1', 'SN2'],
        variance_confirmed: true,
        review_reasons: ['LARGE_VARIANCE', 'NO_PHOTO'],
        status: 'NEEDS_REVIEW',
        counted_qty: 2.5,
        variance: -7.5,
        value_at_cost: -0.75,
        value_at_price: -149.93,
      });
      const outcome = await store.lines.insert(line);
      expect(outcome).toEqual({ ok: true, line });
      expect(await store.lines.get('line-op-1')).toEqual(line);
      expect(await store.lines.getByOpId('op-1')).toEqual(line);
      expect(await store.lines.get('nope')).toBeNull();
      expect(await store.lines.getByOpId('nope')).toBeNull();
    });

    it('reads the lines of several op_ids at once: unknown ids left out, a repeated id once', async () => {
      const a = await insertOk(makeLine('op-a'));
      const b = await insertOk(makeLine('op-b', { item_code: 'ITM-2' }));
      await insertOk(makeLine('op-c', { item_code: 'ITM-3' }));
      const found = await store.lines.getManyByOpId(['op-b', 'nope', 'op-a', 'op-b']);
      expect(found.sort((x, y) => x.op_id.localeCompare(y.op_id))).toEqual([a, b]);
      expect(await store.lines.getManyByOpId([])).toEqual([]);
    });

    it('round-trips the tolerance decision of a line, and a line without one reads back without it', async () => {
      // Issue #16 (design §12): the rule that decided is stored on the line and read back as
      // written, through every read; a line from before rule sets has none (absent, not null).
      const tolerance = {
        rule_id: 'bolt',
        rule_version: 3,
        rule_scope: 'item' as const,
        rule_set_version: 5,
        within: false,
        exceeded_by: ['percent' as const],
        action: 'recount' as const,
        direction: 'shortage' as const,
        thresholds: { percent: 5 },
        allowance: { units: null, percent: 0.5, value: null },
      };
      const decided = makeLine('op-1', { status: 'NEEDS_REVIEW', tolerance });
      const plain = makeLine('op-2', { item_code: 'ITM-2' });
      expect(await store.lines.insert(decided)).toEqual({ ok: true, line: decided });
      await insertOk(plain);
      expect(await store.lines.get(decided.id)).toEqual(decided);
      expect(await store.lines.getByOpId('op-1')).toEqual(decided);
      const listed = await store.lines.list('S1', { page: 1, page_size: 10 });
      expect(listed.items.find((l) => l.op_id === 'op-1')).toEqual(decided);
      const without = listed.items.find((l) => l.op_id === 'op-2');
      expect(without).toEqual(plain);
      expect(without?.tolerance ?? null).toBeNull();
      // A supervisor's decision keeps the rule's.
      const reviewed = await store.lines.review(decided.id, {
        status: 'APPROVED',
        reviewed_by: 'sup',
        reviewed_at: '2026-01-02T00:00:00.000Z',
        review_note: 'seen',
      });
      expect(reviewed?.tolerance).toEqual(tolerance);
    });

    it('answers a repeated op_id with the line stored first', async () => {
      const first = await insertOk(makeLine('op-1'));
      const again = await store.lines.insert(makeLine('op-1', { id: 'other', counted_qty: 99 }));
      expect(again).toEqual({ ok: false, reason: 'DUPLICATE_OP', existing: first });
      expect(await store.lines.get('other')).toBeNull();
      expect((await store.lines.list('S1', { page: 1, page_size: 10 })).total).toBe(1);
    });

    it('stores exactly one of two racing inserts of the same op_id', async () => {
      const outcomes = await Promise.all([
        store.lines.insert(makeLine('op-1', { id: 'a' })),
        store.lines.insert(makeLine('op-1', { id: 'b' })),
      ]);
      expect(outcomes.filter((o) => o.ok)).toHaveLength(1);
      expect(outcomes.filter((o) => !o.ok && o.reason === 'DUPLICATE_OP')).toHaveLength(1);
    });

    it('fences lines by the rack newest claim', async () => {
      await store.claims.insert(makeClaim('c1', { token: 1 }));
      await insertOk(makeLine('op-1', { claim_id: 'c1', fencing_token: 1 }));

      // Someone re-claimed the rack: the old claim's writes are refused, nothing is stored.
      await store.claims.insert(makeClaim('c2', { token: 2, user_id: 'u-bob', claimed_at: at(1) }));
      const stale = await store.lines.insert(
        makeLine('op-2', { claim_id: 'c1', fencing_token: 1 }),
      );
      expect(stale).toEqual({ ok: false, reason: 'STALE_TOKEN', current_claim_id: 'c2' });
      expect(await store.lines.getByOpId('op-2')).toBeNull();
      await insertOk(makeLine('op-3', { claim_id: 'c2', fencing_token: 2 }));

      // Claims of other racks and sessions do not fence this rack.
      await store.claims.insert(makeClaim('c-a2', { rack: 'A-02', token: 50 }));
      await store.claims.insert(makeClaim('c-s2', { session_id: 'S2', token: 50 }));
      await insertOk(makeLine('op-4', { claim_id: 'c2', fencing_token: 2 }));

      // A rack nobody ever claimed has no current claim.
      expect(await store.lines.insert(makeLine('op-5', { rack: 'B-09', claim_id: 'c2' }))).toEqual({
        ok: false,
        reason: 'STALE_TOKEN',
        current_claim_id: null,
      });
    });

    it('fences split claims held together by their shared token (design §12 "Split claims")', async () => {
      await store.claims.insert(makeClaim('s1', { token: 3, split: true }));
      await store.claims.insert(
        makeClaim('s2', { token: 3, split: true, user_id: 'u-bob', claimed_at: at(1) }),
      );
      // A whole claim that happens to carry the token is no part of the split.
      await store.claims.insert(makeClaim('old', { token: 3, user_id: 'u-carol' }));
      expect((await store.claims.latest('S1', 'A-01'))?.id).toBe('s2');
      expect((await store.claims.get('s1'))?.split).toBe(true);
      expect((await store.claims.get('old'))?.split).toBe(false);
      await insertOk(makeLine('op-1', { claim_id: 's1', fencing_token: 3 }));
      await insertOk(makeLine('op-2', { claim_id: 's2', fencing_token: 3 }));
      expect(
        await store.lines.insert(makeLine('op-3', { claim_id: 'old', fencing_token: 3 })),
      ).toEqual({ ok: false, reason: 'STALE_TOKEN', current_claim_id: 's2' });

      // A whole claim after them takes a new token: every part's writes are refused.
      await store.claims.insert(makeClaim('w', { token: 4, user_id: 'u-dan', claimed_at: at(2) }));
      for (const claim of ['s1', 's2']) {
        expect(
          await store.lines.insert(
            makeLine(`late-${claim}`, { claim_id: claim, fencing_token: 3 }),
          ),
        ).toEqual({ ok: false, reason: 'STALE_TOKEN', current_claim_id: 'w' });
      }
    });

    it('skips fencing for a line without a claim (accepted from a conflict)', async () => {
      await store.claims.insert(makeClaim('c1', { token: 1 }));
      await store.claims.insert(makeClaim('c2', { token: 2 }));
      await insertOk(makeLine('op-1', { claim_id: null, fencing_token: null }));
    });

    it('refuses to supersede a line of another session, rack or item, or none', async () => {
      await insertOk(makeLine('op-1'));
      for (const line of [
        makeLine('op-x1', { supersedes: 'op-missing' }),
        makeLine('op-x2', { supersedes: 'op-1', rack: 'A-02' }),
        makeLine('op-x3', { supersedes: 'op-1', item_code: 'ITM-2' }),
        makeLine('op-x4', { supersedes: 'op-1', session_id: 'S2' }),
      ]) {
        expect(await store.lines.insert(line)).toEqual({ ok: false, reason: 'SUPERSEDES_UNKNOWN' });
        expect(await store.lines.getByOpId(line.op_id)).toBeNull();
      }
      expect((await store.lines.get('line-op-1'))?.superseded_by).toBeNull();
    });

    it('marks the superseded line and hands its serials to the correction', async () => {
      const ser = { item_code: 'ITM-SER', counted_qty: 2 };
      await insertOk(makeLine('op-1', { ...ser, serials: ['SN1', 'SN2'] }));
      const correction = makeLine('op-2', {
        ...ser,
        counted_qty: 1,
        serials: ['SN1'],
        supersedes: 'op-1',
      });
      expect(await store.lines.insert(correction)).toEqual({ ok: true, line: correction });
      expect((await store.lines.getByOpId('op-1'))?.superseded_by).toBe('op-2');
      expect((await store.lines.getByOpId('op-2'))?.superseded_by).toBeNull();

      // SN2 left with the superseded line; SN1 now belongs to the correction.
      await insertOk(makeLine('op-3', { ...ser, counted_qty: 1, serials: ['SN2'] }));
      expect(await store.lines.insert(makeLine('op-4', { ...ser, serials: ['SN1'] }))).toEqual({
        ok: false,
        reason: 'DUPLICATE_SERIAL',
        serial: 'SN1',
        other_op_id: 'op-2',
      });
    });

    it('inserts many lines in order, each seeing the ones before it', async () => {
      const outcomes = await store.lines.insertMany([
        makeLine('op-1', { item_code: 'ITM-SER', serials: ['SN1'] }),
        makeLine('op-2', { item_code: 'ITM-SER', serials: ['SN1'] }),
        makeLine('op-3', { item_code: 'ITM-SER', serials: ['SN1'], supersedes: 'op-1' }),
        makeLine('op-1', { item_code: 'ITM-SER', serials: ['SN9'] }),
      ]);
      expect(outcomes.map((o) => (o.ok ? 'ok' : o.reason))).toEqual([
        'ok',
        'DUPLICATE_SERIAL',
        'ok',
        'DUPLICATE_OP',
      ]);
      expect((await store.lines.getByOpId('op-1'))?.superseded_by).toBe('op-3');
      expect(await store.lines.getByOpId('op-2')).toBeNull();
      expect(await store.lines.insertMany([])).toEqual([]);
    });

    it('refuses to supersede a line that is already superseded', async () => {
      await insertOk(makeLine('op-1', { item_code: 'ITM-1' }));
      await insertOk(makeLine('op-2', { item_code: 'ITM-1', supersedes: 'op-1' }));
      expect(
        await store.lines.insert(makeLine('op-3', { item_code: 'ITM-1', supersedes: 'op-1' })),
      ).toEqual({
        ok: false,
        reason: 'SUPERSEDES_UNKNOWN',
      });
      expect((await store.lines.getByOpId('op-1'))?.superseded_by).toBe('op-2');
    });

    it('frees the serials of a rejected line', async () => {
      const first = await insertOk(makeLine('op-1', { item_code: 'ITM-SER', serials: ['SN5'] }));
      expect(
        (await store.lines.insert(makeLine('op-2', { item_code: 'ITM-SER', serials: ['SN5'] }))).ok,
      ).toBe(false);
      await store.lines.review(first.id, {
        status: 'REJECTED',
        reviewed_by: 'sup',
        reviewed_at: '2026-01-02T00:00:00.000Z',
        review_note: null,
      });
      await insertOk(makeLine('op-3', { item_code: 'ITM-SER', serials: ['SN5'] }));
    });

    it('keeps a review of a rejected line that is approved again after its serial was taken', async () => {
      const first = await insertOk(makeLine('op-1', { item_code: 'ITM-SER', serials: ['SN5'] }));
      const review = (status: 'REJECTED' | 'APPROVED') =>
        store.lines.review(first.id, {
          status,
          reviewed_by: 'sup',
          reviewed_at: '2026-01-02T00:00:00.000Z',
          review_note: null,
        });
      await review('REJECTED');
      await insertOk(makeLine('op-2', { item_code: 'ITM-SER', serials: ['SN5'] }));
      expect((await review('APPROVED'))?.status).toBe('APPROVED');
      // The serial is still held: a third line cannot take it.
      const third = await store.lines.insert(
        makeLine('op-3', { item_code: 'ITM-SER', serials: ['SN5'] }),
      );
      expect(third.ok ? 'ok' : third.reason).toBe('DUPLICATE_SERIAL');
    });

    it('stores only one of two racing corrections of the same line', async () => {
      await insertOk(makeLine('op-1', { item_code: 'ITM-1' }));
      const outcomes = await Promise.all([
        store.lines.insert(makeLine('op-2', { item_code: 'ITM-1', supersedes: 'op-1' })),
        store.lines.insert(makeLine('op-3', { item_code: 'ITM-1', supersedes: 'op-1' })),
      ]);
      expect(outcomes.filter((o) => o.ok)).toHaveLength(1);
      expect(outcomes.filter((o) => !o.ok && o.reason === 'SUPERSEDES_UNKNOWN')).toHaveLength(1);
      const winner = outcomes.find((o) => o.ok)!;
      expect((await store.lines.getByOpId('op-1'))?.superseded_by).toBe(
        winner.ok ? winner.line.op_id : null,
      );
      expect((await store.lines.list('S1', { page: 1, page_size: 10 })).total).toBe(1);
    });

    it('refuses a serial another line of the same item holds in the session', async () => {
      await insertOk(makeLine('op-1', { item_code: 'ITM-SER', serials: ['SN9'] }));
      const dup = makeLine('op-2', { item_code: 'ITM-SER', serials: ['SNX', 'SN9'], rack: 'A-02' });
      expect(await store.lines.insert(dup)).toEqual({
        ok: false,
        reason: 'DUPLICATE_SERIAL',
        serial: 'SN9',
        other_op_id: 'op-1',
      });
      expect(await store.lines.getByOpId('op-2')).toBeNull();
      // The refused line left no trace: its other serial is still free.
      await insertOk(makeLine('op-3', { item_code: 'ITM-SER', serials: ['SNX'] }));
      expect(await store.lines.sightings('SNX')).toHaveLength(1);
      // Another item may carry the same serial text.
      await insertOk(makeLine('op-4', { item_code: 'ITM-2', serials: ['SN9'] }));
    });

    it('lets only one of two racing lines take the same serial', async () => {
      const outcomes = await Promise.all([
        store.lines.insert(makeLine('op-1', { item_code: 'ITM-SER', serials: ['SN1'] })),
        store.lines.insert(makeLine('op-2', { item_code: 'ITM-SER', serials: ['SN1'] })),
      ]);
      expect(outcomes.filter((o) => o.ok)).toHaveLength(1);
      expect(outcomes.filter((o) => !o.ok && o.reason === 'DUPLICATE_SERIAL')).toHaveLength(1);
    });

    it('keeps every sighting of a serial across sessions, oldest first', async () => {
      await insertOk(
        makeLine('op-2', {
          session_id: 'S2',
          rack: 'B-01',
          item_code: 'ITM-SER',
          serials: ['SN1'],
          counted_at: at(60),
          condition: 'damaged',
          counted_by: 'u-bob',
          counted_by_name: 'Bob',
        }),
      );
      await insertOk(
        makeLine('op-1', { item_code: 'ITM-SER', serials: ['SN1'], counted_at: at(1) }),
      );
      expect(await store.lines.sightings('SN1')).toEqual([
        {
          serial: 'SN1',
          item_code: 'ITM-SER',
          session_id: 'S1',
          rack: 'A-01',
          line_id: 'line-op-1',
          op_id: 'op-1',
          counted_by: 'u-alice',
          counted_by_name: 'Alice',
          condition: 'good',
          counted_at: at(1),
        },
        {
          serial: 'SN1',
          item_code: 'ITM-SER',
          session_id: 'S2',
          rack: 'B-01',
          line_id: 'line-op-2',
          op_id: 'op-2',
          counted_by: 'u-bob',
          counted_by_name: 'Bob',
          condition: 'damaged',
          counted_at: at(60),
        },
      ]);
      expect(await store.lines.sightings('SN-NONE')).toEqual([]);
    });

    it('lists lines newest first with filters and paging', async () => {
      await insertOk(makeLine('op-1', { received_at: at(1), variance: -2 }));
      await insertOk(
        makeLine('op-2', { received_at: at(2), rack: 'A-02', status: 'NEEDS_REVIEW' }),
      );
      await insertOk(makeLine('op-3', { received_at: at(3), supersedes: 'op-1', variance: 1 }));
      await insertOk(makeLine('op-4', { received_at: at(4), rack: 'A-02', item_code: 'ITM-2' }));
      await insertOk(makeLine('op-s2', { received_at: at(5), session_id: 'S2' }));
      const list = async (q: Partial<Parameters<Store['lines']['list']>[1]> = {}) => {
        const page = await store.lines.list('S1', { page: 1, page_size: 50, ...q });
        return { ops: opIds(page.items), total: page.total };
      };

      expect(await list()).toEqual({ ops: ['op-4', 'op-3', 'op-2'], total: 3 });
      expect(await list({ include_superseded: true })).toEqual({
        ops: ['op-4', 'op-3', 'op-2', 'op-1'],
        total: 4,
      });
      expect(await list({ status: 'NEEDS_REVIEW' })).toEqual({ ops: ['op-2'], total: 1 });
      expect(await list({ rack: 'A-02' })).toEqual({ ops: ['op-4', 'op-2'], total: 2 });
      expect(await list({ has_variance: true })).toEqual({ ops: ['op-3'], total: 1 });
      expect(await list({ has_variance: true, include_superseded: true })).toEqual({
        ops: ['op-3', 'op-1'],
        total: 2,
      });
      expect(await list({ has_variance: false })).toEqual({ ops: ['op-4', 'op-2'], total: 2 });
      expect(await list({ page_size: 2, page: 2 })).toEqual({ ops: ['op-2'], total: 3 });
      expect(await list({ page_size: 2, page: 3 })).toEqual({ ops: [], total: 3 });
    });

    it('the unfiltered total counts rejected lines, not superseded ones, through reviews', async () => {
      const rejectedAt = (id: string, status: 'REJECTED' | 'APPROVED') =>
        store.lines.review(id, {
          status,
          reviewed_by: 'u-sup',
          reviewed_at: at(9),
          review_note: null,
        });
      await insertOk(makeLine('op-1', { received_at: at(1) }));
      await insertOk(makeLine('op-2', { received_at: at(2), status: 'NEEDS_REVIEW' }));
      await insertOk(makeLine('op-3', { received_at: at(3), supersedes: 'op-1' }));
      await insertOk(makeLine('op-4', { received_at: at(4), item_code: 'ITM-2' }));
      const total = async () => (await store.lines.list('S1', { page: 1, page_size: 1 })).total;
      expect(await total()).toBe(3);
      await rejectedAt('line-op-2', 'REJECTED');
      expect(await total()).toBe(3);
      await rejectedAt('line-op-4', 'REJECTED');
      await rejectedAt('line-op-2', 'APPROVED');
      expect(await total()).toBe(3);
      // A correction of a rejected line: the rejected one no longer lists, its correction does.
      await insertOk(
        makeLine('op-5', { received_at: at(5), item_code: 'ITM-2', supersedes: 'op-4' }),
      );
      expect(await total()).toBe(3);
      await insertOk(makeLine('op-6', { received_at: at(6), session_id: 'S2' }));
      expect(await total()).toBe(3);
      expect(
        (await store.lines.list('S1', { page: 1, page_size: 1, include_superseded: true })).total,
      ).toBe(5);
    });

    it('records a review on the line', async () => {
      const line = await insertOk(makeLine('op-1', { status: 'NEEDS_REVIEW' }));
      const patch = {
        status: 'APPROVED' as const,
        reviewed_by: 'u-sup',
        reviewed_at: at(9),
        review_note: 'checked the shelf',
      };
      const reviewed = await store.lines.review('line-op-1', patch);
      expect(reviewed).toEqual({ ...line, ...patch });
      expect(await store.lines.get('line-op-1')).toEqual({ ...line, ...patch });
      expect(await store.lines.review('nope', patch)).toBeNull();
    });

    it('sums the lines that count per bin (item in rack), less written-off damage', async () => {
      await insertOk(makeLine('op-1', { item_code: 'ITM-1', counted_qty: 4, book_qty: 10 }));
      await insertOk(
        makeLine('op-2', { item_code: 'ITM-1', counted_qty: 3, supersedes: 'op-1', book_qty: 10 }),
      );
      await insertOk(
        makeLine('op-3', {
          item_code: 'ITM-1',
          rack: 'A-02',
          counted_qty: 2.5,
          non_returnable_damaged_qty: 0.5,
          book_qty: 10,
        }),
      );
      await insertOk(makeLine('op-4', { item_code: 'ITM-1', counted_qty: 1.25, book_qty: 10 }));
      const rejected = await insertOk(makeLine('op-5', { item_code: 'ITM-2', book_qty: 5 }));
      await store.lines.review(rejected.id, {
        status: 'REJECTED',
        reviewed_by: 'u-sup',
        reviewed_at: at(9),
        review_note: null,
      });
      await insertOk(
        makeLine('op-6', { item_code: 'ITM-2', rack: 'A-02', counted_qty: 6, book_qty: 5 }),
      );
      await insertOk(makeLine('op-s2', { session_id: 'S2', item_code: 'ITM-1' }));
      expect(await store.lines.bins('S1')).toEqual([
        { item_code: 'ITM-1', rack: 'A-01', counted: 4.25, book_qty: 10 },
        { item_code: 'ITM-1', rack: 'A-02', counted: 2, book_qty: 10 },
        { item_code: 'ITM-2', rack: 'A-02', counted: 6, book_qty: 5 },
      ]);
      expect(await store.lines.bins('S-none')).toEqual([]);
    });

    it('sums counting lines per item against the snapshot', async () => {
      await store.items.upsertMany([makeItem('ITM-M')]);
      // ITM-1 (book 10, cost 0.10, price 19.99): a superseded line, its correction on A-01, a line
      // on A-02 and a rejected line on A-02.
      await insertOk(makeLine('op-old', { counted_qty: 100 }));
      await insertOk(
        makeLine('op-fix', {
          supersedes: 'op-old',
          counted_qty: 5,
          damaged_qty: 1,
          non_returnable_damaged_qty: 1,
        }),
      );
      await insertOk(makeLine('op-a2', { rack: 'A-02', counted_qty: 3, damaged_qty: 2 }));
      await insertOk(makeLine('op-rej', { rack: 'A-02', counted_qty: 50 }));
      await store.lines.review('line-op-rej', {
        status: 'REJECTED',
        reviewed_by: 'u-sup',
        reviewed_at: at(1),
        review_note: null,
      });
      // Items outside the snapshot: one unknown to the master too, one the master knows.
      await insertOk(makeLine('op-x1', { item_code: 'ITM-X', counted_qty: 0.1 }));
      await insertOk(makeLine('op-x2', { item_code: 'ITM-X', counted_qty: 0.2, rack: 'A-02' }));
      await insertOk(makeLine('op-m', { item_code: 'ITM-M', counted_qty: 4 }));
      // Another session's lines never mix in.
      await insertOk(makeLine('op-s2', { session_id: 'S2', counted_qty: 1000 }));

      const variances = await store.lines.variances('S1');
      expect(variances.map((v) => v.item_code)).toEqual(['ITM-1', 'ITM-M', 'ITM-X']);
      expect(variances[0]).toEqual({
        item_code: 'ITM-1',
        name: 'Item ITM-1',
        category: 'Hardware',
        book_qty: 10,
        counted_qty: 8,
        damaged_qty: 3,
        non_returnable_damaged_qty: 1,
        // 8 − 1 − 10
        variance: -3,
        // −3 × 0.10 is −0.30000000000000004 in floating point; the cent is what counts.
        value_at_cost: -0.3,
        value_at_price: -59.97,
        lines: 2,
        racks: ['A-01', 'A-02'],
      });
      expect(variances[1]).toMatchObject({
        item_code: 'ITM-M',
        name: 'Master ITM-M',
        book_qty: 0,
        counted_qty: 4,
        variance: 4,
        lines: 1,
        racks: ['A-01'],
      });
      expect(variances[2]).toEqual({
        item_code: 'ITM-X',
        name: 'ITM-X',
        category: null,
        book_qty: 0,
        counted_qty: 0.3,
        damaged_qty: 0,
        non_returnable_damaged_qty: 0,
        variance: 0.3,
        value_at_cost: 0,
        value_at_price: 0,
        lines: 2,
        racks: ['A-01', 'A-02'],
      });
      expect(await store.lines.variances('S-empty')).toEqual([]);
    });

    it('sums lines per session and counter for analytics', async () => {
      await insertOk(
        makeLine('op-1', {
          variance: -3,
          book_qty: 10,
          value_at_cost: -1.5,
          value_at_price: -2.25,
          counted_at: at(1),
        }),
      );
      await insertOk(
        makeLine('op-2', {
          item_code: 'ITM-2',
          variance: 2,
          book_qty: 5,
          value_at_cost: 1,
          value_at_price: 1.5,
          counted_at: at(5),
        }),
      );
      await insertOk(
        makeLine('op-3', {
          item_code: 'ITM-2',
          supersedes: 'op-2',
          variance: 0,
          book_qty: 5,
          counted_at: at(6),
        }),
      );
      await insertOk(
        makeLine('op-bob', {
          counted_by: 'u-bob',
          counted_by_name: 'Bob',
          rack: 'A-02',
          variance: 1,
          book_qty: 10,
          counted_at: at(2),
        }),
      );
      await insertOk(
        makeLine('op-rej', {
          counted_by: 'u-bob',
          counted_by_name: 'Bob',
          rack: 'A-02',
          item_code: 'ITM-2',
          variance: 50,
          counted_at: at(3),
        }),
      );
      await store.lines.review('line-op-rej', {
        status: 'REJECTED',
        reviewed_by: 'u-sup',
        reviewed_at: at(4),
        review_note: null,
      });
      await insertOk(makeLine('op-s2', { session_id: 'S2', counted_at: at(30) }));

      const all = await store.lines.stats({});
      expect(all.map((r) => [r.session_id, r.user_id, r.lines])).toEqual([
        ['S1', 'u-alice', 2],
        ['S1', 'u-bob', 1],
        ['S2', 'u-alice', 1],
      ]);
      expect(all[0]).toEqual({
        session_id: 'S1',
        user_id: 'u-alice',
        username: 'Alice',
        lines: 2,
        items: 2,
        abs_variance: 3,
        abs_book: 15,
        variance: -3,
        value_at_cost: -1.5,
        value_at_price: -2.25,
        first_counted_at: at(1),
        last_counted_at: at(6),
      });
      expect((await store.lines.stats({ session_ids: ['S2'] })).map((r) => r.session_id)).toEqual([
        'S2',
      ]);
      expect(
        (await store.lines.stats({ from: at(2), to: at(6) })).map((r) => [r.user_id, r.lines]),
      ).toEqual([['u-bob', 1]]);
    });

    it('counts a user lines of an item that still count', async () => {
      await insertOk(makeLine('op-1'));
      await insertOk(makeLine('op-2', { supersedes: 'op-1' }));
      await insertOk(makeLine('op-3', { rack: 'A-02' }));
      await insertOk(makeLine('op-4', { rack: 'A-02' }));
      await store.lines.review('line-op-4', {
        status: 'REJECTED',
        reviewed_by: 'u-sup',
        reviewed_at: at(1),
        review_note: null,
      });
      await insertOk(makeLine('op-bob', { counted_by: 'u-bob' }));
      await insertOk(makeLine('op-item2', { item_code: 'ITM-2' }));
      await insertOk(makeLine('op-s2', { session_id: 'S2' }));

      expect(await store.lines.countByUserAndItem('S1', 'u-alice', 'ITM-1')).toBe(2);
      expect(await store.lines.countByUserAndItem('S1', 'u-bob', 'ITM-1')).toBe(1);
      expect(await store.lines.countByUserAndItem('S1', 'u-carol', 'ITM-1')).toBe(0);
    });
  });

  describe('results', () => {
    it('keeps the first result stored for an op_id', async () => {
      const first = makeStoredResult('op-1');
      expect(await store.results.putIfAbsent(first)).toEqual(first);
      const second = makeStoredResult('op-1', {
        result: makeResult('op-1', { status: 'ERROR', code: 'X', line_id: null, variance: null }),
        created_at: at(5),
      });
      expect(await store.results.putIfAbsent(second)).toEqual(first);
      expect(await store.results.get('op-1')).toEqual(first);
      expect(await store.results.get('op-2')).toBeNull();
    });
  });

  describe('results, many at once', () => {
    it('keeps the first result per op_id, in order', async () => {
      const first = makeStoredResult('op-a');
      await store.results.putIfAbsent(first);
      const stored = await store.results.putManyIfAbsent([
        makeStoredResult('op-a', { user_id: 'someone-else' }),
        makeStoredResult('op-b'),
      ]);
      expect(stored.map((r) => [r.op_id, r.user_id])).toEqual([
        ['op-a', first.user_id],
        ['op-b', makeStoredResult('op-b').user_id],
      ]);
      expect((await store.results.get('op-b'))?.op_id).toBe('op-b');
    });
  });

  describe('idempotency', () => {
    it('stores a batch once per key and user, and deletes old ones', async () => {
      expect(await store.idempotency.get('k1', 'u-alice')).toBeNull();
      const alice = makeIdempotency('k1');
      expect(await store.idempotency.putIfAbsent(alice)).toEqual(alice);
      expect(
        await store.idempotency.putIfAbsent(makeIdempotency('k1', { request_hash: 'other' })),
      ).toEqual(alice);
      expect(await store.idempotency.get('k1', 'u-alice')).toEqual(alice);

      // The same key chosen by another user is another batch.
      expect(await store.idempotency.get('k1', 'u-bob')).toBeNull();
      const bob = makeIdempotency('k1', { user_id: 'u-bob', results: [], created_at: at(10) });
      expect(await store.idempotency.putIfAbsent(bob)).toEqual(bob);
      expect(await store.idempotency.get('k1', 'u-bob')).toEqual(bob);

      await store.idempotency.putIfAbsent(makeIdempotency('k2', { created_at: at(20) }));
      expect(await store.idempotency.deleteOlderThan(at(10))).toBe(1);
      expect(await store.idempotency.get('k1', 'u-alice')).toBeNull();
      expect(await store.idempotency.get('k1', 'u-bob')).toEqual(bob);
      expect(await store.idempotency.deleteOlderThan(at(10))).toBe(0);
      expect(await store.idempotency.deleteOlderThan(at(21))).toBe(2);
    });
  });

  describe('conflicts', () => {
    it('stores a conflict once per op_id', async () => {
      const conflict = makeConflict('k1');
      expect(await store.conflicts.insertIfAbsent(conflict)).toEqual(conflict);
      expect(
        await store.conflicts.insertIfAbsent(makeConflict('k1-again', { op_id: 'op-k1' })),
      ).toEqual(conflict);
      expect(await store.conflicts.get('k1')).toEqual(conflict);
      expect(await store.conflicts.get('k1-again')).toBeNull();
      const orphan = makeConflict('k2', { session_id: null, rack: null, device_id: null });
      expect(await store.conflicts.insertIfAbsent(orphan)).toEqual(orphan);
    });

    it('lists newest first, filtered and paged', async () => {
      await store.conflicts.insertIfAbsent(makeConflict('k1', { created_at: at(1) }));
      await store.conflicts.insertIfAbsent(
        makeConflict('k2', { created_at: at(2), session_id: 'S2' }),
      );
      await store.conflicts.insertIfAbsent(
        makeConflict('k3', { created_at: at(3), status: 'DISCARDED' }),
      );
      await store.conflicts.insertIfAbsent(makeConflict('k4', { created_at: at(4) }));
      const list = async (
        q: { session?: string; status?: 'OPEN' | 'DISCARDED' } = {},
        page = 1,
      ) => {
        const result = await store.conflicts.list({ page, page_size: 2, ...q });
        return { ids: ids(result.items), total: result.total };
      };
      expect(await list()).toEqual({ ids: ['k4', 'k3'], total: 4 });
      expect(await list({}, 2)).toEqual({ ids: ['k2', 'k1'], total: 4 });
      expect(await list({ session: 'S1' })).toEqual({ ids: ['k4', 'k3'], total: 3 });
      expect(await list({ status: 'OPEN' })).toEqual({ ids: ['k4', 'k2'], total: 3 });
      expect(await list({ session: 'S1', status: 'OPEN' })).toEqual({
        ids: ['k4', 'k1'],
        total: 2,
      });
    });

    it('resolves an open conflict once', async () => {
      const conflict = makeConflict('k1');
      await store.conflicts.insertIfAbsent(conflict);
      const accept = {
        status: 'ACCEPTED' as const,
        resolved_by: 'u-sup',
        resolved_at: at(5),
        note: 'recount matches',
        line_id: 'line-x',
      };
      expect(await store.conflicts.resolve('k1', accept)).toEqual({ ...conflict, ...accept });
      const discard = { ...accept, status: 'DISCARDED' as const, line_id: null, note: null };
      expect(await store.conflicts.resolve('k1', discard)).toBeNull();
      expect(await store.conflicts.get('k1')).toEqual({ ...conflict, ...accept });
      expect(await store.conflicts.resolve('nope', discard)).toBeNull();
    });

    it('lets one of two racing supervisors resolve a conflict', async () => {
      await store.conflicts.insertIfAbsent(makeConflict('k1'));
      const patch = (by: string) => ({
        status: 'DISCARDED' as const,
        resolved_by: by,
        resolved_at: at(5),
        note: null,
        line_id: null,
      });
      const outcomes = await Promise.all([
        store.conflicts.resolve('k1', patch('u-a')),
        store.conflicts.resolve('k1', patch('u-b')),
      ]);
      expect(outcomes.filter((o) => o !== null)).toHaveLength(1);
    });
  });

  describe('unknown items', () => {
    it('stores once per op_id, lists, resolves once and counts the open ones', async () => {
      const first = makeUnknownItem('n1', { received_at: at(1) });
      expect(await store.unknownItems.insertIfAbsent(first)).toEqual(first);
      expect(
        await store.unknownItems.insertIfAbsent(makeUnknownItem('n1-again', { op_id: 'op-n1' })),
      ).toEqual(first);
      expect(await store.unknownItems.get('n1')).toEqual(first);
      expect(await store.unknownItems.get('n1-again')).toBeNull();
      await store.unknownItems.insertIfAbsent(makeUnknownItem('n2', { received_at: at(2) }));
      await store.unknownItems.insertIfAbsent(
        makeUnknownItem('n3', { received_at: at(3), session_id: 'S2' }),
      );

      const all = await store.unknownItems.list({ page: 1, page_size: 50 });
      expect(ids(all.items).sort()).toEqual(['n1', 'n2', 'n3']);
      expect(all.total).toBe(3);
      const s1 = await store.unknownItems.list({ page: 1, page_size: 50, session: 'S1' });
      expect(ids(s1.items).sort()).toEqual(['n1', 'n2']);
      const paged = await store.unknownItems.list({ page: 2, page_size: 2 });
      expect(paged.items).toHaveLength(1);
      expect(paged.total).toBe(3);
      expect(await store.unknownItems.countOpen('S1')).toBe(2);

      const mapped = {
        status: 'MAPPED' as const,
        mapped_item_code: 'ITM-1',
        resolved_by: 'u-sup',
        resolved_at: at(9),
      };
      expect(await store.unknownItems.resolve('n1', mapped)).toEqual({ ...first, ...mapped });
      expect(
        await store.unknownItems.resolve('n1', {
          ...mapped,
          status: 'NOT_OURS',
          mapped_item_code: null,
        }),
      ).toBeNull();
      expect(await store.unknownItems.get('n1')).toEqual({ ...first, ...mapped });
      expect(await store.unknownItems.resolve('nope', mapped)).toBeNull();

      expect(await store.unknownItems.countOpen('S1')).toBe(1);
      expect(await store.unknownItems.countOpen('S9')).toBe(0);
      const open = await store.unknownItems.list({ page: 1, page_size: 50, status: 'OPEN' });
      expect(ids(open.items).sort()).toEqual(['n2', 'n3']);
      const done = await store.unknownItems.list({
        page: 1,
        page_size: 50,
        session: 'S1',
        status: 'MAPPED',
      });
      expect(ids(done.items)).toEqual(['n1']);
      expect(done.total).toBe(1);
    });
  });
});
