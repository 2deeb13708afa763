import { clientErrorReportSchema, clientErrorStoredSchema } from '@stockverify/shared';
import type { ClientErrorReport } from '@stockverify/shared';
import type { AuthStore } from '../auth/auth-store';

/** At most this many reports a minute, and the same message once a minute: no error storms. */
const PER_MINUTE = 10;

/** Decides which errors are worth a report (rate limit and de-duplication). */
export class ReportThrottle {
  private sent: Array<{ at: number; message: string }> = [];

  allow(message: string, now: number): boolean {
    this.sent = this.sent.filter((s) => now - s.at < 60_000);
    if (this.sent.length >= PER_MINUTE || this.sent.some((s) => s.message === message))
      return false;
    this.sent.push({ at: now, message });
    return true;
  }
}

/** Builds the report the server's shared schema accepts, or null for nothing useful. */
export function buildReport(
  error: unknown,
  url: string,
  userAgent: string,
): ClientErrorReport | null {
  const message =
    error instanceof Error
      ? `${error.name}: ${error.message}`
      : typeof error === 'string'
        ? error
        : '';
  const parsed = clientErrorReportSchema.safeParse({
    source: 'pwa',
    message: message.slice(0, 2000),
    stack: error instanceof Error && error.stack ? error.stack.slice(0, 20_000) : undefined,
    url: url.slice(0, 2000),
    app_version: import.meta.env.VITE_APP_VERSION ?? '0.1.0',
    user_agent: userAgent.slice(0, 512),
  });
  return parsed.success ? parsed.data : null;
}

/**
 * Posts uncaught errors to `POST /client-errors` (design §7) while someone is signed in, so the
 * console's error log shows what went wrong on the floor. Reporting never throws.
 */
export function installErrorReporter(auth: AuthStore): () => void {
  const throttle = new ReportThrottle();
  const report = (error: unknown) => {
    if (!auth.user()) return;
    const body = buildReport(error, location.href, navigator.userAgent);
    if (!body || !throttle.allow(body.message, Date.now())) return;
    auth
      .request('/api/client-errors', clientErrorStoredSchema, { method: 'POST', body })
      .catch(() => undefined);
  };
  const onError = (event: ErrorEvent) => report(event.error ?? event.message);
  const onRejection = (event: PromiseRejectionEvent) => report(event.reason);
  window.addEventListener('error', onError);
  window.addEventListener('unhandledrejection', onRejection);
  return () => {
    window.removeEventListener('error', onError);
    window.removeEventListener('unhandledrejection', onRejection);
  };
}
