import { Router } from 'express';
import { z } from 'zod';
import {
  createUserSchema,
  listUsersQuerySchema,
  updateUserSchema,
  userDirectoryQuerySchema,
  type UserDirectoryEntry,
} from '@stockverify/shared';
import { validationError } from '../../lib/errors';
import type { AuthGuard } from '../../http/auth-guard';
import { actorOf } from '../../http/auth-guard';
import { sendOk } from '../../http/envelope';
import { metaOf } from '../../http/request-meta';
import { parse } from '../../http/validate';
import type { UsersService } from './users.service';

const idParams = z.object({ id: z.string().min(1).max(64) });

/** `/users/*`: admin management, supervisor unlock. */
export function usersRoutes(users: UsersService, guard: AuthGuard): Router {
  const router = Router();
  router.use(guard.requireAuth);
  const admin = guard.requirePermission('users.manage');

  router.get('/', admin, async (req, res) => {
    sendOk(req, res, await users.list(parse(listUsersQuerySchema, req.query, 'query')));
  });

  router.post('/', admin, async (req, res) => {
    const input = parse(createUserSchema, req.body, 'body');
    sendOk(req, res, await users.create(actorOf(req), metaOf(req), input), 201, 'User created');
  });

  // Before `/:id`: supervisors see who is locked out (and nothing else about users) to unlock them;
  // only the accounts they may unlock (no admins for a supervisor).
  router.get('/locked', guard.requirePermission('users.unlock'), async (req, res) => {
    const locked = await users.listLocked(actorOf(req));
    sendOk(req, res, {
      items: locked.map((u) => ({
        id: u.id,
        username: u.username,
        full_name: u.full_name,
        role: u.role,
        warehouse: u.warehouse,
      })),
    });
  });

  // Before `/:id`: names for supervisors' pickers (issue #14), active accounts only, and only who
  // they are (id, names, role, warehouse), nothing about their sign-in.
  router.get('/directory', guard.requirePermission('sessions.manage'), async (req, res) => {
    const query = parse(userDirectoryQuerySchema, req.query, 'query');
    const found = await users.list({
      page: 1,
      page_size: query.limit,
      active: true,
      ...(query.q ? { q: query.q } : {}),
      ...(query.role ? { role: query.role } : {}),
    });
    const items: UserDirectoryEntry[] = found.items.map((u) => ({
      id: u.id,
      username: u.username,
      full_name: u.full_name,
      role: u.role,
      warehouse: u.warehouse,
    }));
    sendOk(req, res, { items });
  });

  router.get('/:id', admin, async (req, res) => {
    const { id } = parse(idParams, req.params, 'params');
    sendOk(req, res, await users.get(id));
  });

  router.patch('/:id', admin, async (req, res) => {
    const { id } = parse(idParams, req.params, 'params');
    const input = parse(updateUserSchema, req.body, 'body');
    sendOk(req, res, await users.update(actorOf(req), metaOf(req), id, input), 200, 'User updated');
  });

  // Admins only: the new password is in the answer, once (Cache-Control: no-store, as all /api).
  router.post('/:id/reset-password', admin, async (req, res) => {
    const { id } = parse(idParams, req.params, 'params');
    const body: unknown = req.body ?? {};
    const given =
      body && typeof body === 'object' && !Array.isArray(body) ? Object.keys(body) : [''];
    if (given.length > 0)
      throw validationError(
        given.map((key) => ({
          path: key,
          message: 'not accepted: the server makes the new password; send {}',
        })),
      );
    sendOk(
      req,
      res,
      await users.resetPassword(actorOf(req), metaOf(req), id),
      200,
      'Password reset; give the new password to its owner, it is not shown again',
    );
  });

  router.post('/:id/unlock', guard.requirePermission('users.unlock'), async (req, res) => {
    const { id } = parse(idParams, req.params, 'params');
    sendOk(req, res, await users.unlock(actorOf(req), metaOf(req), id), 200, 'Account unlocked');
  });

  return router;
}
