import { createHash } from 'node:crypto';
import type { RecordResult, SyncRecord, CountRecord } from '@stockverify/shared';
import { unlessUnavailable } from '../../ports/coordination';
import type { IdempotencyRecord, InsertLineOutcome } from '../../ports/counting';
import { AppError } from '../../lib/errors';
import { writeTurns } from '../../lib/turns';
import type { Actor, RequestMeta } from '../audit/audit-log';
import { newBatch, type BatchCache } from './batch-cache';
import { batchOrder } from './batch-order';
import { isResult, type LineWrite, type PreparedLine } from './line-write';
import type { OpAnswers } from './op-answers';
import type { CountingDeps, RecordContext } from './record-context';

/** The body of `POST /sync/batch` as the route hands it over (records are parsed one by one). */
export interface SyncBatchBody {
  device_id: string;
  records: Array<{ op_id: string } & Record<string, unknown>>;
}

/** Answers a record that is not a count line (unknown item, rack completion, correction). */
export type OtherRecordHandler = (
  ctx: RecordContext,
  record: Exclude<SyncRecord, CountRecord>,
) => Promise<RecordResult>;

// The in-flight marker is a lease: renewed every IN_FLIGHT_RENEW_MS while the batch runs, so a
// slow batch keeps it, and a batch whose API process died (SIGKILL) blocks the phone's retry of
// the same key with 409 IDEMPOTENCY_IN_FLIGHT for at most IN_FLIGHT_TTL_MS (issue #7 faults).
const IN_FLIGHT_TTL_MS = 10 * 1000;
const IN_FLIGHT_RENEW_MS = 3 * 1000;

/** A long batch gives the event loop back this often (ms), so other users' requests get in. */
const SLICE_MS = 10;
/**
 * Count lines written per store transaction in a batch: small enough to stay a short slice of the
 * event loop (about 10–15 ms), large enough that what every commit pays once — the session's,
 * counters', racks' and day's rows of the read model, the index pages near the root — is shared
 * by many lines. At 20 the read model's upkeep cost 15 % of sync throughput (bench:session at
 * 60,000 lines, phones correcting back to back: 85.2 %); at 50, 3.7 % (96.3 %), every read still
 * within its budget while phones sync (docs/design.md §10 "Reads while phones sync").
 */
const FLUSH_LINES = 50;
const FLUSH_SERIALS = 250;
/** Per-op answers stored per store transaction at the end of a batch. */
const FLUSH_RESULTS = 100;

/**
 * Resolves on a later turn of the event loop, after pending I/O: one batch's slice per turn, so a
 * read waits for one slice, not one per syncing phone (lib/turns.ts).
 */
const nextTurn = () => writeTurns.next();

/**
 * Canonical hash of a batch body, to tell a replay from a reused key. The clock fields are left
 * out (design §13): each sending carries the phone's clock of that sending, so a retry of the same
 * records under the same key is a replay, not another batch (the PWA's key digests device and
 * records only). Without them the hash is the one of a body that never had them.
 */
export function batchHash(body: unknown): string {
  let hashed = body;
  if (body !== null && typeof body === 'object' && !Array.isArray(body)) {
    const {
      client_sent_at: _sent,
      last_round_trip: _trip,
      ...rest
    } = body as Record<string, unknown>;
    hashed = rest;
  }
  return createHash('sha256').update(JSON.stringify(hashed)).digest('hex');
}

/** The answers of a batch's records so far: by index in the body, and by op_id for repeats. */
interface BatchAnswers {
  byIndex: Map<number, RecordResult>;
  byOpId: Map<string, RecordResult>;
}

/**
 * Gives the event loop back once a slice of SLICE_MS is used up: the store answers synchronously
 * (SQLite), so without this a 500-record batch would hold the event loop from its first record to
 * its last (issue #12 #4).
 */
function createSlicer() {
  let slice = performance.now();
  let fresh = false;
  async function yieldNow(): Promise<void> {
    await nextTurn();
    slice = performance.now();
    fresh = true;
  }
  async function yieldIfDue(): Promise<void> {
    if (performance.now() - slice > SLICE_MS) await yieldNow();
    fresh = false;
  }
  /**
   * A store transaction starts a slice of its own: after the checks of the records before it,
   * together they held the loop for up to SLICE_MS plus the transaction.
   */
  async function yieldUnlessFresh(): Promise<void> {
    if (!fresh) await yieldNow();
  }
  return { yieldIfDue, yieldNow, yieldUnlessFresh };
}

export type SyncBatch = ReturnType<typeof createSyncBatch>;

/**
 * `POST /sync/batch` (design §5): Idempotency-Key semantics around the records of one batch,
 * answered in batch order, count lines written a few at a time, answers stored in one go.
 */
export function createSyncBatch(
  deps: Pick<CountingDeps, 'store' | 'coordination' | 'clock'>,
  parts: { answers: OpAnswers; lineWrite: LineWrite; processOther: OtherRecordHandler },
) {
  const { store, coordination, clock } = deps;
  const { answers, lineWrite, processOther } = parts;

  /**
   * A sync batch with Idempotency-Key semantics: a finished key with the same body returns the
   * stored results; with another body 422; while in flight 409. Records run in order.
   */
  async function syncBatch(
    actor: Actor,
    meta: RequestMeta,
    key: string,
    body: SyncBatchBody,
  ): Promise<{ results: RecordResult[]; replayed: boolean; fresh: boolean }> {
    const hash = batchHash(body);
    const finished = await store.idempotency.get(key, actor.id);
    if (finished) {
      return { results: await replay(finished, hash, body, actor), replayed: true, fresh: false };
    }
    const marker = `idem:${actor.id}:${key}`;
    await markInFlight(marker, hash);
    const lease = renewWhileRunning(marker, hash);
    try {
      const batch = newBatch(true);
      const answered = await answerRecords(actor, meta, body, batch);
      const results = await storeAnswers(body, batch, answered);
      const finishedBatch = await store.idempotency.putIfAbsent({
        key,
        user_id: actor.id,
        request_hash: hash,
        results,
        created_at: clock().toISOString(),
      });
      // Fresh: some op was answered for the first time (or the batch had none). A batch whose ops
      // were all answered before is a copy sent again, with the first sending's client_sent_at.
      const fresh = body.records.length === 0 || (batch.deferred?.length ?? 0) > 0;
      return { results: finishedBatch.results, replayed: false, fresh };
    } finally {
      await lease.end();
      await unlessUnavailable(coordination.cacheDelete(marker), undefined);
    }
  }

  /** The stored answers of a finished key, or 422 when the key came with another body. */
  async function replay(
    finished: IdempotencyRecord,
    hash: string,
    body: SyncBatchBody,
    actor: Actor,
  ): Promise<RecordResult[]> {
    if (finished.request_hash !== hash)
      throw new AppError(
        422,
        'IDEMPOTENCY_KEY_REUSED',
        'This Idempotency-Key was used for a different batch',
      );
    // Shown as they would be now: a blind count opened since hides what the first answer showed.
    const results: RecordResult[] = [];
    for (const [i, result] of finished.results.entries()) {
      const sessionId = body.records[i]?.['session_id'];
      const session = typeof sessionId === 'string' ? await store.sessions.get(sessionId) : null;
      results.push(await answers.visible(result, session, actor));
    }
    return results;
  }

  /** Sets the in-flight marker of the key, or answers 409 while another copy runs. */
  async function markInFlight(marker: string, hash: string): Promise<void> {
    // With Redis down the batch runs unmarked: a concurrent copy is still stored once (unique
    // op_id, first stored answer stands), so the marker only spares work.
    if (
      !(await unlessUnavailable(
        coordination.cacheSetIfAbsent(marker, hash, IN_FLIGHT_TTL_MS),
        true,
      ))
    ) {
      throw new AppError(
        409,
        'IDEMPOTENCY_IN_FLIGHT',
        'A batch with this Idempotency-Key is still being processed',
        undefined,
        undefined,
        { 'Retry-After': '2' },
      );
    }
  }

  /** Renews the marker's lease every IN_FLIGHT_RENEW_MS until `end`. */
  function renewWhileRunning(marker: string, hash: string): { end: () => Promise<void> } {
    let renewing: Promise<unknown> = Promise.resolve();
    const lease = setInterval(() => {
      renewing = unlessUnavailable(
        coordination.cacheSet(marker, hash, IN_FLIGHT_TTL_MS),
        undefined,
      ).catch(() => undefined);
    }, IN_FLIGHT_RENEW_MS);
    lease.unref();
    return {
      async end() {
        clearInterval(lease);
        // A renewal still on its way would put the marker back after the delete.
        await renewing;
      },
    };
  }

  /**
   * Each op_id answered once per batch; originals before their corrections (batch-order.ts).
   * Count lines that passed their checks are written together (one store transaction per
   * FLUSH_LINES lines or FLUSH_SERIALS serials), flushed before any other kind of record so the
   * order of effects stays the order sent. The bins the batch's lines touched are settled once,
   * after its last line (docs/design.md §12 "When"): one store transaction for the batch, not one
   * per chunk. A failure there fails the request before any answer is stored; the resend finds
   * the lines stored (DUPLICATE_OP) and settles them then.
   */
  async function answerRecords(
    actor: Actor,
    meta: RequestMeta,
    body: SyncBatchBody,
    batch: BatchCache,
  ): Promise<BatchAnswers> {
    const answered: BatchAnswers = { byIndex: new Map(), byOpId: new Map() };
    const settle = (i: number, result: RecordResult) => {
      answered.byIndex.set(i, answers.counted(result));
      const opId = body.records[i]!.op_id;
      if (typeof opId === 'string') answered.byOpId.set(opId, answered.byIndex.get(i)!);
    };
    const slicer = createSlicer();
    const lines = pendingLines(settle, slicer);
    // The batch's first slice waits for a turn too (issue #13): run straight in the request's
    // callback, it went before every request already read from the sockets in the same poll of
    // the loop, so a read arriving beside a few small batches waited for all of them.
    await slicer.yieldNow();
    for (const i of batchOrder(body.records)) {
      await slicer.yieldIfDue();
      const ctx: RecordContext = {
        actor,
        meta,
        deviceId: body.device_id,
        prefix: `records.${i}`,
        batch,
      };
      const admitted = await answers.admit(ctx, body.records[i]);
      if (!('type' in admitted)) {
        settle(i, admitted);
      } else if (admitted.type === 'count') {
        const prepared = await lineWrite.prepareCount(ctx, admitted);
        if (isResult(prepared)) settle(i, prepared);
        else await lines.add(i, prepared);
      } else {
        await lines.flush();
        settle(i, await processOther(ctx, admitted));
      }
    }
    await lines.flush();
    await lineWrite.settleWritten(lines.written);
    return answered;
  }

  /**
   * Count lines waiting for one store transaction; `add` writes the ones before when full.
   * `written` collects the store's answers, for the batch's one settlement.
   */
  function pendingLines(
    settle: (i: number, result: RecordResult) => void,
    slicer: ReturnType<typeof createSlicer>,
  ) {
    const pending: Array<{ index: number; prepared: PreparedLine }> = [];
    const written: InsertLineOutcome[] = [];
    let pendingSerials = 0;
    async function flush(): Promise<void> {
      if (pending.length === 0) return;
      await slicer.yieldUnlessFresh();
      const outcomes = await store.lines.insertMany(pending.map((p) => p.prepared.line));
      written.push(...outcomes);
      for (const [k, { index, prepared }] of pending.entries()) {
        settle(index, await lineWrite.completeCount(prepared, outcomes[k]!));
      }
      pending.length = 0;
      pendingSerials = 0;
      // The write was one synchronous transaction: let other requests in before the next.
      await slicer.yieldNow();
    }
    async function add(index: number, prepared: PreparedLine): Promise<void> {
      // Written in chunks, so no single store transaction holds the event loop long.
      if (
        pending.length >= FLUSH_LINES ||
        pendingSerials + prepared.line.serials.length > FLUSH_SERIALS
      )
        await flush();
      pending.push({ index, prepared });
      pendingSerials += prepared.line.serials.length;
    }
    return { add, flush, written };
  }

  /**
   * The per-op answers in one write; should another request have answered an op_id first, its
   * stored answer is the one that stands. Returns the answer for each record in the order sent.
   */
  async function storeAnswers(
    body: SyncBatchBody,
    batch: BatchCache,
    answered: BatchAnswers,
  ): Promise<RecordResult[]> {
    const stored = new Map<string, RecordResult>();
    // In chunks with a turn of the event loop between them (issue #12 #4).
    for (let k = 0; k < batch.deferred!.length; k += FLUSH_RESULTS) {
      const chunk = batch.deferred!.slice(k, k + FLUSH_RESULTS);
      for (const r of await store.results.putManyIfAbsent(chunk)) stored.set(r.op_id, r.result);
      await nextTurn();
    }
    return body.records.map((raw, i) => {
      const mine = answered.byIndex.get(i) ?? answered.byOpId.get(String(raw.op_id))!;
      const winner = stored.get(mine.op_id);
      if (!winner || winner === mine || winner.line_id === mine.line_id) return mine;
      return 'variance' in mine ? winner : (({ variance: _v, ...rest }) => rest)(winner);
    });
  }

  return { syncBatch };
}
