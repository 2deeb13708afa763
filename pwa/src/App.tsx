import type { TokenPair, User } from '@stockverify/shared';
import { useCallback, useEffect, useState } from 'react';
import { ServicesContext } from './app/context';
import { installErrorReporter } from './app/error-reporter';
import { useOnline, useOutboxCounts } from './app/hooks';
import type { Route } from './app/routes';
import { createServices } from './app/services';
import type { Services } from './app/services';
import { IdleGuard } from './features/auth/IdleGuard';
import { PinSignIn } from './features/auth/PinSignIn';
import { SignInForm } from './features/auth/SignInForm';
import { RecountScreen } from './features/recount/RecountScreen';
import { RacksScreen } from './features/work/RacksScreen';
import { SessionsScreen } from './features/work/SessionsScreen';
import { ScanScreen } from './features/scan/ScanScreen';
import { SettingsScreen } from './features/settings/SettingsScreen';
import { SyncScreen } from './features/sync/SyncScreen';
import { UpdateBanner } from './features/update/UpdateBanner';
import { attachSyncTriggers } from './sync/triggers';
import { Outbox } from './outbox/outbox';
import type { RecountTaskEntry } from './db/device-db';
import { describeTask, notifyNewTasks } from './work/recount-task-sync';
import { rememberPlace, restorePlace } from './work/last-place';
import { useRecountTaskSync } from './work/useRecountTasks';

/** The staff app: opens the phone's databases, then sign-in or the counting screens. */
export function App() {
  const [services, setServices] = useState<Services | null>(null);
  const [failure, setFailure] = useState<string | null>(null);

  useEffect(() => {
    createServices().then(setServices, (error: unknown) =>
      setFailure(error instanceof Error ? error.message : String(error)),
    );
  }, []);

  if (failure) {
    return (
      <main>
        <p role="alert" className="error">
          This phone’s storage could not be opened: {failure}. Close other Stock Verify tabs and
          reload.
        </p>
      </main>
    );
  }
  if (!services) {
    return (
      <main aria-busy="true">
        <p>Opening Stock Verify…</p>
      </main>
    );
  }
  return (
    <ServicesContext.Provider value={services}>
      <Shell services={services} />
    </ServicesContext.Provider>
  );
}

function Shell({ services }: { services: Services }) {
  const [user, setUser] = useState<User | null>(() => services.auth.user());
  const [route, setRoute] = useState<Route>({ name: 'sessions' });
  // The counting screen to come back to from Sync or Settings (the Count tab).
  const [counting, setCounting] = useState<Route>({ name: 'sessions' });
  useEffect(() => {
    if (isCounting(route)) setCounting(route);
  }, [route]);
  const online = useOnline();
  const counts = useOutboxCounts();

  // The recount tasks of the session being counted stay on the phone (issue #16); a task this
  // phone never had earns a notice in the app, and a system notification only where the counter
  // already allowed them (never a permission prompt in the middle of counting).
  const countingSession = 'session' in counting ? counting.session : null;
  const [newTasks, setNewTasks] = useState<RecountTaskEntry[]>([]);
  const onNewTasks = useCallback((tasks: RecountTaskEntry[]) => {
    setNewTasks((shown) => [...shown, ...tasks]);
    notifyNewTasks(tasks);
  }, []);
  useRecountTaskSync(user ? (countingSession?.id ?? null) : null, onNewTasks);
  useEffect(() => setNewTasks([]), [countingSession?.id, user?.id]);

  useEffect(() => services.auth.subscribe(setUser), [services]);
  useEffect(() => installErrorReporter(services.auth), [services]);
  // Synced records stay visible for a week, then leave the phone (with their photos).
  useEffect(() => void services.outbox.pruneSynced().catch(() => undefined), [services]);

  // Ask once per sign-in for storage the browser will not evict (Safari wipes idle sites' data).
  useEffect(() => {
    if (user && navigator.storage?.persist) void navigator.storage.persist();
  }, [user]);

  // Sync moments of design §5 while someone is signed in.
  useEffect(() => {
    if (!user) return;
    return attachSyncTriggers(services.sync, window, document);
  }, [services, user]);

  // A reload (even offline) goes straight back to the screen this counter was on: the rack being
  // counted if the phone still holds it, else that session's racks (issue #14).
  const userId = user?.id ?? null;
  // The place is remembered only once it has been restored: the first render's 'sessions' route
  // must not overwrite it before it is read.
  const [restoredFor, setRestoredFor] = useState<string | null>(null);
  useEffect(() => {
    if (!userId) return;
    let live = true;
    void restorePlace(services.deviceDb, userId)
      .then((place) => {
        if (live && place) setRoute(place);
      })
      .catch(() => undefined)
      .finally(() => live && setRestoredFor(userId));
    return () => {
      live = false;
    };
  }, [services, userId]);
  useEffect(() => {
    if (!userId || restoredFor !== userId) return;
    const place =
      route.name === 'scan'
        ? { user_id: userId, session_id: route.session.id, rack: route.rack }
        : route.name === 'racks' || route.name === 'recount'
          ? { user_id: userId, session_id: route.session.id, rack: null }
          : route.name === 'sessions'
            ? null
            : undefined; // Sync and Settings keep the counting screen to come back to.
    if (place !== undefined) void rememberPlace(services.deviceDb, place).catch(() => undefined);
  }, [services, userId, restoredFor, route]);

  const signIn = useCallback(
    async (tokens: TokenPair) => {
      await services.auth.signIn(tokens);
      setRoute({ name: 'sessions' });
    },
    [services],
  );
  const signOut = useCallback(() => void services.auth.signOut(), [services]);

  const stale = counts !== null && Outbox.isStale(counts, new Date());
  const problems = counts ? counts.conflict + counts.error : 0;

  return (
    <>
      <header className="app-header">
        <span className="brand">Stock Verify</span>
        <span className={online ? 'net online' : 'net offline'} role="status">
          {online ? 'Online' : 'Offline'}
        </span>
      </header>
      <UpdateBanner />
      {user && <IdleGuard onTimeout={signOut} />}
      {user && stale && (
        <div role="alert" className="banner warning">
          Counts have waited on this phone for more than 4 hours without reaching the server.
          Connect to the warehouse Wi-Fi and open Sync.
        </div>
      )}
      {user && countingSession && newTasks.length > 0 && (
        <div role="status" className="banner notice" aria-label="New recount task">
          <span>
            {newTasks.length === 1
              ? 'New recount task: '
              : `${newTasks.length} new recount tasks: `}
            {newTasks.map(describeTask).join('; ')}
          </span>
          <button
            type="button"
            onClick={() => {
              const first = newTasks[0]!;
              setNewTasks([]);
              setRoute({
                name: 'recount',
                session: countingSession,
                taskId: first.task_id,
                from: null,
              });
            }}
          >
            Open
          </button>
          <button type="button" className="secondary" onClick={() => setNewTasks([])}>
            Dismiss
          </button>
        </div>
      )}
      <main>
        {!user ? (
          <div className="stack">
            <SignInForm onSignedIn={(tokens) => void signIn(tokens)} />
            <PinSignIn onSignedIn={(tokens) => void signIn(tokens)} />
          </div>
        ) : route.name === 'sessions' ? (
          <SessionsScreen
            user={user}
            onOpen={(session) => setRoute({ name: 'racks', session })}
            onOpenRack={(session, rack) => setRoute({ name: 'scan', session, rack })}
          />
        ) : route.name === 'racks' ? (
          <RacksScreen
            user={user}
            session={route.session}
            onBack={() => setRoute({ name: 'sessions' })}
            onClaimed={(rack) => setRoute({ name: 'scan', session: route.session, rack })}
            onRecount={(taskId) =>
              setRoute({ name: 'recount', session: route.session, taskId, from: null })
            }
          />
        ) : route.name === 'scan' ? (
          <ScanScreen
            user={user}
            session={route.session}
            rack={route.rack}
            onLeave={() => setRoute({ name: 'racks', session: route.session })}
            onRecount={(taskId) =>
              setRoute({ name: 'recount', session: route.session, taskId, from: route.rack })
            }
          />
        ) : route.name === 'recount' ? (
          <RecountScreen
            key={route.taskId}
            user={user}
            session={route.session}
            taskId={route.taskId}
            onLeave={() =>
              setRoute(
                route.from === null
                  ? { name: 'racks', session: route.session }
                  : { name: 'scan', session: route.session, rack: route.from },
              )
            }
          />
        ) : route.name === 'sync' ? (
          <SyncScreen user={user} />
        ) : (
          <SettingsScreen user={user} onSignOut={signOut} />
        )}
      </main>
      {user && (
        <nav className="tabbar" aria-label="Main">
          <button
            type="button"
            aria-current={isCounting(route)}
            onClick={() =>
              setRoute(
                route.name === 'sync' || route.name === 'settings'
                  ? counting
                  : { name: 'sessions' },
              )
            }
          >
            Count
          </button>
          <button
            type="button"
            aria-current={route.name === 'sync'}
            onClick={() => setRoute({ name: 'sync' })}
          >
            Sync
            {counts && counts.pending > 0 && <span className="badge">{counts.pending}</span>}
            {problems > 0 && <span className="badge danger">{problems}</span>}
          </button>
          <button
            type="button"
            aria-current={route.name === 'settings'}
            onClick={() => setRoute({ name: 'settings' })}
          >
            Settings
          </button>
        </nav>
      )}
    </>
  );
}

/** The screens the Count tab comes back to. */
function isCounting(route: Route): boolean {
  return (
    route.name === 'sessions' ||
    route.name === 'racks' ||
    route.name === 'scan' ||
    route.name === 'recount'
  );
}
