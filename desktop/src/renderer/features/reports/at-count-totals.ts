/**
 * What the console says of a variance total at count (issue #17, docs/design.md §13 "Reports"),
 * beside the snapshot variance: the report's totals and the session detail's figures both sum the
 * variance at count over the items whose expected at count is exact, so the words say which items
 * the sum leaves out and why. Pure, so unit-tested.
 */
import type { AtCountRows } from '@stockverify/shared';
import { countOf, money, signed } from '../../ui/format';

export interface AtCountTotalsInput {
  variance_at_count: number;
  value_at_count_cost: number;
  /** Items (report rows) by status at count. */
  rows: AtCountRows;
}

export interface AtCountTotalsText {
  /** Label and shown value, in order. */
  figures: Array<[string, string]>;
  /** One or two sentences on what the sum leaves out; null when every item is exact. */
  note: string | null;
}

export function atCountTotalsText(input: AtCountTotalsInput): AtCountTotalsText {
  const { exact, ambiguous, unknown, pending } = input.rows;
  const all = exact + ambiguous + unknown + pending;
  const unresolved = ambiguous + unknown + pending;
  const figures: Array<[string, string]> = [
    ['Variance at count (exact items)', signed(input.variance_at_count)],
    ['Value at count (cost, exact items)', money(input.value_at_count_cost)],
    [
      'Items not resolved at count',
      `${unresolved.toLocaleString('en-US')} of ${all.toLocaleString('en-US')}`,
    ],
  ];
  if (all === 0 || unresolved === 0) return { figures, note: null };
  if (unknown === all) {
    return {
      figures,
      note:
        'Nothing is known at count: without an ERP watermark no movements were read, so the ' +
        'snapshot variance is the only variance here.',
    };
  }
  const parts: string[] = [];
  if (ambiguous > 0)
    parts.push(
      `${countOf(ambiguous, 'item')} ambiguous (a movement could not be ordered against the count)`,
    );
  if (unknown > 0)
    parts.push(`${countOf(unknown, 'item')} unknown (no ERP watermark, or too much to compute)`);
  if (pending > 0) parts.push(`${countOf(pending, 'item')} still being computed`);
  return {
    figures,
    note: `The variance at count sums the ${countOf(exact, 'exact item')} only; left out: ${parts.join('; ')}.`,
  };
}
