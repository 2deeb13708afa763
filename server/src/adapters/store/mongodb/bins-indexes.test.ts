/**
 * Bins and recount tasks on MongoDB (issue #16) rely on their indexes: one row per bin, at most one
 * open task per bin (as SQLite's partial unique index), a bin's lines by (session, item, rack,
 * counter) for settling and for needsSettling's point read, and the fence collection made before
 * any transaction writes it. Checked without a server, since none runs on build machines.
 */
import { describe, expect, it } from 'vitest';
import { BIN_COLLECTION } from './bins';
import { COLLECTION } from './collections';
import { COLLECTIONS_WITHOUT_INDEXES, indexPlan } from './indexes';

const plan = indexPlan({ idempotencyKeepDays: 35 });
const indexesOf = (collection: string) =>
  plan.find((e) => e.collection === collection)?.indexes ?? [];

describe('bin indexes', () => {
  it('keeps one row per bin and one open task per bin', () => {
    expect(indexesOf(BIN_COLLECTION.bins)).toContainEqual({
      key: { session_id: 1, rack: 1, item_code: 1 },
      unique: true,
    });
    expect(indexesOf(BIN_COLLECTION.tasks)).toContainEqual(
      expect.objectContaining({
        key: { session_id: 1, rack: 1, item_code: 1 },
        unique: true,
        partialFilterExpression: { state: 'open' },
      }),
    );
    expect(indexesOf(BIN_COLLECTION.tasks)).toContainEqual({ key: { id: 1 }, unique: true });
  });

  it("reads a bin's lines, and another counter's, from one index", () => {
    expect(indexesOf(COLLECTION.lines)).toContainEqual({
      key: { session_id: 1, item_code: 1, rack: 1, counted_by: 1 },
    });
  });

  it('makes the fence collection before a transaction writes it', () => {
    expect(COLLECTIONS_WITHOUT_INDEXES).toContain(BIN_COLLECTION.fences);
  });
});
