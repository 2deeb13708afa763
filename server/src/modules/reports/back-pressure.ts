/** Writing to a response without outrunning the client (issue #6: memory must not grow with rows). */
import { once } from 'node:events';
import type { Writable } from 'node:stream';

/**
 * Resolves when the stream can take more: at once when its buffer is below the high-water mark,
 * else on 'drain'; resolves too (the caller then sees `signal.aborted`) when it closes first.
 */
export async function drained(
  stream: Writable,
  signal: AbortSignal,
  needsDrain: () => boolean = () => stream.writableNeedDrain,
): Promise<void> {
  if (!needsDrain() || signal.aborted) return;
  const ac = new AbortController();
  const onAbort = () => ac.abort();
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    await Promise.race([
      once(stream, 'drain', { signal: ac.signal }),
      once(stream, 'close', { signal: ac.signal }),
    ]);
  } catch {
    // aborted: the caller checks its signal
  } finally {
    ac.abort();
    signal.removeEventListener('abort', onAbort);
  }
}
