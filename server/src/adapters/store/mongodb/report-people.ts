/**
 * The people and session reports on MongoDB (issue #6): session history and user activity. Where
 * the session read model keeps the figures (`modelAnswers`), they are read from it — one document
 * per session, per (session, counter) and per (session, writer) — instead of aggregating every
 * line (issue #13); with a line filter the model does not keep, the lines are aggregated.
 * Memory: one entry per session or counter.
 */
import { roundMoney, roundQty } from '@stockverify/shared';
import type { CounterStats } from '../../../ports/counting';
import type { ReportQuery } from '../../../ports/reports';
import type { RawRow } from '../reports-rows';
import { modelAnswers } from '../reports-model';
import { toCounterStats, toSessionFigures } from '../read-model-plan';
import type { ReportContext } from './report-context';
import { pairs } from './report-items';
import {
  counterSessionsPipeline,
  sessionCountersPipeline,
  writtenPipeline,
} from './report-pipelines';

/** Per-session figures of the session history, before the row mapper derives accuracy. */
interface SessionSums {
  items_counted: number;
  lines: number;
  variance: number;
  value_at_cost: number;
  value_at_price: number;
  abs_book: number;
  abs_variance: number;
}

/** Session history over the model: rm_sessions and each session's rm_counters rows. */
async function sessionSumsFromModel(ctx: ReportContext, ids: string[]) {
  const [docs, counters] = await Promise.all([
    ctx.rm.sessions.find({ _id: { $in: ids } }).toArray(),
    ctx.rm.counters
      .find({ session_id: { $in: ids } }, { projection: { _id: 0, session_id: 1 } })
      .toArray(),
  ]);
  const sums = new Map<string, SessionSums>();
  for (const doc of docs) {
    const f = toSessionFigures(doc._id, doc);
    sums.set(doc._id, {
      items_counted: f.items_counted,
      lines: f.lines,
      variance: f.total_variance,
      value_at_cost: f.variance_value_at_cost,
      value_at_price: f.variance_value_at_price,
      abs_book: f.abs_book,
      abs_variance: f.abs_variance,
    });
  }
  const counterCount = new Map<string, number>();
  for (const c of counters)
    counterCount.set(c.session_id, (counterCount.get(c.session_id) ?? 0) + 1);
  return { sums, counterCount };
}

/** Session history over the chosen lines (a line filter): item pairs summed per session. */
async function sessionSumsFromLines(
  ctx: ReportContext,
  query: ReportQuery,
  sessions: Awaited<ReturnType<ReportContext['sessionsOf']>>,
  size: number,
) {
  const sums = new Map<string, SessionSums>();
  for await (const p of pairs(ctx, query.scope, sessions, size)) {
    let s = sums.get(p.session_id);
    if (!s) {
      s = {
        items_counted: 0,
        lines: 0,
        variance: 0,
        value_at_cost: 0,
        value_at_price: 0,
        abs_book: 0,
        abs_variance: 0,
      };
      sums.set(p.session_id, s);
    }
    s.items_counted += 1;
    s.lines += p.doc.lines;
    s.variance += p.variance;
    s.value_at_cost += p.value_at_cost;
    s.value_at_price += p.value_at_price;
    s.abs_book += Math.abs(p.book_qty);
    s.abs_variance += Math.abs(p.variance);
  }
  const counters = await ctx.c.lines
    .aggregate<{
      _id: string;
      users: string[];
    }>(sessionCountersPipeline(ctx.names, query.scope, sessions))
    .toArray();
  const counterCount = new Map(counters.map((r) => [r._id, r.users.length]));
  return { sums, counterCount };
}

/**
 * One row per chosen session, by created_at then id. A session without chosen lines stays in the
 * history unless a line filter (floor, category, user) is set.
 */
export async function* sessionRows(
  ctx: ReportContext,
  query: ReportQuery,
  size: number,
): AsyncGenerator<RawRow> {
  const sessions = await ctx.sessionsOf(query.scope);
  const fromModel = modelAnswers('session_history', query.scope);
  const { sums, counterCount } = fromModel
    ? await sessionSumsFromModel(
        ctx,
        sessions.map((s) => s.id),
      )
    : await sessionSumsFromLines(ctx, query, sessions, size);
  for (const s of sessions) {
    const agg = sums.get(s.id);
    if (!fromModel && !agg) continue;
    yield {
      session_id: s.id,
      name: s.name,
      warehouse: s.warehouse,
      mode: s.mode,
      status: s.status,
      created_at: s.created_at,
      closed_at: s.closed_at,
      reconciled_at: s.reconciled_at,
      counters: counterCount.get(s.id) ?? 0,
      items_in_snapshot: s.snapshot_items,
      ...agg,
    };
  }
}

interface Written {
  lines_written: number;
  lines_overturned: number;
}

/** Per (session, counter) figures and each counter's lines written, from the read model. */
async function activityFromModel(ctx: ReportContext, query: ReportQuery, ids: string[]) {
  const user = query.scope.user !== undefined ? { user_id: query.scope.user } : {};
  const [counters, writers] = await Promise.all([
    ctx.rm.counters
      .find({ session_id: { $in: ids }, ...user })
      .sort({ session_id: 1, user_id: 1 })
      .toArray(),
    ctx.rm.writers.find({ session_id: { $in: ids }, ...user }).toArray(),
  ]);
  const writtenBy = new Map<string, Written>();
  for (const w of writers) {
    const sum = writtenBy.get(w.user_id) ?? { lines_written: 0, lines_overturned: 0 };
    sum.lines_written += w.written;
    sum.lines_overturned += w.overturned;
    writtenBy.set(w.user_id, sum);
  }
  const perSession = counters.map(({ _id, ...row }) => toCounterStats(row));
  return { perSession, writtenBy };
}

/** The same from the chosen lines (a floor or category filter). */
async function activityFromLines(
  ctx: ReportContext,
  query: ReportQuery,
  sessions: Awaited<ReturnType<ReportContext['sessionsOf']>>,
) {
  const [groups, written] = await Promise.all([
    ctx.c.lines
      .aggregate<{
        _id: { user_id: string; session_id: string };
        username: string;
        lines: number;
        items: string[];
        abs_variance: number;
        abs_book: number;
        variance: number;
        value_at_cost: number;
        value_at_price: number;
        first_counted_at: string;
        last_counted_at: string;
      }>(counterSessionsPipeline(ctx.names, query.scope, sessions))
      .toArray(),
    ctx.c.lines
      .aggregate<{ _id: string } & Written>(writtenPipeline(ctx.names, query.scope, sessions))
      .toArray(),
  ]);
  const perSession: CounterStats[] = groups.map((r) => ({
    session_id: r._id.session_id,
    user_id: r._id.user_id,
    username: r.username,
    lines: r.lines,
    items: r.items.length,
    abs_variance: roundQty(r.abs_variance),
    abs_book: roundQty(r.abs_book),
    variance: roundQty(r.variance),
    value_at_cost: roundMoney(r.value_at_cost),
    value_at_price: roundMoney(r.value_at_price),
    first_counted_at: r.first_counted_at,
    last_counted_at: r.last_counted_at,
  }));
  return { perSession, writtenBy: new Map<string, Written>(written.map((w) => [w._id, w])) };
}

/** One row per counter with chosen lines, by name then id: their sessions' figures summed. */
export async function* userRows(ctx: ReportContext, query: ReportQuery): AsyncGenerator<RawRow> {
  const sessions = await ctx.sessionsOf(query.scope);
  const { perSession, writtenBy } = modelAnswers('user_activity', query.scope)
    ? await activityFromModel(
        ctx,
        query,
        sessions.map((s) => s.id),
      )
    : await activityFromLines(ctx, query, sessions);
  const users = new Map<string, RawRow & { username: string; user_id: string }>();
  for (const r of perSession) {
    let u = users.get(r.user_id);
    if (!u) {
      u = {
        user_id: r.user_id,
        username: r.username,
        sessions: 0,
        lines: 0,
        items: 0,
        active_minutes: 0,
        abs_variance: 0,
        abs_book: 0,
        variance: 0,
        value_at_cost: 0,
        value_at_price: 0,
        first_counted_at: r.first_counted_at,
        last_counted_at: r.last_counted_at,
        lines_written: writtenBy.get(r.user_id)?.lines_written ?? 0,
        lines_overturned: writtenBy.get(r.user_id)?.lines_overturned ?? 0,
      };
      users.set(r.user_id, u);
    }
    u.username = r.username > u.username ? r.username : u.username;
    u.sessions = Number(u.sessions) + 1;
    u.lines = Number(u.lines) + r.lines;
    u.items = Number(u.items) + r.items;
    u.active_minutes =
      Number(u.active_minutes) +
      Math.max(1, (Date.parse(r.last_counted_at) - Date.parse(r.first_counted_at)) / 60_000);
    u.abs_variance = Number(u.abs_variance) + r.abs_variance;
    u.abs_book = Number(u.abs_book) + r.abs_book;
    u.variance = Number(u.variance) + r.variance;
    u.value_at_cost = Number(u.value_at_cost) + r.value_at_cost;
    u.value_at_price = Number(u.value_at_price) + r.value_at_price;
    if (r.first_counted_at < String(u.first_counted_at)) u.first_counted_at = r.first_counted_at;
    if (r.last_counted_at > String(u.last_counted_at)) u.last_counted_at = r.last_counted_at;
  }
  const sorted = [...users.values()].sort(
    (a, b) => a.username.localeCompare(b.username) || a.user_id.localeCompare(b.user_id),
  );
  yield* sorted;
}
