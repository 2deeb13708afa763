import { describe, expect, it } from 'vitest';
import { assignRecountTask, reconcileSession, RecountsOpenError } from './bins';
import { ApiClient, ApiError } from './client';

function envelope(status: number, data: unknown, error: unknown = null) {
  return new Response(
    JSON.stringify({ success: error === null, data, error, message: '', request_id: 'r' }),
    { status, headers: { 'Content-Type': 'application/json' } },
  );
}

const clientAnswering = (status: number, data: unknown, error: unknown = null) => {
  const sent: Array<{ url: string; body: unknown }> = [];
  const client = new ApiClient({
    baseUrl: 'http://sv',
    fetchImpl: async (input, init) => {
      sent.push({ url: String(input), body: init?.body ? JSON.parse(String(init.body)) : null });
      return envelope(status, data, error);
    },
  });
  return { client, sent };
};

describe('reconcileSession', () => {
  it('turns 409 RECOUNTS_OPEN into the list of open bins and their total', async () => {
    const open = [
      { rack: 'A/1', item_code: 'ITM-1', state: 'open', task_id: 't1', late_counts: 0 },
      { rack: 'A/2', item_code: 'ITM-2', state: 'needs_supervisor', task_id: null, late_counts: 0 },
    ];
    const { client, sent } = clientAnswering(409, null, {
      code: 'RECOUNTS_OPEN',
      message: '75 bin(s) still wait',
      open_bins: open,
      open_bins_total: 75,
    });
    const error = await reconcileSession(client, 's 1').catch((e: unknown) => e);
    expect(sent[0]!.url).toBe('http://sv/api/sessions/s%201/reconcile');
    expect(error).toBeInstanceOf(RecountsOpenError);
    expect((error as RecountsOpenError).bins).toEqual(open);
    expect((error as RecountsOpenError).total).toBe(75);
    expect((error as RecountsOpenError).message).toBe('75 bin(s) still wait');
  });
  it('leaves other refusals as they are', async () => {
    const { client } = clientAnswering(409, null, {
      code: 'OPEN_WORK_REMAINS',
      message: 'Resolve open conflicts',
    });
    const error = await reconcileSession(client, 's1').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).not.toBeInstanceOf(RecountsOpenError);
  });
});

describe('assignRecountTask', () => {
  it('sends the counter, or null to offer the task to everyone', async () => {
    const { client, sent } = clientAnswering(200, { whatever: true });
    expect(await assignRecountTask(client, 's1', 't/1', null)).toBeNull();
    expect(sent[0]).toEqual({
      url: 'http://sv/api/sessions/s1/recount-tasks/t%2F1/assign',
      body: { user_id: null },
    });
  });
});
