/**
 * A small circuit breaker (design §5): after `failureThreshold` failures in a row the circuit
 * opens and calls fail at once for `openMs`; then one trial call decides whether it closes again.
 * Each call also gets a timeout so a hanging dependency counts as a failure instead of piling up.
 */

export class CircuitOpenError extends Error {
  constructor(
    readonly dependency: string,
    readonly retryAfterMs: number,
  ) {
    super(`${dependency} is unavailable (circuit open)`);
    this.name = 'CircuitOpenError';
  }
}

export class TimeoutError extends Error {
  constructor(dependency: string, ms: number) {
    super(`${dependency} did not answer within ${ms} ms`);
    this.name = 'TimeoutError';
  }
}

export interface CircuitBreakerOptions {
  name: string;
  failureThreshold?: number;
  openMs?: number;
  timeoutMs?: number;
  now?: () => number;
  /**
   * Which errors mean the dependency is failing. Others (a client's bad request surfacing as an
   * error) pass through without counting, so one misbehaving client cannot open the circuit for all.
   */
  isFailure?: (err: unknown) => boolean;
}

export type CircuitState = 'closed' | 'open' | 'half-open';

export type CircuitBreaker = ReturnType<typeof createCircuitBreaker>;

/** Wraps calls to one dependency. */
export function createCircuitBreaker(options: CircuitBreakerOptions) {
  const {
    name,
    failureThreshold = 5,
    openMs = 30_000,
    timeoutMs = 5_000,
    now = Date.now,
    isFailure = () => true,
  } = options;
  let failures = 0;
  let openedAt: number | null = null;
  let trialInFlight = false;
  let lastError: string | null = null;

  function state(): CircuitState {
    if (openedAt === null) return 'closed';
    return now() - openedAt >= openMs ? 'half-open' : 'open';
  }

  function withTimeout<T>(work: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new TimeoutError(name, timeoutMs)), timeoutMs);
      timer.unref();
    });
    return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
  }

  return {
    name,
    state,
    lastError: () => lastError,
    /** Runs `fn` through the breaker; throws CircuitOpenError without calling it while open. */
    async call<T>(fn: () => Promise<T>): Promise<T> {
      const current = state();
      if (current === 'open' || (current === 'half-open' && trialInFlight)) {
        throw new CircuitOpenError(name, Math.max(0, openMs - (now() - (openedAt ?? now()))));
      }
      const trial = current === 'half-open';
      if (trial) trialInFlight = true;
      try {
        const result = await withTimeout(fn());
        failures = 0;
        openedAt = null;
        return result;
      } catch (err) {
        if (!(err instanceof TimeoutError) && !isFailure(err)) {
          // The dependency answered; the caller was wrong. That is a success for the circuit.
          failures = 0;
          openedAt = null;
          throw err;
        }
        lastError = err instanceof Error ? err.message : String(err);
        failures++;
        if (trial || failures >= failureThreshold) openedAt = now();
        throw err;
      } finally {
        if (trial) trialInFlight = false;
      }
    },
  };
}

const FAILED_IN = Symbol('failed in dependency');

/** Marks `err` as thrown by `dependency` (non-objects are wrapped in an Error first). */
function markFailure(err: unknown, dependency: string): unknown {
  const error = typeof err === 'object' && err !== null ? err : new Error(String(err));
  if (Object.isExtensible(error) && !(FAILED_IN in error)) {
    Object.defineProperty(error, FAILED_IN, { value: dependency, enumerable: false });
  }
  return error;
}

/** Whether `err` was thrown (or rejected) by a call into `dependency` wrapped by `markFailures`. */
export function failedIn(err: unknown, dependency: string): boolean {
  return (
    typeof err === 'object' &&
    err !== null &&
    (err as { [FAILED_IN]?: string })[FAILED_IN] === dependency
  );
}

/**
 * A view of an adapter (and of every object under it, e.g. a store's repositories) whose methods
 * mark what they throw or reject with as a failure of `dependency`. A breaker around a handler
 * then counts only what the dependency itself threw (`isFailure: (e) => failedIn(e, name)`), not
 * a bug or a hostile input blowing up in the handler (issue #12: a RangeError from hashing a
 * 50,000-deep body opened the store circuit for every user).
 */
export function markFailures<T extends object>(target: T, dependency: string): T {
  const views = new WeakMap<object, unknown>();
  const view = <U extends object>(obj: U): U => {
    const known = views.get(obj);
    if (known) return known as U;
    const proxy = new Proxy(obj, {
      get(inner, prop, receiver) {
        const value: unknown = Reflect.get(inner, prop, receiver);
        if (typeof value === 'function') {
          const fn = value as (...args: unknown[]) => unknown;
          return (...args: unknown[]) => {
            let out: unknown;
            try {
              out = fn.apply(inner, args);
            } catch (err) {
              throw markFailure(err, dependency);
            }
            if (out instanceof Promise) {
              return out.catch((err: unknown) => {
                throw markFailure(err, dependency);
              });
            }
            return out;
          };
        }
        if (typeof value === 'object' && value !== null) return view(value);
        return value;
      },
    });
    views.set(obj, proxy);
    return proxy;
  };
  return view(target);
}
