import type { User } from '@stockverify/shared';
import { useCallback, useEffect, useRef, useState } from 'react';
import type { StaffSession } from '../../api/staff-api';
import { toDisplayError } from '../../api/display-error';
import { useServices } from '../../app/context';
import { useOnline, useRetryWhileStale } from '../../app/hooks';
import type { ClaimEntry } from '../../db/device-db';
import { claimsOf } from '../../work/claims';
import { countOf } from '../../count/count-draft';

const MODE_LABEL = { standard: 'Standard', blind: 'Blind count', strict: 'Strict' } as const;

/** Open sessions of the user's warehouse; offline, the list last seen on this phone. */
export function SessionsScreen({
  user,
  onOpen,
  onOpenRack,
}: {
  user: User;
  onOpen: (session: StaffSession) => void;
  /** A rack this phone holds opens straight to its counting screen. */
  onOpenRack: (session: StaffSession, rack: string) => void;
}) {
  const { api, deviceDb, recountTasks } = useServices();
  const [sessions, setSessions] = useState<StaffSession[] | null>(null);
  const [claims, setClaims] = useState<ClaimEntry[]>([]);
  const [note, setNote] = useState<string | null>(null);

  const online = useOnline();
  // Failed loads since the last good one: the list shown is then the phone's saved copy.
  const [failures, setFailures] = useState(0);
  const live = useRef(true);
  useEffect(() => {
    live.current = true;
    return () => {
      live.current = false;
    };
  }, []);

  const load = useCallback(async () => {
    void claimsOf(deviceDb, user.id).then((c) => live.current && setClaims(c));
    try {
      const list = await api.openSessions(user.warehouse);
      if (!live.current) return;
      setSessions(list);
      setNote(null);
      setFailures(0);
      await deviceDb.meta.put({ key: 'sessions', value: list });
      // Recount tasks of sessions that closed can no longer be done: they leave the phone.
      await recountTasks.keepOpenSessions(
        user.id,
        list.map((s) => s.id),
      );
    } catch (error) {
      const cached = await deviceDb.meta.get('sessions').catch(() => undefined);
      if (!live.current) return;
      setSessions(cached?.key === 'sessions' ? cached.value : []);
      setNote(`${toDisplayError(error).message} Showing the sessions this phone last saw.`);
      setFailures((n) => n + 1);
    }
  }, [api, deviceDb, recountTasks, user]);

  // On opening and whenever the network comes back; a failed load is asked for again while the
  // phone says it is online (a counter should not have to leave the screen to see the live list).
  useEffect(() => {
    void load();
  }, [online, load]);
  useRetryWhileStale(failures, online, load);

  return (
    <section className="stack" aria-labelledby="sessions-title">
      <h1 id="sessions-title">Count sessions</h1>
      {claims.length > 0 && (
        <div className="card">
          <h2>Your racks on this phone</h2>
          <ul className="plain">
            {claims.map((claim) => (
              <li key={`${claim.session_id}/${claim.rack}`}>
                <button
                  type="button"
                  className="row-button"
                  disabled={!claim.session}
                  onClick={() => claim.session && onOpenRack(claim.session, claim.rack)}
                >
                  Rack {claim.rack} · {claim.session?.name ?? claim.session_id} · {claim.status}
                </button>
              </li>
            ))}
          </ul>
        </div>
      )}
      {note && (
        <p role="status" className="note">
          {note}
        </p>
      )}
      {sessions === null ? (
        <p aria-busy="true">Loading sessions…</p>
      ) : sessions.length === 0 ? (
        <div className="muted" role="status">
          <p>No open count session in your warehouse right now.</p>
          <p>
            Ask your supervisor to start a count session for{' '}
            {user.warehouse ? `warehouse ${user.warehouse}` : 'your warehouse'}; it shows here as
            soon as it starts.
          </p>
        </div>
      ) : (
        <ul className="plain">
          {sessions.map((session) => (
            <li key={session.id}>
              <button type="button" className="row-button" onClick={() => onOpen(session)}>
                <strong>{session.name}</strong>
                <span className="muted">
                  {session.warehouse} · {MODE_LABEL[session.mode]} ·{' '}
                  {countOf(session.racks.length, 'rack')}
                </span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
