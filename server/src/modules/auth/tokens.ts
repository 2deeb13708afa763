import { createHash, createSecretKey, randomBytes, randomUUID } from 'node:crypto';
import jwt from 'jsonwebtoken';
import type { Role } from '@stockverify/shared';

import { JWT_ALGORITHM, JWT_AUDIENCE, JWT_ISSUER } from '../../lib/jwt';

export { JWT_ALGORITHM, JWT_AUDIENCE, JWT_ISSUER };

export interface TokenSettings {
  secret: string;
  accessMinutes: number;
  refreshDays: number;
}

export interface AccessSubject {
  id: string;
  username: string;
  role: Role;
}

export type Tokens = ReturnType<typeof createTokens>;

/** Signs access tokens and mints opaque refresh tokens (stored only as SHA-256 hashes). */
export function createTokens(settings: TokenSettings, clock: () => Date) {
  const accessSeconds = settings.accessMinutes * 60;
  // One KeyObject for every signature (see the note in http/auth-guard.ts).
  const key = createSecretKey(Buffer.from(settings.secret));
  return {
    accessSeconds,
    refreshMs: settings.refreshDays * 24 * 60 * 60 * 1000,
    /** A short-lived access JWT; `fam` ties it to its refresh family so logout can end both. */
    signAccess(subject: AccessSubject, familyId: string): string {
      const iat = Math.floor(clock().getTime() / 1000);
      return jwt.sign(
        {
          sub: subject.id,
          role: subject.role,
          username: subject.username,
          typ: 'access',
          fam: familyId,
          jti: randomUUID(),
          iat,
          exp: iat + accessSeconds,
        },
        key,
        { algorithm: JWT_ALGORITHM, issuer: JWT_ISSUER, audience: JWT_AUDIENCE },
      );
    },
    /** A new opaque refresh token and the hash to store. */
    mintRefresh(): { token: string; hash: string } {
      const token = `rt_${randomBytes(32).toString('base64url')}`;
      return { token, hash: hashRefreshToken(token) };
    },
  };
}

/** SHA-256 of a refresh token; tokens are 256 random bits, so no salt or slow hash is needed. */
export function hashRefreshToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
