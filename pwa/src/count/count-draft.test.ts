import { countRecordSchema } from '@stockverify/shared';
import { describe, expect, it } from 'vitest';
import { adviceFor } from '../sync/advice';
import {
  addSerial,
  buildCountRecord,
  buildUnknownItemRecord,
  countOf,
  emptyDraft,
  initialDraft,
  liveVariance,
  serialsLabel,
} from './count-draft';
import type { CountContext } from './count-draft';

const item = { item_code: 'HAM-1', decimal_qty: false, serialized: false };
const ids = {
  opId: '0f8c2a3e-5b7d-4c1e-9a2b-3c4d5e6f7a8b',
  countedAt: '2026-11-29T10:00:00.000Z',
  photoIds: [],
};
const ctx = (mode: 'standard' | 'blind' | 'strict', bookQty: number | null = 10): CountContext => ({
  sessionId: 'S1',
  rack: 'A-01',
  mode,
  fencingToken: 3,
  bookQty,
  barcode: '4006381333931',
});

describe('count draft', () => {
  it('shows the DESIGN variance examples live, and none in a blind session', () => {
    expect(liveVariance(emptyDraft({ counted_qty: 7, damaged_qty: 2 }), ctx('standard'))).toBe(-3);
    expect(
      liveVariance(emptyDraft({ counted_qty: 12, non_returnable_damaged_qty: 2 }), ctx('standard')),
    ).toBe(0);
    expect(liveVariance(emptyDraft({ counted_qty: 7 }), ctx('blind'))).toBeNull();
    expect(liveVariance(emptyDraft({ counted_qty: 7 }), ctx('standard', null))).toBeNull();
  });

  it('builds a record the shared sync schema accepts', () => {
    const built = buildCountRecord(
      item,
      emptyDraft({ counted_qty: 7, batch_no: ' LOT1 ', remark: '' }),
      ctx('standard'),
      ids,
    );
    expect(built.ok).toBe(true);
    if (!built.ok) return;
    expect(built.record).toMatchObject({ batch_no: 'LOT1', remark: null, fencing_token: 3 });
    expect(countRecordSchema.safeParse(built.record).success).toBe(true);
  });

  it('answers a recount task blind, without a claim, naming the task and correcting nothing', () => {
    const task: CountContext = {
      sessionId: 'S1',
      rack: 'A-01',
      mode: 'blind',
      bookQty: null,
      barcode: null,
      recountTask: { task_id: 'task-7', note: null },
    };
    // A variance a strict session would refuse to save unconfirmed: a recount never checks it.
    const built = buildCountRecord(item, emptyDraft({ counted_qty: 4 }), task, {
      ...ids,
      supersedes: '1f8c2a3e-5b7d-4c1e-9a2b-3c4d5e6f7a8b',
    });
    expect(built.ok).toBe(true);
    if (!built.ok) return;
    expect(built.record.recount_task_id).toBe('task-7');
    expect(built.record.supersedes).toBeNull();
    expect('fencing_token' in built.record).toBe(false);
    expect(countRecordSchema.safeParse(built.record).success).toBe(true);
    expect(liveVariance(emptyDraft({ counted_qty: 4 }), task)).toBeNull();
    // An ordinary count still needs its claim's token, and names no task.
    const plain = buildCountRecord(item, emptyDraft({ counted_qty: 4 }), ctx('standard'), ids);
    expect(plain.ok && plain.record).toMatchObject({ fencing_token: 3 });
    expect(plain.ok && 'recount_task_id' in plain.record).toBe(false);
  });

  it('reports every problem with its field', () => {
    const built = buildCountRecord(
      { ...item, serialized: true },
      emptyDraft({
        counted_qty: 2.5,
        damaged_qty: 3,
        serials: ['A'],
        mfg_date: '2027-01-01',
        expiry_date: '2026-01-01',
      }),
      ctx('standard'),
      ids,
    );
    expect(built.ok).toBe(false);
    if (built.ok) return;
    const paths = built.errors.map((e) => e.path);
    expect(paths).toEqual(expect.arrayContaining(['counted_qty', 'serials', 'expiry_date']));
  });

  it('asks for confirmation, then a reason, for a strict non-zero variance', () => {
    const unconfirmed = buildCountRecord(item, emptyDraft({ counted_qty: 8 }), ctx('strict'), ids);
    expect(unconfirmed.ok ? [] : unconfirmed.errors.map((e) => e.path)).toEqual([
      'variance_confirmed',
    ]);
    const noReason = buildCountRecord(
      item,
      emptyDraft({ counted_qty: 8, variance_confirmed: true }),
      ctx('strict'),
      ids,
    );
    expect(noReason.ok ? [] : noReason.errors.map((e) => e.path)).toEqual(['variance_reason']);
    const fine = buildCountRecord(
      item,
      emptyDraft({
        counted_qty: 8,
        variance_confirmed: true,
        variance_reason: 'Damaged in transit',
      }),
      ctx('strict'),
      ids,
    );
    expect(fine.ok).toBe(true);
    expect(buildCountRecord(item, emptyDraft({ counted_qty: 10 }), ctx('strict'), ids).ok).toBe(
      true,
    );
  });

  it('refuses a duplicate or blank serial in the form', () => {
    expect(addSerial(['SN-1'], ' sn-2 ')).toEqual(['SN-1', 'SN-2']);
    expect(addSerial(['SN-1'], 'sn-1')).toMatchObject({ path: 'serials' });
    expect(addSerial([], '  ')).toMatchObject({ path: 'serials' });
  });

  it('needs a description and a positive quantity for an unknown item', () => {
    const bad = buildUnknownItemRecord(
      { barcode: '999', description: ' ', counted_qty: 0, remark: '' },
      ctx('standard'),
      ids,
    );
    expect(bad.ok ? [] : bad.errors.map((e) => e.path)).toEqual(['description', 'counted_qty']);
    const good = buildUnknownItemRecord(
      { barcode: '999', description: 'Blue crate', counted_qty: 4, remark: '' },
      ctx('standard'),
      ids,
    );
    expect(good).toMatchObject({ ok: true, record: { type: 'unknown_item', counted_qty: 4 } });
  });

  it('explains every conflict and error, with a safe default for unknown codes', () => {
    expect(adviceFor('LOCK_LOST', 'conflict')).toMatch(/supervisor released this rack/);
    expect(adviceFor('SOMETHING_NEW', 'conflict')).toMatch(/Nothing is lost/);
    expect(adviceFor(null, 'error')).toMatch(/supervisor/);
  });
});

describe('labels and the first draft (issue #14)', () => {
  it('counts one unit for a serialized item scanned with its GS1 serial', () => {
    const draft = initialDraft({
      item: { serialized: true },
      packQty: 1,
      gs1: { serial: ' sn-1 ', batch: 'B1', expiry: '2027-01-31' },
    });
    expect(draft).toMatchObject({ counted_qty: 1, serials: ['SN-1'], batch_no: 'B1' });
    expect(serialsLabel(1, 1)).toBe('Serials: 1 scanned');
    expect(serialsLabel(1, 3)).toBe('Serials: 1 scanned, 3 counted');
    expect(serialsLabel(2, null)).toBe('Serials: 2 scanned');
  });

  it('a pack barcode still counts its pack quantity', () => {
    expect(initialDraft({ item: { serialized: false }, packQty: 12, gs1: null })).toMatchObject({
      counted_qty: 12,
      serials: [],
    });
  });

  it('says "1 line" and "2 lines"', () => {
    expect(countOf(1, 'line')).toBe('1 line');
    expect(countOf(2, 'line')).toBe('2 lines');
    expect(countOf(0, 'rack')).toBe('0 racks');
  });
});
