import { describe, expect, it } from 'vitest';
import { CircuitOpenError, TimeoutError, createCircuitBreaker } from './circuit-breaker';

describe('circuit breaker', () => {
  it('opens after the threshold, fails fast, then closes after a good trial', async () => {
    let t = 0;
    const breaker = createCircuitBreaker({
      name: 'erp',
      failureThreshold: 2,
      openMs: 1000,
      now: () => t,
    });
    const fail = () => Promise.reject(new Error('down'));
    await expect(breaker.call(fail)).rejects.toThrow('down');
    expect(breaker.state()).toBe('closed');
    await expect(breaker.call(fail)).rejects.toThrow('down');
    expect(breaker.state()).toBe('open');
    let called = false;
    await expect(
      breaker.call(async () => {
        called = true;
      }),
    ).rejects.toBeInstanceOf(CircuitOpenError);
    expect(called).toBe(false);
    t = 1000;
    expect(breaker.state()).toBe('half-open');
    await expect(breaker.call(async () => 42)).resolves.toBe(42);
    expect(breaker.state()).toBe('closed');
    expect(breaker.lastError()).toBe('down');
  });

  it('a failed trial opens the circuit again at once', async () => {
    let t = 0;
    const breaker = createCircuitBreaker({
      name: 'erp',
      failureThreshold: 1,
      openMs: 100,
      now: () => t,
    });
    await expect(breaker.call(() => Promise.reject(new Error('x')))).rejects.toThrow();
    t = 100;
    await expect(breaker.call(() => Promise.reject(new Error('still')))).rejects.toThrow('still');
    expect(breaker.state()).toBe('open');
  });

  it('a call slower than the timeout fails as a TimeoutError', async () => {
    const breaker = createCircuitBreaker({ name: 'slow', timeoutMs: 20 });
    await expect(breaker.call(() => new Promise((r) => setTimeout(r, 200)))).rejects.toBeInstanceOf(
      TimeoutError,
    );
  });

  it('does not count errors the caller made', async () => {
    const breaker = createCircuitBreaker({
      name: 'store',
      failureThreshold: 1,
      isFailure: (err) => !(err instanceof RangeError),
    });
    await expect(breaker.call(() => Promise.reject(new RangeError('bad input')))).rejects.toThrow(
      RangeError,
    );
    await expect(breaker.call(() => Promise.reject(new RangeError('bad input')))).rejects.toThrow(
      RangeError,
    );
    expect(breaker.state()).toBe('closed');
    await expect(breaker.call(() => Promise.reject(new Error('disk')))).rejects.toThrow('disk');
    expect(breaker.state()).toBe('open');
  });
});
