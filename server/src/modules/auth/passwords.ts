import argon2 from 'argon2';

// OWASP Password Storage Cheat Sheet, argon2id minimum: m = 19 MiB, t = 2, p = 1.
const OPTIONS = { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

/** Hashes a password or PIN with argon2id. */
export function hashSecret(secret: string): Promise<string> {
  return argon2.hash(secret, OPTIONS);
}

let dummyHash: Promise<string> | undefined;

/**
 * Verifies a secret against a hash. With no hash (unknown user, no PIN set) it still spends the
 * time of a real verification, so response times do not reveal which usernames exist.
 */
export async function verifySecret(hash: string | null, secret: string): Promise<boolean> {
  if (hash === null) {
    dummyHash ??= hashSecret('not-a-real-secret');
    await argon2.verify(await dummyHash, secret).catch(() => false);
    return false;
  }
  try {
    return await argon2.verify(hash, secret);
  } catch {
    return false;
  }
}
