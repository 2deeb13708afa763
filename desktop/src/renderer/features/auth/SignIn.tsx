import type { Platform, User } from '@stockverify/shared';
import { useEffect, useId, useState } from 'react';
import type { FormEvent } from 'react';
import type { ApiClient } from '../../api/client';
import { errorText } from '../../api/client';
import { Status } from '../../ui/Status';
import { checkServerHealth } from '../connection/health';
import { normalizeServerUrl, suggestedServerUrl } from '../connection/server-url';

export const SERVER_URL_KEY = 'stockverify.serverUrl';

/** Only supervisors and admins use the console. */
function consoleRole(user: User): boolean {
  return user.role === 'supervisor' || user.role === 'admin';
}

export interface SignInProps {
  platform: Platform;
  makeClient(baseUrl: string): ApiClient;
  onSignedIn(client: ApiClient, user: User, remember: boolean): void;
}

/** Server address (inside Electron), user name and password; "keep me signed in" where safe. */
export function SignIn({ platform, makeClient, onSignedIn }: SignInProps) {
  const id = useId();
  const servedByServer =
    window.location.protocol === 'http:' || window.location.protocol === 'https:';
  const [server, setServer] = useState(
    () => localStorage.getItem(SERVER_URL_KEY) ?? suggestedServerUrl(window.location),
  );
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [remember, setRemember] = useState(false);
  const [canRemember, setCanRemember] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [info, setInfo] = useState<string | null>(null);

  async function testConnection() {
    setError(null);
    setInfo(null);
    const url = normalizeServerUrl(server);
    if (!url.ok) {
      setError(url.error);
      return;
    }
    setInfo(`Contacting ${url.baseUrl}…`);
    const result = await checkServerHealth(url.baseUrl);
    if (result.ok) setInfo(`Connected: the server answered in ${result.latencyMs} ms.`);
    else {
      setInfo(null);
      setError(result.message);
    }
  }

  useEffect(() => {
    let live = true;
    platform.secrets
      .canPersist()
      .then((ok) => live && setCanRemember(ok))
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, [platform]);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setError(null);
    setInfo(null);
    const url = normalizeServerUrl(server);
    if (!url.ok) {
      setError(url.error);
      return;
    }
    if (username.trim() === '' || password === '') {
      setError('Enter your user name and password.');
      return;
    }
    setBusy(true);
    try {
      const client = makeClient(url.baseUrl);
      const user = await client.signIn(username.trim(), password);
      if (!consoleRole(user)) {
        await client.signOut();
        setError('The console is for supervisors and admins. Staff count with the phone app.');
        return;
      }
      localStorage.setItem(SERVER_URL_KEY, url.baseUrl);
      onSignedIn(client, user, remember && canRemember);
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="panel sign-in" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Sign in</h2>
      <form onSubmit={submit} noValidate className="stack">
        {!servedByServer && (
          <label>
            Server address
            <input
              name="server"
              inputMode="url"
              spellCheck={false}
              value={server}
              onChange={(e) => setServer(e.target.value)}
              placeholder="http://192.168.1.10:8080"
            />
          </label>
        )}
        {!servedByServer && (
          <button type="button" className="secondary" onClick={() => void testConnection()}>
            Test connection
          </button>
        )}
        <label>
          User name
          <input
            name="username"
            autoComplete="username"
            value={username}
            onChange={(e) => setUsername(e.target.value)}
          />
        </label>
        <label>
          Password
          <input
            name="password"
            type="password"
            autoComplete="current-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </label>
        {canRemember && (
          <label className="check">
            <input
              type="checkbox"
              checked={remember}
              onChange={(e) => setRemember(e.target.checked)}
            />
            Keep me signed in on this computer
          </label>
        )}
        <button type="submit" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
        <Status error={error} info={info} />
      </form>
    </section>
  );
}
