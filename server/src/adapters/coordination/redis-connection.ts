/**
 * The Redis Coordination adapter's connection: how every command is run, bounded and mapped to
 * `RedisUnavailableError` when Redis does not answer (the failure behaviour described in redis.ts).
 * The job modules beside it (locks, presence, caches, events) run their commands through here.
 */
import { Redis } from 'ioredis';
import { CoordinationUnavailableError } from '../../ports/coordination';
import type { LuaScript } from './redis-scripts';

/** Redis could not be reached or did not answer in time; callers should answer 503 and retry later. */
export class RedisUnavailableError extends CoordinationUnavailableError {
  constructor(cause: unknown) {
    super(`Redis unavailable: ${cause instanceof Error ? cause.message : String(cause)}`, {
      cause,
    });
    this.name = 'RedisUnavailableError';
  }
}

export type ScriptArg = string | number;

export interface RedisConnectionOptions {
  url: string;
  /** Prefix of every key; the probe key lives under it too. */
  prefix: string;
  commandTimeout: number;
  onError: (error: unknown) => void;
}

export interface RedisConnection {
  /** The command connection (never in subscriber mode). */
  readonly client: Redis;
  readonly onError: (error: unknown) => void;
  /** True once `close()` has begun. */
  readonly closed: boolean;
  /**
   * Runs one operation on `connection` (the client or a subscriber made from it), failing at once
   * while Redis is known to be down; maps outages to RedisUnavailableError.
   */
  run<T>(connection: Redis, operation: () => Promise<T>): Promise<T>;
  /** Runs a script by its SHA, sending the source once when the server does not have it yet. */
  evalScript(lua: LuaScript, keyNames: string[], args: ScriptArg[]): Promise<unknown>;
  /** Marks the connection closed (stops the probe), then quits the client. */
  close(): Promise<void>;
}

/** Connects at once; commands fail fast while Redis is known to be down. */
export function createRedisConnection(options: RedisConnectionOptions): RedisConnection {
  const { onError } = options;
  const client = new Redis(options.url, {
    commandTimeout: options.commandTimeout,
    // With the default (20) a command survives 20 reconnect attempts; one is enough to know.
    maxRetriesPerRequest: 1,
    // Reconnect often so recovery is noticed quickly; commands meanwhile fail fast (see `run`).
    retryStrategy: (attempt) => Math.min(attempt * 100, 1000),
  });
  // Without a listener ioredis prints "Unhandled error event" on every reconnect attempt.
  client.on('error', onError);

  let closed = false;

  // Set while Redis is known not to answer on a live connection (CLIENT PAUSE, a stuck server):
  // a probe write runs until Redis takes it, and meanwhile every command fails at once instead of
  // each waiting out `commandTimeout` (issue #7 fault suite: lock endpoints fail fast).
  let probing: Promise<void> | null = null;
  const probeKey = `${options.prefix}probe`;

  function startProbe(): void {
    if (probing || closed) return;
    probing = (async () => {
      // A write, so CLIENT PAUSE WRITE keeps the probe waiting as it keeps the real commands.
      while (!closed) {
        try {
          await client.set(probeKey, '1', 'PX', 10_000);
          return;
        } catch {
          if (client.status !== 'ready') await delay(100);
        }
      }
    })().finally(() => {
      probing = null;
    });
  }

  async function run<T>(connection: Redis, operation: () => Promise<T>): Promise<T> {
    // The offline queue is only useful before the first connect; after a drop, queueing would make
    // lock endpoints wait out the timeout instead of answering 503 now.
    const status = connection.status;
    if (status === 'reconnecting' || status === 'close' || status === 'end') {
      throw new RedisUnavailableError(new Error(`connection is ${status}`));
    }
    if (probing && connection === client) {
      throw new RedisUnavailableError(new Error('not answering (waiting for it to take a write)'));
    }
    try {
      return await operation();
    } catch (error) {
      if (isOutage(error)) {
        if (connection === client && isTimeout(error)) startProbe();
        throw new RedisUnavailableError(error);
      }
      throw error;
    }
  }

  async function evalScript(
    lua: LuaScript,
    keyNames: string[],
    args: ScriptArg[],
  ): Promise<unknown> {
    return run(client, async () => {
      try {
        return await client.evalsha(lua.sha, keyNames.length, ...keyNames, ...args);
      } catch (error) {
        // First use on this server (or after SCRIPT FLUSH): send the source once, cached thereafter.
        if (error instanceof Error && error.message.startsWith('NOSCRIPT')) {
          return await client.eval(lua.source, keyNames.length, ...keyNames, ...args);
        }
        throw error;
      }
    });
  }

  return {
    client,
    onError,
    get closed() {
      return closed;
    },
    run,
    evalScript,
    async close() {
      closed = true;
      await quit(client);
    },
  };
}

/** QUIT lets in-flight replies arrive; when Redis is unreachable that would hang, so disconnect. */
export async function quit(connection: Redis): Promise<void> {
  if (connection.status === 'end') return;
  if (connection.status !== 'ready') {
    connection.disconnect();
    return;
  }
  try {
    await connection.quit();
  } catch {
    connection.disconnect();
  }
}

/** A script's reply as an array of exactly `length` items; anything else is a bug. */
export function tuple(reply: unknown, length: number): unknown[] {
  if (!Array.isArray(reply) || reply.length !== length) {
    throw new TypeError(`Unexpected script reply: ${JSON.stringify(reply)}`);
  }
  return reply;
}

/** MULTI replies come as [error, result] pairs; a null array means the transaction was aborted. */
export function execResults(replies: [Error | null, unknown][] | null): unknown[] {
  if (!replies) throw new Error('Redis transaction aborted');
  return replies.map(([error, result]) => {
    if (error) throw error;
    return result;
  });
}

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** ioredis rejects a command that outlived `commandTimeout` with this message. */
function isTimeout(error: unknown): boolean {
  return error instanceof Error && /timed out/i.test(error.message);
}

/** Replies Redis gives while it cannot serve (starting up, stuck script, mid-failover). */
const TRANSIENT_REPLY = /^(LOADING|BUSY|MASTERDOWN|READONLY|TRYAGAIN)\b/;

/** No answer at all is an outage; so are the transient replies. Any other reply is a bug to surface. */
function isOutage(error: unknown): boolean {
  if (!(error instanceof Error) || error.name !== 'ReplyError') return true;
  return TRANSIENT_REPLY.test(error.message);
}
