/**
 * The lines page's `at_count` filter on MongoDB without a server (docs/design.md §13 "Review at
 * count"): the rm_items query and the lines' condition, evaluated here over every state an item's
 * document can be in (and no document), put each line where shared `lineAtCountClass` — and the
 * SQLite adapter's SQL, lines-at-count.test in the API suite — puts it.
 */
import { describe, expect, it } from 'vitest';
import {
  AT_COUNT_STATUSES,
  LINE_AT_COUNT_FILTERS,
  lineAtCountClass,
  type LineAtCountFilter,
} from '@stockverify/shared';
import { atCountItemsQuery, atCountLineCondition } from './lines-at-count';

type Doc = { session_id: string; item_code: string; at_status: string; at_within?: 0 | 1 | null };

/** The query's operators this filter uses: equality and $in. */
function matches(doc: Record<string, unknown>, query: Record<string, unknown>): boolean {
  return Object.entries(query).every(([field, want]) => {
    const value = doc[field];
    if (want !== null && typeof want === 'object' && '$in' in want) {
      return (want.$in as unknown[]).includes(value);
    }
    return value === want;
  });
}

// Every status with every stored `at_within` (1, 0, null, absent on older documents).
const docs: Doc[] = AT_COUNT_STATUSES.flatMap((status) =>
  ([1, 0, null, undefined] as const).map((within, i) => ({
    session_id: 'S1',
    item_code: `${status}-${i}`,
    at_status: status,
    ...(within === undefined ? {} : { at_within: within }),
  })),
);
// The same items in another session, all explained: never taken for S1's.
const other: Doc[] = docs.map((d) => ({
  ...d,
  session_id: 'S2',
  at_status: 'exact',
  at_within: 1,
}));

function classOf(doc: Doc | undefined): LineAtCountFilter {
  if (!doc) return lineAtCountClass(null);
  const within = doc.at_within === undefined || doc.at_within === null ? null : doc.at_within === 1;
  return lineAtCountClass({ status: doc.at_status as never, within });
}

describe('the at_count filter on MongoDB', () => {
  it('puts every line where lineAtCountClass does', () => {
    const lineCodes = [...docs.map((d) => d.item_code), 'NO-DOC'];
    for (const filter of LINE_AT_COUNT_FILTERS) {
      const codes = [...docs, ...other]
        .filter((d) => matches(d, atCountItemsQuery('S1', filter)))
        .map((d) => d.item_code);
      const condition = atCountLineCondition(filter, codes).item_code;
      const kept = lineCodes.filter((code) =>
        '$in' in condition ? condition.$in.includes(code) : !condition.$nin.includes(code),
      );
      const expected = lineCodes.filter(
        (code) => classOf(docs.find((d) => d.item_code === code)) === filter,
      );
      expect(kept, filter).toEqual(expected);
    }
  });

  it('explained takes only exact items within their rule', () => {
    expect(atCountItemsQuery('S1', 'explained')).toEqual({
      session_id: 'S1',
      at_status: 'exact',
      at_within: 1,
    });
    expect(atCountLineCondition('unresolved', ['A'])).toEqual({ item_code: { $nin: ['A'] } });
  });
});
