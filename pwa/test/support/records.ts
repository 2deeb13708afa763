import { randomUUID } from 'node:crypto';
import type { CountRecord, RecordResult, SyncRecord } from '@stockverify/shared';

/** A valid `count` record with the given changes. */
export function countRecord(overrides: Partial<CountRecord> = {}): CountRecord {
  return {
    op_id: randomUUID(),
    type: 'count',
    session_id: 'S1',
    rack: 'A-01',
    item_code: 'ITEM-1',
    barcode: '4006381333931',
    counted_qty: 7,
    damaged_qty: 0,
    non_returnable_damaged_qty: 0,
    serials: [],
    batch_no: null,
    mfg_date: null,
    expiry_date: null,
    condition: 'good',
    variance_reason: null,
    variance_confirmed: false,
    remark: null,
    photo_ids: [],
    supersedes: null,
    fencing_token: 1,
    counted_at: '2026-11-29T10:00:00.000Z',
    ...overrides,
  };
}

/** The server's answer for a record. */
export function resultFor(
  record: SyncRecord,
  status: RecordResult['status'] = 'OK',
  code: string | null = null,
): RecordResult {
  return {
    op_id: record.op_id,
    status,
    code,
    message: status === 'OK' ? 'Stored' : `${code ?? status}`,
    details: [],
    line_id: status === 'OK' ? `line-${record.op_id.slice(0, 8)}` : null,
  };
}
