/**
 * The tolerance decision on MongoDB line documents (issue #16, design §12), checked without a
 * server: a document read back keeps its decision as written, and one without a decision (a line
 * from before rule sets, or one the driver wrote with the field null) reads back without it, as
 * the SQLite adapter reads the same lines (the counting contract runs both where MongoDB exists).
 */
import { ObjectId } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { makeLine } from '../../../../test/support/counting-records';
import { toLine } from './lines';

const tolerance = {
  rule_id: 'dear',
  rule_version: 2,
  rule_scope: 'value_band' as const,
  rule_set_version: 2,
  within: true,
  exceeded_by: [],
  action: 'accept' as const,
  direction: 'none' as const,
  thresholds: {},
  allowance: { units: null, percent: null, value: null },
};

describe('MongoDB line documents and the tolerance decision', () => {
  it('reads the decision back as written, and a line without one without the field', () => {
    const decided = makeLine('op-1', { tolerance });
    expect(toLine({ _id: new ObjectId(), ...decided, active_serials: [] })).toEqual(decided);

    const old = makeLine('op-2');
    const fromBefore = toLine({ _id: new ObjectId(), ...old, active_serials: [] });
    expect(fromBefore).toEqual(old);
    expect(fromBefore).not.toHaveProperty('tolerance');
    const writtenNull = toLine({
      _id: new ObjectId(),
      ...old,
      tolerance: null,
      active_serials: [],
    });
    expect(writtenNull).not.toHaveProperty('tolerance');
  });
});
