import type { CorrectionRecord, CountRecord, RecordResult } from '@stockverify/shared';
import type { OpAnswers } from './op-answers';
import { at, recordError, type CountingDeps, type RecordContext } from './record-context';

export type Corrections = ReturnType<typeof createCorrections>;

/**
 * Two kinds of correction: a count line that supersedes an earlier one (design §4: lines are
 * never edited in place), and a proposed change to the item master, kept for the ERP team.
 */
export function createCorrections(deps: Pick<CountingDeps, 'store' | 'audit'>, answers: OpAnswers) {
  const { store, audit } = deps;

  /**
   * Only the author changes a count (issue #12): a correction may supersede a line of the same
   * user. A line a supervisor sends back for recount is recounted by another counter as a new
   * count of its bin (issue #16, docs/design.md §11), never by superseding it. Answered like a
   * line that does not exist, so the answer tells nothing about other users' lines.
   */
  async function supersedeRefusal(
    ctx: RecordContext,
    record: CountRecord,
  ): Promise<RecordResult | null> {
    if (!record.supersedes) return null;
    const target = await store.lines.getByOpId(record.supersedes);
    if (!target) return null;
    if (target.counted_by !== ctx.actor.id) return supersedesUnknown(ctx.prefix, record.op_id);
    // A supervisor decided the bin (docs/design.md §12): replacing a count the decision stands
    // on would take it out of the session's figures behind the supervisor's back. Refused, so
    // the phone keeps the count and shows it; nothing changes here. A bin is decided exactly
    // when it has a `set` decision (settleBin); asked of its decisions (an indexed read), not of
    // the bin record, which for a bin without a row is computed from every line it ever had.
    const decisions = await store.bins.decisions(target.session_id, {
      rack: target.rack,
      item_code: target.item_code,
    });
    if (decisions.some((d) => d.kind === 'set')) {
      return recordError(
        record.op_id,
        'BIN_DECIDED',
        'A supervisor decided this item in this rack: the count can no longer be corrected',
        [{ path: at(ctx.prefix, 'supersedes'), message: 'the bin is decided' }],
      );
    }
    return null;
  }

  /** The ERP stays read-only: a proposed correction is kept in the audit trail for the ERP team. */
  async function proposeCorrection(
    ctx: RecordContext,
    record: CorrectionRecord,
  ): Promise<RecordResult> {
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
    return answers.remember(ctx, {
      op_id: record.op_id,
      status: 'OK',
      code: null,
      message: 'Correction proposed',
      details: [],
      line_id: null,
    });
  }

  return { supersedeRefusal, proposeCorrection };
}

/** The ERROR for a correction whose `supersedes` names no line the sender may replace. */
export function supersedesUnknown(prefix: string, opId: string): RecordResult {
  return recordError(
    opId,
    'SUPERSEDES_UNKNOWN',
    'supersedes names no line of yours in this session, rack and item',
    [{ path: at(prefix, 'supersedes'), message: 'unknown line' }],
  );
}
