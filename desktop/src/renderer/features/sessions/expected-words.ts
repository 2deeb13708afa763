/**
 * What the console says of an item's expected at count (issue #17, docs/design.md §13): the
 * snapshot variance beside the variance against the book at the moment of the count, the
 * movements that explain the difference, the flag when one cannot be ordered, and the hints.
 * Pure, so the words are unit-tested.
 */
import type { ItemExpectedAnswer, RootCauseHint } from '@stockverify/shared';
import { qty, signed } from '../../ui/format';

export interface ExpectedWords {
  snapshot: string;
  /** The variance at count, a range when flagged, or an em dash when unknown. */
  atCount: string;
  /** One sentence: why unknown, flagged, or what explains the difference. */
  note: string;
  /** The movements as evidence, one line each. */
  evidence: string[];
  hints: string[];
}

const m = (milli: number): number => milli / 1000;
const time = (iso: string): string => iso.slice(11, 19);

const UNKNOWN: Record<NonNullable<ItemExpectedAnswer['unknown_reason']>, string> = {
  no_watermark:
    'Expected at count unknown: the session recorded no ERP ledger watermark with its snapshot.',
  no_counts: 'Nothing of this item counts yet.',
  too_many: 'Too many movements or lines to compute in one answer.',
};

const REASON: Record<string, string> = {
  within_uncertainty: 'within the count’s time uncertainty',
  between_counts: 'between two counts, no rack says which saw it',
  unplaced: 'no rack to place it in',
  in_snapshot_window: 'posted while the snapshot was read: it may be in the book',
};

type Evidence = { doc_type: string; doc_no: string; quantity_milli: number; posted_at: string };
const movementText = (e: Evidence): string =>
  `${e.doc_type} ${e.doc_no} ${signed(m(e.quantity_milli))} at ${time(e.posted_at)}`;

export function hintWords(h: RootCauseHint): string {
  switch (h.kind) {
    case 'movement_near_count':
      return `Movement near the count: ${h.evidence.movements
        .slice(0, 3)
        .map((x) => `${movementText(x)} (${Math.round(x.distance_ms / 1000)} s away)`)
        .join('; ')}`;
    case 'pack_multiple':
      return `Pack of ${qty(m(h.evidence.pack_size_milli))}: ${
        h.evidence.reading === 'whole_packs'
          ? `${signed(h.evidence.packs)} whole packs`
          : h.evidence.reading === 'pack_counted_as_unit'
            ? `${h.evidence.packs} packs counted as units`
            : `${h.evidence.packs} units counted as packs`
      }`;
    case 'mirror_adjacent_rack':
      return `Mirror in ${h.evidence.neighbour_rack}: ${signed(m(h.evidence.neighbour_variance_milli))}`;
    case 'serial_elsewhere':
      return `Serial ${h.evidence.serial} seen elsewhere`;
    case 'earlier_sessions':
      return `Variance in ${h.evidence.sessions.length} earlier sessions (${h.evidence.same_direction} the same way)`;
    case 'uom_factor':
      return `Counted in another unit? counted = book × ${qty(h.evidence.factor)}`;
  }
}

export function expectedWords(a: ItemExpectedAnswer): ExpectedWords {
  const snapshot = signed(m(a.snapshot_variance_milli));
  const hints = a.hints.map(hintWords);
  const e = a.expected;
  if (!a.known || e === null) {
    return {
      snapshot,
      atCount: '—',
      note: UNKNOWN[a.unknown_reason ?? 'no_watermark'],
      evidence: [],
      hints,
    };
  }
  const provisional = e.provisional ? ' Provisional: movements may still arrive.' : '';
  if (e.status === 'ambiguous') {
    return {
      snapshot,
      atCount: `${signed(m(e.variance_at_count_low_milli))} … ${signed(m(e.variance_at_count_high_milli))}`,
      note: `Flagged, not guessed: ${e.ambiguous.length === 1 ? 'a movement' : `${e.ambiguous.length} movements`} cannot be ordered against the count.${provisional}`,
      evidence: [
        ...e.ambiguous.map((x) => `${movementText(x)}: ${REASON[x.reason] ?? x.reason}`),
        ...e.applied.map((x) => `${movementText(x)}: before the count`),
      ],
      hints,
    };
  }
  const moved = e.applied.length;
  return {
    snapshot,
    atCount: signed(m(e.variance_at_count_milli ?? 0)),
    note:
      (moved === 0
        ? 'No movement between the snapshot and the count.'
        : `The book moved ${signed(m((e.expected_milli ?? 0) - e.book_milli))} between the snapshot and the count.`) +
      provisional,
    evidence: e.applied.map((x) => `${movementText(x)}: before the count`),
    hints,
  };
}
