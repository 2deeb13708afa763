/**
 * The real entry point (src/main.ts) as a child process, for tests and benchmarks that need
 * several API processes sharing one data dir and one Redis (DESIGN §3 scale-out), or one to kill.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const serverDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export const PROCESS_ADMIN_PASSWORD = 'api-process-admin-password';
export const PROCESS_JWT_SECRET = 'api-process-jwt-secret-0123456789-abcdefghij';

export interface ApiProcess {
  url: string;
  child: ChildProcess;
  output: () => string;
  /** SIGTERM (graceful shutdown); resolves with the exit code. */
  stop: () => Promise<number | null>;
  /** SIGKILL: no shutdown at all; resolves once the process is gone. */
  kill: () => Promise<void>;
}

/** Starts main.ts on a free loopback port; resolves once it listens (rejects after 60 s or on exit). */
export function startApiProcess(env: Record<string, string>): Promise<ApiProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: serverDir,
    env: {
      ...process.env,
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      ERP_SOURCE: 'demo',
      DEMO_ITEM_COUNT: '300',
      JWT_SECRET: PROCESS_JWT_SECRET,
      STOCKVERIFY_ADMIN_PASSWORD: PROCESS_ADMIN_PASSWORD,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  return new Promise((resolve, reject) => {
    const deadline = setTimeout(() => {
      clearInterval(poll);
      child.kill('SIGKILL');
      reject(new Error(`main did not listen within 60 s: ${out}`));
    }, 60_000);
    const poll = setInterval(() => {
      const match = /listening on (http:\/\/\S+)/.exec(out);
      if (!match) return;
      clearInterval(poll);
      clearTimeout(deadline);
      resolve({
        url: match[1]!,
        child,
        output: () => out,
        stop: async () => {
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
          return exited;
        },
        kill: async () => {
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
          await exited;
        },
      });
    }, 50);
    void exited.then((code) => {
      clearInterval(poll);
      clearTimeout(deadline);
      reject(new Error(`main exited with ${code}: ${out}`));
    });
  });
}

interface Envelope<T> {
  success: boolean;
  data: T;
  error: { code: string; message: string; [k: string]: unknown } | null;
}

/** One JSON call with a 10 s bound; throws on a non-JSON answer. */
export async function callApi<T>(
  base: string,
  method: string,
  url: string,
  token?: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Headers; body: Envelope<T> }> {
  const all: Record<string, string> = { ...headers };
  if (token) all.authorization = `Bearer ${token}`;
  if (body !== undefined) all['content-type'] = 'application/json';
  const res = await fetch(base + url, {
    method,
    headers: all,
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Envelope<T> };
}

/** Signs in with a password and returns the access token. */
export async function loginApi(base: string, username: string, password: string): Promise<string> {
  const res = await callApi<{ access_token: string }>(base, 'POST', '/api/auth/login', undefined, {
    username,
    password,
  });
  if (res.status !== 200) throw new Error(`login ${username}: ${JSON.stringify(res.body)}`);
  return res.body.data.access_token;
}

/** Waits until the first process has mirrored the demo ERP (so a second one starts on it). */
export async function waitForErpMirror(base: string, adminToken: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const status = await callApi<{ last_success_at: string | null }>(
      base,
      'GET',
      '/api/erp/status',
      adminToken,
    );
    if (status.body.data?.last_success_at) return;
    if (Date.now() > deadline)
      throw new Error(`ERP mirror not done: ${JSON.stringify(status.body)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
