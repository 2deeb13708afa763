import type {
  CountRecord,
  CountSession,
  Item,
  RackCompleteRecord,
  RecordResult,
  SyncRecord,
} from '@stockverify/shared';
import { validateQuantities, validateSerials } from '@stockverify/shared';
import type { ClaimRecord } from '../../ports/counting';
import type { BatchReads } from './batch-cache';
import { checkFence } from './fencing';
import type { ConflictKeeper } from './record-conflicts';
import { at, recordError, type CountingDeps, type RecordContext } from './record-context';

export type RecordChecks = ReturnType<typeof createRecordChecks>;

/**
 * The checks one record passes before anything is written: its session, rack, quantities,
 * serials, photos and fencing token. A refusal is the record's answer: an ERROR naming the field
 * at fault (`records.3.rack`), or a CONFLICT kept for a supervisor.
 */
export function createRecordChecks(
  deps: Pick<CountingDeps, 'store' | 'access'>,
  reads: BatchReads,
  conflicts: ConflictKeeper,
) {
  const { store, access } = deps;

  /**
   * The OPEN session a record writes into, or the answer when there is none (ERROR) or it is
   * closed (CONFLICT).
   */
  async function openSessionOf(
    ctx: RecordContext,
    record: Extract<SyncRecord, { session_id: string }>,
  ): Promise<CountSession | RecordResult> {
    const session = await reads.sessionOf(ctx.batch, record.session_id);
    if (!session) {
      return recordError(record.op_id, 'NOT_FOUND', `No session ${record.session_id}`, [
        { path: at(ctx.prefix, 'session_id'), message: 'no such session' },
      ]);
    }
    // Users bound to a warehouse count only there (issue #12): an error, nothing stored.
    if (!(await access.mayUse(ctx.actor, session.warehouse))) {
      return recordError(
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
      return conflicts.keepConflict(
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

  /**
   * `photo_ids` must name photos this user uploaded (issue #12): the phone uploads them before the
   * record, so anything else is a mistake or someone else's evidence. An ERROR naming the field.
   */
  async function photoRefusal(
    ctx: RecordContext,
    record: { op_id: string; photo_ids: string[] },
  ): Promise<RecordResult | null> {
    for (const [i, id] of record.photo_ids.entries()) {
      const meta = await store.photos.getMeta(id);
      if (meta?.uploaded_by === ctx.actor.id) continue;
      return recordError(
        record.op_id,
        'PHOTO_NOT_FOUND',
        `No photo ${id} of yours; upload it first`,
        [{ path: at(ctx.prefix, `photo_ids.${i}`), message: 'no photo of yours with this id' }],
      );
    }
    return null;
  }

  /**
   * The claim the record's fencing token belongs to (design §4 fencing), or the CONFLICT kept
   * when the token lost the rack. `fresh` reads past the request's cache: a rack completed
   * earlier in the same batch must read as completed.
   */
  async function fencedClaim(
    ctx: RecordContext,
    record: CountRecord | RackCompleteRecord,
    session: CountSession,
    { fresh }: { fresh: boolean },
  ): Promise<ClaimRecord | RecordResult> {
    // A count without a token answers a recount task and never comes here (sync.ts refines it).
    const { rack, fencing_token: token = 0 } = record;
    const fence = fresh
      ? await checkFence(store, ctx.actor.id, session.id, rack, token)
      : await reads.fenceOf(ctx.batch, ctx.actor.id, session.id, rack, token);
    if (fence.ok) return fence.claim;
    return conflicts.keepConflict(ctx, record, session.id, rack, fence.code, fence.message);
  }

  return { openSessionOf, photoRefusal, fencedClaim };
}

/** The ERROR for a record whose rack is not in its session (counts and unknown items alike). */
export function rackRefusal(
  prefix: string,
  session: CountSession,
  record: { op_id: string; rack: string },
): RecordResult | null {
  if (session.racks.includes(record.rack)) return null;
  return recordError(
    record.op_id,
    'VALIDATION_FAILED',
    `Rack ${record.rack} is not in this session`,
    [{ path: at(prefix, 'rack'), message: 'not in the session' }],
  );
}

/** The ERROR for a count whose quantities or serials break the rules for its item (design §4). */
export function countRefusal(prefix: string, record: CountRecord, item: Item): RecordResult | null {
  const problems = [
    ...validateQuantities(record, { decimalQty: item.decimal_qty }, prefix),
    ...validateSerials(
      record.serials,
      { serialized: item.serialized, countedQty: record.counted_qty },
      prefix,
    ),
  ];
  if (problems.length === 0) return null;
  const onlySerialCount = problems.every((p) => p.code === 'SERIAL_COUNT_MISMATCH');
  return recordError(
    record.op_id,
    onlySerialCount ? 'SERIAL_COUNT_MISMATCH' : 'VALIDATION_FAILED',
    problems[0]!.message,
    problems,
  );
}

/** The ERROR for an unknown item's quantity: any non-negative number, decimals allowed. */
export function unknownQtyRefusal(
  prefix: string,
  record: { op_id: string; counted_qty: number },
): RecordResult | null {
  const problems = validateQuantities(
    { counted_qty: record.counted_qty, damaged_qty: 0, non_returnable_damaged_qty: 0 },
    { decimalQty: true },
    prefix,
  );
  if (problems.length === 0) return null;
  return recordError(record.op_id, 'VALIDATION_FAILED', problems[0]!.message, problems);
}
