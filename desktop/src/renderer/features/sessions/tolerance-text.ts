import type { LineTolerance } from '@stockverify/shared';

const qtyFormat = new Intl.NumberFormat('en', { maximumFractionDigits: 3 });
const moneyFormat = new Intl.NumberFormat('en', {
  minimumFractionDigits: 2,
  maximumFractionDigits: 2,
});

const SCOPES: Record<LineTolerance['rule_scope'], string> = {
  item: 'item rule',
  category: 'category rule',
  value_band: 'value-band rule',
  abc_class: 'ABC-class rule',
  warehouse: 'warehouse rule',
  everything: 'rule for everything',
};

const ACTIONS: Record<LineTolerance['action'], string> = {
  accept: 'within tolerance: accepted',
  recount: 'blind recount by another counter',
  approve: 'supervisor approval',
};

/** `5 units, 10 %, 50.00 at cost`: the limits of the side that applied. */
function limits(t: LineTolerance['thresholds']): string {
  const parts = [
    t.units !== undefined ? `${qtyFormat.format(t.units)} units` : null,
    t.percent !== undefined ? `${qtyFormat.format(t.percent)} % of book` : null,
    t.value !== undefined ? `${moneyFormat.format(t.value)} at cost` : null,
  ].filter((p): p is string => p !== null);
  return parts.length > 0 ? parts.join(', ') : 'no limit';
}

/**
 * The tolerance decision of a line in words, for the line drawer (issue #16, docs/design.md §12):
 * which rule decided (id, version, scope, the session's rule-set version), what it decided, and
 * the limits of the side that applied. Null for a line from before rule sets.
 */
export function toleranceText(t: LineTolerance | null | undefined): string | null {
  if (!t) return null;
  const set =
    t.rule_set_version === null ? 'session without a rule set' : `rule set v${t.rule_set_version}`;
  const rule = `${t.rule_id} v${t.rule_version} (${SCOPES[t.rule_scope]}; ${set})`;
  const decided = t.within
    ? ACTIONS.accept
    : `outside on ${t.exceeded_by.join(', ')} → ${ACTIONS[t.action]}`;
  const side =
    t.direction === 'none' ? 'counted as booked' : `${t.direction} limits: ${limits(t.thresholds)}`;
  return `${rule} · ${decided} · ${side}`;
}
