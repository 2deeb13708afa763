/**
 * Test support shared by the front ends' end-to-end tests and benchmarks (design §8): the real
 * server (`server/src/main.ts`) in a child process on loopback, a fresh build of a front end when
 * its sources are newer, and a small JSON client to arrange data through the API. Apps never
 * import one another, so this lives beside `shared`, outside its published `exports`; it spawns the
 * server by path and imports nothing from any app.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnMain, waitForOutput } from './main-process';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

function newestMtime(target: string): number {
  if (!statSync(target).isDirectory()) return statSync(target).mtimeMs;
  let newest = 0;
  for (const entry of readdirSync(target)) {
    newest = Math.max(newest, newestMtime(path.join(target, entry)));
  }
  return newest;
}

/**
 * CI builds before testing; locally a missing build, or one older than any of `sources` (paths
 * from the repository root), is rebuilt with `npm run build -w <workspace>`. The build runs with
 * `NODE_ENV=production`: vitest sets `test`, which would give a development React build.
 */
export function ensureBuilt(workspace: string, output: string, sources: readonly string[]): void {
  const index = path.join(REPO_ROOT, output);
  const fresh = () => {
    const built = existsSync(index) ? statSync(index).mtimeMs : 0;
    return built > Math.max(...sources.map((s) => newestMtime(path.join(REPO_ROOT, s))));
  };
  if (fresh()) return;
  // Several test files (in parallel workers) may find the same build stale: one builds, the
  // others wait for it and then find it fresh, instead of writing one dist folder at once.
  withLock(
    path.join(REPO_ROOT, 'node_modules/.cache', `stockverify-build-${workspace}.lock`),
    () => {
      if (fresh()) return;
      const result = spawnSync('npm', ['run', 'build', '-w', workspace], {
        cwd: REPO_ROOT,
        stdio: 'pipe',
        env: { ...process.env, NODE_ENV: 'production' },
      });
      if (result.status !== 0)
        throw new Error(`${workspace} build failed:\n${String(result.stderr)}`);
    },
  );
}

/**
 * Runs `work` holding a lock directory (mkdir is atomic) shared by every process on the machine;
 * waits for another holder up to `waitMs`. A lock older than that is from a killed run and taken.
 */
export function withLock<T>(lock: string, work: () => T, waitMs = 10 * 60_000): T {
  mkdirSync(path.dirname(lock), { recursive: true });
  const deadline = Date.now() + waitMs;
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const age = existsSync(lock) ? Date.now() - statSync(lock).mtimeMs : 0;
      if (age > waitMs) rmSync(lock, { recursive: true, force: true });
      else if (Date.now() > deadline)
        throw new Error(`${lock} still held after ${waitMs} ms`, { cause: err });
      else Atomics.wait(pause, 0, 0, 100);
    }
  }
  try {
    return work();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

export interface RunningServer {
  url: string;
  adminPassword: string;
  stop(): Promise<void>;
}

/**
 * Starts the real server on a free loopback port with a temporary data dir and a small demo item
 * master, on the embedded default (SQLite, in-process coordination) unless `env` says otherwise,
 * and waits until it listens. It serves the built PWA at `/` and the console at `/console`.
 */
export async function startServer(env: Record<string, string> = {}): Promise<RunningServer> {
  const port = await freePort();
  const dataDir = mkdtempSync(path.join(tmpdir(), 'sv-e2e-'));
  const adminPassword = 'e2e-admin-password-1';
  const { REDIS_URL: _redis, MONGODB_URI: _mongo, MSSQL_URL: _mssql, ...inherited } = process.env;
  const child = spawnMain(
    {
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      STOCKVERIFY_ADMIN_PASSWORD: adminPassword,
      DEMO_ITEM_COUNT: '400',
      LOG_LEVEL: 'warn',
      NODE_ENV: 'test',
      TZ: 'UTC',
      ...env,
    },
    { baseEnv: inherited, cwd: REPO_ROOT },
  );
  await waitForOutput(child, /Stock Verify listening/, 45_000);
  return {
    url: `http://127.0.0.1:${port}`,
    adminPassword,
    async stop() {
      await child.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A small JSON client for arranging data through the API, as a supervisor or admin would. */
export function apiClient(baseUrl: string) {
  async function call<T>(method: string, p: string, token: string | null, body?: unknown) {
    const response = await fetch(`${baseUrl}/api${p}`, {
      method,
      headers: {
        'Content-Type': 'application/json',
        ...(token ? { Authorization: `Bearer ${token}` } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = (await response.json()) as { success: boolean; data: T; error: unknown };
    if (!response.ok) {
      throw new Error(`${method} ${p} → ${response.status} ${JSON.stringify(json.error)}`);
    }
    return json.data;
  }
  return {
    call,
    async login(username: string, password: string): Promise<string> {
      return (
        await call<{ access_token: string }>('POST', '/auth/login', null, { username, password })
      ).access_token;
    },
  };
}

/** Polls `probe` every 200 ms until it answers non-null (a throw counts as not yet). */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | null>,
  ms = 20_000,
): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = await probe().catch(() => null);
    if (value !== null) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
