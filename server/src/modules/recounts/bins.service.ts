/**
 * Bins for supervisors (issue #16 items 3–4, docs/design.md §11–§12): the list of bins by state,
 * one bin's history side by side (every count, decision and task, the rule and the settlement),
 * and a supervisor's decisions — `set` a quantity (taking one count's figure, or a free quantity
 * written as a line of the supervisor's, so the read model stays a sum of lines) or ask for a
 * `recount` by a different counter. The line review's approve and recount map onto these.
 */
import { randomUUID } from 'node:crypto';
import {
  computeVariance,
  settleBin,
  varianceValue,
  type BinCountView,
  type BinDecision,
  type BinDecisionRequest,
  type BinDecisionView,
  type BinDetail,
  type BinQuery,
  type BinRecord,
  type CountSession,
  type LateCountsAcknowledge,
  type OpenBin,
  type Settlement as BinSettlement,
} from '@stockverify/shared';
import { AppError, notFound, validationError } from '../../lib/errors';
import type { Actor, RequestMeta } from '../../lib/request-context';
import type { BinKey } from '../../ports/bins';
import type { CountLineRecord } from '../../ports/counting';
import type { Paged, Store } from '../../ports/store';
import type { AccessPolicy, Viewer } from '../access/access-policy';
import type { AuditLog } from '../audit/audit-log';
import type { EventBus } from '../events/event-bus';
import { binBook } from '../sessions/bin-book';
import type { Settlement } from './settlement';
import { createTaskViews } from './task-views';
import { lateCounts } from './late-counts';

export type BinsService = ReturnType<typeof createBinsService>;

/** How many blocking bins a refused reconcile lists (the total is given too). */
export const BLOCKING_LIST = 50;

const isUnique = <T>(items: readonly T[]) => [...new Set(items)];

/** The quantity consensus compares: counted less written-off damage (design §4). */
const qtyOf = (l: Pick<CountLineRecord, 'counted_qty' | 'non_returnable_damaged_qty'>) =>
  l.counted_qty - l.non_returnable_damaged_qty;

/** A line counts for the bin: not superseded, not rejected, not a candidate. */
const counts = (l: CountLineRecord) =>
  l.superseded_by === null && l.status !== 'REJECTED' && l.status !== 'CANDIDATE';

export function createBinsService(deps: {
  store: Store;
  audit: AuditLog;
  events: EventBus;
  clock: () => Date;
  access: AccessPolicy;
  settlement: Settlement;
}) {
  const { store, audit, events, clock, access, settlement } = deps;
  const views = createTaskViews(store);

  function repos() {
    if (!store.bins || !store.recountTasks) {
      throw new AppError(503, 'SERVICE_UNAVAILABLE', 'This store keeps no bins yet');
    }
    return { bins: store.bins, tasks: store.recountTasks };
  }

  async function sessionFor(viewer: Viewer, sessionId: string): Promise<CountSession> {
    const session = await store.sessions.get(sessionId);
    if (!session) throw notFound('NOT_FOUND', `No session ${sessionId}`);
    await access.assertWarehouse(viewer, session.warehouse, 'params.id');
    return session;
  }

  async function itemNames(codes: readonly string[]): Promise<Map<string, string>> {
    const items = await store.items.getMany(isUnique(codes));
    return new Map(items.map((i) => [i.item_code, i.name]));
  }

  async function userNames(ids: readonly string[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    for (const id of isUnique(ids)) {
      const user = await store.users.get(id);
      if (user) out.set(id, user.full_name || user.username);
    }
    return out;
  }

  /** The bin's record; 404 when nothing is known of it (no line, no row). */
  async function binOf(session: CountSession, key: BinKey) {
    return (await binAndFacts(session, key)).bin;
  }

  /** The bin's record and the facts it is judged on. */
  async function binAndFacts(session: CountSession, key: BinKey) {
    if (!session.racks.includes(key.rack)) {
      throw notFound('NOT_FOUND', `Rack ${key.rack} is not in this session`);
    }
    const bin = await repos().bins.get(session.id, key);
    if (!bin) throw notFound('NOT_FOUND', `Nothing counted of ${key.item_code} in ${key.rack}`);
    // A bin without a row is computed from its lines, whose book is the item's: the bin's own
    // book where the snapshot knows the item's racks (docs/design.md §4 "A bin's book"), or its
    // book at count where it is judged on that (§13 "Bins judged at count").
    const facts = await settlement.binFacts(session, key);
    const racks = await store.sessions.snapshotRacks(session.id, [key.item_code]);
    const book =
      facts.basis === 'at_count'
        ? facts.book
        : binBook(bin.book_qty, racks.get(key.item_code), key.rack);
    return { bin: { ...bin, book_qty: book }, facts };
  }

  /** The settlement of a bin as the consensus sees it now, for the history view. */
  async function settlementOf(
    session: CountSession,
    key: BinKey,
    lines: readonly CountLineRecord[],
    decisions: readonly BinDecision[],
    split: boolean,
  ): Promise<BinSettlement> {
    const facts = await settlement.binFacts(session, key);
    return settleBin(
      {
        book: facts.book,
        unit_cost: facts.unit_cost,
        split,
        counts: lines
          .filter((l) => l.status !== 'REJECTED')
          .map((l) => ({
            count_id: l.op_id,
            counter_id: l.counted_by,
            phase: l.phase,
            quantity: Math.max(0, qtyOf(l)),
            received_at: l.received_at,
            supersedes: l.supersedes,
          })),
        decisions,
      },
      facts.rule,
    );
  }

  /** The figure of a count's voice: the sum of its counter's lines that count in its phase. */
  function voiceQuantity(lines: readonly CountLineRecord[], named: CountLineRecord): number {
    return lines
      .filter(
        (l) =>
          l.counted_by === named.counted_by &&
          l.phase === named.phase &&
          l.superseded_by === null &&
          l.status !== 'REJECTED',
      )
      .reduce((s, l) => s + qtyOf(l), 0);
  }

  function announce(actor: Actor, session: CountSession, key: BinKey, action: string) {
    events.publish({
      type: 'bin',
      action,
      session_id: session.id,
      rack: key.rack,
      user_id: actor.id,
      username: actor.username,
      data: { item_code: key.item_code },
    });
  }

  /** A supervisor may decide while the session is open or closed, never once reconciled. */
  function assertDecidable(session: CountSession) {
    if (session.status === 'RECONCILED') {
      throw new AppError(409, 'SESSION_CLOSED', 'The session is reconciled');
    }
  }

  /** Refuses a counter who may not take the bin's recount (409 naming `field`). */
  async function assertEligible(
    session: CountSession,
    userId: string,
    excluded: readonly string[],
    field: string,
  ) {
    const user = await store.users.get(userId);
    if (!user || !user.active) {
      throw validationError([{ path: field, message: 'no active user with this id' }]);
    }
    if (!(await access.mayUse(user, session.warehouse))) {
      throw validationError([{ path: field, message: `works in another warehouse` }]);
    }
    if (excluded.includes(userId)) {
      throw new AppError(
        409,
        'RECOUNT_COUNTER_EXCLUDED',
        `${user.username} counted this item in this rack already: a recount goes to someone else`,
        [{ path: field, message: 'counted this bin already' }],
      );
    }
  }

  /** Writes a supervisor's own figure as a line of theirs (device 'console'); its op_id. */
  async function writeSupervisorLine(
    actor: Actor,
    session: CountSession,
    key: BinKey,
    quantity: number,
    reason: string,
    phase: number,
    now: string,
  ): Promise<string> {
    const facts = await settlement.lineFacts(session, key.item_code, quantity, key.rack);
    const quantities = { counted_qty: quantity, damaged_qty: 0, non_returnable_damaged_qty: 0 };
    const variance = computeVariance(quantities, facts.book);
    const values = varianceValue(variance, { cost: facts.cost, price: facts.price });
    const opId = randomUUID();
    const line: CountLineRecord = {
      id: randomUUID(),
      op_id: opId,
      session_id: session.id,
      rack: key.rack,
      item_code: key.item_code,
      barcode: null,
      ...quantities,
      serials: [],
      batch_no: null,
      mfg_date: null,
      expiry_date: null,
      condition: 'good',
      variance_reason: null,
      variance_confirmed: true,
      remark: reason,
      photo_ids: [],
      supersedes: null,
      superseded_by: null,
      book_qty: facts.book,
      variance,
      value_at_cost: values.at_cost,
      value_at_price: values.at_price,
      status: 'APPROVED',
      review_reasons: [],
      reviewed_by: actor.id,
      reviewed_at: now,
      review_note: reason,
      counted_by: actor.id,
      counted_by_name: actor.username,
      device_id: 'console',
      claim_id: null,
      fencing_token: null,
      counted_at: now,
      received_at: now,
      phase,
      recount_task_id: null,
      tolerance: facts.tolerance,
    };
    const [outcome] = await store.lines.insertMany([line]);
    if (!outcome?.ok) throw new AppError(409, 'CONFLICT', 'The line could not be written');
    return opId;
  }

  /** Applies a decision on one bin and re-settles it; the bin record after. */
  async function decide(
    actor: Actor,
    meta: RequestMeta,
    session: CountSession,
    key: BinKey,
    input: BinDecisionRequest,
  ): Promise<Omit<BinRecord, 'item_name'> | null> {
    assertDecidable(session);
    const { bins, tasks } = repos();
    const bin = await binOf(session, key);
    const now = clock().toISOString();
    let decision: BinDecision;
    if (input.kind === 'set') {
      if ((input.count_id === undefined) === (input.quantity === undefined)) {
        throw validationError([
          { path: 'count_id', message: 'give either count_id or quantity, not both' },
        ]);
      }
      let quantity: number;
      let countId: string;
      if (input.count_id !== undefined) {
        const lines = await bins.lines(session.id, key);
        const named = lines.find((l) => l.op_id === input.count_id);
        if (!named || named.superseded_by !== null || named.status === 'REJECTED') {
          throw validationError([
            { path: 'count_id', message: 'no count of this bin that stands with this id' },
          ]);
        }
        quantity = voiceQuantity(lines, named);
        countId = named.op_id;
      } else {
        quantity = input.quantity!;
        const item = await store.items.get(key.item_code);
        if (item && !item.decimal_qty && !Number.isInteger(quantity)) {
          throw validationError([{ path: 'quantity', message: 'whole units only' }]);
        }
        countId = await writeSupervisorLine(
          actor,
          session,
          key,
          quantity,
          input.reason,
          // The latest phase reached (an open bin's phase is the one awaiting a count): the
          // supervisor's figure answers no recount task.
          bin.state === 'open' ? Math.max(0, bin.phase - 1) : bin.phase,
          now,
        );
      }
      decision = {
        kind: 'set',
        decision_id: randomUUID(),
        quantity,
        decided_by: actor.id,
        decided_at: now,
        reason: input.reason,
        count_id: countId,
      };
    } else {
      if (bin.state === 'decided') {
        throw new AppError(
          409,
          'INVALID_TRANSITION',
          'The bin is decided: set a quantity again to override it, with a reason',
        );
      }
      if (input.assign_to !== undefined) {
        await assertEligible(session, input.assign_to, bin.counters, 'assign_to');
      }
      decision = {
        kind: 'recount',
        decision_id: randomUUID(),
        phase: bin.state === 'open' ? Math.max(1, bin.phase) : bin.phase + 1,
        decided_by: actor.id,
        decided_at: now,
        reason: input.reason ?? null,
      };
    }
    await bins.addDecision(session.id, key, decision);
    // A `set` is taken having seen the bin's late counts: it acknowledges those it saw (design §11
    // "Late counts"); one arriving after it waits for a supervisor again.
    const seenLate = decision.kind === 'set' ? bin.late_count_ids : [];
    const written = await settlement.settleBins(session, [key], {
      note: input.reason ?? null,
      assignTo: input.kind === 'recount' ? (input.assign_to ?? null) : null,
    });
    let after = [...written.values()][0] ?? (await bins.get(session.id, key));
    // The bin was already waiting for this phase: its open task goes to the named counter.
    if (input.kind === 'recount' && input.assign_to && after?.open_task_id) {
      const task = await tasks.get(after.open_task_id);
      if (task && task.assigned_to !== input.assign_to) {
        await tasks.assign(task.id, input.assign_to, now);
        after = await bins.get(session.id, key);
      }
    }
    if (seenLate.length > 0 && after && after.late_unacknowledged > 0) {
      after = (await bins.acknowledgeLate(session.id, key, seenLate, now))?.after ?? after;
    }
    const override = input.kind === 'set' && bin.state === 'decided';
    await audit.record(
      actor,
      meta,
      override ? 'bin.override' : 'bin.decide',
      { type: 'bin', id: `${session.id}/${key.rack}/${key.item_code}` },
      {
        kind: decision.kind,
        before: { state: bin.state, quantity: bin.quantity },
        after: { state: after?.state ?? null, quantity: after?.quantity ?? null },
        ...(decision.kind === 'set'
          ? { quantity: decision.quantity, count_id: decision.count_id ?? null }
          : {
              phase: decision.phase,
              assign_to: input.kind === 'recount' ? input.assign_to : null,
            }),
        reason: decision.reason ?? null,
        ...(seenLate.length > 0 ? { late_counts_seen: seenLate } : {}),
      },
    );
    announce(actor, session, key, override ? 'override' : decision.kind);
    return after;
  }

  /** One count of the bin as the history shows it. */
  function countView(
    l: CountLineRecord,
    late: ReadonlySet<string>,
    acknowledged: ReadonlySet<string>,
    names: ReadonlyMap<string, string>,
  ): BinCountView {
    return {
      line_id: l.id,
      op_id: l.op_id,
      phase: l.phase,
      recount_task_id: l.recount_task_id,
      counted_by: l.counted_by,
      counted_by_name: names.get(l.counted_by) ?? l.counted_by_name,
      device_id: l.device_id,
      counted_at: l.counted_at,
      received_at: l.received_at,
      quantity: qtyOf(l),
      counted_qty: l.counted_qty,
      photo_ids: l.photo_ids,
      status: l.status,
      taken: counts(l),
      superseded_by: l.superseded_by,
      late: late.has(l.op_id),
      late_acknowledged: late.has(l.op_id) && acknowledged.has(l.op_id),
      tolerance: l.tolerance ?? null,
    };
  }

  return {
    decide: async (
      actor: Actor,
      meta: RequestMeta,
      sessionId: string,
      key: BinKey,
      input: BinDecisionRequest,
    ) => {
      const session = await sessionFor(actor, sessionId);
      const after = await decide(actor, meta, session, key, input);
      return after
        ? { ...after, item_name: (await itemNames([key.item_code])).get(key.item_code) ?? null }
        : null;
    },

    /** `GET /sessions/:id/bins`: bins by state and rack, paged, with item names. */
    async list(viewer: Viewer, sessionId: string, query: BinQuery): Promise<Paged<BinRecord>> {
      await sessionFor(viewer, sessionId);
      const page = await repos().bins.list(sessionId, query);
      const names = await itemNames(page.items.map((b) => b.item_code));
      return {
        total: page.total,
        items: page.items.map((b) => ({ ...b, item_name: names.get(b.item_code) ?? null })),
      };
    },

    /**
     * `POST /sessions/:id/bins/:rack/:item/late-counts/acknowledge`: a supervisor keeps the bin's
     * decision having looked at its late counts (docs/design.md §11 "Late counts"), with a
     * reason; audited `bin.late_acknowledge`. 409 `NO_LATE_COUNTS` when none waits; 400 on
     * `count_ids` naming a count that is not one of the bin's late counts.
     */
    async acknowledgeLate(
      actor: Actor,
      meta: RequestMeta,
      sessionId: string,
      key: BinKey,
      input: LateCountsAcknowledge,
    ): Promise<BinRecord> {
      const session = await sessionFor(actor, sessionId);
      assertDecidable(session);
      const { bins } = repos();
      const bin = await binOf(session, key);
      if (bin.late_unacknowledged === 0) {
        throw new AppError(
          409,
          'NO_LATE_COUNTS',
          `No late count of ${key.item_code} in ${key.rack} waits for a supervisor`,
        );
      }
      const late = new Set(bin.late_count_ids);
      const stray = (input.count_ids ?? []).findIndex((id) => !late.has(id));
      if (stray >= 0) {
        throw validationError([
          { path: `count_ids.${stray}`, message: 'not a late count of this bin' },
        ]);
      }
      const now = clock().toISOString();
      const done = await bins.acknowledgeLate(session.id, key, input.count_ids ?? null, now);
      if (!done || done.after.late_unacknowledged === done.before.late_unacknowledged) {
        throw new AppError(
          409,
          'NO_LATE_COUNTS',
          `No late count of ${key.item_code} in ${key.rack} waits for a supervisor`,
        );
      }
      const before = new Set(done.before.late_acknowledged_ids);
      const acknowledged = done.after.late_acknowledged_ids.filter((id) => !before.has(id));
      await audit.record(
        actor,
        meta,
        'bin.late_acknowledge',
        { type: 'bin', id: `${session.id}/${key.rack}/${key.item_code}` },
        {
          state: done.after.state,
          quantity: done.after.quantity,
          acknowledged,
          late_unacknowledged: done.after.late_unacknowledged,
          reason: input.reason,
        },
      );
      announce(actor, session, key, 'late_acknowledged');
      return {
        ...done.after,
        item_name: (await itemNames([key.item_code])).get(key.item_code) ?? null,
      };
    },

    /** `GET /sessions/:id/bins/:rack/:item`: everything about one bin, side by side. */
    async detail(viewer: Viewer, sessionId: string, key: BinKey): Promise<BinDetail> {
      const session = await sessionFor(viewer, sessionId);
      const { bins, tasks } = repos();
      const { bin, facts } = await binAndFacts(session, key);
      const [lines, decisions, binTasks] = await Promise.all([
        bins.lines(session.id, key),
        bins.decisions(session.id, key),
        tasks.list(session.id, { rack: key.rack, page: 1, page_size: 500 }),
      ]);
      const ofBin = binTasks.items.filter((t) => t.item_code === key.item_code);
      const now = await settlementOf(session, key, lines, decisions, bin.split);
      // Late: after the bin was decided, or answering a task already closed when it came in
      // (late-counts.ts, as the bin row keeps them).
      const lateNow = lateCounts(lines, now, ofBin, decisions);
      const conflicts = [
        ...now.conflicts
          .filter((c) => c.code !== 'late_after_decision')
          .map((c) => ({ id: c.id, code: c.code as string })),
        ...lateNow.map((c) => ({ id: c.id, code: c.code as string })),
      ];
      const late = new Set(conflicts.filter((c) => c.code.startsWith('late')).map((c) => c.id));
      const names = await userNames([
        ...lines.map((l) => l.counted_by),
        ...decisions.map((d) => d.decided_by),
      ]);
      let setsSeen = 0;
      const decisionViews: BinDecisionView[] = [...decisions]
        .sort((a, b) => a.decided_at.localeCompare(b.decided_at))
        .map((d) => ({
          decision_id: d.decision_id,
          kind: d.kind,
          quantity: d.kind === 'set' ? d.quantity : null,
          count_id: d.kind === 'set' ? (d.count_id ?? null) : null,
          phase: d.kind === 'recount' ? d.phase : null,
          decided_by: d.decided_by,
          decided_by_name: names.get(d.decided_by) ?? null,
          decided_at: d.decided_at,
          reason: d.reason ?? null,
          override: d.kind === 'set' && setsSeen++ > 0,
        }));
      const firstRuled = [...lines]
        .sort((a, b) => a.received_at.localeCompare(b.received_at))
        .find((l) => l.tolerance);
      return {
        bin: { ...bin, item_name: (await itemNames([key.item_code])).get(key.item_code) ?? null },
        counts: lines.map((l) => countView(l, late, new Set(bin.late_acknowledged_ids), names)),
        decisions: decisionViews,
        tasks: await views.queueItems(ofBin),
        rule: firstRuled?.tolerance ?? null,
        agreement_allowance: now.agreement_allowance,
        conflicts,
        book: {
          basis: facts.basis,
          snapshot_qty: facts.snapshot_book,
          at_count_qty: facts.basis === 'at_count' ? facts.book : null,
        },
      };
    },

    /** Review "recount" on a line: a recount decision on its bin (docs/design.md §11). */
    async recountLine(actor: Actor, meta: RequestMeta, line: CountLineRecord, note: string | null) {
      const session = await store.sessions.get(line.session_id);
      if (!session || !store.bins) return;
      const key = { rack: line.rack, item_code: line.item_code };
      const bin = await store.bins.get(session.id, key);
      // A decided bin is decided: sending a line back reopens nothing (a supervisor overrides).
      if (bin?.state === 'decided') return;
      await decide(actor, meta, session, key, {
        kind: 'recount',
        ...(note ? { reason: note } : {}),
      });
    },

    /** Review "approve" on a line: a `set` decision naming the line's count. */
    async approveLine(actor: Actor, meta: RequestMeta, line: CountLineRecord, note: string | null) {
      const session = await store.sessions.get(line.session_id);
      if (!session || !store.bins) return;
      await decide(
        actor,
        meta,
        session,
        { rack: line.rack, item_code: line.item_code },
        {
          kind: 'set',
          count_id: line.op_id,
          reason: note?.trim() || 'Approved in line review',
        },
      );
    },

    /** After a line's review status changed: its bin settles again. */
    async afterReview(line: CountLineRecord) {
      const session = await store.sessions.get(line.session_id);
      if (!session) return;
      await settlement.settleBins(session, [{ rack: line.rack, item_code: line.item_code }]);
    },

    /** What keeps a session from being reconciled: open tasks and bins waiting for a supervisor. */
    async blocking(sessionId: string): Promise<{ total: number; items: OpenBin[] }> {
      if (!store.bins) return { total: 0, items: [] };
      return store.bins.blocking(sessionId, BLOCKING_LIST);
    },
  };
}
