/**
 * What the console offers for an item that moved after it was counted (issue #17 item 3,
 * docs/design.md §13 "Decisions for moved items"): keep the counted quantity or keep the
 * difference, each with its target and what it would post against today's book — the same rule
 * the server applies (`movedLineAdjustment`). Pure, so the words are unit-tested.
 */
import type { ItemExpectedAnswer, MovedDecision } from '@stockverify/shared';
import { qty, signed } from '../../ui/format';

export interface MovedChoice {
  enabled: boolean;
  /** What it would do ("target 93, post −10"), or why it is not offered. */
  text: string;
}

export interface MovedDecisionOffer {
  /** False when nothing moved after the count, or expected at count is unknown: no buttons. */
  offered: boolean;
  /** Today's book as the console computes it, e.g. "Book today 103 (snapshot 100 + 3 moved)". */
  liveBook: string;
  keepCounted: MovedChoice;
  keepDifference: MovedChoice;
}

const m = (milli: number): number => milli / 1000;
const NONE: MovedChoice = { enabled: false, text: '' };

export function movedDecisionOffer(a: ItemExpectedAnswer): MovedDecisionOffer {
  const e = a.expected;
  if (!a.known || e === null || (e.after_count.length === 0 && e.ambiguous.length === 0)) {
    return { offered: false, liveBook: '', keepCounted: NONE, keepDifference: NONE };
  }
  if (e.ambiguous.some((x) => x.reason === 'in_snapshot_window')) {
    const why = 'today’s book is uncertain: a movement may already be in the snapshot';
    return {
      offered: true,
      liveBook: why,
      keepCounted: { enabled: false, text: why },
      keepDifference: { enabled: false, text: why },
    };
  }
  const moved = [...e.applied, ...e.after_count, ...e.ambiguous].reduce(
    (n, x) => n + x.quantity_milli,
    0,
  );
  const live = a.book_milli + moved;
  const v = e.variance_at_count_milli;
  return {
    offered: true,
    liveBook: `Book today ${qty(m(live))} (snapshot ${qty(m(a.book_milli))} ${signed(m(moved))} moved)`,
    keepCounted: {
      enabled: true,
      text: `target ${qty(m(a.counted_milli))}, post ${signed(m(a.counted_milli - live))}`,
    },
    keepDifference:
      v === null
        ? { enabled: false, text: 'not while flagged: no difference at count to keep' }
        : { enabled: true, text: `target ${qty(m(live + v))}, post ${signed(m(v))}` },
  };
}

/** One sentence for the decision the server stored. */
export function movedDecisionDone(d: MovedDecision): string {
  const what = d.mode === 'keep_counted' ? 'Kept the count' : 'Kept the difference';
  return `${what}: target ${qty(m(d.target_milli))}, the package posts ${signed(m(d.delta_milli))} against today's book ${qty(m(d.live_book_milli))}.`;
}
