/**
 * Configuration: one zod schema over the environment, read once at start (DESIGN §9). A bad value
 * stops the process with a message naming the variable.
 */
import path from 'node:path';
import { z } from 'zod';
import { parseOrigin } from './http/console-cors';

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
  MONGODB_URI: z.string().min(1).optional(),
  MONGODB_DB: z.string().min(1).default('stockverify'),
  REDIS_URL: z.string().min(1).optional(),
  MSSQL_URL: z.string().min(1).optional(),
  MSSQL_ITEM_QUERY: z.string().min(1).optional(),
  MSSQL_WAREHOUSE_QUERY: z.string().min(1).optional(),
  MSSQL_COLUMN_MAP: z.string().min(1).optional(),
  ACCESS_TOKEN_EXPIRE_MINUTES: positiveInt.max(15, 'at most 15 (DESIGN §6)').default(15),
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
  TRUST_PROXY: z.string().default('loopback'),
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
  if (config.ERP_SOURCE === 'mssql' && !config.MSSQL_URL) {
    throw new ConfigError('Invalid configuration:\n  MSSQL_URL: required when ERP_SOURCE=mssql');
  }
  // npm runs workspace scripts inside server/; INIT_CWD is where the user typed `npm start`, so a
  // relative DATA_DIR means the folder they expect.
  return { ...config, dataDir: path.resolve(env.INIT_CWD ?? process.cwd(), config.DATA_DIR) };
}
