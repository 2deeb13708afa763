/**
 * Who may see and touch what, in one place (design §4, issue #12): the blind rule and the
 * warehouse boundaries. Every route and service that shows a book quantity or a variance, or acts
 * on a session, asks this module; no copy of either rule lives anywhere else.
 *
 * - Blind is a property of the warehouse for staff, not of the request: while any blind session is
 *   OPEN in a warehouse, staff get no book quantity or variance of that warehouse, whatever session
 *   a request names. Supervisors and admins see everything.
 * - Users are bound to their warehouse: staff with a warehouse claim, count, look up stock and see
 *   sessions only there; a supervisor with a warehouse manages only that one; admins, supervisors
 *   without a warehouse and staff without one are not bound (staff without one still see no book
 *   quantity of a warehouse with an open blind session).
 */
import { roleAtLeast, type LineStatus, type Role } from '@stockverify/shared';
import { AppError } from '../../lib/errors';
import type { Store } from '../../ports/store';

/** The part of a signed-in user the policy needs. */
export interface Viewer {
  id: string;
  role: Role;
}

/**
 * Which warehouses' book quantities a viewer may see: `all`, or a test per warehouse. `none` is
 * the test that passes nothing (kept apart so an item can omit `stock` instead of showing []).
 */
export type BookView =
  { kind: 'all' } | { kind: 'some'; allows: (warehouse: string) => boolean } | { kind: 'none' };

export interface AccessPolicy {
  /** The warehouse the viewer is bound to; null when they may work in every warehouse. */
  boundTo(viewer: Viewer): Promise<string | null>;
  /** True when the viewer may see and act on sessions and stock of `warehouse`. */
  mayUse(viewer: Viewer, warehouse: string): Promise<boolean>;
  /** Throws 403 WAREHOUSE_FORBIDDEN (naming `field`) unless the viewer may use `warehouse`. */
  assertWarehouse(viewer: Viewer, warehouse: string, field: string): Promise<void>;
  /** Whose book quantities the viewer may see, right now. */
  bookView(viewer: Viewer): Promise<BookView>;
  /** True when the viewer may see book quantities and variances of `warehouse` right now. */
  showsBook(viewer: Viewer, warehouse: string): Promise<boolean>;
  /**
   * For a live-event stream: null when the viewer sees every session's events, else a test per
   * event's session id (a user bound to a warehouse sees only that warehouse's sessions).
   */
  sessionFilter(viewer: Viewer): Promise<((sessionId: string | null) => Promise<boolean>) | null>;
  /** Forget what is remembered (a session opened or closed in this process, a user changed). */
  invalidate(): void;
}

/**
 * A count line's status as shown to a viewer who may not see book quantities. `NEEDS_REVIEW` is
 * decided by the variance and the tolerance rule (issue #16), so it shows as `PENDING`, as a blind
 * count answer says only "Saved". A line's tolerance decision, book, variance, values and review
 * reasons are never shown to such a viewer at all.
 */
export function lineStatusShown(status: LineStatus, showsBook: boolean): LineStatus {
  // A CANDIDATE says the bin took another figure: as telling as a review flag.
  return !showsBook && (status === 'NEEDS_REVIEW' || status === 'CANDIDATE') ? 'PENDING' : status;
}

/** How long the open-blind list and users' warehouses are remembered: they sit on every scan. */
const MEMO_MS = 2000;

export function warehouseForbidden(warehouse: string, field: string): AppError {
  return new AppError(
    403,
    'WAREHOUSE_FORBIDDEN',
    `You work in another warehouse than ${warehouse}`,
    [{ path: field, message: `not your warehouse (${warehouse})` }],
  );
}

export function createAccessPolicy(store: Store, clock: () => Date): AccessPolicy {
  let blind: { until: number; warehouses: Set<string> } | null = null;
  const homes = new Map<string, { until: number; warehouse: string | null }>();
  /** A session's warehouse never changes: remembered for every event stream (bounded). */
  const sessionWarehouses = new Map<string, string | null>();

  async function warehouseOfSession(sessionId: string): Promise<string | null> {
    if (sessionWarehouses.has(sessionId)) return sessionWarehouses.get(sessionId)!;
    const warehouse = (await store.sessions.get(sessionId))?.warehouse ?? null;
    if (sessionWarehouses.size > 10_000) sessionWarehouses.clear();
    if (warehouse !== null) sessionWarehouses.set(sessionId, warehouse);
    return warehouse;
  }

  async function openBlindWarehouses(now: number): Promise<Set<string>> {
    if (blind && blind.until > now) return blind.warehouses;
    const warehouses = new Set<string>();
    for (let page = 1; ; page++) {
      const open = await store.sessions.list({
        page,
        page_size: 500,
        status: 'OPEN',
        sort: '-created_at',
      });
      for (const s of open.items) if (s.mode === 'blind') warehouses.add(s.warehouse);
      if (open.items.length < 500) break;
    }
    blind = { until: now + MEMO_MS, warehouses };
    return warehouses;
  }

  async function homeOf(userId: string, now: number): Promise<string | null> {
    const memo = homes.get(userId);
    if (memo && memo.until > now) return memo.warehouse;
    const warehouse = (await store.users.get(userId))?.warehouse ?? null;
    if (homes.size > 10_000) homes.clear();
    homes.set(userId, { until: now + MEMO_MS, warehouse });
    return warehouse;
  }

  async function boundTo(viewer: Viewer): Promise<string | null> {
    if (viewer.role === 'admin') return null;
    return homeOf(viewer.id, clock().getTime());
  }

  async function mayUse(viewer: Viewer, warehouse: string): Promise<boolean> {
    const home = await boundTo(viewer);
    return home === null || home === warehouse;
  }

  async function bookView(viewer: Viewer): Promise<BookView> {
    if (roleAtLeast(viewer.role, 'supervisor')) return { kind: 'all' };
    const now = clock().getTime();
    const [closed, home] = [await openBlindWarehouses(now), await homeOf(viewer.id, now)];
    if (home !== null)
      return closed.has(home)
        ? { kind: 'none' }
        : { kind: 'some', allows: (warehouse) => warehouse === home };
    return { kind: 'some', allows: (warehouse) => !closed.has(warehouse) };
  }

  return {
    boundTo,
    mayUse,
    async assertWarehouse(viewer, warehouse, field) {
      if (!(await mayUse(viewer, warehouse))) throw warehouseForbidden(warehouse, field);
    },
    bookView,
    async showsBook(viewer, warehouse) {
      const view = await bookView(viewer);
      return view.kind === 'all' || (view.kind === 'some' && view.allows(warehouse));
    },
    async sessionFilter(viewer) {
      const home = await boundTo(viewer);
      if (home === null) return null;
      return async (sessionId) =>
        sessionId !== null && (await warehouseOfSession(sessionId)) === home;
    },
    invalidate() {
      blind = null;
      homes.clear();
    },
  };
}
