/** Starts the real server as a child process for the console's end-to-end test (DESIGN §8). */
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const DESKTOP_DIR = path.join(REPO_ROOT, 'desktop');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full) : statSync(full).mtimeMs);
  }
  return newest;
}

/** CI builds before testing; locally a missing or stale console build is rebuilt here. */
export function ensureConsoleBuilt(): void {
  let built: number;
  try {
    built = statSync(path.join(DESKTOP_DIR, 'dist', 'renderer', 'index.html')).mtimeMs;
  } catch {
    built = 0;
  }
  const sources = Math.max(
    newestMtime(path.join(DESKTOP_DIR, 'src', 'renderer')),
    newestMtime(path.join(REPO_ROOT, 'shared', 'src')),
    statSync(path.join(DESKTOP_DIR, 'vite.config.ts')).mtimeMs,
  );
  if (built > sources) return;
  const result = spawnSync('npx', ['vite', 'build'], { cwd: DESKTOP_DIR, stdio: 'pipe' });
  if (result.status !== 0) throw new Error(`console build failed:\n${String(result.stderr)}`);
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

/** The real server (`server/src/main.ts`) on a loopback port, a temp data dir, a small demo ERP. */
export async function startServer(): Promise<RunningServer> {
  const port = await freePort();
  const dataDir = mkdtempSync(path.join(tmpdir(), 'sv-console-e2e-'));
  const adminPassword = 'console-e2e-admin-1';
  const { REDIS_URL: _r, MONGODB_URI: _m, MSSQL_URL: _s, ...inherited } = process.env;
  const child: ChildProcess = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(REPO_ROOT, 'server/src/main.ts')],
    {
      cwd: REPO_ROOT,
      env: {
        ...inherited,
        PORT: String(port),
        HOST: '127.0.0.1',
        DATA_DIR: dataDir,
        STOCKVERIFY_ADMIN_PASSWORD: adminPassword,
        DEMO_ITEM_COUNT: '300',
        LOG_LEVEL: 'warn',
        NODE_ENV: 'test',
        TZ: 'UTC',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), 45_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Stock Verify listening on http://')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${output}`));
    });
  });
  return {
    url: `http://127.0.0.1:${port}`,
    adminPassword,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A JSON client for arranging data through the API. */
export function api(baseUrl: string) {
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
      const tokens = await call<{ access_token: string }>('POST', '/auth/login', null, {
        username,
        password,
      });
      return tokens.access_token;
    },
  };
}
