import {
  AT_COUNT_STATUSES,
  AUDIT_TRAIL_FILTERS,
  HINT_KINDS,
  REPORT_TITLES,
  REPORT_TYPES,
  STOCK_SUMMARY_GROUPS,
  reportRequestSchema,
} from '@stockverify/shared';
import type {
  AtCountStatus,
  HintKind,
  ReportFilters,
  ReportPage,
  ReportRequestInput,
  ReportType,
  StockSummaryGroup,
} from '@stockverify/shared';
import { filterSummary } from '@stockverify/shared/spreadsheet';
import { useMemo, useRef, useState } from 'react';
import type { FormEvent } from 'react';
import { errorText } from '../../api/client';
import { generateReport } from '../../api/reports';
import { useConsole } from '../../context';
import { dateTime, money, qty } from '../../ui/format';
import { Status } from '../../ui/Status';
import { SearchPicker } from '../../ui/SearchPicker';
import type { PickerOption } from '../../ui/SearchPicker';
import { searchSessions, searchUsers } from '../../ui/pickers';
import { AT_COUNT_STATUS_LABELS, HINT_LABELS } from '../sessions/at-count-words';
import { atCountTotalsText } from './at-count-totals';
import type { ReportFormat } from './report-job';
import { startReportWorker } from './run-in-worker';
import type { WorkerJob } from './run-in-worker';

const FILTER_FIELDS = ['warehouse', 'floor', 'category', 'user', 'session', 'from', 'to'] as const;
type FilterField = (typeof FILTER_FIELDS)[number];
const FILTER_LABELS: Record<FilterField, string> = {
  warehouse: 'Warehouse',
  floor: 'Floor',
  category: 'Category',
  user: 'User',
  session: 'Session',
  from: 'From (date)',
  to: 'Before (date)',
};

/** The variance report's filters on the items' figures at count (issue #17); '' is any. */
export interface AtCountFilterForm {
  at_count_status: '' | AtCountStatus;
  hint: '' | HintKind;
}

const NO_AT_COUNT_FILTER: AtCountFilterForm = { at_count_status: '', hint: '' };

/** The request from the form, validated with the shared schema (clear errors with field paths). */
export function buildReportRequest(
  type: ReportType,
  groupBy: StockSummaryGroup,
  form: Record<FilterField, string>,
  atCountForm: AtCountFilterForm = NO_AT_COUNT_FILTER,
): { ok: true; request: ReportRequestInput } | { ok: false; error: string } {
  const filters: ReportFilters = {};
  // Only the variance report filters by them; other types would refuse them.
  if (type === 'variance') {
    if (atCountForm.at_count_status !== '') filters.at_count_status = atCountForm.at_count_status;
    if (atCountForm.hint !== '') filters.hint = atCountForm.hint;
  }
  for (const field of FILTER_FIELDS) {
    const value = form[field].trim();
    if (value === '') continue;
    if (type === 'audit_trail' && !(AUDIT_TRAIL_FILTERS as readonly string[]).includes(field)) {
      continue;
    }
    filters[field] =
      field === 'from' || field === 'to'
        ? /^\d{4}-\d{2}-\d{2}$/.test(value)
          ? `${value}T00:00:00.000Z`
          : value
        : value;
  }
  const request: ReportRequestInput = {
    type,
    filters,
    ...(type === 'stock_summary' ? { group_by: groupBy } : {}),
  };
  const parsed = reportRequestSchema.safeParse(request);
  if (!parsed.success) {
    return {
      ok: false,
      error: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '),
    };
  }
  return { ok: true, request };
}

/** Totals shown in their own block, with words (at-count-totals.ts). */
const AT_COUNT_TOTAL_KEYS: ReadonlySet<string> = new Set([
  'variance_at_count',
  'value_at_count_cost',
  'at_count_rows',
]);

type Job =
  | { state: 'idle' }
  | { state: 'running'; format: ReportFormat; rows: number; total: number | null }
  | { state: 'done'; message: string }
  | { state: 'failed'; message: string };

function cell(value: unknown, kind: string): string {
  if (value === null || value === undefined) return '';
  if (kind === 'date' && typeof value === 'string') return dateTime(value);
  if (typeof value === 'number') return kind === 'money' ? money(value) : qty(value);
  return String(value);
}

/** Every report type with filters: a preview from the server, and files made on this computer. */
export function ReportsScreen() {
  const { client, platform } = useConsole();
  const [type, setType] = useState<ReportType>('variance');
  const [groupBy, setGroupBy] = useState<StockSummaryGroup>('item');
  const [form, setForm] = useState<Record<FilterField, string>>({
    warehouse: '',
    floor: '',
    category: '',
    user: '',
    session: '',
    from: '',
    to: '',
  });
  const [atCountForm, setAtCountForm] = useState<AtCountFilterForm>(NO_AT_COUNT_FILTER);
  const [preview, setPreview] = useState<ReportPage | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [job, setJob] = useState<Job>({ state: 'idle' });
  const running = useRef<WorkerJob | null>(null);
  // Users and sessions are picked by name; the form keeps their ids (issue #14).
  const [picked, setPicked] = useState<Record<'user' | 'session', PickerOption | null>>({
    user: null,
    session: null,
  });
  const finders = useMemo(
    () => ({ user: searchUsers(client), session: searchSessions(client) }),
    [client],
  );

  async function showPreview(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setError(null);
    const built = buildReportRequest(type, groupBy, form, atCountForm);
    if (!built.ok) {
      setError(built.error);
      return;
    }
    try {
      setPreview(
        await generateReport(client, {
          ...built.request,
          page: 1,
          page_size: 50,
        }),
      );
    } catch (e) {
      setPreview(null);
      setError(errorText(e));
    }
  }

  async function save(format: ReportFormat) {
    setError(null);
    const built = buildReportRequest(type, groupBy, form, atCountForm);
    if (!built.ok) {
      setError(built.error);
      return;
    }
    // A fresh access token for the worker's requests.
    await client.get('/auth/me').catch(() => undefined);
    let columns = preview?.type === type ? preview.columns : null;
    if (columns === null) {
      try {
        const first = await generateReport(client, {
          ...built.request,
          page: 1,
          page_size: 1,
        });
        columns = first.columns;
      } catch (e) {
        setError(errorText(e));
        return;
      }
    }
    const title = REPORT_TITLES[type];
    const summary = filterSummary(built.request.filters);
    setJob({ state: 'running', format, rows: 0, total: null });
    const worker = startReportWorker(
      {
        baseUrl: client.baseUrl,
        token: client.token ?? '',
        request: built.request,
        format,
        title,
        columns,
        summary,
      },
      (rows, total) => setJob((j) => (j.state === 'running' ? { ...j, rows, total } : j)),
      // The client refreshes its access token on the 401 this call gets with an expired one.
      () => client.get('/auth/me').then(() => client.token ?? ''),
    );
    running.current = worker;
    try {
      const done = await worker.done;
      const stamp = new Date().toISOString().slice(0, 10);
      const name = `${title.toLowerCase().replace(/\s+/g, '-')}-${stamp}.${format}`;
      const saved = await platform.saveFile({
        suggestedName: name,
        kind: format,
        bytes: done.bytes as Uint8Array<ArrayBuffer>,
      });
      const rows = done.result.rows.toLocaleString('en');
      const sheets =
        format === 'xlsx' && done.result.sheets > 1 ? ` on ${done.result.sheets} sheets` : '';
      setJob({
        state: 'done',
        message: saved.saved
          ? `${saved.path ? `Saved ${saved.path}` : `Downloaded ${name}`}: ${rows} rows${sheets}.`
          : 'Not saved.',
      });
    } catch (e) {
      const message = errorText(e);
      setJob(
        message === 'cancelled'
          ? { state: 'done', message: 'Cancelled.' }
          : { state: 'failed', message },
      );
    } finally {
      running.current = null;
    }
  }

  const totals = preview?.totals;
  // The variance report's totals at count, beside the snapshot's (issue #17, design §13).
  const atCount =
    totals?.at_count_rows !== undefined
      ? atCountTotalsText({
          variance_at_count: totals.variance_at_count ?? 0,
          value_at_count_cost: totals.value_at_count_cost ?? 0,
          rows: totals.at_count_rows,
        })
      : null;
  return (
    <div className="stack">
      <section className="panel" aria-labelledby="reports-title">
        <h2 id="reports-title">Reports</h2>
        <form className="filters" onSubmit={showPreview} aria-label="Report filters" noValidate>
          <label>
            Report type
            <select
              value={type}
              onChange={(e) => {
                setType(e.target.value as ReportType);
                setPreview(null);
              }}
            >
              {REPORT_TYPES.map((t) => (
                <option key={t} value={t}>
                  {REPORT_TITLES[t]}
                </option>
              ))}
            </select>
          </label>
          {type === 'stock_summary' && (
            <label>
              Group by
              <select
                value={groupBy}
                onChange={(e) => setGroupBy(e.target.value as StockSummaryGroup)}
              >
                {STOCK_SUMMARY_GROUPS.map((g) => (
                  <option key={g} value={g}>
                    {g}
                  </option>
                ))}
              </select>
            </label>
          )}
          {FILTER_FIELDS.filter(
            (f) => type !== 'audit_trail' || (AUDIT_TRAIL_FILTERS as readonly string[]).includes(f),
          ).map((field) =>
            field === 'user' || field === 'session' ? (
              <SearchPicker
                key={field}
                label={FILTER_LABELS[field]}
                value={picked[field]}
                search={finders[field]}
                onChange={(option) => {
                  setPicked((p) => ({ ...p, [field]: option }));
                  setForm((f) => ({ ...f, [field]: option?.id ?? '' }));
                }}
              />
            ) : (
              <label key={field}>
                {FILTER_LABELS[field]}
                <input
                  type={field === 'from' || field === 'to' ? 'date' : 'text'}
                  value={form[field]}
                  onChange={(e) => setForm((f) => ({ ...f, [field]: e.target.value }))}
                />
              </label>
            ),
          )}
          {type === 'variance' && (
            <>
              <label>
                At count
                <select
                  value={atCountForm.at_count_status}
                  onChange={(e) =>
                    setAtCountForm((f) => ({
                      ...f,
                      at_count_status: e.target.value as AtCountFilterForm['at_count_status'],
                    }))
                  }
                >
                  <option value="">Any</option>
                  {AT_COUNT_STATUSES.map((v) => (
                    <option key={v} value={v}>
                      {AT_COUNT_STATUS_LABELS[v]}
                    </option>
                  ))}
                </select>
              </label>
              <label>
                Hint
                <select
                  value={atCountForm.hint}
                  onChange={(e) =>
                    setAtCountForm((f) => ({
                      ...f,
                      hint: e.target.value as AtCountFilterForm['hint'],
                    }))
                  }
                >
                  <option value="">Any</option>
                  {HINT_KINDS.map((v) => (
                    <option key={v} value={v}>
                      {HINT_LABELS[v]}
                    </option>
                  ))}
                </select>
              </label>
            </>
          )}
          <button type="submit">Preview</button>
        </form>
        {type === 'count_quality' && (
          <p className="muted" id="count-quality-hint">
            One row for everything chosen, then one per session, per zone (floor) and per counter:
            first-count accuracy over settled bins (open ones are left out), recount rate, overturn
            rate and mean minutes to settle. A counter answers for the bins they counted first; the
            user filter keeps those.
          </p>
        )}
        <div className="toolbar" role="group" aria-label="Save report">
          <button
            type="button"
            disabled={job.state === 'running'}
            onClick={() => void save('xlsx')}
          >
            Save as Excel
          </button>
          <button type="button" disabled={job.state === 'running'} onClick={() => void save('csv')}>
            Save as CSV
          </button>
          {job.state === 'running' && (
            <>
              <progress
                aria-label="Report progress"
                max={job.total ?? undefined}
                value={job.total ? job.rows : undefined}
              />
              <span role="status">
                {job.rows.toLocaleString('en')}
                {job.total !== null ? ` of ${job.total.toLocaleString('en')}` : ''} rows
              </span>
              <button type="button" onClick={() => running.current?.cancel()}>
                Cancel
              </button>
            </>
          )}
        </div>
        <Status
          error={error ?? (job.state === 'failed' ? job.message : null)}
          ok={job.state === 'done' ? job.message : null}
        />
      </section>
      {preview && (
        <section className="panel" aria-labelledby="preview-title">
          <h2 id="preview-title">
            {REPORT_TITLES[preview.type]}: {preview.total.toLocaleString('en')} rows
          </h2>
          {totals && (
            <dl className="metrics" aria-label="Report totals">
              {Object.entries(totals)
                .filter(([k]) => !AT_COUNT_TOTAL_KEYS.has(k))
                .map(([k, v]) => (
                  <div key={k}>
                    <dt>{k.replace(/_/g, ' ')}</dt>
                    <dd>
                      {typeof v === 'number' ? (k.startsWith('value') ? money(v) : qty(v)) : '—'}
                    </dd>
                  </div>
                ))}
            </dl>
          )}
          {atCount && (
            <>
              <dl className="metrics" aria-label="Report totals at count">
                {atCount.figures.map(([label, value]) => (
                  <div key={label}>
                    <dt>{label}</dt>
                    <dd>{value}</dd>
                  </div>
                ))}
              </dl>
              {atCount.note && (
                <p className="hint" id="report-at-count-note">
                  {atCount.note}
                </p>
              )}
            </>
          )}
          <div className="scroll-x">
            <table className="grid" aria-label="Report preview">
              <thead>
                <tr>
                  {preview.columns.map((c) => (
                    <th key={c.key} scope="col">
                      {c.header}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {preview.items.map((row, i) => (
                  <tr key={i}>
                    {preview.columns.map((c) => (
                      <td
                        key={c.key}
                        className={c.kind === 'text' || c.kind === 'date' ? '' : 'num'}
                      >
                        {cell((row as unknown as Record<string, unknown>)[c.key], c.kind)}
                      </td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {preview.total > preview.items.length && (
            <p className="hint">
              Showing the first {preview.items.length}; the saved file has every row.
            </p>
          )}
        </section>
      )}
    </div>
  );
}
