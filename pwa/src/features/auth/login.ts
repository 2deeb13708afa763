import { issuesToDetails, loginSchema, tokenPairSchema } from '@stockverify/shared';
import type { ErrorDetail, TokenPair } from '@stockverify/shared';
import { apiRequest } from '../../api/client';
import type { ApiRequestOptions } from '../../api/client';

export interface Credentials {
  username: string;
  password: string;
}

/** Checks the form with the shared login schema; returns the field errors (empty when valid). */
export function validateCredentials(credentials: Credentials): ErrorDetail[] {
  const result = loginSchema.safeParse(credentials);
  return result.success ? [] : issuesToDetails(result.error.issues);
}

/** Signs in with username + password (`POST /api/auth/login`) and returns the token pair. */
export function login(
  credentials: Credentials,
  options: Pick<ApiRequestOptions, 'fetchImpl' | 'signal'> = {},
): Promise<TokenPair> {
  return apiRequest('/api/auth/login', tokenPairSchema, {
    ...options,
    method: 'POST',
    body: { username: credentials.username.trim(), password: credentials.password },
  });
}
