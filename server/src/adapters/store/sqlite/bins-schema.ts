/**
 * The schema of bins, supervisor decisions on bins and recount tasks (issue #16, docs/design.md
 * §12), and the count lines' recount fields: SQLite migration 13.
 */
export const BINS_MIGRATION = {
  name: 'bins, bin decisions, recount tasks; count lines get phase and recount_task_id (issue #16)',
  up: `
    -- 0 = a first count, k = a count of the bin's k-th recount phase; the task a line answers.
    ALTER TABLE count_lines ADD COLUMN phase INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE count_lines ADD COLUMN recount_task_id TEXT;
    -- A bin's lines (settlement) and "did anybody else count this bin" (whether it needs
    -- settling) read this index alone; it serves every (session, item) query the index it
    -- replaces served, so a line write keeps the same number of indexes.
    CREATE INDEX count_lines_bin ON count_lines (session_id, item_code, rack, counted_by);
    DROP INDEX count_lines_item;

    -- The read model of a bin (design §10, §12): only bins that needed settling have a row.
    CREATE TABLE bins (
      session_id TEXT NOT NULL,
      rack TEXT NOT NULL,
      item_code TEXT NOT NULL,
      state TEXT NOT NULL,
      reason TEXT NOT NULL,
      quantity REAL,
      proposed_quantity REAL,
      phase INTEGER NOT NULL,
      split INTEGER NOT NULL,
      book_qty REAL NOT NULL,
      rule_id TEXT NOT NULL,
      rule_version INTEGER NOT NULL,
      counters TEXT NOT NULL,
      first_count_qty REAL,
      first_received_at TEXT,
      first_counted_by TEXT,
      first_count_confirmed INTEGER NOT NULL,
      settled_at TEXT,
      recounts INTEGER NOT NULL,
      overturned INTEGER NOT NULL,
      open_task_id TEXT,
      updated_at TEXT NOT NULL,
      PRIMARY KEY (session_id, rack, item_code)
    ) WITHOUT ROWID;
    CREATE INDEX bins_state ON bins (session_id, state, rack, item_code);

    -- A supervisor's acts on a bin (set a quantity, ask for a recount), never changed.
    CREATE TABLE bin_decisions (
      decision_id TEXT PRIMARY KEY,
      session_id TEXT NOT NULL,
      rack TEXT NOT NULL,
      item_code TEXT NOT NULL,
      kind TEXT NOT NULL,
      quantity REAL,
      count_id TEXT,
      phase INTEGER,
      decided_by TEXT NOT NULL,
      decided_at TEXT NOT NULL,
      reason TEXT
    );
    CREATE INDEX bin_decisions_bin ON bin_decisions (session_id, rack, item_code, decided_at);

    CREATE TABLE recount_tasks (
      id TEXT PRIMARY KEY,
      session_id TEXT NOT NULL,
      rack TEXT NOT NULL,
      item_code TEXT NOT NULL,
      phase INTEGER NOT NULL,
      state TEXT NOT NULL,
      assigned_to TEXT,
      assigned_at TEXT,
      excluded_counters TEXT NOT NULL,
      reason TEXT NOT NULL,
      note TEXT,
      created_at TEXT NOT NULL,
      created_by TEXT NOT NULL,
      closed_at TEXT,
      answered_by_op_id TEXT
    );
    CREATE INDEX recount_tasks_bin ON recount_tasks (session_id, rack, item_code, created_at);
    CREATE INDEX recount_tasks_queue ON recount_tasks (session_id, state, created_at, id);
    CREATE INDEX recount_tasks_assignee ON recount_tasks (session_id, assigned_to, state);
    -- At most one open task per bin.
    CREATE UNIQUE INDEX recount_tasks_open ON recount_tasks (session_id, rack, item_code)
      WHERE state = 'open';
  `,
};
