import type { TokenPair } from '@stockverify/shared';
import { useId, useState } from 'react';
import type { FormEvent } from 'react';
import { fieldMessage, toDisplayError } from '../../api/display-error';
import type { DisplayError } from '../../api/display-error';
import { login, validateCredentials } from './login';

interface SignInFormProps {
  onSignedIn: (session: TokenPair) => void;
}

/** Username + password sign-in; shows the API's own error message and field details. */
export function SignInForm({ onSignedIn }: SignInFormProps) {
  const id = useId();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<DisplayError | null>(null);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const credentials = { username, password };
    const invalid = validateCredentials(credentials);
    if (invalid.length > 0) {
      setError({ message: 'Enter your username and password.', details: invalid });
      return;
    }
    setBusy(true);
    setError(null);
    try {
      onSignedIn(await login(credentials));
      setPassword('');
    } catch (failure) {
      setError(toDisplayError(failure));
    } finally {
      setBusy(false);
    }
  }

  const usernameError = fieldMessage(error, 'username');
  const passwordError = fieldMessage(error, 'password');
  const otherDetails = error?.details.filter((d) => d.path !== 'username' && d.path !== 'password');

  return (
    <form className="card" onSubmit={submit} noValidate aria-labelledby={`${id}-title`}>
      <h1 id={`${id}-title`}>Sign in</h1>
      <label htmlFor={`${id}-username`}>Username</label>
      <input
        id={`${id}-username`}
        name="username"
        autoComplete="username"
        autoCapitalize="none"
        autoCorrect="off"
        spellCheck={false}
        value={username}
        onChange={(e) => setUsername(e.target.value)}
        aria-invalid={usernameError !== undefined}
        aria-describedby={usernameError ? `${id}-username-error` : undefined}
      />
      {usernameError && (
        <p id={`${id}-username-error`} className="field-error">
          {usernameError}
        </p>
      )}
      <label htmlFor={`${id}-password`}>Password</label>
      <input
        id={`${id}-password`}
        name="password"
        type="password"
        autoComplete="current-password"
        value={password}
        onChange={(e) => setPassword(e.target.value)}
        aria-invalid={passwordError !== undefined}
        aria-describedby={passwordError ? `${id}-password-error` : undefined}
      />
      {passwordError && (
        <p id={`${id}-password-error`} className="field-error">
          {passwordError}
        </p>
      )}
      {error && (
        <div role="alert" className="error">
          <p>{error.message}</p>
          {otherDetails && otherDetails.length > 0 && (
            <ul>
              {otherDetails.map((d) => (
                <li key={`${d.path}:${d.message}`}>
                  {d.path}: {d.message}
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
      <button type="submit" disabled={busy} aria-busy={busy}>
        {busy ? 'Signing in…' : 'Sign in'}
      </button>
    </form>
  );
}
