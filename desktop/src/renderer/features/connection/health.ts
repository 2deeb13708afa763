export type HealthResult =
  | { ok: true; status: number; latencyMs: number; requestId: string | null }
  | { ok: false; status: number | null; message: string };

export interface HealthCheckOptions {
  fetchImpl?: typeof fetch;
  timeoutMs?: number;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/** The message from an error envelope, if `body` is one. */
function envelopeError(body: unknown): string | null {
  if (!isRecord(body) || !isRecord(body.error)) return null;
  return typeof body.error.message === 'string' ? body.error.message : null;
}

/**
 * GETs `<baseUrl>/api/health` and says whether a Stock Verify server answered, how fast, or why
 * not (no answer, timeout, an error envelope, or something that is not our API).
 */
export async function checkServerHealth(
  baseUrl: string,
  { fetchImpl = fetch, timeoutMs = 5000 }: HealthCheckOptions = {},
): Promise<HealthResult> {
  const started = performance.now();
  let response: Response;
  try {
    response = await fetchImpl(`${baseUrl}/api/health`, {
      headers: { Accept: 'application/json' },
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    const timedOut = error instanceof DOMException && error.name === 'TimeoutError';
    return {
      ok: false,
      status: null,
      message: timedOut
        ? `No answer from ${baseUrl} within ${timeoutMs / 1000} s.`
        : `Cannot reach ${baseUrl}. Check the address and that the server is running.`,
    };
  }
  const latencyMs = Math.round(performance.now() - started);
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    body = undefined;
  }
  if (!isRecord(body) || typeof body.success !== 'boolean') {
    return {
      ok: false,
      status: response.status,
      message: `${baseUrl} answered HTTP ${response.status}, but not as a Stock Verify server.`,
    };
  }
  if (!response.ok || !body.success) {
    return {
      ok: false,
      status: response.status,
      message: envelopeError(body) ?? `The server answered HTTP ${response.status}.`,
    };
  }
  const requestId = typeof body.request_id === 'string' ? body.request_id : null;
  return { ok: true, status: response.status, latencyMs, requestId };
}
