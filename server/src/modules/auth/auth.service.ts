import { randomUUID } from 'node:crypto';
import type {
  ChangePasswordInput,
  ChangePinInput,
  LoginInput,
  PinLoginInput,
  TokenPair,
  User,
} from '@stockverify/shared';
import type { Store, UserRecord } from '../../ports/store';
import { AppError } from '../../lib/errors';
import type { Actor, AuditLog, RequestMeta } from '../audit/audit-log';
import { toUser } from '../users/user-view';
import { afterFailure, afterSuccess, createPhantomLockouts, lockStatus } from './lockout';
import { hashSecret, verifySecret } from './passwords';
import { hashRefreshToken, type Tokens } from './tokens';

export type AuthService = ReturnType<typeof createAuthService>;

const BAD_CREDENTIALS = 'Invalid username or password';

function invalidCredentials(): AppError {
  return new AppError(401, 'INVALID_CREDENTIALS', BAD_CREDENTIALS);
}

function lockedError(retryAfterSeconds: number | null): AppError {
  if (retryAfterSeconds === null) {
    return new AppError(
      423,
      'ACCOUNT_LOCKED',
      'This account is locked; ask a supervisor to unlock it',
      undefined,
      {
        hard_lock: true,
      },
    );
  }
  return new AppError(
    423,
    'ACCOUNT_LOCKED',
    `Too many failed attempts; try again in ${retryAfterSeconds} s`,
    undefined,
    { hard_lock: false, retry_after: retryAfterSeconds },
    { 'Retry-After': String(retryAfterSeconds) },
  );
}

/**
 * Password and PIN login, refresh rotation with family revocation on reuse, logout and own-secret
 * changes (design §6). Every outcome is audited.
 */
export function createAuthService(
  store: Store,
  tokens: Tokens,
  audit: AuditLog,
  clock: () => Date,
) {
  // Failed attempts on one account are applied one after another in this process so parallel
  // guesses cannot slip past the counter between read and write.
  const queues = new Map<string, Promise<unknown>>();
  function serialized<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = queues.get(key) ?? Promise.resolve();
    const next = previous.then(work, work);
    const settled = next.catch(() => undefined);
    queues.set(key, settled);
    void settled.then(() => {
      if (queues.get(key) === settled) queues.delete(key);
    });
    return next;
  }

  async function issuePair(
    user: UserRecord,
    familyId: string,
    deviceId: string | null,
  ): Promise<TokenPair> {
    const now = clock();
    const refresh = tokens.mintRefresh();
    const expiresAt = new Date(now.getTime() + tokens.refreshMs).toISOString();
    await store.refreshTokens.insert({
      id: randomUUID(),
      user_id: user.id,
      family_id: familyId,
      token_hash: refresh.hash,
      device_id: deviceId,
      created_at: now.toISOString(),
      expires_at: expiresAt,
      used_at: null,
      revoked_at: null,
    });
    return {
      access_token: tokens.signAccess(user, familyId),
      refresh_token: refresh.token,
      token_type: 'Bearer',
      expires_in: tokens.accessSeconds,
      refresh_expires_at: expiresAt,
      user: toUser(user, now),
    };
  }

  // Lockouts of names without an account behind them (unknown users, PIN without a PIN).
  const phantoms = createPhantomLockouts();

  /**
   * A sign-in that cannot succeed, answered exactly as a real account's wrong secret would be
   * (same checks, same timing, same 401 / 423 sequence), and audited.
   */
  async function phantomFailure(
    key: string,
    actor: Actor | null,
    secret: string,
    meta: RequestMeta,
    summary: Record<string, unknown>,
  ): Promise<never> {
    const target = { type: 'user', id: actor?.id ?? null };
    const status = phantoms.status(key, clock());
    if (status.locked) {
      await audit.record(actor, meta, 'auth.login_refused_locked', target, summary);
      throw lockedError(status.hard ? null : status.retryAfterSeconds);
    }
    await verifySecret(null, secret);
    const state = phantoms.fail(key, clock());
    await audit.record(actor, meta, 'auth.login_failed', target, {
      ...summary,
      consecutive_failures: state.consecutive_failures,
    });
    // Not locked a moment ago (checked above): a hard lock now is this failure's doing.
    if (state.hard_locked) throw lockedError(null);
    throw invalidCredentials();
  }

  async function secretLogin(
    kind: 'password' | 'pin',
    username: string,
    secret: string,
    deviceId: string | null,
    meta: RequestMeta,
  ): Promise<TokenPair> {
    const name = username.trim().toLowerCase();
    return serialized(name, async () => {
      const user = await store.users.getByUsername(name);
      const now = clock();
      if (!user) {
        return phantomFailure(`user:${name}`, null, secret, meta, {
          username: name,
          kind,
          reason: 'unknown_user',
        });
      }
      const actor: Actor = { id: user.id, username: user.username, role: user.role };
      const status = lockStatus(user, now);
      if (status.locked) {
        await audit.record(
          actor,
          meta,
          'auth.login_refused_locked',
          { type: 'user', id: user.id },
          { kind },
        );
        throw lockedError(status.hard ? null : status.retryAfterSeconds);
      }
      // PIN guesses on an account without a PIN answer like wrong PINs, on a lockout of their
      // own: they never lock the account (an outsider could otherwise lock out any admin).
      if (kind === 'pin' && user.pin_hash === null) {
        return phantomFailure(`pin:${user.id}`, actor, secret, meta, {
          kind,
          reason: 'no_pin',
        });
      }
      const ok = await verifySecret(
        kind === 'password' ? user.password_hash : user.pin_hash,
        secret,
      );
      if (!ok) {
        const patch = afterFailure(user, clock());
        await store.users.update(user.id, patch);
        await audit.record(
          actor,
          meta,
          'auth.login_failed',
          { type: 'user', id: user.id },
          {
            kind,
            consecutive_failures: patch.consecutive_failures,
            locked_until: patch.locked_until,
            hard_locked: patch.hard_locked,
          },
        );
        if (patch.hard_locked && !user.hard_locked) {
          await audit.record(
            actor,
            meta,
            'auth.account_hard_locked',
            { type: 'user', id: user.id },
            null,
          );
          throw lockedError(null);
        }
        throw invalidCredentials();
      }
      if (!user.active) {
        await audit.record(
          actor,
          meta,
          'auth.login_refused_inactive',
          { type: 'user', id: user.id },
          { kind },
        );
        throw new AppError(403, 'ACCOUNT_DISABLED', 'This account is disabled');
      }
      const updated = (await store.users.update(user.id, afterSuccess(clock()))) ?? user;
      const pair = await issuePair(updated, randomUUID(), deviceId);
      await audit.record(
        actor,
        meta,
        'auth.login',
        { type: 'user', id: user.id },
        { kind, device_id: deviceId },
      );
      return pair;
    });
  }

  async function mustGetActive(id: string): Promise<UserRecord> {
    const user = await store.users.get(id);
    if (!user || !user.active)
      throw new AppError(401, 'UNAUTHENTICATED', 'The account no longer exists or is disabled');
    return user;
  }

  /** The caller's record, once their current password is confirmed (400 naming the field if not). */
  async function confirmedUser(
    actor: Actor,
    meta: RequestMeta,
    currentPassword: string,
    what: 'password' | 'pin',
  ): Promise<UserRecord> {
    const user = await mustGetActive(actor.id);
    if (!(await verifySecret(user.password_hash, currentPassword))) {
      await audit.record(
        actor,
        meta,
        `auth.${what}_change_failed`,
        { type: 'user', id: user.id },
        null,
      );
      throw new AppError(400, 'VALIDATION_FAILED', 'The current password is wrong', [
        { path: 'current_password', message: 'does not match' },
      ]);
    }
    return user;
  }

  return {
    login(input: LoginInput, meta: RequestMeta): Promise<TokenPair> {
      return secretLogin('password', input.username, input.password, input.device_id ?? null, meta);
    },

    pinLogin(input: PinLoginInput, meta: RequestMeta): Promise<TokenPair> {
      return secretLogin('pin', input.username, input.pin, input.device_id ?? null, meta);
    },

    /** Rotates a refresh token. Presenting a used one revokes its whole family (theft signal). */
    async refresh(refreshToken: string, meta: RequestMeta): Promise<TokenPair> {
      const record = await store.refreshTokens.getByHash(hashRefreshToken(refreshToken));
      const now = clock();
      const invalid = () =>
        new AppError(401, 'REFRESH_TOKEN_INVALID', 'The refresh token is not valid; sign in again');
      if (!record) throw invalid();
      const user = await store.users.get(record.user_id);
      const actor: Actor | null = user
        ? { id: user.id, username: user.username, role: user.role }
        : null;
      const reuse = async () => {
        const revoked = await store.refreshTokens.revokeFamily(record.family_id, now.toISOString());
        await audit.record(
          actor,
          meta,
          'auth.refresh_reuse_detected',
          { type: 'user', id: record.user_id },
          {
            family_id: record.family_id,
            tokens_revoked: revoked,
          },
        );
        return new AppError(
          401,
          'REFRESH_TOKEN_REUSED',
          'This refresh token was already used; every session of this sign-in has been ended',
        );
      };
      if (record.revoked_at !== null) throw invalid();
      if (record.used_at !== null) throw await reuse();
      if (Date.parse(record.expires_at) <= now.getTime()) throw invalid();
      if (!(await store.refreshTokens.consume(record.id, now.toISOString()))) throw await reuse();
      if (!user || !user.active) throw invalid();
      const pair = await issuePair(user, record.family_id, record.device_id);
      await audit.record(
        actor,
        meta,
        'auth.refresh',
        { type: 'user', id: user.id },
        { family_id: record.family_id },
      );
      return pair;
    },

    /** Ends the sign-in the access token belongs to (its refresh family). */
    async logout(
      actor: Actor,
      familyId: string | null,
      meta: RequestMeta,
    ): Promise<{ revoked: number }> {
      const revoked = familyId
        ? await store.refreshTokens.revokeFamily(familyId, clock().toISOString())
        : 0;
      await audit.record(
        actor,
        meta,
        'auth.logout',
        { type: 'user', id: actor.id },
        { family_id: familyId, revoked },
      );
      return { revoked };
    },

    async me(actor: Actor): Promise<User> {
      return toUser(await mustGetActive(actor.id), clock());
    },

    /** Changes the caller's password; other sign-ins of the account end. */
    async changePassword(
      actor: Actor,
      meta: RequestMeta,
      input: ChangePasswordInput,
    ): Promise<User> {
      const user = await confirmedUser(actor, meta, input.current_password, 'password');
      const now = clock().toISOString();
      const updated = await store.users.update(user.id, {
        password_hash: await hashSecret(input.new_password),
        updated_at: now,
      });
      await store.refreshTokens.revokeUser(user.id, now);
      await audit.record(actor, meta, 'auth.password_changed', { type: 'user', id: user.id }, null);
      return toUser(updated ?? user, clock());
    },

    /** Sets the caller's PIN (the password confirms it is them); every sign-in of the account ends. */
    async changePin(actor: Actor, meta: RequestMeta, input: ChangePinInput): Promise<User> {
      const user = await confirmedUser(actor, meta, input.current_password, 'pin');
      const now = clock().toISOString();
      const updated = await store.users.update(user.id, {
        pin_hash: await hashSecret(input.new_pin),
        updated_at: now,
      });
      // A changed PIN is a changed secret: whoever knew the old one keeps no refresh token.
      const revoked = await store.refreshTokens.revokeUser(user.id, now);
      await audit.record(
        actor,
        meta,
        'auth.pin_changed',
        { type: 'user', id: user.id },
        { sessions_revoked: revoked },
      );
      return toUser(updated ?? user, clock());
    },
  };
}
