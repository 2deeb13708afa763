import { Router, type Request } from 'express';
import {
  changePasswordSchema,
  changePinSchema,
  loginSchema,
  pinLoginSchema,
  refreshSchema,
  type LogoutAnswer,
} from '@stockverify/shared';
import { AppError } from '../../lib/errors';
import type { AuthGuard } from '../../http/auth-guard';
import { actorOf } from '../../http/auth-guard';
import { sendOk } from '../../http/envelope';
import type { LoginRateLimiter } from '../../http/login-rate-limit';
import { metaOf } from '../../http/request-meta';
import { parse } from '../../http/validate';
import type { AuthService } from './auth.service';

/** `/auth/*` (api.md "Auth and users"). */
export function authRoutes(auth: AuthService, guard: AuthGuard, limiter: LoginRateLimiter): Router {
  const router = Router();

  // Wrong secrets count against the caller's IP; lockouts and other refusals do not.
  async function counted<T>(req: Request, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (err) {
      if (err instanceof AppError && err.code === 'INVALID_CREDENTIALS')
        await limiter.recordFailure(req);
      throw err;
    }
  }

  router.post('/login', limiter.guard, async (req, res) => {
    const input = parse(loginSchema, req.body, 'body');
    sendOk(req, res, await counted(req, () => auth.login(input, metaOf(req))), 200, 'Signed in');
  });

  router.post('/pin-login', limiter.guard, async (req, res) => {
    const input = parse(pinLoginSchema, req.body, 'body');
    sendOk(req, res, await counted(req, () => auth.pinLogin(input, metaOf(req))), 200, 'Signed in');
  });

  router.post('/refresh', async (req, res) => {
    const input = parse(refreshSchema, req.body, 'body');
    sendOk(req, res, await auth.refresh(input.refresh_token, metaOf(req)), 200, 'Tokens rotated');
  });

  router.post('/logout', guard.requireAuth, async (req, res) => {
    const actor = actorOf(req);
    const answer = await auth.logout(actor, actor.familyId, metaOf(req));
    sendOk(req, res, answer satisfies LogoutAnswer, 200, 'Signed out');
  });

  router.get('/me', guard.requireAuth, async (req, res) => {
    sendOk(req, res, await auth.me(actorOf(req)));
  });

  router.put('/me/password', guard.requireAuth, async (req, res) => {
    const input = parse(changePasswordSchema, req.body, 'body');
    sendOk(
      req,
      res,
      await auth.changePassword(actorOf(req), metaOf(req), input),
      200,
      'Password changed',
    );
  });

  router.put('/me/pin', guard.requireAuth, async (req, res) => {
    const input = parse(changePinSchema, req.body, 'body');
    sendOk(req, res, await auth.changePin(actorOf(req), metaOf(req), input), 200, 'PIN changed');
  });

  return router;
}
