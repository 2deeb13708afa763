/**
 * What the variances list says of an item's variance at count (issue #17, docs/design.md §13),
 * from the read model's columns beside the snapshot variance: the figure (a range when flagged),
 * a status chip, whether a movement may still arrive, and the hint kinds. Pure, so unit-tested.
 */
import type { AtCountStatus, HintKind, SessionItemVariance } from '@stockverify/shared';
import { signed } from '../../ui/format';

export interface AtCountCell {
  /** The variance at count, `low … high` when ambiguous, an em dash when not known. */
  figure: string;
  /** Sign class of the figure (`neg`, `pos` or none), as the snapshot variance's. */
  tone: '' | 'neg' | 'pos';
  chip: AtCountStatus;
  /** The chip's badge class. */
  chipClass: string;
  /** One sentence: what the figure is. */
  title: string;
  provisional: boolean;
}

export const AT_COUNT_STATUS_LABELS: Record<AtCountStatus, string> = {
  exact: 'Exact',
  ambiguous: 'Ambiguous (flagged)',
  pending: 'Pending',
  unknown: 'Unknown',
};

export const HINT_LABELS: Record<HintKind, string> = {
  movement_near_count: 'Movement near the count',
  pack_multiple: 'Pack multiple',
  mirror_adjacent_rack: 'Mirror in the next rack',
  serial_elsewhere: 'Serial seen elsewhere',
  earlier_sessions: 'Earlier sessions',
  uom_factor: 'Unit of measure',
};

const toneOf = (n: number): AtCountCell['tone'] => (n < 0 ? 'neg' : n > 0 ? 'pos' : '');

type AtCountFields = Pick<
  SessionItemVariance,
  | 'at_count_status'
  | 'variance_at_count'
  | 'variance_at_count_low'
  | 'variance_at_count_high'
  | 'at_count_provisional'
>;

export function atCountCell(v: AtCountFields): AtCountCell {
  const provisional = v.at_count_provisional;
  const later = provisional ? ' Provisional: a movement may still arrive.' : '';
  switch (v.at_count_status) {
    case 'exact': {
      const n = v.variance_at_count ?? 0;
      return {
        figure: signed(n),
        tone: toneOf(n),
        chip: 'exact',
        chipClass: 'badge ok',
        title: `Against the book when the item was counted.${later}`,
        provisional,
      };
    }
    case 'ambiguous': {
      const low = v.variance_at_count_low;
      const high = v.variance_at_count_high;
      return {
        figure: low === null || high === null ? '—' : `${signed(low)} … ${signed(high)}`,
        tone: '',
        chip: 'ambiguous',
        chipClass: 'badge warn',
        title: `Flagged, not guessed: a movement cannot be ordered against the count; the range it allows.${later}`,
        provisional,
      };
    }
    case 'pending':
      return {
        figure: '—',
        tone: '',
        chip: 'pending',
        chipClass: 'badge',
        title: 'Being computed again: a count or a movement of this item arrived.',
        provisional,
      };
    case 'unknown':
      return {
        figure: '—',
        tone: '',
        chip: 'unknown',
        chipClass: 'badge',
        title:
          'Cannot be computed: no ERP watermark with the session, or too many lines or movements. Open the item for the reason.',
        provisional,
      };
  }
}

/** A word each, for the list's narrow cell (the filter and the cell's title say them whole). */
const HINT_SHORT: Record<HintKind, string> = {
  movement_near_count: 'movement',
  pack_multiple: 'pack',
  mirror_adjacent_rack: 'mirror',
  serial_elsewhere: 'serial',
  earlier_sessions: 'history',
  uom_factor: 'unit',
};

/** The item's hint kinds, for its cell: short words in the server's order, and whole. */
export function hintsText(kinds: readonly HintKind[]): { short: string; long: string } {
  return {
    short: kinds.map((k) => HINT_SHORT[k]).join(', '),
    long: kinds.map((k) => HINT_LABELS[k]).join(', '),
  };
}
