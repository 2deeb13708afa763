import Dexie from 'dexie';
import type { RecordResult, SyncRecord } from '@stockverify/shared';
import type { DeviceDb, OutboxEntry, OutboxStatus, PhotoEntry } from '../db/device-db';
import { answeredTaskId } from '../work/recount-tasks';
import type { TaskAnswer } from '../work/recount-tasks';

/** Counts for the sync screen and the header badge. */
export interface OutboxCounts {
  pending: number;
  synced: number;
  conflict: number;
  error: number;
  /** Creation time of the oldest record still waiting, or null. */
  oldestPendingAt: string | null;
}

/** A photo to store with the record, in the same transaction. */
export interface NewPhoto {
  id: string;
  blob: Blob;
  content_type: string;
}

export interface EnqueueInput {
  userId: string;
  record: SyncRecord;
  summary: string;
  photos?: readonly NewPhoto[];
}

/** Synced records stay visible on the phone this long, then are pruned. */
export const SYNCED_KEEP_MS = 7 * 24 * 60 * 60 * 1000;

/** Data that has waited this long unsynced earns a warning (issue #4: 4 h). */
export const STALE_PENDING_MS = 4 * 60 * 60 * 1000;

/** The outbox: the phone's durable record of every action, written before the UI says "saved". */
export class Outbox {
  private readonly listeners = new Set<() => void>();
  /** Creation times are kept strictly increasing, so sync order is creation order. */
  private lastCreatedMs = 0;

  constructor(
    private readonly db: DeviceDb,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Calls `listener` after every change to the outbox; returns the unsubscribe function. */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private changed(): void {
    for (const listener of this.listeners) listener();
  }

  /**
   * Stores one action (and its photos) in one strict transaction. Resolves only once IndexedDB has
   * committed it: then, and only then, may the UI say "saved on this phone". Storing the same
   * `op_id` twice is refused (a double tap must not count twice).
   */
  async enqueue(input: EnqueueInput): Promise<OutboxEntry> {
    // Two saves in one millisecond (a correction right after its line) must still sync in order.
    this.lastCreatedMs = Math.max(this.now().getTime(), this.lastCreatedMs + 1);
    const at = new Date(this.lastCreatedMs).toISOString();
    const record = input.record;
    const entry: OutboxEntry = {
      op_id: record.op_id,
      user_id: input.userId,
      session_id: 'session_id' in record ? record.session_id : null,
      rack: 'rack' in record ? record.rack : null,
      record,
      summary: input.summary,
      status: 'pending',
      created_at: at,
      updated_at: at,
      attempts: 0,
      result: null,
      synced_at: null,
    };
    const photos: PhotoEntry[] = (input.photos ?? []).map((p) => ({
      id: p.id,
      op_id: record.op_id,
      blob: p.blob,
      content_type: p.content_type,
      server_id: null,
      created_at: at,
    }));
    await this.db.transaction('rw', this.db.outbox, this.db.photos, async () => {
      await this.db.outbox.add(entry);
      if (photos.length > 0) await this.db.photos.bulkAdd(photos);
    });
    this.changed();
    return entry;
  }

  /** The oldest pending records of one user, at most `limit` (sync order = creation order). */
  async pendingBatch(userId: string, limit: number): Promise<OutboxEntry[]> {
    const rows = await this.db.outbox
      .where('[user_id+status]')
      .equals([userId, 'pending'])
      .toArray();
    rows.sort((a, b) => (a.created_at < b.created_at ? -1 : a.created_at > b.created_at ? 1 : 0));
    return rows.slice(0, limit);
  }

  /**
   * Applies the server's verdicts. A record without a verdict in `results` stays pending (a
   * partial answer loses nothing). Returns how many entries changed.
   */
  async applyResults(results: readonly RecordResult[]): Promise<number> {
    const at = this.now().toISOString();
    let changed = 0;
    await this.db.transaction('rw', this.db.outbox, async () => {
      for (const result of results) {
        const entry = await this.db.outbox.get(result.op_id);
        if (!entry) continue;
        const status: OutboxStatus =
          result.status === 'OK' ? 'synced' : result.status === 'CONFLICT' ? 'conflict' : 'error';
        await this.db.outbox.update(result.op_id, {
          status,
          updated_at: at,
          synced_at: status === 'synced' ? at : null,
          result: {
            code: result.code,
            message: result.message,
            details: result.details.map((d) => ({ path: d.path, message: d.message })),
            line_id: result.line_id,
            ...(result.variance === undefined ? {} : { variance: result.variance }),
          },
        });
        changed += 1;
      }
    });
    if (changed > 0) this.changed();
    return changed;
  }

  /** Counts one more attempt that reached no verdict for these records. */
  async noteAttempt(opIds: readonly string[]): Promise<void> {
    const at = this.now().toISOString();
    await this.db.outbox
      .where('op_id')
      .anyOf([...opIds])
      .modify((entry) => {
        entry.attempts += 1;
        entry.updated_at = at;
      });
  }

  /** Counts by status for one user (or everyone on the phone). */
  async counts(userId?: string): Promise<OutboxCounts> {
    // Index counts: this runs after every save, and synced rows pile up between prunes.
    const ofStatus = (status: OutboxStatus) =>
      userId === undefined
        ? this.db.outbox.where('status').equals(status)
        : this.db.outbox.where('[user_id+status]').equals([userId, status]);
    const [pending, synced, conflict, error, pendingRows] = await Promise.all([
      ofStatus('pending').count(),
      ofStatus('synced').count(),
      ofStatus('conflict').count(),
      ofStatus('error').count(),
      ofStatus('pending').toArray(),
    ]);
    let oldestPendingAt: string | null = null;
    for (const row of pendingRows) {
      if (oldestPendingAt === null || row.created_at < oldestPendingAt)
        oldestPendingAt = row.created_at;
    }
    return { pending, synced, conflict, error, oldestPendingAt };
  }

  /**
   * Forgets records the server stored more than `keepMs` ago, with their photos (the server has
   * them). Pending records, conflicts and errors are never pruned. Returns how many went.
   */
  async pruneSynced(keepMs = SYNCED_KEEP_MS): Promise<number> {
    const cutoff = new Date(this.now().getTime() - keepMs).toISOString();
    let pruned = 0;
    await this.db.transaction('rw', this.db.outbox, this.db.photos, async () => {
      const old = await this.db.outbox
        .where('status')
        .equals('synced')
        .filter((entry) => entry.synced_at !== null && entry.synced_at < cutoff)
        .primaryKeys();
      if (old.length === 0) return;
      await this.db.photos.where('op_id').anyOf(old).delete();
      await this.db.outbox.bulkDelete(old);
      pruned = old.length;
    });
    if (pruned > 0) this.changed();
    return pruned;
  }

  /** True when something has waited unsynced longer than `STALE_PENDING_MS`. */
  static isStale(counts: OutboxCounts, now: Date): boolean {
    return (
      counts.oldestPendingAt !== null &&
      now.getTime() - Date.parse(counts.oldestPendingAt) > STALE_PENDING_MS
    );
  }

  /** Entries of one status, newest first, for the sync screen. */
  async list(status: OutboxStatus, userId?: string, limit = 200): Promise<OutboxEntry[]> {
    const rows = await this.db.outbox.where('status').equals(status).toArray();
    return rows
      .filter((row) => userId === undefined || row.user_id === userId)
      .sort((a, b) => (a.created_at < b.created_at ? 1 : -1))
      .slice(0, limit);
  }

  /** Every count entry of a rack (for the "already counted here" warning and the rack total). */
  async rackEntries(sessionId: string, rack: string): Promise<OutboxEntry[]> {
    return this.db.outbox.where('[session_id+rack]').equals([sessionId, rack]).toArray();
  }

  /**
   * The counts this phone saved in a session that answer a recount task (`recount_task_id`),
   * whatever the server said of them: the tasks this phone has done (issue #16).
   */
  async sessionTaskAnswers(sessionId: string): Promise<TaskAnswer[]> {
    const entries = await this.db.outbox
      .where('[session_id+rack]')
      .between([sessionId, Dexie.minKey], [sessionId, Dexie.maxKey])
      .toArray();
    const answers: TaskAnswer[] = [];
    for (const entry of entries) {
      const taskId = answeredTaskId(entry);
      if (taskId !== null) answers.push({ task_id: taskId, entry });
    }
    return answers;
  }

  /** Photos of a record that the server has not stored yet. */
  async photosToUpload(opId: string): Promise<PhotoEntry[]> {
    const photos = await this.db.photos.where('op_id').equals(opId).toArray();
    return photos.filter((p) => p.server_id === null);
  }

  /** The server ids of a record's photos, in the order the record lists them. */
  async serverPhotoIds(opId: string, localIds: readonly string[]): Promise<string[] | null> {
    const photos = await this.db.photos.where('op_id').equals(opId).toArray();
    const byId = new Map(photos.map((p) => [p.id, p.server_id]));
    const ids: string[] = [];
    for (const local of localIds) {
      const server = byId.get(local);
      // A photo id that is not a local photo is already a server id.
      if (server === undefined) ids.push(local);
      else if (server === null) return null;
      else ids.push(server);
    }
    return ids;
  }

  async markPhotoUploaded(photoId: string, serverId: string): Promise<void> {
    await this.db.photos.update(photoId, { server_id: serverId });
  }
}
