/**
 * A small, fully hand-computed reporting dataset (issue #6), written straight into the store:
 * WH1 (floors G; F1: B-01) and WH2 (G: C-01); sessions S3 (WH1, Oct), S1 (WH1, Nov)
 * and S2 (WH2, Nov, blind). The expected figures live in reports.test.ts beside the checks.
 */
import { roundMoney } from '@stockverify/shared';
import type { CountLineRecord, SnapshotRow } from '../../src/ports/counting';
import type { Store } from '../../src/ports/store';
import { makeItem, makeLine, makeSession, makeSnapshotRow } from './counting-records';

export const S1_AT = '2026-11-01T08:00:00.000Z';
export const S2_AT = '2026-11-10T08:00:00.000Z';
export const S3_AT = '2026-10-01T08:00:00.000Z';

/** S1 + `minutes`. */
export const s1 = (minutes: number) => new Date(Date.parse(S1_AT) + minutes * 60_000).toISOString();
const s2 = (minutes: number) => new Date(Date.parse(S2_AT) + minutes * 60_000).toISOString();

/** An item name built to be a spreadsheet formula (OWASP CSV injection). */
export const EVIL_NAME = "=cmd|' /C calc'!A0";
/** A variance reason that is a formula too. */
export const EVIL_REASON = '=HYPERLINK("http://evil.example/x","click")';

const snap = (session: string, item: string, o: Partial<SnapshotRow>) =>
  makeSnapshotRow(session, item, o);

const P1 = { name: 'Bolt, M8', category: 'Hardware', cost: 2.5, price: 4 };
const P2 = { name: 'Nut "M8"', category: 'Hardware', cost: 0.1, price: 0.25 };
const P3 = { name: EVIL_NAME, category: 'Chemicals', cost: 7.35, price: 12 };
const P4 = { name: 'Tape', category: 'Chemicals', cost: 1, price: 2 };
const P5 = { name: 'Saw', category: 'Tools', cost: 15, price: 30 };

/** A line whose own variance and values are against `book` and `cost`/`price`, as the service stores them. */
function line(
  opId: string,
  o: Partial<CountLineRecord> & { book: number; cost: number; price: number },
): CountLineRecord {
  const { book, cost, price, ...rest } = o;
  const counted = rest.counted_qty ?? 0;
  const variance = counted - (rest.non_returnable_damaged_qty ?? 0) - book;
  return makeLine(opId, {
    photo_ids: [],
    remark: null,
    book_qty: book,
    variance,
    value_at_cost: roundMoney(variance * cost),
    value_at_price: roundMoney(variance * price),
    ...rest,
  });
}

const alice = { counted_by: 'u-alice', counted_by_name: 'Alice' };
const bob = { counted_by: 'u-bob', counted_by_name: 'Bob' };
const carol = { counted_by: 'u-carol', counted_by_name: 'Carol' };
const dave = { counted_by: 'u-dave', counted_by_name: 'Dave' };

/** Writes the dataset. */
export async function seedReports(store: Store): Promise<void> {
  await store.locations.upsertWarehouses([
    {
      id: 'WH1',
      name: 'Main',
      floors: [
        { code: 'G', name: 'Ground' },
        { code: 'F1', name: 'First' },
      ],
      racks: [
        { code: 'A-01', floor: 'G', location_barcode: null },
        { code: 'A-02', floor: 'G', location_barcode: null },
        { code: 'B-01', floor: 'F1', location_barcode: null },
      ],
    },
    {
      id: 'WH2',
      name: 'North',
      floors: [{ code: 'G', name: 'Ground' }],
      racks: [{ code: 'C-01', floor: 'G', location_barcode: null }],
    },
  ]);
  await store.items.upsertMany([makeItem('P6', { name: 'Hammer', category: 'Tools' })]);
  await store.sessions.create(
    makeSession('S1', {
      name: 'November count',
      status: 'CLOSED',
      closed_at: s1(120),
      racks: ['A-01', 'A-02', 'B-01'],
      snapshot_items: 4,
      created_at: S1_AT,
      updated_at: S1_AT,
    }),
    [
      snap('S1', 'P1', { ...P1, book_qty: 10 }),
      snap('S1', 'P2', { ...P2, book_qty: 100 }),
      snap('S1', 'P3', { ...P3, book_qty: 5 }),
      snap('S1', 'P4', { ...P4, book_qty: 20 }),
    ],
  );
  await store.sessions.create(
    makeSession('S2', {
      warehouse: 'WH2',
      name: 'North blind',
      mode: 'blind',
      racks: ['C-01'],
      snapshot_items: 2,
      created_at: S2_AT,
      updated_at: S2_AT,
    }),
    [snap('S2', 'P1', { ...P1, book_qty: 8 }), snap('S2', 'P5', { ...P5, book_qty: 3 })],
  );
  await store.sessions.create(
    makeSession('S3', {
      name: 'October spot check',
      mode: 'strict',
      status: 'RECONCILED',
      racks: ['A-01'],
      snapshot_items: 1,
      created_at: S3_AT,
      updated_at: S3_AT,
    }),
    [snap('S3', 'P1', { ...P1, book_qty: 4 })],
  );

  const lines: CountLineRecord[] = [
    // S1 / P1 on two racks: 7 (2 returnable damaged) on A-01 + 2 (1 written off) on B-01.
    line('L1', {
      ...alice,
      session_id: 'S1',
      rack: 'A-01',
      item_code: 'P1',
      counted_qty: 7,
      damaged_qty: 2,
      book: 10,
      ...P1,
      counted_at: s1(10),
      photo_ids: ['ph-1'],
    }),
    line('L2', {
      ...bob,
      session_id: 'S1',
      rack: 'B-01',
      item_code: 'P1',
      counted_qty: 2,
      non_returnable_damaged_qty: 1,
      book: 10,
      ...P1,
      counted_at: s1(30),
      variance_reason: 'broken',
    }),
    // S1 / P2: 90 first, corrected to 95 (5 returnable damaged) by the same counter.
    line('L3a', {
      ...alice,
      session_id: 'S1',
      rack: 'A-02',
      item_code: 'P2',
      counted_qty: 90,
      book: 100,
      ...P2,
      counted_at: s1(12),
    }),
    line('L3', {
      ...alice,
      session_id: 'S1',
      rack: 'A-02',
      item_code: 'P2',
      counted_qty: 95,
      damaged_qty: 5,
      book: 100,
      ...P2,
      counted_at: s1(20),
      supersedes: 'L3a',
      variance_reason: EVIL_REASON,
      status: 'NEEDS_REVIEW',
      photo_ids: ['ph-2', 'ph-3'],
    }),
    line('L4', {
      ...bob,
      session_id: 'S1',
      rack: 'B-01',
      item_code: 'P3',
      counted_qty: 6,
      book: 5,
      ...P3,
      counted_at: s1(40),
      status: 'APPROVED',
    }),
    // P6 is not in S1's snapshot: book 0, no cost.
    line('L5', {
      ...bob,
      session_id: 'S1',
      rack: 'A-01',
      item_code: 'P6',
      counted_qty: 2,
      book: 0,
      cost: 0,
      price: 0,
      counted_at: s1(55),
    }),
    // Rejected by a supervisor: does not count anywhere.
    line('L6', {
      ...carol,
      session_id: 'S1',
      rack: 'A-02',
      item_code: 'P1',
      counted_qty: 1,
      book: 10,
      ...P1,
      counted_at: s1(60),
      status: 'REJECTED',
    }),
    line('L7', {
      ...dave,
      session_id: 'S2',
      rack: 'C-01',
      item_code: 'P1',
      counted_qty: 8,
      book: 8,
      ...P1,
      counted_at: s2(0),
    }),
    line('L8', {
      ...dave,
      session_id: 'S2',
      rack: 'C-01',
      item_code: 'P5',
      counted_qty: 1,
      book: 3,
      ...P5,
      counted_at: s2(6),
      variance_reason: '+lost in transit',
    }),
    line('L9', {
      ...alice,
      session_id: 'S3',
      rack: 'A-01',
      item_code: 'P1',
      counted_qty: 4,
      book: 4,
      ...P1,
      counted_at: new Date(Date.parse(S3_AT) + 5 * 60_000).toISOString(),
    }),
  ];
  for (const outcome of await store.lines.insertMany(lines)) {
    if (!outcome.ok) throw new Error(`seed line refused: ${outcome.reason}`);
  }
  await store.audit.append({
    id: 'a-1',
    at: '2026-02-01T09:00:00.000Z',
    actor_id: 'u-sup',
    actor_username: 'sup',
    actor_role: 'supervisor',
    action: 'session.closed',
    target_type: 'session',
    target_id: 'S1',
    summary: { from: 'OPEN', to: 'CLOSED' },
    request_id: 'req-1',
    ip: '10.0.0.5',
  });
  await store.audit.append({
    id: 'a-2',
    at: '2026-02-01T10:00:00.000Z',
    actor_id: 'u-bob',
    actor_username: '@bob',
    actor_role: 'staff',
    action: 'claim.acquired',
    target_type: 'claim',
    target_id: 'c-9',
    summary: { session_id: 'S1', rack: 'B-01' },
    request_id: 'req-2',
    ip: '10.0.0.6',
  });
  await store.audit.append({
    id: 'a-3',
    at: '2026-02-02T10:00:00.000Z',
    actor_id: 'u-sup',
    actor_username: 'sup',
    actor_role: 'supervisor',
    action: 'session.created',
    target_type: 'session',
    target_id: 'S2',
    summary: null,
    request_id: 'req-3',
    ip: null,
  });
}
