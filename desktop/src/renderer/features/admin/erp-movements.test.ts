import { describe, expect, it } from 'vitest';
import type { ErpMovementStatus } from '@stockverify/shared';
import { lagText, movementsText } from './erp-movements';

const at = (iso: string | null) => (iso === null ? '—' : `<${iso.slice(11, 16)}>`);
const base: ErpMovementStatus = {
  watermark: '1234',
  last_pull_at: '2026-12-06T10:02:00.000Z',
  newest_posted_at: '2026-12-06T10:01:15.000Z',
  lag_ms: 45_000,
  count: 1234,
  interval_ms: 60_000,
  mirror_watermark: '1000',
  last_result: { pages: 1, received: 3, inserted: 3, more: false, duration_ms: 12 },
  last_error: null,
  last_error_at: null,
};

describe('ERP movements line', () => {
  it('shows watermark, count, last pull and lag', () => {
    expect(movementsText(base, at)).toBe(
      'watermark 1234 · 1,234 movements · last pull <10:02> · lag 45 s',
    );
  });

  it('says when nothing was pulled yet, or the pull is off, and shows the last failure', () => {
    const fresh = { ...base, last_pull_at: null, interval_ms: null };
    expect(movementsText(fresh, at)).toBe('not pulled yet (pulled while a session is open)');
    expect(movementsText({ ...fresh, interval_ms: 0 }, at)).toMatch(/ERP_MOVEMENTS_INTERVAL_MS=0/);
    expect(
      movementsText(
        { ...base, last_error: 'connect ETIMEDOUT', last_error_at: '2026-12-06T10:03:00.000Z' },
        at,
      ),
    ).toMatch(/— last pull failed: connect ETIMEDOUT \(<10:03>\)$/);
    expect(movementsText({ ...base, watermark: null, lag_ms: null, count: 0 }, at)).toBe(
      'watermark none yet · 0 movements · last pull <10:02> · no movement yet',
    );
  });

  it('formats lag in seconds, minutes and hours', () => {
    expect(lagText(0)).toBe('0 s');
    expect(lagText(59_400)).toBe('59 s');
    expect(lagText(12 * 60_000 + 5_000)).toBe('12 min');
    expect(lagText((3 * 60 + 5) * 60_000)).toBe('3 h 05 min');
  });
});
