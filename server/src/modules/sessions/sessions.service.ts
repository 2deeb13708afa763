import { randomUUID } from 'node:crypto';
import type {
  AnalyticsGroup,
  BulkResult,
  CountSession,
  CreateSessionInput,
  Item,
  ListSessionsQuery,
  Page,
  SessionMetrics,
  SessionStatus,
  Warehouse,
} from '@stockverify/shared';
import { accuracyPercent, roundMoney, roundQty } from '@stockverify/shared';
import type { ClaimState, SnapshotRack, SnapshotRowInput } from '../../ports/counting';
import type { Store } from '../../ports/store';
import { AppError, notFound, validationError } from '../../lib/errors';
import { warehouseForbidden, type AccessPolicy } from '../access/access-policy';
import type { Actor, AuditLog, RequestMeta } from '../audit/audit-log';
import type { EventBus } from '../events/event-bus';
import type { BinsService } from '../recounts/bins.service';
import { ruleSetInForce } from '../tolerance/rule-table';
import { sessionWatermarks } from '../erp/mirror-watermark';
import { undecidedMovedItems } from '../adjustments/moved-items';

export type SessionsService = ReturnType<typeof createSessionsService>;

/** Minutes between a counter's first and last line, at least one (a single scan is one minute's work). */
function activeMinutes(first: string, last: string): number {
  return Math.max(1, (Date.parse(last) - Date.parse(first)) / 60_000);
}

/** Racks of a warehouse a scope covers: the listed racks plus every rack on the listed floors. */
export function racksInScope(warehouse: Warehouse, scope: CreateSessionInput['scope']): string[] {
  if (scope.floors.length === 0 && scope.racks.length === 0)
    return warehouse.racks.map((r) => r.code);
  const floors = new Set(scope.floors);
  const picked = new Set(scope.racks);
  return warehouse.racks
    .filter((r) => floors.has(r.floor) || picked.has(r.code))
    .map((r) => r.code);
}

/** Book quantity of an item within the scope: stock rows of the warehouse on in-scope racks. */
function bookQty(
  item: Item,
  warehouse: string,
  racks: Set<string> | null,
): { qty: number; racks: SnapshotRack[] | null } | null {
  let total = 0;
  let found = false;
  // The book per rack (docs/design.md §4 "A bin's book"), kept only when every row counted in has
  // a rack: stock the ERP gives for the warehouse only is in no bin.
  const byRack = new Map<string, number>();
  let racked = true;
  for (const row of item.stock) {
    if (row.warehouse !== warehouse) continue;
    // Rows without a rack belong to the whole warehouse: only a whole-warehouse count covers them.
    if (racks && (row.rack === null || !racks.has(row.rack))) continue;
    total += row.qty;
    found = true;
    if (row.rack === null) racked = false;
    else byRack.set(row.rack, (byRack.get(row.rack) ?? 0) + row.qty);
  }
  if (!found) return null;
  return {
    qty: roundQty(total),
    racks: racked ? [...byRack].map(([rack, qty]) => ({ rack, qty: roundQty(qty) })) : null,
  };
}

/** Count sessions: creation with the book snapshot, lifecycle, lists, metrics (design §4). */
export function createSessionsService(
  store: Store,
  audit: AuditLog,
  events: EventBus,
  clock: () => Date,
  access: AccessPolicy,
  /** What keeps a session from being reconciled on the recount side (issue #16). */
  recounts?: Pick<BinsService, 'blocking'>,
) {
  async function mustGet(id: string): Promise<CountSession> {
    const session = await store.sessions.get(id);
    if (!session) throw notFound('NOT_FOUND', `No session ${id}`);
    return session;
  }

  /** The session, if the actor may see it (its warehouse is theirs, or they are not bound). */
  async function mustGetFor(actor: Actor, id: string): Promise<CountSession> {
    const session = await mustGet(id);
    await access.assertWarehouse(actor, session.warehouse, 'params.id');
    return session;
  }

  async function transition(
    actor: Actor,
    meta: RequestMeta,
    id: string,
    from: SessionStatus[],
    to: SessionStatus,
  ): Promise<CountSession> {
    const before = await mustGetFor(actor, id);
    if (!from.includes(before.status)) {
      throw new AppError(
        409,
        'INVALID_TRANSITION',
        `A ${before.status} session cannot become ${to}`,
        undefined,
        {
          status: before.status,
        },
      );
    }
    if (to === 'CLOSED') {
      const open = await store.unknownItems.countOpen(id);
      if (open > 0) {
        throw new AppError(
          409,
          'OPEN_WORK_REMAINS',
          `${open} unknown item(s) must be mapped or marked "not ours" first`,
          undefined,
          {
            open_unknown_items: open,
          },
        );
      }
    }
    if (to === 'RECONCILED' && recounts) {
      // Reconcile takes settled quantities only (docs/design.md §11): no open recount, no bin
      // waiting for a supervisor, no late count nobody acknowledged.
      const open = await recounts.blocking(id);
      if (open.total > 0) {
        throw new AppError(
          409,
          'RECOUNTS_OPEN',
          `${open.total} bin(s) still wait for a recount, a supervisor's decision or a look at their late counts`,
          undefined,
          { open_bins: open.items, open_bins_total: open.total },
        );
      }
    }
    if (to === 'RECONCILED') {
      const conflicts = await store.conflicts.list({
        page: 1,
        page_size: 1,
        session: id,
        status: 'OPEN',
      });
      const review = await store.lines.list(id, { page: 1, page_size: 1, status: 'NEEDS_REVIEW' });
      if (conflicts.total > 0 || review.total > 0) {
        throw new AppError(
          409,
          'OPEN_WORK_REMAINS',
          'Resolve open conflicts and review every flagged line first',
          undefined,
          {
            open_conflicts: conflicts.total,
            lines_needing_review: review.total,
          },
        );
      }
    }
    if (to === 'RECONCILED' && before.erp_watermark) {
      // Moved items (docs/design.md §13 "The wiring": the adjustment package): one whose expected
      // at count is ambiguous posts nothing true without a decision keeping its count. Checked
      // last: it computes each moved item's expected at count.
      const undecided = await undecidedMovedItems(store, before);
      if (undecided.moved_items_total > 0) {
        const names = undecided.moved_items.map((i) => i.item_code);
        throw new AppError(
          409,
          'MOVED_ITEMS_UNDECIDED',
          `${undecided.moved_items_total} item(s) moved while counted and cannot be ordered against their count (${names.slice(0, 5).join(', ')}${undecided.moved_items_total > 5 ? ', …' : ''}): keep their counted quantity first (the variances list, at count ambiguous: Keep counted)`,
          undefined,
          { ...undecided },
        );
      }
    }
    const now = clock().toISOString();
    const patch = {
      updated_at: now,
      ...(to === 'CLOSED' ? { closed_at: now } : {}),
      ...(to === 'RECONCILED' ? { reconciled_at: now } : {}),
    };
    const after = await store.sessions.transition(id, from, to, patch);
    access.invalidate();
    if (!after)
      throw new AppError(409, 'INVALID_TRANSITION', 'The session changed meanwhile; reload it');
    const verb = ({ OPEN: 'reopen', CLOSED: 'close', RECONCILED: 'reconcile' } as const)[to];
    await audit.record(
      actor,
      meta,
      `session.${verb}`,
      { type: 'session', id },
      {
        before: before.status,
        after: to,
      },
    );
    events.publish({
      type: 'session',
      action: to.toLowerCase(),
      session_id: id,
      user_id: actor.id,
      username: actor.username,
    });
    return after;
  }

  async function bulk(
    actor: Actor,
    meta: RequestMeta,
    ids: string[],
    from: SessionStatus[],
    to: SessionStatus,
  ): Promise<BulkResult[]> {
    const results: BulkResult[] = [];
    for (const id of [...new Set(ids)]) {
      try {
        const session = await transition(actor, meta, id, from, to);
        results.push({ id, ok: true, code: null, message: 'OK', status: session.status });
      } catch (err) {
        if (!(err instanceof AppError)) throw err;
        // Nothing about a session of another warehouse, not even its status.
        const current = err.code === 'WAREHOUSE_FORBIDDEN' ? null : await store.sessions.get(id);
        results.push({
          id,
          ok: false,
          code: err.code,
          message: err.message,
          status: current?.status ?? null,
        });
      }
    }
    return results;
  }

  return {
    get: mustGet,
    /** The session for a reader: 403 WAREHOUSE_FORBIDDEN outside the reader's warehouse. */
    getFor: mustGetFor,

    /** Creates a session and snapshots the book quantity of every item in scope. */
    async create(
      actor: Actor,
      meta: RequestMeta,
      input: CreateSessionInput,
    ): Promise<CountSession> {
      await access.assertWarehouse(actor, input.warehouse, 'warehouse');
      const warehouse = await store.locations.getWarehouse(input.warehouse);
      if (!warehouse)
        throw validationError([{ path: 'warehouse', message: `no warehouse ${input.warehouse}` }]);
      const knownRacks = new Set(warehouse.racks.map((r) => r.code));
      const knownFloors = new Set(warehouse.floors.map((f) => f.code));
      const problems = [
        ...input.scope.racks.flatMap((r, i) =>
          knownRacks.has(r)
            ? []
            : [{ path: `scope.racks.${i}`, message: `no rack ${r} in ${warehouse.id}` }],
        ),
        ...input.scope.floors.flatMap((f, i) =>
          knownFloors.has(f)
            ? []
            : [{ path: `scope.floors.${i}`, message: `no floor ${f} in ${warehouse.id}` }],
        ),
      ];
      if (problems.length > 0) throw validationError(problems);
      const racks = racksInScope(warehouse, input.scope);
      const whole = input.scope.floors.length === 0 && input.scope.racks.length === 0;
      const rackSet = whole ? null : new Set(racks);

      const id = randomUUID();
      // The ERP ledger watermark the mirror's book includes, read before the book (issue #17,
      // design §3): movements after it are the ones this snapshot does not hold.
      const erpWatermarks = await sessionWatermarks(store.meta);
      const snapshot: SnapshotRowInput[] = [];
      let after: string | undefined;
      for (;;) {
        const page = await store.items.list({ warehouse: warehouse.id, after, limit: 2000 });
        for (const item of page) {
          const book = bookQty(item, warehouse.id, rackSet);
          if (book === null) continue;
          snapshot.push({
            session_id: id,
            item_code: item.item_code,
            name: item.name,
            category: item.category,
            book_qty: book.qty,
            cost: item.cost,
            price: item.price,
            racks: book.racks,
          });
        }
        if (page.length < 2000) break;
        after = page[page.length - 1]!.item_code;
      }
      // The tolerance rules in force now stay this session's rules (issue #16, design §12).
      const rules = await ruleSetInForce(store, clock);
      const now = clock().toISOString();
      const session: CountSession = {
        id,
        warehouse: warehouse.id,
        name: input.name,
        mode: input.mode,
        scope: input.scope,
        status: 'OPEN',
        racks,
        snapshot_items: snapshot.length,
        created_by: actor.id,
        created_at: now,
        closed_at: null,
        reconciled_at: null,
        updated_at: now,
        tolerance_rule_set: { version: rules.version, hash: rules.hash },
        ...erpWatermarks,
      };
      await store.sessions.create(session, snapshot);
      access.invalidate();
      await audit.record(
        actor,
        meta,
        'session.create',
        { type: 'session', id },
        {
          warehouse: session.warehouse,
          mode: session.mode,
          racks: racks.length,
          snapshot_items: snapshot.length,
          tolerance_version: rules.version,
        },
      );
      events.publish({
        type: 'session',
        action: 'created',
        session_id: id,
        user_id: actor.id,
        username: actor.username,
      });
      return session;
    },

    /** Sessions the viewer may see: a user bound to a warehouse sees only its sessions. */
    async list(viewer: Actor, query: ListSessionsQuery): Promise<Page<CountSession>> {
      const home = await access.boundTo(viewer);
      if (home !== null && query.warehouse !== undefined && query.warehouse !== home)
        throw warehouseForbidden(query.warehouse, 'query.warehouse');
      const { items, total } = await store.sessions.list(
        home === null ? query : { ...query, warehouse: home },
      );
      return { items, total, page: query.page, page_size: query.page_size };
    },

    /**
     * Live metrics of one session; `atCount: false` leaves out its figures at count (null), for a
     * viewer who may not see them (they are read only where they show). `session`: the session as
     * the caller has just read it.
     */
    async metrics(
      id: string,
      opts: { atCount?: boolean; session?: CountSession } = {},
    ): Promise<SessionMetrics> {
      // The caller's copy when it has just read it (the session detail): one read fewer.
      const session = opts.session?.id === id ? opts.session : await mustGet(id);
      // Totals and counters from the session's read model (issue #13), not from every line.
      const [figures, claims, stats, atCount] = await Promise.all([
        store.readModel.session(id),
        store.claims.listStates(id),
        store.readModel.counters([id]),
        // Beside the snapshot variance, its figures at count (design §13): one aggregate over
        // the items, none in a session without an ERP watermark (every item unknown).
        opts.atCount === false ||
        session.erp_watermark === null ||
        session.erp_watermark === undefined
          ? null
          : store.reports.sessionAtCount(id),
      ]);
      const { done, held } = rackProgress(claims);
      // Racks per counter: every claim they took, whatever became of it.
      const claimsOf = new Map<string, number>();
      for (const claim of claims)
        claimsOf.set(claim.user_id, (claimsOf.get(claim.user_id) ?? 0) + 1);
      return {
        items_in_snapshot: session.snapshot_items,
        items_counted: figures.items_counted,
        lines: figures.lines,
        racks_total: session.racks.length,
        racks_done: done,
        racks_claimed: held,
        total_variance: figures.total_variance,
        variance_value_at_cost: figures.variance_value_at_cost,
        variance_value_at_price: figures.variance_value_at_price,
        at_count:
          atCount ??
          (opts.atCount === false
            ? null
            : {
                variance_at_count: 0,
                value_at_count_cost: 0,
                items: { exact: 0, ambiguous: 0, unknown: figures.items_counted, pending: 0 },
              }),
        counters: stats.map((c) => {
          const minutes = activeMinutes(c.first_counted_at, c.last_counted_at);
          return {
            user_id: c.user_id,
            username: c.username,
            lines: c.lines,
            items: c.items,
            racks: claimsOf.get(c.user_id) ?? 0,
            items_per_minute: Math.round((c.lines / minutes) * 10) / 10,
          };
        }),
      } satisfies SessionMetrics;
    },

    /**
     * Variance, accuracy and efficiency over the sessions created in [from, to), grouped by
     * warehouse (item-level accuracy from each session's variances) or by counter (line-level).
     */
    async analytics(
      viewer: Actor,
      groupBy: 'warehouse' | 'staff',
      from?: string,
      to?: string,
    ): Promise<AnalyticsGroup[]> {
      const home = await access.boundTo(viewer);
      const sessions: CountSession[] = [];
      for (let page = 1; ; page++) {
        const batch = await store.sessions.list({
          page,
          page_size: 500,
          from,
          to,
          ...(home === null ? {} : { warehouse: home }),
          sort: 'created_at',
        });
        sessions.push(...batch.items);
        if (batch.items.length < 500) break;
      }
      if (sessions.length === 0) return [];
      const stats = await store.readModel.counters(sessions.map((x) => x.id));
      const groups = new Map<
        string,
        AnalyticsGroup & { absBook: number; absVariance: number; minutes: number; ids: Set<string> }
      >();
      const group = (key: string, label: string) => {
        let g = groups.get(key);
        if (!g) {
          g = {
            key,
            label,
            sessions: 0,
            lines: 0,
            items: 0,
            variance: 0,
            variance_value_at_cost: 0,
            variance_value_at_price: 0,
            accuracy: null,
            items_per_minute: 0,
            absBook: 0,
            absVariance: 0,
            minutes: 0,
            ids: new Set(),
          };
          groups.set(key, g);
        }
        return g;
      };
      const warehouseOf = new Map(sessions.map((x) => [x.id, x.warehouse]));
      for (const c of stats) {
        const g =
          groupBy === 'staff'
            ? group(c.user_id, c.username)
            : group(warehouseOf.get(c.session_id)!, warehouseOf.get(c.session_id)!);
        g.ids.add(c.session_id);
        g.lines += c.lines;
        g.items += c.items;
        g.minutes += activeMinutes(c.first_counted_at, c.last_counted_at);
        if (groupBy === 'staff') {
          g.variance += c.variance;
          g.variance_value_at_cost += c.value_at_cost;
          g.variance_value_at_price += c.value_at_price;
          g.absBook += c.abs_book;
          g.absVariance += c.abs_variance;
        }
      }
      if (groupBy === 'warehouse') {
        // Item level: an item counted on two racks has one variance, not two.
        for (const session of sessions) {
          const g = groups.get(session.warehouse);
          if (!g || !g.ids.has(session.id)) continue;
          // The session's item-level sums, kept by the read model (issue #13).
          const v = await store.readModel.session(session.id);
          g.variance += v.total_variance;
          g.variance_value_at_cost += v.variance_value_at_cost;
          g.variance_value_at_price += v.variance_value_at_price;
          g.absBook += v.abs_book;
          g.absVariance += v.abs_variance;
        }
      }
      return [...groups.values()]
        .map(
          ({ absBook, absVariance, minutes, ids, ...g }) =>
            ({
              ...g,
              sessions: ids.size,
              variance: roundQty(g.variance),
              variance_value_at_cost: roundMoney(g.variance_value_at_cost),
              variance_value_at_price: roundMoney(g.variance_value_at_price),
              accuracy: accuracyPercent(absBook, absVariance),
              items_per_minute: Math.round((g.lines / Math.max(1, minutes)) * 10) / 10,
            }) satisfies AnalyticsGroup,
        )
        .sort((a, b) => a.key.localeCompare(b.key));
    },

    close: (actor: Actor, meta: RequestMeta, id: string) =>
      transition(actor, meta, id, ['OPEN'], 'CLOSED'),
    reopen: (actor: Actor, meta: RequestMeta, id: string) =>
      transition(actor, meta, id, ['CLOSED'], 'OPEN'),
    reconcile: (actor: Actor, meta: RequestMeta, id: string) =>
      transition(actor, meta, id, ['CLOSED'], 'RECONCILED'),
    bulkClose: (actor: Actor, meta: RequestMeta, ids: string[]) =>
      bulk(actor, meta, ids, ['OPEN'], 'CLOSED'),
    bulkReconcile: (actor: Actor, meta: RequestMeta, ids: string[]) =>
      bulk(actor, meta, ids, ['CLOSED'], 'RECONCILED'),
  };
}

type Claim = Pick<ClaimState, 'rack' | 'status' | 'token' | 'split'>;

/**
 * Racks done and racks held, from a session's claims (newest first). A rack's state is its newest
 * claim's — or, for a rack counted in parts (split claims sharing one fencing token, issue #16),
 * all the parts of that token's: held while any part is open, done once every part is completed.
 */
export function rackProgress(claims: readonly Claim[]): { done: number; held: number } {
  const byRack = new Map<string, Claim[]>();
  for (const claim of claims) {
    const group = byRack.get(claim.rack);
    if (!group) byRack.set(claim.rack, [claim]);
    else if (group[0]!.split && claim.split && claim.token === group[0]!.token) group.push(claim);
  }
  let done = 0;
  let held = 0;
  for (const parts of byRack.values()) {
    if (parts.some((c) => c.status === 'active' || c.status === 'paused')) held += 1;
    else if (parts.some((c) => c.status === 'completed')) done += 1;
  }
  return { done, held };
}
