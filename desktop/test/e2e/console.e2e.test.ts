/**
 * The console end to end (issue #5): the built renderer served by the real server at /console,
 * driven in headless Chromium through the browser Platform. A staff user's claim and scan made
 * through the API reach the watchtower within 2 s; bulk close; review of a flagged line; a
 * variance report generated in the browser's worker, downloaded, and read back with exceljs.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ReportPage, VarianceRow } from '@stockverify/shared';
import ExcelJS from 'exceljs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  apiClient as api,
  ensureConsoleBuilt,
  launchChromium,
  newPage,
  startServer,
  waitFor,
} from './server';
import type { RunningServer } from './server';
import { requireBinary } from '../../../shared/test-support/requires';

// Left out (with the install command printed) where Chromium is missing; a failure in CI.
const hasChromium = requireBinary('chromium');

let server: RunningServer;
let browser: Browser;
let page: Page;
let call: ReturnType<typeof api>['call'];
let adminToken: string;
let supervisorToken: string;
let staffToken: string;
let downloads: string;
const browserErrors: string[] = [];

const SUPERVISOR = { username: 'sup-e2e', password: 'supervisor-e2e-pw-1' };
const STAFF = { username: 'staff-e2e', password: 'staff-e2e-pw-1' };

interface Session {
  id: string;
  name: string;
  warehouse: string;
  status: string;
}

let warehouse: string;
let watched: Session;
let rack: string;
let itemCode: string;
let bookQty: number;

beforeAll(async () => {
  ensureConsoleBuilt();
  server = await startServer();
  ({ call } = api(server.url));
  adminToken = await api(server.url).login('admin', server.adminPassword);
  for (const [person, role] of [
    [SUPERVISOR, 'supervisor'],
    [STAFF, 'staff'],
  ] as const) {
    await call('POST', '/users', adminToken, {
      username: person.username,
      full_name: `${role} e2e`,
      role,
      password: person.password,
    });
  }
  supervisorToken = await api(server.url).login(SUPERVISOR.username, SUPERVISOR.password);
  staffToken = await api(server.url).login(STAFF.username, STAFF.password);
  // The demo ERP is mirrored on start; wait until warehouses and items are there.
  warehouse = await waitFor('the ERP mirror', async () => {
    const status = await call<{ item_count: number }>('GET', '/erp/status', supervisorToken);
    const list = await call<{ items: Array<{ id: string }> }>(
      'GET',
      '/warehouses',
      supervisorToken,
    );
    return status.item_count > 0 && list.items[0] ? list.items[0].id : null;
  });
  watched = await call<Session>('POST', '/sessions', supervisorToken, {
    warehouse,
    name: 'Watched count',
    mode: 'standard',
  });
  // An item with book stock on a rack of this warehouse, to count with a large variance.
  const book = await call<{ items: Array<{ item_code: string; book_qty: number }> }>(
    'GET',
    `/sessions/${watched.id}/book-quantities`,
    supervisorToken,
  );
  for (const candidate of book.items.filter((b) => b.book_qty >= 2)) {
    const item = await call<{ stock?: Array<{ warehouse: string; rack: string | null }> }>(
      'GET',
      `/items/${encodeURIComponent(candidate.item_code)}`,
      supervisorToken,
    );
    const place = item.stock?.find((s) => s.warehouse === warehouse && s.rack);
    if (place?.rack) {
      rack = place.rack;
      itemCode = candidate.item_code;
      bookQty = candidate.book_qty;
      break;
    }
  }
  expect(rack, 'an item with book stock on a rack').toBeTruthy();

  browser = await launchChromium();
  page = await newPage(browser, browserErrors, { acceptDownloads: true, timezoneId: 'UTC' });
  downloads = mkdtempSync(path.join(tmpdir(), 'sv-console-downloads-'));
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  if (downloads) rmSync(downloads, { recursive: true, force: true });
}, 60_000);

describe.runIf(hasChromium)('supervisor console in a browser', () => {
  it('signs in as a supervisor at /console', async () => {
    await page.goto(`${server.url}/console/`);
    await page.getByLabel('User name').fill(SUPERVISOR.username);
    await page.getByLabel('Password').fill('wrong-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect
      .poll(() => page.getByRole('alert').textContent(), { timeout: 10_000 })
      .toMatch(/.+/);
    await page.getByLabel('Password').fill(SUPERVISOR.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('navigation', { name: 'Console' }).waitFor({ timeout: 10_000 });
    expect(await page.locator('.who').textContent()).toContain('supervisor');
  }, 60_000);

  it('shows a staff claim and scan made through the API in the watchtower within 2 s', async () => {
    await page.getByRole('status').filter({ hasText: 'Live' }).waitFor({ timeout: 15_000 });

    const claimStarted = Date.now();
    const claim = await call<{ fencing_token: number }>(
      'POST',
      `/sessions/${watched.id}/racks/${encodeURIComponent(rack)}/claim`,
      staffToken,
      { device_id: 'e2e-phone' },
    );
    const counterRow = page.locator(`tr[data-user="${STAFF.username}"]`);
    await counterRow.filter({ hasText: rack }).waitFor({ timeout: 2000 });
    const claimSeenMs = Date.now() - claimStarted;

    const scanStarted = Date.now();
    await call('POST', `/sessions/${watched.id}/count-lines`, staffToken, {
      op_id: randomUUID(),
      type: 'count',
      session_id: watched.id,
      rack,
      item_code: itemCode,
      // Far above the book quantity, so the line is flagged for review (> 50 %).
      counted_qty: bookQty * 3 + 7,
      damaged_qty: 0,
      non_returnable_damaged_qty: 0,
      serials: [],
      fencing_token: claim.fencing_token,
      variance_reason: 'found extra stock',
      counted_at: new Date().toISOString(),
    });
    await page
      .locator('li[data-kind="scan"]')
      .filter({ hasText: itemCode })
      .waitFor({ timeout: 2000 });
    const scanSeenMs = Date.now() - scanStarted;
    expect(claimSeenMs).toBeLessThan(2000);
    expect(scanSeenMs).toBeLessThan(2000);
    await expect.poll(() => counterRow.textContent()).toMatch(/held/);
  }, 60_000);

  it('closes two sessions at once from the sessions list', async () => {
    const first = await call<Session>('POST', '/sessions', supervisorToken, {
      warehouse,
      name: 'Bulk one',
      mode: 'standard',
    });
    const second = await call<Session>('POST', '/sessions', supervisorToken, {
      warehouse,
      name: 'Bulk two',
      mode: 'blind',
    });
    await page.getByRole('link', { name: 'Sessions' }).click();
    await page.getByLabel('Select Bulk one').check();
    await page.getByLabel('Select Bulk two').check();
    await page.getByRole('button', { name: 'Close selected' }).click();
    // A bulk close asks first (issue #14).
    await page.getByRole('dialog').getByRole('button', { name: 'Close 2 sessions' }).click();
    await page.getByText('Closed 2 of 2 sessions.').waitFor({ timeout: 10_000 });
    for (const s of [first, second]) {
      const now = await call<Session>('GET', `/sessions/${s.id}`, supervisorToken);
      expect(now.status).toBe('CLOSED');
    }
    const watchedNow = await call<Session>('GET', `/sessions/${watched.id}`, supervisorToken);
    expect(watchedNow.status).toBe('OPEN');

    // Bulk export of the same two: the server's file, saved through the browser Platform.
    await page.getByLabel('Select Bulk one').check();
    await page.getByLabel('Select Bulk two').check();
    const downloadEvent = page.waitForEvent('download', { timeout: 30_000 });
    await page.getByRole('button', { name: 'Export selected (CSV)' }).click();
    const download = await downloadEvent;
    expect(download.suggestedFilename()).toMatch(/\.csv$/);
    const file = path.join(downloads, `bulk-${download.suggestedFilename()}`);
    await download.saveAs(file);
    const text = readFileSync(file, 'utf8');
    expect(text.split(/\r?\n/)[0]).toContain('Session id');
  }, 60_000);

  it('approves the flagged line from the session detail', async () => {
    await page.getByRole('link', { name: 'Watched count' }).click();
    await page.getByRole('tab', { name: 'Lines and review' }).click();
    await page.getByLabel(`Review note for ${itemCode} on ${rack}`).fill('checked on the shelf');
    await page.getByRole('button', { name: `Approve ${itemCode} on ${rack}` }).click();
    await page.getByText(`${itemCode} on ${rack}: approved.`).waitFor({ timeout: 10_000 });
    const lines = await call<{
      items: Array<{ item_code: string; status: string; review_note: string }>;
    }>('GET', `/sessions/${watched.id}/lines`, supervisorToken);
    const line = lines.items.find((l) => l.item_code === itemCode);
    expect(line).toMatchObject({ status: 'APPROVED', review_note: 'checked on the shelf' });
  }, 60_000);

  it('generates a variance report locally and its XLSX matches the API rows and totals', async () => {
    await page.getByRole('link', { name: 'Reports' }).click();
    await page.getByLabel('Report type').selectOption('variance');
    // Sessions are picked by name (issue #14), the report still filters by the session's id.
    await page.getByRole('combobox', { name: 'Session' }).fill('Watched count');
    await page.getByRole('option', { name: /^Watched count/ }).click();
    const downloadEvent = page.waitForEvent('download', { timeout: 30_000 });
    await page.getByRole('button', { name: 'Save as Excel' }).click();
    const download = await downloadEvent;
    expect(download.suggestedFilename()).toMatch(/^variance-\d{4}-\d{2}-\d{2}\.xlsx$/);
    const file = path.join(downloads, download.suggestedFilename());
    await download.saveAs(file);
    await page.getByText(/Downloaded variance-.*: 1 rows/).waitFor({ timeout: 10_000 });

    const expected = await call<ReportPage<'variance'>>(
      'POST',
      '/reports/generate',
      supervisorToken,
      {
        type: 'variance',
        filters: { session: watched.id },
        page_size: 1000,
      },
    );
    expect(expected.total).toBe(1);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile(file);
    const sheet = workbook.getWorksheet('Variance');
    expect(sheet).toBeDefined();
    const headers = (sheet!.getRow(1).values as unknown[]).slice(1);
    expect(headers).toEqual(expected.columns.map((c) => c.header));
    expect(sheet!.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    expect(sheet!.autoFilter).toBeTruthy();
    const rows: Record<string, unknown>[] = [];
    sheet!.eachRow((row, n) => {
      if (n === 1) return;
      rows.push(
        Object.fromEntries(expected.columns.map((c, i) => [c.key, row.getCell(i + 1).value])),
      );
    });
    expect(rows).toHaveLength(expected.items.length);
    const apiRow = expected.items[0] as VarianceRow;
    expect(rows[0]).toMatchObject({
      session_id: apiRow.session_id,
      item_code: apiRow.item_code,
      book_qty: apiRow.book_qty,
      counted_qty: apiRow.counted_qty,
      variance: apiRow.variance,
      value_at_cost: apiRow.value_at_cost,
      review_status: apiRow.review_status,
    });
    expect(apiRow.variance).toBe(bookQty * 2 + 7);
    const summary = new Map<string, unknown>();
    workbook
      .getWorksheet('Summary')!
      .eachRow((r) => summary.set(String(r.getCell(1).value), r.getCell(2).value));
    expect(summary.get('Rows')).toBe(expected.totals.rows);
    expect(summary.get('Total Variance')).toBe(expected.totals.variance);
    expect(summary.get('Total Variance value at cost')).toBe(expected.totals.value_at_cost);
    expect(summary.get('Total Book qty')).toBe(expected.totals.book_qty);
    // Beside them the totals at count (issue #17): every row is exact or not resolved.
    expect(summary.get('Total Variance at count (exact items)')).toEqual(expect.any(Number));
    expect(
      Number(summary.get('Items exact at count')) +
        Number(summary.get('Items not resolved at count')),
    ).toBe(expected.totals.rows);
    // The preview shows them with the snapshot totals.
    await page.getByRole('button', { name: 'Preview' }).click();
    const atCount = page.getByRole('definition').filter({ hasText: / of 1$/ });
    await atCount.waitFor({ timeout: 10_000 });
    await page
      .getByLabel('Report totals at count')
      .getByText('Variance at count (exact items)')
      .waitFor({ timeout: 10_000 });
  }, 90_000);

  it('force-releases a staff claim and reopens a completed rack from the rack map', async () => {
    await page.getByRole('link', { name: 'Rack map' }).click();
    await page.getByLabel('Open session').selectOption({ label: 'Watched count' });
    const tile = page.locator(`li[data-rack="${rack}"]`);
    await tile.filter({ hasText: 'claimed' }).waitFor({ timeout: 10_000 });
    expect(await tile.textContent()).toContain(STAFF.username);
    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: `Force-release ${rack}` }).click();
    await page.getByText(`${rack} released.`).waitFor({ timeout: 10_000 });
    await tile.filter({ hasText: 'released' }).waitFor({ timeout: 10_000 });
    const racks = await call<{ items: Array<{ code: string; state: string }> }>(
      'GET',
      `/warehouses/${encodeURIComponent(warehouse)}/racks?session=${watched.id}`,
      supervisorToken,
    );
    expect(racks.items.find((r) => r.code === rack)?.state).toBe('available');

    // The counter takes the rack again and completes it; it has a variance, so the map says so,
    // and the supervisor reopens it for a recount.
    await call(
      'POST',
      `/sessions/${watched.id}/racks/${encodeURIComponent(rack)}/claim`,
      staffToken,
      {
        device_id: 'e2e-phone',
      },
    );
    await call(
      'POST',
      `/sessions/${watched.id}/racks/${encodeURIComponent(rack)}/complete`,
      staffToken,
      {},
    );
    // Remount the map (a reload would sign the browser console out: it keeps no secrets).
    await page.getByRole('link', { name: 'Sessions' }).click();
    await page.getByRole('link', { name: 'Rack map' }).click();
    await page.getByLabel('Open session').selectOption({ label: 'Watched count' });
    await tile.filter({ hasText: 'has variances' }).waitFor({ timeout: 10_000 });
    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: `Reopen ${rack} for recount` }).click();
    await page.getByText(`${rack} reopened for recount.`).waitFor({ timeout: 10_000 });
    await tile.filter({ hasText: 'recount' }).waitFor({ timeout: 10_000 });
  }, 60_000);

  it('lists an account locked by failed sign-ins and unlocks it', async () => {
    // Five wrong passwords lock the staff account (design §6).
    for (let i = 0; i < 5; i++) {
      const res = await fetch(`${server.url}/api/auth/login`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ username: STAFF.username, password: 'wrong-password-1' }),
      });
      expect(res.status).toBe(401);
    }
    await page.getByRole('link', { name: 'Admin' }).click();
    const table = page.getByRole('table', { name: 'Locked accounts' });
    await table.getByText(STAFF.username).waitFor({ timeout: 10_000 });
    await table.getByRole('button', { name: `Unlock ${STAFF.username}` }).click();
    await page.getByText(`${STAFF.username} unlocked.`).waitFor();
    await page.getByText('No account is locked.').waitFor();
    expect((await api(server.url).login(STAFF.username, STAFF.password)).length).toBeGreaterThan(0);
  }, 30_000);

  it('the phone QR code warns that a loopback-only server cannot be reached by phones', async () => {
    await page.getByRole('link', { name: 'Admin' }).click();
    await page.getByRole('tab', { name: 'Phones' }).click();
    // The test server listens on 127.0.0.1: it reports no LAN address (GET /admin/phone-access).
    await page
      .getByRole('alert')
      .filter({ hasText: 'phones cannot reach it' })
      .waitFor({ timeout: 10_000 });
    expect(await page.getByLabel('Address phones use').inputValue()).toBe(`${server.url}/`);
    await page.getByRole('img', { name: `QR code for ${server.url}/` }).waitFor();
  }, 30_000);

  it('pages and virtualizes the variances of a session with hundreds of items (issue #13)', async () => {
    const counter = { username: 'staff-variances-e2e', password: 'staff-variances-pw-1' };
    await call('POST', '/users', adminToken, {
      username: counter.username,
      full_name: 'Variances counter',
      role: 'staff',
      password: counter.password,
    });
    const counterToken = await api(server.url).login(counter.username, counter.password);
    const session = await call<Session>('POST', '/sessions', supervisorToken, {
      warehouse,
      name: 'Variance paging',
      mode: 'standard',
    });
    const claim = await call<{ fencing_token: number }>(
      'POST',
      `/sessions/${session.id}/racks/${encodeURIComponent(rack)}/claim`,
      counterToken,
      { device_id: 'e2e-variances-phone' },
    );
    const book = await call<{ items: Array<{ item_code: string; book_qty: number }> }>(
      'GET',
      `/sessions/${session.id}/book-quantities`,
      supervisorToken,
    );
    // 300 items counted once each in one rack: more than one page of the panel (200).
    const records = book.items.slice(0, 300).map((b, i) => ({
      op_id: randomUUID(),
      type: 'count',
      session_id: session.id,
      rack,
      item_code: b.item_code,
      counted_qty: i % 5,
      damaged_qty: 0,
      non_returnable_damaged_qty: 0,
      serials: [],
      fencing_token: claim.fencing_token,
      counted_at: new Date().toISOString(),
    }));
    const synced = await fetch(`${server.url}/api/sync/batch`, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        Authorization: `Bearer ${counterToken}`,
        'Idempotency-Key': randomUUID(),
      },
      body: JSON.stringify({ device_id: 'e2e-variances-phone', records }),
    });
    expect(synced.status).toBe(200);
    const firstPage = await call<{
      total: number;
      items: Array<{ item_code: string }>;
      next_after: string | null;
    }>('GET', `/sessions/${session.id}/variances?page_size=200`, supervisorToken);
    expect(firstPage.total).toBeGreaterThan(200);
    expect(firstPage.next_after).not.toBeNull();

    await page.getByRole('link', { name: 'Sessions' }).click();
    await page.getByRole('link', { name: 'Variance paging' }).click();
    const panel = page.getByRole('region', { name: 'Variances' });
    const count = panel.getByText(/ of [\d,]+ items$/);
    await count.filter({ hasText: `200 of ${firstPage.total} items` }).waitFor({ timeout: 15_000 });
    const list = panel.getByRole('table', { name: 'Variances by item' });
    // Largest variance first, as the API orders it; only the rows in view are in the page.
    const rows = list.locator('[data-item]');
    expect(await rows.first().getAttribute('data-item')).toBe(firstPage.items[0]!.item_code);
    expect(await rows.count()).toBeLessThan(60);
    // Scrolling to the end follows next_after for the rest.
    await list.locator('.vlist-viewport').evaluate((el) => el.scrollTo(0, el.scrollHeight));
    await count
      .filter({ hasText: `${firstPage.total} of ${firstPage.total} items` })
      .waitFor({ timeout: 15_000 });

    // Sorted by item code, then filtered to a rack nothing was counted in.
    await panel.getByLabel('Sort variances').selectOption('item_code');
    const byCode = await call<{ items: Array<{ item_code: string }> }>(
      'GET',
      `/sessions/${session.id}/variances?page_size=1&sort=item_code`,
      supervisorToken,
    );
    await expect
      .poll(() => rows.first().getAttribute('data-item'), { timeout: 10_000 })
      .toBe(byCode.items[0]!.item_code);
    // A variance opens the item's expected at count beside the snapshot one (issue #17).
    const first = byCode.items[0]!.item_code;
    await panel.getByRole('button', { name: `Variance at count of ${first}` }).click();
    const card = panel.getByRole('complementary', { name: `Expected at count of ${first}` });
    await card.getByText('Against the book when counted').waitFor({ timeout: 10_000 });
    await card.getByRole('button', { name: 'Close expected at count' }).click();
    await card.waitFor({ state: 'detached', timeout: 10_000 });
    await panel.getByLabel('Rack filter').fill('NO-SUCH-RACK');
    await panel.getByText('No item matches.').waitFor({ timeout: 10_000 });
  }, 90_000);

  it('raised no uncaught errors in the page', () => {
    expect(browserErrors).toEqual([]);
  });
});
