import { expect } from 'vitest';

/** One Server-Sent Event as the tests read it: its name and its parsed data. */
export interface SseEvent<T = unknown> {
  event: string;
  data: T;
}

/**
 * Opens a Server-Sent Events stream (expects 200 and `text/event-stream`). `events` fills as
 * blocks arrive while `readFor` reads: for up to `ms`, until `predicate` holds or the server ends
 * the stream (`ended`). `close` aborts.
 */
export async function openSse<T = unknown>(url: string) {
  const controller = new AbortController();
  const res = await fetch(url, { signal: controller.signal });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toContain('text/event-stream');
  const reader = res.body!.getReader();
  const events: SseEvent<T>[] = [];
  let buffer = '';
  let reading: Promise<void> | null = null;
  let ended = false;
  const pump = async () => {
    const { value, done } = await reader.read();
    if (done) {
      ended = true;
      return;
    }
    buffer += new TextDecoder().decode(value);
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const event = /^event: (.+)$/m.exec(block)?.[1];
      const data = /^data: (.+)$/m.exec(block)?.[1];
      if (event && data) events.push({ event, data: JSON.parse(data) as T });
    }
  };
  return {
    events,
    /** Whether the server ended the stream. */
    get ended() {
      return ended;
    },
    /** Reads for up to `ms`, until `predicate` holds or the stream ends (a read in progress carries over). */
    async readFor(ms: number, predicate: () => boolean = () => false) {
      const deadline = Date.now() + ms;
      while (!ended && !predicate() && Date.now() < deadline) {
        reading ??= pump().finally(() => (reading = null));
        await Promise.race([reading, new Promise((r) => setTimeout(r, deadline - Date.now()))]);
      }
    },
    close: () => controller.abort(),
  };
}

/**
 * Asks for a stream until it is let in (200), then lets it go: a closed stream frees its place
 * under a per-user cap once the server has seen the client leave, a moment after `close`.
 */
export async function expectPlaceFreed(url: string): Promise<void> {
  let again: Response | null = null;
  for (let tries = 0; tries < 50 && again?.status !== 200; tries++) {
    await again?.body?.cancel();
    await new Promise((resolve) => setTimeout(resolve, 20));
    again = await fetch(url);
  }
  expect(again!.status).toBe(200);
  await again!.body?.cancel();
}
