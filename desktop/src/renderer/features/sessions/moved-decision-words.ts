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

/** A refused decision as the client's ApiError carries it (code, message, details, extra). */
export interface DecisionRefusal {
  status: number;
  code: string;
  message: string;
  details: ReadonlyArray<{ path: string; message: string }>;
  /** The error object's other fields: the server names the refused item and mode. */
  extra: Record<string, unknown>;
}

/**
 * The server's refusal of a decision in words (design §13): which item, and why nothing can be
 * decided for it (MOVED_DECISION_AMBIGUOUS / NOT_MOVED / UNKNOWN, SESSION_CLOSED). In bulk the
 * batch is all or none, so it says nothing was decided.
 */
export function movedRefusalWords(e: DecisionRefusal, options: { bulk?: boolean } = {}): string {
  const item = typeof e.extra.item_code === 'string' ? e.extra.item_code : 'The item';
  let words: string;
  switch (e.code) {
    case 'MOVED_DECISION_AMBIGUOUS':
      // Refused for both modes when a movement may be in the snapshot's book (the server's
      // message says so), for keep_difference alone when a movement cannot be ordered.
      words =
        e.extra.mode === 'keep_counted' || /snapshot/.test(e.message)
          ? `${item} cannot be decided: today’s book is uncertain, a movement may already be in the snapshot’s book.`
          : `${item} cannot keep the difference: a movement cannot be ordered against its count, so there is no difference at count to keep. Keep the count instead, or settle the ambiguity first.`;
      break;
    case 'MOVED_DECISION_NOT_MOVED':
      words = `${item} did not move after it was counted: there is nothing to decide, its variance at count stands.`;
      break;
    case 'MOVED_DECISION_UNKNOWN':
      words = `${item} has no known variance at count (not counted, no ERP watermark with the session, or too many movements): there is nothing to decide against.`;
      break;
    case 'SESSION_CLOSED':
      words = 'The session is reconciled: its decisions can no longer change.';
      break;
    default: {
      const fields = e.details
        .slice(0, 3)
        .map((d) => `${d.path}: ${d.message}`)
        .join('; ');
      return fields === '' ? e.message : `${e.message} (${fields})`;
    }
  }
  return options.bulk && e.code !== 'SESSION_CLOSED'
    ? `Nothing was decided (all or none): ${words}`
    : words;
}

/** One sentence for the decisions of a bulk request (one mode for all). */
export function movedBulkDone(decisions: readonly MovedDecision[]): string {
  if (decisions.length === 0) return 'Nothing was decided.';
  const what = decisions[0]!.mode === 'keep_counted' ? 'Kept the count' : 'Kept the difference';
  const n = decisions.length;
  const posts = decisions.map((d) => `${d.item_code} posts ${signed(m(d.delta_milli))}`);
  const shown = posts.slice(0, 5).join(', ') + (n > 5 ? `, and ${n - 5} more` : '');
  return `${what} of ${n} ${n === 1 ? 'item' : 'items'}: ${shown}.`;
}
