import { AppError } from '../../lib/errors';
import { unlessUnavailable, type Coordination } from '../../ports/coordination';

export interface SyncLimits {
  /** Batches a user may send per minute. */
  batchesPerMinute: number;
}

export type SyncRateService = ReturnType<typeof createSyncRateService>;

/** The per-user limit on sync batches, counted in Coordination (shared by every API process). */
export function createSyncRateService(coordination: Coordination, limits: SyncLimits) {
  return {
    /**
     * Counts one batch of `userId`; refuses it with 429 and Retry-After beyond the limit.
     * The limit protects the server; with Redis down, sync goes on unlimited.
     */
    async hit(userId: string): Promise<void> {
      const rate = await unlessUnavailable(coordination.hit(`sync-rate:${userId}`, 60_000), null);
      if (rate && rate.count > limits.batchesPerMinute) {
        const seconds = Math.max(1, Math.ceil((rate.reset_at - Date.now()) / 1000));
        throw new AppError(
          429,
          'RATE_LIMITED',
          `Too many sync batches; try again in ${seconds} s`,
          undefined,
          { retry_after: seconds },
          { 'Retry-After': String(seconds) },
        );
      }
    },
  };
}
