/**
 * Paged per-item variances of a session (issue #13): `GET /sessions/:id/variances`, sorted and
 * filtered in the Store. `store.lines.variances` (every item at once) stays for the reports,
 * adjustments and reconciliation that need them all.
 */
import type {
  AtCountStatus,
  HintKind,
  SessionItemVariance,
  VarianceSort,
} from '@stockverify/shared';

/** Where a keyset page starts: strictly after this row in the sort's order. */
export interface VarianceCursor {
  /**
   * The row's sort value: |variance|, |value at cost| or |variance at count| (numbers; an item
   * without a variance at count has its order's last key) or the item code.
   */
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
  /** Only items whose variance at count is in this state (design §13). */
  at_count_status?: AtCountStatus;
  /** Only items with a hint of this kind. */
  hint?: HintKind;
  /** Only items within (true) or beyond (false) their rule at count. */
  at_count_within?: boolean;
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
