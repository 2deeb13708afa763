/**
 * One line for the ERP movement pull on the ERP panel (issue #17): where the pull stands, how many
 * movements are kept and how far the newest trails now.
 */
import type { ErpMovementStatus } from '@stockverify/shared';

/** "45 s", "12 min", "3 h 05 min". */
export function lagText(ms: number): string {
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min`;
}

/** "watermark 12 · 1,234 movements · last pull <time> · lag 45 s", and the last error if any. */
export function movementsText(
  m: ErpMovementStatus,
  dateTime: (iso: string | null) => string,
): string {
  if (m.last_pull_at === null) {
    return m.interval_ms === 0
      ? 'not pulled (ERP_MOVEMENTS_INTERVAL_MS=0)'
      : 'not pulled yet (pulled while a session is open)';
  }
  const parts = [
    `watermark ${m.watermark ?? 'none yet'}`,
    `${m.count.toLocaleString('en')} movement${m.count === 1 ? '' : 's'}`,
    `last pull ${dateTime(m.last_pull_at)}`,
    m.lag_ms === null ? 'no movement yet' : `lag ${lagText(m.lag_ms)}`,
  ];
  if (m.last_result?.more) parts.push('more to read');
  const line = parts.join(' · ');
  return m.last_error
    ? `${line} — last pull failed: ${m.last_error} (${dateTime(m.last_error_at)})`
    : line;
}
