/** The `next_after` cursor of `GET /sessions/:id/variances`: opaque to clients, tied to a sort. */
import type { VarianceSort } from '@stockverify/shared';
import { validationError } from '../../lib/errors';
import type { VarianceCursor } from '../../ports/variances';

export function encodeVarianceCursor(sort: VarianceSort, cursor: VarianceCursor): string {
  return Buffer.from(JSON.stringify([sort, cursor.key, cursor.item_code])).toString('base64url');
}

/** Reads an `after` cursor; a malformed one, or one of another sort, is a 400 on `after`. */
export function decodeVarianceCursor(sort: VarianceSort, after: string): VarianceCursor {
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(after, 'base64url').toString('utf8'));
  } catch {
    key = null;
  }
  if (
    Array.isArray(key) &&
    key.length === 3 &&
    typeof key[0] === 'string' &&
    (typeof key[1] === 'number' || typeof key[1] === 'string') &&
    typeof key[2] === 'string'
  ) {
    if (key[0] !== sort) {
      throw validationError([
        { path: 'query.after', message: `this cursor continues the ${key[0]} order, not ${sort}` },
      ]);
    }
    const byCode = sort === 'item_code' || sort === '-item_code';
    if (byCode === (typeof key[1] === 'string')) return { key: key[1], item_code: key[2] };
  }
  throw validationError([{ path: 'query.after', message: 'not a cursor this list gave' }]);
}
