import { logoutAnswerSchema } from '@stockverify/shared';
import type { TokenPair, User } from '@stockverify/shared';

/** An API failure with the envelope's code, message and field details. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Array<{ path: string; message: string }> = [],
    /** The error object's other fields (e.g. the open bins of a refused reconcile). */
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** The message with the first field problems, for a person to read. */
  describe(): string {
    // Details that are not field problems (a list of open bins…) are the caller's to show.
    const problems = this.details.filter(
      (d) => isRecord(d) && typeof d.path === 'string' && typeof d.message === 'string',
    );
    if (problems.length === 0) return this.message;
    const fields = problems
      .slice(0, 3)
      .map((d) => `${d.path}: ${d.message}`)
      .join('; ');
    return `${this.message} (${fields})`;
  }
}

export interface Page<T> {
  items: T[];
  page: number;
  page_size: number;
  total: number;
}

export type QueryValue = string | number | boolean | null | undefined;

/**
 * A shared zod schema of an answer (`@stockverify/shared`), as the client uses it. `z.object`
 * drops fields a newer server adds, so a reader is lenient about additions and strict about the
 * fields it reads.
 */
export interface AnswerSchema<T> {
  parse(value: unknown): T;
}

/** The first problems of a refused answer, `path: message`, from a zod error's issues. */
function answerProblems(error: unknown): Array<{ path: string; message: string }> {
  const issues = isRecord(error) && Array.isArray(error.issues) ? (error.issues as unknown[]) : [];
  return issues.slice(0, 3).map((issue) => {
    const record = isRecord(issue) ? issue : {};
    const path = Array.isArray(record.path) ? record.path.join('.') : '';
    return { path, message: typeof record.message === 'string' ? record.message : 'invalid' };
  });
}

/** Checks `data` against `schema`; a mismatch is an ApiError `BAD_ANSWER` naming the fields. */
export function parseAnswer<T>(schema: AnswerSchema<T>, data: unknown, path: string): T {
  try {
    return schema.parse(data);
  } catch (error) {
    throw new ApiError(
      200,
      'BAD_ANSWER',
      `The server's answer to ${path} is not what this console expects.`,
      answerProblems(error),
    );
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/** `?a=1&b=x` from the defined values only. */
export function queryString(query: Record<string, QueryValue> = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === '') continue;
    params.set(key, String(value));
  }
  const text = params.toString();
  return text === '' ? '' : `?${text}`;
}

export interface ApiClientOptions {
  baseUrl: string;
  fetchImpl?: typeof fetch;
  /** Called when the session ends (refresh refused): the console shows sign-in. */
  onSignedOut?: () => void;
  /** Called with every new token pair (to keep the refresh token). */
  onTokens?: (tokens: TokenPair) => void;
}

/**
 * The console's HTTP client: JSON envelopes in and out, bearer token, one transparent refresh
 * (single flight) on 401, and errors as ApiError with the server's code and message.
 */
export class ApiClient {
  readonly baseUrl: string;
  private readonly fetchImpl: typeof fetch;
  private accessToken: string | null = null;
  private refreshToken: string | null = null;
  private refreshing: Promise<boolean> | null = null;
  user: User | null = null;

  constructor(private readonly options: ApiClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.fetchImpl = options.fetchImpl ?? ((input, init) => fetch(input, init));
  }

  get token(): string | null {
    return this.accessToken;
  }

  /** Signs in with a password; keeps the pair. */
  async signIn(username: string, password: string): Promise<User> {
    const tokens = await this.send<TokenPair>('POST', '/auth/login', { username, password }, false);
    this.adopt(tokens);
    return tokens.user;
  }

  /** Resumes from a stored refresh token; false when it is no longer valid. */
  async resume(refreshToken: string): Promise<boolean> {
    this.refreshToken = refreshToken;
    return this.refresh();
  }

  async signOut(): Promise<void> {
    if (this.accessToken !== null) {
      await this.send<unknown>('POST', '/auth/logout', {}, false)
        .then((answer) => parseAnswer(logoutAnswerSchema, answer, '/auth/logout'))
        .catch(() => undefined);
    }
    this.accessToken = null;
    this.refreshToken = null;
    this.user = null;
  }

  get<T>(path: string, query?: Record<string, QueryValue>): Promise<T> {
    return this.send<T>('GET', `${path}${queryString(query)}`);
  }

  /** GET, checked against the shared schema of the answer. */
  async read<T>(
    schema: AnswerSchema<T>,
    path: string,
    query?: Record<string, QueryValue>,
  ): Promise<T> {
    return parseAnswer(schema, await this.get<unknown>(path, query), path);
  }

  /** POST, checked against the shared schema of the answer. */
  async write<T>(schema: AnswerSchema<T>, path: string, body: unknown = {}): Promise<T> {
    return parseAnswer(schema, await this.post<unknown>(path, body), path);
  }

  post<T>(path: string, body: unknown = {}): Promise<T> {
    return this.send<T>('POST', path, body);
  }

  patch<T>(path: string, body: unknown): Promise<T> {
    return this.send<T>('PATCH', path, body);
  }

  /** A raw request with the bearer token (uploads, streams). */
  async raw(path: string, init: RequestInit = {}): Promise<Response> {
    const go = () =>
      this.fetchImpl(`${this.baseUrl}/api${path}`, {
        ...init,
        headers: { ...this.authHeader(), ...(init.headers as Record<string, string>) },
      });
    let response = await go();
    if (response.status === 401 && (await this.refreshOnce())) response = await go();
    return response;
  }

  private authHeader(): Record<string, string> {
    return this.accessToken === null ? {} : { Authorization: `Bearer ${this.accessToken}` };
  }

  private adopt(tokens: TokenPair) {
    this.accessToken = tokens.access_token;
    this.refreshToken = tokens.refresh_token;
    this.user = tokens.user;
    this.options.onTokens?.(tokens);
    this.tokenListener?.(tokens);
  }

  private tokenListener: ((tokens: TokenPair) => unknown) | null = null;

  /** Calls `listener` with every later token pair (rotation), to keep the refresh token. */
  rememberTokens(listener: (tokens: TokenPair) => unknown): void {
    this.tokenListener = listener;
  }

  /** The current refresh token, for the platform's secret store. */
  refreshTokenForStorage(): string | null {
    return this.refreshToken;
  }

  private refreshOnce(): Promise<boolean> {
    this.refreshing ??= this.refresh().finally(() => {
      this.refreshing = null;
    });
    return this.refreshing;
  }

  private async refresh(): Promise<boolean> {
    if (this.refreshToken === null) return false;
    try {
      const tokens = await this.send<TokenPair>(
        'POST',
        '/auth/refresh',
        { refresh_token: this.refreshToken },
        false,
      );
      this.adopt(tokens);
      return true;
    } catch {
      this.accessToken = null;
      this.refreshToken = null;
      this.options.onSignedOut?.();
      return false;
    }
  }

  private async send<T>(method: string, path: string, body?: unknown, retry = true): Promise<T> {
    const headers: Record<string, string> = { Accept: 'application/json', ...this.authHeader() };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    let response: Response;
    try {
      response = await this.fetchImpl(`${this.baseUrl}/api${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch {
      throw new ApiError(0, 'NETWORK', `Cannot reach the server at ${this.baseUrl}.`);
    }
    if (response.status === 401 && retry && this.refreshToken !== null) {
      if (await this.refreshOnce()) return this.send<T>(method, path, body, false);
    }
    let envelope: unknown;
    try {
      envelope = await response.json();
    } catch {
      throw new ApiError(
        response.status,
        'NOT_JSON',
        `The server answered HTTP ${response.status}.`,
      );
    }
    if (!isRecord(envelope) || typeof envelope.success !== 'boolean') {
      throw new ApiError(response.status, 'NOT_JSON', 'That is not a Stock Verify server.');
    }
    if (!envelope.success || !response.ok) {
      const error = isRecord(envelope.error) ? envelope.error : {};
      const { code, message, details, ...extra } = error;
      throw new ApiError(
        response.status,
        typeof code === 'string' ? code : 'ERROR',
        typeof message === 'string' ? message : `HTTP ${response.status}`,
        Array.isArray(details) ? (details as ApiError['details']) : [],
        extra,
      );
    }
    return envelope.data as T;
  }
}

/** A message for any thrown value. */
export function errorText(error: unknown): string {
  if (error instanceof ApiError) return error.describe();
  return error instanceof Error ? error.message : String(error);
}
