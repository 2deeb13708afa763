/** The console's end-to-end support: the shared real-server helpers plus a fresh console build. */
import { ensureBuilt, waitFor } from '../../../shared/test-support/real-server';
import type { apiClient } from '../../../shared/test-support/real-server';

export { apiClient, startServer, waitFor } from '../../../shared/test-support/real-server';
export type { RunningServer } from '../../../shared/test-support/real-server';

/** CI builds before testing; locally a missing or stale console build is rebuilt here. */
export function ensureConsoleBuilt(): void {
  ensureBuilt('desktop', 'desktop/dist/renderer/index.html', [
    'desktop/src/renderer',
    'shared/src',
    'desktop/vite.config.ts',
  ]);
}

type Call = ReturnType<typeof apiClient>['call'];

/** Waits until the demo ERP mirrored on start has items and warehouses; the first warehouse. */
export function mirroredWarehouse(call: Call, token: string): Promise<string> {
  return waitFor('the ERP mirror', async () => {
    const status = await call<{ item_count: number }>('GET', '/erp/status', token);
    const list = await call<{ items: Array<{ id: string }> }>('GET', '/warehouses', token);
    return status.item_count > 0 && list.items[0] ? list.items[0].id : null;
  });
}

/**
 * A rack of the session's warehouse, claimed by `staffToken`, and the items to count there with
 * their book quantities (read as `reader`): the items the ERP stocks in that rack only, so the
 * item's book is also its bin's (docs/design.md §4 "A bin's book"). The rack is the one holding
 * the most such items (ties: the first in the warehouse's order).
 */
export async function claimFirstRack(
  call: Call,
  options: {
    session: string;
    warehouse: string;
    reader: string;
    staffToken: string;
    device: string;
  },
) {
  const book = await call<{ items: Array<{ item_code: string; book_qty: number }> }>(
    'GET',
    `/sessions/${options.session}/book-quantities`,
    options.reader,
  );
  const racks = await call<{ items: Array<{ code: string }> }>(
    'GET',
    `/warehouses/${options.warehouse}/racks`,
    options.reader,
  );
  const exported = await call<{
    items: Array<{
      item_code: string;
      stock?: Array<{ warehouse: string; rack: string | null; qty: number }>;
    }>;
  }>(
    'GET',
    `/items/export?warehouse=${encodeURIComponent(options.warehouse)}&format=json&limit=5000`,
    options.reader,
  );
  // The one rack each single-rack item is stocked in.
  const rackOf = new Map<string, string>();
  for (const item of exported.items) {
    const rows = (item.stock ?? []).filter((s) => s.warehouse === options.warehouse);
    const only = rows[0]?.rack;
    if (only && rows.every((s) => s.rack === only)) rackOf.set(item.item_code, only);
  }
  const held = new Map<string, number>();
  for (const row of book.items) {
    const at = rackOf.get(row.item_code);
    if (at) held.set(at, (held.get(at) ?? 0) + 1);
  }
  const rack = racks.items.reduce(
    (best, r) => ((held.get(r.code) ?? 0) > (held.get(best) ?? 0) ? r.code : best),
    racks.items[0]!.code,
  );
  const claim = await call<{ fencing_token: number }>(
    'POST',
    `/sessions/${options.session}/racks/${encodeURIComponent(rack)}/claim`,
    options.staffToken,
    { device_id: options.device },
  );
  return {
    book: book.items.filter((row) => rackOf.get(row.item_code) === rack),
    rack,
    fencingToken: claim.fencing_token,
  };
}
