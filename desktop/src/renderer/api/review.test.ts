import type { Conflict, ReviewedLine, UnknownItem } from '@stockverify/shared';
import { describe, expect, it } from 'vitest';
import { ApiClient } from './client';
import { resolveConflict, resolveUnknownItem, reviewLine } from './review';

/** A client whose server answers `data` and records what was asked. */
function clientAnswering(data: unknown) {
  const asked: Array<{ method: string; url: string; body: unknown }> = [];
  const client = new ApiClient({
    baseUrl: 'http://sv',
    fetchImpl: async (input, init) => {
      asked.push({
        method: init?.method ?? 'GET',
        url: String(input),
        body: init?.body ? JSON.parse(String(init.body)) : undefined,
      });
      return new Response(
        JSON.stringify({ success: true, data, error: null, message: '', request_id: 'r' }),
        { status: 200, headers: { 'Content-Type': 'application/json' } },
      );
    },
  });
  return { client, asked };
}

const line: ReviewedLine = {
  id: 'L1',
  op_id: 'op-1',
  session_id: 'S1',
  rack: 'A-01',
  item_code: 'ITM-A',
  barcode: 'BC-A',
  counted_qty: 4,
  damaged_qty: 0,
  non_returnable_damaged_qty: 0,
  serials: [],
  batch_no: null,
  mfg_date: null,
  expiry_date: null,
  condition: 'good',
  variance_reason: 'misplaced',
  variance_confirmed: true,
  remark: null,
  photo_ids: [],
  supersedes: null,
  superseded_by: null,
  book_qty: 10,
  variance: -6,
  value_at_cost: -12,
  value_at_price: -18,
  status: 'APPROVED',
  review_reasons: [],
  reviewed_by: 'U1',
  reviewed_at: '2026-12-06T08:00:00.000Z',
  review_note: null,
  counted_by: 'U2',
  counted_by_name: 'alice',
  device_id: 'phone-1',
  claim_id: 'C1',
  fencing_token: 1,
  counted_at: '2026-12-06T07:00:00.000Z',
  received_at: '2026-12-06T07:00:01.000Z',
};

const conflict: Conflict = {
  id: 'K1',
  op_id: 'op-2',
  session_id: 'S1',
  rack: 'A-01',
  code: 'STALE_TOKEN',
  message: 'stale',
  record: { op_id: 'op-2' },
  user_id: 'U2',
  username: 'alice',
  device_id: null,
  created_at: '2026-12-06T07:00:00.000Z',
  status: 'DISCARDED',
  resolved_by: 'U1',
  resolved_at: '2026-12-06T08:00:00.000Z',
  note: null,
  line_id: null,
};

const unknown: UnknownItem = {
  id: 'N1',
  op_id: 'op-3',
  session_id: 'S1',
  rack: 'A-01',
  barcode: 'NO-SUCH',
  description: 'Blue box',
  counted_qty: 2,
  photo_ids: [],
  remark: null,
  counted_by: 'U2',
  counted_by_name: 'alice',
  counted_at: '2026-12-06T07:00:00.000Z',
  status: 'MAPPED',
  mapped_item_code: 'ITM-A',
  resolved_by: 'U1',
  resolved_at: '2026-12-06T08:00:00.000Z',
};

describe('the console reads review answers through their shared schemas', () => {
  it('reviews a line and reads the stored line back', async () => {
    const { client, asked } = clientAnswering(line);
    await expect(reviewLine(client, 'L/1', { decision: 'approve' })).resolves.toEqual(line);
    expect(asked).toEqual([
      { method: 'PATCH', url: 'http://sv/api/lines/L%2F1/review', body: { decision: 'approve' } },
    ]);
  });

  it('refuses a reviewed line whose status is not a line status, naming the field', async () => {
    const { client } = clientAnswering({ ...line, status: 'OK' });
    await expect(reviewLine(client, 'L1', { decision: 'approve' })).rejects.toMatchObject({
      code: 'BAD_ANSWER',
      details: [{ path: 'status', message: expect.any(String) }],
    });
  });

  it('resolves a conflict and an unknown item', async () => {
    const first = clientAnswering(conflict);
    await expect(resolveConflict(first.client, 'K1', 'discard')).resolves.toEqual(conflict);
    expect(first.asked[0]).toMatchObject({ method: 'POST', body: { action: 'discard' } });
    const second = clientAnswering(unknown);
    await expect(
      resolveUnknownItem(second.client, 'N1', { action: 'map', item_code: 'ITM-A' }),
    ).resolves.toEqual(unknown);
    expect(second.asked[0]).toMatchObject({
      url: 'http://sv/api/unknown-items/N1/resolve',
      body: { action: 'map', item_code: 'ITM-A' },
    });
  });

  it('refuses a resolved unknown item without its status', async () => {
    const { status: _gone, ...partial } = unknown;
    const { client } = clientAnswering(partial);
    await expect(resolveUnknownItem(client, 'N1', { action: 'not_ours' })).rejects.toMatchObject({
      code: 'BAD_ANSWER',
      details: [{ path: 'status', message: expect.any(String) }],
    });
  });
});
