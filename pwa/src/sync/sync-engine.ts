import { MAX_BATCH_RECORDS } from '@stockverify/shared';
import type { RecordResult, SyncRecord } from '@stockverify/shared';
import { ApiClientError } from '../api/client';
import type { OutboxEntry, PhotoEntry } from '../db/device-db';
import type { Outbox } from '../outbox/outbox';
import { backoffDelay, DEFAULT_BACKOFF } from './backoff';
import type { BackoffPolicy } from './backoff';
import { sha256Digest } from '../app/insecure-origin';

/** What the engine needs from the network; the HTTP one is `createHttpTransport`. */
export interface SyncTransport {
  /** `POST /sync/batch`; throws `ApiClientError` when there is no per-record answer. */
  postBatch(
    deviceId: string,
    records: readonly SyncRecord[],
    idempotencyKey: string,
  ): Promise<RecordResult[]>;
  /** `POST /photos`; answers the server's photo id. */
  uploadPhoto(photo: PhotoEntry): Promise<string>;
}

export type SyncPhase = 'idle' | 'syncing' | 'waiting' | 'signed_out' | 'blocked';

/** The engine's state as the UI shows it. */
export interface SyncStatus {
  phase: SyncPhase;
  lastSuccessAt: string | null;
  lastError: string | null;
  nextAttemptAt: string | null;
  consecutiveFailures: number;
}

export interface SyncEngineOptions {
  outbox: Outbox;
  transport: SyncTransport;
  /** The signed-in user; only their records are sent (they are who counted them). */
  currentUserId: () => string | null;
  deviceId: string;
  batchSize?: number;
  backoff?: BackoffPolicy;
  now?: () => Date;
  random?: () => number;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
}

/** The summary of one `syncNow` run. */
export interface SyncRun {
  sent: number;
  ok: number;
  conflict: number;
  error: number;
  /** Set when the run stopped early; the records stay pending. */
  failure: string | null;
}

/** Idempotency key of a batch: a digest of the exact body, so a retry of it is a replay. */
export async function batchKey(body: string): Promise<string> {
  // Web Crypto's digest, or the same SHA-256 in JS on a plain-HTTP LAN address (no crypto.subtle).
  const digest = await sha256Digest(new TextEncoder().encode(body));
  const hex = Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
  return `batch-${hex.slice(0, 48)}`;
}

/** Whole-batch failures that no retry of the same body can fix. */
function isPermanent(error: ApiClientError): boolean {
  return error.status === 400 || error.status === 403 || error.status === 422;
}

/**
 * Sends the outbox to the server (design §5): oldest first, up to 500 records per batch, one
 * idempotency key per batch body. Every record keeps its place in the outbox until the server gives
 * a verdict for it; transport failures back off exponentially with jitter and respect
 * `Retry-After`. One run at a time: a trigger during a run asks for one more run after it.
 */
export class SyncEngine {
  private status: SyncStatus = {
    phase: 'idle',
    lastSuccessAt: null,
    lastError: null,
    nextAttemptAt: null,
    consecutiveFailures: 0,
  };
  private running: Promise<SyncRun> | null = null;
  private again = false;
  private retryTimer: unknown = null;
  private batchSize: number;
  private readonly listeners = new Set<(status: SyncStatus) => void>();
  private readonly opts: Required<Omit<SyncEngineOptions, 'batchSize'>>;

  constructor(options: SyncEngineOptions) {
    this.batchSize = Math.min(options.batchSize ?? MAX_BATCH_RECORDS, MAX_BATCH_RECORDS);
    this.opts = {
      backoff: DEFAULT_BACKOFF,
      now: () => new Date(),
      random: Math.random,
      setTimer: (fn, ms) => setTimeout(fn, ms),
      clearTimer: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
      ...options,
    };
  }

  getStatus(): SyncStatus {
    return this.status;
  }

  /** Calls `listener` on every status change; returns the unsubscribe function. */
  subscribe(listener: (status: SyncStatus) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Syncs now unless a back-off wait is pending and `force` is false (the 30 s timer and
   * visibility changes respect the back-off; the user's "Sync now" and `online` do not).
   */
  syncNow(force = true): Promise<SyncRun> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    if (!force && this.status.phase === 'waiting') {
      return Promise.resolve({ sent: 0, ok: 0, conflict: 0, error: 0, failure: 'backing off' });
    }
    this.cancelRetry();
    this.running = this.run().finally(() => {
      this.running = null;
      if (this.again) {
        this.again = false;
        void this.syncNow(false);
      }
    });
    return this.running;
  }

  /** Stops timers (sign-out, tests). */
  stop(): void {
    this.cancelRetry();
  }

  private cancelRetry(): void {
    if (this.retryTimer !== null) this.opts.clearTimer(this.retryTimer);
    this.retryTimer = null;
  }

  private setStatus(patch: Partial<SyncStatus>): void {
    this.status = { ...this.status, ...patch };
    for (const listener of this.listeners) listener(this.status);
  }

  private async run(): Promise<SyncRun> {
    const summary: SyncRun = { sent: 0, ok: 0, conflict: 0, error: 0, failure: null };
    const userId = this.opts.currentUserId();
    if (userId === null) {
      this.setStatus({ phase: 'signed_out', nextAttemptAt: null });
      summary.failure = 'signed out';
      return summary;
    }
    this.setStatus({ phase: 'syncing' });
    for (;;) {
      const batch = await this.opts.outbox.pendingBatch(userId, this.batchSize);
      if (batch.length === 0) break;
      let results: RecordResult[];
      try {
        const records = await this.prepare(batch);
        const body = JSON.stringify({ device_id: this.opts.deviceId, records });
        results = await this.opts.transport.postBatch(
          this.opts.deviceId,
          records,
          await batchKey(body),
        );
      } catch (error) {
        summary.failure = await this.handleFailure(error, batch);
        return summary;
      }
      const byId = new Set(batch.map((entry) => entry.op_id));
      const answered = results.filter((r) => byId.has(r.op_id));
      await this.opts.outbox.applyResults(answered);
      summary.sent += batch.length;
      for (const result of answered) {
        if (result.status === 'OK') summary.ok += 1;
        else if (result.status === 'CONFLICT') summary.conflict += 1;
        else summary.error += 1;
      }
      if (answered.length < batch.length) {
        // A partial answer: the rest stays pending and goes again after a pause, never lost.
        const missing = batch.filter((e) => !answered.some((r) => r.op_id === e.op_id));
        await this.opts.outbox.noteAttempt(missing.map((e) => e.op_id));
        summary.failure = `${missing.length} ${missing.length === 1 ? 'record' : 'records'} got no answer; they will be sent again`;
        this.scheduleRetry(summary.failure, null);
        return summary;
      }
    }
    this.setStatus({
      phase: 'idle',
      lastSuccessAt: this.opts.now().toISOString(),
      lastError: null,
      nextAttemptAt: null,
      consecutiveFailures: 0,
    });
    return summary;
  }

  /** Uploads photos the batch refers to and puts the server's photo ids into the records. */
  private async prepare(batch: readonly OutboxEntry[]): Promise<SyncRecord[]> {
    const records: SyncRecord[] = [];
    for (const entry of batch) {
      const record = entry.record;
      if (!('photo_ids' in record) || record.photo_ids.length === 0) {
        records.push(record);
        continue;
      }
      for (const photo of await this.opts.outbox.photosToUpload(entry.op_id)) {
        await this.opts.outbox.markPhotoUploaded(
          photo.id,
          await this.opts.transport.uploadPhoto(photo),
        );
      }
      const ids = await this.opts.outbox.serverPhotoIds(entry.op_id, record.photo_ids);
      records.push({ ...record, photo_ids: ids ?? record.photo_ids });
    }
    return records;
  }

  private async handleFailure(error: unknown, batch: readonly OutboxEntry[]): Promise<string> {
    const opIds = batch.map((entry) => entry.op_id);
    if (!(error instanceof ApiClientError)) {
      await this.opts.outbox.noteAttempt(opIds);
      const message = error instanceof Error ? error.message : String(error);
      this.scheduleRetry(`Sync failed: ${message}`, null);
      return message;
    }
    if (error.status === 401) {
      this.setStatus({
        phase: 'signed_out',
        lastError: 'Sign in again to send what is saved on this phone.',
        nextAttemptAt: null,
      });
      return error.message;
    }
    if (error.status === 413 && this.batchSize > 1) {
      // The body limit, not the records, is at fault: smaller batches carry the same records.
      this.batchSize = Math.max(1, Math.floor(this.batchSize / 2));
      this.scheduleRetry(error.message, 0);
      return error.message;
    }
    await this.opts.outbox.noteAttempt(opIds);
    if (isPermanent(error)) {
      // The server refused the batch as a whole; keep every record and say so plainly.
      this.setStatus({
        phase: 'blocked',
        lastError: `The server refused the batch: ${error.message}`,
        nextAttemptAt: null,
        consecutiveFailures: this.status.consecutiveFailures + 1,
      });
      return error.message;
    }
    const retryAfterMs = error.retryAfterSeconds === null ? null : error.retryAfterSeconds * 1000;
    this.scheduleRetry(error.message, retryAfterMs);
    return error.message;
  }

  private scheduleRetry(message: string, retryAfterMs: number | null): void {
    const failures = this.status.consecutiveFailures + 1;
    const delay =
      retryAfterMs === 0
        ? 0
        : backoffDelay(failures, this.opts.backoff, this.opts.random, retryAfterMs);
    this.cancelRetry();
    this.retryTimer = this.opts.setTimer(() => {
      this.retryTimer = null;
      void this.syncNow(true);
    }, delay);
    this.setStatus({
      phase: 'waiting',
      lastError: message,
      consecutiveFailures: failures,
      nextAttemptAt: new Date(this.opts.now().getTime() + delay).toISOString(),
    });
  }
}
