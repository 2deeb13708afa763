import { useCallback, useEffect, useReducer, useRef } from 'react';
import { activeUsersSchema } from '@stockverify/shared';
import type { ActiveUser, LiveEvent } from '@stockverify/shared';
import { useConsole } from '../../context';
import { FirstRunGuide } from '../sessions/FirstRunGuide';
import { ago, dateTime } from '../../ui/format';
import { useNow } from '../../ui/hooks';
import { applyEvent, emptyWatchState, itemsPerMinute, tick } from './watchtower-state';
import type { WatchState } from './watchtower-state';
import { useLiveEvents } from './useLiveEvents';

type Action =
  | { kind: 'event'; event: LiveEvent }
  | { kind: 'tick'; now: number }
  | { kind: 'seed'; users: ActiveUser[] };

function reducer(state: WatchState, action: Action): WatchState {
  switch (action.kind) {
    case 'event':
      return applyEvent(state, action.event);
    case 'tick':
      return tick(state, action.now);
    case 'seed': {
      let next = state;
      for (const u of action.users) {
        if (next.counters[u.user_id]) continue;
        next = applyEvent(next, {
          type: 'heartbeat',
          action: 'beat',
          session_id: u.session_id,
          user_id: u.user_id,
          username: u.username,
          rack: u.racks[0] ?? null,
          at: u.last_seen,
          data: { racks: u.racks, lost: [] },
        });
        const row = next.counters[u.user_id];
        if (row && u.racks.length > 0) {
          next = {
            ...next,
            counters: {
              ...next.counters,
              [u.user_id]: { ...row, rack: u.racks[0]!, lock: 'held' },
            },
          };
        }
      }
      return next;
    }
  }
}

/** Live view of the floor: who counts where, recent scans, and what looks wrong. */
export function Watchtower() {
  const { client, platform } = useConsole();
  const [state, dispatch] = useReducer(reducer, undefined, emptyWatchState);
  const now = useNow(1000);
  const onEvent = useCallback((event: LiveEvent) => dispatch({ kind: 'event', event }), []);
  const stream = useLiveEvents(client, onEvent);
  const notified = useRef(new Set<string>());

  useEffect(() => {
    dispatch({ kind: 'tick', now });
  }, [now]);

  useEffect(() => {
    let live = true;
    const load = () =>
      client
        .read(activeUsersSchema, '/admin/active-users')
        .then((r) => live && dispatch({ kind: 'seed', users: r.items }))
        .catch(() => undefined);
    void load();
    const id = setInterval(load, 15_000);
    return () => {
      live = false;
      clearInterval(id);
    };
  }, [client]);

  // Desktop notifications for new anomalies (the browser platform shows them only if allowed).
  useEffect(() => {
    for (const anomaly of state.anomalies) {
      if (notified.current.has(anomaly.id)) continue;
      notified.current.add(anomaly.id);
      void platform
        .notify({
          title: `${anomaly.username}: ${anomaly.kind.replace(/_/g, ' ')}`,
          body: anomaly.message,
        })
        .catch(() => false);
    }
  }, [state.anomalies, platform]);

  const counters = Object.values(state.counters).sort((a, b) =>
    a.username.localeCompare(b.username),
  );
  return (
    <div className="stack">
      <FirstRunGuide />
      <div className="watchtower">
        <section className="panel" aria-labelledby="wt-counters">
          <h2 id="wt-counters">
            Active counters{' '}
            <span className={`badge ${stream === 'live' ? 'ok' : 'warn'}`} role="status">
              {stream === 'live'
                ? 'Live'
                : stream === 'connecting'
                  ? 'Connecting…'
                  : 'Reconnecting…'}
            </span>
          </h2>
          <table className="grid" aria-label="Active counters">
            <thead>
              <tr>
                <th scope="col">Counter</th>
                <th scope="col">Rack</th>
                <th scope="col">Lock</th>
                <th scope="col">Last heartbeat</th>
                <th scope="col">Last scan</th>
                <th scope="col">Items/min</th>
              </tr>
            </thead>
            <tbody>
              {counters.length === 0 && (
                <tr>
                  <td colSpan={6}>Nobody is counting right now.</td>
                </tr>
              )}
              {counters.map((c) => (
                <tr
                  key={c.userId}
                  data-user={c.username}
                  className={
                    c.stale || c.lock === 'lost' ? 'row-alert' : c.idle ? 'row-warn' : undefined
                  }
                >
                  <td>{c.username}</td>
                  <td>{c.rack ?? '—'}</td>
                  <td>
                    {c.lock === 'held'
                      ? 'held'
                      : c.lock === 'paused'
                        ? 'paused'
                        : c.lock === 'lost'
                          ? 'LOST'
                          : '—'}
                    {c.stale && ' · stale heartbeat'}
                    {c.idle && ' · idle'}
                  </td>
                  <td>{ago(c.lastHeartbeatAt, now)}</td>
                  <td>{ago(c.lastScanAt, now)}</td>
                  <td>{itemsPerMinute(c, now)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
        <section className="panel" aria-labelledby="wt-anomalies">
          <h2 id="wt-anomalies">Anomalies</h2>
          <ul className="feed" aria-label="Anomalies">
            {state.anomalies.length === 0 && <li>None.</li>}
            {state.anomalies.map((a) => (
              <li key={a.id} className="anomaly">
                <time>{dateTime(new Date(a.at).toISOString())}</time> <strong>{a.username}</strong>{' '}
                {a.rack ? `(${a.rack}) ` : ''}
                {a.kind.replace(/_/g, ' ')}: {a.message}
              </li>
            ))}
          </ul>
        </section>
        <section className="panel" aria-labelledby="wt-feed">
          <h2 id="wt-feed">Recent activity</h2>
          <ul className="feed" aria-label="Recent activity">
            {state.feed.length === 0 && <li>Waiting for scans…</li>}
            {state.feed.map((f) => (
              <li key={f.id} data-kind={f.kind}>
                <time>{ago(f.at, now)}</time> {f.text}
              </li>
            ))}
          </ul>
        </section>
      </div>
    </div>
  );
}
