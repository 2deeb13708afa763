/** Batch-size handling shared by the ErpSource adapters, so every adapter reads the option alike. */
import type { FetchItemsOptions } from '../../ports/erp';

/** The port's documented default (ports/erp.ts). */
export const DEFAULT_BATCH_SIZE = 1000;

/** Batch size from fetch options; a zero, negative or fractional size would never make progress. */
export function batchSizeOf(options?: FetchItemsOptions): number {
  const size = options?.batchSize ?? DEFAULT_BATCH_SIZE;
  if (!Number.isInteger(size) || size < 1) {
    throw new RangeError(`batchSize must be a positive integer, got ${size}`);
  }
  return size;
}

/** Slices of at most `size` elements, in order; nothing for an empty list. */
export function* chunk<T>(items: readonly T[], size: number): Generator<T[]> {
  for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size);
}
