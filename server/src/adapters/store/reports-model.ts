/**
 * Which reports the session read model answers (issue #13), the same rule for both Store
 * adapters: user_activity from the per (session, counter) rows and session_history from the
 * per-session rows, unless a line filter asks for figures the model does not keep — a floor's
 * racks or a category (and, for session_history, one counter's share of each session). Those
 * still aggregate the lines.
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
