import { afterEach, describe, expect, it, vi } from 'vitest';
import { listenForTaskNotices, type NoticeSource } from './task-notices';

class FakeSource implements NoticeSource {
  onopen: ((event: unknown) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;
  closed = false;
  readonly listeners = new Map<string, Array<(event: unknown) => void>>();
  constructor(readonly url: string) {}
  addEventListener(type: string, listener: (event: unknown) => void) {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener]);
  }
  emit(type: string) {
    for (const listener of this.listeners.get(type) ?? []) listener({});
  }
  close() {
    this.closed = true;
  }
}

function harness(tokens: string[]) {
  const sources: FakeSource[] = [];
  const onNotice = vi.fn();
  let n = 0;
  const stop = listenForTaskNotices({
    sessionId: 'S 1',
    accessToken: async () => tokens[Math.min(n++, tokens.length - 1)] ?? null,
    onNotice,
    open: (url) => {
      const source = new FakeSource(url);
      sources.push(source);
      return source;
    },
    retryMs: 5_000,
  });
  return { sources, onNotice, stop };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('listenForTaskNotices', () => {
  it('opens the session’s stream with the token in the query and passes each notice on', async () => {
    const { sources, onNotice, stop } = harness(['tok-1']);
    await vi.waitFor(() => expect(sources).toHaveLength(1));
    expect(sources[0]!.url).toBe('/api/sessions/S%201/recount-tasks/live?access_token=tok-1');
    sources[0]!.onopen?.({});
    expect(onNotice).not.toHaveBeenCalled();
    sources[0]!.emit('tasks');
    sources[0]!.emit('tasks');
    expect(onNotice).toHaveBeenCalledTimes(2);
    stop();
    expect(sources[0]!.closed).toBe(true);
  });

  it('reopens a failed stream with a fresh token after the wait, and then asks for the tasks once', async () => {
    vi.useFakeTimers();
    const { sources, onNotice, stop } = harness(['tok-1', 'tok-2']);
    await vi.waitFor(() => expect(sources).toHaveLength(1));
    sources[0]!.onerror?.({});
    expect(sources[0]!.closed).toBe(true);
    await vi.advanceTimersByTimeAsync(4_999);
    expect(sources).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(sources).toHaveLength(2);
    expect(sources[1]!.url).toContain('access_token=tok-2');
    sources[1]!.onopen?.({});
    expect(onNotice).toHaveBeenCalledTimes(1);
    stop();
  });

  it('stays closed after the server’s end, after stop, and without a token', async () => {
    vi.useFakeTimers();
    const ended = harness(['tok-1']);
    await vi.waitFor(() => expect(ended.sources).toHaveLength(1));
    ended.sources[0]!.emit('end');
    ended.sources[0]!.onerror?.({});
    await vi.advanceTimersByTimeAsync(60_000);
    expect(ended.sources).toHaveLength(1);

    const stopped = harness(['tok-1']);
    await vi.waitFor(() => expect(stopped.sources).toHaveLength(1));
    stopped.stop();
    stopped.sources[0]!.onerror?.({});
    await vi.advanceTimersByTimeAsync(60_000);
    expect(stopped.sources).toHaveLength(1);

    const signedOut = harness([]);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(signedOut.sources).toHaveLength(0);
  });
});
