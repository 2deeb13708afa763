import type { User } from '@stockverify/shared';
import { useEffect, useState } from 'react';
import type { StaffSession } from '../../api/staff-api';
import { toDisplayError } from '../../api/display-error';
import { useServices } from '../../app/context';
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

  useEffect(() => {
    let live = true;
    void claimsOf(deviceDb, user.id).then((c) => live && setClaims(c));
    api.openSessions(user.warehouse).then(
      async (list) => {
        if (!live) return;
        setSessions(list);
        setNote(null);
        await deviceDb.meta.put({ key: 'sessions', value: list });
        // Recount tasks of sessions that closed can no longer be done: they leave the phone.
        await recountTasks.keepOpenSessions(
          user.id,
          list.map((s) => s.id),
        );
      },
      async (error: unknown) => {
        const cached = await deviceDb.meta.get('sessions');
        if (!live) return;
        setSessions(cached?.key === 'sessions' ? cached.value : []);
        setNote(`${toDisplayError(error).message} Showing the sessions this phone last saw.`);
      },
    );
    return () => {
      live = false;
    };
  }, [api, deviceDb, recountTasks, user]);

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
