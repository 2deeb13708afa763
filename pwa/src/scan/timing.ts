/** style "Pitfalls": @zxing/browser waits 500 ms between attempts by default; we want ~100 ms. */
export const DECODE_INTERVAL_MS = 100;
