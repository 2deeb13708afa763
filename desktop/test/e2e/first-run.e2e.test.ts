/**
 * First-run guidance (issue #14), in headless Chromium on a fresh server: with no sessions and no
 * staff the console (1440 × 900) says what to do first, each step a link to its screen; the staff
 * app (412 × 915) with no open session says whom to ask.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireBinary } from '../../../shared/test-support/requires';
import {
  apiClient as api,
  ensureConsoleBuilt,
  launchChromium,
  newPage,
  startServer,
} from './server';
import type { RunningServer } from './server';
import { ensureBuilt } from '../../../shared/test-support/real-server';

const hasChromium = requireBinary('chromium');

let server: RunningServer;
let browser: Browser;
let page: Page;
let call: ReturnType<typeof api>['call'];
let adminToken: string;
const browserErrors: string[] = [];

beforeAll(async () => {
  if (!hasChromium) return;
  ensureConsoleBuilt();
  ensureBuilt('pwa', 'pwa/dist/index.html', ['pwa/src', 'shared/src', 'pwa/vite.config.ts']);
  server = await startServer();
  ({ call } = api(server.url));
  adminToken = await api(server.url).login('admin', server.adminPassword);
  browser = await launchChromium();
  page = await newPage(browser, browserErrors);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
}, 60_000);

describe.runIf(hasChromium)('first run', { timeout: 90_000 }, () => {
  it('tells a supervisor on a fresh server what to do first, each step a link', async () => {
    await page.goto(`${server.url}/console/`);
    await page.getByLabel('User name').fill('admin');
    await page.getByLabel('Password').fill(server.adminPassword);
    await page.getByRole('button', { name: 'Sign in' }).click();
    const guide = page.getByRole('region', { name: 'Getting started' });
    await guide.waitFor({ timeout: 15_000 });
    expect(await guide.textContent()).toContain(
      'There are no count sessions and no staff accounts yet.',
    );
    const links = guide.getByRole('link');
    expect(await links.allTextContents()).toEqual([
      expect.stringMatching(/^(Import|Check) the item master$/),
      'Create staff accounts',
      'Create a count session',
      'Show phones the QR code',
    ]);
    // Each link opens its screen.
    await guide.getByRole('link', { name: 'Create staff accounts' }).click();
    expect(await page.getByRole('tab', { name: 'Users' }).getAttribute('aria-selected')).toBe(
      'true',
    );
    await page.goto(`${server.url}/console/#/watchtower`);
    await guide.getByRole('link', { name: 'Show phones the QR code' }).click();
    expect(await page.getByRole('tab', { name: 'Phones' }).getAttribute('aria-selected')).toBe(
      'true',
    );
    await page.goto(`${server.url}/console/#/watchtower`);
    await guide.getByRole('link', { name: /the item master$/ }).click();
    expect(
      await page.getByRole('tab', { name: 'Item master (ERP)' }).getAttribute('aria-selected'),
    ).toBe('true');
    await page.goto(`${server.url}/console/#/watchtower`);
    await guide.getByRole('link', { name: 'Create a count session' }).click();
    await page.getByRole('heading', { name: 'Sessions', exact: true }).waitFor();
    // The sessions screen carries the same guide.
    await guide.waitFor();
  });

  it('tells a counter whom to ask when no session is open, then the guide goes away', async () => {
    const warehouses = await call<{ items: Array<{ id: string }> }>(
      'GET',
      '/warehouses',
      adminToken,
    );
    const warehouse = warehouses.items[0]!.id;
    await call('POST', '/users', adminToken, {
      username: 'meena',
      full_name: 'Meena Counter',
      role: 'staff',
      password: 'staff-first-pw-1',
      warehouse,
    });
    const phone = await browser.newContext({
      viewport: { width: 412, height: 915 },
      isMobile: true,
      hasTouch: true,
    });
    const staff = await phone.newPage();
    staff.on('pageerror', (error) => browserErrors.push(error.message));
    await staff.goto(server.url);
    await staff.getByLabel('Username').fill('meena');
    await staff.getByLabel('Password').fill('staff-first-pw-1');
    await staff.getByRole('button', { name: 'Sign in' }).click();
    await staff
      .getByText(`Ask your supervisor to start a count session for warehouse ${warehouse}`)
      .waitFor({ timeout: 15_000 });
    await phone.close();

    // Staff exist now; with a session too the console no longer shows the guide.
    // Another screen, so the guide reads the facts again.
    await page.goto(`${server.url}/console/#/watchtower`);
    const guide = page.getByRole('region', { name: 'Getting started' });
    await guide.waitFor();
    expect(await guide.textContent()).toContain('There are no count sessions yet.');
    await call('POST', '/sessions', adminToken, {
      warehouse,
      name: 'First count',
      mode: 'standard',
    });
    await page.goto(`${server.url}/console/#/sessions`);
    await page.locator('[data-session="First count"]').waitFor();
    await page.waitForTimeout(1500); // the guide's own reads
    expect(await guide.count()).toBe(0);
    expect(browserErrors).toEqual([]);
  });
});
