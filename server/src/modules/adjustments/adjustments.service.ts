import {
  WritebackTableOutdated,
  type AdjustmentWriter,
  type WritebackResult,
} from '../../ports/erp-writeback';
import type { Store } from '../../ports/store';
import { AppError, notFound } from '../../lib/errors';
import type { Actor, AuditLog, RequestMeta } from '../audit/audit-log';
import type { CountSession } from '@stockverify/shared';
import { movedFigures } from '../movements/moved-decisions.service';
import {
  buildAdjustmentPackage,
  type AdjustmentPackage,
  type AtCountRow,
  type MovedRow,
} from './adjustment-package';
import { atCountFigures, expectedOf, movedItemCodes } from './moved-items';

export type AdjustmentsService = ReturnType<typeof createAdjustmentsService>;

const PAGE = 500;

/** Builds adjustment packages of reconciled sessions and, when enabled, writes them to the ERP. */
export function createAdjustmentsService(deps: {
  store: Store;
  audit: AuditLog;
  clock: () => Date;
  writer: AdjustmentWriter | null;
}) {
  const { store, audit, clock, writer } = deps;

  async function reconciledBy(sessionId: string): Promise<string> {
    const entries = await store.audit.list({
      page: 1,
      page_size: 1,
      action: 'session.reconcile',
      target_type: 'session',
      target_id: sessionId,
    });
    return entries.items[0]?.actor_username ?? 'unknown';
  }

  /**
   * Moved items (design §13 "The wiring": the adjustment package), computed now: each decided
   * item's figures against today's book or why they cannot apply, and every item that moved after
   * the snapshot with its expected at count (and, exact, its default posting). The session's
   * warehouse boundary is the /sessions routes' (sessionAccess).
   */
  async function movedOf(
    session: CountSession,
    items: ReadonlySet<string>,
  ): Promise<{ moved: Map<string, MovedRow>; atCount: Map<string, AtCountRow> }> {
    const moved = new Map<string, MovedRow>();
    const atCount = new Map<string, AtCountRow>();
    const decisions = await store.movedDecisions.list(session.id);
    const codes = new Set([...(await movedItemCodes(store, session))].filter((c) => items.has(c)));
    for (const d of decisions) codes.add(d.item_code);
    const answers = await expectedOf(store, session, [...codes].sort());
    for (const [code, answer] of answers) {
      if (!answer) continue;
      const e = answer.expected;
      atCount.set(code, {
        status: !answer.known || !e ? 'unknown' : e.status,
        variance_at_count_milli: e?.variance_at_count_milli ?? null,
        figures: atCountFigures(answer),
      });
    }
    for (const d of decisions) {
      const answer = answers.get(d.item_code);
      if (!answer) {
        moved.set(d.item_code, { mode: d.mode, refused: 'MOVED_DECISION_UNKNOWN' });
        continue;
      }
      const result = movedFigures(answer, d.mode);
      moved.set(
        d.item_code,
        result.ok ? { mode: d.mode, ...result.figures } : { mode: d.mode, refused: result.code },
      );
    }
    return { moved, atCount };
  }

  async function packageOf(sessionId: string): Promise<AdjustmentPackage> {
    const session = await store.sessions.get(sessionId);
    if (!session) throw notFound('NOT_FOUND', `No session ${sessionId}`);
    if (session.status !== 'RECONCILED') {
      throw new AppError(
        409,
        'INVALID_TRANSITION',
        `Adjustments exist only for a reconciled session; this one is ${session.status}`,
        undefined,
        { status: session.status, reason: 'SESSION_NOT_RECONCILED' },
      );
    }
    const [variances, snapshot, by] = await Promise.all([
      store.lines.variances(sessionId),
      store.sessions.snapshotRows(sessionId),
      reconciledBy(sessionId),
    ]);
    const { moved, atCount } = await movedOf(session, new Set(variances.map((v) => v.item_code)));
    const lines = [];
    for (let page = 1; ; page++) {
      const batch = await store.lines.list(sessionId, { page, page_size: PAGE });
      lines.push(...batch.items);
      if (batch.items.length < PAGE) break;
    }
    const usernames = new Map<string, string>();
    for (const id of new Set(lines.map((l) => l.reviewed_by).filter((x) => x !== null))) {
      const user = await store.users.get(id);
      if (user) usernames.set(id, user.username);
    }
    // Every bin of the session with its deciding rule (issue #16 item 6), where the store keeps bins.
    const bins = store.bins ? await store.bins.all(sessionId) : undefined;
    return buildAdjustmentPackage({
      session,
      reconciledBy: by,
      variances,
      lines,
      ...(bins ? { bins } : {}),
      usernames,
      unitCosts: new Map(snapshot.map((row) => [row.item_code, row.cost])),
      unitPrices: new Map(snapshot.map((row) => [row.item_code, row.price])),
      moved,
      atCount,
      notMoved: session.erp_watermark ? 'not_moved' : 'unknown',
      generatedAt: clock().toISOString(),
    });
  }

  return {
    /** The package of a reconciled session; 409 INVALID_TRANSITION otherwise. */
    async package(actor: Actor, meta: RequestMeta, sessionId: string, format: 'json' | 'xlsx') {
      const pkg = await packageOf(sessionId);
      await audit.record(
        actor,
        meta,
        'adjustments.export',
        { type: 'session', id: sessionId },
        { format, rows: pkg.rows.length, content_hash: pkg.content_hash },
      );
      return pkg;
    },

    writebackEnabled: writer !== null,

    /** Inserts the package into the staging table (idempotent per session and content hash). */
    async writeback(
      actor: Actor,
      meta: RequestMeta,
      sessionId: string,
    ): Promise<WritebackResult & { content_hash: string; rows: number }> {
      if (!writer) {
        throw new AppError(
          409,
          'CONFLICT',
          'Writing adjustments to the ERP is off (ERP_WRITEBACK_ENABLED); download the package instead',
          undefined,
          { reason: 'WRITEBACK_DISABLED' },
        );
      }
      const pkg = await packageOf(sessionId);
      let result: WritebackResult;
      try {
        result = await writer.write(pkg, clock());
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        const outdated = err instanceof WritebackTableOutdated ? err : null;
        await audit.record(
          actor,
          meta,
          'adjustments.writeback_failed',
          { type: 'session', id: sessionId },
          {
            table: writer.table,
            content_hash: pkg.content_hash,
            error: message,
            ...(outdated ? { missing_columns: outdated.missing } : {}),
          },
        );
        // A staging table created before some columns: the admin's to alter, not a retry.
        if (outdated) {
          throw new AppError(409, 'CONFLICT', message, undefined, {
            reason: 'WRITEBACK_TABLE_OUTDATED',
            missing_columns: outdated.missing,
            alter_table: outdated.alter,
          });
        }
        throw new AppError(
          503,
          'ERP_UNAVAILABLE',
          `Writing the adjustments to ${writer.table} failed: ${message}`,
          undefined,
          undefined,
          { 'Retry-After': '60' },
        );
      }
      await audit.record(
        actor,
        meta,
        'adjustments.writeback',
        { type: 'session', id: sessionId },
        { ...result, content_hash: pkg.content_hash, rows: pkg.rows.length },
      );
      return { ...result, content_hash: pkg.content_hash, rows: pkg.rows.length };
    },
  };
}
