import { logoutAnswerSchema, tokenPairSchema } from '@stockverify/shared';
import type { TokenPair, User } from '@stockverify/shared';
import { ApiClientError, apiRequest } from '../api/client';
import type { ApiRequestOptions, DataSchema } from '../api/client';
import type { DeviceDb, StoredAuth } from '../db/device-db';

/** Refresh this long before the access token runs out, so no request meets an expired one. */
const REFRESH_MARGIN_MS = 30_000;

export interface AuthStoreDeps {
  fetchImpl?: typeof fetch;
  now?: () => Date;
}

/**
 * The signed-in session of this phone. Tokens are kept in the device database so an offline
 * reload stays signed in until the refresh token expires (issue #4); the access token is refreshed
 * transparently (single flight: one rotation however many requests need it). Signing out keeps the
 * outbox: what was counted is still sent once its counter signs in again.
 */
export class AuthStore {
  private auth: StoredAuth | null = null;
  private refreshing: Promise<StoredAuth | null> | null = null;
  private readonly listeners = new Set<(user: User | null) => void>();
  private readonly now: () => Date;

  constructor(
    private readonly db: DeviceDb,
    private readonly deps: AuthStoreDeps = {},
  ) {
    this.now = deps.now ?? (() => new Date());
  }

  /** Reads the stored session; an expired refresh token means signed out. */
  async load(): Promise<User | null> {
    const row = await this.db.meta.get('auth');
    const stored = row?.key === 'auth' ? row.value : null;
    if (stored && Date.parse(stored.tokens.refresh_expires_at) > this.now().getTime()) {
      this.auth = stored;
    } else {
      this.auth = null;
      if (stored) await this.db.meta.delete('auth');
    }
    return this.user();
  }

  user(): User | null {
    return this.auth?.tokens.user ?? null;
  }

  /** Calls `listener` with the user on sign-in and null on sign-out; returns unsubscribe. */
  subscribe(listener: (user: User | null) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Keeps a fresh token pair (after password or PIN sign-in) and remembers the user here. */
  async signIn(tokens: TokenPair): Promise<void> {
    await this.store(tokens);
    await this.db.recentUsers.put({
      username: tokens.user.username,
      full_name: tokens.user.full_name,
      has_pin: tokens.user.has_pin,
      last_used_at: this.now().toISOString(),
    });
  }

  /** Signs out here and, when reachable, revokes the refresh family on the server. */
  async signOut(): Promise<void> {
    const current = this.auth;
    await this.clear();
    if (!current) return;
    try {
      await apiRequest('/api/auth/logout', logoutAnswerSchema, {
        method: 'POST',
        body: {},
        accessToken: current.tokens.access_token,
        fetchImpl: this.deps.fetchImpl,
      });
    } catch {
      // Offline or already expired: the refresh token dies on its own at its expiry.
    }
  }

  /** An access token that is valid now when the server can be reached; the last one otherwise. */
  async accessToken(): Promise<string | null> {
    if (!this.auth) return null;
    const left = Date.parse(this.auth.access_expires_at) - this.now().getTime();
    if (left > REFRESH_MARGIN_MS) return this.auth.tokens.access_token;
    const refreshed = await this.refresh();
    return refreshed?.tokens.access_token ?? this.auth?.tokens.access_token ?? null;
  }

  /** Rotates the refresh token. A refused one signs the phone out; no network keeps the session. */
  refresh(): Promise<StoredAuth | null> {
    if (this.refreshing) return this.refreshing;
    const current = this.auth;
    if (!current) return Promise.resolve(null);
    this.refreshing = (async () => {
      try {
        const tokens = await apiRequest('/api/auth/refresh', tokenPairSchema, {
          method: 'POST',
          body: { refresh_token: current.tokens.refresh_token },
          fetchImpl: this.deps.fetchImpl,
        });
        await this.store(tokens);
        return this.auth;
      } catch (error) {
        if (error instanceof ApiClientError && error.status === 401) {
          await this.clear();
          return null;
        }
        return null;
      } finally {
        this.refreshing = null;
      }
    })();
    return this.refreshing;
  }

  /**
   * An authenticated API call. A 401 gets one refresh and one retry; a second 401 signs out.
   */
  async request<T>(
    path: string,
    schema: DataSchema<T>,
    options: Omit<ApiRequestOptions, 'accessToken'> = {},
  ): Promise<T> {
    const call = (token: string | null) =>
      apiRequest(path, schema, {
        fetchImpl: this.deps.fetchImpl,
        ...options,
        ...(token === null ? {} : { accessToken: token }),
      });
    try {
      return await call(await this.accessToken());
    } catch (error) {
      if (!(error instanceof ApiClientError) || error.status !== 401 || !this.auth) throw error;
      const refreshed = await this.refresh();
      if (!refreshed) throw error;
      return call(refreshed.tokens.access_token);
    }
  }

  /** A raw authenticated fetch (NDJSON streams). */
  async fetch(path: string, init: RequestInit = {}): Promise<Response> {
    const token = await this.accessToken();
    const headers = new Headers(init.headers);
    if (token) headers.set('Authorization', `Bearer ${token}`);
    return (this.deps.fetchImpl ?? fetch)(path, { ...init, headers });
  }

  private async store(tokens: TokenPair): Promise<void> {
    const stored: StoredAuth = {
      tokens,
      access_expires_at: new Date(this.now().getTime() + tokens.expires_in * 1000).toISOString(),
    };
    await this.db.meta.put({ key: 'auth', value: stored });
    const changedUser = this.auth?.tokens.user.id !== tokens.user.id;
    this.auth = stored;
    if (changedUser) for (const listener of this.listeners) listener(tokens.user);
  }

  private async clear(): Promise<void> {
    this.auth = null;
    await this.db.meta.delete('auth');
    for (const listener of this.listeners) listener(null);
  }
}
