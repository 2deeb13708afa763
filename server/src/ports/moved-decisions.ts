/**
 * Decisions for moved items (issue #17 item 3, docs/design.md §13): one per session and item, the
 * latest stands (each change is audited by the service). Both stores implement it.
 */
import type { MovedLineChoice } from '@stockverify/shared';

export interface MovedDecisionRecord {
  session_id: string;
  item_code: string;
  mode: MovedLineChoice;
  reason: string | null;
  /** Username of the supervisor. */
  decided_by: string;
  decided_at: string;
}

export interface MovedDecisionRepo {
  /** Upserts each record on (session_id, item_code), all in one write. */
  put(records: readonly MovedDecisionRecord[]): Promise<void>;
  /** The session's decisions, by item code. */
  list(sessionId: string): Promise<MovedDecisionRecord[]>;
}
