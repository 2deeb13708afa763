import { createSecretKey } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { accessClaimsSchema } from '@stockverify/shared';
import type { Store, UserRecord } from '../ports/store';
import type { Actor } from '../lib/request-context';
import { JWT_ALGORITHM, JWT_AUDIENCE, JWT_ISSUER } from '../lib/jwt';
import { AppError } from '../lib/errors';

/** The signed-in user a request carries after authentication. */
export interface AuthedUser extends Actor {
  /** Refresh family of the sign-in, for logout. */
  familyId: string | null;
}

export type ClaimsCheck =
  { ok: true; user: AuthedUser } | { ok: false; reason: 'invalid' | 'expired' };

export type AccessVerifier = ReturnType<typeof createAccessVerifier>;

/**
 * The one definition of a valid access token (design §6): HS256 only, issuer and audience pinned,
 * `typ: access`, not expired by the app clock, and a user who still exists and is active. The role
 * comes from the store, not the token, so a demotion applies at once. The one token verifier: the
 * passport-jwt strategy (auth-guard.ts) and the lookup fast path both use it, cache included.
 */
export function createAccessVerifier(store: Store, secret: string, clock: () => Date) {
  // jsonwebtoken turns a string secret into a KeyObject on every verify, first trying (and failing
  // with a thrown error) to read it as a public key; that alone cost more than the rest of a
  // lookup. A KeyObject made once skips it.
  const key = createSecretKey(Buffer.from(secret));
  const verifyOptions = {
    algorithms: [JWT_ALGORITHM],
    issuer: JWT_ISSUER,
    audience: JWT_AUDIENCE,
    // Expiry is judged below by the app clock, the same clock that signed the token.
    ignoreExpiration: true,
  } satisfies jwt.VerifyOptions;

  // Signature checks of tokens seen recently, by token text. Verifying the same bytes with the same
  // key always gives the same answer, so this is safe; expiry and the user are still checked on
  // every request below. Bounded: cleared whole when full (cheaper than an LRU, same effect here).
  const verified = new Map<string, unknown>();
  const VERIFIED_MAX = 10_000;
  function verifySignature(token: string): unknown {
    const cached = verified.get(token);
    if (cached !== undefined) return cached;
    const payload = jwt.verify(token, key, verifyOptions);
    if (verified.size >= VERIFIED_MAX) verified.clear();
    verified.set(token, payload);
    return payload;
  }

  // Who a token's subject is right now, kept for USER_TTL_MS: a scanning phone sends a lookup every
  // second or two, and re-reading the user each time was the largest cost left on that path. A
  // change made through this process (users service) is seen at once via `forgetUser`; one made
  // through another API process within USER_TTL_MS.
  const USER_TTL_MS = 2000;
  const users = new Map<
    string,
    { until: number; user: Pick<UserRecord, 'id' | 'username' | 'role' | 'active'> | null }
  >();
  async function currentUser(id: string) {
    const now = clock().getTime();
    const cached = users.get(id);
    if (cached && cached.until > now) return cached.user;
    const record = await store.users.get(id);
    const user = record
      ? { id: record.id, username: record.username, role: record.role, active: record.active }
      : null;
    if (users.size >= VERIFIED_MAX) users.clear();
    users.set(id, { until: now + USER_TTL_MS, user });
    return user;
  }

  async function checkClaims(payload: unknown): Promise<ClaimsCheck> {
    const claims = accessClaimsSchema.safeParse(payload);
    if (!claims.success) return { ok: false, reason: 'invalid' };
    if (claims.data.exp * 1000 <= clock().getTime()) return { ok: false, reason: 'expired' };
    const user = await currentUser(claims.data.sub);
    if (!user || !user.active) return { ok: false, reason: 'invalid' };
    const fam = (payload as { fam?: unknown }).fam;
    return {
      ok: true,
      user: {
        id: user.id,
        username: user.username,
        role: user.role,
        familyId: typeof fam === 'string' ? fam : null,
      },
    };
  }

  return {
    key,
    verifyOptions,
    /**
     * The signature, algorithm, issuer and audience check, remembered per token text; throws when
     * they fail. Both the Express guard (passport-jwt's verify step) and the lookup fast path go
     * through it.
     */
    verifySignature,
    checkClaims,
    /** Drops what this process remembers of a user, after a change to role, status or secrets. */
    forgetUser(id: string): void {
      users.delete(id);
    },
    /** Verifies a bearer token end to end; throws the 401 AppError a client should see. */
    async verify(token: string | null): Promise<AuthedUser> {
      if (!token) throw new AppError(401, 'UNAUTHENTICATED', 'Sign in first: no access token');
      let payload: unknown;
      try {
        payload = verifySignature(token);
      } catch {
        throw tokenError('invalid');
      }
      const result = await checkClaims(payload);
      if (!result.ok) throw tokenError(result.reason);
      return result.user;
    },
  };
}

/** The 401 for a token that failed a check. */
export function tokenError(reason: 'invalid' | 'expired'): AppError {
  return reason === 'expired'
    ? new AppError(401, 'TOKEN_EXPIRED', 'The access token has expired; refresh it')
    : new AppError(401, 'TOKEN_INVALID', 'The access token is not valid');
}

/** The token of an `Authorization: Bearer …` header, or null. */
export function bearerToken(header: string | undefined): string | null {
  if (!header) return null;
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  return match ? match[1]! : null;
}
