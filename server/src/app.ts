import fs from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import express, { type Express } from 'express';
import type { Logger } from 'pino';
import type { Coordination } from './ports/coordination';
import type { ErpSource } from './ports/erp';
import type { Store } from './ports/store';
import { createCircuitBreaker } from './lib/circuit-breaker';
import { createAccessVerifier } from './http/access-verifier';
import { createAuthGuard } from './http/auth-guard';
import { apiNotFound, errorMiddleware } from './http/error-middleware';
import { createLoginRateLimiter } from './http/login-rate-limit';
import { requestIdMiddleware } from './http/request-id';
import { requestLog } from './http/request-log';
import { securityHeaders } from './http/security-headers';
import { createAuditLog } from './modules/audit/audit-log';
import { auditRoutes } from './modules/audit/audit.routes';
import { createAuthService } from './modules/auth/auth.service';
import { authRoutes } from './modules/auth/auth.routes';
import { createTokens } from './modules/auth/tokens';
import { createErpService } from './modules/erp/erp.service';
import { erpRoutes } from './modules/erp/erp.routes';
import { createErpStatusRecorder } from './modules/erp/erp-status';
import { healthRoutes } from './modules/health/health.routes';
import { createItemsService, type BookQtyPolicy } from './modules/items/items.service';
import { itemsRoutes } from './modules/items/items.routes';
import { createLookupFastPath } from './modules/items/lookup-fast-path';
import { locationsRoutes } from './modules/locations/locations.routes';
import { createUsersService } from './modules/users/users.service';
import { usersRoutes } from './modules/users/users.routes';

/** Settings createApp needs (a slice of Config, so tests can pass just these). */
export interface AppSettings {
  jwtSecret: string;
  accessTokenMinutes: number;
  refreshTokenDays: number;
  loginRateLimit: number;
  loginRateWindowMs: number;
  bodyLimit: string;
  uploadLimitBytes: number;
  itemCacheMs: number;
  trustProxy: string;
  /** Built PWA to serve at `/` when present. */
  pwaDir?: string;
}

export interface AppDeps {
  settings: AppSettings;
  store: Store;
  coordination: Coordination;
  erp: ErpSource;
  log: Logger;
  clock?: () => Date;
  bookQtyPolicy?: BookQtyPolicy;
}

/**
 * Builds the Express app from injected adapters; never listens (tests run it on port 0).
 * Everything under /api answers JSON envelopes, including errors and unknown routes.
 */
export function createApp(deps: AppDeps) {
  const { settings, store, coordination, erp, log } = deps;
  const clock = deps.clock ?? (() => new Date());
  // Until sessions exist nothing is blind; the sessions module passes the real policy.
  const bookQtyPolicy: BookQtyPolicy = deps.bookQtyPolicy ?? (async () => true);

  const audit = createAuditLog(store, clock);
  const verifier = createAccessVerifier(store, settings.jwtSecret, clock);
  const tokens = createTokens(
    {
      secret: settings.jwtSecret,
      accessMinutes: settings.accessTokenMinutes,
      refreshDays: settings.refreshTokenDays,
    },
    clock,
  );
  const erpBreaker = createCircuitBreaker({
    name: 'erp',
    failureThreshold: 3,
    openMs: 30_000,
    timeoutMs: 5_000,
  });
  const erpStatus = createErpStatusRecorder(store, erp, clock);
  const services = {
    auth: createAuthService(store, tokens, audit, clock),
    users: createUsersService(store, audit, clock, (id) => verifier.forgetUser(id)),
    items: createItemsService({
      store,
      coordination,
      erp,
      erpBreaker,
      erpStatus,
      bookQtyPolicy,
      cacheTtlMs: settings.itemCacheMs,
    }),
    erp: createErpService({ store, coordination, erp, erpBreaker, erpStatus, audit, clock }),
    audit,
  };
  const guard = createAuthGuard(verifier);
  const limiter = createLoginRateLimiter(
    coordination,
    { maxFailures: settings.loginRateLimit, windowMs: settings.loginRateWindowMs },
    () => clock().getTime(),
  );

  const app: Express = express();
  app.disable('x-powered-by');
  // API answers are never revalidated by ETag; hashing every body is pure cost on the scan path.
  app.set('etag', false);
  app.set('trust proxy', settings.trustProxy);
  app.set('query parser', 'simple');
  app.use(requestIdMiddleware());
  app.use(requestLog(log));
  app.use(securityHeaders());

  const api = express.Router();
  api.use(express.json({ limit: settings.bodyLimit, strict: true }));
  api.use('/auth', authRoutes(services.auth, guard, limiter));
  api.use('/users', usersRoutes(services.users, guard));
  api.use('/items', itemsRoutes(services.items, guard));
  api.use('/erp', erpRoutes(services.erp, guard, settings.uploadLimitBytes));
  api.use('/warehouses', locationsRoutes(store, guard));
  api.use('/admin/audit', auditRoutes(store, guard));
  api.use(healthRoutes({ store, coordination, erp, guard }));
  api.use(apiNotFound());
  app.use('/api', api);

  if (settings.pwaDir && fs.existsSync(path.join(settings.pwaDir, 'index.html'))) {
    const pwaDir = settings.pwaDir;
    app.use(express.static(pwaDir, { index: 'index.html', maxAge: '1h' }));
    // Client-side routes of the PWA fall back to its shell; /api never reaches here.
    app.get('/*splat', (_req, res) => res.sendFile(path.join(pwaDir, 'index.html')));
  }
  app.use(errorMiddleware(log));

  const fastPath = createLookupFastPath(services.items, verifier, log);
  /** The request listener for http.createServer: the lookup fast path first, then Express. */
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    if (!fastPath(req, res)) app(req, res);
  };
  return { app, handler, services };
}
