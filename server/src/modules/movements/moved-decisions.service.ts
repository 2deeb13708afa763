/**
 * Decisions for moved items (issue #17 item 3, docs/design.md §13 "Decisions for moved items"):
 * for an item that moved after it was counted, the supervisor keeps the counted quantity or keeps
 * the difference, per item or up to 1,000 at once. A decision is checked against the item's
 * expected at count (ExpectedService) and the live book (snapshot book + every stored movement
 * after the session's watermark); the whole request is refused at the first item that cannot take
 * its mode, so nothing is half stored. Stored per session and item (the latest stands), each item
 * audited (`moved_decision.set`). The adjustment package applies them (adjustments.service).
 */
import {
  compareWatermarks,
  type ErrorCode,
  movedLineAdjustment,
  type ItemExpectedAnswer,
  type MovedDecision,
  type MovedDecisionsAnswer,
  type MovedLineChoice,
} from '@stockverify/shared';
import { AppError } from '../../lib/errors';
import type { Actor, RequestMeta } from '../../lib/request-context';
import type { Store } from '../../ports/store';
import type { AuditLog } from '../audit/audit-log';
import type { ExpectedService } from './expected.service';

/** What a mode means for one item against today's book, or why it cannot be taken. */
export type MovedFigures =
  | {
      ok: true;
      figures: Omit<MovedDecision, 'item_code' | 'mode' | 'reason' | 'decided_by' | 'decided_at'>;
    }
  | { ok: false; code: ErrorCode; message: string };

/**
 * The figures of `mode` for an item: refused when expected at count is unknown
 * (MOVED_DECISION_UNKNOWN), when nothing moved after the count (MOVED_DECISION_NOT_MOVED: no
 * movement after it nor one that cannot be ordered against it) and, for keep_difference, when the
 * item is ambiguous (MOVED_DECISION_AMBIGUOUS: no difference at count to keep). A movement in the
 * snapshot's window (maybe in the book already) refuses both: today's book is uncertain.
 */
export function movedFigures(answer: ItemExpectedAnswer, mode: MovedLineChoice): MovedFigures {
  const code = answer.item_code;
  const e = answer.expected;
  if (!answer.known || e === null) {
    return {
      ok: false,
      code: 'MOVED_DECISION_UNKNOWN',
      message: `${code}: expected at count is unknown (${answer.unknown_reason ?? 'unknown'})`,
    };
  }
  if (e.after_count.length === 0 && e.ambiguous.length === 0) {
    return {
      ok: false,
      code: 'MOVED_DECISION_NOT_MOVED',
      message: `${code} did not move after it was counted: its variance at count stands as it is`,
    };
  }
  // A movement read while the snapshot was taken may be in its book already: then today's book
  // itself is uncertain, and neither target can be posted against it.
  const inWindow = e.ambiguous.filter((x) => x.reason === 'in_snapshot_window');
  if (inWindow.length > 0) {
    return {
      ok: false,
      code: 'MOVED_DECISION_AMBIGUOUS',
      message: `${code}: today's book is uncertain — movement ${inWindow.map((x) => x.watermark).join(', ')} may already be in the snapshot's book`,
    };
  }
  if (mode === 'keep_difference' && e.variance_at_count_milli === null) {
    return {
      ok: false,
      code: 'MOVED_DECISION_AMBIGUOUS',
      message: `${code} is ambiguous (a movement cannot be ordered against its count): no difference at count to keep; keep the count, or settle the ambiguity`,
    };
  }
  const all = [...e.applied, ...e.after_count, ...e.ambiguous];
  const live = answer.book_milli + all.reduce((n, m) => n + m.quantity_milli, 0);
  const last =
    all
      .map((m) => m.watermark)
      .sort(compareWatermarks)
      .at(-1) ?? null;
  const adj = movedLineAdjustment(
    mode,
    { counted_milli: answer.counted_milli, variance_at_count_milli: e.variance_at_count_milli },
    live,
  );
  return {
    ok: true,
    figures: {
      counted_milli: answer.counted_milli,
      variance_at_count_milli: e.variance_at_count_milli,
      live_book_milli: live,
      live_book_watermark: last,
      target_milli: adj.target_milli,
      delta_milli: adj.delta_milli,
    },
  };
}

export interface MovedDecisionsService {
  decide(
    actor: Actor,
    meta: RequestMeta,
    sessionId: string,
    items: ReadonlyArray<{ item_code: string; mode: MovedLineChoice }>,
    reason: string | null,
    /** Where the item codes came from, for the error's field: `params.code` or `items`. */
    field: 'params.code' | 'items',
  ): Promise<MovedDecisionsAnswer>;
}

export function createMovedDecisionsService(deps: {
  store: Store;
  expected: ExpectedService;
  audit: AuditLog;
  clock: () => Date;
}): MovedDecisionsService {
  const { store, expected, audit, clock } = deps;
  return {
    async decide(actor, meta, sessionId, items, reason, field) {
      const session = await store.sessions.get(sessionId);
      if (!session) throw new AppError(404, 'NOT_FOUND', 'Session not found');
      // The warehouse boundary is the expected service's (every item below); checked once first.
      if (session.status === 'RECONCILED') {
        throw new AppError(409, 'SESSION_CLOSED', 'The session is reconciled');
      }
      const decidedAt = clock().toISOString();
      const decisions: MovedDecision[] = [];
      for (const [i, item] of items.entries()) {
        const path = field === 'items' ? `items.${i}.item_code` : 'params.code';
        let answer: ItemExpectedAnswer;
        try {
          answer = await expected.forItem(actor, sessionId, item.item_code);
        } catch (err) {
          if (err instanceof AppError && err.status === 404 && field === 'items') {
            throw new AppError(404, 'NOT_FOUND', `Item ${item.item_code} is not in this session`, [
              { path, message: 'not in the snapshot, not counted, not in the item master' },
            ]);
          }
          throw err;
        }
        const result = movedFigures(answer, item.mode);
        if (!result.ok) {
          throw new AppError(
            409,
            result.code,
            result.message,
            [{ path, message: result.message }],
            {
              item_code: answer.item_code,
              mode: item.mode,
            },
          );
        }
        decisions.push({
          item_code: answer.item_code,
          mode: item.mode,
          reason,
          decided_by: actor.username,
          decided_at: decidedAt,
          ...result.figures,
        });
      }
      await store.movedDecisions.put(
        decisions.map((d) => ({
          session_id: sessionId,
          item_code: d.item_code,
          mode: d.mode,
          reason: d.reason,
          decided_by: d.decided_by,
          decided_at: d.decided_at,
        })),
      );
      for (const d of decisions) {
        await audit.record(
          actor,
          meta,
          'moved_decision.set',
          { type: 'session', id: sessionId },
          {
            item_code: d.item_code,
            mode: d.mode,
            reason: d.reason,
            live_book_milli: d.live_book_milli,
            target_milli: d.target_milli,
            delta_milli: d.delta_milli,
          },
        );
      }
      return { session_id: sessionId, decisions };
    },
  };
}
