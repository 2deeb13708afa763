/**
 * ToleranceRepo on SQLite: one row per version of the rule table, the rules as JSON (a table has
 * tens of rules; a version is written once and never updated). The version number is the primary
 * key, so of two changes made on the same version only the first is written.
 */
import type { ToleranceChange, ToleranceRule } from '@stockverify/shared';
import type { Paged } from '../../../ports/store';
import type {
  ToleranceRepo,
  ToleranceVersionRecord,
  ToleranceVersionSummary,
} from '../../../ports/tolerance';
import { lazy, type Db } from './database';

/** The table and its index (migration 9). */
export const TOLERANCE_SCHEMA = `
  -- Tolerance rule table versions (issue #16, design §12): each row is the whole rule set after one
  -- change, never updated; sessions name the version they started with.
  CREATE TABLE tolerance_versions (
    version INTEGER PRIMARY KEY,
    hash TEXT NOT NULL,
    taken_at TEXT NOT NULL,
    rules TEXT NOT NULL,
    rules_count INTEGER NOT NULL,
    change TEXT NOT NULL,
    rule_id TEXT,
    rule_version INTEGER,
    changed_by TEXT,
    changed_by_name TEXT
  );
  -- The session keeps the rule-set version in force when it was created (null before issue #16).
  ALTER TABLE sessions ADD COLUMN tolerance_version INTEGER;
  ALTER TABLE sessions ADD COLUMN tolerance_hash TEXT;
`;

interface VersionRow {
  version: number;
  hash: string;
  taken_at: string;
  rules_count: number;
  change: ToleranceChange;
  rule_id: string | null;
  rule_version: number | null;
  changed_by: string | null;
  changed_by_name: string | null;
}

const SUMMARY_COLUMNS = `version, hash, taken_at, rules_count, change, rule_id, rule_version,
  changed_by, changed_by_name`;

function toRecord(row: VersionRow & { rules: string }): ToleranceVersionRecord {
  const { rules, rules_count: _count, ...rest } = row;
  return { ...rest, rules: JSON.parse(rules) as ToleranceRule[] };
}

/** Builds the rule-table repository over an open, migrated database. */
export function createSqliteToleranceRepo(db: Db): ToleranceRepo {
  const statements = lazy(() => ({
    current: db.prepare<[], VersionRow & { rules: string }>(
      `SELECT ${SUMMARY_COLUMNS}, rules FROM tolerance_versions ORDER BY version DESC LIMIT 1`,
    ),
    get: db.prepare<[number], VersionRow & { rules: string }>(
      `SELECT ${SUMMARY_COLUMNS}, rules FROM tolerance_versions WHERE version = ?`,
    ),
    page: db.prepare<[number, number], VersionRow>(
      `SELECT ${SUMMARY_COLUMNS} FROM tolerance_versions ORDER BY version DESC LIMIT ? OFFSET ?`,
    ),
    total: db.prepare<[], number>('SELECT COUNT(*) FROM tolerance_versions').pluck(),
    insert: db.prepare<[VersionRow & { rules: string }]>(
      `INSERT OR IGNORE INTO tolerance_versions (${SUMMARY_COLUMNS}, rules) VALUES (@version,
        @hash, @taken_at, @rules_count, @change, @rule_id, @rule_version, @changed_by,
        @changed_by_name, @rules)`,
    ),
  }));

  return {
    async current() {
      const row = statements().current.get();
      return row ? toRecord(row) : null;
    },
    async get(version) {
      const row = statements().get.get(version);
      return row ? toRecord(row) : null;
    },
    async versions(query): Promise<Paged<ToleranceVersionSummary>> {
      const items = statements().page.all(query.page_size, (query.page - 1) * query.page_size);
      return { items, total: statements().total.get() ?? 0 };
    },
    async append(record) {
      const { rules, ...rest } = record;
      const result = statements().insert.run({
        ...rest,
        rules: JSON.stringify(rules),
        rules_count: rules.length,
      });
      return result.changes === 1;
    },
  };
}
