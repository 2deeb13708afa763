/**
 * What every access token is signed and checked with (design §6): one algorithm, issuer and
 * audience pinned. Here, below both the auth module that signs and the HTTP verifier that checks,
 * so neither reaches into the other.
 */
export const JWT_ALGORITHM = 'HS256' as const;
export const JWT_ISSUER = 'stockverify';
export const JWT_AUDIENCE = 'stockverify-api';
