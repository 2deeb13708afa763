/**
 * Late counts on the bin row (issue #16 item 3, docs/design.md §11 "Late counts"): the op_ids of
 * the counts that came after the bin was decided or after the task they answer closed, those a
 * supervisor acknowledged (JSON arrays), and how many wait — the bins list's `attention=late`
 * filter and reconcile's refusal read a partial index of the bins with any.
 */
export const BINS_LATE_MIGRATION = {
  name: 'bins keep their late counts and the acknowledged ones (issue #16)',
  up: `
    ALTER TABLE bins ADD COLUMN late_count_ids TEXT NOT NULL DEFAULT '[]';
    ALTER TABLE bins ADD COLUMN late_acknowledged_ids TEXT NOT NULL DEFAULT '[]';
    ALTER TABLE bins ADD COLUMN late_unacknowledged INTEGER NOT NULL DEFAULT 0;
    CREATE INDEX bins_late ON bins (session_id, rack, item_code) WHERE late_unacknowledged > 0;
  `,
};
