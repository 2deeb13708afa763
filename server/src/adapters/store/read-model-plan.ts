/**
 * The read model's one planner (issue #13), shared by the SQLite and MongoDB adapters: given what
 * a write changed (lines that started or stopped counting, lines written) and the affected rows as
 * they are after the line writes, it says which model rows to put, delete or increment.
 *
 * Exactness: quantities are added as integers of thousandths and money as integers of cents
 * (every stored line value and every item value is already rounded to that precision), so adding
 * and removing in any order gives the very sums the SQL `SUM`s give after `roundQty`/`roundMoney`.
 * An item's row keeps those integer sums and, per rack and per counter, how many of its lines
 * count; its variance and values are then the `store.lines.variances` formula on the sums. Rack,
 * session and counter rows move by the difference between an item's old and new row, so no line
 * is read back on a write.
 */
import {
  HINT_KINDS,
  QTY_DECIMALS,
  roundMoney,
  roundQty,
  type AtCountAction,
  type AtCountStatus,
  type HintKind,
} from '@stockverify/shared';
import type { CountLineRecord, CounterStats } from '../../ports/counting';
import {
  atCountOf,
  type AtCountColumns,
  type ItemAtCount,
  type ItemFigures,
  type RackFigures,
  type SessionFigures,
} from '../../ports/read-model';
import type { LineFigures } from '../../ports/evidence';

const QTY_SCALE = 10 ** QTY_DECIMALS;

/** A quantity as an integer of thousandths. */
export function milli(qty: number): number {
  return Math.round(qty * QTY_SCALE);
}

/** Money as an integer of cents. */
export function cents(value: number): number {
  return Math.round(value * 100);
}

export function fromMilli(m: number): number {
  return roundQty(m / QTY_SCALE);
}

export function fromCents(c: number): number {
  return roundMoney(c / 100);
}

/**
 * Whether a line counts (design §4, §12): not corrected by a newer line, not rejected, and not a
 * candidate its bin did not take.
 */
export function lineCounts(line: Pick<CountLineRecord, 'superseded_by' | 'status'>): boolean {
  return line.superseded_by === null && line.status !== 'REJECTED' && line.status !== 'CANDIDATE';
}

/** The UTC day (YYYY-MM-DD) of an ISO instant. */
export function dayOf(iso: string): string {
  // The server writes every instant as toISOString() (UTC, 'Z'): its first ten characters are the
  // day. Anything else is parsed.
  if (iso.length === 24 && iso.endsWith('Z') && iso[10] === 'T') return iso.slice(0, 10);
  return new Date(iso).toISOString().slice(0, 10);
}

export interface SnapshotPrice {
  book_qty: number;
  cost: number;
  price: number;
}

/** The stored row of one item of a session (only while it has counting lines). */
export interface ItemRow {
  session_id: string;
  item_code: string;
  counted_m: number;
  damaged_m: number;
  nonret_m: number;
  lines: number;
  /** Counting lines per rack (racks with none are left out). */
  racks: Record<string, number>;
  /** Counting lines per counter (user id), for each counter's distinct items. */
  users: Record<string, number>;
  book_qty: number;
  cost: number;
  price: number;
  variance_m: number;
  cost_c: number;
  price_c: number;
  /** Counting lines of the item waiting for a supervisor (status NEEDS_REVIEW). */
  review_lines: number;
  /** Expected at count (docs/design.md §13, ports/read-model AtCountColumns), as stored. */
  at_status: AtCountStatus;
  expected_m: number | null;
  vac_m: number | null;
  vac_low_m: number | null;
  vac_high_m: number | null;
  provisional: 0 | 1;
  /** Hint kinds as ',kind,kind,' ('' for none), so a filter is one substring test. */
  hint_kinds: string;
  final_at: string | null;
  /** 1 within the rule at count, 0 beyond, null undecided. */
  at_within: 0 | 1 | null;
  at_action: AtCountAction | null;
}

export { atCountOf } from '../../ports/read-model';

/** The stored form of an item's at-count columns. */
export function atCountFields(
  c: AtCountColumns,
): Pick<
  ItemRow,
  | 'at_status'
  | 'expected_m'
  | 'vac_m'
  | 'vac_low_m'
  | 'vac_high_m'
  | 'provisional'
  | 'hint_kinds'
  | 'final_at'
  | 'at_within'
  | 'at_action'
> {
  return {
    at_status: c.status,
    expected_m: c.expected_m,
    vac_m: c.vac_m,
    vac_low_m: c.vac_low_m,
    vac_high_m: c.vac_high_m,
    provisional: c.provisional ? 1 : 0,
    hint_kinds: hintKindsField(c.hints),
    final_at: c.final_at,
    at_within: c.within === null ? null : c.within ? 1 : 0,
    at_action: c.action,
  };
}

/** ',a,b,' for the kinds in HINT_KINDS order; '' for none. */
export function hintKindsField(kinds: readonly HintKind[]): string {
  const set = new Set(kinds);
  const sorted = HINT_KINDS.filter((k) => set.has(k));
  return sorted.length === 0 ? '' : `,${sorted.join(',')},`;
}

export function parseHintKinds(field: string): HintKind[] {
  const set = new Set(field.split(','));
  return HINT_KINDS.filter((k) => set.has(k));
}

export function toItemAtCount(
  row: Pick<ItemRow, 'item_code' | keyof ReturnType<typeof atCountFields>>,
): ItemAtCount {
  return {
    item_code: row.item_code,
    status: row.at_status,
    expected_m: row.expected_m,
    vac_m: row.vac_m,
    vac_low_m: row.vac_low_m,
    vac_high_m: row.vac_high_m,
    provisional: row.provisional === 1,
    hints: parseHintKinds(row.hint_kinds),
    final_at: row.final_at,
    // Rows from before the decision was kept (MongoDB documents) have neither field.
    within: row.at_within === null || row.at_within === undefined ? null : row.at_within === 1,
    action: row.at_action ?? null,
  };
}

/** An item's at-count columns as the variances page answers them (shared sessionItemVariance). */
export function atCountAnswer(c: AtCountColumns) {
  const qty = (m: number | null) => (m === null ? null : fromMilli(m));
  return {
    at_count_status: c.status,
    expected_qty: qty(c.expected_m),
    variance_at_count: qty(c.vac_m),
    variance_at_count_low: qty(c.vac_low_m),
    variance_at_count_high: qty(c.vac_high_m),
    at_count_provisional: c.provisional,
    hints: [...c.hints],
    at_count_within: c.within,
    at_count_action: c.action,
  };
}

/**
 * Sort keys of the variances page's `variance_at_count` orders (design §13): |variance at count|,
 * and for items without one (pending, ambiguous, unknown) a key that puts them last either way.
 * The SQL of the SQLite index and page is the same expression (sqlite/variances.ts).
 */
export const AT_COUNT_LAST_DESC = -1;
export const AT_COUNT_LAST_ASC = 9_007_199_254_740_991;

/** The stored row of one counter of a session (only while they have counting lines). */
export interface CounterRow {
  session_id: string;
  user_id: string;
  username: string;
  lines: number;
  items: number;
  abs_variance_m: number;
  abs_book_m: number;
  variance_m: number;
  cost_c: number;
  price_c: number;
  first_counted_at: string;
  last_counted_at: string;
}

export interface RackDelta {
  lines: number;
  items: number;
  variance_items: number;
  /** Newest received_at among lines written in this change, or null. */
  activity: string | null;
}

export interface SessionDelta {
  lines: number;
  items: number;
  variance_m: number;
  abs_variance_m: number;
  abs_book_m: number;
  cost_c: number;
  price_c: number;
}

export interface DayDelta {
  day: string;
  user_id: string;
  lines: number;
  abs_variance_m: number;
  abs_book_m: number;
  cost_c: number;
}

/** A line that started (+1) or stopped (−1) counting. */
export interface LineEvent {
  line: CountLineRecord;
  sign: 1 | -1;
}

/** Everything the planner reads, as it is after the line writes of the change. */
export interface PlanInputs {
  session_id: string;
  /**
   * The session has an ERP watermark (its expected at count is computed): items the change
   * touches go pending and are marked for the at-count drain (design §13). Without one they stay
   * `unknown`, and nothing more is written.
   */
  watermarked?: boolean;
  /** Each touched item's row before the change, and its snapshot (book, cost, price). */
  items: Map<string, { old: ItemRow | null; snapshot: SnapshotPrice | null }>;
  counters: Map<
    string,
    {
      old: CounterRow | null;
      /** MIN/MAX counted_at and MAX name over the counter's counting lines now; needed only
       * when a line of theirs stopped counting (a min or max cannot be decremented). */
      bounds: { first: string; last: string; username: string } | null;
    }
  >;
}

/** A change of one counter's lines written and overturned in one session (WriterFigures). */
export interface WriterDelta {
  session_id: string;
  user_id: string;
  written: number;
  overturned: number;
}

export interface Plan {
  session_id: string;
  itemPuts: ItemRow[];
  itemDeletes: string[];
  racks: Map<string, RackDelta>;
  session: SessionDelta;
  counterPuts: CounterRow[];
  counterDeletes: string[];
  days: DayDelta[];
  /** Lines written and overturned per counter (non-zero deltas only). */
  writers: WriterDelta[];
  /** Items to mark for the at-count drain (touched items kept, in a watermarked session). */
  dirty: string[];
}

/** What the planner needs to fetch for a change: touched items, counters, and who lost lines. */
export function touched(events: readonly LineEvent[]) {
  const items = new Set<string>();
  const counters = new Map<string, { items: Set<string>; removal: boolean }>();
  for (const { line, sign } of events) {
    items.add(line.item_code);
    let c = counters.get(line.counted_by);
    if (!c) {
      c = { items: new Set(), removal: false };
      counters.set(line.counted_by, c);
    }
    c.items.add(line.item_code);
    if (sign < 0) c.removal = true;
  }
  return { items, counters };
}

function bump(counts: Record<string, number>, key: string, by: number): void {
  const n = (counts[key] ?? 0) + by;
  if (n === 0) delete counts[key];
  else counts[key] = n;
}

/**
 * An item's row after `events` (its lines that started or stopped counting) moved it from `old`;
 * null when none of its lines counts any more. Variance and values are the variances formula
 * (sqlite/lines.ts toVariance) on the rounded sums.
 */
export function nextItemRow(
  sessionId: string,
  itemCode: string,
  old: ItemRow | null,
  events: readonly LineEvent[],
  snapshot: SnapshotPrice | null,
  watermarked = false,
): ItemRow | null {
  let counted = old?.counted_m ?? 0;
  let damaged = old?.damaged_m ?? 0;
  let nonret = old?.nonret_m ?? 0;
  let lines = old?.lines ?? 0;
  let review = old?.review_lines ?? 0;
  const racks = { ...old?.racks };
  const users = { ...old?.users };
  for (const { line, sign } of events) {
    counted += sign * milli(line.counted_qty);
    damaged += sign * milli(line.damaged_qty);
    nonret += sign * milli(line.non_returnable_damaged_qty);
    lines += sign;
    if (line.status === 'NEEDS_REVIEW') review += sign;
    bump(racks, line.rack, sign);
    bump(users, line.counted_by, sign);
  }
  if (lines <= 0) return null;
  // The snapshot is frozen: an item's book, cost and price never change within a session.
  const book = old?.book_qty ?? snapshot?.book_qty ?? 0;
  const cost = old?.cost ?? snapshot?.cost ?? 0;
  const price = old?.price ?? snapshot?.price ?? 0;
  const variance = roundQty(fromMilli(counted) - fromMilli(nonret) - book);
  return {
    session_id: sessionId,
    item_code: itemCode,
    counted_m: counted,
    damaged_m: damaged,
    nonret_m: nonret,
    lines,
    racks,
    users,
    book_qty: book,
    cost,
    price,
    variance_m: milli(variance),
    cost_c: cents(roundMoney(variance * cost)),
    price_c: cents(roundMoney(variance * price)),
    review_lines: review,
    // A touched item of a watermarked session waits for the drain; otherwise it keeps its figures.
    ...(watermarked
      ? PENDING_FIELDS
      : old
        ? {
            at_status: old.at_status,
            expected_m: old.expected_m,
            vac_m: old.vac_m,
            vac_low_m: old.vac_low_m,
            vac_high_m: old.vac_high_m,
            provisional: old.provisional,
            hint_kinds: old.hint_kinds,
            final_at: old.final_at,
            at_within: old.at_within,
            at_action: old.at_action,
          }
        : UNKNOWN_FIELDS),
  };
}

// The stored at-count fields of a pending and of an unknown item, built once (the sync path).
const PENDING_FIELDS = Object.freeze(atCountFields(atCountOf('pending')));
const UNKNOWN_FIELDS = Object.freeze(atCountFields(atCountOf('unknown')));

export function toItemFigures(row: ItemRow): ItemFigures {
  return {
    item_code: row.item_code,
    book_qty: row.book_qty,
    counted_qty: fromMilli(row.counted_m),
    damaged_qty: fromMilli(row.damaged_m),
    non_returnable_damaged_qty: fromMilli(row.nonret_m),
    variance: fromMilli(row.variance_m),
    value_at_cost: fromCents(row.cost_c),
    value_at_price: fromCents(row.price_c),
    lines: row.lines,
    racks: Object.keys(row.racks).sort(),
    needs_review: row.review_lines,
  };
}

export function toCounterStats(row: CounterRow): CounterStats {
  return {
    session_id: row.session_id,
    user_id: row.user_id,
    username: row.username,
    lines: row.lines,
    items: row.items,
    abs_variance: fromMilli(row.abs_variance_m),
    abs_book: fromMilli(row.abs_book_m),
    variance: fromMilli(row.variance_m),
    value_at_cost: fromCents(row.cost_c),
    value_at_price: fromCents(row.price_c),
    first_counted_at: row.first_counted_at,
    last_counted_at: row.last_counted_at,
  };
}

/** The stored session sums as the figures the detail page shows. */
export function toSessionFigures(
  sessionId: string,
  row: Omit<SessionDelta, 'lines' | 'items'> & { lines: number; items: number },
): SessionFigures {
  return {
    session_id: sessionId,
    lines: row.lines,
    items_counted: row.items,
    total_variance: fromMilli(row.variance_m),
    variance_value_at_cost: fromCents(row.cost_c),
    variance_value_at_price: fromCents(row.price_c),
    abs_book: fromMilli(row.abs_book_m),
    abs_variance: fromMilli(row.abs_variance_m),
  };
}

export function toRackFigures(row: {
  rack: string;
  lines: number;
  items: number;
  variance_items: number;
  last_activity_at: string | null;
}): RackFigures {
  return {
    rack: row.rack,
    lines: row.lines,
    items: row.items,
    variance_items: row.variance_items,
    last_activity_at: row.last_activity_at,
  };
}

/** Sums of day rows as the KPI figures (`counters` is counted by the caller). */
export function toLineFigures(
  sums: { lines: number; abs_variance_m: number; abs_book_m: number; cost_c: number },
  counters: number,
): LineFigures {
  return {
    lines: sums.lines,
    counters,
    abs_variance: fromMilli(sums.abs_variance_m),
    abs_book: fromMilli(sums.abs_book_m),
    variance_value_at_cost: fromCents(sums.cost_c),
  };
}

/**
 * The racks' distinct items and items with a variance, moved by one item's row going from
 * `before` to `after`: only the racks where the item appears, leaves, or changes its variance flag.
 */
function moveRackItems(
  racks: Map<string, RackDelta>,
  before: ItemRow | null,
  after: ItemRow | null,
): void {
  const flaggedBefore = before !== null && before.variance_m !== 0 ? 1 : 0;
  const flaggedAfter = after !== null && after.variance_m !== 0 ? 1 : 0;
  if (after) {
    for (const rack of Object.keys(after.racks)) {
      const had = before !== null && before.racks[rack] !== undefined;
      const items = had ? 0 : 1;
      const flagged = flaggedAfter - (had ? flaggedBefore : 0);
      if (items === 0 && flagged === 0) continue;
      const d = rackDelta(racks, rack);
      d.items += items;
      d.variance_items += flagged;
    }
  }
  if (before) {
    for (const rack of Object.keys(before.racks)) {
      if (after !== null && after.racks[rack] !== undefined) continue;
      const d = rackDelta(racks, rack);
      d.items -= 1;
      d.variance_items -= flaggedBefore;
    }
  }
}

function rackDelta(map: Map<string, RackDelta>, rack: string): RackDelta {
  let d = map.get(rack);
  if (!d) {
    d = { lines: 0, items: 0, variance_items: 0, activity: null };
    map.set(rack, d);
  }
  return d;
}

/**
 * The model rows to write for one change of one session: `events` are the lines that started or
 * stopped counting, `written` the lines stored (their racks' last activity), `inputs` what
 * `touched(events)` asked for: the rows as they were before the change.
 */
export function plan(
  events: readonly LineEvent[],
  written: readonly CountLineRecord[],
  inputs: PlanInputs,
  reviews: readonly WriterDelta[] = [],
): Plan {
  const sessionId = inputs.session_id;
  const racks = new Map<string, RackDelta>();
  const session: SessionDelta = {
    lines: 0,
    items: 0,
    variance_m: 0,
    abs_variance_m: 0,
    abs_book_m: 0,
    cost_c: 0,
    price_c: 0,
  };
  const itemPuts: ItemRow[] = [];
  const itemDeletes: string[] = [];

  const eventsOf = new Map<string, LineEvent[]>();
  for (const e of events) {
    const list = eventsOf.get(e.line.item_code);
    if (list) list.push(e);
    else eventsOf.set(e.line.item_code, [e]);
  }
  // (user, item) → counting lines before and after, for each counter's distinct items.
  const userItems = new Map<string, Map<string, { before: number; after: number }>>();
  for (const [code, input] of inputs.items) {
    const before = input.old;
    const mine = eventsOf.get(code) ?? [];
    const after = nextItemRow(sessionId, code, before, mine, input.snapshot, inputs.watermarked);
    for (const [row, sign] of [
      [before, -1],
      [after, 1],
    ] as const) {
      if (!row) continue;
      session.items += sign;
      session.variance_m += sign * row.variance_m;
      session.abs_variance_m += sign * Math.abs(row.variance_m);
      session.abs_book_m += sign * Math.abs(milli(row.book_qty));
      session.cost_c += sign * row.cost_c;
      session.price_c += sign * row.price_c;
    }
    moveRackItems(racks, before, after);
    for (const { line } of mine) {
      const user = line.counted_by;
      let theirs = userItems.get(user);
      if (!theirs) {
        theirs = new Map();
        userItems.set(user, theirs);
      }
      if (!theirs.has(code))
        theirs.set(code, { before: before?.users[user] ?? 0, after: after?.users[user] ?? 0 });
    }
    if (after) itemPuts.push(after);
    else if (before) itemDeletes.push(code);
  }

  const counterAdds = new Map<string, CountLineRecord[]>();
  const counterDelta = new Map<string, Omit<CounterRow, 'first_counted_at' | 'last_counted_at'>>();
  const days = new Map<string, DayDelta>();
  // A batch is mostly one counter's lines on one rack and one day: the last rows found are kept.
  let r: RackDelta | null = null;
  let rackOfR = '';
  let c: Omit<CounterRow, 'first_counted_at' | 'last_counted_at'> | null = null;
  let d: DayDelta | null = null;
  for (const { line, sign } of events) {
    if (r === null || rackOfR !== line.rack) {
      r = rackDelta(racks, line.rack);
      rackOfR = line.rack;
    }
    r.lines += sign;
    session.lines += sign;
    if (c === null || c.user_id !== line.counted_by) {
      c = counterDelta.get(line.counted_by) ?? null;
      if (!c) {
        c = {
          session_id: sessionId,
          user_id: line.counted_by,
          username: '',
          lines: 0,
          items: 0,
          abs_variance_m: 0,
          abs_book_m: 0,
          variance_m: 0,
          cost_c: 0,
          price_c: 0,
        };
        counterDelta.set(line.counted_by, c);
      }
    }
    const variance = milli(line.variance);
    const absVariance = sign * Math.abs(variance);
    const absBook = sign * Math.abs(milli(line.book_qty));
    const cost = sign * cents(line.value_at_cost);
    c.lines += sign;
    c.abs_variance_m += absVariance;
    c.abs_book_m += absBook;
    c.variance_m += sign * variance;
    c.cost_c += cost;
    c.price_c += sign * cents(line.value_at_price);
    if (sign > 0) {
      const adds = counterAdds.get(line.counted_by);
      if (adds) adds.push(line);
      else counterAdds.set(line.counted_by, [line]);
    }
    const day = dayOf(line.received_at);
    if (d === null || d.user_id !== line.counted_by || d.day !== day) {
      const key: string = `${day}\u0000${line.counted_by}`;
      d = days.get(key) ?? null;
      if (!d) {
        d = {
          day,
          user_id: line.counted_by,
          lines: 0,
          abs_variance_m: 0,
          abs_book_m: 0,
          cost_c: 0,
        };
        days.set(key, d);
      }
    }
    d.lines += sign;
    d.abs_variance_m += absVariance;
    d.abs_book_m += absBook;
    d.cost_c += cost;
  }

  for (const line of written) {
    if (r === null || rackOfR !== line.rack) {
      r = rackDelta(racks, line.rack);
      rackOfR = line.rack;
    }
    if (r.activity === null || line.received_at > r.activity) r.activity = line.received_at;
  }
  // Racks whose rows this change leaves as they are (an item's other racks) are not written.
  for (const [rack, delta] of racks) {
    if (delta.lines === 0 && delta.items === 0 && delta.variance_items === 0 && !delta.activity)
      racks.delete(rack);
  }

  const counterPuts: CounterRow[] = [];
  const counterDeletes: string[] = [];
  for (const [userId, delta] of counterDelta) {
    const input = inputs.counters.get(userId);
    if (!input) throw new Error(`read model: counter ${userId} was not read`);
    const old = input.old;
    let items = old?.items ?? 0;
    for (const n of userItems.get(userId)?.values() ?? []) {
      items += (n.after > 0 ? 1 : 0) - (n.before > 0 ? 1 : 0);
    }
    const lines = (old?.lines ?? 0) + delta.lines;
    if (lines <= 0) {
      if (old) counterDeletes.push(userId);
      continue;
    }
    let first = old?.first_counted_at ?? null;
    let last = old?.last_counted_at ?? null;
    let username = old?.username ?? null;
    if (input.bounds) {
      ({ first, last, username } = input.bounds);
    } else {
      for (const line of counterAdds.get(userId) ?? []) {
        if (first === null || line.counted_at < first) first = line.counted_at;
        if (last === null || line.counted_at > last) last = line.counted_at;
        if (username === null || line.counted_by_name > username) username = line.counted_by_name;
      }
    }
    counterPuts.push({
      session_id: sessionId,
      user_id: userId,
      username: username ?? '',
      lines,
      items,
      abs_variance_m: (old?.abs_variance_m ?? 0) + delta.abs_variance_m,
      abs_book_m: (old?.abs_book_m ?? 0) + delta.abs_book_m,
      variance_m: (old?.variance_m ?? 0) + delta.variance_m,
      cost_c: (old?.cost_c ?? 0) + delta.cost_c,
      price_c: (old?.price_c ?? 0) + delta.price_c,
      first_counted_at: first ?? '',
      last_counted_at: last ?? '',
    });
  }

  return {
    session_id: sessionId,
    itemPuts,
    itemDeletes,
    racks,
    session,
    counterPuts,
    counterDeletes,
    days: [...days.values()],
    writers: writerDeltas(sessionId, events, written, reviews),
    dirty: inputs.watermarked ? itemPuts.map((row) => row.item_code) : [],
  };
}

/** Whether a correction changed what the corrected line said (the report's "overturned"). */
export function differs(
  next: Pick<CountLineRecord, 'counted_qty' | 'damaged_qty' | 'non_returnable_damaged_qty'>,
  line: Pick<CountLineRecord, 'counted_qty' | 'damaged_qty' | 'non_returnable_damaged_qty'>,
): boolean {
  return (
    next.counted_qty !== line.counted_qty ||
    next.damaged_qty !== line.damaged_qty ||
    next.non_returnable_damaged_qty !== line.non_returnable_damaged_qty
  );
}

/**
 * Whether a line is overturned: rejected by a supervisor, or corrected by a line that changed it.
 * `successor` is the line named by its `superseded_by` (null when there is none).
 */
export function overturned(
  line: Pick<CountLineRecord, 'status' | 'superseded_by'> &
    Pick<CountLineRecord, 'counted_qty' | 'damaged_qty' | 'non_returnable_damaged_qty'>,
  successor: Parameters<typeof differs>[0] | null,
): boolean {
  return (
    line.status === 'REJECTED' ||
    (line.superseded_by !== null && successor !== null && differs(successor, line))
  );
}

/**
 * Lines written and overturned per counter for one change: every line in `written` is new to the
 * model (+1 written, and +1 overturned if it already is; a rebuild hands every line, each with its
 * successor among them); a line that stops counting because a written line corrects it is
 * overturned if the correction changed it. A review's move comes ready-made in `reviews`
 * (`reviewWriterDelta`): a review changes neither lines written nor corrections.
 */
export function writerDeltas(
  sessionId: string,
  events: readonly LineEvent[],
  written: readonly CountLineRecord[],
  reviews: readonly WriterDelta[] = [],
): WriterDelta[] {
  const out = new Map<string, WriterDelta>();
  const add = (userId: string, w: number, o: number) => {
    let d = out.get(userId);
    if (!d) {
      d = { session_id: sessionId, user_id: userId, written: 0, overturned: 0 };
      out.set(userId, d);
    }
    d.written += w;
    d.overturned += o;
  };
  const byOp = new Map(written.map((l) => [l.op_id, l]));
  const corrector = new Map<string, CountLineRecord>();
  for (const l of written) if (l.supersedes !== null) corrector.set(l.supersedes, l);
  for (const l of written) {
    const successor = l.superseded_by === null ? null : (byOp.get(l.superseded_by) ?? null);
    add(l.counted_by, 1, overturned(l, successor) ? 1 : 0);
  }
  for (const { line, sign } of events) {
    if (sign > 0) continue;
    // A counting line was neither rejected nor corrected; a correction written now may change it.
    const next = corrector.get(line.op_id);
    if (next && differs(next, line)) add(line.counted_by, 0, 1);
  }
  for (const r of reviews) add(r.user_id, r.written, r.overturned);
  return [...out.values()].filter((d) => d.written !== 0 || d.overturned !== 0);
}

/**
 * A correction of a line that did not count without being overturned — a CANDIDATE its bin did
 * not take (design §12) — overturns it when it changed it: its counter's move, else null. (A
 * counting line's correction is an event; a rejected line is overturned already.)
 */
export function correctedCandidateDelta(
  target: CountLineRecord,
  correction: Parameters<typeof differs>[0],
): WriterDelta | null {
  if (lineCounts(target) || overturned(target, null) || !differs(correction, target)) return null;
  return { session_id: target.session_id, user_id: target.counted_by, written: 0, overturned: 1 };
}

/**
 * A review's move of the reviewed line's counter: overturned before and after, given the line
 * that corrected it (null when none did). Null when nothing moves.
 */
export function reviewWriterDelta(
  before: CountLineRecord,
  after: CountLineRecord,
  successor: Parameters<typeof differs>[0] | null,
): WriterDelta | null {
  const by = (overturned(after, successor) ? 1 : 0) - (overturned(before, successor) ? 1 : 0);
  if (by === 0) return null;
  return { session_id: after.session_id, user_id: after.counted_by, written: 0, overturned: by };
}

/** Groups a change's events and written lines by session. */
export function bySession(
  events: readonly LineEvent[],
  written: readonly CountLineRecord[],
): Map<string, { events: LineEvent[]; written: CountLineRecord[] }> {
  const out = new Map<string, { events: LineEvent[]; written: CountLineRecord[] }>();
  const of = (id: string) => {
    let g = out.get(id);
    if (!g) {
      g = { events: [], written: [] };
      out.set(id, g);
    }
    return g;
  };
  for (const e of events) of(e.line.session_id).events.push(e);
  for (const l of written) of(l.session_id).written.push(l);
  return out;
}

/**
 * The model's events for a line's review: it stops or starts counting, or — still counting — it
 * leaves or enters NEEDS_REVIEW (the item's review_lines): then the line as it was stops counting
 * and the line as it is starts, which moves nothing else.
 */
export function reviewEvents(before: CountLineRecord, after: CountLineRecord): LineEvent[] {
  const was = lineCounts(before);
  const is = lineCounts(after);
  if (was !== is) return [is ? { line: after, sign: 1 } : { line: before, sign: -1 }];
  const waiting = (l: CountLineRecord) => l.status === 'NEEDS_REVIEW';
  if (!is || waiting(before) === waiting(after)) return [];
  return [
    { line: before, sign: -1 },
    { line: after, sign: 1 },
  ];
}
