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

  it('exposes plain functions only', () => {
    const bridge = createPlatformBridge({ invoke: async () => null });
    expect(Object.values(bridge).every((v) => typeof v === 'function')).toBe(true);
  });
});
