/**
 * The lines page's `at_count` filter on SQLite (issue #17, docs/design.md §13 "Review at count"):
 * a line's item as the read model stands at count, the class shared `lineAtCountClass` gives —
 * `explained` (exact, within its rule), `unexplained` (exact, beyond it), `unresolved` (anything
 * else, an item without a model row included). One primary-key read of rm_items per line the
 * page's other filters leave, inside the page's and the total's WHERE, so the total counts every
 * match and OFFSET pages walk them.
 */
export const LINE_AT_COUNT_CLASS = `COALESCE(
      (SELECT CASE WHEN r.at_status = 'exact' AND r.at_within = 1 THEN 'explained'
                   WHEN r.at_status = 'exact' AND r.at_within = 0 THEN 'unexplained' END
         FROM rm_items r
        WHERE r.session_id = count_lines.session_id AND r.item_code = count_lines.item_code),
      'unresolved')`;
