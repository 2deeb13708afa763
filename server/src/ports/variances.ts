/**
 * Paged per-item variances of a session (issue #13): `GET /sessions/:id/variances`, sorted and
 * filtered in the Store. `store.lines.variances` (every item at once) stays for the reports,
 * adjustments and reconciliation that need them all.
 */
import type { SessionItemVariance, VarianceSort } from '@stockverify/shared';

/** Where a keyset page starts: strictly after this row in the sort's order. */
export interface VarianceCursor {
  /** The row's sort value: |variance| or |value at cost| (numbers) or the item code. */
  key: number | string;
  item_code: string;
}

export interface VariancePageQuery {
  sort: VarianceSort;
  page: number;
  page_size: number;
  after?: VarianceCursor;
  has_variance?: boolean;
  needs_review?: boolean;
  category?: string;
  rack?: string;
}

export interface VariancePageResult {
  items: SessionItemVariance[];
  /** Items matching the filters (all pages). */
  total: number;
  /** The last row's cursor when another page follows, else null. */
  next: VarianceCursor | null;
}

export interface VarianceRepo {
  page(sessionId: string, query: VariancePageQuery): Promise<VariancePageResult>;
}
