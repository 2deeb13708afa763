/**
 * A throw-away redis-server on a free loopback port, for tests that must do things to Redis no
 * other test may see (CLIENT PAUSE, FLUSHALL): the Redis at REDIS_URL is shared by every suite
 * running at the same time. Needs `redis-server` on PATH (.ci/run installs it); suites using it
 * guard with `requireBinary('redis-server')` (shared/test-support/requires.ts), which leaves them
 * out, naming the install command, where it is missing.
 */
import { spawn } from 'node:child_process';
import net from 'node:net';
import { Redis } from 'ioredis';

export interface ThrowAwayRedis {
  url: string;
  /** A fresh connection of its own (the caller closes it). */
  connect(): Redis;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Starts redis-server (no persistence) and resolves once it answers PING (10 s at most). */
export async function startThrowAwayRedis(): Promise<ThrowAwayRedis> {
  const port = await freePort();
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  // 'close' follows both an exit and a failed spawn (ENOENT, EACCES), which emits no 'exit'.
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  let spawnFailed = false;
  child.once('error', (err) => {
    spawnFailed = true;
    output += String(err);
  });
  const url = `redis://127.0.0.1:${port}`;
  const deadline = Date.now() + 10_000;
  for (;;) {
    const probe = new Redis(url, {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    probe.on('error', () => {});
    try {
      await probe.connect();
      await probe.ping();
      probe.disconnect();
      break;
    } catch {
      probe.disconnect();
      if (spawnFailed || child.exitCode !== null || Date.now() > deadline) {
        if (child.exitCode === null && !spawnFailed) child.kill('SIGKILL');
        throw new Error(`redis-server did not start on port ${port}: ${output}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return {
    url,
    connect: () => new Redis(url),
    async stop() {
      if (child.exitCode === null && !spawnFailed) child.kill('SIGKILL');
      await exited;
    },
  };
}
