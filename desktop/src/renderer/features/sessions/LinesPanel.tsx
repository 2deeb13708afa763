import { LINE_AT_COUNT_FILTERS, LINE_STATUSES, countLinePageSchema } from '@stockverify/shared';
import type { CountLine, LineAtCountFilter } from '@stockverify/shared';
import { useRef, useState } from 'react';
import { errorText } from '../../api/client';
import { reviewLine } from '../../api/review';
import { useConsole } from '../../context';
import { countOf, dateTime, qty, signed } from '../../ui/format';
import { useLoad } from '../../ui/hooks';
import { Status } from '../../ui/Status';
import { binHref } from '../recounts/recount-words';
import { LineDrawer } from './LineDrawer';
import { LINE_AT_COUNT_FILTER_LABELS, lineAtCountView } from './line-at-count-words';

const PAGE_SIZE = 100;

/** Count lines with review actions; lines needing review are shown first by default. */
export function LinesPanel({ sessionId, onReviewed }: { sessionId: string; onReviewed(): void }) {
  const { client } = useConsole();
  const [status, setStatus] = useState<string>('NEEDS_REVIEW');
  const [varianceOnly, setVarianceOnly] = useState(false);
  // The item at count (design §13): lines whose snapshot variance the movements explain.
  const [atCount, setAtCount] = useState<LineAtCountFilter | ''>('');
  const [page, setPage] = useState(1);
  const [notes, setNotes] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const [ok, setOk] = useState<string | null>(null);
  const [detail, setDetail] = useState<CountLine | null>(null);
  const detailButtons = useRef(new Map<string, HTMLButtonElement>());
  const tableRef = useRef<HTMLTableElement>(null);
  const [lines, reload] = useLoad(
    () =>
      client.read(countLinePageSchema, `/sessions/${encodeURIComponent(sessionId)}/lines`, {
        page,
        page_size: PAGE_SIZE,
        status,
        has_variance: varianceOnly ? 'true' : undefined,
        at_count: atCount || undefined,
      }),
    [client, sessionId, status, varianceOnly, atCount, page],
  );

  async function review(line: CountLine, decision: 'approve' | 'reject' | 'recount') {
    setError(null);
    setOk(null);
    const row = lines.value?.items.indexOf(line) ?? 0;
    const note = notes[line.id]?.trim();
    try {
      await reviewLine(client, line.id, { decision, ...(note ? { note } : {}) });
      await reload();
      onReviewed();
      // The reviewed row may be gone: keep the keyboard user's place (issue #14), on the same
      // row's review actions (now the next line) or else on the table; then say what was done,
      // once the list and the focus are where the user continues (said before the list had
      // reloaded, the message came while the focus was still on its way).
      setTimeout(() => {
        const rows = tableRef.current?.querySelectorAll<HTMLElement>('tbody tr') ?? [];
        const target =
          rows[Math.min(row, rows.length - 1)]?.querySelector<HTMLElement>(
            'button[aria-label^="Approve "]',
          ) ?? tableRef.current;
        target?.focus();
        setOk(
          `${line.item_code} on ${line.rack}: ${decision === 'approve' ? 'approved' : decision === 'reject' ? 'rejected' : 'sent for recount'}.`,
        );
      }, 0);
    } catch (e) {
      setError(errorText(e));
    }
  }

  const data = lines.value;
  const pages = data ? Math.max(1, Math.ceil(data.total / PAGE_SIZE)) : 1;
  return (
    <section className="panel">
      <div className="filters" role="group" aria-label="Filter lines">
        <label>
          Status
          <select
            value={status}
            onChange={(e) => {
              setStatus(e.target.value);
              setPage(1);
            }}
          >
            <option value="">Any</option>
            {LINE_STATUSES.map((s) => (
              <option key={s} value={s}>
                {s.toLowerCase().replace('_', ' ')}
              </option>
            ))}
          </select>
        </label>
        <label className="check">
          <input
            type="checkbox"
            checked={varianceOnly}
            onChange={(e) => {
              setVarianceOnly(e.target.checked);
              setPage(1);
            }}
          />
          Only lines with a variance
        </label>
        <label>
          At count{' '}
          <select
            aria-label="Filter by the item at count"
            value={atCount}
            onChange={(e) => {
              setAtCount(e.target.value as LineAtCountFilter | '');
              setPage(1);
            }}
          >
            <option value="">Any</option>
            {LINE_AT_COUNT_FILTERS.map((f) => (
              <option key={f} value={f}>
                {LINE_AT_COUNT_FILTER_LABELS[f]}
              </option>
            ))}
          </select>
        </label>
      </div>
      <Status error={error ?? (lines.state === 'error' ? lines.error : null)} ok={ok} />
      <table className="grid" aria-label="Count lines" ref={tableRef} tabIndex={-1}>
        <thead>
          <tr>
            <th scope="col">Rack</th>
            <th scope="col">Item</th>
            <th scope="col" className="num">
              Book
            </th>
            <th scope="col" className="num">
              Counted
            </th>
            <th scope="col" className="num">
              Damaged
            </th>
            <th scope="col" className="num">
              Variance
            </th>
            <th scope="col" className="num">
              At count
            </th>
            <th scope="col">Why flagged</th>
            <th scope="col">Counter</th>
            <th scope="col">Counted at</th>
            <th scope="col">Status</th>
            <th scope="col">Review</th>
          </tr>
        </thead>
        <tbody>
          {data?.items.length === 0 && (
            <tr>
              <td colSpan={12}>No lines match.</td>
            </tr>
          )}
          {data?.items.map((line) => (
            <tr key={line.id} data-line={line.item_code}>
              <td>{line.rack}</td>
              <td>
                <span className="mono">{line.item_code}</span>
                {line.item_name && <span className="item-name"> {line.item_name}</span>}
              </td>
              <td className="num">{qty(line.book_qty)}</td>
              <td className="num">{qty(line.counted_qty)}</td>
              <td className="num">{qty(line.damaged_qty + line.non_returnable_damaged_qty)}</td>
              <td className={`num ${line.variance < 0 ? 'neg' : line.variance > 0 ? 'pos' : ''}`}>
                {signed(line.variance)}
              </td>
              <LineAtCountCell line={line} />
              <td>{line.review_reasons.join(', ') || '—'}</td>
              <td>{line.counted_by_name}</td>
              <td>{dateTime(line.counted_at)}</td>
              <td>{line.status.toLowerCase().replace('_', ' ')}</td>
              <td className="actions">
                <button
                  type="button"
                  className="secondary"
                  ref={(el) => {
                    if (el) detailButtons.current.set(line.id, el);
                    else detailButtons.current.delete(line.id);
                  }}
                  onClick={() => setDetail(line)}
                  aria-label={`Details of ${line.item_code} on ${line.rack}`}
                >
                  Details
                </button>
                <input
                  aria-label={`Review note for ${line.item_code} on ${line.rack}`}
                  placeholder="Note"
                  value={notes[line.id] ?? ''}
                  maxLength={500}
                  onChange={(e) => setNotes((n) => ({ ...n, [line.id]: e.target.value }))}
                />
                <button
                  type="button"
                  onClick={() => void review(line, 'approve')}
                  aria-label={`Approve ${line.item_code} on ${line.rack}`}
                >
                  Approve
                </button>
                <button
                  type="button"
                  className="danger"
                  onClick={() => void review(line, 'reject')}
                  aria-label={`Reject ${line.item_code} on ${line.rack}`}
                >
                  Reject
                </button>
                <button
                  type="button"
                  className="secondary"
                  onClick={() => void review(line, 'recount')}
                  aria-label={`Recount ${line.item_code} on ${line.rack}`}
                >
                  Recount
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {detail && (
        <LineDrawer
          line={detail}
          binHref={binHref(sessionId, detail.rack, detail.item_code)}
          onClose={() => {
            const back = detailButtons.current.get(detail.id);
            setDetail(null);
            // After the modal drawer is gone (the page is inert while it is open).
            setTimeout(() => back?.focus(), 0);
          }}
        />
      )}
      <div className="toolbar" role="group" aria-label="Pages">
        <button type="button" disabled={page <= 1} onClick={() => setPage((p) => p - 1)}>
          Previous page
        </button>
        <span>
          Page {page} of {pages} ({countOf(data?.total ?? 0, 'line')})
        </span>
        <button type="button" disabled={page >= pages} onClick={() => setPage((p) => p + 1)}>
          Next page
        </button>
      </div>
    </section>
  );
}

/**
 * The line's item at count beside its snapshot variance (design §13): the figure or range, the
 * status chip, and "explained" when the movements account for the variance within its rule.
 */
function LineAtCountCell({ line }: { line: CountLine }) {
  const v = lineAtCountView(line.item_at_count);
  if (!v) {
    return (
      <td className="num" data-col="at-count" title="No ERP watermark with this session">
        —
      </td>
    );
  }
  return (
    <td
      className="num"
      data-col="at-count"
      data-verdict={v.verdict}
      title={v.title}
      style={{ whiteSpace: 'nowrap' }}
    >
      <span className={v.tone}>{v.figure}</span>{' '}
      <span
        className={v.chipClass}
        data-status={v.chip}
        // Pending and unknown: a neutral chip, as in the variances list.
        style={v.chipClass === 'badge' ? { background: '#e2e8f0' } : undefined}
      >
        {v.chip}
        {v.provisional && ', provisional'}
      </span>
      {v.verdictWord && (
        <>
          {' '}
          <span className={v.verdictClass}>{v.verdictWord}</span>
        </>
      )}
    </td>
  );
}
