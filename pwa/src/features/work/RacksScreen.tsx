import type { User } from '@stockverify/shared';
import { useCallback, useEffect, useRef, useState } from 'react';
import type { FormEvent } from 'react';
import { ApiClientError } from '../../api/client';
import { toDisplayError } from '../../api/display-error';
import type { RackView, StaffSession } from '../../api/staff-api';
import { createExportFetcher } from '../../api/staff-api';
import { useServices } from '../../app/context';
import { refreshCatalog, storeBookQuantities } from '../../items/item-cache';
import { classifyScan } from '../../scan/classify';
import { ReadConfirmer } from '../../scan/read-confirm';
import { countOf } from '../../count/count-draft';
import { useOnline, useRetryWhileStale } from '../../app/hooks';
import type { CachedRack, CachedRackList } from '../../db/device-db';
import { claimsOf, rememberClaim } from '../../work/claims';
import { useRecountTasks } from '../../work/useRecountTasks';
import { TaskList } from '../recount/TaskList';
import { CameraScanner } from '../scan/CameraScanner';
import { useHeartbeat } from '../scan/useHeartbeat';
import { useWedge } from '../scan/useWedge';
import { rackRow } from './rack-row';

const STATE_LABEL: Record<RackView['state'], string> = {
  not_started: 'Not started',
  claimed: 'Being counted',
  paused: 'Paused',
  completed: 'Completed',
  recount: 'Recount',
  available: 'Available',
};

/**
 * The racks of a session with their claim status. A rack is claimed by tapping it or by scanning
 * its location label. Opening the screen also brings the offline item list and the session's book
 * quantities up to date, so counting keeps working when the Wi-Fi drops.
 */
export function RacksScreen({
  user,
  session,
  onBack,
  onClaimed,
  onRecount,
}: {
  user: User;
  session: StaffSession;
  onBack: () => void;
  onClaimed: (rack: string) => void;
  /** Opens a recount task: no claim needed, the task is the permission. */
  onRecount: (taskId: string) => void;
}) {
  const services = useServices();
  const { api, auth, deviceDb, itemDb, deviceId } = services;
  const [racks, setRacks] = useState<CachedRack[] | null>(null);
  const [message, setMessage] = useState<{ text: string; alert: boolean } | null>(null);
  const [catalog, setCatalog] = useState<string>('Checking the offline item list…');
  const [label, setLabel] = useState('');
  const [busy, setBusy] = useState(false);
  const [camera, setCamera] = useState(false);
  // "Count part of this rack (shared)": the next claims are split (design §12 "Split claims").
  const [shared, setShared] = useState(false);
  const confirmer = useRef(new ReadConfirmer());
  // Failed loads since the last good one: the list shown is then the phone's saved copy.
  const [failures, setFailures] = useState(0);
  // The list failed to load and none is saved on the phone: a label cannot be looked up.
  const [listMissing, setListMissing] = useState(false);

  const [held, setHeld] = useState<Set<string>>(new Set());
  const tasks = useRecountTasks(session.id);
  const online = useOnline();
  // Beating here too makes the counter present in the session: the server gives a new recount
  // task to a present counter (issue #16), not only to those holding a rack.
  useHeartbeat(session.id, online);

  // The list is kept on the phone, so offline the counter still sees the racks and can go back to
  // one this phone holds (issue #14). A failure shows the last list with its age, and clears as
  // soon as a reload succeeds.
  const load = useCallback(async () => {
    const cacheKey = `racks:${session.id}` as const;
    void claimsOf(deviceDb, user.id).then((claims) =>
      setHeld(new Set(claims.filter((c) => c.session_id === session.id).map((c) => c.rack))),
    );
    try {
      const list = await api.racks(session.warehouse, session.id);
      setFailures(0);
      setListMissing(false);
      setRacks(list);
      setMessage(null);
      await deviceDb.meta
        .put({
          key: cacheKey,
          value: { saved_at: new Date().toISOString(), racks: list.map(toCachedRack) },
        })
        .catch(() => undefined);
    } catch (error) {
      const cached = await deviceDb.meta.get(cacheKey).catch(() => undefined);
      const saved = cached?.key === cacheKey ? (cached.value as CachedRackList) : null;
      setFailures((n) => n + 1);
      setListMissing(!saved);
      setRacks(saved ? saved.racks : []);
      const why = toDisplayError(error).message;
      setMessage({
        text: saved
          ? `${why} Showing the racks as this phone last saw them (${new Date(saved.saved_at).toLocaleTimeString()}).`
          : why,
        alert: !saved,
      });
    }
  }, [api, deviceDb, session, user.id]);

  // On opening, and whenever the network comes or goes: back online, the live list replaces the
  // saved one and the message goes.
  useEffect(() => {
    void load();
  }, [online, load]);

  // A list that failed to load is asked for again while the phone says it is online.
  useRetryWhileStale(failures, online, load);

  useEffect(() => {
    let live = true;
    const fetchExport = createExportFetcher(auth);
    refreshCatalog(itemDb, fetchExport, session.warehouse, {
      session: session.id,
      onProgress: (n) => live && setCatalog(`Downloading items for offline use… ${n}`),
    }).then(
      async (done) => {
        const state = await itemDb.catalogs.get(session.warehouse);
        if (live)
          setCatalog(`${countOf(state?.item_count ?? done.written, 'item')} ready offline.`);
      },
      async () => {
        const state = await itemDb.catalogs.get(session.warehouse);
        if (live) {
          setCatalog(
            state
              ? `Offline item list from ${new Date(state.refreshed_at).toLocaleString()} (${countOf(state.item_count, 'item')}).`
              : 'The item list could not be downloaded; lookups need the network.',
          );
        }
      },
    );
    if (session.mode !== 'blind') {
      api.bookQuantities(session.id).then(
        (rows) => storeBookQuantities(itemDb, session.id, rows),
        () => undefined, // Offline: the copy from the last visit stays.
      );
    }
    return () => {
      live = false;
    };
  }, [api, auth, itemDb, session]);

  const claim = useCallback(
    async (rack: string) => {
      setBusy(true);
      setMessage(null);
      try {
        const view = racks?.find((r) => r.code === rack);
        const split = view ? rackRow(view, user.id, held.has(rack), shared).claimSplit : shared;
        const answer = await api.claim(session.id, rack, deviceId, split);
        await rememberClaim(deviceDb, user.id, session, answer);
        onClaimed(rack);
      } catch (error) {
        const offline = error instanceof ApiClientError && error.status === 0;
        // A rack this phone already holds opens without the server: its claim and fencing token
        // are on the phone, and the heartbeat renews the lock when the network is back.
        if (offline && held.has(rack)) {
          onClaimed(rack);
          return;
        }
        const text = offline
          ? 'Claiming a rack needs a connection. Move to where the Wi-Fi reaches and try again.'
          : toDisplayError(error).message;
        setMessage({ text, alert: true });
        void load();
      } finally {
        setBusy(false);
      }
    },
    [api, deviceDb, deviceId, held, load, onClaimed, racks, session, shared, user.id],
  );

  // A label scanned before the list has arrived waits for it: the list turns a location barcode
  // into its rack, and a fast counter (or a wedge scanner) is often quicker than the network.
  const [pendingLabel, setPendingLabel] = useState<string | null>(null);
  const claimByLabel = useCallback(
    (code: string) => {
      if (racks === null) {
        setPendingLabel(code);
        setMessage({ text: `Finding rack ${code.trim()}…`, alert: false });
        return;
      }
      const scan = classifyScan(code, racks);
      if (scan.kind === 'rack') void claim(scan.rack);
      else if (racks?.some((r) => r.code === code.trim())) void claim(code.trim());
      // Without a list a label cannot be told from a wrong one: say so, not that it is wrong (the
      // racks this phone holds still open from "Your racks on this phone").
      else if (listMissing)
        setMessage({
          text: `The rack list could not be loaded, so ${code.trim()} cannot be looked up yet. Try again when the network is back.`,
          alert: true,
        });
      else setMessage({ text: `${code} is not a rack label of this session.`, alert: true });
    },
    [claim, listMissing, racks],
  );
  useWedge(claimByLabel, !busy);
  useEffect(() => {
    if (racks === null || pendingLabel === null) return;
    setPendingLabel(null);
    claimByLabel(pendingLabel);
  }, [racks, pendingLabel, claimByLabel]);

  const onCameraRead = useCallback(
    (text: string) => {
      const accepted = confirmer.current.offer(text, performance.now());
      if (!accepted) return;
      setCamera(false);
      claimByLabel(accepted);
    },
    [claimByLabel],
  );

  function submitLabel(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (label.trim()) claimByLabel(label);
    setLabel('');
  }

  return (
    <section className="stack" aria-labelledby="racks-title">
      <button type="button" className="link" onClick={onBack}>
        ← Sessions
      </button>
      <h1 id="racks-title">{session.name}</h1>
      <p className="muted">
        {session.warehouse} · {session.mode === 'blind' ? 'Blind count' : session.mode}
      </p>
      <p role="status" className="note">
        {catalog}
      </p>
      <TaskList view={tasks} showRack onDo={(task) => onRecount(task.task_id)} />
      <form className="inline-form" onSubmit={submitLabel}>
        <label htmlFor="rack-label">Scan or type a rack label</label>
        <input
          id="rack-label"
          value={label}
          autoComplete="off"
          onChange={(e) => setLabel(e.target.value)}
        />
        <button type="submit" disabled={busy}>
          Claim
        </button>
      </form>
      <button
        type="button"
        className="secondary"
        aria-pressed={camera}
        onClick={() => setCamera((c) => !c)}
      >
        {camera ? 'Stop camera' : 'Scan a rack label with the camera'}
      </button>
      <label className="choice">
        <input type="checkbox" checked={shared} onChange={(e) => setShared(e.target.checked)} />{' '}
        Count part of this rack (shared)
      </label>
      {camera && <CameraScanner onRead={onCameraRead} />}
      {message && (
        <p role={message.alert ? 'alert' : 'status'} className={message.alert ? 'error' : 'note'}>
          {message.text}
        </p>
      )}
      {racks === null ? (
        <p aria-busy="true">Loading racks…</p>
      ) : (
        <ul className="plain rack-list">
          {racks.map((rack) => {
            const { taken, holders } = rackRow(rack, user.id, held.has(rack.code), shared);
            return (
              <li key={rack.code}>
                <button
                  type="button"
                  className={`row-button rack-${rack.state}`}
                  disabled={busy || taken || rack.state === 'completed'}
                  onClick={() => void claim(rack.code)}
                  aria-label={`Rack ${rack.code}, ${STATE_LABEL[rack.state]}${
                    holders && holders !== 'by you' ? ` ${holders}` : ''
                  }`}
                >
                  <strong>{rack.code}</strong>
                  <span className="muted">
                    Floor {rack.floor} · {STATE_LABEL[rack.state]}
                    {holders ? ` ${holders}` : ''} · {countOf(rack.lines, 'line')}
                  </span>
                </button>
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}

/** What the phone keeps of a rack for the offline list. */
function toCachedRack(rack: RackView): CachedRack {
  return {
    code: rack.code,
    floor: rack.floor,
    location_barcode: rack.location_barcode,
    state: rack.state,
    claimant: rack.claimant
      ? { user_id: rack.claimant.user_id, username: rack.claimant.username }
      : null,
    split: rack.split ?? false,
    holders: (rack.holders ?? []).map((h) => ({ user_id: h.user_id, username: h.username })),
    lines: rack.lines,
  };
}
