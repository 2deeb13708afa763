import type { LiveEvent } from '@stockverify/shared';

/** Thresholds for the watchtower's anomaly flags. */
export interface WatchRules {
  /** Scans closer than this on average over `rateWindow` scans are not humanly possible. */
  minScanGapMs: number;
  rateWindow: number;
  /** The same item this many times in a row by one counter is flagged. */
  repeatLimit: number;
  /** A heartbeat older than this is stale (api.md HEARTBEAT_STALE_SECONDS). */
  staleMs: number;
  /** Holding a lock without a scan this long is "idle with a lock". */
  idleMs: number;
}

export const DEFAULT_RULES: WatchRules = {
  minScanGapMs: 400,
  rateWindow: 10,
  repeatLimit: 5,
  staleMs: 90_000,
  idleMs: 10 * 60_000,
};

export type AnomalyKind =
  | 'impossible_rate'
  | 'repeated_item'
  | 'idle_with_lock'
  | 'stale_heartbeat'
  | 'lock_lost'
  | 'lost_with_queued_data';

export interface Anomaly {
  id: string;
  kind: AnomalyKind;
  at: number;
  username: string;
  rack: string | null;
  message: string;
}

export interface CounterRow {
  userId: string;
  username: string;
  sessionId: string | null;
  rack: string | null;
  lock: 'held' | 'paused' | 'lost' | 'none';
  lastHeartbeatAt: number | null;
  lastScanAt: number | null;
  /** Recent scan times (ms), newest last, for items/min and the rate check. */
  scanTimes: number[];
  lastItem: string | null;
  repeat: number;
  /** When the current run of the same item began. */
  repeatStartAt: number | null;
  stale: boolean;
  idle: boolean;
}

export interface FeedEntry {
  id: number;
  at: number;
  text: string;
  kind: LiveEvent['type'];
}

export interface WatchState {
  counters: Record<string, CounterRow>;
  feed: FeedEntry[];
  anomalies: Anomaly[];
  /** Anomaly keys already raised, so one condition is flagged once. */
  raised: Record<string, true>;
  seq: number;
}

export const FEED_LIMIT = 200;
export const ANOMALY_LIMIT = 100;

export const emptyWatchState = (): WatchState => ({
  counters: {},
  feed: [],
  anomalies: [],
  raised: {},
  seq: 0,
});

function counterOf(state: WatchState, event: LiveEvent): CounterRow | null {
  if (!event.user_id) return null;
  return (
    state.counters[event.user_id] ?? {
      userId: event.user_id,
      username: event.username ?? event.user_id,
      sessionId: event.session_id,
      rack: null,
      lock: 'none',
      lastHeartbeatAt: null,
      lastScanAt: null,
      scanTimes: [],
      lastItem: null,
      repeat: 0,
      repeatStartAt: null,
      stale: false,
      idle: false,
    }
  );
}

/** Items per minute over the last five minutes of scans. */
export function itemsPerMinute(row: CounterRow, now: number): number {
  const recent = row.scanTimes.filter((t) => now - t <= 5 * 60_000);
  if (recent.length === 0) return 0;
  const span = Math.max(60_000, now - recent[0]!);
  return Math.round((recent.length / span) * 60_000 * 10) / 10;
}

function raise(state: WatchState, key: string, anomaly: Omit<Anomaly, 'id'>): WatchState {
  if (state.raised[key]) return state;
  const seq = state.seq + 1;
  return {
    ...state,
    seq,
    raised: { ...state.raised, [key]: true },
    anomalies: [{ ...anomaly, id: `${key}#${seq}` }, ...state.anomalies].slice(0, ANOMALY_LIMIT),
  };
}

/** An item as people know it: code and name (issue #14), the code alone when no name came. */
function itemLabel(data: Record<string, unknown>): string {
  const code = String(data.item_code ?? '?');
  return typeof data.item_name === 'string' && data.item_name ? `${code} ${data.item_name}` : code;
}

function describe(event: LiveEvent): string {
  const who = event.username ?? 'someone';
  const rack = event.rack ? ` rack ${event.rack}` : '';
  const data = event.data ?? {};
  switch (event.type) {
    case 'scan':
      return `${who} counted ${String(data.counted_qty ?? '?')} × ${itemLabel(data)} on${rack}`;
    case 'claim':
      return `${who}: ${event.action.replace('_', ' ')}${rack}`;
    case 'heartbeat':
      return event.action === 'stale'
        ? `${who} silent for ${String(data.silent_seconds ?? '?')} s on${rack}`
        : `${who} heartbeat`;
    case 'conflict':
      return `Conflict ${event.action} from ${who}${rack}`;
    case 'unknown_item':
      return `${who} reported an unknown barcode ${String(data.barcode ?? '')} on${rack}`;
    case 'review':
      return `${who} ${event.action}d a line on${rack}`;
    default:
      return `${event.type} ${event.action}`;
  }
}

/** Folds one live event into the watchtower (pure: the UI and the tests run the same code). */
export function applyEvent(
  state: WatchState,
  event: LiveEvent,
  rules: WatchRules = DEFAULT_RULES,
): WatchState {
  const at = Date.parse(event.at) || Date.now();
  let next: WatchState = state;
  // Beats and the read model's notices (figures at count computed: lists read them again) are
  // not news for people watching the floor.
  if ((event.type !== 'heartbeat' || event.action !== 'beat') && event.type !== 'at_count') {
    const seq = state.seq + 1;
    next = {
      ...state,
      seq,
      feed: [{ id: seq, at, text: describe(event), kind: event.type }, ...state.feed].slice(
        0,
        FEED_LIMIT,
      ),
    };
  }
  const row = counterOf(next, event);
  if (row === null) return next;
  const updated: CounterRow = { ...row, sessionId: event.session_id ?? row.sessionId };
  const data = event.data ?? {};
  switch (event.type) {
    case 'scan': {
      const item = typeof data.item_code === 'string' ? data.item_code : null;
      updated.scanTimes = [...row.scanTimes, at].filter((t) => at - t <= 5 * 60_000).slice(-500);
      updated.lastScanAt = at;
      updated.rack = event.rack ?? row.rack;
      const same = item !== null && item === row.lastItem;
      updated.repeat = same ? row.repeat + 1 : 1;
      updated.repeatStartAt = same ? row.repeatStartAt : at;
      updated.lastItem = item;
      updated.idle = false;
      break;
    }
    case 'claim':
      updated.rack = event.rack ?? row.rack;
      if (event.action === 'claimed' || event.action === 'resumed') updated.lock = 'held';
      else if (event.action === 'paused') updated.lock = 'paused';
      else if (event.action === 'lost') updated.lock = 'lost';
      else updated.lock = 'none';
      if (event.action === 'claimed') updated.lastHeartbeatAt = at;
      break;
    case 'heartbeat':
      if (event.action === 'beat') {
        updated.lastHeartbeatAt = at;
        updated.stale = false;
        const lost = Array.isArray(data.lost) ? data.lost : [];
        if (lost.length > 0) updated.lock = 'lost';
      } else if (event.action === 'stale') {
        updated.stale = true;
      }
      break;
    default:
      break;
  }
  next = { ...next, counters: { ...next.counters, [updated.userId]: updated } };

  const base = { at, username: updated.username, rack: event.rack ?? updated.rack };
  if (event.type === 'scan') {
    const window = updated.scanTimes.slice(-rules.rateWindow);
    if (window.length === rules.rateWindow) {
      const gap = (window[window.length - 1]! - window[0]!) / (window.length - 1);
      if (gap < rules.minScanGapMs) {
        next = raise(next, `rate:${updated.userId}:${Math.floor(at / 60_000)}`, {
          ...base,
          kind: 'impossible_rate',
          message: `${rules.rateWindow} scans ${Math.round(gap)} ms apart on average`,
        });
      }
    }
    if (updated.repeat >= rules.repeatLimit) {
      next = raise(next, `repeat:${updated.userId}:${updated.lastItem}:${updated.repeatStartAt}`, {
        ...base,
        kind: 'repeated_item',
        message: `${itemLabel(data)} scanned ${updated.repeat} times in a row`,
      });
    }
  }
  if (event.type === 'claim' && event.action === 'lost') {
    next = raise(next, `lost:${updated.userId}:${event.rack}:${at}`, {
      ...base,
      kind: 'lock_lost',
      message: `Lock on ${event.rack ?? 'a rack'} lost`,
    });
  }
  if (event.type === 'heartbeat' && event.action === 'stale') {
    next = raise(next, `stale:${updated.userId}:${event.rack}:${String(data.last_heartbeat_at)}`, {
      ...base,
      kind: 'stale_heartbeat',
      message: `No heartbeat for ${String(data.silent_seconds ?? '?')} s`,
    });
  }
  if (
    event.type === 'conflict' &&
    (event.action === 'LOCK_LOST' || event.action === 'STALE_TOKEN')
  ) {
    next = raise(next, `queued:${String(data.op_id ?? at)}`, {
      ...base,
      kind: 'lost_with_queued_data',
      message: 'Offline counts arrived after the lock was lost: resolve them under Conflicts',
    });
  }
  return next;
}

/** Re-evaluates time-based flags (stale heartbeats, idle with a lock) at `now`. */
export function tick(
  state: WatchState,
  now: number,
  rules: WatchRules = DEFAULT_RULES,
): WatchState {
  let next = state;
  for (const row of Object.values(state.counters)) {
    const stale =
      row.lock === 'held' &&
      row.lastHeartbeatAt !== null &&
      now - row.lastHeartbeatAt > rules.staleMs;
    const lastActivity = row.lastScanAt ?? row.lastHeartbeatAt;
    const idle =
      row.lock === 'held' &&
      lastActivity !== null &&
      now - (row.lastScanAt ?? lastActivity) > rules.idleMs;
    if (stale !== row.stale || idle !== row.idle) {
      const updated = { ...row, stale: stale || row.stale, idle };
      next = { ...next, counters: { ...next.counters, [row.userId]: updated } };
    }
    if (idle) {
      next = raise(
        next,
        `idle:${row.userId}:${row.rack}:${row.lastScanAt ?? row.lastHeartbeatAt}`,
        {
          at: now,
          username: row.username,
          rack: row.rack,
          kind: 'idle_with_lock',
          message: `Holding ${row.rack ?? 'a rack'} with no scan for ${Math.round((now - (lastActivity ?? now)) / 60_000)} min`,
        },
      );
    }
  }
  return next;
}
