import { roleAtLeast } from '@stockverify/shared';
import type { Store } from '../../ports/store';
import type { BookQtyPolicy } from '../items/items.service';

const MEMO_MS = 2000;

/**
 * Blind counting (DESIGN §4, API.md): staff never see book quantities for a blind session. With
 * `session=` the session decides; without it, staff see none while any blind session is open in
 * their warehouse (or anywhere, for staff not tied to one). The open-blind list is remembered for
 * 2 s: it sits on the lookup path of every scan.
 */
export function createBookQtyPolicy(store: Store, clock: () => Date): BookQtyPolicy {
  let blind: { until: number; warehouses: Set<string> } | null = null;
  const warehouses = new Map<string, { until: number; warehouse: string | null }>();

  async function openBlindWarehouses(now: number): Promise<Set<string>> {
    if (blind && blind.until > now) return blind.warehouses;
    const open = await store.sessions.list({
      page: 1,
      page_size: 500,
      status: 'OPEN',
      sort: '-created_at',
    });
    blind = {
      until: now + MEMO_MS,
      warehouses: new Set(open.items.filter((s) => s.mode === 'blind').map((s) => s.warehouse)),
    };
    return blind.warehouses;
  }

  async function warehouseOf(userId: string, now: number): Promise<string | null> {
    const memo = warehouses.get(userId);
    if (memo && memo.until > now) return memo.warehouse;
    const warehouse = (await store.users.get(userId))?.warehouse ?? null;
    if (warehouses.size > 10_000) warehouses.clear();
    warehouses.set(userId, { until: now + MEMO_MS, warehouse });
    return warehouse;
  }

  return async (viewer, sessionId) => {
    if (roleAtLeast(viewer.role, 'supervisor')) return true;
    if (sessionId) {
      const session = await store.sessions.get(sessionId);
      if (session) return session.mode !== 'blind';
    }
    const now = clock().getTime();
    const blindWarehouses = await openBlindWarehouses(now);
    if (blindWarehouses.size === 0) return true;
    const warehouse = await warehouseOf(viewer.id, now);
    return warehouse === null ? false : !blindWarehouses.has(warehouse);
  };
}
