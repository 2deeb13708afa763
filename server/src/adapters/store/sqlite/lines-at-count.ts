/**
 * The lines page's `at_count` filter on SQLite (issue #17, docs/design.md §13 "Review at count"):
 * a line's item as the read model stands at count, the class shared `lineAtCountClass` gives —
 * `explained` (exact, within its rule), `unexplained` (exact, beyond it), `unresolved` (anything
 * else, an item without a model row included). Both the page and the total filter in their WHERE,
 * so the total counts every match and OFFSET pages walk them; each in the form that suits it.
 */

/** The line's class: one primary-key read of rm_items per line (the page stops at its limit). */
export const LINE_AT_COUNT_CLASS = `COALESCE(
      (SELECT CASE WHEN r.at_status = 'exact' AND r.at_within = 1 THEN 'explained'
                   WHEN r.at_status = 'exact' AND r.at_within = 0 THEN 'unexplained' END
         FROM rm_items r
        WHERE r.session_id = count_lines.session_id AND r.item_code = count_lines.item_code),
      'unresolved')`;

/** The page's condition (named parameters @at_count, null for none, and @session_id). */
export const LINE_AT_COUNT_PAGE = `(@at_count IS NULL OR ${LINE_AT_COUNT_CLASS} = @at_count)`;

const decided = (within: string) => `SELECT item_code FROM rm_items
      WHERE session_id = @session_id AND at_status = 'exact' AND ${within}`;

/**
 * The total's condition, the same class: the class's item codes read once into a list, then
 * tested per line. Counting a whole session's lines that is cheaper than a read per line (100,000
 * lines, in-process on a loaded two-core machine: 57–92 ms against 82–174 ms); with a status
 * filter both are alike (25–35 ms at 10,000 lines waiting for review).
 */
export const LINE_AT_COUNT_TOTAL = `(@at_count IS NULL OR CASE WHEN @at_count = 'unresolved'
      THEN item_code NOT IN (${decided('at_within IS NOT NULL')})
      ELSE item_code IN (${decided("at_within = (@at_count = 'explained')")}) END)`;
