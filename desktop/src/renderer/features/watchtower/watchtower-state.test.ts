import { describe, expect, it } from 'vitest';
import type { LiveEvent } from '@stockverify/shared';
import {
  ANOMALY_LIMIT,
  DEFAULT_RULES,
  FEED_LIMIT,
  applyEvent,
  emptyWatchState,
  itemsPerMinute,
  tick,
} from './watchtower-state';
import type { WatchState } from './watchtower-state';

const T0 = Date.parse('2026-11-29T10:00:00Z');
const at = (ms: number) => new Date(T0 + ms).toISOString();

const ev = (
  partial: Partial<LiveEvent> & Pick<LiveEvent, 'type' | 'action'>,
  ms = 0,
): LiveEvent => ({
  session_id: 'S1',
  user_id: 'u1',
  username: 'alice',
  rack: 'A-01',
  at: at(ms),
  ...partial,
});

const scan = (ms: number, item = 'ITM-1', user = 'u1'): LiveEvent =>
  ev(
    { type: 'scan', action: 'line', user_id: user, data: { item_code: item, counted_qty: 1 } },
    ms,
  );

const fold = (events: LiveEvent[], state: WatchState = emptyWatchState()) =>
  events.reduce((s, e) => applyEvent(s, e), state);

describe('applyEvent', () => {
  it('tracks a counter from claim to scans, with rack, lock and last activity', () => {
    const state = fold([
      ev({ type: 'claim', action: 'claimed' }),
      scan(5_000),
      scan(20_000, 'ITM-2'),
    ]);
    const alice = state.counters.u1!;
    expect(alice).toMatchObject({
      username: 'alice',
      rack: 'A-01',
      lock: 'held',
      lastHeartbeatAt: T0,
      lastScanAt: T0 + 20_000,
      lastItem: 'ITM-2',
    });
    expect(state.feed.map((f) => f.kind)).toEqual(['scan', 'scan', 'claim']);
    expect(state.feed[0]!.text).toMatch(/alice counted 1 × ITM-2/);
    expect(state.anomalies).toEqual([]);
  });

  it('names the item beside its code in the feed and in a repeated-item flag (issue #14)', () => {
    const named = (ms: number): LiveEvent =>
      ev(
        {
          type: 'scan',
          action: 'line',
          data: { item_code: 'ITM-9', item_name: 'Domex Floor Cleaner', counted_qty: 2 },
        },
        ms,
      );
    const state = fold(
      Array.from({ length: DEFAULT_RULES.repeatLimit }, (_, n) => named(n * 10_000)),
    );
    expect(state.feed[0]!.text).toBe('alice counted 2 × ITM-9 Domex Floor Cleaner on rack A-01');
    const flag = state.anomalies.find((a) => a.kind === 'repeated_item');
    expect(flag?.message).toMatch(/^ITM-9 Domex Floor Cleaner scanned/);
    // Events without a name still read well.
    expect(fold([scan(0)]).feed[0]!.text).toBe('alice counted 1 × ITM-1 on rack A-01');
  });

  it('keeps heartbeats out of the feed but records them', () => {
    const state = fold([
      ev({ type: 'heartbeat', action: 'beat', data: { racks: ['A-01'], lost: [] } }, 7000),
    ]);
    expect(state.feed).toEqual([]);
    expect(state.counters.u1!.lastHeartbeatAt).toBe(T0 + 7000);
  });

  it('keeps the figures-at-count notices of the read model out of the feed', () => {
    const state = fold([
      ev({
        type: 'at_count',
        action: 'computed',
        user_id: null,
        username: null,
        rack: null,
        data: { items: 3 },
      }),
    ]);
    expect(state.feed).toEqual([]);
    expect(state.counters).toEqual({});
  });

  it('flags scans faster than a person can scan, once', () => {
    const fast = Array.from({ length: 14 }, (_, i) => scan(i * 100, `ITM-${i}`));
    const state = fold(fast);
    const flags = state.anomalies.filter((a) => a.kind === 'impossible_rate');
    expect(flags).toHaveLength(1);
    expect(flags[0]!.message).toMatch(/100 ms apart/);
  });

  it('does not flag a brisk but human pace', () => {
    const steady = Array.from({ length: 30 }, (_, i) => scan(i * 1500, `ITM-${i}`));
    expect(fold(steady).anomalies).toEqual([]);
  });

  it('flags the same item scanned five times in a row, once per run', () => {
    const same = Array.from({ length: 7 }, (_, i) => scan(i * 2000, 'ITM-9'));
    const state = fold(same);
    const flags = state.anomalies.filter((a) => a.kind === 'repeated_item');
    expect(flags).toHaveLength(1);
    expect(flags[0]!.message).toBe('ITM-9 scanned 5 times in a row');
    const again = fold(
      [
        scan(20_000, 'ITM-1'),
        ...Array.from({ length: 5 }, (_, i) => scan(30_000 + i * 2000, 'ITM-9')),
      ],
      state,
    );
    expect(again.anomalies.filter((a) => a.kind === 'repeated_item')).toHaveLength(2);
  });

  it('flags a lost lock, a stale heartbeat and offline data that arrived after the lock was lost', () => {
    const state = fold([
      ev({ type: 'claim', action: 'claimed' }),
      ev(
        {
          type: 'heartbeat',
          action: 'stale',
          data: { silent_seconds: 95, last_heartbeat_at: at(0) },
        },
        95_000,
      ),
      ev({ type: 'claim', action: 'lost' }, 100_000),
      ev({ type: 'conflict', action: 'LOCK_LOST', data: { op_id: 'op-1' } }, 120_000),
    ]);
    expect(state.anomalies.map((a) => a.kind).sort()).toEqual([
      'lock_lost',
      'lost_with_queued_data',
      'stale_heartbeat',
    ]);
    expect(state.counters.u1).toMatchObject({ lock: 'lost', stale: true });
  });

  it('marks the lock lost when a heartbeat answer lists lost racks', () => {
    const state = fold([
      ev({ type: 'claim', action: 'claimed' }),
      ev({ type: 'heartbeat', action: 'beat', data: { racks: [], lost: ['A-01'] } }, 1000),
    ]);
    expect(state.counters.u1!.lock).toBe('lost');
  });

  it('bounds the feed and the anomaly list', () => {
    const many = Array.from({ length: FEED_LIMIT + 50 }, (_, i) =>
      scan(i * 1000, `ITM-${i}`, `u${i}`),
    );
    expect(fold(many).feed).toHaveLength(FEED_LIMIT);
    const lost = Array.from({ length: ANOMALY_LIMIT + 10 }, (_, i) =>
      ev({ type: 'claim', action: 'lost', user_id: `u${i}` }, i),
    );
    expect(fold(lost).anomalies).toHaveLength(ANOMALY_LIMIT);
  });

  it('ignores events without a user for the counters but keeps them in the feed', () => {
    const state = fold([{ type: 'session', action: 'created', session_id: 'S2', at: at(0) }]);
    expect(state.counters).toEqual({});
    expect(state.feed).toHaveLength(1);
  });
});

describe('tick', () => {
  it('marks a held lock stale after the heartbeat limit and idle after the idle limit', () => {
    const claimed = fold([ev({ type: 'claim', action: 'claimed' }), scan(1000)]);
    expect(tick(claimed, T0 + 30_000).counters.u1).toMatchObject({ stale: false, idle: false });
    const later = tick(claimed, T0 + DEFAULT_RULES.staleMs + 1000);
    expect(later.counters.u1!.stale).toBe(true);
    const idle = tick(later, T0 + 1000 + DEFAULT_RULES.idleMs + 1000);
    expect(idle.counters.u1!.idle).toBe(true);
    expect(idle.anomalies.map((a) => a.kind)).toEqual(['idle_with_lock']);
    // Flagged once, however often the clock ticks.
    expect(tick(idle, T0 + DEFAULT_RULES.idleMs + 60_000).anomalies).toHaveLength(1);
  });

  it('never flags a counter without a lock', () => {
    const released = fold([
      ev({ type: 'claim', action: 'claimed' }),
      ev({ type: 'claim', action: 'released' }, 1000),
    ]);
    const later = tick(released, T0 + DEFAULT_RULES.idleMs * 2);
    expect(later.counters.u1).toMatchObject({ stale: false, idle: false });
    expect(later.anomalies).toEqual([]);
  });
});

describe('itemsPerMinute', () => {
  it('counts scans of the last five minutes over at least a minute', () => {
    const state = fold(Array.from({ length: 10 }, (_, i) => scan(i * 6000, `I${i}`)));
    expect(itemsPerMinute(state.counters.u1!, T0 + 60_000)).toBe(10);
    expect(itemsPerMinute(state.counters.u1!, T0 + 120_000)).toBe(5);
    expect(itemsPerMinute(state.counters.u1!, T0 + 10 * 60_000)).toBe(0);
  });
});
