/**
 * Account recovery from the command line, for when no admin can sign in (issue #11, #12):
 *
 *   npm run admin -- reset-password <username>   a new random password, printed once; the
 *                                                 lockout is cleared and every sign-in ended
 *   npm run admin -- unlock <username>            clears a PIN / password lockout
 *
 * It reads the same settings as the server (DATA_DIR for the embedded SQLite store, or
 * MONGODB_URI / MONGODB_DB) and may run while the server is running: SQLite waits for the
 * server's write lock (busy_timeout) instead of failing. Each action is audited with actor `cli`.
 * Exit codes: 0 done, 1 nothing done (unknown user, no data), 2 usage or configuration error.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError, loadConfig, type Config } from '../config';
import { buildStore, sqliteFile } from '../deps';
import { createAuditLog, type Actor } from '../modules/audit/audit-log';
import { createUsersService } from '../modules/users/users.service';

const USAGE = `Usage:
  npm run admin -- reset-password <username>   print a new random password (shown once),
                                               clear the lockout, end every sign-in
  npm run admin -- unlock <username>           clear a PIN / password lockout
Settings are the server's: DATA_DIR (embedded store) or MONGODB_URI.`;

export interface ToolOutput {
  out: (line: string) => void;
  err: (line: string) => void;
}

const consoleOutput: ToolOutput = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

/** Runs one command; resolves with the process exit code. */
export async function runAdminTool(
  argv: string[],
  env: NodeJS.ProcessEnv = process.env,
  io: ToolOutput = consoleOutput,
): Promise<number> {
  const [command, username, ...extra] = argv;
  if ((command !== 'reset-password' && command !== 'unlock') || !username || extra.length > 0) {
    io.err(
      command && !['help', '--help', '-h'].includes(command)
        ? `Unknown command or arguments: ${argv.join(' ')}\n${USAGE}`
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
  const where = config.MONGODB_URI
    ? `MongoDB database ${config.MONGODB_DB}`
    : `the embedded store ${sqliteFile(config)}`;
  // Never create an empty store: a typo in DATA_DIR must not look like "no such user".
  if (!config.MONGODB_URI && !fs.existsSync(sqliteFile(config))) {
    io.err(
      `No Stock Verify data at ${sqliteFile(config)}. Run this with the DATA_DIR the server uses ` +
        `(or MONGODB_URI), from the folder where you run npm start.`,
    );
    return 1;
  }

  const store = buildStore(config);
  try {
    await store.init();
    const name = username.trim().toLowerCase();
    const user = await store.users.getByUsername(name);
    if (!user) {
      const admins = await store.users.list({ page: 1, page_size: 20, role: 'admin' });
      io.err(
        `No user "${name}" in ${where}. ` +
          (admins.total > 0
            ? `Admins there: ${admins.items.map((u) => u.username).join(', ')}.`
            : 'It has no admin yet: start the server once to create one.'),
      );
      return 1;
    }
    const clock = () => new Date();
    const users = createUsersService(store, createAuditLog(store, clock), clock);
    const actor: Actor = { id: 'cli', username: `cli:${osUser()}`, role: 'admin' };
    const meta = { request_id: null, ip: null };
    if (command === 'unlock') {
      const after = await users.unlock(actor, meta, user.id);
      io.out(`Unlocked "${after.username}" (${after.role}) in ${where}.`);
    } else {
      const reset = await users.resetPassword(actor, meta, user.id);
      io.out(`Password of "${reset.user.username}" (${reset.user.role}) reset in ${where}.`);
      io.out(`Lockout cleared; ${reset.sessions_ended} sign-in(s) ended.`);
      io.out('');
      io.out(`  New password (shown only this once): ${reset.password}`);
      io.out('');
      io.out('Sign in with it; to choose your own password, use PUT /api/auth/me/password.');
    }
    if (!user.active)
      io.err(
        `Note: "${user.username}" is disabled; an admin must enable it before it can sign in.`,
      );
    return 0;
  } finally {
    await store.close();
  }
}

function osUser(): string {
  try {
    return os.userInfo().username;
  } catch {
    return 'unknown';
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  runAdminTool(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`Failed: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    },
  );
}
