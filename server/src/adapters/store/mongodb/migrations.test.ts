/**
 * The migration runner's rules, with an in-memory log (the runner touches nothing else). The
 * migrations themselves run against MongoDB only where MONGODB_URI is set (contract suites).
 */
import { describe, expect, it } from 'vitest';
import {
  MONGO_MIGRATIONS,
  runMigrations,
  type AppliedMigration,
  type Migration,
  type MigrationLog,
} from './migrations';

/** A log kept in an array; `record` of an id already there is ignored, as on the unique _id. */
function memoryLog(initial: AppliedMigration[] = []): MigrationLog & { rows: AppliedMigration[] } {
  const rows = [...initial];
  return {
    rows,
    async applied() {
      return [...rows];
    },
    async record(entry) {
      if (!rows.some((r) => r.id === entry.id)) rows.push(entry);
    },
  };
}

const at = () => new Date('2026-11-29T12:00:00.000Z');

/** Migrations that append their id to the target when they run. */
function steps(count: number): Migration<number[]>[] {
  return Array.from({ length: count }, (_, i) => ({
    id: i + 1,
    name: `step ${i + 1}`,
    async up(ran: number[]) {
      ran.push(i + 1);
    },
  }));
}

describe('runMigrations', () => {
  it('applies every migration in id order on a new database and records each', async () => {
    const log = memoryLog();
    const ran: number[] = [];
    expect(await runMigrations(log, steps(3), ran, at)).toEqual([1, 2, 3]);
    expect(ran).toEqual([1, 2, 3]);
    expect(log.rows).toEqual([
      { id: 1, name: 'step 1', applied_at: '2026-11-29T12:00:00.000Z' },
      { id: 2, name: 'step 2', applied_at: '2026-11-29T12:00:00.000Z' },
      { id: 3, name: 'step 3', applied_at: '2026-11-29T12:00:00.000Z' },
    ]);
  });

  it('runs only what is not recorded yet, and nothing on a second start', async () => {
    const log = memoryLog([{ id: 1, name: 'step 1', applied_at: 'earlier' }]);
    const ran: number[] = [];
    expect(await runMigrations(log, steps(3), ran, at)).toEqual([2, 3]);
    expect(await runMigrations(log, steps(3), ran, at)).toEqual([]);
    expect(ran).toEqual([2, 3]);
  });

  it('records a migration only after it ran: a failing one stops the run and is retried next start', async () => {
    const log = memoryLog();
    const ran: number[] = [];
    const list = steps(3);
    let fail = true;
    list[1] = {
      ...list[1]!,
      async up(target) {
        if (fail) throw new Error('disk full');
        target.push(2);
      },
    };
    await expect(runMigrations(log, list, ran, at)).rejects.toThrow('disk full');
    expect(log.rows.map((r) => r.id)).toEqual([1]);
    expect(ran).toEqual([1]);
    fail = false;
    expect(await runMigrations(log, list, ran, at)).toEqual([2, 3]);
    expect(ran).toEqual([1, 2, 3]);
  });

  it('moves on when another process recorded the same migration meanwhile', async () => {
    const log = memoryLog();
    // Two processes starting together both see an empty log.
    const [first, second] = await Promise.all([
      runMigrations(log, steps(2), [], at),
      runMigrations(log, steps(2), [], at),
    ]);
    expect(first).toEqual([1, 2]);
    expect(second).toEqual([1, 2]);
    expect(log.rows.map((r) => r.id)).toEqual([1, 2]);
  });

  it('refuses a list that is not numbered 1, 2, 3…', async () => {
    const list = steps(3);
    list[2] = { ...list[2]!, id: 4 };
    await expect(runMigrations(memoryLog(), list, [], at)).rejects.toThrow(/out of order/);
    const dup = steps(2);
    dup[1] = { ...dup[1]!, id: 1 };
    await expect(runMigrations(memoryLog(), dup, [], at)).rejects.toThrow(/out of order/);
  });

  it('refuses a database a newer server migrated, before running anything', async () => {
    const log = memoryLog([1, 2, 3, 4].map((id) => ({ id, name: `s${id}`, applied_at: 'x' })));
    const ran: number[] = [];
    await expect(runMigrations(log, steps(3), ran, at)).rejects.toThrow(/newer Stock Verify/);
    expect(ran).toEqual([]);
  });
});

describe('MONGO_MIGRATIONS', () => {
  it('is numbered from 1 without gaps, each with a name', () => {
    MONGO_MIGRATIONS.forEach((m, i) => {
      expect(m.id).toBe(i + 1);
      expect(m.name.length).toBeGreaterThan(0);
    });
  });
});
