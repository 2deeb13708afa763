/**
 * A small circuit breaker (DESIGN §5): after `failureThreshold` failures in a row the circuit
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
