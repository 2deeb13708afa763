import { randomBytes, randomUUID } from 'node:crypto';
import type {
  CreateUserInput,
  ListUsersQuery,
  Page,
  PasswordReset,
  UpdateUserInput,
  User,
} from '@stockverify/shared';
import { roleAtLeast } from '@stockverify/shared';
import type { Store, UserPatch, UserRecord } from '../../ports/store';
import { AppError, forbidden, notFound } from '../../lib/errors';
import type { Actor, AuditLog, RequestMeta } from '../audit/audit-log';
import { unlocked } from '../auth/lockout';
import { hashSecret } from '../auth/passwords';
import { toUser } from './user-view';

export type UsersService = ReturnType<typeof createUsersService>;

/** A generated password: 120 random bits, 20 URL-safe characters (easy to copy, no quoting). */
export function randomPassword(): string {
  return randomBytes(15).toString('base64url');
}

/** Admin user management and supervisor unlock (api.md "Auth and users"). */
export function createUsersService(
  store: Store,
  audit: AuditLog,
  clock: () => Date,
  /** Told after every change to a user, so caches of who a user is can drop it. */
  onUserChanged: (id: string) => void = () => {},
) {
  async function mustGet(id: string): Promise<UserRecord> {
    const user = await store.users.get(id);
    if (!user) throw notFound('USER_NOT_FOUND', `No user with id ${id}`);
    return user;
  }

  async function activeAdminCount(): Promise<number> {
    const page = await store.users.list({ page: 1, page_size: 1, role: 'admin', active: true });
    return page.total;
  }

  return {
    async create(actor: Actor, meta: RequestMeta, input: CreateUserInput): Promise<User> {
      const now = clock().toISOString();
      const record: UserRecord = {
        id: randomUUID(),
        username: input.username,
        full_name: input.full_name,
        role: input.role,
        warehouse: input.warehouse ?? null,
        active: true,
        password_hash: await hashSecret(input.password),
        pin_hash: input.pin ? await hashSecret(input.pin) : null,
        consecutive_failures: 0,
        failure_times: [],
        locked_until: null,
        hard_locked: false,
        created_at: now,
        updated_at: now,
        last_login_at: null,
      };
      await store.users.create(record);
      await audit.record(
        actor,
        meta,
        'user.create',
        { type: 'user', id: record.id },
        {
          username: record.username,
          role: record.role,
          warehouse: record.warehouse,
          has_pin: record.pin_hash !== null,
        },
      );
      return toUser(record, clock());
    },

    async list(query: ListUsersQuery): Promise<Page<User>> {
      const { items, total } = await store.users.list(query);
      const now = clock();
      return {
        items: items.map((u) => toUser(u, now)),
        page: query.page,
        page_size: query.page_size,
        total,
      };
    },

    /**
     * Accounts locked right now (failed PIN or password attempts) that `actor` may unlock, for
     * supervisors who unlock without managing users: a supervisor sees staff and supervisors, an
     * admin everyone. Locks depend on the time, so they are read through the active users (a
     * site has hundreds, not millions).
     */
    async listLocked(actor: Actor): Promise<User[]> {
      const now = clock();
      const locked: User[] = [];
      for (let page = 1; ; page += 1) {
        const { items, total } = await store.users.list({ page, page_size: 500, active: true });
        for (const record of items) {
          const user = toUser(record, now);
          if (user.locked && roleAtLeast(actor.role, user.role)) locked.push(user);
        }
        if (page * 500 >= total || items.length === 0) return locked;
      }
    },

    async get(id: string): Promise<User> {
      return toUser(await mustGet(id), clock());
    },

    async update(
      actor: Actor,
      meta: RequestMeta,
      id: string,
      input: UpdateUserInput,
    ): Promise<User> {
      const before = await mustGet(id);
      const losesAdmin =
        before.role === 'admin' &&
        before.active &&
        ((input.role !== undefined && input.role !== 'admin') || input.active === false);
      if (losesAdmin && (await activeAdminCount()) <= 1) {
        throw new AppError(
          409,
          'CONFLICT',
          'This is the last active admin; make another admin first',
          [
            {
              path: input.active === false ? 'active' : 'role',
              message: 'would leave no active admin',
            },
          ],
        );
      }
      const patch: UserPatch = { updated_at: clock().toISOString() };
      if (input.full_name !== undefined) patch.full_name = input.full_name;
      if (input.role !== undefined) patch.role = input.role;
      if (input.active !== undefined) patch.active = input.active;
      if (input.warehouse !== undefined) patch.warehouse = input.warehouse;
      if (input.password !== undefined) patch.password_hash = await hashSecret(input.password);
      if (input.pin !== undefined)
        patch.pin_hash = input.pin === null ? null : await hashSecret(input.pin);
      const after = await store.users.update(id, patch);
      if (!after) throw notFound('USER_NOT_FOUND', `No user with id ${id}`);
      onUserChanged(id);

      // A changed secret, role or a deactivation ends every session the user has open.
      const endsSessions =
        input.password !== undefined ||
        input.pin !== undefined ||
        input.active === false ||
        (input.role !== undefined && input.role !== before.role);
      if (endsSessions) await store.refreshTokens.revokeUser(id, clock().toISOString());

      await audit.record(
        actor,
        meta,
        'user.update',
        { type: 'user', id },
        {
          before: {
            full_name: before.full_name,
            role: before.role,
            active: before.active,
            warehouse: before.warehouse,
          },
          after: {
            full_name: after.full_name,
            role: after.role,
            active: after.active,
            warehouse: after.warehouse,
          },
          password_reset: input.password !== undefined,
          pin_reset: input.pin !== undefined,
          sessions_revoked: endsSessions,
        },
      );
      return toUser(after, clock());
    },

    /**
     * Gives the account a new random password (returned once, stored only as its hash), clears
     * its lockout and ends every sign-in it has: an admin's recovery of a lost or locked account,
     * through the API or `npm run admin -- reset-password` (tools/admin.ts).
     */
    async resetPassword(actor: Actor, meta: RequestMeta, id: string): Promise<PasswordReset> {
      const before = await mustGet(id);
      const password = randomPassword();
      const now = clock().toISOString();
      const after = await store.users.update(id, {
        ...unlocked(),
        password_hash: await hashSecret(password),
        updated_at: now,
      });
      if (!after) throw notFound('USER_NOT_FOUND', `No user with id ${id}`);
      onUserChanged(id);
      const ended = await store.refreshTokens.revokeUser(id, now);
      await audit.record(
        actor,
        meta,
        'user.password_reset',
        { type: 'user', id },
        {
          username: before.username,
          was_locked: toUser(before, clock()).locked,
          was_hard_locked: before.hard_locked,
          sessions_revoked: ended,
        },
      );
      return { user: toUser(after, clock()), password, sessions_ended: ended };
    },

    /** Clears a PIN / password lockout. Supervisors may not unlock accounts above their role. */
    async unlock(actor: Actor, meta: RequestMeta, id: string): Promise<User> {
      const before = await mustGet(id);
      if (!roleAtLeast(actor.role, before.role))
        throw forbidden('You may not unlock an account above your role');
      const after = await store.users.update(id, {
        ...unlocked(),
        updated_at: clock().toISOString(),
      });
      if (!after) throw notFound('USER_NOT_FOUND', `No user with id ${id}`);
      onUserChanged(id);
      await audit.record(
        actor,
        meta,
        'user.unlock',
        { type: 'user', id },
        {
          was_hard_locked: before.hard_locked,
          failures_cleared: before.failure_times.length,
        },
      );
      return toUser(after, clock());
    },

    /**
     * First start: with no users at all, creates `admin` with the configured password or a random
     * one, which the caller prints once. Returns null when users already exist.
     */
    async ensureFirstAdmin(
      configuredPassword: string | undefined,
    ): Promise<{ password: string; generated: boolean } | null> {
      if ((await store.users.count()) > 0) return null;
      const password = configuredPassword ?? randomPassword();
      await this.create(
        { id: 'system', username: 'system', role: 'admin' },
        { request_id: null, ip: null },
        { username: 'admin', full_name: 'Administrator', role: 'admin', password },
      );
      return { password, generated: configuredPassword === undefined };
    },
  };
}
