import type { User } from '@stockverify/shared';

interface SignedInProps {
  user: User;
  onSignOut: () => void;
}

/** Who is signed in on this phone. */
export function SignedIn({ user, onSignOut }: SignedInProps) {
  return (
    <section className="card" aria-labelledby="signed-in-title">
      <h1 id="signed-in-title">Signed in</h1>
      <p className="user-name">{user.full_name}</p>
      <p className="muted">
        {user.username} · {user.role}
        {user.warehouse ? ` · ${user.warehouse}` : ''}
      </p>
      <button type="button" className="secondary" onClick={onSignOut}>
        Sign out
      </button>
    </section>
  );
}
