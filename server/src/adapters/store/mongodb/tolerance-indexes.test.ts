/**
 * The rule table on MongoDB (issue #16) relies on a unique index on `version`: it is what refuses
 * the second of two changes made on the same version (tolerance.ts `append`). Checked without a
 * server, since none runs on build machines.
 */
import { describe, expect, it } from 'vitest';
import { COLLECTION } from './collections';
import { indexPlan } from './indexes';

describe('tolerance_versions indexes', () => {
  it('makes the version unique', () => {
    const entry = indexPlan({ idempotencyKeepDays: 35 }).find(
      (e) => e.collection === COLLECTION.tolerance,
    );
    expect(entry?.indexes).toContainEqual({ key: { version: -1 }, unique: true });
  });
});
