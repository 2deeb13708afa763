import type { ReactNode } from 'react';
import type { ReportPage, SessionHistoryRow, StockSummaryRow } from '@stockverify/shared';
import {
  Bar,
  BarChart,
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import type { Kpis } from '../../api/types';
import { useConsole } from '../../context';
import { money, qty } from '../../ui/format';
import { useLoad } from '../../ui/hooks';
import { Status } from '../../ui/Status';

interface AnalyticsGroup {
  key: string;
  label: string;
  sessions: number;
  lines: number;
  items: number;
  variance: number;
  variance_value_at_cost: number;
  accuracy: number | null;
  items_per_minute: number;
}

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

function Chart({ title, children }: { title: string; children: ReactNode }) {
  return (
    <figure className="panel chart" aria-label={title}>
      <figcaption>{title}</figcaption>
      {children}
    </figure>
  );
}

/** KPIs and charts: progress, variance by category and counter, accuracy, productivity. */
export function Dashboards() {
  const { client } = useConsole();
  const [kpis] = useLoad(() => client.get<Kpis>('/admin/kpis'), [client]);
  const [staff] = useLoad(
    () =>
      client
        .get<{ groups: AnalyticsGroup[] }>('/sessions/analytics', { group_by: 'staff' })
        .then((r) => r.groups),
    [client],
  );
  const [warehouses] = useLoad(
    () =>
      client
        .get<{ groups: AnalyticsGroup[] }>('/sessions/analytics', { group_by: 'warehouse' })
        .then((r) => r.groups),
    [client],
  );
  const [categories] = useLoad(
    () =>
      client
        .post<ReportPage<'stock_summary'>>('/reports/generate', {
          type: 'stock_summary',
          group_by: 'category',
          page_size: 1000,
        })
        .then((r) => r.items as StockSummaryRow[]),
    [client],
  );
  const [history] = useLoad(
    () =>
      client
        .post<ReportPage<'session_history'>>('/reports/generate', {
          type: 'session_history',
          page_size: 1000,
        })
        .then((r) => r.items as SessionHistoryRow[]),
    [client],
  );
  const k = kpis.value;
  const errors = [kpis, staff, warehouses, categories, history]
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
        <Chart title="Progress over time (items counted per day)">
          <LineChart width={WIDTH} height={HEIGHT} data={progressByDay(history.value ?? [])}>
            <CartesianGrid strokeDasharray="3 3" />
            <XAxis dataKey="day" />
            <YAxis yAxisId="items" />
            <YAxis yAxisId="pct" orientation="right" domain={[0, 100]} />
            <Tooltip />
            <Legend />
            <Line
              yAxisId="items"
              type="monotone"
              dataKey="items"
              name="Items counted"
              stroke="#0f766e"
            />
            <Line
              yAxisId="pct"
              type="monotone"
              dataKey="accuracy"
              name="Accuracy %"
              stroke="#b45309"
            />
          </LineChart>
        </Chart>
        <Chart title="Variance by category">
          <BarChart width={WIDTH} height={HEIGHT} data={categories.value ?? []}>
            <CartesianGrid strokeDasharray="3 3" />
            <XAxis dataKey="category" />
            <YAxis />
            <Tooltip />
            <Legend />
            <Bar dataKey="variance" name="Variance (qty)" fill="#b91c1c" />
            <Bar dataKey="value_at_cost" name="Value at cost" fill="#1f4e79" />
          </BarChart>
        </Chart>
        <Chart title="Variance by counter">
          <BarChart width={WIDTH} height={HEIGHT} data={staff.value ?? []}>
            <CartesianGrid strokeDasharray="3 3" />
            <XAxis dataKey="label" />
            <YAxis />
            <Tooltip />
            <Legend />
            <Bar dataKey="variance" name="Variance (qty)" fill="#b91c1c" />
          </BarChart>
        </Chart>
        <Chart title="Accuracy by counter and warehouse (%)">
          <BarChart
            width={WIDTH}
            height={HEIGHT}
            data={[...(staff.value ?? []), ...(warehouses.value ?? [])]}
          >
            <CartesianGrid strokeDasharray="3 3" />
            <XAxis dataKey="label" />
            <YAxis domain={[0, 100]} />
            <Tooltip />
            <Bar dataKey="accuracy" name="Accuracy %" fill="#047857" />
          </BarChart>
        </Chart>
        <Chart title="Counter productivity (items per minute)">
          <BarChart width={WIDTH} height={HEIGHT} data={staff.value ?? []}>
            <CartesianGrid strokeDasharray="3 3" />
            <XAxis dataKey="label" />
            <YAxis />
            <Tooltip />
            <Bar dataKey="items_per_minute" name="Items/min" fill="#0f766e" />
          </BarChart>
        </Chart>
      </div>
    </div>
  );
}
