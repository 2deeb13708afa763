import { describe, expect, it, vi } from 'vitest';
import { createPlatformBridge } from './bridge.preload';

describe('createPlatformBridge', () => {
  it('asks main for the version on app:version and unwraps the result', async () => {
    const invoke = vi.fn(async () => ({ ok: true, value: '0.1.0' }));
    const bridge = createPlatformBridge({ invoke });

    await expect(bridge.appVersion()).resolves.toBe('0.1.0');
    expect(invoke).toHaveBeenCalledWith('app:version');
  });

  it('turns an error result into a rejected promise', async () => {
    const bridge = createPlatformBridge({
      invoke: async () => ({ ok: false, error: 'untrusted sender' }),
    });
    await expect(bridge.appVersion()).rejects.toThrow('app:version: untrusted sender');
  });

  it('rejects a reply that is not a result or carries the wrong type', async () => {
    await expect(createPlatformBridge({ invoke: async () => '1.0' }).appVersion()).rejects.toThrow(
      'malformed reply',
    );
    await expect(
      createPlatformBridge({ invoke: async () => ({ ok: true, value: 42 }) }).appVersion(),
    ).rejects.toThrow('unexpected value');
  });

  it('exposes plain functions (and the kind) only', () => {
    const bridge = createPlatformBridge({ invoke: async () => null });
    const { kind, secrets, ...rest } = bridge;
    expect(kind).toBe('desktop');
    expect(Object.values(rest).every((v) => typeof v === 'function')).toBe(true);
    expect(Object.values(secrets).every((v) => typeof v === 'function')).toBe(true);
  });

  it('sends the save request as the payload of file:save and checks the answer', async () => {
    const invoke = vi.fn(async () => ({ ok: true, value: { saved: true, path: '/tmp/r.xlsx' } }));
    const bridge = createPlatformBridge({ invoke });
    const request = { suggestedName: 'r.xlsx', kind: 'xlsx' as const, bytes: new Uint8Array([1]) };

    await expect(bridge.saveFile(request)).resolves.toEqual({ saved: true, path: '/tmp/r.xlsx' });
    expect(invoke).toHaveBeenCalledWith('file:save', request);
    await expect(
      createPlatformBridge({ invoke: async () => ({ ok: true, value: { path: 1 } }) }).saveFile(
        request,
      ),
    ).rejects.toThrow('unexpected value');
  });

  it('stores and reads secrets through the secrets:* channels', async () => {
    const invoke = vi.fn(async (channel: string) => ({
      ok: true,
      value: channel === 'secrets:get' ? 'token-1' : null,
    }));
    const bridge = createPlatformBridge({ invoke });

    await bridge.secrets.set('refresh_token', 'token-1');
    await expect(bridge.secrets.get('refresh_token')).resolves.toBe('token-1');
    await bridge.secrets.delete('refresh_token');
    expect(invoke.mock.calls).toEqual([
      ['secrets:set', { key: 'refresh_token', value: 'token-1' }],
      ['secrets:get', 'refresh_token'],
      ['secrets:delete', 'refresh_token'],
    ]);
  });

  it('surfaces the refusal to store a secret in plain text', async () => {
    const bridge = createPlatformBridge({
      invoke: async () => ({ ok: false, error: 'no OS key store' }),
    });
    await expect(bridge.secrets.set('refresh_token', 'x')).rejects.toThrow(
      'secrets:set: no OS key store',
    );
  });
});
