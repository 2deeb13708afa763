/**
 * The dashboards' count-quality charts (issue #16 item 5, docs/design.md §12 "Count quality"):
 * chart rows cut from the `count_quality` report's JSON rows.
 */
import type { CountQualityRow } from '@stockverify/shared';

export interface CounterQuality {
  label: string;
  /** Bins the counter counted first. */
  bins: number;
  first_count_accuracy: number | null;
  recount_rate: number | null;
  overturn_rate: number | null;
  recount_counts: number;
}

export interface SessionQuality {
  label: string;
  bins: number;
  open_bins: number;
  first_count_accuracy: number | null;
  recount_rate: number | null;
  overturn_rate: number | null;
  mean_minutes_to_settle: number | null;
}

/**
 * Per counter: those who counted at least one bin first (someone who only recounted has no
 * first counts to measure), worst accuracy first so the chart starts with who needs help.
 */
export function counterQuality(rows: readonly CountQualityRow[]): CounterQuality[] {
  return rows
    .filter((r) => r.level === 'counter' && r.bins > 0)
    .map((r) => ({
      label: r.username ?? r.user_id ?? '?',
      bins: r.bins,
      first_count_accuracy: r.first_count_accuracy,
      recount_rate: r.recount_rate,
      overturn_rate: r.overturn_rate,
      recount_counts: r.recount_counts,
    }))
    .sort(
      (a, b) =>
        (a.first_count_accuracy ?? 101) - (b.first_count_accuracy ?? 101) ||
        a.label.localeCompare(b.label),
    );
}

/** Per session with bins, in the report's order (oldest first). */
export function sessionQuality(rows: readonly CountQualityRow[]): SessionQuality[] {
  return rows
    .filter((r) => r.level === 'session' && r.bins > 0)
    .map((r) => ({
      label: r.session_name ?? r.session_id ?? '?',
      bins: r.bins,
      open_bins: r.open_bins,
      first_count_accuracy: r.first_count_accuracy,
      recount_rate: r.recount_rate,
      overturn_rate: r.overturn_rate,
      mean_minutes_to_settle: r.mean_minutes_to_settle,
    }));
}

/** A percentage or a dash. */
export function pct(value: number | null): string {
  return value === null ? '—' : `${value.toFixed(value % 1 === 0 ? 0 : 2)} %`;
}
