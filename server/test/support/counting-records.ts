/** Records for the counting and evidence store contract suites: small, complete, overridable. */
import type { Item, RecordResult } from '@stockverify/shared';
import type {
  ClaimRecord,
  ConflictRecord,
  CountLineRecord,
  IdempotencyRecord,
  SessionRecord,
  SnapshotRow,
  StoredResult,
  UnknownItemRecord,
} from '../../src/ports/counting';

export const T0 = '2025-03-01T08:00:00.000Z';

/** T0 plus `minutes`, as an ISO instant. */
export function at(minutes: number): string {
  return new Date(Date.parse(T0) + minutes * 60_000).toISOString();
}

/** An OPEN standard session of WH1 created at T0. */
export function makeSession(id: string, overrides: Partial<SessionRecord> = {}): SessionRecord {
  return {
    id,
    warehouse: 'WH1',
    name: `Session ${id}`,
    mode: 'standard',
    scope: { floors: ['G'], racks: [] },
    status: 'OPEN',
    racks: ['A-01', 'A-02'],
    snapshot_items: 2,
    created_by: 'u-sup',
    created_at: T0,
    closed_at: null,
    reconciled_at: null,
    updated_at: T0,
    // A store reads a session without a rule-set version back as null (design §12).
    tolerance_rule_set: null,
    // Nor an ERP watermark (issue #17).
    erp_watermark: null,
    erp_watermark_high: null,
    ...overrides,
  };
}

export function makeSnapshotRow(
  sessionId: string,
  itemCode: string,
  overrides: Partial<SnapshotRow> = {},
): SnapshotRow {
  return {
    session_id: sessionId,
    item_code: itemCode,
    name: `Item ${itemCode}`,
    category: 'Hardware',
    book_qty: 10,
    cost: 2,
    price: 3,
    ...overrides,
  };
}

/** An active claim of rack A-01 in S1 by alice with token 1. */
export function makeClaim(id: string, overrides: Partial<ClaimRecord> = {}): ClaimRecord {
  return {
    id,
    session_id: 'S1',
    rack: 'A-01',
    user_id: 'u-alice',
    username: 'alice',
    device_id: 'phone-1',
    status: 'active',
    first_token: 1,
    token: 1,
    claimed_at: T0,
    last_heartbeat_at: T0,
    paused_at: null,
    completed_at: null,
    released_at: null,
    released_by: null,
    split: false,
    ...overrides,
  };
}

/** A PENDING line of 10 × ITM-1 on S1/A-01 by alice, with no claim (no fencing). */
export function makeLine(opId: string, overrides: Partial<CountLineRecord> = {}): CountLineRecord {
  return {
    id: `line-${opId}`,
    op_id: opId,
    session_id: 'S1',
    rack: 'A-01',
    item_code: 'ITM-1',
    barcode: 'BC-ITM-1',
    counted_qty: 10,
    damaged_qty: 0,
    non_returnable_damaged_qty: 0,
    serials: [],
    batch_no: 'B-7',
    mfg_date: '2024-12-01',
    expiry_date: '2026-12-01',
    condition: 'good',
    variance_reason: null,
    variance_confirmed: false,
    remark: 'top shelf',
    photo_ids: ['ph-1'],
    supersedes: null,
    superseded_by: null,
    book_qty: 10,
    variance: 0,
    value_at_cost: 0,
    value_at_price: 0,
    status: 'PENDING',
    review_reasons: [],
    reviewed_by: null,
    reviewed_at: null,
    review_note: null,
    counted_by: 'u-alice',
    counted_by_name: 'Alice',
    device_id: 'phone-1',
    claim_id: null,
    fencing_token: null,
    counted_at: T0,
    received_at: T0,
    phase: 0,
    recount_task_id: null,
    ...overrides,
  };
}

export function makeItem(itemCode: string, overrides: Partial<Item> = {}): Item {
  return {
    item_code: itemCode,
    name: `Master ${itemCode}`,
    category: 'Tools',
    brand: null,
    supplier: null,
    uom: 'pcs',
    decimal_qty: false,
    price: 5,
    cost: 4,
    serialized: false,
    batch_tracked: false,
    barcodes: [{ code: `BC-${itemCode}`, kind: 'primary', pack_qty: 1 }],
    stock: [],
    active: true,
    updated_at: T0,
    ...overrides,
  };
}

export function makeResult(opId: string, overrides: Partial<RecordResult> = {}): RecordResult {
  return {
    op_id: opId,
    status: 'OK',
    code: null,
    message: 'saved',
    details: [],
    line_id: `line-${opId}`,
    variance: 0,
    ...overrides,
  };
}

export function makeStoredResult(
  opId: string,
  overrides: Partial<StoredResult> = {},
): StoredResult {
  return {
    op_id: opId,
    user_id: 'u-alice',
    result: makeResult(opId),
    created_at: T0,
    ...overrides,
  };
}

export function makeIdempotency(
  key: string,
  overrides: Partial<IdempotencyRecord> = {},
): IdempotencyRecord {
  return {
    key,
    user_id: 'u-alice',
    request_hash: `hash-${key}`,
    results: [makeResult('op-1'), makeResult('op-2', { status: 'CONFLICT', code: 'STALE_TOKEN' })],
    created_at: T0,
    ...overrides,
  };
}

export function makeConflict(id: string, overrides: Partial<ConflictRecord> = {}): ConflictRecord {
  return {
    id,
    op_id: `op-${id}`,
    session_id: 'S1',
    rack: 'A-01',
    code: 'LOCK_LOST',
    message: 'the rack was re-claimed',
    record: { type: 'count', item_code: 'ITM-1', counted_qty: 4, serials: ['SN1'] },
    user_id: 'u-alice',
    username: 'alice',
    device_id: 'phone-1',
    created_at: T0,
    status: 'OPEN',
    resolved_by: null,
    resolved_at: null,
    note: null,
    line_id: null,
    ...overrides,
  };
}

export function makeUnknownItem(
  id: string,
  overrides: Partial<UnknownItemRecord> = {},
): UnknownItemRecord {
  return {
    id,
    op_id: `op-${id}`,
    session_id: 'S1',
    rack: 'A-01',
    barcode: `UNK-${id}`,
    description: 'blue box, no label',
    counted_qty: 3,
    photo_ids: ['ph-9'],
    remark: null,
    counted_by: 'u-alice',
    counted_by_name: 'Alice',
    counted_at: T0,
    received_at: T0,
    status: 'OPEN',
    mapped_item_code: null,
    resolved_by: null,
    resolved_at: null,
    ...overrides,
  };
}
