/**
 * What the lines panel says of a line's item at count (issue #17, docs/design.md §13 "Review at
 * count"): the variances list's cell (figure or range, status chip) for the line's item, plus
 * whether the movements explain the snapshot variance that flagged the line — the `at_count`
 * filter's class, in words. Pure, so unit-tested.
 */
import {
  lineAtCountClass,
  type LineAtCountFilter,
  type LineItemAtCount,
} from '@stockverify/shared';
import { atCountCell, type AtCountCell } from './at-count-words';

/** The lines panel's `at_count` filter: a label for each choice, in the select's order. */
export const LINE_AT_COUNT_FILTER_LABELS: Record<LineAtCountFilter, string> = {
  explained: 'Explained at count',
  unexplained: 'Not explained at count',
  unresolved: 'Unresolved (pending, flagged, unknown)',
};

export interface LineAtCountView extends AtCountCell {
  /** The `at_count` filter the line falls in. */
  verdict: LineAtCountFilter;
  /** The verdict's word beside the chip; empty while unresolved (the chip says why). */
  verdictWord: '' | 'explained' | 'not explained';
  verdictClass: string;
}

/**
 * The line's item at count in words; null when the server sent none (no ERP watermark with the
 * session, or a server from before review read it).
 */
export function lineAtCountView(at: LineItemAtCount | null | undefined): LineAtCountView | null {
  if (!at) return null;
  const cell = atCountCell({
    at_count_status: at.status,
    variance_at_count: at.variance_at_count,
    variance_at_count_low: at.variance_at_count_low,
    variance_at_count_high: at.variance_at_count_high,
    at_count_provisional: at.provisional,
  });
  const verdict = lineAtCountClass(at);
  if (verdict === 'explained') {
    return {
      ...cell,
      verdict,
      verdictWord: 'explained',
      verdictClass: 'badge ok',
      title: `${cell.title} Within the item's rule: the movements explain the snapshot variance.`,
    };
  }
  if (verdict === 'unexplained') {
    return {
      ...cell,
      verdict,
      verdictWord: 'not explained',
      verdictClass: 'badge warn',
      title: `${cell.title} Beyond the item's rule even against the book when counted.`,
    };
  }
  return { ...cell, verdict, verdictWord: '', verdictClass: '' };
}
