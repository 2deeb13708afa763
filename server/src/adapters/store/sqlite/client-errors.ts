/** ClientErrorRepo on SQLite: error reports from the PWA and console (design §7). */
import type { Statement } from 'better-sqlite3';
import type { ClientErrorQuery, ClientErrorRecord, ClientErrorRepo } from '../../../ports/evidence';
import { lazy, type Db } from './database';

type ClientErrorRow = Omit<ClientErrorRecord, 'context'> & { context: string | null };

const COLUMNS = `id, source, message, stack, url, app_version, user_agent, context, user_id,
  username, request_id, ip, created_at`;

const FILTERS = [
  ['source', 'source = @source'],
  ['from', 'created_at >= @from'],
  ['to', 'created_at < @to'],
] as const;

type Filter = Partial<Record<(typeof FILTERS)[number][0], string>>;

function toRecord(row: ClientErrorRow): ClientErrorRecord {
  return {
    ...row,
    context: row.context === null ? null : (JSON.parse(row.context) as Record<string, unknown>),
  };
}

/** Builds the client-error repository over an open, migrated database. */
export function createSqliteClientErrorRepo(db: Db): ClientErrorRepo {
  const insert = lazy(() =>
    db.prepare<[ClientErrorRow]>(
      `INSERT INTO client_errors (${COLUMNS}) VALUES (@id, @source, @message, @stack, @url,
        @app_version, @user_agent, @context, @user_id, @username, @request_id, @ip, @created_at)`,
    ),
  );

  // One statement per combination of filters (at most 2^3), as for the audit trail.
  const shapes = new Map<
    string,
    { page: Statement<[object], ClientErrorRow>; total: Statement<[object], number> }
  >();
  const statementsFor = (filter: Filter) => {
    const used = FILTERS.filter(([key]) => filter[key] !== undefined);
    const key = used.map(([name]) => name).join(',');
    let shape = shapes.get(key);
    if (!shape) {
      const where = used.length ? `WHERE ${used.map(([, sql]) => sql).join(' AND ')}` : '';
      shape = {
        page: db.prepare<[object], ClientErrorRow>(
          `SELECT ${COLUMNS} FROM client_errors ${where}
           ORDER BY created_at DESC, id DESC LIMIT @limit OFFSET @offset`,
        ),
        total: db.prepare<[object], number>(`SELECT COUNT(*) FROM client_errors ${where}`).pluck(),
      };
      shapes.set(key, shape);
    }
    return shape;
  };

  return {
    async insert(report) {
      const context = report.context === null ? null : JSON.stringify(report.context);
      insert().run({ ...report, context });
    },
    async list(query: ClientErrorQuery) {
      const filter: Filter = {};
      for (const [name] of FILTERS) if (query[name] !== undefined) filter[name] = query[name];
      const { page, total } = statementsFor(filter);
      const rows = page.all({
        ...filter,
        limit: query.page_size,
        offset: (query.page - 1) * query.page_size,
      });
      return { items: rows.map(toRecord), total: total.get(filter) ?? 0 };
    },
  };
}
