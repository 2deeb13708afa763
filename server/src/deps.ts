import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import type { Config } from './config';
import type { Coordination } from './ports/coordination';
import type { ErpSource } from './ports/erp';
import type { Store } from './ports/store';
import { createMemoryCoordination } from './adapters/coordination/memory';
import { createRedisCoordination } from './adapters/coordination/redis';
import { createDemoErpSource } from './adapters/erp/demo';
import { createFileErpSource } from './adapters/erp/file';
import { createMssqlErpSource, parseMssqlColumnMap } from './adapters/erp/mssql';
import { parseMovementColumnMap } from './adapters/erp/mssql-movements';
import { createMongoStore } from './adapters/store/mongodb';
import { createSqliteStore } from './adapters/store/sqlite';

export interface Adapters {
  store: Store;
  coordination: Coordination;
  erp: ErpSource;
}

/** Builds the adapters the configuration asks for (design §3 "Embedded default" and scale-out). */
export async function buildAdapters(config: Config, log: Logger): Promise<Adapters> {
  fs.mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const store = buildStore(config);
  const coordination = config.REDIS_URL
    ? createRedisCoordination({ url: config.REDIS_URL, onError: throttledLog(log, 'redis') })
    : createMemoryCoordination();
  let erp: ErpSource;
  switch (config.ERP_SOURCE) {
    case 'file':
      erp = createFileErpSource({
        path: config.ERP_FILE!,
        movementsPath: config.ERP_MOVEMENTS_FILE,
      });
      break;
    case 'mssql':
      erp = createMssqlErpSource({
        url: config.MSSQL_URL!,
        view: config.MSSQL_VIEW,
        itemQuery: config.MSSQL_ITEM_QUERY,
        warehouseQuery: config.MSSQL_WAREHOUSE_QUERY,
        stockQuery: config.MSSQL_QTY_QUERY,
        barcodeQuery: config.MSSQL_BARCODE_QUERY,
        columns: config.MSSQL_COLUMN_MAP ? parseMssqlColumnMap(config.MSSQL_COLUMN_MAP) : undefined,
        // The stock ledger (issue #17): no movements unless a table or query is configured.
        movements: {
          table: config.MSSQL_MOVEMENTS_TABLE,
          query: config.MSSQL_MOVEMENTS_QUERY,
          watermarkQuery: config.MSSQL_MOVEMENTS_WATERMARK_QUERY,
          watermarkType: config.MSSQL_MOVEMENTS_WATERMARK_TYPE,
          columns: config.MSSQL_MOVEMENTS_COLUMN_MAP
            ? parseMovementColumnMap(config.MSSQL_MOVEMENTS_COLUMN_MAP)
            : undefined,
        },
      });
      break;
    default:
      erp = createDemoErpSource({
        itemCount: config.DEMO_ITEM_COUNT,
        racksPerAisle: config.DEMO_RACKS_PER_AISLE,
        movementsPerMinute: config.DEMO_MOVEMENTS_PER_MINUTE,
        movementsTotal: config.DEMO_MOVEMENTS_TOTAL,
      });
  }
  log.info(
    { store: store.kind, coordination: coordination.kind, erp: erp.kind },
    'adapters chosen',
  );
  return { store, coordination, erp };
}

/** The embedded SQLite file under DATA_DIR, or MongoDB when MONGODB_URI is set (also tools/admin.ts). */
export function buildStore(config: Config): Store {
  return config.MONGODB_URI
    ? createMongoStore({
        uri: config.MONGODB_URI,
        dbName: config.MONGODB_DB,
        idempotencyKeepDays: config.IDEMPOTENCY_KEEP_DAYS,
      })
    : createSqliteStore({
        file: sqliteFile(config),
        skipReadModelUpkeep: config.BENCH_SKIP_READ_MODEL,
      });
}

/** Where the embedded store keeps its database. */
export function sqliteFile(config: Config): string {
  return path.join(config.dataDir, 'stockverify.db');
}

/** Connection errors repeat on every reconnect attempt: log the first, then one per 10 s. */
function throttledLog(log: Logger, dependency: string): (error: unknown) => void {
  let last = 0;
  return (error) => {
    const now = Date.now();
    if (now - last < 10_000) return;
    last = now;
    log.warn({ err: error, dependency }, `${dependency} connection error`);
  };
}

/**
 * The JWT signing key: JWT_SECRET when set (required when several API processes share a store),
 * else one generated on first start and kept in DATA_DIR with owner-only permissions.
 */
export function resolveJwtSecret(config: Config): string {
  if (config.JWT_SECRET) return config.JWT_SECRET;
  const file = path.join(config.dataDir, 'jwt-secret');
  if (fs.existsSync(file)) return fs.readFileSync(file, 'utf8').trim();
  const secret = randomBytes(48).toString('base64url');
  fs.writeFileSync(file, secret + '\n', { mode: 0o600, flag: 'wx' });
  return secret;
}
