import { describe, expect, it } from 'vitest';
import { freshDeviceDb } from '../../test/support/fake-db';
import { rememberClaim } from './claims';
import { rememberPlace, restorePlace } from './last-place';

const session = {
  id: 'S1',
  warehouse: 'WH-MAIN',
  name: 'Cycle count',
  mode: 'standard' as const,
  status: 'OPEN' as const,
  racks: ['A-01', 'A-02', 'A-03'],
  created_at: '2026-11-29T08:00:00.000Z',
};
const claim = (rack: string) => ({
  claim_id: `c-${rack}`,
  rack,
  fencing_token: 1,
  lock_expires_at: '2026-11-29T08:01:00.000Z',
  status: 'active' as const,
});

describe('the place a reload returns to (issue #14)', () => {
  it('reopens the rack being counted, not the first rack this phone claimed', async () => {
    const db = freshDeviceDb();
    await rememberClaim(db, 'u1', session, claim('A-01'), new Date('2026-11-29T08:00:00Z'));
    await rememberClaim(db, 'u1', session, claim('A-03'), new Date('2026-11-29T08:05:00Z'));
    await rememberPlace(db, { user_id: 'u1', session_id: 'S1', rack: 'A-03' });
    expect(await restorePlace(db, 'u1')).toMatchObject({ name: 'scan', rack: 'A-03' });
  });

  it('goes to the rack list when the remembered rack is no longer held, or was the list', async () => {
    const db = freshDeviceDb();
    await rememberClaim(db, 'u1', session, claim('A-01'));
    await rememberPlace(db, { user_id: 'u1', session_id: 'S1', rack: 'A-02' });
    expect(await restorePlace(db, 'u1')).toMatchObject({ name: 'racks', session: { id: 'S1' } });
    await rememberPlace(db, { user_id: 'u1', session_id: 'S1', rack: null });
    expect(await restorePlace(db, 'u1')).toMatchObject({ name: 'racks' });
  });

  it('without a remembered place, opens the rack claimed last; another user’s place is not used', async () => {
    const db = freshDeviceDb();
    await rememberClaim(db, 'u1', session, claim('A-01'), new Date('2026-11-29T08:00:00Z'));
    await rememberClaim(db, 'u1', session, claim('A-02'), new Date('2026-11-29T09:00:00Z'));
    await rememberPlace(db, { user_id: 'u2', session_id: 'S1', rack: 'A-01' });
    expect(await restorePlace(db, 'u1')).toMatchObject({ name: 'scan', rack: 'A-02' });
    await rememberPlace(db, null);
    expect(await restorePlace(db, 'u3')).toBeNull();
  });
});
