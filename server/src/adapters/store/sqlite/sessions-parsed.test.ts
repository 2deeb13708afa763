/**
 * A session's racks and scope are parsed once per text (sqlite/sessions.ts): a 1,000-rack session
 * is read by every sync batch and nearly every read, and parsing its 12 KB of racks again each
 * time was 2 % of the API's CPU in bench:session. The parsed values are shared, so they are frozen:
 * a caller that changed them would change every later reader's session.
 */
import { describe, expect, it } from 'vitest';
import { makeSession, makeSnapshotRow } from '../../../../test/support/counting-records';
import { createSqliteStore } from './index';

describe('a session read from SQLite', () => {
  it('shares its parsed racks and scope between reads, frozen', async () => {
    const store = createSqliteStore({ file: ':memory:' });
    await store.init();
    const racks = Array.from({ length: 1000 }, (_, i) => `R-${String(i).padStart(4, '0')}`);
    await store.sessions.create(
      makeSession('S-P1', { racks, scope: { floors: ['G'], racks: racks.slice(0, 3) } }),
      [makeSnapshotRow('S-P1', 'ITM-1')],
    );
    const a = (await store.sessions.get('S-P1'))!;
    const b = (await store.sessions.get('S-P1'))!;
    expect(b.racks).toEqual(racks);
    expect(b.racks).toBe(a.racks);
    expect(b.scope).toBe(a.scope);
    expect(Object.isFrozen(a.racks)).toBe(true);
    expect(Object.isFrozen(a.scope.racks)).toBe(true);
    expect(() => (a.racks as string[]).push('R-X')).toThrow(TypeError);
    // Another session with other racks has its own.
    await store.sessions.create(makeSession('S-P2', { racks: ['A-01'] }), [
      makeSnapshotRow('S-P2', 'ITM-1'),
    ]);
    expect((await store.sessions.get('S-P2'))!.racks).toEqual(['A-01']);
    expect((await store.sessions.get('S-P1'))!.racks).toEqual(racks);
    // A page of other sessions read meanwhile (more than the texts kept) does not drop the one in
    // use: it is read again after them and is still the same parsed array.
    const others = Array.from({ length: 300 }, (_, i) => `S-O${i}`);
    for (const id of others) {
      await store.sessions.create(makeSession(id, { racks: [`R-${id}`] }), [
        makeSnapshotRow(id, 'ITM-1'),
      ]);
    }
    for (const id of others) {
      await store.sessions.get(id);
      if (Number(id.slice(3)) % 50 === 0) await store.sessions.get('S-P1');
    }
    expect((await store.sessions.get('S-P1'))!.racks).toBe(a.racks);
    await store.close();
  });
});
