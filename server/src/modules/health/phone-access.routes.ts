import type { PhoneAccess } from '@stockverify/shared';
import { Router } from 'express';
import type { AuthGuard } from '../../http/auth-guard';
import { sendOk } from '../../http/envelope';

/** Said when the app was built without knowing its listening address (tests, embedding). */
const UNKNOWN: PhoneAccess = {
  scheme: 'http',
  urls: [],
  camera_ready: false,
  trust: null,
  warning: 'The server has not reported the addresses phones can use.',
};

/**
 * `GET /admin/phone-access` (supervisor+): the staff app's LAN addresses as the server sees its
 * own interfaces, whether phones get HTTPS, and where they trust a self-signed certificate, for
 * the console's phone QR code (issue #11). `current` is read per request: the address is known
 * only once the server listens.
 */
export function phoneAccessRoutes(guard: AuthGuard, current: () => PhoneAccess | null): Router {
  const router = Router();
  router.get(
    '/admin/phone-access',
    guard.requireAuth,
    guard.requirePermission('monitoring.read'),
    (req, res) => sendOk(req, res, current() ?? UNKNOWN),
  );
  return router;
}
