/**
 * The real entry point (src/main.ts) as a child process, for tests and benchmarks that need
 * several API processes sharing one data dir and one Redis (design §3 scale-out), or one to kill.
 */
import type { ChildProcess } from 'node:child_process';
import {
  spawnMain,
  waitForOutput,
  type MainProcess,
} from '../../../shared/test-support/main-process';

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

/** main.ts with the process tests' settings (loopback, any free port, demo ERP, known secrets). */
export function spawnApiProcess(env: Record<string, string>): MainProcess {
  return spawnMain({
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    ERP_SOURCE: 'demo',
    DEMO_ITEM_COUNT: '300',
    JWT_SECRET: PROCESS_JWT_SECRET,
    STOCKVERIFY_ADMIN_PASSWORD: PROCESS_ADMIN_PASSWORD,
    ...env,
  });
}

/** Starts main.ts on a free loopback port; resolves once it listens (rejects after 60 s or on exit). */
export async function startApiProcess(env: Record<string, string>): Promise<ApiProcess> {
  const started = spawnApiProcess(env);
  const [, url] = await waitForOutput(started);
  const { child, output, stop, kill } = started;
  return { url: url!, child, output, stop, kill };
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
