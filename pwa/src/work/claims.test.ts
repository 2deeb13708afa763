import { describe, expect, it } from 'vitest';
import { freshDeviceDb } from '../../test/support/fake-db';
import { applyHeartbeat, claimsOf, rememberClaim } from './claims';

const session = {
  id: 'S1',
  warehouse: 'WH-MAIN',
  name: 'Cycle count',
  mode: 'standard' as const,
  status: 'OPEN' as const,
  racks: ['A-01', 'A-02'],
  created_at: '2026-11-29T08:00:00.000Z',
};
const claim = (rack: string, token: number) => ({
  claim_id: `c-${rack}`,
  rack,
  fencing_token: token,
  lock_expires_at: '2026-11-29T08:01:00.000Z',
  status: 'active' as const,
});

describe('claims kept on the phone', () => {
  it('moves the fencing token forward and forgets racks the server says are lost', async () => {
    const db = freshDeviceDb();
    await rememberClaim(db, 'u1', session, claim('A-01', 3));
    await rememberClaim(db, 'u1', session, claim('A-02', 7));
    await applyHeartbeat(db, 'S1', [claim('A-01', 5)], ['A-02']);
    const held = await claimsOf(db, 'u1');
    expect(held.map((c) => [c.rack, c.fencing_token])).toEqual([['A-01', 5]]);
    expect(held[0]?.session?.mode).toBe('standard');
  });
});
