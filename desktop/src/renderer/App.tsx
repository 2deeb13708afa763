import { can } from '@stockverify/shared';
import type { User } from '@stockverify/shared';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { ApiClient } from './api/client';
import { ConsoleContext } from './context';
import { reportErrorsTo } from './error-reporter';
import type { ConsoleContextValue } from './context';
import { AdminScreen } from './features/admin/AdminScreen';
import { SERVER_URL_KEY, SignIn } from './features/auth/SignIn';
import { ConnectionPanel } from './features/connection/ConnectionPanel';
import { Dashboards } from './features/dashboards/Dashboards';
import { RackMap } from './features/racks/RackMap';
import { ReportsScreen } from './features/reports/ReportsScreen';
import { SessionDetail } from './features/sessions/SessionDetail';
import { SessionsList } from './features/sessions/SessionsList';
import { TolerancePage } from './features/tolerance/TolerancePage';
import { Watchtower } from './features/watchtower/Watchtower';
import { getPlatform } from './platform';
import { useHashRoute } from './ui/hooks';

const NAV = [
  ['watchtower', 'Watchtower'],
  ['sessions', 'Sessions'],
  ['racks', 'Rack map'],
  ['reports', 'Reports'],
  ['dashboards', 'Dashboards'],
  ['tolerance', 'Tolerance rules'],
  ['admin', 'Admin'],
  ['settings', 'Server'],
] as const;

function Screen({ route }: { route: string[] }) {
  const [first = 'watchtower', second] = route;
  switch (first) {
    case 'sessions':
      return second ? <SessionDetail id={second} /> : <SessionsList />;
    case 'racks':
      return <RackMap />;
    case 'reports':
      return <ReportsScreen />;
    case 'dashboards':
      return <Dashboards />;
    case 'tolerance':
      return <TolerancePage key={second ?? ''} initial={second} />;
    case 'admin':
      return <AdminScreen key={second ?? ''} initial={second} />;
    case 'settings':
      return <ConnectionPanel />;
    default:
      return <Watchtower />;
  }
}

/** The supervisor console: sign-in, then the screens behind a navigation bar. */
export function App() {
  const platform = useMemo(() => getPlatform(), []);
  const route = useHashRoute();
  const [runtime, setRuntime] = useState(platform.kind === 'desktop' ? 'Desktop app' : 'Browser');
  const [signedIn, setSignedIn] = useState<{ client: ApiClient; user: User } | null>(null);
  const [resuming, setResuming] = useState(true);

  // The current client, for sign-out (state updaters must stay free of side effects).
  const current = useRef<ApiClient | null>(null);
  current.current = signedIn?.client ?? null;

  const signOut = useCallback(() => {
    void current.current?.signOut();
    setSignedIn(null);
    void platform.secrets.delete('refresh_token').catch(() => undefined);
  }, [platform]);

  const makeClient = useCallback(
    (baseUrl: string, remember = false) =>
      new ApiClient({
        baseUrl,
        onSignedOut: () => setSignedIn(null),
        onTokens: (tokens) => {
          if (remember) {
            void platform.secrets.set('refresh_token', tokens.refresh_token).catch(() => undefined);
          }
        },
      }),
    [platform],
  );

  useEffect(() => {
    let live = true;
    void platform
      .appVersion()
      .then(
        (v) =>
          live && setRuntime(`${platform.kind === 'desktop' ? 'Desktop app' : 'Browser'} ${v}`),
      )
      .catch(() => undefined);
    // Resume a remembered sign-in (only where the platform keeps secrets encrypted).
    void (async () => {
      try {
        const refresh = await platform.secrets.get('refresh_token');
        const baseUrl = localStorage.getItem(SERVER_URL_KEY);
        if (refresh && baseUrl) {
          const client = makeClient(baseUrl, true);
          if ((await client.resume(refresh)) && client.user && live) {
            setSignedIn({ client, user: client.user });
          }
        }
      } catch {
        // fall through to the sign-in form
      } finally {
        if (live) setResuming(false);
      }
    })();
    return () => {
      live = false;
    };
  }, [platform, makeClient]);

  useEffect(() => {
    if (signedIn === null) return;
    return reportErrorsTo(signedIn.client, runtime);
  }, [signedIn, runtime]);

  const context: ConsoleContextValue | null = useMemo(
    () => (signedIn ? { ...signedIn, platform, signOut } : null),
    [signedIn, platform, signOut],
  );

  return (
    <>
      <header className="app-header">
        <h1>Stock Verify — Supervisor console</h1>
        <span className="runtime">{runtime}</span>
        {context && (
          <span className="who">
            {context.user.full_name || context.user.username} ({context.user.role})
            <button type="button" className="link" onClick={signOut}>
              Sign out
            </button>
          </span>
        )}
      </header>
      {context ? (
        <ConsoleContext.Provider value={context}>
          <nav className="app-nav" aria-label="Console">
            {NAV.filter(
              // Tolerance rules: supervisors and admins only (issue #16).
              ([path]) => path !== 'tolerance' || can(context.user.role, 'tolerance.manage'),
            ).map(([path, label]) => (
              <a
                key={path}
                href={`#/${path}`}
                aria-current={(route[0] ?? 'watchtower') === path ? 'page' : undefined}
              >
                {label}
              </a>
            ))}
          </nav>
          <main>
            <Screen route={route} />
          </main>
        </ConsoleContext.Provider>
      ) : (
        <main>
          {resuming ? (
            <p role="status">Starting…</p>
          ) : (
            <SignIn
              platform={platform}
              makeClient={(url) => makeClient(url)}
              onSignedIn={(client, user, remember) => {
                if (remember) {
                  // Re-create the client so every future rotation is stored too.
                  const token = client.refreshTokenForStorage();
                  if (token)
                    void platform.secrets.set('refresh_token', token).catch(() => undefined);
                  client.rememberTokens((t) =>
                    platform.secrets.set('refresh_token', t.refresh_token).catch(() => undefined),
                  );
                }
                setSignedIn({ client, user });
              }}
            />
          )}
        </main>
      )}
    </>
  );
}
