/**
 * The ERP's stock movements as pulled into the Store (issue #17, docs/design.md §3): each kept
 * once, by its watermark, with the pull's own state — the last watermark read and when — so every
 * API process pulls on from the same place.
 */
import type { ErpMovement } from '@stockverify/shared';

/** Where the movement pull stands. */
export interface MovementPullState {
  /** The last watermark read from the ERP (null before the first movement). */
  watermark: string | null;
  /** When the last pull finished, successful or not (null before the first). */
  last_pull_at: string | null;
  /** The newest `posted_at` among the stored movements (the lag is now − this). */
  newest_posted_at: string | null;
  /** Movements stored. */
  count: number;
}

export interface MovementQuery {
  warehouse: string;
  item_code?: string;
  /** Only movements of this rack (null = movements without a rack). */
  rack?: string | null;
  /** Inclusive lower bound on `posted_at` (ISO). */
  posted_from?: string;
  /** Exclusive upper bound on `posted_at` (ISO). */
  posted_to?: string;
  /** Only movements with a watermark after this one (exclusive): the keyset cursor too. */
  after?: string | null;
  /** Only movements with a watermark at or before this one. */
  up_to?: string | null;
  limit: number;
}

export interface MovementRepo {
  /**
   * Stores a page of movements — each once: one whose watermark is stored already is left as it
   * is — and moves the pull state on to `watermark` and `pulled_at` in the same write.
   * `watermark` never moves back: a smaller one leaves it where it is.
   */
  record(
    movements: readonly ErpMovement[],
    pull: { watermark: string | null; pulled_at: string },
  ): Promise<{ inserted: number; duplicates: number }>;
  /** Notes a pull that found nothing or failed: only `last_pull_at` moves. */
  touch(pulledAt: string): Promise<void>;
  state(): Promise<MovementPullState>;
  /** Movements matching the query, in watermark order, at most `limit`. */
  list(query: MovementQuery): Promise<ErpMovement[]>;
  /** Movements of any warehouse after a watermark (exclusive), in watermark order. */
  since(after: string | null, limit: number): Promise<ErpMovement[]>;
}
