/**
 * Entry point: read config (fail fast), build adapters, make sure an admin exists, mirror the ERP,
 * listen, and shut down gracefully on SIGINT/SIGTERM (drain requests, close pools).
 */
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { createApp } from './app';
import { ConfigError, loadConfig, type Config } from './config';
import { buildAdapters, resolveJwtSecret } from './deps';

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(2);
    }
    throw err;
  }
  // Asynchronous writes: a request never waits for its log line (flushed on shutdown).
  const log = pino({ level: config.LOG_LEVEL }, pino.destination({ dest: 1, sync: false }));
  const adapters = await buildAdapters(config, log);
  await checkDependencies(adapters, log);

  const here = path.dirname(fileURLToPath(import.meta.url));
  const { handler, services, closeStreams } = createApp({
    ...adapters,
    log,
    settings: {
      jwtSecret: resolveJwtSecret(config),
      accessTokenMinutes: config.ACCESS_TOKEN_EXPIRE_MINUTES,
      refreshTokenDays: config.REFRESH_TOKEN_EXPIRE_DAYS,
      loginRateLimit: config.LOGIN_RATE_LIMIT,
      loginRateWindowMs: config.LOGIN_RATE_WINDOW_SECONDS * 1000,
      bodyLimit: config.BODY_LIMIT,
      uploadLimitBytes: config.UPLOAD_LIMIT_MB * 1024 * 1024,
      itemCacheMs: config.ITEM_CACHE_SECONDS * 1000,
      trustProxy: config.TRUST_PROXY,
      pwaDir: path.resolve(here, '../../pwa/dist'),
      consoleDir: path.resolve(here, '../../desktop/dist/renderer'),
      corsOrigins: config.CORS_ORIGINS,
      rackLockTtlMs: config.RACK_LOCK_TTL_SECONDS * 1000,
      rackGraceMs: config.RACK_GRACE_SECONDS * 1000,
      presenceTtlMs: config.HEARTBEAT_STALE_SECONDS * 1000,
      review: {
        varianceQty: config.REVIEW_VARIANCE_QTY,
        variancePercent: config.REVIEW_VARIANCE_PERCENT,
        varianceValue: config.REVIEW_VARIANCE_VALUE,
      },
      syncBatchesPerMinute: config.SYNC_BATCHES_PER_MINUTE,
    },
  });

  const firstAdmin = await services.users.ensureFirstAdmin(config.STOCKVERIFY_ADMIN_PASSWORD);
  if (firstAdmin) {
    const secret = firstAdmin.generated ? firstAdmin.password : '(from STOCKVERIFY_ADMIN_PASSWORD)';
    // Printed once, on the console only (never to the log stream), and never again.
    console.log(
      `\n  First start: created user "admin" with password: ${secret}\n  Change it after signing in.\n`,
    );
  }

  if (config.ERP_SYNC_ON_START && (await adapters.store.items.count()) === 0) {
    services.erp
      .sync(null, { request_id: null, ip: null })
      .then((r) => log.info(r, 'initial ERP mirror done'))
      .catch((err: unknown) =>
        log.error({ err }, 'initial ERP mirror failed; lookups fall back to the ERP'),
      );
  }

  // Housekeeping every few minutes: stale heartbeats go to the watchtower; old idempotency keys
  // (kept ≥ 30 days, API contract) and expired refresh tokens are deleted.
  const housekeeping = setInterval(() => {
    services.claims
      .announceStale(config.HEARTBEAT_STALE_SECONDS * 1000)
      .catch((err: unknown) => log.warn({ err }, 'stale-heartbeat scan failed'));
  }, 15_000);
  housekeeping.unref();
  const cleanup = async () => {
    const now = Date.now();
    await adapters.store.idempotency.deleteOlderThan(
      new Date(now - config.IDEMPOTENCY_KEEP_DAYS * 86_400_000).toISOString(),
    );
    await adapters.store.refreshTokens.deleteExpired(new Date(now).toISOString());
  };
  void cleanup().catch((err: unknown) => log.warn({ err }, 'cleanup failed'));
  setInterval(
    () => void cleanup().catch((err: unknown) => log.warn({ err }, 'cleanup failed')),
    6 * 3_600_000,
  ).unref();

  const server = http.createServer(handler);
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve) => server.listen(config.PORT, config.HOST, resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.PORT;
  const shownHost = config.HOST === '0.0.0.0' || config.HOST === '::' ? 'localhost' : config.HOST;
  console.log(
    `Stock Verify listening on http://${shownHost}:${port}  (API at /api, store: ${adapters.store.kind})`,
  );

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    closeStreams();
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    // Requests in flight get a few seconds to finish; keep-alive sockets that only went idle
    // after close() (an ended SSE stream, say) would otherwise hold the server open until their
    // keep-alive timeout.
    setTimeout(() => server.closeAllConnections(), 3000).unref();
    await closed;
    await Promise.allSettled([
      adapters.store.close(),
      adapters.coordination.close(),
      adapters.erp.close(),
    ]);
    log.flush();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

/** Starts every dependency and says clearly which one is wrong, instead of failing later. */
async function checkDependencies(
  adapters: Awaited<ReturnType<typeof buildAdapters>>,
  log: pino.Logger,
): Promise<void> {
  const checks: Array<[string, () => Promise<void>]> = [
    [
      'store',
      async () => {
        await adapters.store.init();
        await adapters.store.ping();
      },
    ],
    ['coordination', () => adapters.coordination.ping()],
  ];
  for (const [name, check] of checks) {
    try {
      await check();
    } catch (err) {
      console.error(
        `Cannot start: the ${name} (${name === 'store' ? adapters.store.kind : adapters.coordination.kind}) is not usable: ${err instanceof Error ? err.message : String(err)}`,
      );
      process.exit(3);
    }
  }
  // The ERP may be down at start: lookups of mirrored items still work, so only warn.
  await adapters.erp
    .ping()
    .catch((err: unknown) => log.warn({ err }, 'ERP source not reachable at start'));
}

void main();
