/** UserRepo on SQLite. */
import type { Role } from '@stockverify/shared';
import Database from 'better-sqlite3';
import type { Paged, UserListQuery, UserPatch, UserRecord, UserRepo } from '../../../ports/store';
import { StoreConflictError } from '../../../ports/store';
import { lazy, toFlag, type Db } from './database';

interface UserRow {
  id: string;
  username: string;
  full_name: string;
  role: Role;
  warehouse: string | null;
  active: number;
  password_hash: string;
  pin_hash: string | null;
  consecutive_failures: number;
  failure_times: string;
  locked_until: string | null;
  hard_locked: number;
  created_at: string;
  updated_at: string;
  last_login_at: string | null;
}

type UserParams = Omit<UserRow, 'active' | 'hard_locked'> & { active: 0 | 1; hard_locked: 0 | 1 };

interface ListParams {
  role: string | null;
  q: string | null;
  active: 0 | 1 | null;
}

// Optional filters are written as `@x IS NULL OR …` so one prepared statement serves every mix;
// the user table is small enough that this never needs a per-combination plan.
const LIST_WHERE = `
  WHERE (@role IS NULL OR role = @role)
    AND (@active IS NULL OR active = @active)
    AND (@q IS NULL OR instr(lower(username), @q) > 0 OR instr(lower(full_name), @q) > 0)`;

const COLUMNS = `id, username, full_name, role, warehouse, active, password_hash, pin_hash,
  consecutive_failures, failure_times, locked_until, hard_locked, created_at, updated_at,
  last_login_at`;

function toRecord(row: UserRow): UserRecord {
  return {
    ...row,
    active: row.active === 1,
    hard_locked: row.hard_locked === 1,
    failure_times: JSON.parse(row.failure_times) as string[],
  };
}

function toParams(user: UserRecord): UserParams {
  return {
    ...user,
    username: user.username.toLowerCase(),
    active: toFlag(user.active),
    hard_locked: toFlag(user.hard_locked),
    failure_times: JSON.stringify(user.failure_times),
  };
}

/** The users column whose uniqueness `err` reports, if it is such an error. */
function conflictingColumn(err: unknown): 'username' | 'id' | null {
  if (!(err instanceof Database.SqliteError) || !err.code.startsWith('SQLITE_CONSTRAINT')) {
    return null;
  }
  if (err.message.includes('users.username')) return 'username';
  if (err.message.includes('users.id')) return 'id';
  return null;
}

/** Builds the user repository over an open, migrated database. */
export function createSqliteUserRepo(db: Db): UserRepo {
  const statements = lazy(() => ({
    insert: db.prepare<UserParams>(
      `INSERT INTO users (${COLUMNS}) VALUES (@id, @username, @full_name, @role, @warehouse,
        @active, @password_hash, @pin_hash, @consecutive_failures, @failure_times, @locked_until,
        @hard_locked, @created_at, @updated_at, @last_login_at)`,
    ),
    replace: db.prepare<UserParams>(
      `UPDATE users SET full_name = @full_name, role = @role, warehouse = @warehouse,
        active = @active, password_hash = @password_hash, pin_hash = @pin_hash,
        consecutive_failures = @consecutive_failures, failure_times = @failure_times,
        locked_until = @locked_until, hard_locked = @hard_locked, updated_at = @updated_at,
        last_login_at = @last_login_at
       WHERE id = @id`,
    ),
    byId: db.prepare<[string], UserRow>(`SELECT ${COLUMNS} FROM users WHERE id = ?`),
    byUsername: db.prepare<[string], UserRow>(`SELECT ${COLUMNS} FROM users WHERE username = ?`),
    page: db.prepare<[ListParams & { limit: number; offset: number }], UserRow>(
      `SELECT ${COLUMNS} FROM users ${LIST_WHERE} ORDER BY username LIMIT @limit OFFSET @offset`,
    ),
    total: db.prepare<[ListParams], number>(`SELECT COUNT(*) FROM users ${LIST_WHERE}`).pluck(),
    count: db.prepare<[], number>('SELECT COUNT(*) FROM users').pluck(),
  }));

  const get = (id: string): UserRecord | null => {
    const row = statements().byId.get(id);
    return row ? toRecord(row) : null;
  };

  // A read-merge-write is atomic here: better-sqlite3 is synchronous, so nothing interleaves.
  const update = db.transaction((id: string, patch: UserPatch): UserRecord | null => {
    const current = get(id);
    if (!current) return null;
    const defined = Object.entries(patch).filter(([, value]) => value !== undefined);
    const next: UserRecord = { ...current, ...Object.fromEntries(defined) };
    statements().replace.run(toParams(next));
    return next;
  });

  return {
    async create(user) {
      try {
        statements().insert.run(toParams(user));
      } catch (err) {
        const column = conflictingColumn(err);
        throw column ? new StoreConflictError(column) : err;
      }
    },
    async get(id) {
      return get(id);
    },
    async getByUsername(username) {
      const row = statements().byUsername.get(username.toLowerCase());
      return row ? toRecord(row) : null;
    },
    async list(query: UserListQuery): Promise<Paged<UserRecord>> {
      const filter: ListParams = {
        role: query.role ?? null,
        q: query.q ? query.q.toLowerCase() : null,
        active: query.active === undefined ? null : toFlag(query.active),
      };
      const rows = statements().page.all({
        ...filter,
        limit: query.page_size,
        offset: (query.page - 1) * query.page_size,
      });
      return { items: rows.map(toRecord), total: statements().total.get(filter) ?? 0 };
    },
    async update(id, patch) {
      // IMMEDIATE: read-then-write; deferred, it fails with SQLITE_BUSY_SNAPSHOT when another API
      // process committed in between (two-process load benchmark, issue #7: logins answered 500).
      return update.immediate(id, patch);
    },
    async count() {
      return statements().count.get() ?? 0;
    },
  };
}
