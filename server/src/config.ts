/**
 * Configuration: one zod schema over the environment, read once at start (design §9). A bad value
 * stops the process with a message naming the variable.
 */
import path from 'node:path';
import express from 'express';
import { z } from 'zod';
import { parseMssqlColumnMap } from './adapters/erp/mssql';
import { mssqlConfig } from './adapters/erp/mssql-connection';
import { MOVEMENT_WATERMARK_TYPES, parseMovementColumnMap } from './adapters/erp/mssql-movements';
import { MAX_DEMO_MOVEMENTS_PER_MINUTE } from './adapters/erp/demo-movements';
import { parseOrigin } from './http/console-cors';
import { WRITEBACK_TABLE } from './ports/erp-writeback';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const positiveInt = z.coerce.number().int().positive();

/** Comma-separated origins (`scheme://host[:port]`, no path), e.g. the Electron console's. */
const originList = z
  .string()
  .transform((v) =>
    v
      .split(',')
      .map((o) => o.trim())
      .filter((o) => o !== ''),
  )
  .superRefine((origins, ctx) => {
    for (const origin of origins) {
      if (parseOrigin(origin) === null) {
        ctx.addIssue({
          code: 'custom',
          message: `"${origin}" is not an origin like https://host:port`,
        });
      }
    }
  });

/** `HH:MM` (24 h, server local time) or `off`. */
const timeOfDay = z
  .string()
  .trim()
  .regex(/^(off|([01]\d|2[0-3]):[0-5]\d)$/, 'a time like 02:00, or off');

/** Minutes between runs; 0 turns the schedule off. */
const minutes = z.coerce.number().int().min(0).max(10_080);

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  HOST: z.string().min(1).default('0.0.0.0'),
  DATA_DIR: z.string().min(1).default('./data'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  STOCKVERIFY_ADMIN_PASSWORD: z.string().min(8, 'at least 8 characters').max(256).optional(),
  ERP_SOURCE: z.enum(['demo', 'file', 'mssql']).default('demo'),
  ERP_FILE: z.string().min(1).optional(),
  DEMO_ITEM_COUNT: positiveInt.max(2_000_000).default(6000),
  /** Racks per aisle in the demo warehouses (WH-MAIN has 6 aisles: 167 gives 1,002 racks). */
  DEMO_RACKS_PER_AISLE: positiveInt.max(999).default(20),
  /** The demo's live warehouse (issue #17): picks and receipts per minute while a session is open. */
  DEMO_MOVEMENTS_PER_MINUTE: z.coerce.number().min(0).max(MAX_DEMO_MOVEMENTS_PER_MINUTE).default(3),
  DEMO_MOVEMENTS_TOTAL: z.coerce.number().int().min(0).default(0),
  /** ERP_SOURCE=file: a movements CSV/XLSX, the source's stock ledger (issue #17). */
  ERP_MOVEMENTS_FILE: z.string().min(1).optional(),
  /** How often movements are pulled while a session is open (ms; 0 = never). */
  ERP_MOVEMENTS_INTERVAL_MS: z.coerce
    .number()
    .int()
    .min(0)
    .max(3_600_000)
    .refine((ms) => ms === 0 || ms >= 1000, 'at least 1000 (or 0 = off)')
    .default(60_000),
  /** The ERP stock ledger (table or view, `schema.name`) the default movements query reads. */
  MSSQL_MOVEMENTS_TABLE: z
    .string()
    .trim()
    .regex(
      /^[\p{L}_#@][\p{L}\p{N}_$#@-]{0,127}(\.[\p{L}_#@][\p{L}\p{N}_$#@-]{0,127})?$/u,
      'schema.name',
    )
    .optional(),
  /** Replaces the default movements query (takes @since, @limit, @warehouse). */
  MSSQL_MOVEMENTS_QUERY: z.string().min(1).optional(),
  /** Replaces `SELECT MAX(watermark)` over the ledger (one row, column watermark). */
  MSSQL_MOVEMENTS_WATERMARK_QUERY: z.string().min(1).optional(),
  /** The ledger's watermark column: an entry number (bigint) or a rowversion. */
  MSSQL_MOVEMENTS_WATERMARK_TYPE: z.enum(MOVEMENT_WATERMARK_TYPES).default('bigint'),
  /** Our movement field → the ledger's column (JSON), like MSSQL_COLUMN_MAP. */
  MSSQL_MOVEMENTS_COLUMN_MAP: z
    .string()
    .min(1)
    .superRefine((json, ctx) => {
      try {
        parseMovementColumnMap(json);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: err instanceof Error ? err.message : String(err) });
      }
    })
    .optional(),
  /**
   * Benchmarks only (`npm run bench:session -- --compare-env BENCH_SKIP_READ_MODEL=true`): the
   * SQLite store writes count lines without keeping the session read model, to measure what its
   * upkeep costs. Every view then reads a stale model (`npm run read-model:rebuild` repairs it).
   * Refused with NODE_ENV=production.
   */
  BENCH_SKIP_READ_MODEL: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
  /**
   * Benchmarks only (issue #16: "sync throughput within 10 % of the run without rules"): count
   * lines written by the sync endpoint and the online count are not settled — no bin reads, no
   * consensus, no bin rows, no recount tasks — so a run with it is the product as it was before
   * consensus. Each line is still decided on its own (its rule, or the `REVIEW_VARIANCE_*`
   * fallback, flags it for review as the fixed thresholds did before rules: 1–2 µs a line,
   * measured on its own with `BENCH_TOLERANCE_RULES`), so the comparison is the cost of consensus
   * upkeep. Bins and tasks go stale; supervisors' decisions still settle. Refused with
   * NODE_ENV=production.
   */
  BENCH_SKIP_SETTLEMENT: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
  MONGODB_URI: z
    .string()
    .regex(/^mongodb(\+srv)?:\/\/\S+$/, 'a mongodb:// or mongodb+srv:// connection string')
    .optional(),
  MONGODB_DB: z.string().min(1).default('stockverify'),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\/\S*$/, 'a redis:// or rediss:// URL, like redis://:password@host:6379')
    .optional(),
  MSSQL_URL: z
    .string()
    .min(1)
    .superRefine((url, ctx) => {
      try {
        mssqlConfig(url);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: err instanceof Error ? err.message : String(err) });
      }
    })
    .optional(),
  MSSQL_ITEM_QUERY: z.string().min(1).optional(),
  MSSQL_WAREHOUSE_QUERY: z.string().min(1).optional(),
  /** The barcode lookup's SELECT (takes `@code`, returns every row of the item). */
  MSSQL_BARCODE_QUERY: z.string().min(1).optional(),
  /** The quantities pass's SELECT (columns item_code, warehouse, rack, stock_qty, updated_at). */
  MSSQL_QTY_QUERY: z.string().min(1).optional(),
  MSSQL_COLUMN_MAP: z
    .string()
    .min(1)
    .superRefine((json, ctx) => {
      try {
        parseMssqlColumnMap(json);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: err instanceof Error ? err.message : String(err) });
      }
    })
    .optional(),
  /** The view (or table) the default ERP queries read, `schema.name`. */
  MSSQL_VIEW: z
    .string()
    .trim()
    .regex(
      /^[\p{L}_#@][\p{L}\p{N}_$#@-]{0,127}(\.[\p{L}_#@][\p{L}\p{N}_$#@-]{0,127})?$/u,
      'schema.name',
    )
    .optional(),
  ACCESS_TOKEN_EXPIRE_MINUTES: positiveInt.max(15, 'at most 15 (design §6)').default(15),
  REFRESH_TOKEN_EXPIRE_DAYS: positiveInt.max(90).default(7),
  JWT_SECRET: z.string().min(32, 'at least 32 characters').optional(),
  LOGIN_RATE_LIMIT: positiveInt.default(50),
  LOGIN_RATE_WINDOW_SECONDS: positiveInt.default(900),
  BODY_LIMIT: z
    .string()
    .regex(/^\d+(b|kb|mb)$/i, 'like 1mb or 512kb')
    .default('1mb'),
  UPLOAD_LIMIT_MB: positiveInt.max(512).default(50),
  ITEM_CACHE_SECONDS: positiveInt.default(60),
  TRUST_PROXY: z
    .string()
    .superRefine((value, ctx) => {
      // Express compiles the list when the app is built; check it here so a typo exits 2.
      try {
        express().set('trust proxy', value);
      } catch (err) {
        ctx.addIssue({
          code: 'custom',
          message: `${err instanceof Error ? err.message : String(err)}; use loopback, uniquelocal, addresses or CIDR blocks, comma-separated`,
        });
      }
    })
    .default('loopback'),
  ERP_SYNC_ON_START: bool.default(true),
  RACK_LOCK_TTL_SECONDS: positiveInt.max(3600).default(60),
  RACK_GRACE_SECONDS: z.coerce.number().int().min(0).max(86_400).default(900),
  HEARTBEAT_STALE_SECONDS: positiveInt.max(3600).default(90),
  REVIEW_VARIANCE_QTY: z.coerce.number().min(0).default(100),
  REVIEW_VARIANCE_PERCENT: z.coerce.number().min(0).default(50),
  REVIEW_VARIANCE_VALUE: z.coerce.number().min(0).default(1000),
  SYNC_BATCHES_PER_MINUTE: positiveInt.default(120),
  /** Origins allowed to call the API cross-origin (the console); app://renderer is Electron's. */
  CORS_ORIGINS: originList.default(['app://renderer']),
  /** HTTPS (design §6): a certificate and key in PEM files, or a generated self-signed pair. */
  TLS_CERT_FILE: z.string().min(1).optional(),
  TLS_KEY_FILE: z.string().min(1).optional(),
  TLS_SELF_SIGNED: bool.default(false),
  /** Extra DNS names / IPs for the self-signed certificate (comma-separated). */
  TLS_SELF_SIGNED_NAMES: z
    .string()
    .transform((v) =>
      v
        .split(',')
        .map((n) => n.trim())
        .filter((n) => n !== ''),
    )
    .pipe(z.array(z.string().regex(/^[A-Za-z0-9.:*-]+$/, 'host names or IP addresses')))
    .default([]),
  /** With HTTPS on: a plain-HTTP port that redirects to it (phones that type no scheme). */
  HTTP_REDIRECT_PORT: z.coerce.number().int().min(1).max(65535).optional(),
  /** Scheduled ERP mirroring (ERP_SOURCE=mssql): incremental passes and a nightly full pass. */
  ERP_QTY_SYNC_MINUTES: minutes.default(5),
  ERP_ITEM_SYNC_MINUTES: minutes.default(60),
  ERP_FULL_SYNC_AT: timeOfDay.default('02:00'),
  /** The optional adjustment-package writer: the only write the product makes to SQL Server. */
  ERP_WRITEBACK_ENABLED: bool.default(false),
  ERP_WRITEBACK_TABLE: z
    .string()
    .trim()
    .regex(WRITEBACK_TABLE, 'schema.table, letters, digits and _ only')
    .optional(),
  /** How long each startup check may take before it counts as failed. */
  STARTUP_CHECK_TIMEOUT_SECONDS: positiveInt.max(300).default(15),
  IDEMPOTENCY_KEEP_DAYS: positiveInt.min(30, 'at least 30 days (API contract)').default(35),
});

export type Config = z.infer<typeof envSchema> & { dataDir: string };

export class ConfigError extends Error {}

/** Reads and validates the environment; throws ConfigError naming every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // Empty strings mean "unset": shells and compose files often export VAR= by accident.
  const cleaned = Object.fromEntries(
    Object.entries(env).filter(([, v]) => v !== undefined && v !== ''),
  );
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const config = parsed.data;
  if (config.ERP_SOURCE === 'file' && !config.ERP_FILE) {
    throw new ConfigError('Invalid configuration:\n  ERP_FILE: required when ERP_SOURCE=file');
  }
  const problems: string[] = [];
  if (config.ERP_SOURCE === 'mssql' && !config.MSSQL_URL) {
    problems.push('MSSQL_URL: required when ERP_SOURCE=mssql');
  }
  if (config.ERP_MOVEMENTS_FILE && config.ERP_SOURCE !== 'file') {
    problems.push('ERP_MOVEMENTS_FILE: only with ERP_SOURCE=file (the file source reads it)');
  }
  if (config.MSSQL_MOVEMENTS_TABLE && config.MSSQL_MOVEMENTS_QUERY) {
    problems.push(
      'MSSQL_MOVEMENTS_QUERY: use either MSSQL_MOVEMENTS_TABLE or MSSQL_MOVEMENTS_QUERY',
    );
  }
  if (config.MSSQL_MOVEMENTS_WATERMARK_QUERY && !config.MSSQL_MOVEMENTS_QUERY) {
    problems.push('MSSQL_MOVEMENTS_WATERMARK_QUERY: only with MSSQL_MOVEMENTS_QUERY');
  }
  if (Boolean(config.TLS_CERT_FILE) !== Boolean(config.TLS_KEY_FILE)) {
    problems.push(
      config.TLS_CERT_FILE
        ? 'TLS_KEY_FILE: required with TLS_CERT_FILE'
        : 'TLS_CERT_FILE: required with TLS_KEY_FILE',
    );
  }
  if (config.TLS_SELF_SIGNED && config.TLS_CERT_FILE) {
    problems.push('TLS_SELF_SIGNED: use either TLS_CERT_FILE/TLS_KEY_FILE or TLS_SELF_SIGNED=true');
  }
  if (config.HTTP_REDIRECT_PORT !== undefined) {
    if (!config.TLS_CERT_FILE && !config.TLS_SELF_SIGNED)
      problems.push('HTTP_REDIRECT_PORT: only with HTTPS (TLS_CERT_FILE or TLS_SELF_SIGNED)');
    else if (config.HTTP_REDIRECT_PORT === config.PORT)
      problems.push('HTTP_REDIRECT_PORT: must differ from PORT');
  }
  if (config.BENCH_SKIP_READ_MODEL && config.NODE_ENV === 'production') {
    problems.push('BENCH_SKIP_READ_MODEL: a benchmark setting, never with NODE_ENV=production');
  }
  if (config.BENCH_SKIP_SETTLEMENT && config.NODE_ENV === 'production') {
    problems.push('BENCH_SKIP_SETTLEMENT: a benchmark setting, never with NODE_ENV=production');
  }
  if (config.ERP_WRITEBACK_ENABLED) {
    if (config.ERP_SOURCE !== 'mssql')
      problems.push('ERP_WRITEBACK_ENABLED: needs ERP_SOURCE=mssql and MSSQL_URL');
    if (!config.ERP_WRITEBACK_TABLE)
      problems.push('ERP_WRITEBACK_TABLE: required when ERP_WRITEBACK_ENABLED=true');
  }
  if (problems.length > 0) {
    throw new ConfigError(`Invalid configuration:\n${problems.map((p) => `  ${p}`).join('\n')}`);
  }
  // npm runs workspace scripts inside server/; INIT_CWD is where the user typed `npm start`, so a
  // relative DATA_DIR means the folder they expect.
  return { ...config, dataDir: path.resolve(env.INIT_CWD ?? process.cwd(), config.DATA_DIR) };
}
