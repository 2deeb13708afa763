/**
 * Entry point: read config (fail fast), build adapters, make sure an admin exists, mirror the ERP,
 * listen, and shut down gracefully on SIGINT/SIGTERM (drain requests, close pools).
 */
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { createApp } from './app';
import { ConfigError, loadConfig, type Config } from './config';
import { buildAdapters, resolveJwtSecret, type Adapters } from './deps';
import { AppError } from './lib/errors';
import { createErpScheduler } from './modules/erp/erp-scheduler';
import type { PhoneAccess } from '@stockverify/shared';
import { bannerLines, firstAdminLines, lanAddresses, phoneAccessOf } from './startup/banner';
import { fatalOutcomes, formatOutcome, runChecks } from './startup/checks';
import {
  dataDirCheck,
  defaultProbes,
  dependencyChecks,
  tlsWanted,
  writebackCheck,
} from './startup/dependency-checks';
import { httpsRedirect } from './startup/https-redirect';
import { probeMongoReplicaSet } from './startup/mongo-probe';
import {
  createMssqlAdjustmentWriter,
  type MssqlAdjustmentWriter,
} from './adapters/erp/mssql-writeback';
import type { TlsMaterial } from './startup/tls';

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
  const { adapters, tls, adjustmentWriter } = await startDependencies(config, log);

  const here = path.dirname(fileURLToPath(import.meta.url));
  const pwaDir = path.resolve(here, '../../pwa/dist');
  const consoleDir = path.resolve(here, '../../desktop/dist/renderer');
  // Known once the server listens (PORT=0 picks one); the console's phone QR code asks for it.
  let phoneAccess: PhoneAccess | null = null;
  const { handler, services, closeStreams } = createApp({
    ...adapters,
    adjustmentWriter,
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
      tls: tls !== null,
      pwaDir,
      consoleDir,
      phoneAccess: () => phoneAccess,
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
      skipSettlement: config.BENCH_SKIP_SETTLEMENT,
    },
  });

  const firstAdmin = await services.users.ensureFirstAdmin(config.STOCKVERIFY_ADMIN_PASSWORD);

  if (config.ERP_SYNC_ON_START && (await adapters.store.items.count()) === 0) {
    services.erp
      .sync(null, { request_id: null, ip: null })
      .then((r) => log.info(r, 'initial ERP mirror done'))
      .catch((err: unknown) =>
        log.error({ err }, 'initial ERP mirror failed; lookups fall back to the ERP'),
      );
  }

  // Scheduled ERP mirroring (issue #7): incremental passes and a nightly full pass. Only for
  // SQL Server: the demo master never changes, and a file master is re-imported by an admin.
  const scheduler =
    config.ERP_SOURCE === 'mssql'
      ? createErpScheduler({
          meta: adapters.store.meta,
          settings: {
            qtyMinutes: config.ERP_QTY_SYNC_MINUTES,
            itemMinutes: config.ERP_ITEM_SYNC_MINUTES,
            fullAt: config.ERP_FULL_SYNC_AT,
          },
          clock: () => new Date(),
          runPass: async (pass, since) => ({ ...(await services.erp.scheduledPass(pass, since)) }),
          isBusy: (err) => err instanceof AppError && err.status === 409,
          log,
        })
      : null;
  scheduler?.start();

  // ERP movements (issue #17): pulled every ERP_MOVEMENTS_INTERVAL_MS while a session is open, for
  // any source with a stock ledger (the demo simulates one).
  const movementPuller = services.erp.movementPuller({
    intervalMs: config.ERP_MOVEMENTS_INTERVAL_MS,
    log,
  });
  movementPuller.start();
  // The read model's expected at count (docs/design.md §13): items marked by line writes and
  // movement pulls are recomputed about every second, off the sync path.
  services.atCount.start();

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

  const server = tls
    ? https.createServer({ cert: tls.cert, key: tls.key }, handler)
    : http.createServer(handler);
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve) => server.listen(config.PORT, config.HOST, resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.PORT;
  const shownHost = config.HOST === '0.0.0.0' || config.HOST === '::' ? 'localhost' : config.HOST;
  // Phones that type the address without https:// get sent to it (HTTP_REDIRECT_PORT).
  // With the self-signed certificate it also offers the local CA (/ca.crt, /trust) to phones.
  const trustOffer = tls?.ca
    ? { caCert: tls.ca.cert, fingerprint256: tls.ca.fingerprint256 }
    : undefined;
  const redirect =
    tls && config.HTTP_REDIRECT_PORT !== undefined
      ? http.createServer(httpsRedirect(port, trustOffer))
      : null;
  if (redirect) {
    await new Promise<void>((resolve) =>
      redirect.listen(config.HTTP_REDIRECT_PORT, config.HOST, resolve),
    );
    redirect.unref();
  }
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    closeStreams();
    redirect?.close();
    const schedulerStopped = scheduler?.stop();
    const movementsStopped = movementPuller.stop();
    const atCountStopped = services.atCount.stop();
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    // Requests in flight get a few seconds to finish; keep-alive sockets that only went idle
    // after close() (an ended SSE stream, say) would otherwise hold the server open until their
    // keep-alive timeout.
    setTimeout(() => server.closeAllConnections(), 3000).unref();
    await closed;
    await schedulerStopped;
    await movementsStopped;
    await atCountStopped;
    await Promise.allSettled([
      adapters.store.close(),
      adapters.coordination.close(),
      adapters.erp.close(),
      adjustmentWriter?.close(),
    ]);
    log.flush();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  // Printed only now: a supervisor script (or a test) that sends SIGTERM as soon as it reads
  // this line must find the handlers in place, or the process dies without draining.
  const scheme = tls ? 'https' : 'http';
  if (firstAdmin) {
    // Printed once, on stderr on its own marked lines: never through the logger, never into the
    // JSON log stream on stdout, and never again (the reset command makes a new one). Before the
    // listening line, so whoever waits for that line has the password too.
    console.error(firstAdminLines(firstAdmin.password, firstAdmin.generated).join('\n'));
  }
  const bannerInput = {
    scheme,
    host: config.HOST,
    port,
    storeKind: adapters.store.kind,
    consoleBuilt: fs.existsSync(path.join(consoleDir, 'index.html')),
    pwaBuilt: fs.existsSync(path.join(pwaDir, 'index.html')),
    lan: lanAddresses(),
    tls: tls
      ? {
          source: tls.source,
          certFile: tls.ca?.certFile ?? tls.certFile,
          fingerprint256: tls.ca?.fingerprint256 ?? tls.fingerprint256,
        }
      : null,
    redirectPort: redirect ? (config.HTTP_REDIRECT_PORT ?? null) : null,
  } as const;
  phoneAccess = phoneAccessOf(bannerInput);
  // One write, so whoever reads the listening line has the whole banner.
  console.log(
    [
      `Stock Verify listening on ${scheme}://${shownHost}:${port}  (API at /api, store: ${adapters.store.kind})`,
      ...bannerLines(bannerInput),
    ].join('\n'),
  );
}

/**
 * Builds the adapters and checks every configured dependency before listening, one line each
 * (issue #7). A required dependency that fails stops the start with exit code 3; the ERP only
 * warns, since the mirror serves lookups meanwhile.
 */
async function startDependencies(
  config: Config,
  log: pino.Logger,
): Promise<{
  adapters: Adapters;
  tls: TlsMaterial | null;
  adjustmentWriter: MssqlAdjustmentWriter | null;
}> {
  const timeoutMs = config.STARTUP_CHECK_TIMEOUT_SECONDS * 1000;
  const stop = (reason: string): never => {
    console.error(`Cannot start: ${reason}`);
    process.exit(3);
  };
  console.log('Checking dependencies:');
  const [dataDir] = await runChecks([dataDirCheck(config)], { timeoutMs });
  console.log(formatOutcome(dataDir!));
  if (dataDir!.status === 'fail') stop('the data folder is not writable (see above).');

  let adapters: Adapters;
  try {
    adapters = await buildAdapters(config, log);
  } catch (err) {
    return stop(
      `the adapters could not be built: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  // The only write to SQL Server, off by default (ERP_WRITEBACK_ENABLED; config checks the rest).
  const adjustmentWriter =
    config.ERP_WRITEBACK_ENABLED && config.MSSQL_URL && config.ERP_WRITEBACK_TABLE
      ? createMssqlAdjustmentWriter({ url: config.MSSQL_URL, table: config.ERP_WRITEBACK_TABLE })
      : null;
  const tlsHolder: { material: TlsMaterial | null } = { material: null };
  const checks = dependencyChecks(
    config,
    adapters,
    defaultProbes(timeoutMs, probeMongoReplicaSet),
    tlsHolder,
  );
  if (adjustmentWriter) checks.push(writebackCheck(adjustmentWriter));
  const outcomes = await runChecks(checks, { timeoutMs });
  for (const outcome of outcomes) {
    (outcome.status === 'ok' ? console.log : console.error)(formatOutcome(outcome));
  }
  const fatal = fatalOutcomes(outcomes);
  if (fatal.length > 0) {
    await Promise.allSettled([
      adapters.store.close(),
      adapters.coordination.close(),
      adapters.erp.close(),
      adjustmentWriter?.close(),
    ]);
    stop(
      `${fatal.map((o) => o.name).join(', ')} not usable (see above). Fix the setting named there and start again.`,
    );
  }
  if (tlsWanted(config) && !tlsHolder.material) stop('no TLS certificate (see above).');
  return { adapters, tls: tlsHolder.material, adjustmentWriter };
}

void main();
