import type { CountRecord, CountSession, Item, RecordResult } from '@stockverify/shared';
import { computeVariance, strictVarianceCheck } from '@stockverify/shared';
import type { CountLineRecord, InsertLineOutcome } from '../../ports/counting';
import { uncountLine, type BatchReads } from './batch-cache';
import { supersedesUnknown, type Corrections } from './corrections';
import type { LineBuilder } from './line-builder';
import { REVIEW_MESSAGE, SAVED_MESSAGE, type OpAnswers } from './op-answers';
import { countRefusal, rackRefusal, type RecordChecks } from './record-checks';
import type { ConflictKeeper } from './record-conflicts';
import type { TaskAnswers } from './task-answers';
import { at, recordError, type CountingDeps, type RecordContext } from './record-context';

/** A count record that passed every check before the store: the line to insert. */
export interface PreparedLine {
  ctx: RecordContext;
  record: CountRecord;
  session: CountSession;
  item: Item;
  line: CountLineRecord;
}

/** Whether `prepareCount` answered the record already (a refusal) rather than preparing a line. */
export function isResult(value: RecordResult | PreparedLine): value is RecordResult {
  return 'status' in value && 'op_id' in value && !('line' in value);
}

export type LineWrite = ReturnType<typeof createLineWrite>;

/**
 * The write path of a count line (design §4–§5), in three steps so a sync batch can write many
 * lines in one store transaction: `prepareCount` (every check that needs no write lock, the
 * rack's fencing token included), the store's insert (which rules on the token, the op_id and the
 * serials), and `completeCount` (the answer, stored once per op_id).
 */
export function createLineWrite(
  deps: Pick<CountingDeps, 'store' | 'access' | 'events' | 'settlement'>,
  parts: {
    reads: BatchReads;
    answers: OpAnswers;
    conflicts: ConflictKeeper;
    checks: RecordChecks;
    corrections: Corrections;
    builder: LineBuilder;
    tasks: TaskAnswers;
  },
) {
  const { store, access, events, settlement } = deps;
  const { reads, answers, conflicts, checks, corrections, builder, tasks } = parts;

  /** Every check of a count record that does not need the store's write lock. */
  async function prepareCount(
    ctx: RecordContext,
    record: CountRecord,
  ): Promise<RecordResult | PreparedLine> {
    const session = await checks.openSessionOf(ctx, record);
    if (!('racks' in session)) return session;
    const offRack = rackRefusal(ctx.prefix, session, record);
    if (offRack) return offRack;
    const item = await reads.itemOf(ctx.batch, record.item_code);
    if (!item) {
      return recordError(record.op_id, 'ITEM_NOT_FOUND', `No item ${record.item_code}`, [
        { path: at(ctx.prefix, 'item_code'), message: 'not in the item master' },
      ]);
    }
    const badCount = countRefusal(ctx.prefix, record, item);
    if (badCount) return badCount;
    const notYours = await corrections.supersedeRefusal(ctx, record);
    if (notYours) return notYours;
    const badPhoto = await checks.photoRefusal(ctx, record);
    if (badPhoto) return badPhoto;
    // A recount task's answer needs no claim: the task is the permission (task-answers.ts).
    const taskId = record.recount_task_id;
    const task = taskId ? await tasks.taskFor(ctx, { ...record, recount_task_id: taskId }) : null;
    if (task && 'status' in task) return task;
    const claim = task ? null : await checks.fencedClaim(ctx, record, session, { fresh: false });
    if (claim && !('first_token' in claim)) return claim;
    const strict = await strictRule(ctx, record, session, item);
    // A counter who may not see book quantities (a blind count is open in the warehouse, or the
    // count is a recount, always blind) would learn from a strict refusal that the count is off:
    // the line is kept and flagged instead.
    const blindToCounter =
      strict !== null && (task !== null || !(await access.showsBook(ctx.actor, session.warehouse)));
    if (strict && !blindToCounter) return strictConflict(ctx, record, session, strict);
    const line = await builder.buildLine(ctx, record, session, item, claim?.id ?? null, false);
    if (task) {
      line.phase = task.phase;
      line.recount_task_id = task.id;
    }
    if (strict && blindToCounter) {
      line.review_reasons.push(strict);
      line.status = 'NEEDS_REVIEW';
    }
    return { ctx, record, session, item, line };
  }

  /** A strict session's rule (design §4): which of confirmation and reason a variance lacks. */
  async function strictRule(
    ctx: RecordContext,
    record: CountRecord,
    session: CountSession,
    item: Item,
  ) {
    const snapshot = await reads.snapshotOf(ctx.batch, session.id, item.item_code);
    return strictVarianceCheck(
      session.mode,
      computeVariance(record, snapshot?.book_qty ?? 0),
      record,
    );
  }

  /** The CONFLICT for a count the strict rule refuses, naming the field the counter must fill. */
  function strictConflict(
    ctx: RecordContext,
    record: CountRecord,
    session: CountSession,
    strict: NonNullable<ReturnType<typeof strictVarianceCheck>>,
  ): Promise<RecordResult> {
    return conflicts.keepConflict(
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
        return conflicts.keepConflict(
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
        return conflicts.keepConflict(
          ctx,
          record,
          session.id,
          record.rack,
          'DUPLICATE_SERIAL',
          `Serial ${outcome.serial} of ${item.item_code} is already counted in this session`,
          [{ path: at(ctx.prefix, 'serials'), message: `${outcome.serial} ${where}` }],
        );
      }
      case 'SUPERSEDES_UNKNOWN':
        return supersedesUnknown(ctx.prefix, record.op_id);
    }
  }

  /** The answer for a prepared line once the store has ruled on it. */
  async function completeCount(p: PreparedLine, outcome: InsertLineOutcome): Promise<RecordResult> {
    const { ctx, record, session } = p;
    if (!outcome.ok && outcome.reason !== 'DUPLICATE_OP') {
      uncountLine(ctx.batch, session.id, ctx.actor.id, p.item.item_code, record);
    }
    const made = await lineOutcome(p, outcome);
    if (!('line' in made)) return answers.visible(made, session, ctx.actor);
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
    // A recount is blind whatever the session's mode (design §11): its answer says only "Saved".
    const blind = line.recount_task_id !== null;
    const result = await answers.remember(ctx, {
      op_id: record.op_id,
      status: 'OK',
      code: null,
      message: line.status === 'NEEDS_REVIEW' && !blind ? REVIEW_MESSAGE : SAVED_MESSAGE,
      details: [],
      line_id: line.id,
      ...(blind ? {} : { variance: line.variance }),
    });
    return answers.visible(result, session, ctx.actor);
  }

  /** One count record written on its own (the online endpoint). */
  async function writeCount(ctx: RecordContext, record: CountRecord): Promise<RecordResult> {
    const prepared = await prepareCount(ctx, record);
    if (isResult(prepared)) return prepared;
    const [outcome] = await store.lines.insertMany([prepared.line]);
    await settleWritten([outcome!]);
    return completeCount(prepared, outcome!);
  }

  /**
   * Settles the bins of lines just stored (docs/design.md §12); lines already stored by an earlier
   * try of the same op are settled again, in case that try failed before settling.
   */
  async function settleWritten(outcomes: readonly InsertLineOutcome[]): Promise<void> {
    if (!settlement) return;
    const lines = outcomes.flatMap((o) =>
      o.ok ? [o.line] : o.reason === 'DUPLICATE_OP' ? [o.existing] : [],
    );
    await settlement.afterLines(lines);
  }

  return { prepareCount, lineOutcome, completeCount, writeCount, settleWritten };
}
