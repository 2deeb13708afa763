/**
 * Measures of count quality (issue #16 item 5, docs/design.md §12 "Count quality"), pure: from
 * bin rows (the read model per bin, docs/design.md §10), never from count lines.
 *
 * - first-count accuracy: of the settled or decided bins, the share whose first count was
 *   confirmed (`first_count_confirmed`); open bins are left out;
 * - recount rate: of the bins, the share that needed at least one recount phase;
 * - overturn rate: of the settled or decided bins that were recounted, the share whose quantity
 *   differs from the first count (`overturned`);
 * - mean time to settle: mean of settled_at − first_received_at over settled or decided bins.
 *
 * Split bins (parts add up, no consensus) and bins without a first count take no part.
 */
import {
  roundQty,
  type BinRecord,
  type CountQualityLevel,
  type CountQualityRow,
} from '@stockverify/shared';

/** What the measures read of a bin row. */
export type QualityBin = Pick<
  BinRecord,
  | 'rack'
  | 'state'
  | 'split'
  | 'phase'
  | 'recounts'
  | 'overturned'
  | 'counters'
  | 'first_counted_by'
  | 'first_count_confirmed'
  | 'first_received_at'
  | 'settled_at'
>;

/** Running counts of one group of bins. */
export interface QualityTally {
  bins: number;
  split_bins: number;
  open_bins: number;
  closed_bins: number;
  confirmed_first_counts: number;
  recounted_bins: number;
  /** Closed bins that were recounted: the overturn rate's denominator. */
  closed_recounted_bins: number;
  overturned_bins: number;
  /** Σ milliseconds from first receipt to settlement, and over how many closed bins. */
  settle_ms: number;
  settled_timed: number;
  recount_counts: number;
}

export type QualityFigures = Omit<
  QualityTally,
  'closed_recounted_bins' | 'settle_ms' | 'settled_timed'
> & {
  first_count_accuracy: number | null;
  recount_rate: number | null;
  overturn_rate: number | null;
  mean_minutes_to_settle: number | null;
};

export function emptyTally(): QualityTally {
  return {
    bins: 0,
    split_bins: 0,
    open_bins: 0,
    closed_bins: 0,
    confirmed_first_counts: 0,
    recounted_bins: 0,
    closed_recounted_bins: 0,
    overturned_bins: 0,
    settle_ms: 0,
    settled_timed: 0,
    recount_counts: 0,
  };
}

/** Settled by consensus or tolerance, or decided by a supervisor. */
export function isClosed(bin: Pick<QualityBin, 'state'>): boolean {
  return bin.state === 'settled' || bin.state === 'decided';
}

/**
 * Needed at least one recount phase: it used one, or (open) it waits for one. A bin a supervisor
 * decided without a recount did not.
 */
export function wasRecounted(bin: Pick<QualityBin, 'recounts' | 'phase'>): boolean {
  return bin.recounts >= 1 || bin.phase >= 1;
}

/** Counts of the bin by others than its first counter (recounts, mostly). */
export function recountCountsOf(bin: Pick<QualityBin, 'counters' | 'first_counted_by' | 'split'>) {
  if (bin.split) return 0;
  return bin.counters.filter((c) => c !== bin.first_counted_by).length;
}

/** Adds one bin to a tally (a bin without a first count adds nothing). */
export function addBin(tally: QualityTally, bin: QualityBin): void {
  if (bin.first_received_at === null) return;
  if (bin.split) {
    tally.split_bins++;
    return;
  }
  tally.bins++;
  tally.recount_counts += recountCountsOf(bin);
  const recounted = wasRecounted(bin);
  if (recounted) tally.recounted_bins++;
  if (!isClosed(bin)) {
    tally.open_bins++;
    return;
  }
  tally.closed_bins++;
  if (bin.first_count_confirmed) tally.confirmed_first_counts++;
  if (recounted) {
    tally.closed_recounted_bins++;
    if (bin.overturned) tally.overturned_bins++;
  }
  if (bin.settled_at !== null) {
    const ms = Date.parse(bin.settled_at) - Date.parse(bin.first_received_at);
    if (Number.isFinite(ms)) {
      tally.settle_ms += Math.max(0, ms);
      tally.settled_timed++;
    }
  }
}

/** 100 × part / whole to two decimals; null when the whole is 0. */
export function percent(part: number, whole: number): number | null {
  return whole === 0 ? null : Math.round((10_000 * part) / whole) / 100;
}

/** The measures of a tally. */
export function figuresOf(t: QualityTally): QualityFigures {
  const { closed_recounted_bins, settle_ms, settled_timed, ...counts } = t;
  return {
    ...counts,
    first_count_accuracy: percent(t.confirmed_first_counts, t.closed_bins),
    recount_rate: percent(t.recounted_bins, t.bins),
    overturn_rate: percent(t.overturned_bins, closed_recounted_bins),
    mean_minutes_to_settle:
      settled_timed === 0 ? null : roundQty(settle_ms / settled_timed / 60_000),
  };
}

/** The measures of a list of bins. */
export function measureBins(bins: Iterable<QualityBin>): QualityFigures {
  const tally = emptyTally();
  for (const bin of bins) addBin(tally, bin);
  return figuresOf(tally);
}

/** A session as the report names it. */
export interface QualitySession {
  id: string;
  name: string;
  warehouse: string;
}

/** Where a rack is: its floor (the zone) in the session's warehouse. */
export interface ZoneOf {
  (warehouse: string, rack: string): { code: string; name: string } | null;
}

export interface QualityGrouping {
  /** Only the bins this counter counted first; their counter row alone (recounts they made too). */
  user?: string;
  /** A user's display name (the id when unknown). */
  username: (userId: string) => string;
  zoneOf: ZoneOf;
}

const UNKNOWN_ZONE = '\u0000';

const blank = {
  session_id: null,
  session_name: null,
  warehouse: null,
  zone: null,
  zone_name: null,
  user_id: null,
  username: null,
} as const;

function row(
  level: CountQualityLevel,
  names: Partial<Pick<CountQualityRow, keyof typeof blank>>,
  tally: QualityTally,
): CountQualityRow {
  return { level, ...blank, ...names, ...figuresOf(tally) };
}

/**
 * The count_quality report's rows: one `all` row, then one per session (in the order given), per
 * zone (warehouse, floor code) and per counter (by name, then id). Counter rows attribute each
 * bin to its first counter; `recount_counts` there counts the bins they counted after somebody
 * else (a recount, or a second first count of a non-split bin).
 */
export function countQualityRows(
  sessions: ReadonlyArray<{ session: QualitySession; bins: Iterable<QualityBin> }>,
  grouping: QualityGrouping,
): CountQualityRow[] {
  const all = emptyTally();
  const perSession: CountQualityRow[] = [];
  const zones = new Map<
    string,
    { warehouse: string; zone: string; name: string | null; t: QualityTally }
  >();
  const counters = new Map<string, QualityTally>();
  const counterTally = (id: string) => {
    let t = counters.get(id);
    if (!t) counters.set(id, (t = emptyTally()));
    return t;
  };
  const { user } = grouping;

  for (const { session, bins } of sessions) {
    const st = emptyTally();
    for (const bin of bins) {
      if (bin.first_received_at === null) continue;
      const first = bin.first_counted_by;
      if (user !== undefined && first !== user) {
        // Not theirs to answer for; a recount they made still shows on their row.
        if (!bin.split && bin.counters.includes(user)) counterTally(user).recount_counts++;
        continue;
      }
      addBin(all, bin);
      addBin(st, bin);
      const zone = grouping.zoneOf(session.warehouse, bin.rack);
      const zoneKey = `${session.warehouse}\u001f${zone?.code ?? UNKNOWN_ZONE}`;
      let z = zones.get(zoneKey);
      if (!z) {
        z = {
          warehouse: session.warehouse,
          zone: zone?.code ?? UNKNOWN_ZONE,
          name: zone?.name ?? null,
          t: emptyTally(),
        };
        zones.set(zoneKey, z);
      }
      addBin(z.t, bin);
      if (first !== null) {
        const ct = counterTally(first);
        const before = ct.recount_counts;
        addBin(ct, bin);
        // The first counter's row counts their bins, not the recounts others made of them.
        ct.recount_counts = before;
      }
      if (!bin.split) {
        for (const c of bin.counters) {
          if (c !== first && (user === undefined || c === user)) counterTally(c).recount_counts++;
        }
      }
    }
    perSession.push(
      row(
        'session',
        { session_id: session.id, session_name: session.name, warehouse: session.warehouse },
        st,
      ),
    );
  }

  const zoneRows = [...zones.values()]
    .sort((a, b) => cmp(a.warehouse, b.warehouse) || cmp(a.zone, b.zone))
    .map((z) =>
      row(
        'zone',
        {
          warehouse: z.warehouse,
          zone: z.zone === UNKNOWN_ZONE ? null : z.zone,
          zone_name: z.name,
        },
        z.t,
      ),
    );
  const counterRows = [...counters.entries()]
    .filter(([id]) => user === undefined || id === user)
    .map(([id, t]) => ({ id, name: grouping.username(id), t }))
    .sort((a, b) => cmp(a.name, b.name) || cmp(a.id, b.id))
    .map((c) => row('counter', { user_id: c.id, username: c.name }, c.t));

  return [row('all', {}, all), ...perSession, ...zoneRows, ...counterRows];
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
