import { ApiClient, ApiError, errorText, queryString } from './client';
import { rackMapSchema } from '@stockverify/shared';
import { describe, expect, it, vi } from 'vitest';

const user = { id: 'u1', username: 'sup', role: 'supervisor' };

function envelope(status: number, data: unknown, error: unknown = null) {
  return new Response(
    JSON.stringify({ success: error === null, data, error, message: '', request_id: 'r' }),
    { status, headers: { 'Content-Type': 'application/json' } },
  );
}

const pair = (n: number) => ({
  access_token: `access-${n}`,
  refresh_token: `refresh-${n}`,
  token_type: 'Bearer',
  expires_in: 900,
  refresh_expires_at: '2026-12-06T00:00:00Z',
  user,
});

describe('ApiClient', () => {
  it('signs in, sends the bearer token and unwraps envelopes', async () => {
    const calls: Array<[string, RequestInit | undefined]> = [];
    const fetchImpl = vi.fn(async (url: string | URL | Request, init?: RequestInit) => {
      calls.push([String(url), init]);
      return String(url).endsWith('/auth/login')
        ? envelope(200, pair(1))
        : envelope(200, { items: [] });
    });
    const client = new ApiClient({ baseUrl: 'http://sv.local/', fetchImpl });
    await expect(client.signIn('sup', 'pw')).resolves.toMatchObject({ username: 'sup' });
    await expect(client.get('/sessions', { status: 'OPEN', q: '', page: 2 })).resolves.toEqual({
      items: [],
    });
    expect(calls[1]![0]).toBe('http://sv.local/api/sessions?status=OPEN&page=2');
    expect((calls[1]![1]!.headers as Record<string, string>).Authorization).toBe('Bearer access-1');
  });

  it('refreshes once on a 401, shared by concurrent calls, and retries', async () => {
    let refreshes = 0;
    const fetchImpl = vi.fn(async (url: string | URL | Request, init?: RequestInit) => {
      const u = String(url);
      if (u.endsWith('/auth/login')) return envelope(200, pair(1));
      if (u.endsWith('/auth/refresh')) {
        refreshes++;
        await new Promise((r) => setTimeout(r, 10));
        return envelope(200, pair(2));
      }
      const auth = (init?.headers as Record<string, string>).Authorization;
      return auth === 'Bearer access-2'
        ? envelope(200, 'fresh')
        : envelope(401, null, { code: 'TOKEN_EXPIRED', message: 'expired' });
    });
    const onTokens = vi.fn();
    const client = new ApiClient({ baseUrl: 'http://sv.local', fetchImpl, onTokens });
    await client.signIn('sup', 'pw');
    const answers = await Promise.all([client.get('/a'), client.get('/b'), client.get('/c')]);
    expect(answers).toEqual(['fresh', 'fresh', 'fresh']);
    expect(refreshes).toBe(1);
    expect(onTokens).toHaveBeenLastCalledWith(
      expect.objectContaining({ refresh_token: 'refresh-2' }),
    );
  });

  it('signs out when the refresh is refused', async () => {
    const onSignedOut = vi.fn();
    const fetchImpl = vi.fn(async (url: string | URL | Request) => {
      const u = String(url);
      if (u.endsWith('/auth/login')) return envelope(200, pair(1));
      if (u.endsWith('/auth/refresh'))
        return envelope(401, null, { code: 'REFRESH_TOKEN_REUSED', message: 'reused' });
      return envelope(401, null, { code: 'TOKEN_EXPIRED', message: 'expired' });
    });
    const client = new ApiClient({ baseUrl: 'http://sv.local', fetchImpl, onSignedOut });
    await client.signIn('sup', 'pw');
    await expect(client.get('/x')).rejects.toMatchObject({ status: 401, code: 'TOKEN_EXPIRED' });
    expect(onSignedOut).toHaveBeenCalledOnce();
    expect(client.token).toBeNull();
  });

  it('turns error envelopes, non-JSON answers and network failures into ApiErrors', async () => {
    const validation = new ApiClient({
      baseUrl: 'http://sv.local',
      fetchImpl: async () =>
        envelope(400, null, {
          code: 'VALIDATION_FAILED',
          message: 'Invalid body',
          details: [{ path: 'name', message: 'required' }],
        }),
    });
    const error = await validation.post('/sessions', {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(errorText(error)).toBe('Invalid body (name: required)');

    // Fields beside code and message (e.g. the open bins of a refused reconcile) are kept; details
    // that are not field problems are not read as such.
    const refused = new ApiClient({
      baseUrl: 'http://sv.local',
      fetchImpl: async () =>
        envelope(409, null, {
          code: 'RECOUNTS_OPEN',
          message: 'Recounts are open',
          details: [{ rack: 'R1', item_code: 'ITM-1', state: 'open', task_id: 't1' }],
          open_bins: [{ rack: 'R2', item_code: 'ITM-2', state: 'needs_supervisor', task_id: null }],
        }),
    });
    const open = await refused.post('/sessions/s/reconcile').catch((e: unknown) => e);
    expect(open).toMatchObject({
      code: 'RECOUNTS_OPEN',
      extra: { open_bins: [{ rack: 'R2', item_code: 'ITM-2' }] },
    });
    expect((open as ApiError).extra).not.toHaveProperty('code');
    expect(errorText(open)).toBe('Recounts are open');

    const html = new ApiClient({
      baseUrl: 'http://sv.local',
      fetchImpl: async () => new Response('<h1>502</h1>', { status: 502 }),
    });
    await expect(html.get('/x')).rejects.toMatchObject({ code: 'NOT_JSON', status: 502 });

    const down = new ApiClient({
      baseUrl: 'http://sv.local',
      fetchImpl: async () => {
        throw new TypeError('fetch failed');
      },
    });
    await expect(down.get('/x')).rejects.toMatchObject({
      code: 'NETWORK',
      message: expect.stringMatching(/cannot reach/i),
    });
  });
});

describe('queryString', () => {
  it('keeps defined values only and encodes them', () => {
    expect(queryString({ a: 1, b: '', c: undefined, d: null, e: 'x y&z', f: false })).toBe(
      '?a=1&e=x+y%26z&f=false',
    );
    expect(queryString({})).toBe('');
  });
});

describe('answers checked against the shared schemas', () => {
  const rack = {
    code: 'A-01',
    floor: 'GF',
    location_barcode: null,
    state: 'claimed',
    claimant: { user_id: 'u2', username: 'alice', last_heartbeat_at: '2026-12-06T06:00:00Z' },
    lines: 2,
    has_variances: null,
  };
  const answering = (data: unknown) =>
    new ApiClient({ baseUrl: 'http://sv.local', fetchImpl: async () => envelope(200, data) });

  it('returns the parsed answer, dropping fields a newer server adds', async () => {
    const client = answering({ session_id: 's1', items: [{ ...rack, added_later: true }] });
    const map = await client.read(rackMapSchema, '/warehouses/WH/racks', { session: 's1' });
    expect(map.items).toEqual([rack]);
  });

  it('refuses an answer that drifted from the contract, naming the field', async () => {
    const { last_heartbeat_at: _dropped, ...claimant } = rack.claimant;
    const client = answering({ session_id: 's1', items: [{ ...rack, claimant, state: 'busy' }] });
    const error = await client.read(rackMapSchema, '/warehouses/WH/racks').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ code: 'BAD_ANSWER' });
    expect((error as ApiError).details.map((d) => d.path)).toEqual([
      'items.0.state',
      'items.0.claimant.last_heartbeat_at',
    ]);
  });
});
