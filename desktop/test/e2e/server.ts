/**
 * The console's end-to-end support: the shared real-server helpers plus a fresh console build,
 * headless Chromium with a page, the console's sign-in, and a supervisor and a counter.
 */
import { chromium } from 'playwright-core';
import type { Browser, BrowserContextOptions, Page } from 'playwright-core';
import { apiClient, ensureBuilt, waitFor } from '../../../shared/test-support/real-server';

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

/** Headless Chromium: CHROMIUM_PATH, else Debian's /usr/bin/chromium. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

/**
 * A page in a new context of `browser` (by default the console's 1440 × 900 viewport); the page's
 * uncaught errors are pushed to `errors`.
 */
export async function newPage(
  browser: Browser,
  errors: string[],
  context: BrowserContextOptions = { viewport: { width: 1440, height: 900 } },
): Promise<Page> {
  const page = await (await browser.newContext(context)).newPage();
  page.on('pageerror', (error) => errors.push(error.message));
  return page;
}

/** Opens the console served at `url`, signs in and waits for its navigation. */
export async function signInToConsole(
  page: Page,
  url: string,
  username: string,
  password: string,
): Promise<void> {
  await page.goto(`${url}/console/`);
  await page.getByLabel('User name').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('navigation', { name: 'Console' }).waitFor({ timeout: 15_000 });
}

/**
 * Creates the warehouse's supervisor sue and counter omar with these passwords (as the admin) and
 * signs both in through the API at `url`.
 */
export async function addSueAndOmar(
  url: string,
  adminToken: string,
  warehouse: string,
  passwords: { supervisor: string; staff: string },
): Promise<{ supervisorToken: string; staffToken: string }> {
  const { call, login } = apiClient(url);
  await call('POST', '/users', adminToken, {
    username: 'sue',
    full_name: 'Sue Supervisor',
    role: 'supervisor',
    password: passwords.supervisor,
    warehouse,
  });
  await call('POST', '/users', adminToken, {
    username: 'omar',
    full_name: 'Omar Counter',
    role: 'staff',
    password: passwords.staff,
    warehouse,
  });
  return {
    supervisorToken: await login('sue', passwords.supervisor),
    staffToken: await login('omar', passwords.staff),
  };
}

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
