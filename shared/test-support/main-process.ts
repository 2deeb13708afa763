/**
 * The one way tests start the server's real entry point (server/src/main.ts) in a child process
 * (issue #15 point 8): the end-to-end server (real-server.ts), the multi-process helper
 * (server/test/support/api-process.ts) and the process tests all spawn it here and wait for its
 * "listening on" line here.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const SERVER_DIR = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../server',
);
const MAIN = path.join(SERVER_DIR, 'src/main.ts');

export interface MainProcess {
  child: ChildProcess;
  /** stdout and stderr as they arrived, interleaved. */
  output: () => string;
  stdout: () => string;
  stderr: () => string;
  /** Resolves with the exit code once the process is gone. */
  exited: Promise<number | null>;
  /** SIGTERM (graceful shutdown) unless already gone; resolves with the exit code. */
  stop: () => Promise<number | null>;
  /** SIGKILL: no shutdown at all; resolves once the process is gone. */
  kill: () => Promise<void>;
}

export interface SpawnMainOptions {
  /** The environment to start from (default: this process's); `env` is laid over it. */
  baseEnv?: NodeJS.ProcessEnv;
  /** Working directory (default: server/). */
  cwd?: string;
}

/**
 * Spawns `node --import tsx server/src/main.ts` with `env` over the base environment. Node flags
 * NODE_OPTIONS refuses (`--cpu-prof`, `--cpu-prof-dir=…`) go in `STOCKVERIFY_MAIN_NODE_ARGS`
 * (space-separated), e.g. to profile the API under a benchmark.
 */
export function spawnMain(
  env: Record<string, string>,
  options: SpawnMainOptions = {},
): MainProcess {
  const nodeArgs = (process.env.STOCKVERIFY_MAIN_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', MAIN], {
    cwd: options.cwd ?? SERVER_DIR,
    env: { ...(options.baseEnv ?? process.env), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let all = '';
  let out = '';
  let err = '';
  child.stdout!.on('data', (c: Buffer) => {
    out += c.toString();
    all += c.toString();
  });
  child.stderr!.on('data', (c: Buffer) => {
    err += c.toString();
    all += c.toString();
  });
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  const running = () => child.exitCode === null && child.signalCode === null;
  return {
    child,
    output: () => all,
    stdout: () => out,
    stderr: () => err,
    exited,
    stop: async () => {
      if (running()) child.kill('SIGTERM');
      return exited;
    },
    kill: async () => {
      if (running()) child.kill('SIGKILL');
      await exited;
    },
  };
}

/**
 * Resolves with the first match of `pattern` in the process's output (by default its
 * "listening on <url>" line, the URL in group 1); rejects when it exits first, or kills it and
 * rejects after `ms`.
 */
export function waitForOutput(
  started: MainProcess,
  pattern: RegExp = /listening on (https?:\/\/\S+)/,
  ms = 60_000,
): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    const deadline = setTimeout(() => {
      clearInterval(poll);
      started.child.kill('SIGKILL');
      reject(new Error(`main did not print ${pattern} within ${ms / 1000} s: ${started.output()}`));
    }, ms);
    const poll = setInterval(() => {
      const match = pattern.exec(started.output());
      if (!match) return;
      clearInterval(poll);
      clearTimeout(deadline);
      resolve(match);
    }, 50);
    void started.exited.then((code) => {
      clearInterval(poll);
      clearTimeout(deadline);
      reject(new Error(`main exited with ${code}: ${started.output()}`));
    });
  });
}

/** Spawns main.ts and waits until it listens: the process and its URL. */
export async function startMain(
  env: Record<string, string>,
  options: SpawnMainOptions & { ms?: number; pattern?: RegExp } = {},
): Promise<MainProcess & { url: string }> {
  const started = spawnMain(env, options);
  const match = await waitForOutput(started, options.pattern, options.ms);
  return { ...started, url: match[1] ?? '' };
}
