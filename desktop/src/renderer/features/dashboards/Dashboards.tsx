import { useState } from 'react';
import type { ReactNode } from 'react';
import { analyticsSchema, kpisSchema } from '@stockverify/shared';
import type { SessionHistoryRow } from '@stockverify/shared';
import {
  Bar,
  BarChart,
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  ReferenceLine,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { generateReport } from '../../api/reports';
import { useConsole } from '../../context';
import { money, qty } from '../../ui/format';
import { useLoad } from '../../ui/hooks';
import { Status } from '../../ui/Status';
import { counterQuality, pct, sessionQuality } from './count-quality';

const WIDTH = 520;
const HEIGHT = 260;

/** Sessions created per day: items counted and accuracy (progress over time). */
export function progressByDay(rows: readonly SessionHistoryRow[]) {
  const days = new Map<string, { day: string; items: number; accuracySum: number; n: number }>();
  for (const row of rows) {
    const day = row.created_at.slice(0, 10);
    const d = days.get(day) ?? { day, items: 0, accuracySum: 0, n: 0 };
    d.items += row.items_counted;
    if (row.accuracy !== null) {
      d.accuracySum += row.accuracy;
      d.n++;
    }
    days.set(day, d);
  }
  return [...days.values()]
    .sort((a, b) => a.day.localeCompare(b.day))
    .map((d) => ({
      day: d.day,
      items: d.items,
      accuracy: d.n ? Math.round((d.accuracySum / d.n) * 10) / 10 : null,
    }));
}

interface TableColumn<Row> {
  header: string;
  cell: (row: Row) => string;
  numeric?: boolean;
}

/**
 * A chart with its numbers: "Show as table" swaps the picture for a table of the same rows, for
 * people who would rather read (and for screen readers).
 */
function Chart<Row>({
  title,
  rows,
  columns,
  children,
}: {
  title: string;
  rows: readonly Row[];
  columns: readonly TableColumn<Row>[];
  children: ReactNode;
}) {
  const [asTable, setAsTable] = useState(false);
  return (
    <figure className="panel chart" aria-label={title}>
      <figcaption>
        {title}{' '}
        <button
          type="button"
          className="secondary"
          aria-pressed={asTable}
          onClick={() => setAsTable((t) => !t)}
        >
          {asTable ? 'Show as chart' : 'Show as table'}
        </button>
      </figcaption>
      {asTable ? (
        <table className="grid" aria-label={title}>
          <thead>
            <tr>
              {columns.map((c) => (
                <th key={c.header} scope="col" className={c.numeric ? 'num' : undefined}>
                  {c.header}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((row, i) => (
              <tr key={i}>
                {columns.map((c) => (
                  <td key={c.header} className={c.numeric ? 'num' : undefined}>
                    {c.cell(row)}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      ) : rows.length === 0 ? (
        <p className="muted">Nothing to show yet.</p>
      ) : (
        children
      )}
    </figure>
  );
}

/** A bar axis always includes zero, so bar lengths compare honestly (issue #14). */
export const FROM_ZERO: [(min: number) => number, (max: number) => number] = [
  (min) => (min < 0 ? -roundUp(-min) : 0),
  (max) => Math.max(0, roundUp(max)),
];

/** Rounds a positive bound up to a round number (230.23 → 300, 47 → 50), for readable ticks. */
export function roundUp(n: number): number {
  if (!(n > 0)) return 0;
  const step = 10 ** Math.floor(Math.log10(n));
  return Math.ceil(n / step) * step;
}

const LABEL_WIDTH = 150;
const LABEL_CHARS = 20;

/** A label that fits the axis; the tooltip shows it whole. */
export function shortLabel(label: string): string {
  return label.length > LABEL_CHARS ? `${label.slice(0, LABEL_CHARS - 1)}…` : label;
}

/** Height of a horizontal bar chart with one readable row per label. */
export function barChartHeight(rows: number): number {
  return Math.max(HEIGHT, rows * 28 + 70);
}

/**
 * Bars laid horizontally, one labelled row per category or counter: every label is shown
 * (shortened if long, whole in the tooltip) and the value axis starts at zero.
 */
function HorizontalBars<Row extends object>({
  rows,
  labelKey,
  bars,
  domain = FROM_ZERO,
}: {
  rows: readonly Row[];
  labelKey: string;
  bars: ReadonlyArray<{ key: string; name: string; fill: string }>;
  domain?: [number | ((n: number) => number), number | ((n: number) => number)];
}) {
  return (
    <BarChart
      width={WIDTH}
      height={barChartHeight(rows.length)}
      data={[...rows]}
      layout="vertical"
      margin={{ left: 8, right: 16 }}
    >
      <CartesianGrid strokeDasharray="3 3" />
      <XAxis type="number" domain={domain} allowDataOverflow={false} />
      <YAxis
        type="category"
        dataKey={labelKey}
        width={LABEL_WIDTH}
        interval={0}
        tickFormatter={(v: unknown) => shortLabel(String(v ?? ''))}
      />
      <ReferenceLine x={0} stroke="#334155" />
      <Tooltip />
      {bars.length > 1 && <Legend />}
      {bars.map((b) => (
        <Bar key={b.key} dataKey={b.key} name={b.name} fill={b.fill} isAnimationActive={false} />
      ))}
    </BarChart>
  );
}

/**
 * KPIs and charts: progress, variance by category and counter, accuracy, productivity, and count
 * quality per counter and per session (docs/design.md §12 "Count quality").
 */
export function Dashboards() {
  const { client } = useConsole();
  const [kpis] = useLoad(() => client.read(kpisSchema, '/admin/kpis'), [client]);
  const [staff] = useLoad(
    () =>
      client
        .read(analyticsSchema, '/sessions/analytics', { group_by: 'staff' })
        .then((r) => r.groups),
    [client],
  );
  const [warehouses] = useLoad(
    () =>
      client
        .read(analyticsSchema, '/sessions/analytics', { group_by: 'warehouse' })
        .then((r) => r.groups),
    [client],
  );
  const [categories] = useLoad(
    () =>
      generateReport(client, {
        type: 'stock_summary',
        group_by: 'category',
        page_size: 1000,
      }).then((r) => r.items),
    [client],
  );
  const [history] = useLoad(
    () => generateReport(client, { type: 'session_history', page_size: 1000 }).then((r) => r.items),
    [client],
  );
  // Count quality (issue #16 item 5): the report's rows per counter and per session.
  const [quality] = useLoad(
    () => generateReport(client, { type: 'count_quality', page_size: 1000 }).then((r) => r.items),
    [client],
  );
  const k = kpis.value;
  const progress = progressByDay(history.value ?? []);
  const categoryRows = (categories.value ?? []).map((r) => ({
    ...r,
    category: r.category ?? '(none)',
  }));
  const staffRows = staff.value ?? [];
  const accuracyRows = [
    ...staffRows,
    ...(warehouses.value ?? []).map((w) => ({ ...w, label: `Warehouse ${w.label}` })),
  ];
  const qualityByCounter = counterQuality(quality.value ?? []);
  const qualityBySession = sessionQuality(quality.value ?? []);
  const errors = [kpis, staff, warehouses, categories, history, quality]
    .map((l) => (l.state === 'error' ? l.error : null))
    .filter((e): e is string => e !== null);
  return (
    <div className="stack">
      <section className="panel" aria-labelledby="kpi-title">
        <h2 id="kpi-title">Today</h2>
        <dl className="metrics kpis">
          <div>
            <dt>Lines counted</dt>
            <dd>{k ? qty(k.counted_today) : '…'}</dd>
          </div>
          <div>
            <dt>Active counters</dt>
            <dd>{k ? k.active_counters : '…'}</dd>
          </div>
          <div>
            <dt>Accuracy</dt>
            <dd>{k ? (k.accuracy_today === null ? '—' : `${qty(k.accuracy_today)} %`) : '…'}</dd>
          </div>
          <div>
            <dt>Variance value</dt>
            <dd>{k ? money(k.variance_value_today) : '…'}</dd>
          </div>
          <div>
            <dt>Open sessions</dt>
            <dd>{k ? k.open_sessions : '…'}</dd>
          </div>
          <div>
            <dt>Open conflicts</dt>
            <dd>{k ? k.open_conflicts : '…'}</dd>
          </div>
          <div>
            <dt>Racks claimed</dt>
            <dd>{k ? k.active_claims : '…'}</dd>
          </div>
        </dl>
        <Status error={errors.length > 0 ? errors.join(' · ') : null} />
      </section>
      <div className="charts">
        <Chart
          title="Progress over time (items counted per day)"
          rows={progress}
          columns={[
            { header: 'Day', cell: (r) => r.day },
            { header: 'Items counted', cell: (r) => qty(r.items), numeric: true },
            {
              header: 'Accuracy %',
              cell: (r) => (r.accuracy === null ? '—' : qty(r.accuracy)),
              numeric: true,
            },
          ]}
        >
          <LineChart width={WIDTH} height={HEIGHT} data={progress}>
            <CartesianGrid strokeDasharray="3 3" />
            <XAxis dataKey="day" />
            <YAxis yAxisId="items" domain={FROM_ZERO} />
            <YAxis yAxisId="pct" orientation="right" domain={[0, 100]} />
            <Tooltip />
            <Legend />
            <Line
              yAxisId="items"
              type="monotone"
              dataKey="items"
              name="Items counted"
              stroke="#0f766e"
              isAnimationActive={false}
            />
            <Line
              yAxisId="pct"
              type="monotone"
              dataKey="accuracy"
              name="Accuracy %"
              stroke="#b45309"
              isAnimationActive={false}
            />
          </LineChart>
        </Chart>
        <Chart
          title="Variance by category"
          rows={categoryRows}
          columns={[
            { header: 'Category', cell: (r) => r.category },
            { header: 'Variance (qty)', cell: (r) => qty(r.variance), numeric: true },
            { header: 'Value at cost', cell: (r) => money(r.value_at_cost), numeric: true },
          ]}
        >
          <HorizontalBars
            rows={categoryRows}
            labelKey="category"
            bars={[
              { key: 'variance', name: 'Variance (qty)', fill: '#b91c1c' },
              { key: 'value_at_cost', name: 'Value at cost', fill: '#1f4e79' },
            ]}
          />
        </Chart>
        <Chart
          title="Variance by counter"
          rows={staffRows}
          columns={[
            { header: 'Counter', cell: (r) => r.label },
            { header: 'Variance (qty)', cell: (r) => qty(r.variance), numeric: true },
            { header: 'Lines', cell: (r) => qty(r.lines), numeric: true },
          ]}
        >
          <HorizontalBars
            rows={staffRows}
            labelKey="label"
            bars={[{ key: 'variance', name: 'Variance (qty)', fill: '#b91c1c' }]}
          />
        </Chart>
        <Chart
          title="Accuracy by counter and warehouse (%)"
          rows={accuracyRows}
          columns={[
            { header: 'Counter or warehouse', cell: (r) => r.label },
            {
              header: 'Accuracy %',
              cell: (r) => (r.accuracy === null ? '—' : qty(r.accuracy)),
              numeric: true,
            },
          ]}
        >
          <HorizontalBars
            rows={accuracyRows}
            labelKey="label"
            domain={[0, 100]}
            bars={[{ key: 'accuracy', name: 'Accuracy %', fill: '#047857' }]}
          />
        </Chart>
        <Chart
          title="Counter productivity (items per minute)"
          rows={staffRows}
          columns={[
            { header: 'Counter', cell: (r) => r.label },
            { header: 'Items/min', cell: (r) => qty(r.items_per_minute), numeric: true },
          ]}
        >
          <HorizontalBars
            rows={staffRows}
            labelKey="label"
            bars={[{ key: 'items_per_minute', name: 'Items/min', fill: '#0f766e' }]}
          />
        </Chart>
        <Chart
          title="Count quality by counter (%): first counts confirmed, bins recounted"
          rows={qualityByCounter}
          columns={[
            { header: 'Counter', cell: (r) => r.label },
            { header: 'Bins counted first', cell: (r) => qty(r.bins), numeric: true },
            {
              header: 'First-count accuracy',
              cell: (r) => pct(r.first_count_accuracy),
              numeric: true,
            },
            { header: 'Recount rate', cell: (r) => pct(r.recount_rate), numeric: true },
            { header: 'Overturn rate', cell: (r) => pct(r.overturn_rate), numeric: true },
            { header: 'Recounts counted', cell: (r) => qty(r.recount_counts), numeric: true },
          ]}
        >
          <HorizontalBars
            rows={qualityByCounter}
            labelKey="label"
            domain={[0, 100]}
            bars={[
              { key: 'first_count_accuracy', name: 'First-count accuracy %', fill: '#047857' },
              { key: 'recount_rate', name: 'Recount rate %', fill: '#b45309' },
            ]}
          />
        </Chart>
        <Chart
          title="Count quality by session (%)"
          rows={qualityBySession}
          columns={[
            { header: 'Session', cell: (r) => r.label },
            { header: 'Bins', cell: (r) => qty(r.bins), numeric: true },
            { header: 'Still open', cell: (r) => qty(r.open_bins), numeric: true },
            {
              header: 'First-count accuracy',
              cell: (r) => pct(r.first_count_accuracy),
              numeric: true,
            },
            { header: 'Recount rate', cell: (r) => pct(r.recount_rate), numeric: true },
            { header: 'Overturn rate', cell: (r) => pct(r.overturn_rate), numeric: true },
            {
              header: 'Mean minutes to settle',
              cell: (r) =>
                r.mean_minutes_to_settle === null ? '—' : qty(r.mean_minutes_to_settle),
              numeric: true,
            },
          ]}
        >
          <HorizontalBars
            rows={qualityBySession}
            labelKey="label"
            domain={[0, 100]}
            bars={[
              { key: 'first_count_accuracy', name: 'First-count accuracy %', fill: '#047857' },
              { key: 'recount_rate', name: 'Recount rate %', fill: '#b45309' },
              { key: 'overturn_rate', name: 'Overturn rate %', fill: '#b91c1c' },
            ]}
          />
        </Chart>
      </div>
    </div>
  );
}
