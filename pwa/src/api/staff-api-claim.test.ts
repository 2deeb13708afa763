/** The phone's claim call: a whole claim by default, `split: true` when counting a part (§12). */
import { describe, expect, it } from 'vitest';
import type { AuthStore } from '../auth/auth-store';
import { createStaffApi } from './staff-api';

describe('staff api claim', () => {
  it('asks for a split claim only when told to', async () => {
    const calls: { path: string; body: unknown }[] = [];
    const auth = {
      async request(path: string, _schema: unknown, options: { body: unknown }) {
        calls.push({ path, body: options.body });
        return {};
      },
    } as unknown as AuthStore;
    const api = createStaffApi(auth);
    await api.claim('S 1', 'A-01', 'phone-7');
    await api.claim('S 1', 'A-01', 'phone-7', true);
    expect(calls.map((c) => c.body)).toEqual([
      { device_id: 'phone-7' },
      { device_id: 'phone-7', split: true },
    ]);
    expect(calls[1]!.path).toContain('/sessions/S%201/racks/A-01/claim');
  });
});
