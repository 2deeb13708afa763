/**
 * Which reports the session read model answers (issue #13): user_activity from the per (session,
 * counter) rows and session_history from the per-session rows, unless a line filter asks for
 * figures the model does not keep — a floor's racks or a category (and, for session_history, one
 * counter's share of each session). Those still aggregate the lines. The per-item rows also answer
 * the stock summary and the variance report's totals (`itemsAnswer`); the variance report's rows
 * list each item's racks, counters, reasons and statuses, which the model does not keep.
 */
import type { ReportType } from '@stockverify/shared';
import type { ReportScope } from '../../ports/reports';

export function modelAnswers(
  type: ReportType,
  scope: Pick<ReportScope, 'racks' | 'category' | 'user'>,
): boolean {
  const lineFilter = scope.racks !== undefined || scope.category !== undefined;
  if (type === 'user_activity') return !lineFilter;
  if (type === 'session_history') return !lineFilter && scope.user === undefined;
  return false;
}

/**
 * Whether the per-item rows (rm_items: each counted item's sums, variance and values) answer a
 * report's per-item figures: not under a floor or counter filter, which take a share of an
 * item's lines. A category keeps or drops whole items, so the model answers it.
 */
export function itemsAnswer(scope: Pick<ReportScope, 'racks' | 'user'>): boolean {
  return scope.racks === undefined && scope.user === undefined;
}
