/** The part of the browser's EventSource the notices use (a fake in tests). */
export interface NoticeSource {
  onopen: ((event: unknown) => void) | null;
  onerror: ((event: unknown) => void) | null;
  addEventListener(type: string, listener: (event: unknown) => void): void;
  close(): void;
}

export interface TaskNoticeOptions {
  sessionId: string;
  /** A valid access token (refreshed when near expiry), or null when signed out. */
  accessToken: () => Promise<string | null>;
  /** A notice arrived, or the stream opened again after a gap: the tasks may have changed. */
  onNotice: () => void;
  open?: (url: string) => NoticeSource;
  /** Wait before reopening a stream that failed (default 5 s). */
  retryMs?: number;
}

/** How long a failed stream waits before it is opened again with a fresh token. */
export const NOTICE_RETRY_MS = 5_000;

/**
 * Listens to the counter's live task notices (`GET /sessions/:id/recount-tasks/live`, design §11
 * "Tasks reach the phone"), so a task given to this phone shows at once rather than at the next
 * poll. EventSource cannot send headers, so the token goes in the query; on an error the stream is
 * closed and opened again with a fresh token (the browser's own retry would reuse an expired
 * one). The poll stays: a phone that cannot hold a stream still gets its tasks. Returns `stop`.
 */
export function listenForTaskNotices(options: TaskNoticeOptions): () => void {
  const open = options.open ?? ((url: string) => new EventSource(url) as unknown as NoticeSource);
  let source: NoticeSource | null = null;
  let retry: ReturnType<typeof setTimeout> | null = null;
  let stopped = false;
  let failed = false;

  const connect = async () => {
    const token = await options.accessToken().catch(() => null);
    if (stopped || token === null) return;
    const url = `/api/sessions/${encodeURIComponent(options.sessionId)}/recount-tasks/live?access_token=${encodeURIComponent(token)}`;
    const current = open(url);
    source = current;
    current.onopen = () => {
      // Notices may have been missed while the stream was down.
      if (failed) options.onNotice();
      failed = false;
    };
    current.onerror = () => {
      current.close();
      if (stopped || source !== current) return;
      failed = true;
      retry = setTimeout(() => void connect(), options.retryMs ?? NOTICE_RETRY_MS);
    };
    current.addEventListener('tasks', () => options.onNotice());
    current.addEventListener('end', () => {
      // The server ended it (access revoked): no retry; the next request signs the phone out.
      stopped = true;
      current.close();
    });
  };

  void connect();
  return () => {
    stopped = true;
    if (retry !== null) clearTimeout(retry);
    source?.close();
  };
}
