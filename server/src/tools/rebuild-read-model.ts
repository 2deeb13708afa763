/**
 * Recomputes the read model of sessions from their count lines (issue #13):
 *
 *   npm run read-model:rebuild -- <session-id> [<session-id>…]   those sessions
 *   npm run read-model:rebuild -- --all                           every session
 *
 * The model is kept in the same transaction as every line write, so this is never needed in
 * normal running; it is the repair for a model suspected wrong (a restored backup, a hand edit).
 * Each session is rebuilt in one transaction, so it may run while the server runs. It reads the
 * server's settings (DATA_DIR, or MONGODB_URI / MONGODB_DB). Items of sessions with an ERP
 * watermark get their expected at count computed before it ends (design §13). Exit codes: 0 done, 1 an unknown
 * session or no data, 2 usage or configuration error.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createMongoStore } from '../adapters/store/mongodb';
import { createSqliteStore } from '../adapters/store/sqlite';
import { ConfigError, loadConfig, type Config } from '../config';
import type { Store } from '../ports/store';
import { createAtCountUpkeep } from '../modules/movements/at-count-upkeep';

const USAGE = `Usage:
  npm run read-model:rebuild -- <session-id> [<session-id>…]   rebuild those sessions
  npm run read-model:rebuild -- --all                           rebuild every session
Settings are the server's: DATA_DIR (embedded store) or MONGODB_URI.`;

export interface ToolOutput {
  out: (line: string) => void;
  err: (line: string) => void;
}

/** The server's store for these settings (deps.ts builds the same one). */
function sqliteFile(config: Config): string {
  return path.join(config.dataDir, 'stockverify.db');
}

function openStore(config: Config): Store {
  return config.MONGODB_URI
    ? createMongoStore({
        uri: config.MONGODB_URI,
        dbName: config.MONGODB_DB,
        idempotencyKeepDays: config.IDEMPOTENCY_KEEP_DAYS,
      })
    : createSqliteStore({ file: sqliteFile(config) });
}

const consoleOutput: ToolOutput = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

/** Runs the tool; resolves with the process exit code. */
export async function runRebuildTool(
  argv: string[],
  env: NodeJS.ProcessEnv = process.env,
  io: ToolOutput = consoleOutput,
): Promise<number> {
  const all = argv.length === 1 && argv[0] === '--all';
  const ids = all ? [] : argv.filter((a) => a.trim() !== '');
  if ((!all && ids.length === 0) || ids.some((id) => id.startsWith('-'))) {
    io.err(
      argv.length > 0 && !['help', '--help', '-h'].includes(argv[0]!)
        ? `Unknown arguments: ${argv.join(' ')}\n${USAGE}`
        : USAGE,
    );
    return 2;
  }
  let config: Config;
  try {
    config = loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) {
      io.err(err.message);
      return 2;
    }
    throw err;
  }
  // Never create an empty store: a typo in DATA_DIR must not look like "nothing to rebuild".
  if (!config.MONGODB_URI && !fs.existsSync(sqliteFile(config))) {
    io.err(`No Stock Verify data at ${sqliteFile(config)}. Run this with the server's DATA_DIR.`);
    return 1;
  }
  const store = openStore(config);
  try {
    await store.init();
    // A rebuild marks every item of a session with an ERP watermark for its expected at count
    // (docs/design.md §13); the drain computes them here rather than leave them to the server.
    const atCount = createAtCountUpkeep({
      store,
      log: { warn: (obj, msg) => io.err(`${msg} ${JSON.stringify(obj)}`) },
    });
    if (all) {
      const started = Date.now();
      const n = await store.readModel.rebuildAll();
      const items = await atCount.drain(Number.MAX_SAFE_INTEGER);
      io.out(
        `Rebuilt the read model of ${n} session(s) (expected at count of ${items} item(s)) in ${Date.now() - started} ms.`,
      );
      return 0;
    }
    let code = 0;
    for (const id of ids) {
      if (!(await store.sessions.get(id))) {
        io.err(`No session ${id}.`);
        code = 1;
        continue;
      }
      const started = Date.now();
      await store.readModel.rebuild(id);
      await atCount.drain(Number.MAX_SAFE_INTEGER);
      const figures = await store.readModel.session(id);
      io.out(
        `Rebuilt session ${id}: ${figures.lines} line(s), ${figures.items_counted} item(s), ` +
          `in ${Date.now() - started} ms.`,
      );
    }
    return code;
  } finally {
    await store.close();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  runRebuildTool(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`Failed: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    },
  );
}
