/** Checks both Coordination adapters share, so they fail alike. */

/** Rejects TTLs Redis would reject (PX needs a positive integer). */
export function checkTtl(ttlMs: number): number {
  if (!Number.isFinite(ttlMs) || ttlMs <= 0) {
    throw new RangeError(`TTL must be a positive number of milliseconds, got ${ttlMs}`);
  }
  return Math.ceil(ttlMs);
}

/** JSON text of a value; refuses what JSON cannot carry (undefined, functions). */
export function toJson(value: unknown): string {
  const json = JSON.stringify(value);
  if (json === undefined) throw new TypeError('Coordination values must be JSON-serialisable');
  return json;
}
