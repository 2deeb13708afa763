import { pinLoginSchema, tokenPairSchema } from '@stockverify/shared';
import type { TokenPair } from '@stockverify/shared';
import { useEffect, useId, useState } from 'react';
import type { FormEvent } from 'react';
import { apiRequest } from '../../api/client';
import { toDisplayError } from '../../api/display-error';
import type { DisplayError } from '../../api/display-error';
import { useServices } from '../../app/context';
import type { RecentUser } from '../../db/device-db';

/** Quick sign-in for people who used this phone before: pick your name, type your PIN. */
export function PinSignIn({ onSignedIn }: { onSignedIn: (tokens: TokenPair) => void }) {
  const id = useId();
  const { deviceDb } = useServices();
  const [recent, setRecent] = useState<RecentUser[]>([]);
  const [username, setUsername] = useState('');
  const [pin, setPin] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<DisplayError | null>(null);

  useEffect(() => {
    void deviceDb.recentUsers
      .orderBy('last_used_at')
      .reverse()
      .limit(8)
      .toArray()
      .then((users) => {
        const withPin = users.filter((u) => u.has_pin);
        setRecent(withPin);
        if (withPin[0]) setUsername(withPin[0].username);
      });
  }, [deviceDb]);

  if (recent.length === 0) return null;

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const parsed = pinLoginSchema.safeParse({ username, pin });
    if (!parsed.success) {
      setError({ message: 'Pick your name and enter your 4–6 digit PIN.', details: [] });
      return;
    }
    setBusy(true);
    setError(null);
    try {
      onSignedIn(
        await apiRequest('/api/auth/pin-login', tokenPairSchema, {
          method: 'POST',
          body: parsed.data,
        }),
      );
    } catch (failure) {
      setError(toDisplayError(failure));
    } finally {
      setBusy(false);
      setPin('');
    }
  }

  return (
    <form className="card" onSubmit={submit} noValidate aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Quick sign-in with PIN</h2>
      <fieldset className="choice-list">
        <legend>Who are you?</legend>
        {recent.map((user) => (
          <label key={user.username} className="choice">
            <input
              type="radio"
              name="pin-user"
              value={user.username}
              checked={username === user.username}
              onChange={() => setUsername(user.username)}
            />
            {user.full_name} <span className="muted">({user.username})</span>
          </label>
        ))}
      </fieldset>
      <label htmlFor={`${id}-pin`}>PIN</label>
      <input
        id={`${id}-pin`}
        type="password"
        inputMode="numeric"
        autoComplete="one-time-code"
        pattern="[0-9]*"
        maxLength={6}
        value={pin}
        onChange={(e) => setPin(e.target.value.replace(/\D/g, ''))}
      />
      {error && (
        <p role="alert" className="error">
          {error.message}
        </p>
      )}
      <button type="submit" disabled={busy} aria-busy={busy}>
        {busy ? 'Signing in…' : 'Sign in with PIN'}
      </button>
    </form>
  );
}
