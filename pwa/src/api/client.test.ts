import { userSchema } from '@stockverify/shared';
import type { User } from '@stockverify/shared';
import { describe, expect, it, vi } from 'vitest';
import { ApiClientError, apiRequest } from './client';

const user: User = {
  id: 'u1',
  username: 'asha',
  full_name: 'Asha Rao',
  role: 'staff',
  warehouse: 'WH1',
  active: true,
  has_pin: false,
  locked: false,
  created_at: '2025-01-01T00:00:00.000Z',
  updated_at: '2025-01-01T00:00:00.000Z',
  last_login_at: null,
};

function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}) {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json', ...headers },
  });
}

/** A fetch stub that answers once with `response` and records the call. */
function stubFetch(response: Response | Error) {
  return vi.fn<typeof fetch>(async () => {
    if (response instanceof Error) throw response;
    return response;
  });
}

async function failure(promise: Promise<unknown>): Promise<ApiClientError> {
  const error: unknown = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ApiClientError);
  return error as ApiClientError;
}

describe('apiRequest', () => {
  it('unwraps data from a success envelope and sends JSON with the bearer token', async () => {
    const fetchImpl = stubFetch(
      jsonResponse(200, {
        success: true,
        data: user,
        error: null,
        message: 'ok',
        request_id: 'req-1',
      }),
    );

    const result = await apiRequest('/api/auth/me', userSchema, {
      method: 'POST',
      body: { hello: 'world' },
      accessToken: 'tok',
      fetchImpl,
    });

    expect(result).toEqual(user);
    expect(fetchImpl).toHaveBeenCalledTimes(1);
    const [url, init] = fetchImpl.mock.calls[0] ?? [];
    expect(url).toBe('/api/auth/me');
    expect(init?.method).toBe('POST');
    expect(init?.body).toBe('{"hello":"world"}');
    expect(init?.headers).toMatchObject({
      'Content-Type': 'application/json',
      Authorization: 'Bearer tok',
    });
  });

  it('throws the API error with code, status, field details, request id and Retry-After', async () => {
    const fetchImpl = stubFetch(
      jsonResponse(
        400,
        {
          success: false,
          data: null,
          error: {
            code: 'VALIDATION_FAILED',
            message: 'Some fields are not valid',
            details: [{ path: 'username', message: 'required', code: 'too_small' }],
          },
          message: 'Some fields are not valid',
          request_id: 'req-2',
        },
        { 'Retry-After': '7' },
      ),
    );

    const error = await failure(apiRequest('/api/auth/login', userSchema, { fetchImpl }));

    expect(error.code).toBe('VALIDATION_FAILED');
    expect(error.status).toBe(400);
    expect(error.message).toBe('Some fields are not valid');
    expect(error.details).toEqual([{ path: 'username', message: 'required', code: 'too_small' }]);
    expect(error.requestId).toBe('req-2');
    expect(error.retryAfterSeconds).toBe(7);
  });

  it('maps an error code this client does not know to UNKNOWN_ERROR but keeps the message', async () => {
    const fetchImpl = stubFetch(
      jsonResponse(409, {
        success: false,
        data: null,
        error: { code: 'SOMETHING_NEW', message: 'A newer server said no' },
        message: '',
        request_id: 'req-3',
      }),
    );

    const error = await failure(apiRequest('/api/x', userSchema, { fetchImpl }));

    expect(error.code).toBe('UNKNOWN_ERROR');
    expect(error.message).toBe('A newer server said no');
    expect(error.status).toBe(409);
    expect(error.details).toEqual([]);
  });

  it('reports a non-JSON 502 from a proxy as BAD_RESPONSE with the status', async () => {
    const fetchImpl = stubFetch(
      new Response('<html><body>502 Bad Gateway</body></html>', {
        status: 502,
        statusText: 'Bad Gateway',
        headers: { 'Content-Type': 'text/html', 'X-Request-Id': 'edge-9' },
      }),
    );

    const error = await failure(apiRequest('/api/health', userSchema, { fetchImpl }));

    expect(error.code).toBe('BAD_RESPONSE');
    expect(error.status).toBe(502);
    expect(error.message).toContain('502 Bad Gateway');
    expect(error.requestId).toBe('edge-9');
  });

  it('reports a network failure as NETWORK_ERROR with status 0', async () => {
    const fetchImpl = stubFetch(new TypeError('Failed to fetch'));

    const error = await failure(apiRequest('/api/auth/login', userSchema, { fetchImpl }));

    expect(error.code).toBe('NETWORK_ERROR');
    expect(error.status).toBe(0);
    expect(error.message).toMatch(/cannot reach the server/i);
  });

  it('rethrows an abort unchanged so callers can tell it from a failure', async () => {
    const fetchImpl = stubFetch(new DOMException('The operation was aborted.', 'AbortError'));

    await expect(apiRequest('/api/x', userSchema, { fetchImpl })).rejects.toMatchObject({
      name: 'AbortError',
    });
  });

  it('rejects a success envelope whose data does not match the schema', async () => {
    const fetchImpl = stubFetch(
      jsonResponse(200, {
        success: true,
        data: { id: 'u1' },
        error: null,
        message: '',
        request_id: 'req-4',
      }),
    );

    const error = await failure(apiRequest('/api/auth/me', userSchema, { fetchImpl }));

    expect(error.code).toBe('BAD_RESPONSE');
    expect(error.status).toBe(200);
    expect(error.requestId).toBe('req-4');
  });

  it('treats success:false as a failure even with HTTP 200', async () => {
    const fetchImpl = stubFetch(
      jsonResponse(200, {
        success: false,
        data: null,
        error: { code: 'INVALID_CREDENTIALS', message: 'Wrong username or password' },
        message: '',
        request_id: 'req-5',
      }),
    );

    const error = await failure(apiRequest('/api/auth/login', userSchema, { fetchImpl }));

    expect(error.code).toBe('INVALID_CREDENTIALS');
    expect(error.message).toBe('Wrong username or password');
  });
});
