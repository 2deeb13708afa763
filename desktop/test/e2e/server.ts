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
 * The session's book quantities (read as `reader`) and its warehouse's first rack, claimed by
 * `staffToken`: what a test counts against.
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
  const rack = racks.items[0]!.code;
  const claim = await call<{ fencing_token: number }>(
    'POST',
    `/sessions/${options.session}/racks/${encodeURIComponent(rack)}/claim`,
    options.staffToken,
    { device_id: options.device },
  );
  return { book: book.items, rack, fencingToken: claim.fencing_token };
}
