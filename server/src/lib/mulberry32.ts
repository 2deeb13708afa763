/**
 * mulberry32: a tiny, fast, deterministic pseudo-random generator of numbers in [0, 1) from a
 * 32-bit seed — the demo ERP's data and movements, and tests that name a seed to replay a case.
 * Good enough to make data look random; not for security.
 */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
