import type { TokenPair } from '@stockverify/shared';
import { useState } from 'react';
import { SignedIn } from './features/auth/SignedIn';
import { SignInForm } from './features/auth/SignInForm';
import { UpdateBanner } from './features/update/UpdateBanner';

/** The staff app shell: update banner, then sign-in or the signed-in user. */
export function App() {
  // Tokens live in memory only for now; storing and refreshing them is a later issue.
  const [session, setSession] = useState<TokenPair | null>(null);

  return (
    <>
      <header className="app-header">
        <span className="brand">Stock Verify</span>
      </header>
      <UpdateBanner />
      <main>
        {session === null ? (
          <SignInForm onSignedIn={setSession} />
        ) : (
          <SignedIn user={session.user} onSignOut={() => setSession(null)} />
        )}
      </main>
    </>
  );
}
