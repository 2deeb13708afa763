import { ERROR_CODES, errorDetailSchema } from '@stockverify/shared';
import type { ErrorCode, ErrorDetail } from '@stockverify/shared';

/** Codes the client itself raises when there is no usable answer from the API. */
export type ClientErrorCode = 'NETWORK_ERROR' | 'BAD_RESPONSE' | 'UNKNOWN_ERROR';

export type ApiClientErrorCode = ErrorCode | ClientErrorCode;

/** Everything a screen needs to explain a failed call, whatever went wrong. */
export class ApiClientError extends Error {
  override readonly name = 'ApiClientError';

  constructor(
    readonly code: ApiClientErrorCode,
    message: string,
    /** HTTP status, or 0 when no response arrived. */
    readonly status: number,
    readonly details: readonly ErrorDetail[] = [],
    readonly requestId: string | null = null,
    /** Seconds from `Retry-After` on 429 / 503, when the server sent one. */
    readonly retryAfterSeconds: number | null = null,
  ) {
    super(message);
  }
}

export interface ApiRequestOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Serialised as JSON. */
  body?: unknown;
  /** Sent as is (a photo); `Content-Type` comes from the blob. */
  rawBody?: Blob;
  /** Extra headers (`Idempotency-Key`). */
  headers?: Record<string, string>;
  accessToken?: string;
  signal?: AbortSignal;
  /** Injected for tests; defaults to the global fetch. */
  fetchImpl?: typeof fetch;
}

/** What `apiRequest` needs from a schema: any shared zod schema fits. */
export interface DataSchema<T> {
  safeParse(input: unknown): { success: true; data: T } | { success: false };
}

interface EnvelopeParts {
  success: boolean;
  data: unknown;
  error: { code: string; message: string; details: ErrorDetail[] } | null;
  requestId: string | null;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// Read leniently: a server newer than this client may add error codes or fields.
function readEnvelope(json: unknown): EnvelopeParts | null {
  if (!isRecord(json) || typeof json.success !== 'boolean') return null;
  const requestId = typeof json.request_id === 'string' ? json.request_id : null;
  const raw = json.error;
  if (raw === null || raw === undefined) {
    return { success: json.success, data: json.data, error: null, requestId };
  }
  if (!isRecord(raw) || typeof raw.code !== 'string' || typeof raw.message !== 'string') {
    return null;
  }
  const details = Array.isArray(raw.details)
    ? raw.details.flatMap((d) => {
        const detail = errorDetailSchema.safeParse(d);
        return detail.success ? [detail.data] : [];
      })
    : [];
  return {
    success: json.success,
    data: json.data,
    error: { code: raw.code, message: raw.message, details },
    requestId,
  };
}

const KNOWN_CODES: ReadonlySet<string> = new Set(ERROR_CODES);

function knownCode(code: string): ApiClientErrorCode {
  return KNOWN_CODES.has(code) ? (code as ErrorCode) : 'UNKNOWN_ERROR';
}

function retryAfter(response: Response): number | null {
  const value = response.headers.get('Retry-After');
  if (value === null || !/^\d+$/.test(value.trim())) return null;
  return Number(value);
}

async function send(path: string, options: ApiRequestOptions): Promise<Response> {
  const headers: Record<string, string> = { Accept: 'application/json', ...options.headers };
  if (options.body !== undefined) headers['Content-Type'] = 'application/json';
  if (options.rawBody !== undefined) headers['Content-Type'] = options.rawBody.type;
  if (options.accessToken !== undefined) headers.Authorization = `Bearer ${options.accessToken}`;
  const fetchImpl = options.fetchImpl ?? fetch;
  const hasBody = options.body !== undefined || options.rawBody !== undefined;
  try {
    return await fetchImpl(path, {
      method: options.method ?? (hasBody ? 'POST' : 'GET'),
      headers,
      body:
        options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body)),
      signal: options.signal,
    });
  } catch (cause) {
    // A caller that aborts wants its AbortError back, not a "no network" message.
    if (cause instanceof DOMException && cause.name === 'AbortError') throw cause;
    throw new ApiClientError(
      'NETWORK_ERROR',
      'Cannot reach the server. Check the connection and try again.',
      0,
    );
  }
}

/**
 * Calls the API, unwraps the `{success, data, error}` envelope and validates `data` with `schema`;
 * every failure (API error, unreadable answer, no network) is thrown as an `ApiClientError`.
 */
export async function apiRequest<T>(
  path: string,
  schema: DataSchema<T>,
  options: ApiRequestOptions = {},
): Promise<T> {
  const response = await send(path, options);
  const headerRequestId = response.headers.get('X-Request-Id');
  let json: unknown;
  try {
    json = await response.json();
  } catch {
    json = undefined;
  }
  const envelope = readEnvelope(json);
  if (envelope === null) {
    throw new ApiClientError(
      'BAD_RESPONSE',
      `The server answered ${response.status} ${response.statusText}`.trim() +
        ' without a readable response. Try again in a moment.',
      response.status,
      [],
      headerRequestId,
      retryAfter(response),
    );
  }
  const { success, data, error } = envelope;
  const requestId = envelope.requestId ?? headerRequestId;
  if (!response.ok || !success) {
    throw new ApiClientError(
      error === null ? 'UNKNOWN_ERROR' : knownCode(error.code),
      error?.message ?? `The request failed (HTTP ${response.status}).`,
      response.status,
      error?.details ?? [],
      requestId,
      retryAfter(response),
    );
  }
  const parsed = schema.safeParse(data);
  if (!parsed.success) {
    throw new ApiClientError(
      'BAD_RESPONSE',
      'The server sent data this app does not understand. The app may need an update.',
      response.status,
      [],
      requestId,
    );
  }
  return parsed.data;
}
