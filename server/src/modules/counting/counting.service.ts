import { createHash, randomUUID } from 'node:crypto';
import type {
  CountRecord,
  CountSession,
  ErrorDetail,
  Item,
  RecordResult,
  SyncRecord,
} from '@stockverify/shared';
import {
  CONFLICT_BUDGET,
  computeVariance,
  issuesToDetails,
  normalizeSerial,
  strictVarianceCheck,
  syncRecordSchema,
  UNKNOWN_ITEM_BUDGET,
  validateQuantities,
  validateSerials,
  varianceValue,
} from '@stockverify/shared';
import type {
  ConflictRecord,
  CountLineRecord,
  InsertLineOutcome,
  SnapshotRow,
  StoredResult,
} from '../../ports/counting';
import { unlessUnavailable, type Coordination } from '../../ports/coordination';
import type { Store } from '../../ports/store';
import { AppError } from '../../lib/errors';
import type { AccessPolicy } from '../access/access-policy';
import type { Actor, AuditLog, RequestMeta } from '../audit/audit-log';
import type { EventBus } from '../events/event-bus';
import type { Metrics } from '../monitoring/metrics';
import { batchOrder } from './batch-order';
import { checkFence, type FenceCheck } from './fencing';
import { reviewReasons, type ReviewThresholds } from './review-rules';

export type CountingService = ReturnType<typeof createCountingService>;

interface Context {
  actor: Actor;
  meta: RequestMeta;
  deviceId: string | null;
  /** Path prefix of the record in the request (`records.3`), '' for the online endpoint. */
  prefix: string;
  batch: BatchCache;
}

/**
 * What one request reads more than once, read once (a 500-record batch touches the same session,
 * claims and often the same items), and the per-op answers to write in one go at its end.
 */
interface BatchCache {
  sessions: Map<string, CountSession | null>;
  items: Map<string, Item | null>;
  snapshots: Map<string, SnapshotRow | null>;
  fences: Map<string, FenceCheck>;
  /** Net lines this request added per session|user|item, for the repeated-count rule. */
  added: Map<string, number>;
  /** Lines per session|user|item in the store before this request wrote any (read once). */
  counted: Map<string, number>;
  /** When set, answers are collected here and stored together by the caller. */
  deferred: StoredResult[] | null;
  /** Open conflicts / unknown items per `kind|session|user`, read once, counted up as stored. */
  budgets: Map<string, number>;
}

function newBatch(deferResults: boolean): BatchCache {
  return {
    sessions: new Map(),
    items: new Map(),
    snapshots: new Map(),
    fences: new Map(),
    added: new Map(),
    counted: new Map(),
    deferred: deferResults ? [] : null,
    budgets: new Map(),
  };
}

/** A count record that passed every check before the store: the line to insert. */
interface PreparedLine {
  ctx: Context;
  record: CountRecord;
  session: CountSession;
  item: Item;
  line: CountLineRecord;
}

function isResult(value: RecordResult | PreparedLine): value is RecordResult {
  return 'status' in value && 'op_id' in value && !('line' in value);
}

// The in-flight marker is a lease: renewed every IN_FLIGHT_RENEW_MS while the batch runs, so a
// slow batch keeps it, and a batch whose API process died (SIGKILL) blocks the phone's retry of
// the same key with 409 IDEMPOTENCY_IN_FLIGHT for at most IN_FLIGHT_TTL_MS (issue #7 faults).
const IN_FLIGHT_TTL_MS = 10 * 1000;
const IN_FLIGHT_RENEW_MS = 3 * 1000;

function at(prefix: string, field: string): string {
  return prefix ? `${prefix}.${field}` : field;
}

/** A long batch gives the event loop back this often (ms), so other users' requests get in. */
const SLICE_MS = 10;
/** Count lines written per store transaction in a batch: small enough to stay one short slice. */
const FLUSH_LINES = 20;
const FLUSH_SERIALS = 250;
/** Per-op answers stored per store transaction at the end of a batch. */
const FLUSH_RESULTS = 100;

/** Resolves on the next turn of the event loop, after pending I/O. */
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

const SAVED_MESSAGE = 'Saved';
const REVIEW_MESSAGE = 'Saved; a supervisor will review it';

/** Canonical hash of a batch body, to tell a replay from a reused key. */
export function batchHash(body: unknown): string {
  return createHash('sha256').update(JSON.stringify(body)).digest('hex');
}

/**
 * The one code path for count lines (design §4–§5): online `count-lines` and `sync/batch` both
 * call `processRecord`. OK and CONFLICT answers are stored by op_id and returned again on any
 * replay; conflicts are kept for a supervisor; ERRORs change nothing and are re-evaluated when the
 * phone sends the record again.
 */
export function createCountingService(deps: {
  store: Store;
  coordination: Coordination;
  audit: AuditLog;
  events: EventBus;
  clock: () => Date;
  review: ReviewThresholds;
  metrics?: Metrics;
  /** The blind rule and the warehouse boundaries (modules/access). */
  access: AccessPolicy;
}) {
  const { store, coordination, audit, events, clock, review, metrics, access } = deps;

  /** Every answer goes through here once, for the sync-records counter. */
  function counted(result: RecordResult): RecordResult {
    metrics?.syncRecords.inc({ status: result.status, code: result.code ?? 'none' });
    return result;
  }

  function error(
    ctx: Context,
    opId: string,
    code: string,
    message: string,
    details: ErrorDetail[],
  ): RecordResult {
    return { op_id: opId, status: 'ERROR', code, message, details, line_id: null };
  }

  /** Hides the variance from staff in blind sessions (design §4). */
  async function visible(
    result: RecordResult,
    session: CountSession | null,
    actor: Actor,
  ): Promise<RecordResult> {
    if (!session || (await access.showsBook(actor, session.warehouse))) return result;
    // Where the counter may not see book quantities, the answer is the same whatever was counted:
    // no variance, and no hint that the line went to review (the supervisor still sees it).
    const { variance: _hidden, ...rest } = result;
    return rest.status === 'OK' && rest.message === REVIEW_MESSAGE
      ? { ...rest, message: SAVED_MESSAGE }
      : rest;
  }

  async function remember(ctx: Context, result: RecordResult): Promise<RecordResult> {
    const entry = {
      op_id: result.op_id,
      user_id: ctx.actor.id,
      result,
      created_at: clock().toISOString(),
    };
    if (ctx.batch.deferred) {
      ctx.batch.deferred.push(entry);
      return result;
    }
    return (await store.results.putIfAbsent(entry)).result;
  }

  async function sessionOf(ctx: Context, id: string): Promise<CountSession | null> {
    if (!ctx.batch.sessions.has(id)) ctx.batch.sessions.set(id, await store.sessions.get(id));
    return ctx.batch.sessions.get(id)!;
  }

  async function itemOf(ctx: Context, code: string): Promise<Item | null> {
    if (!ctx.batch.items.has(code)) ctx.batch.items.set(code, await store.items.get(code));
    return ctx.batch.items.get(code)!;
  }

  async function snapshotOf(
    ctx: Context,
    sessionId: string,
    code: string,
  ): Promise<SnapshotRow | null> {
    const key = `${sessionId}|${code}`;
    if (!ctx.batch.snapshots.has(key))
      ctx.batch.snapshots.set(key, await store.sessions.snapshotRow(sessionId, code));
    return ctx.batch.snapshots.get(key)!;
  }

  async function fenceOf(
    ctx: Context,
    sessionId: string,
    rack: string,
    token: number,
  ): Promise<FenceCheck> {
    const key = `${sessionId}|${rack}|${token}`;
    if (!ctx.batch.fences.has(key))
      ctx.batch.fences.set(key, await checkFence(store, ctx.actor.id, sessionId, rack, token));
    return ctx.batch.fences.get(key)!;
  }

  /**
   * How much of a per-user, per-session budget is used (issue #12: one staff user flooded the
   * supervisor's queue with 1,000 conflicts in 1.3 s). Read from the store once per request.
   */
  async function budgetUsed(
    ctx: Context,
    kind: 'conflict' | 'unknown',
    sessionId: string,
  ): Promise<{ used: number; key: string }> {
    const key = `${kind}|${sessionId}|${ctx.actor.id}`;
    let used = ctx.batch.budgets.get(key);
    if (used === undefined) {
      used =
        kind === 'conflict'
          ? await store.conflicts.countOpenByUser(sessionId, ctx.actor.id)
          : await store.unknownItems.countOpenByUser(sessionId, ctx.actor.id);
      ctx.batch.budgets.set(key, used);
    }
    return { used, key };
  }

  /** The ERROR for a record past its budget: nothing stored, the phone keeps it and shows it. */
  function overBudget(ctx: Context, opId: string, kind: 'conflict' | 'unknown'): RecordResult {
    const [code, max, what] =
      kind === 'conflict'
        ? ['CONFLICT_BUDGET_EXCEEDED', CONFLICT_BUDGET, 'open conflicts']
        : ['UNKNOWN_ITEM_BUDGET_EXCEEDED', UNKNOWN_ITEM_BUDGET, 'open unknown items'];
    return error(
      ctx,
      opId,
      code,
      `You have ${max} ${what} in this session; a supervisor must resolve some before more are kept`,
      [{ path: at(ctx.prefix, 'op_id'), message: `at most ${max} ${what} per user and session` }],
    );
  }

  async function conflict(
    ctx: Context,
    record: SyncRecord,
    sessionId: string | null,
    rack: string | null,
    code: string,
    message: string,
    details: ErrorDetail[] = [],
  ): Promise<RecordResult> {
    const budget = sessionId === null ? null : await budgetUsed(ctx, 'conflict', sessionId);
    if (budget && budget.used >= CONFLICT_BUDGET) return overBudget(ctx, record.op_id, 'conflict');
    const id = randomUUID();
    const stored: ConflictRecord = await store.conflicts.insertIfAbsent({
      id,
      op_id: record.op_id,
      session_id: sessionId,
      rack,
      code,
      message,
      record: record as unknown as Record<string, unknown>,
      user_id: ctx.actor.id,
      username: ctx.actor.username,
      device_id: ctx.deviceId,
      created_at: clock().toISOString(),
      status: 'OPEN',
      resolved_by: null,
      resolved_at: null,
      note: null,
      line_id: null,
    });
    if (budget && stored.id === id) ctx.batch.budgets.set(budget.key, budget.used + 1);
    await audit.record(
      ctx.actor,
      ctx.meta,
      'sync.conflict',
      { type: 'conflict', id: stored.id },
      { op_id: record.op_id, code, session_id: sessionId, rack },
    );
    events.publish({
      type: 'conflict',
      action: code,
      session_id: sessionId,
      rack,
      user_id: ctx.actor.id,
      username: ctx.actor.username,
      data: { op_id: record.op_id, conflict_id: stored.id },
    });
    return remember(ctx, {
      op_id: record.op_id,
      status: 'CONFLICT',
      code,
      message,
      details,
      line_id: null,
    });
  }

  /** The OPEN session a record writes into, or the answer when there is none (ERROR) or it is closed (CONFLICT). */
  async function openSessionOf(
    ctx: Context,
    record: Extract<SyncRecord, { session_id: string }>,
  ): Promise<CountSession | RecordResult> {
    const session = await sessionOf(ctx, record.session_id);
    if (!session) {
      return error(ctx, record.op_id, 'NOT_FOUND', `No session ${record.session_id}`, [
        { path: at(ctx.prefix, 'session_id'), message: 'no such session' },
      ]);
    }
    // Users bound to a warehouse count only there (issue #12): an error, nothing stored.
    if (!(await access.mayUse(ctx.actor, session.warehouse))) {
      return error(
        ctx,
        record.op_id,
        'WAREHOUSE_FORBIDDEN',
        `You work in another warehouse than ${session.warehouse}`,
        [
          {
            path: at(ctx.prefix, 'session_id'),
            message: `not your warehouse (${session.warehouse})`,
          },
        ],
      );
    }
    if (session.status !== 'OPEN') {
      return conflict(
        ctx,
        record,
        session.id,
        record.rack,
        'SESSION_CLOSED',
        `The session is ${session.status}`,
      );
    }
    return session;
  }

  /** Builds the line for a count record; `claimId` null means a supervisor accepted it unfenced. */
  async function buildLine(
    ctx: Context,
    record: CountRecord,
    session: CountSession,
    item: Item,
    claimId: string | null,
    acceptedConflict: boolean,
  ): Promise<CountLineRecord> {
    const snapshot = await snapshotOf(ctx, session.id, item.item_code);
    const book = snapshot?.book_qty ?? 0;
    const variance = computeVariance(record, book);
    const values = varianceValue(variance, {
      cost: snapshot?.cost ?? item.cost,
      price: snapshot?.price ?? item.price,
    });
    const addedKey = `${session.id}|${ctx.actor.id}|${item.item_code}`;
    // Read once per request (a batch of 500 lines of one item re-counted them all per line, and
    // lines flushed earlier in the batch would count twice); this request's own lines are `added`.
    if (!ctx.batch.counted.has(addedKey)) {
      ctx.batch.counted.set(
        addedKey,
        await store.lines.countByUserAndItem(session.id, ctx.actor.id, item.item_code),
      );
    }
    const previous = ctx.batch.counted.get(addedKey)! + (ctx.batch.added.get(addedKey) ?? 0);
    // This line counts from now on in the request; a correction replaces one that counted.
    ctx.batch.added.set(
      addedKey,
      (ctx.batch.added.get(addedKey) ?? 0) + (record.supersedes ? 0 : 1),
    );
    const reasons = reviewReasons(
      {
        variance,
        bookQty: book,
        valueAtCost: values.at_cost,
        varianceReason: record.variance_reason ?? null,
        previousCountsBySameUser: previous - (record.supersedes ? 1 : 0),
      },
      review,
    );
    if (acceptedConflict) reasons.push('ACCEPTED_CONFLICT');
    return {
      id: randomUUID(),
      op_id: record.op_id,
      session_id: session.id,
      rack: record.rack,
      item_code: item.item_code,
      barcode: record.barcode ?? null,
      counted_qty: record.counted_qty,
      damaged_qty: record.damaged_qty,
      non_returnable_damaged_qty: record.non_returnable_damaged_qty,
      serials: record.serials.map(normalizeSerial),
      batch_no: record.batch_no ?? null,
      mfg_date: record.mfg_date ?? null,
      expiry_date: record.expiry_date ?? null,
      condition: record.condition,
      variance_reason: record.variance_reason ?? null,
      variance_confirmed: record.variance_confirmed,
      remark: record.remark ?? null,
      photo_ids: record.photo_ids,
      supersedes: record.supersedes ?? null,
      superseded_by: null,
      book_qty: book,
      variance,
      value_at_cost: values.at_cost,
      value_at_price: values.at_price,
      status: reasons.length > 0 ? 'NEEDS_REVIEW' : 'PENDING',
      review_reasons: reasons,
      reviewed_by: null,
      reviewed_at: null,
      review_note: null,
      counted_by: ctx.actor.id,
      counted_by_name: ctx.actor.username,
      device_id: ctx.deviceId,
      claim_id: claimId,
      fencing_token: claimId ? record.fencing_token : null,
      counted_at: new Date(record.counted_at).toISOString(),
      received_at: clock().toISOString(),
    };
  }

  /** What the store's answer to an insert means for the phone. */
  async function lineOutcome(
    p: Omit<PreparedLine, 'line'>,
    outcome: InsertLineOutcome,
  ): Promise<RecordResult | { line: CountLineRecord }> {
    const { ctx, record, session, item } = p;
    if (outcome.ok) return { line: outcome.line };
    switch (outcome.reason) {
      case 'DUPLICATE_OP':
        return { line: outcome.existing };
      case 'STALE_TOKEN':
        return conflict(
          ctx,
          record,
          session.id,
          record.rack,
          'LOCK_LOST',
          `Rack ${record.rack} was claimed by someone else`,
        );
      case 'DUPLICATE_SERIAL': {
        // Another counter's op_id is never shown: it is what a correction would need (issue #12).
        const other = await store.lines.getByOpId(outcome.other_op_id);
        const where =
          other?.counted_by === ctx.actor.id
            ? `also on your line ${outcome.other_op_id}`
            : 'also on another counter’s line in this session';
        return conflict(
          ctx,
          record,
          session.id,
          record.rack,
          'DUPLICATE_SERIAL',
          `Serial ${outcome.serial} of ${item.item_code} is already counted in this session`,
          [
            {
              path: at(ctx.prefix, 'serials'),
              message: `${outcome.serial} ${where}`,
            },
          ],
        );
      }
      case 'SUPERSEDES_UNKNOWN':
        return error(
          ctx,
          record.op_id,
          'SUPERSEDES_UNKNOWN',
          'supersedes names no line of yours in this session, rack and item',
          [{ path: at(ctx.prefix, 'supersedes'), message: 'unknown line' }],
        );
    }
  }

  /**
   * Only the author changes a count (issue #12): a correction may supersede a line of the same
   * user, or one a supervisor sent back for recount. Answered like a line that does not exist, so
   * the answer tells nothing about other users' lines.
   */
  async function supersedeRefusal(ctx: Context, record: CountRecord): Promise<RecordResult | null> {
    if (!record.supersedes) return null;
    const target = await store.lines.getByOpId(record.supersedes);
    if (!target || target.counted_by === ctx.actor.id || target.status === 'RECOUNT') return null;
    return error(
      ctx,
      record.op_id,
      'SUPERSEDES_UNKNOWN',
      'supersedes names no line of yours in this session, rack and item',
      [{ path: at(ctx.prefix, 'supersedes'), message: 'unknown line' }],
    );
  }

  /**
   * `photo_ids` must name photos this user uploaded (issue #12): the phone uploads them before the
   * record, so anything else is a mistake or someone else's evidence. An ERROR naming the field.
   */
  async function photoRefusal(
    ctx: Context,
    record: { op_id: string; photo_ids: string[] },
  ): Promise<RecordResult | null> {
    for (const [i, id] of record.photo_ids.entries()) {
      const meta = await store.photos.getMeta(id);
      if (meta?.uploaded_by === ctx.actor.id) continue;
      return error(
        ctx,
        record.op_id,
        'PHOTO_NOT_FOUND',
        `No photo ${id} of yours; upload it first`,
        [{ path: at(ctx.prefix, `photo_ids.${i}`), message: 'no photo of yours with this id' }],
      );
    }
    return null;
  }

  /** Every check of a count record that does not need the store's write lock. */
  async function prepareCount(
    ctx: Context,
    record: CountRecord,
  ): Promise<RecordResult | PreparedLine> {
    const session = await openSessionOf(ctx, record);
    if (!('racks' in session)) return session;
    if (!session.racks.includes(record.rack)) {
      return error(
        ctx,
        record.op_id,
        'VALIDATION_FAILED',
        `Rack ${record.rack} is not in this session`,
        [{ path: at(ctx.prefix, 'rack'), message: 'not in the session' }],
      );
    }
    const item = await itemOf(ctx, record.item_code);
    if (!item) {
      return error(ctx, record.op_id, 'ITEM_NOT_FOUND', `No item ${record.item_code}`, [
        { path: at(ctx.prefix, 'item_code'), message: 'not in the item master' },
      ]);
    }
    const problems = [
      ...validateQuantities(record, { decimalQty: item.decimal_qty }, ctx.prefix),
      ...validateSerials(
        record.serials,
        { serialized: item.serialized, countedQty: record.counted_qty },
        ctx.prefix,
      ),
    ];
    if (problems.length > 0) {
      const onlySerialCount = problems.every((p) => p.code === 'SERIAL_COUNT_MISMATCH');
      return error(
        ctx,
        record.op_id,
        onlySerialCount ? 'SERIAL_COUNT_MISMATCH' : 'VALIDATION_FAILED',
        problems[0]!.message,
        problems,
      );
    }
    const notYours = await supersedeRefusal(ctx, record);
    if (notYours) return notYours;
    const badPhoto = await photoRefusal(ctx, record);
    if (badPhoto) return badPhoto;
    const fence = await fenceOf(ctx, session.id, record.rack, record.fencing_token);
    if (!fence.ok) return conflict(ctx, record, session.id, record.rack, fence.code, fence.message);
    const snapshot = await snapshotOf(ctx, session.id, item.item_code);
    const strict = strictVarianceCheck(
      session.mode,
      computeVariance(record, snapshot?.book_qty ?? 0),
      record,
    );
    // A counter who may not see book quantities (a blind count is open in the warehouse) would
    // learn from a strict refusal that the count is off: the line is kept and flagged instead.
    const blindToCounter =
      strict !== null && !(await access.showsBook(ctx.actor, session.warehouse));
    if (strict && !blindToCounter) {
      return conflict(
        ctx,
        record,
        session.id,
        record.rack,
        strict,
        strict === 'VARIANCE_UNCONFIRMED'
          ? 'Confirm the variance before saving (strict session)'
          : 'Give a reason for the variance (strict session)',
        [
          {
            path: at(
              ctx.prefix,
              strict === 'VARIANCE_UNCONFIRMED' ? 'variance_confirmed' : 'variance_reason',
            ),
            message: 'required for a non-zero variance in a strict session',
          },
        ],
      );
    }
    const line = await buildLine(ctx, record, session, item, fence.claim.id, false);
    if (strict && blindToCounter) {
      line.review_reasons.push(strict);
      line.status = 'NEEDS_REVIEW';
    }
    return { ctx, record, session, item, line };
  }

  /** The answer for a prepared line once the store has ruled on it. */
  async function completeCount(p: PreparedLine, outcome: InsertLineOutcome): Promise<RecordResult> {
    const { ctx, record, session } = p;
    if (!outcome.ok && outcome.reason !== 'DUPLICATE_OP') {
      const key = `${session.id}|${ctx.actor.id}|${p.item.item_code}`;
      ctx.batch.added.set(key, (ctx.batch.added.get(key) ?? 0) - (record.supersedes ? 0 : 1));
    }
    const made = await lineOutcome(p, outcome);
    if (!('line' in made)) return visible(made, session, ctx.actor);
    const line = made.line;
    if (outcome.ok) {
      events.publish({
        type: 'scan',
        action: 'line',
        session_id: session.id,
        rack: line.rack,
        user_id: ctx.actor.id,
        username: ctx.actor.username,
        data: {
          item_code: line.item_code,
          // Names beside codes on the watchtower (issue #14).
          item_name: p.item.name,
          counted_qty: line.counted_qty,
          status: line.status,
          line_id: line.id,
        },
      });
    }
    const result = await remember(ctx, {
      op_id: record.op_id,
      status: 'OK',
      code: null,
      message: line.status === 'NEEDS_REVIEW' ? REVIEW_MESSAGE : SAVED_MESSAGE,
      details: [],
      line_id: line.id,
      variance: line.variance,
    });
    return visible(result, session, ctx.actor);
  }

  /** Parses a record and answers it at once if its op_id was already answered. */
  async function admit(ctx: Context, raw: unknown): Promise<RecordResult | SyncRecord> {
    const opId =
      typeof (raw as { op_id?: unknown })?.op_id === 'string'
        ? (raw as { op_id: string }).op_id
        : '';
    const parsed = syncRecordSchema.safeParse(raw);
    if (!parsed.success) {
      return error(
        ctx,
        opId,
        'VALIDATION_FAILED',
        'The record is not valid',
        issuesToDetails(parsed.error.issues, ctx.prefix),
      );
    }
    const record = parsed.data;
    const previous = await store.results.get(record.op_id);
    if (!previous) return record;
    if (previous.user_id !== ctx.actor.id) {
      return error(
        ctx,
        record.op_id,
        'VALIDATION_FAILED',
        'This op_id was already used by another user',
        [{ path: at(ctx.prefix, 'op_id'), message: 'already used' }],
      );
    }
    const session = 'session_id' in record ? await sessionOf(ctx, record.session_id) : null;
    return visible(previous.result, session, ctx.actor);
  }

  async function processCount(ctx: Context, record: CountRecord): Promise<RecordResult> {
    const prepared = await prepareCount(ctx, record);
    if (isResult(prepared)) return prepared;
    const [outcome] = await store.lines.insertMany([prepared.line]);
    return completeCount(prepared, outcome!);
  }

  async function processRecord(ctx: Context, raw: unknown): Promise<RecordResult> {
    const admitted = await admit(ctx, raw);
    if (!('type' in admitted)) return admitted;
    return admitted.type === 'count' ? processCount(ctx, admitted) : processOther(ctx, admitted);
  }

  /** Unknown items, rack completion and master-data corrections. */
  async function processOther(
    ctx: Context,
    record: Exclude<SyncRecord, CountRecord>,
  ): Promise<RecordResult> {
    switch (record.type) {
      case 'unknown_item': {
        const session = await openSessionOf(ctx, record);
        if (!('racks' in session)) return session;
        // The same rack, quantity and claim rules as a count line (issue #12 #7).
        if (!session.racks.includes(record.rack)) {
          return error(
            ctx,
            record.op_id,
            'VALIDATION_FAILED',
            `Rack ${record.rack} is not in this session`,
            [{ path: at(ctx.prefix, 'rack'), message: 'not in the session' }],
          );
        }
        const qtyProblems = validateQuantities(
          { counted_qty: record.counted_qty, damaged_qty: 0, non_returnable_damaged_qty: 0 },
          { decimalQty: true },
          ctx.prefix,
        );
        if (qtyProblems.length > 0) {
          return error(
            ctx,
            record.op_id,
            'VALIDATION_FAILED',
            qtyProblems[0]!.message,
            qtyProblems,
          );
        }
        const latest = await store.claims.latest(session.id, record.rack);
        if (!latest || latest.user_id !== ctx.actor.id || latest.status === 'lost') {
          const claims = await store.claims.listBySession(session.id);
          if (claims.some((c) => c.rack === record.rack && c.user_id === ctx.actor.id)) {
            return conflict(
              ctx,
              record,
              session.id,
              record.rack,
              'LOCK_LOST',
              `Your claim on rack ${record.rack} was released or taken over`,
            );
          }
          return error(
            ctx,
            record.op_id,
            'RACK_NOT_CLAIMED',
            `Claim rack ${record.rack} before reporting what is on it`,
            [{ path: at(ctx.prefix, 'rack'), message: 'not claimed by you' }],
          );
        }
        const budget = await budgetUsed(ctx, 'unknown', session.id);
        if (budget.used >= UNKNOWN_ITEM_BUDGET) return overBudget(ctx, record.op_id, 'unknown');
        const unknownId = randomUUID();
        const badPhoto = await photoRefusal(ctx, record);
        if (badPhoto) return badPhoto;
        const stored = await store.unknownItems.insertIfAbsent({
          id: unknownId,
          op_id: record.op_id,
          session_id: session.id,
          rack: record.rack,
          barcode: record.barcode,
          description: record.description,
          counted_qty: record.counted_qty,
          photo_ids: record.photo_ids,
          remark: record.remark ?? null,
          counted_by: ctx.actor.id,
          counted_by_name: ctx.actor.username,
          counted_at: new Date(record.counted_at).toISOString(),
          received_at: clock().toISOString(),
          status: 'OPEN',
          mapped_item_code: null,
          resolved_by: null,
          resolved_at: null,
        });
        if (stored.id === unknownId) ctx.batch.budgets.set(budget.key, budget.used + 1);
        events.publish({
          type: 'unknown_item',
          action: 'reported',
          session_id: session.id,
          rack: record.rack,
          user_id: ctx.actor.id,
          username: ctx.actor.username,
          data: { barcode: record.barcode, id: stored.id },
        });
        return remember(ctx, {
          op_id: record.op_id,
          status: 'OK',
          code: null,
          message: 'Unknown item recorded',
          details: [],
          line_id: stored.id,
        });
      }
      case 'rack_complete': {
        const session = await openSessionOf(ctx, record);
        if (!('racks' in session)) return session;
        const fence = await checkFence(
          store,
          ctx.actor.id,
          session.id,
          record.rack,
          record.fencing_token,
        );
        if (!fence.ok)
          return conflict(ctx, record, session.id, record.rack, fence.code, fence.message);
        if (fence.claim.status !== 'completed') {
          await store.claims.update(fence.claim.id, {
            status: 'completed',
            completed_at: clock().toISOString(),
          });
          await coordination.forceReleaseLock(`rack:${session.id}:${record.rack}`);
          await audit.record(
            ctx.actor,
            ctx.meta,
            'claim.complete',
            { type: 'claim', id: fence.claim.id },
            { rack: record.rack, via: 'sync' },
          );
          events.publish({
            type: 'claim',
            action: 'completed',
            session_id: session.id,
            rack: record.rack,
            user_id: ctx.actor.id,
            username: ctx.actor.username,
          });
        }
        return remember(ctx, {
          op_id: record.op_id,
          status: 'OK',
          code: null,
          message: 'Rack completed',
          details: [],
          line_id: null,
        });
      }
      case 'correction':
        // The ERP stays read-only: a proposed correction is kept in the audit trail for the ERP team.
        await audit.record(
          ctx.actor,
          ctx.meta,
          'item.correction_proposed',
          { type: 'item', id: record.item_code },
          {
            op_id: record.op_id,
            field: record.field,
            proposed_value: record.proposed_value,
            reason: record.reason,
          },
        );
        return remember(ctx, {
          op_id: record.op_id,
          status: 'OK',
          code: null,
          message: 'Correction proposed',
          details: [],
          line_id: null,
        });
    }
  }

  return {
    /** One count record online (`POST /sessions/:id/count-lines`). */
    async countOnline(
      actor: Actor,
      meta: RequestMeta,
      sessionId: string,
      body: unknown,
      deviceId: string | null,
    ): Promise<RecordResult> {
      const record = (body ?? {}) as Record<string, unknown>;
      if (record['type'] === undefined) record['type'] = 'count';
      if (record['session_id'] !== undefined && record['session_id'] !== sessionId) {
        return error(
          { actor, meta, deviceId, prefix: '', batch: newBatch(false) },
          String(record['op_id'] ?? ''),
          'VALIDATION_FAILED',
          'session_id differs from the URL',
          [{ path: 'session_id', message: 'must match the session in the URL' }],
        );
      }
      record['session_id'] = sessionId;
      if (record['type'] !== 'count') {
        return error(
          { actor, meta, deviceId, prefix: '', batch: newBatch(false) },
          String(record['op_id'] ?? ''),
          'VALIDATION_FAILED',
          'Only count records are taken here',
          [{ path: 'type', message: 'must be "count"' }],
        );
      }
      return counted(
        await processRecord({ actor, meta, deviceId, prefix: '', batch: newBatch(false) }, record),
      );
    },

    /**
     * A sync batch with Idempotency-Key semantics: a finished key with the same body returns the
     * stored results; with another body 422; while in flight 409. Records run in order.
     */
    async syncBatch(
      actor: Actor,
      meta: RequestMeta,
      key: string,
      body: { device_id: string; records: Array<{ op_id: string } & Record<string, unknown>> },
    ): Promise<{ results: RecordResult[]; replayed: boolean }> {
      const hash = batchHash(body);
      const finished = await store.idempotency.get(key, actor.id);
      if (finished) {
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
          const session =
            typeof sessionId === 'string' ? await store.sessions.get(sessionId) : null;
          results.push(await visible(result, session, actor));
        }
        return { results, replayed: true };
      }
      const marker = `idem:${actor.id}:${key}`;
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
      let renewing: Promise<unknown> = Promise.resolve();
      const lease = setInterval(() => {
        renewing = unlessUnavailable(
          coordination.cacheSet(marker, hash, IN_FLIGHT_TTL_MS),
          undefined,
        ).catch(() => undefined);
      }, IN_FLIGHT_RENEW_MS);
      lease.unref();
      try {
        // Each op_id answered once per batch; originals before their corrections (batch-order.ts).
        // Count lines that passed their checks are written together (one store transaction per
        // FLUSH_LINES lines or FLUSH_SERIALS serials), flushed before any other kind of record so
        // the order of effects stays the order sent.
        const batch = newBatch(true);
        const answers = new Map<number, RecordResult>();
        const byOpId = new Map<string, RecordResult>();
        const settle = (i: number, result: RecordResult) => {
          answers.set(i, counted(result));
          const opId = body.records[i]!.op_id;
          if (typeof opId === 'string') byOpId.set(opId, answers.get(i)!);
        };
        let slice = performance.now();
        const pending: Array<{ index: number; prepared: PreparedLine }> = [];
        let pendingSerials = 0;
        const flush = async () => {
          if (pending.length === 0) return;
          const outcomes = await store.lines.insertMany(pending.map((p) => p.prepared.line));
          for (const [k, { index, prepared }] of pending.entries()) {
            settle(index, await completeCount(prepared, outcomes[k]!));
          }
          pending.length = 0;
          pendingSerials = 0;
          // The write was one synchronous transaction: let other requests in before the next.
          await nextTurn();
          slice = performance.now();
        };
        for (const i of batchOrder(body.records)) {
          // The store answers synchronously (SQLite), so without this a 500-record batch would
          // hold the event loop from its first record to its last (issue #12 #4).
          if (performance.now() - slice > SLICE_MS) {
            await nextTurn();
            slice = performance.now();
          }
          const ctx: Context = {
            actor,
            meta,
            deviceId: body.device_id,
            prefix: `records.${i}`,
            batch,
          };
          const admitted = await admit(ctx, body.records[i]);
          if (!('type' in admitted)) {
            settle(i, admitted);
          } else if (admitted.type === 'count') {
            const prepared = await prepareCount(ctx, admitted);
            if (isResult(prepared)) settle(i, prepared);
            else {
              // Written in chunks, so no single store transaction holds the event loop long.
              if (
                pending.length >= FLUSH_LINES ||
                pendingSerials + prepared.line.serials.length > FLUSH_SERIALS
              )
                await flush();
              pending.push({ index: i, prepared });
              pendingSerials += prepared.line.serials.length;
            }
          } else {
            await flush();
            settle(i, await processOther(ctx, admitted));
          }
        }
        await flush();
        // The per-op answers in one write; should another request have answered an op_id first,
        // its stored answer is the one that stands.
        const stored = new Map<string, RecordResult>();
        // In chunks with a turn of the event loop between them (issue #12 #4).
        for (let k = 0; k < batch.deferred!.length; k += FLUSH_RESULTS) {
          const chunk = batch.deferred!.slice(k, k + FLUSH_RESULTS);
          for (const r of await store.results.putManyIfAbsent(chunk)) stored.set(r.op_id, r.result);
          await nextTurn();
        }
        const results = body.records.map((raw, i) => {
          const mine = answers.get(i) ?? byOpId.get(String(raw.op_id))!;
          const winner = stored.get(mine.op_id);
          if (!winner || winner === mine || winner.line_id === mine.line_id) return mine;
          return 'variance' in mine ? winner : (({ variance: _v, ...rest }) => rest)(winner);
        });
        const finishedBatch = await store.idempotency.putIfAbsent({
          key,
          user_id: actor.id,
          request_hash: hash,
          results,
          created_at: clock().toISOString(),
        });
        return { results: finishedBatch.results, replayed: false };
      } finally {
        clearInterval(lease);
        // A renewal still on its way would put the marker back after the delete.
        await renewing;
        await unlessUnavailable(coordination.cacheDelete(marker), undefined);
      }
    },

    /** Supervisor: accepts a conflict as a line (unfenced, flagged for review) or discards it. */
    async resolveConflict(
      actor: Actor,
      meta: RequestMeta,
      id: string,
      action: 'accept' | 'discard',
      note: string | undefined,
    ) {
      const found = await store.conflicts.get(id);
      if (!found) throw new AppError(404, 'NOT_FOUND', `No conflict ${id}`);
      // A supervisor with a warehouse resolves only that warehouse's conflicts (issue #12).
      const of = found.session_id ? await store.sessions.get(found.session_id) : null;
      if (of) await access.assertWarehouse(actor, of.warehouse, 'params.id');
      if (found.status !== 'OPEN')
        throw new AppError(409, 'INVALID_TRANSITION', `The conflict is already ${found.status}`);
      let lineId: string | null = null;
      if (action === 'accept') {
        const parsed = syncRecordSchema.safeParse(found.record);
        if (!parsed.success || parsed.data.type !== 'count') {
          throw new AppError(
            409,
            'INVALID_TRANSITION',
            'Only count records can be accepted as lines; discard this one',
          );
        }
        const session = await store.sessions.get(parsed.data.session_id);
        if (!session || session.status === 'RECONCILED')
          throw new AppError(409, 'SESSION_CLOSED', 'The session is reconciled');
        const owner = await store.users.get(found.user_id);
        const ctx: Context = {
          actor: owner ? { id: owner.id, username: owner.username, role: owner.role } : actor,
          meta,
          deviceId: found.device_id,
          prefix: '',
          batch: newBatch(false),
        };
        const item = await store.items.get(parsed.data.item_code);
        if (!item)
          throw new AppError(409, 'CONFLICT', `Cannot accept: no item ${parsed.data.item_code}`);
        // Accepting does not let a conflict erase another counter's line (issue #12).
        const notYours = await supersedeRefusal(ctx, parsed.data);
        if (notYours)
          throw new AppError(
            409,
            'CONFLICT',
            `Cannot accept: ${notYours.message}`,
            notYours.details,
          );
        const line = await buildLine(ctx, parsed.data, session, item, null, true);
        const [outcome] = await store.lines.insertMany([line]);
        const made = await lineOutcome({ ctx, record: parsed.data, session, item }, outcome!);
        if (!('line' in made))
          throw new AppError(409, 'CONFLICT', `Cannot accept: ${made.message}`, made.details);
        lineId = made.line.id;
      }
      const resolved = await store.conflicts.resolve(id, {
        status: action === 'accept' ? 'ACCEPTED' : 'DISCARDED',
        resolved_by: actor.id,
        resolved_at: clock().toISOString(),
        note: note ?? null,
        line_id: lineId,
      });
      if (!resolved)
        throw new AppError(409, 'INVALID_TRANSITION', 'The conflict was resolved meanwhile');
      await audit.record(
        actor,
        meta,
        `conflict.${action}`,
        { type: 'conflict', id },
        { op_id: found.op_id, code: found.code, line_id: lineId },
      );
      return resolved;
    },
  };
}
