import { clientErrorStoredSchema } from '@stockverify/shared';
import type { ApiClient } from './api/client';

/** At most this many reports a minute, so an error in a render loop cannot flood the server. */
const PER_MINUTE = 10;

/**
 * Sends uncaught errors of the console to `POST /client-errors` (design §7), where admins read
 * them under Admin → Client errors. Returns a function that stops reporting.
 */
export function reportErrorsTo(client: ApiClient, appVersion: string, win: Window = window) {
  let windowStart = Date.now();
  let sent = 0;
  const send = (message: string, stack: string | undefined) => {
    const now = Date.now();
    if (now - windowStart > 60_000) {
      windowStart = now;
      sent = 0;
    }
    if (++sent > PER_MINUTE) return;
    void client
      .write(clientErrorStoredSchema, '/client-errors', {
        source: 'console',
        message: message.slice(0, 2000) || 'Unknown error',
        ...(stack ? { stack: stack.slice(0, 20_000) } : {}),
        url: win.location.href.split('?')[0]?.slice(0, 2000),
        app_version: appVersion.slice(0, 64),
        user_agent: win.navigator.userAgent.slice(0, 512),
      })
      .catch(() => undefined);
  };
  const onError = (event: ErrorEvent) =>
    send(event.message, event.error instanceof Error ? event.error.stack : undefined);
  const onRejection = (event: PromiseRejectionEvent) => {
    const reason: unknown = event.reason;
    send(
      reason instanceof Error ? reason.message : String(reason),
      reason instanceof Error ? reason.stack : undefined,
    );
  };
  win.addEventListener('error', onError);
  win.addEventListener('unhandledrejection', onRejection);
  return () => {
    win.removeEventListener('error', onError);
    win.removeEventListener('unhandledrejection', onRejection);
  };
}
