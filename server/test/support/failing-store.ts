/**
 * A Store adapter that wraps a real one and makes a share of its writes fail (issue #7 fault
 * suite): half of the failures throw before the write reaches the store, half after it was
 * committed (the acknowledgement is lost), which is the harder case for exactly-once.
 */
import { mulberry32 } from '../../src/lib/mulberry32';
import type { Store } from '../../src/ports/store';

/** The writes on the sync path, per repository. */
const SYNC_WRITES: Partial<Record<keyof Store, readonly string[]>> = {
  lines: ['insert', 'insertMany'],
  results: ['putIfAbsent', 'putManyIfAbsent'],
  idempotency: ['putIfAbsent'],
  conflicts: ['insertIfAbsent'],
  unknownItems: ['insertIfAbsent'],
};

export interface FailingStoreStats {
  calls: number;
  failedBefore: number;
  failedAfter: number;
}

export class InjectedStoreFailure extends Error {
  constructor(method: string, when: 'before' | 'after') {
    super(`injected store failure ${when} ${method}`);
    this.name = 'InjectedStoreFailure';
  }
}

/** Deterministic pseudo-random numbers in [0, 1) (mulberry32), so a failing run can be replayed. */
export const seededRandom: (seed: number) => () => number = mulberry32;

/** Wraps `store`; while `enabled()` holds, each sync-path write fails with probability `rate`. */
export function withFailingWrites(
  store: Store,
  options: { rate: number; random: () => number; enabled: () => boolean },
): { store: Store; stats: FailingStoreStats } {
  const stats: FailingStoreStats = { calls: 0, failedBefore: 0, failedAfter: 0 };
  const wrapped = new Map<string, unknown>();

  function wrapRepo(name: string, repo: object, methods: readonly string[]): object {
    return new Proxy(repo, {
      get(target, prop, receiver) {
        const value: unknown = Reflect.get(target, prop, receiver);
        if (typeof value !== 'function') return value;
        const method = value as (...args: unknown[]) => Promise<unknown>;
        if (typeof prop !== 'string' || !methods.includes(prop)) return method.bind(target);
        return async (...args: unknown[]) => {
          if (!options.enabled()) return method.apply(target, args);
          stats.calls++;
          const roll = options.random();
          if (roll < options.rate / 2) {
            stats.failedBefore++;
            throw new InjectedStoreFailure(`${name}.${prop}`, 'before');
          }
          const result = await method.apply(target, args);
          if (roll < options.rate) {
            stats.failedAfter++;
            throw new InjectedStoreFailure(`${name}.${prop}`, 'after');
          }
          return result;
        };
      },
    });
  }

  const proxy = new Proxy(store, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      const methods = typeof prop === 'string' ? SYNC_WRITES[prop as keyof Store] : undefined;
      if (methods && typeof value === 'object' && value !== null) {
        if (!wrapped.has(prop as string))
          wrapped.set(prop as string, wrapRepo(prop as string, value, methods));
        return wrapped.get(prop as string);
      }
      return typeof value === 'function' ? (value as () => unknown).bind(target) : value;
    },
  });
  return { store: proxy, stats };
}
