const qtyFormat = new Intl.NumberFormat('en', { maximumFractionDigits: 3 });
const moneyFormat = new Intl.NumberFormat('en', {
  minimumFractionDigits: 2,
  maximumFractionDigits: 2,
});

/** A quantity with up to 3 decimals; an em dash for nothing. */
export const qty = (n: number | null | undefined): string =>
  n === null || n === undefined ? '—' : qtyFormat.format(n);

export const money = (n: number | null | undefined): string =>
  n === null || n === undefined ? '—' : moneyFormat.format(n);

/** `+3`, `-2`, `0`: variances read better signed. */
export const signed = (n: number | null | undefined): string =>
  n === null || n === undefined ? '—' : n > 0 ? `+${qty(n)}` : qty(n);

/** `2026-11-29 10:05` in the computer's time zone. */
export function dateTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '—';
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** `12 s ago`, `4 min ago`, `2 h ago`. */
export function ago(ms: number | null, now: number): string {
  if (ms === null) return '—';
  const s = Math.max(0, Math.round((now - ms) / 1000));
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  return `${Math.floor(s / 3600)} h ago`;
}

/** "1 line", "3 lines": a count and its noun, singular when it is one. */
export function countOf(n: number, singular: string, plural = `${singular}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? singular : plural}`;
}
