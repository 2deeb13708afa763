import fs from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import type { PhoneAccess } from '@stockverify/shared';
import express, { type Express, type Response } from 'express';
import type { Logger } from 'pino';
import { CoordinationUnavailableError, type Coordination } from './ports/coordination';
import type { ErpSource } from './ports/erp';
import type { Store } from './ports/store';
import type { SessionRecord } from './ports/counting';
import type { BinKey } from './ports/bins';
import { createCircuitBreaker, failedIn, markFailures } from './lib/circuit-breaker';
import { createAccessVerifier } from './http/access-verifier';
import { AppError } from './lib/errors';
import { createAuthGuard } from './http/auth-guard';
import { consoleCors } from './http/console-cors';
import { apiNotFound, errorMiddleware } from './http/error-middleware';
import { frontEndMissing } from './http/front-end-missing';
import { createLoginRateLimiter } from './http/login-rate-limit';
import { requestIdMiddleware } from './http/request-id';
import { noStore } from './http/no-store';
import { requestLog } from './http/request-log';
import { securityHeaders } from './http/security-headers';
import { createAuditLog } from './modules/audit/audit-log';
import { auditRoutes } from './modules/audit/audit.routes';
import { createAuditService } from './modules/audit/audit.service';
import { createAuthService } from './modules/auth/auth.service';
import { authRoutes } from './modules/auth/auth.routes';
import { createTokens } from './modules/auth/tokens';
import { createErpService } from './modules/erp/erp.service';
import { parseItemMasterInWorker } from './adapters/erp/import-worker';
import { erpRoutes } from './modules/erp/erp.routes';
import { createErpStatusRecorder } from './modules/erp/erp-status';
import { healthRoutes } from './modules/health/health.routes';
import { createHealthService } from './modules/health/health.service';
import { phoneAccessRoutes } from './modules/health/phone-access.routes';
import { createItemsService } from './modules/items/items.service';
import { itemsRoutes } from './modules/items/items.routes';
import { createLookupFastPath } from './modules/items/lookup-fast-path';
import { locationsRoutes } from './modules/locations/locations.routes';
import { createLocationsService } from './modules/locations/locations.service';
import { createUsersService } from './modules/users/users.service';
import { claimsRoutes } from './modules/claims/claims.routes';
import { recountsRoutes } from './modules/recounts/recounts.routes';
import { createRecountsService } from './modules/recounts/recounts.service';
import { createClaimsService } from './modules/claims/claims.service';
import { reviewRoutes } from './modules/review/review.routes';
import { createReviewService } from './modules/review/review.service';
import { countingRoutes, refuseDeepJson } from './modules/counting/counting.routes';
import { createCountingService } from './modules/counting/counting.service';
import { arrivalStamp, createClockSampleRecorder } from './modules/movements/clock-samples.service';
import { createExpectedService } from './modules/movements/expected.service';
import { createAtCountUpkeep } from './modules/movements/at-count-upkeep';
import { inFlightMiddleware } from './http/in-flight';
import { createStreamLimit } from './http/sse';
import { expectedRoutes } from './modules/movements/expected.routes';
import { createMovedDecisionsService } from './modules/movements/moved-decisions.service';
import { movedDecisionsRoutes } from './modules/movements/moved-decisions.routes';
import { createSyncRateService } from './modules/counting/sync-rate.service';
import {
  DEFAULT_REVIEW_THRESHOLDS,
  fallbackRule,
  type ReviewThresholds,
} from './modules/counting/review-rules';
import { createBinsService } from './modules/recounts/bins.service';
import { createSettlement } from './modules/recounts/settlement';
import { announceUserChange, createEventBus } from './modules/events/event-bus';
import { eventsRoutes } from './modules/events/events.routes';
import { createEventsService } from './modules/events/events.service';
import { clientErrorsRoutes } from './modules/evidence/client-errors.routes';
import { createClientErrorsService } from './modules/evidence/client-errors.service';
import { photosRoutes } from './modules/evidence/photos.routes';
import { createPhotosService } from './modules/evidence/photos.service';
import { adminRoutes } from './modules/monitoring/admin.routes';
import { createMonitoringService } from './modules/monitoring/monitoring.service';
import { createMetrics } from './modules/monitoring/metrics';
import { metricsRoutes } from './modules/monitoring/metrics.routes';
import { createMetricsService } from './modules/monitoring/metrics.service';
import { requestMetrics } from './modules/monitoring/request-metrics';
import { bulkExportRoutes, reportsRoutes } from './modules/reports/reports.routes';
import { adjustmentsRoutes } from './modules/adjustments/adjustments.routes';
import { createAdjustmentsService } from './modules/adjustments/adjustments.service';
import type { AdjustmentWriter } from './ports/erp-writeback';
import { createReportsService } from './modules/reports/reports.service';
import { createReportAccessService } from './modules/reports/report-access.service';
import { createAccessPolicy, type AccessPolicy } from './modules/access/access-policy';
import { sessionsRoutes } from './modules/sessions/sessions.routes';
import { createSessionsService } from './modules/sessions/sessions.service';
import { createSessionReadsService } from './modules/sessions/session-reads.service';
import { sessionAccess } from './modules/sessions/session-access';
import { usersRoutes } from './modules/users/users.routes';
import { toleranceRoutes } from './modules/tolerance/tolerance.routes';
import { createToleranceService } from './modules/tolerance/tolerance.service';

/** A counter's live task notices: a stream open for hours, not a request in hand. */
const LIVE_TASKS = /^\/api\/sessions\/[^/]+\/recount-tasks\/live$/;
/** A counter's open task streams (a phone holds one, for the session it counts). */
export const TASK_STREAMS_PER_USER = 4;
/**
 * A supervisor's open `GET /events` streams (the console's watchtower holds one per window): each
 * is handed every live event of the warehouse, so one user opening streams without end would slow
 * everyone's events.
 */
export const EVENT_STREAMS_PER_USER = 8;
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
  /**
   * Whether this server itself serves HTTPS. Only then do responses carry HSTS and the CSP's
   * `upgrade-insecure-requests` (over plain HTTP they would blank every page). Default: false.
   */
  tls?: boolean;
  /** The LAN addresses phones use, for GET /admin/phone-access (known once listening). */
  phoneAccess?: () => PhoneAccess | null;
  /** Built PWA to serve at `/` when present. */
  pwaDir?: string;
  /** Built supervisor console (desktop/dist/renderer) to serve at `/console` when present. */
  consoleDir?: string;
  /** Origins allowed to call /api cross-origin (CORS_ORIGINS; default: Electron's app://renderer). */
  corsOrigins?: string[];
  /** Counting timings (api.md: RACK_LOCK_TTL_SECONDS, RACK_GRACE_SECONDS, HEARTBEAT_STALE_SECONDS). */
  rackLockTtlMs?: number;
  rackGraceMs?: number;
  presenceTtlMs?: number;
  review?: ReviewThresholds;
  syncBatchesPerMinute?: number;
  /** JSON body limit of `/sync/batch` (500 records). */
  syncBodyLimit?: string;
  /** Addresses / CIDR blocks that may scrape /metrics without a token (default: loopback). */
  metricsAllowNetworks?: string[];
  /** Report exports: rows read from the store per chunk, rows per XLSX sheet (header included). */
  reports?: { chunkSize?: number; sheetRowLimit?: number };
  /** Benchmarks only (config BENCH_SKIP_SETTLEMENT): count lines written are not settled. */
  skipSettlement?: boolean;
}

export interface AppDeps {
  settings: AppSettings;
  store: Store;
  coordination: Coordination;
  erp: ErpSource;
  log: Logger;
  clock?: () => Date;
  /** The blind rule and the warehouse boundaries; built from the store when absent. */
  access?: AccessPolicy;
  /** Staging-table writer for adjustment packages (ERP_WRITEBACK_ENABLED); null/absent = off. */
  adjustmentWriter?: AdjustmentWriter | null;
}

/**
 * Builds the Express app from injected adapters; never listens (tests run it on port 0).
 * Everything under /api answers JSON envelopes, including errors and unknown routes.
 */
export function createApp(deps: AppDeps) {
  const { settings, store, coordination, erp, log } = deps;
  const clock = deps.clock ?? (() => new Date());
  const access: AccessPolicy = deps.access ?? createAccessPolicy(store, clock);
  const events = createEventBus(coordination, log, clock);
  const metrics = createMetrics();
  // The store breaker trips on a failing store so phones get a fast 503 + Retry-After and back off.
  const storeBreaker = createCircuitBreaker({
    name: 'store',
    // Only what the store adapter itself threw counts (the counting service gets a marked view of
    // it): a handler bug or a hostile body must not open the circuit for every user (issue #12).
    // A Redis outage is not a store failure: counting it would keep sync refused after Redis is back.
    isFailure: (err) =>
      failedIn(err, 'store') &&
      !(err instanceof AppError) &&
      !(err instanceof CoordinationUnavailableError),
    failureThreshold: 5,
    openMs: 15_000,
    timeoutMs: 30_000,
    // The app's clock, so tests can move past the open period instead of sleeping through it.
    now: () => clock().getTime(),
  });

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
  // Bins settle after every line write (issue #16, docs/design.md §12).
  // Where no tolerance rule matches, lines, bins and the rule preview fall back on this rule.
  const fallback = fallbackRule(settings.review ?? DEFAULT_REVIEW_THRESHOLDS);
  const settlement = createSettlement({ store, coordination, events, clock, fallback });
  const bins = createBinsService({ store, audit, events, clock, access, settlement });
  const services = {
    auth: createAuthService(store, tokens, audit, clock),
    users: createUsersService(store, audit, clock, (id) => {
      verifier.forgetUser(id);
      // A user moved to another warehouse is bound there at once (in this process).
      access.invalidate();
      announceUserChange(coordination, log, id);
    }),
    items: createItemsService({
      store,
      coordination,
      erp,
      erpBreaker,
      erpStatus,
      access,
      cacheTtlMs: settings.itemCacheMs,
    }),
    erp: createErpService({
      store,
      coordination,
      erp,
      parseItemMaster: parseItemMasterInWorker,
      erpBreaker,
      erpStatus,
      audit,
      clock,
    }),
    audit,
    // Expected at count in the read model (design §13): main.ts starts its drain; tests drain it.
    atCount: createAtCountUpkeep({
      store,
      log,
      fallback,
      // Bins judged on their book at count are settled again when it changes (design §13).
      ...(settings.skipSettlement
        ? {}
        : {
            resettle: async (session: SessionRecord, keys: BinKey[]) => {
              await settlement.settleBins(session, keys);
            },
          }),
      publish: (event) => events.publish(event),
    }),
    sessions: createSessionsService(store, audit, events, clock, access, bins),
    claims: createClaimsService(
      store,
      coordination,
      audit,
      events,
      clock,
      {
        lockTtlMs: settings.rackLockTtlMs ?? 60_000,
        graceMs: settings.rackGraceMs ?? 15 * 60_000,
        presenceTtlMs: settings.presenceTtlMs ?? 90_000,
      },
      access,
      metrics,
    ),
    counting: createCountingService({
      store: markFailures(store, 'store'),
      coordination,
      audit,
      events,
      clock,
      review: settings.review ?? DEFAULT_REVIEW_THRESHOLDS,
      metrics,
      access,
      settlement: settings.skipSettlement ? undefined : settlement,
    }),
    reports: createReportsService(store, store.reports, clock, {
      chunkSize: settings.reports?.chunkSize ?? 2000,
    }),
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
  app.use(requestMetrics(metrics));
  // Requests in hand: the background drain steps back while anyone waits (lib/in-flight.ts).
  app.use(inFlightMiddleware((req) => req.path === '/api/events' || LIVE_TASKS.test(req.path)));
  app.use(requestLog(log));
  app.use(securityHeaders(settings.tls ?? false));

  const api = express.Router();
  const syncRate = createSyncRateService(coordination, {
    batchesPerMinute: settings.syncBatchesPerMinute ?? 120,
  });
  const counting = countingRoutes(
    services.counting,
    guard,
    syncRate,
    storeBreaker,
    createClockSampleRecorder(store.clockSamples, clock),
  );
  // Sync batches carry up to 500 records: their own, larger body limit, parsed before the default.
  api.use(
    '/sync',
    arrivalStamp(clock),
    express.json({ limit: settings.syncBodyLimit ?? '5mb', strict: true, verify: refuseDeepJson }),
    counting.sync,
  );
  // Raw image bodies with their own 8 MB limit, before the JSON parser.
  api.use(
    photosRoutes(createPhotosService({ store, access, clock, audit }), guard, { maxBytes: '8mb' }),
  );
  // Nesting is checked on the raw bytes before parsing (issue #12): no route needs deep JSON.
  api.use(express.json({ limit: settings.bodyLimit, strict: true, verify: refuseDeepJson }));
  api.use('/auth', authRoutes(services.auth, guard, limiter));
  api.use('/users', usersRoutes(services.users, guard));
  api.use('/items', itemsRoutes(services.items, guard));
  api.use('/erp', erpRoutes(services.erp, guard, settings.uploadLimitBytes));
  api.use('/warehouses', locationsRoutes(createLocationsService(store, access), guard));
  api.use('/admin/audit', auditRoutes(createAuditService(store), guard));
  api.use(
    '/tolerance-rules',
    toleranceRoutes(createToleranceService({ store, audit, clock, access, fallback }), guard),
  );
  const reportDeps = {
    reports: services.reports,
    guard,
    audit,
    log,
    clock,
    scope: createReportAccessService(store, access),
    sheetRowLimit: settings.reports?.sheetRowLimit,
  };
  api.use('/reports', reportsRoutes(reportDeps));
  // Users bound to a warehouse reach no /sessions/:id/… route of another one (issue #12).
  api.use('/sessions', sessionAccess(store, guard, access));
  api.use('/sessions', bulkExportRoutes(reportDeps));
  const expectedService = createExpectedService({ store, access });
  api.use(
    '/sessions',
    adjustmentsRoutes(
      createAdjustmentsService({
        store,
        audit,
        clock,
        writer: deps.adjustmentWriter ?? null,
      }),
      guard,
    ),
  );
  api.use('/sessions', counting.sessions);
  api.use('/sessions', expectedRoutes(expectedService, guard));
  api.use(
    '/sessions',
    movedDecisionsRoutes(
      createMovedDecisionsService({ store, expected: expectedService, audit, clock }),
      guard,
    ),
  );
  const liveStreams = new Set<Response>();
  const liveEvents = createEventsService(coordination, { users: store.users, access });
  api.use(
    '/sessions',
    recountsRoutes(createRecountsService({ store, access, audit, events, clock }), bins, guard, {
      events: liveEvents,
      open: liveStreams,
      streams: createStreamLimit(TASK_STREAMS_PER_USER),
    }),
  );
  api.use('/sessions', claimsRoutes(services.claims, guard));
  api.use(
    '/sessions',
    sessionsRoutes(
      services.sessions,
      createSessionReadsService(store, services.sessions, access),
      guard,
    ),
  );
  api.use(
    '/events',
    eventsRoutes(liveEvents, guard, liveStreams, {
      streams: createStreamLimit(EVENT_STREAMS_PER_USER),
    }),
  );
  api.use(
    reviewRoutes(
      createReviewService({ store, audit, events, clock, access, bins }),
      services.counting,
      guard,
    ),
  );
  api.use(clientErrorsRoutes(createClientErrorsService(store, clock), guard));
  api.use(
    metricsRoutes({
      metrics: createMetricsService(metrics, store),
      guard,
      allowNetworks: settings.metricsAllowNetworks,
    }),
  );
  api.use(adminRoutes(createMonitoringService({ store, coordination, clock, access }), guard));
  api.use(healthRoutes(createHealthService({ store, coordination, erp }), guard));
  api.use(phoneAccessRoutes(guard, settings.phoneAccess ?? (() => null)));
  api.use(apiNotFound());
  app.use('/api', noStore(), consoleCors(settings.corsOrigins ?? ['app://renderer']), api);

  // The console before the PWA, whose catch-all would otherwise answer /console/* with its shell.
  if (settings.consoleDir && fs.existsSync(path.join(settings.consoleDir, 'index.html'))) {
    const consoleDir = settings.consoleDir;
    // Hashed assets are cached; the shell is revalidated so a new build shows on the next load.
    const noCacheHtml = (res: Response, file: string) => {
      if (file.endsWith('.html')) res.setHeader('Cache-Control', 'no-cache');
    };
    app.use(
      '/console',
      express.static(consoleDir, { index: 'index.html', maxAge: '1h', setHeaders: noCacheHtml }),
    );
    app.get('/console/*splat', (_req, res) =>
      res.sendFile(path.join(consoleDir, 'index.html'), {
        headers: { 'Cache-Control': 'no-cache' },
      }),
    );
  } else if (settings.consoleDir) {
    app.get(['/console', '/console/*splat'], frontEndMissing('The console', settings.consoleDir));
  }

  if (settings.pwaDir && fs.existsSync(path.join(settings.pwaDir, 'index.html'))) {
    const pwaDir = settings.pwaDir;
    app.use(express.static(pwaDir, { index: 'index.html', maxAge: '1h' }));
    // Client-side routes of the PWA fall back to its shell; /api never reaches here.
    app.get('/*splat', (_req, res) => res.sendFile(path.join(pwaDir, 'index.html')));
  } else if (settings.pwaDir) {
    app.get('/', frontEndMissing('The staff app', settings.pwaDir));
  }
  app.use(errorMiddleware(log));

  const fastPath = createLookupFastPath(services.items, verifier, log, metrics, {
    tls: settings.tls ?? false,
    corsOrigins: settings.corsOrigins ?? ['app://renderer'],
    trustProxy: app.get('trust proxy fn') as (addr: string, i: number) => boolean,
  });
  /** The request listener for http.createServer: the lookup fast path first, then Express. */
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    if (!fastPath(req, res)) app(req, res);
  };
  /** Ends every open SSE stream (graceful shutdown: consoles reconnect to another process). */
  const closeStreams = () => {
    for (const res of liveStreams) res.end();
    liveStreams.clear();
  };
  return { app, handler, services, metrics, closeStreams };
}
