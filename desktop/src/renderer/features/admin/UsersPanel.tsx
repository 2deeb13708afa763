import {
  ROLES,
  can,
  createUserSchema,
  lockedAccountsSchema,
  passwordResetSchema,
  pinSchema,
  userPageSchema,
} from '@stockverify/shared';
import type { LockedAccount, Role, User } from '@stockverify/shared';
import { useState } from 'react';
import type { FormEvent } from 'react';
import { errorText } from '../../api/client';
import { useConsole } from '../../context';
import { dateTime } from '../../ui/format';
import { useLoad } from '../../ui/hooks';
import { Status } from '../../ui/Status';

const issues = (error: { issues: Array<{ path: PropertyKey[]; message: string }> }) =>
  error.issues.map((i) => `${i.path.map(String).join('.') || 'value'}: ${i.message}`).join('; ');

/**
 * Users: create, change role, reset password (a new random one, shown once) or PIN, activate,
 * unlock (admins unlock anyone, admins included).
 */
export function UsersPanel() {
  const { client, user: me } = useConsole();
  const isAdmin = can(me.role, 'users.manage');
  const [error, setError] = useState<string | null>(null);
  const [ok, setOk] = useState<string | null>(null);
  const [users, reload] = useLoad(
    () =>
      isAdmin ? client.read(userPageSchema, '/users', { page_size: 200 }) : Promise.resolve(null),
    [client, isAdmin],
  );
  const [form, setForm] = useState({
    username: '',
    full_name: '',
    role: 'staff' as Role,
    password: '',
    pin: '',
  });

  async function run(what: string, action: () => Promise<unknown>) {
    setError(null);
    setOk(null);
    try {
      await action();
      setOk(what);
      await reload();
    } catch (e) {
      setError(errorText(e));
    }
  }

  async function create(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const input = {
      username: form.username.trim(),
      full_name: form.full_name.trim(),
      role: form.role,
      password: form.password,
      ...(form.pin ? { pin: form.pin } : {}),
    };
    const parsed = createUserSchema.safeParse(input);
    if (!parsed.success) {
      setError(issues(parsed.error));
      return;
    }
    await run(`Created ${input.username}.`, () => client.post('/users', parsed.data));
    setForm({ username: '', full_name: '', role: 'staff', password: '', pin: '' });
  }

  // Inline forms, not window.prompt / confirm: Electron does not implement prompt().
  const [resetting, setResetting] = useState<{ user: User; kind: 'password' | 'pin' } | null>(null);
  const [secret, setSecret] = useState('');
  // The server-made password of the last reset: shown once, gone when dismissed or on leaving.
  const [issued, setIssued] = useState<{ username: string; password: string } | null>(null);

  function submitSecret(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (resetting === null) return;
    const { user: u, kind } = resetting;
    setResetting(null);
    setSecret('');
    if (kind === 'password') {
      void run(
        `Password of ${u.username} reset; every sign-in of ${u.username} ended.`,
        async () => {
          const reset = await client.write(
            passwordResetSchema,
            `/users/${encodeURIComponent(u.id)}/reset-password`,
          );
          setIssued({ username: reset.user.username, password: reset.password });
        },
      );
      return;
    }
    const parsed = pinSchema.safeParse(secret);
    if (!parsed.success) {
      setError(issues(parsed.error));
      return;
    }
    void run(`PIN of ${u.username} reset.`, () =>
      client.patch(`/users/${encodeURIComponent(u.id)}`, { pin: parsed.data }),
    );
  }

  const resetSecret = (u: User, kind: 'password' | 'pin') => {
    setError(null);
    setSecret('');
    setIssued(null);
    setResetting({ user: u, kind });
  };

  if (!isAdmin) {
    return <LockedAccounts />;
  }
  return (
    <section className="panel" aria-labelledby="users-title">
      <h2 id="users-title">Users</h2>
      <form className="filters" onSubmit={create} aria-label="New user" noValidate>
        <label>
          User name
          <input
            value={form.username}
            onChange={(e) => setForm({ ...form, username: e.target.value })}
          />
        </label>
        <label>
          Full name
          <input
            value={form.full_name}
            onChange={(e) => setForm({ ...form, full_name: e.target.value })}
          />
        </label>
        <label>
          Role
          <select
            value={form.role}
            onChange={(e) => setForm({ ...form, role: e.target.value as Role })}
          >
            {ROLES.map((r) => (
              <option key={r} value={r}>
                {r}
              </option>
            ))}
          </select>
        </label>
        <label>
          Password
          <input
            type="password"
            autoComplete="new-password"
            value={form.password}
            onChange={(e) => setForm({ ...form, password: e.target.value })}
          />
        </label>
        <label>
          PIN (optional)
          <input
            inputMode="numeric"
            value={form.pin}
            onChange={(e) => setForm({ ...form, pin: e.target.value })}
          />
        </label>
        <button type="submit">Create user</button>
      </form>
      {resetting && (
        <form className="filters inset" onSubmit={submitSecret} aria-label="Reset a secret">
          {resetting.kind === 'password' ? (
            <p>
              Give {resetting.user.username} a new random password? It is shown here once; every
              sign-in of {resetting.user.username} ends and a lockout is cleared.
            </p>
          ) : (
            <label>
              {`New PIN (4–6 digits) for ${resetting.user.username}`}
              <input
                type="password"
                autoComplete="new-password"
                inputMode="numeric"
                value={secret}
                onChange={(e) => setSecret(e.target.value)}
              />
            </label>
          )}
          <button type="submit">{resetting.kind === 'password' ? 'Reset password' : 'Save'}</button>
          <button type="button" className="secondary" onClick={() => setResetting(null)}>
            Cancel
          </button>
        </form>
      )}
      {issued && (
        <div className="inset" role="alert" aria-label="New password">
          <p>
            New password for <strong>{issued.username}</strong>, shown only this once:{' '}
            <code className="secret">{issued.password}</code>
          </p>
          <p className="hint">Give it to its owner now; it cannot be shown again.</p>
          <button type="button" onClick={() => setIssued(null)}>
            Done
          </button>
        </div>
      )}
      <Status error={error ?? (users.state === 'error' ? users.error : null)} ok={ok} />
      <table className="grid" aria-label="Users">
        <thead>
          <tr>
            <th scope="col">User</th>
            <th scope="col">Name</th>
            <th scope="col">Role</th>
            <th scope="col">State</th>
            <th scope="col">Last sign-in</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {(users.value?.items ?? []).map((u) => (
            <tr key={u.id}>
              <td>{u.username}</td>
              <td>{u.full_name}</td>
              <td>
                <select
                  aria-label={`Role of ${u.username}`}
                  value={u.role}
                  disabled={u.id === me.id}
                  onChange={(e) =>
                    void run(`${u.username} is now ${e.target.value}.`, () =>
                      client.patch(`/users/${encodeURIComponent(u.id)}`, { role: e.target.value }),
                    )
                  }
                >
                  {ROLES.map((r) => (
                    <option key={r} value={r}>
                      {r}
                    </option>
                  ))}
                </select>
              </td>
              <td>
                {u.active ? 'active' : 'disabled'}
                {u.locked ? ' · locked' : ''}
              </td>
              <td>{dateTime(u.last_login_at)}</td>
              <td className="actions">
                <button
                  type="button"
                  onClick={() => resetSecret(u, 'password')}
                  aria-label={`Reset password of ${u.username}`}
                >
                  Reset password
                </button>
                <button
                  type="button"
                  onClick={() => resetSecret(u, 'pin')}
                  aria-label={`Reset PIN of ${u.username}`}
                >
                  Reset PIN
                </button>
                {u.locked && (
                  <button
                    type="button"
                    onClick={() =>
                      void run(`${u.username} unlocked.`, () =>
                        client.post(`/users/${encodeURIComponent(u.id)}/unlock`),
                      )
                    }
                    aria-label={`Unlock ${u.username}`}
                  >
                    Unlock
                  </button>
                )}
                {u.id !== me.id && (
                  <button
                    type="button"
                    onClick={() =>
                      void run(`${u.username} ${u.active ? 'disabled' : 'enabled'}.`, () =>
                        client.patch(`/users/${encodeURIComponent(u.id)}`, { active: !u.active }),
                      )
                    }
                    aria-label={`${u.active ? 'Disable' : 'Enable'} ${u.username}`}
                  >
                    {u.active ? 'Disable' : 'Enable'}
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

/** Supervisors unlock locked accounts (API: users.unlock) from the list of who is locked out. */
function LockedAccounts() {
  const { client } = useConsole();
  const [locked, reload] = useLoad(
    () => client.read(lockedAccountsSchema, '/users/locked'),
    [client],
  );
  const [error, setError] = useState<string | null>(null);
  const [ok, setOk] = useState<string | null>(null);
  async function unlock(account: LockedAccount) {
    setError(null);
    setOk(null);
    try {
      await client.post(`/users/${encodeURIComponent(account.id)}/unlock`);
      setOk(`${account.username} unlocked.`);
      await reload();
    } catch (e) {
      setError(errorText(e));
    }
  }
  const items = locked.value?.items ?? [];
  return (
    <section className="panel" aria-labelledby="unlock-title">
      <h2 id="unlock-title">Locked accounts</h2>
      <p className="hint">
        Accounts locked by failed PIN or password attempts that you may unlock. Only admins manage
        users and unlock admins.
      </p>
      {locked.value !== null && items.length === 0 ? (
        <p>No account is locked.</p>
      ) : (
        <table className="grid" aria-label="Locked accounts">
          <thead>
            <tr>
              <th scope="col">User</th>
              <th scope="col">Role</th>
              <th scope="col">Warehouse</th>
              <th scope="col">Action</th>
            </tr>
          </thead>
          <tbody>
            {items.map((account) => (
              <tr key={account.id}>
                <td>
                  {account.full_name} ({account.username})
                </td>
                <td>{account.role}</td>
                <td>{account.warehouse ?? '—'}</td>
                <td>
                  <button
                    type="button"
                    aria-label={`Unlock ${account.username}`}
                    onClick={() => void unlock(account)}
                  >
                    Unlock
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Status error={error ?? (locked.state === 'error' ? locked.error : null)} ok={ok} />
    </section>
  );
}
