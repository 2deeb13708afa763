import { describe, expect, it, vi } from 'vitest';
import { ApiClientError } from '../../api/client';
import { login, validateCredentials } from './login';

describe('validateCredentials', () => {
  it('names each empty field', () => {
    const details = validateCredentials({ username: '  ', password: '' });
    expect(details.map((d) => d.path).sort()).toEqual(['password', 'username']);
  });

  it('accepts a filled form', () => {
    expect(validateCredentials({ username: 'asha', password: 'secret' })).toEqual([]);
  });
});

describe('login', () => {
  it('posts trimmed credentials and rejects an answer that is not a token pair', async () => {
    const fetchImpl = vi.fn<typeof fetch>(
      async () =>
        new Response(
          JSON.stringify({ success: true, data: { nope: 1 }, error: null, message: '' }),
          { status: 200, headers: { 'Content-Type': 'application/json' } },
        ),
    );

    await expect(login({ username: ' asha ', password: 'pw' }, { fetchImpl })).rejects.toThrow(
      ApiClientError,
    );
    const [url, init] = fetchImpl.mock.calls[0] ?? [];
    expect(url).toBe('/api/auth/login');
    expect(init?.method).toBe('POST');
    expect(JSON.parse(String(init?.body))).toEqual({ username: 'asha', password: 'pw' });
  });
});
