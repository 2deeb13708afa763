/** AuditRepo on SQLite. */
import type { Role } from '@stockverify/shared';
import type { Statement } from 'better-sqlite3';
import type { AuditEntry, AuditQuery, AuditRepo, Paged } from '../../../ports/store';
import { lazy, type Db } from './database';

type AuditRow = Omit<AuditEntry, 'summary' | 'actor_role'> & {
  summary: string | null;
  actor_role: Role | null;
};

type Filter = Partial<Record<(typeof FILTERS)[number][0], string>>;

const COLUMNS = `id, at, actor_id, actor_username, actor_role, action, target_type, target_id,
  summary, request_id, ip`;

const FILTERS = [
  ['actor_id', 'actor_id = @actor_id'],
  ['action', 'action = @action'],
  ['target_type', 'target_type = @target_type'],
  ['target_id', 'target_id = @target_id'],
  ['from', 'at >= @from'],
  ['to', 'at < @to'],
] as const;

function toEntry(row: AuditRow): AuditEntry {
  return {
    ...row,
    summary: row.summary === null ? null : (JSON.parse(row.summary) as Record<string, unknown>),
  };
}

/** Builds the audit repository over an open, migrated database. */
export function createSqliteAuditRepo(db: Db): AuditRepo {
  const insert = lazy(() =>
    db.prepare<[AuditRow]>(
      `INSERT INTO audit (${COLUMNS}) VALUES (@id, @at, @actor_id, @actor_username, @actor_role,
        @action, @target_type, @target_id, @summary, @request_id, @ip)`,
    ),
  );

  // The audit table grows without bound, so each combination of filters gets its own SQL (and so
  // its own index choice) rather than one `@x IS NULL OR …` plan; at most 2^6 shapes, each
  // prepared once.
  const shapes = new Map<
    string,
    { page: Statement<[object], AuditRow>; total: Statement<[object], number> }
  >();
  const statementsFor = (filter: Filter) => {
    const used = FILTERS.filter(([key]) => filter[key] !== undefined);
    const key = used.map(([name]) => name).join(',');
    let shape = shapes.get(key);
    if (!shape) {
      const where = used.length ? `WHERE ${used.map(([, sql]) => sql).join(' AND ')}` : '';
      shape = {
        page: db.prepare<[object], AuditRow>(
          `SELECT ${COLUMNS} FROM audit ${where} ORDER BY at DESC, id DESC LIMIT @limit OFFSET @offset`,
        ),
        total: db.prepare<[object], number>(`SELECT COUNT(*) FROM audit ${where}`).pluck(),
      };
      shapes.set(key, shape);
    }
    return shape;
  };

  return {
    async append(entry) {
      const summary = entry.summary === null ? null : JSON.stringify(entry.summary);
      insert().run({ ...entry, summary });
    },
    async list(query: AuditQuery): Promise<Paged<AuditEntry>> {
      const filter: Filter = {};
      for (const [name] of FILTERS) if (query[name] !== undefined) filter[name] = query[name];
      const { page, total } = statementsFor(filter);
      const rows = page.all({
        ...filter,
        limit: query.page_size,
        offset: (query.page - 1) * query.page_size,
      });
      return { items: rows.map(toEntry), total: total.get(filter) ?? 0 };
    },
  };
}
