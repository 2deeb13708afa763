/**
 * The console as a supervisor uses it all day (issue #14), at 1440 × 900 in headless Chromium
 * against the real server: bulk close asks first and names the racks counters still hold; Reject
 * does not look like Approve; system health says its overall state; the ERP import's rejected rows
 * name their column; charts start bars at zero, show every label and offer a table.
 */
import { randomUUID } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireBinary } from '../../../shared/test-support/requires';
import {
  apiClient as api,
  ensureConsoleBuilt,
  startServer,
  claimFirstRack,
  mirroredWarehouse,
  launchChromium,
  newPage,
  signInToConsole,
} from './server';
import type { RunningServer } from './server';

const hasChromium = requireBinary('chromium');

let server: RunningServer;
let browser: Browser;
let page: Page;
let call: ReturnType<typeof api>['call'];
let adminToken: string;
let staffToken: string;
let warehouse: string;
const browserErrors: string[] = [];

interface Session {
  id: string;
  name: string;
  status: string;
}

/** Claims a rack as the staff user and counts one item there (variance against the book). */
async function countOne(session: Session, counted: number) {
  const { book, rack, fencingToken } = await claimFirstRack(call, {
    session: session.id,
    warehouse,
    reader: adminToken,
    staffToken,
    device: 'office-e2e',
  });
  await call('POST', `/sessions/${session.id}/count-lines`, staffToken, {
    op_id: randomUUID(),
    type: 'count',
    session_id: session.id,
    rack,
    item_code: book[0]!.item_code,
    counted_qty: counted,
    damaged_qty: 0,
    non_returnable_damaged_qty: 0,
    serials: [],
    fencing_token: fencingToken,
    variance_reason: 'office e2e',
    counted_at: new Date().toISOString(),
  });
  return rack;
}

beforeAll(async () => {
  if (!hasChromium) return;
  ensureConsoleBuilt();
  server = await startServer();
  ({ call } = api(server.url));
  adminToken = await api(server.url).login('admin', server.adminPassword);
  warehouse = await mirroredWarehouse(call, adminToken);
  await call('POST', '/users', adminToken, {
    username: 'priya',
    full_name: 'Priya Counter',
    role: 'staff',
    password: 'staff-office-pw-1',
    warehouse,
  });
  staffToken = await api(server.url).login('priya', 'staff-office-pw-1');
  browser = await launchChromium();
  page = await newPage(browser, browserErrors);
  await signInToConsole(page, server.url, 'admin', server.adminPassword);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
}, 60_000);

describe.runIf(hasChromium)('console in the office', { timeout: 60_000 }, () => {
  it('asks before a bulk close, naming the racks counters still hold and what it leaves alone', async () => {
    const open = await call<Session>('POST', '/sessions', adminToken, {
      warehouse,
      name: 'Office open count',
      mode: 'standard',
    });
    const done = await call<Session>('POST', '/sessions', adminToken, {
      warehouse,
      name: 'Office finished count',
      mode: 'standard',
    });
    await call('POST', `/sessions/${done.id}/close`, adminToken, {});
    const held = await countOne(open, 1);

    await page.getByRole('link', { name: 'Sessions' }).click();
    await page.getByLabel('Select Office open count').check();
    await page.getByLabel('Select Office finished count').check();
    await page.getByRole('button', { name: 'Close selected' }).click();
    const dialog = page.getByRole('dialog', { name: 'Close 1 session?' });
    await dialog.waitFor();
    const text = (await dialog.textContent()) ?? '';
    expect(text).toContain('Office open count');
    expect(text).toContain(`${held} (priya)`);
    expect(text).toMatch(/Office finished count — already closed/);
    // Cancel changes nothing.
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    expect((await call<Session>('GET', `/sessions/${open.id}`, adminToken)).status).toBe('OPEN');

    await page.getByRole('button', { name: 'Close selected' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Close 1 session' }).click();
    await page.getByText('Closed 1 of 1 session.').waitFor({ timeout: 10_000 });
    expect((await call<Session>('GET', `/sessions/${open.id}`, adminToken)).status).toBe('CLOSED');
  });

  it('shows Reject in a colour of its own, not as another Approve', async () => {
    const session = await call<Session>('POST', '/sessions', adminToken, {
      warehouse,
      name: 'Office review',
      mode: 'standard',
    });
    await countOne(session, 999);
    await page.goto(`${server.url}/console/#/sessions/${session.id}`);
    await page.getByRole('tab', { name: /Lines/ }).click();
    const approve = page.getByRole('button', { name: /^Approve / }).first();
    const reject = page.getByRole('button', { name: /^Reject / }).first();
    await reject.waitFor();
    const colours = await Promise.all(
      [approve, reject].map((b) => b.evaluate((el) => getComputedStyle(el).backgroundColor)),
    );
    expect(colours[0]).not.toBe(colours[1]);
  });

  it('says the overall system state in words', async () => {
    await page.getByRole('link', { name: 'Admin' }).click();
    await page.getByRole('tab', { name: 'System health' }).click();
    const overall = page.locator('[data-status]');
    await overall.waitFor();
    expect(await overall.textContent()).toMatch(/^ok — everything answers/);
  });

  it('names the column of each rejected row of an item-master import', async () => {
    await page.getByRole('tab', { name: 'Item master (ERP)' }).click();
    const csv = 'item_code,name,barcode,price,cost\nOK-1,Good row,1234567890128,5,3\nBAD-1,,,x,3\n';
    await page.getByLabel('Item master file (CSV or XLSX)').setInputFiles({
      name: 'master.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(csv),
    });
    await page.getByRole('button', { name: 'Import' }).click();
    const table = page.getByRole('table', { name: 'Rejected rows' });
    await table.waitFor({ timeout: 20_000 });
    const cells = await table.locator('tbody tr td:nth-child(2)').allTextContents();
    expect(cells.length).toBeGreaterThan(0);
    for (const cell of cells) expect(cell.trim()).toMatch(/^[a-z_]+$/);
  });

  it('starts every bar at zero, shows every label, and offers a table', async () => {
    await page.getByRole('link', { name: 'Dashboards' }).click();
    const byCounter = page.getByRole('figure', { name: 'Variance by counter' });
    await byCounter.locator('.recharts-bar-rectangle').first().waitFor({ timeout: 20_000 });
    // The value axis has a 0 tick; a bar chart whose axis starts elsewhere misleads.
    const ticks = await byCounter
      .locator('.recharts-xAxis-tick-labels .recharts-cartesian-axis-tick-value')
      .allTextContents();
    expect(ticks).toContain('0');
    // Every category has a label on the chart.
    const byCategory = page.getByRole('figure', { name: 'Variance by category' });
    await byCategory.locator('.recharts-bar-rectangle').first().waitFor();
    const labels = await byCategory
      .locator('.recharts-yAxis-tick-labels .recharts-cartesian-axis-tick-value')
      .allTextContents();
    await byCategory.getByRole('button', { name: 'Show as table' }).click();
    const rows = await byCategory.locator('tbody tr').count();
    expect(rows).toBeGreaterThan(0);
    expect(labels).toHaveLength(rows);
    expect(browserErrors).toEqual([]);
  });

  it('charts count quality per counter and per session (issue #16)', async () => {
    const byCounter = page.getByRole('figure', { name: /^Count quality by counter/ });
    await byCounter.locator('.recharts-bar-rectangle').first().waitFor({ timeout: 20_000 });
    await byCounter.getByRole('button', { name: 'Show as table' }).click();
    const accuracy = await byCounter.locator('tbody tr td:nth-child(3)').allTextContents();
    expect(accuracy.length).toBeGreaterThan(0);
    for (const cell of accuracy) expect(cell).toMatch(/^(\d+(\.\d+)? %|—)$/);
    const bySession = page.getByRole('figure', { name: 'Count quality by session (%)' });
    await bySession.locator('.recharts-bar-rectangle').first().waitFor();
    expect(browserErrors).toEqual([]);
  });
});
