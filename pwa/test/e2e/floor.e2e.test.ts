/**
 * The staff app as a counter uses it on the floor (issue #14), on a 412 × 915 touch phone in
 * headless Chromium against the real server: an offline reload reopens the rack being counted
 * (not the first one this phone claimed), the rack list and this phone's racks are there offline,
 * the error goes when the network is back, "Your racks on this phone" opens the rack, and no screen
 * is wider than the phone.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient, ensurePwaBuilt, startServer } from './server';
import type { RunningServer } from './server';
import { requireBinary } from '../../../shared/test-support/requires';

// Left out (with the install command printed) where Chromium is missing; a failure in CI.
const hasChromium = requireBinary('chromium');

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const WAREHOUSE = 'WH-MAIN';

interface ExportedItem {
  item_code: string;
  name: string;
  serialized: boolean;
  decimal_qty: boolean;
  barcodes: Array<{ code: string; kind: string }>;
}

let server: RunningServer;
let context: BrowserContext;
let page: Page;
let tmp: string;
let api: ReturnType<typeof apiClient>;
let supervisorToken: string;
let sessionId: string;
let rackA: string;
let rackB: string;
let freeRack: { code: string; location_barcode: string };
let item: ExportedItem;
const pageErrors: string[] = [];

beforeAll(async () => {
  ensurePwaBuilt();
  server = await startServer();
  api = apiClient(server.url);
  const admin = await api.login('admin', server.adminPassword);
  for (let i = 0; i < 100; i += 1) {
    const status = await api.call<{ item_count: number }>('GET', '/erp/status', admin);
    if (status.item_count > 0) break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  await api.call('POST', '/users', admin, {
    username: 'sam',
    full_name: 'Sam Supervisor',
    role: 'supervisor',
    password: 'supervisor-pass-1',
  });
  await api.call('POST', '/users', admin, {
    username: 'ravi',
    full_name: 'Ravi Counter',
    role: 'staff',
    password: 'staff-pass-1',
    warehouse: WAREHOUSE,
  });
  await api.call('POST', '/users', admin, {
    username: 'asha',
    full_name: 'Asha Counter',
    role: 'staff',
    password: 'staff-pass-2',
    warehouse: WAREHOUSE,
  });
  supervisorToken = await api.login('sam', 'supervisor-pass-1');
  // Every count here is accepted as it stands: recount tasks (issue #16) are the business of
  // recount-tasks.e2e.test.ts, and one would hide a rack's earlier count from its recounter.
  await api.call('POST', '/tolerance-rules', supervisorToken, {
    id: 'floor-accept-all',
    scope: { kind: 'everything' },
    thresholds: { shortage: { units: 1_000_000 }, overage: { units: 1_000_000 } },
    on_exceed: 'approve',
  });
  const exported = await api.call<{ items: ExportedItem[] }>(
    'GET',
    `/items/export?warehouse=${WAREHOUSE}&format=json&limit=200`,
    admin,
  );
  item = exported.items.find(
    (i) => !i.serialized && !i.decimal_qty && /^\d{13}$/.test(i.barcodes[0]?.code ?? ''),
  )!;
  const racks = await api.call<{ items: Array<{ code: string; location_barcode: string }> }>(
    'GET',
    `/warehouses/${WAREHOUSE}/racks`,
    admin,
  );
  rackA = racks.items[0]!.code;
  freeRack = racks.items[1]!;
  rackB = racks.items[2]!.code;
  const session = await api.call<{ id: string }>('POST', '/sessions', supervisorToken, {
    warehouse: WAREHOUSE,
    name: 'Floor walk',
    mode: 'standard',
    scope: { floors: [], racks: [rackA, racks.items[1]!.code, rackB] },
  });
  sessionId = session.id;

  tmp = mkdtempSync(path.join(tmpdir(), 'sv-floor-'));
  context = await chromium.launchPersistentContext(path.join(tmp, 'profile'), {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    viewport: { width: 412, height: 915 },
    hasTouch: true,
    isMobile: true,
    serviceWorkers: 'allow',
  });
  page = context.pages()[0] ?? (await context.newPage());
  page.on('pageerror', (error) => pageErrors.push(error.message));
}, 180_000);

afterAll(async () => {
  await context?.close();
  await server?.stop();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

const PHONE_WIDTH = 412;

/**
 * Nothing on the screen is wider than the phone: the page never pans sideways. Measured against
 * the phone's width, not `innerWidth`: a mobile browser widens its layout viewport to fit content
 * that overflows, so `innerWidth` grows with the overflow it should reveal.
 */
async function expectNoHorizontalOverflow(screen: string) {
  const widths = await page.evaluate(
    (phone) => ({
      page: document.documentElement.scrollWidth,
      viewport: window.innerWidth,
      widest: [...document.querySelectorAll('body *')]
        .filter((el) => el.getBoundingClientRect().right > phone + 0.5)
        .map((el) => `${el.tagName.toLowerCase()}.${el.className}`)
        .slice(0, 5),
    }),
    PHONE_WIDTH,
  );
  expect({ screen, ...widths }).toEqual({
    screen,
    page: PHONE_WIDTH,
    viewport: PHONE_WIDTH,
    widest: [],
  });
}

function rackButton(rack: string) {
  return page.getByRole('button', { name: new RegExp(`^Rack ${rack},`) });
}

function scanHeading(rack: string) {
  return page.getByRole('heading', { name: new RegExp(`^Rack ${rack}\\b`) });
}

describe.runIf(hasChromium)('staff app on the floor', { timeout: 90_000 }, () => {
  it('fits a 412 px phone on every screen, the count form included', async () => {
    await page.goto(server.url);
    await expectNoHorizontalOverflow('sign-in');
    await page.getByLabel('Username').fill('ravi');
    await page.getByLabel('Password').fill('staff-pass-1');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: /Floor walk/ }).waitFor();
    await expect.poll(() => page.getByText('3 racks').count()).toBe(1);
    await expectNoHorizontalOverflow('sessions');
    await page.getByRole('button', { name: /Floor walk/ }).click();
    await page.getByText(/items ready offline/).waitFor({ timeout: 30_000 });
    await expectNoHorizontalOverflow('racks');
    await rackButton(rackA).click();
    await scanHeading(rackA).waitFor();
    await expectNoHorizontalOverflow('scan');
    await page.getByLabel('Barcode or item code').fill(item.barcodes[0]!.code);
    await page.getByRole('button', { name: 'Look up' }).click();
    const form = page.locator('form.count-form');
    await form.getByRole('heading', { name: item.name }).waitFor();
    await expectNoHorizontalOverflow('count form');
    // "+" is on screen and works with a tap.
    const plus = form.getByRole('button', { name: 'Counted quantity: plus 1' });
    const box = await plus.boundingBox();
    expect(box && box.x + box.width).toBeLessThanOrEqual(PHONE_WIDTH);
    // The tab bar stays reachable while the form is open.
    const tabs = await page.getByRole('navigation', { name: 'Main' }).boundingBox();
    expect(tabs && tabs.y + tabs.height).toBeLessThanOrEqual(915);
    await plus.tap();
    await plus.tap();
    await expect
      .poll(() => form.getByLabel('Counted quantity', { exact: true }).inputValue())
      .toBe('2');
    await form.getByRole('button', { name: 'Save count' }).click();
    await page.getByText(/Saved on this phone/).waitFor();
    await page.getByRole('button', { name: /^Sync/ }).click();
    await expectNoHorizontalOverflow('sync');
    await page.getByRole('button', { name: 'Settings' }).click();
    await expectNoHorizontalOverflow('settings');
  });

  it('says "1 line" for a rack with one line', async () => {
    await expect
      .poll(async () => {
        const lines = await api.call<{ total: number }>(
          'GET',
          `/sessions/${sessionId}/lines`,
          supervisorToken,
        );
        return lines.total;
      })
      .toBe(1);
    await page.getByRole('button', { name: 'Count' }).click();
    // The Count tab goes back to where the counter was: rack A's counting screen.
    await scanHeading(rackA).waitFor();
    await page.getByRole('button', { name: '← Racks' }).click();
    await expect.poll(() => rackButton(rackA).textContent()).toMatch(/· 1 line$/);
  });

  it('reopens the rack being counted after an offline reload, not the first one claimed', async () => {
    await rackButton(rackB).click();
    await scanHeading(rackB).waitFor();
    await page.evaluate(async () => {
      await navigator.serviceWorker.ready;
    });
    await context.setOffline(true);
    await page.reload();
    await scanHeading(rackB).waitFor();
    expect(await scanHeading(rackA).count()).toBe(0);

    // The count saved now belongs to rack B.
    await page.getByLabel('Barcode or item code').fill(item.barcodes[0]!.code);
    await page.getByRole('button', { name: 'Look up' }).click();
    const form = page.locator('form.count-form');
    await form.getByRole('heading', { name: item.name }).waitFor();
    await form.getByLabel('Counted quantity', { exact: true }).fill('4');
    await form.getByRole('button', { name: 'Save count' }).click();
    await page.getByText(/Saved on this phone/).waitFor();
  });

  it('shows the racks offline and goes back to a rack this phone holds', async () => {
    await page.getByRole('button', { name: '← Racks' }).click();
    // The list as last seen, with a note, not an empty screen.
    await rackButton(rackA).waitFor();
    await page.getByText(/Showing the racks as this phone last saw them/).waitFor();
    await rackButton(rackA).click();
    await scanHeading(rackA).waitFor();
    await page.getByRole('button', { name: '← Racks' }).click();
    await page.getByText(/Showing the racks as this phone last saw them/).waitFor();

    // Back online: the note goes without leaving the screen, and the offline count syncs to B.
    // The first request for the list still fails, as it does when the browser says "online"
    // before requests get through (Chromium 150 here): the screen asks again by itself.
    await page.route('**/warehouses/*/racks?*', (route) => route.abort('internetdisconnected'), {
      times: 1,
    });
    await context.setOffline(false);
    await expect
      .poll(() => page.getByText(/Showing the racks as this phone last saw them/).count(), {
        timeout: 15_000,
      })
      .toBe(0);
    await expect
      .poll(
        async () => {
          const lines = await api.call<{ items: Array<{ rack: string; counted_qty: number }> }>(
            'GET',
            `/sessions/${sessionId}/lines?page_size=100`,
            supervisorToken,
          );
          return lines.items.map((l) => [l.rack, l.counted_qty]).sort();
        },
        { timeout: 20_000 },
      )
      .toEqual(
        [
          [rackA, 2],
          [rackB, 4],
        ].sort(),
      );
  });

  it('opens the rack itself from "Your racks on this phone"', async () => {
    await page.getByRole('button', { name: '← Sessions' }).click();
    const yours = page.locator('.card', { hasText: 'Your racks on this phone' });
    await yours.getByRole('button', { name: new RegExp(`Rack ${rackB}`) }).click();
    await scanHeading(rackB).waitFor();
    expect(pageErrors).toEqual([]);
  });

  it('shows the sessions offline with a note that goes once the network is back', async () => {
    // From rack B's screen, offline: back to its racks, then to the sessions (loaded offline).
    await context.setOffline(true);
    await page.getByRole('button', { name: '← Racks' }).click();
    await page.getByRole('button', { name: '← Sessions' }).click();
    const note = page.getByText(/Showing the sessions this phone last saw/);
    await note.waitFor();
    await page.getByRole('button', { name: /^Floor walk/ }).waitFor();
    // Back online, the first request still fails (as when the browser says "online" before
    // requests get through): the screen asks again by itself, without leaving it.
    await page.route('**/api/sessions?*', (route) => route.abort('internetdisconnected'), {
      times: 1,
    });
    await context.setOffline(false);
    await expect.poll(() => note.count(), { timeout: 15_000 }).toBe(0);
    await page.getByRole('button', { name: /^Floor walk/ }).waitFor();
    expect(pageErrors).toEqual([]);
  });

  it('shows another phone what is already counted in a rack it takes over', async () => {
    const ravi = await api.login('ravi', 'staff-pass-1');
    await api.call('POST', `/sessions/${sessionId}/racks/${rackA}/release`, ravi, {});
    // A second phone: its own browser, so nothing of the first phone's storage is shared.
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    const other = await browser.newContext({
      viewport: { width: 412, height: 915 },
      hasTouch: true,
      isMobile: true,
    });
    try {
      const phone = await other.newPage();
      await phone.goto(server.url);
      await phone.getByLabel('Username').fill('asha');
      await phone.getByLabel('Password').fill('staff-pass-2');
      await phone.getByRole('button', { name: 'Sign in' }).click();
      await phone.getByRole('button', { name: /Floor walk/ }).click();
      await phone.getByRole('button', { name: new RegExp(`^Rack ${rackA},`) }).click();
      await phone.getByRole('heading', { name: new RegExp(`^Rack ${rackA}\\b`) }).waitFor();
      const counted = phone.getByRole('list', { name: 'Counted in this rack' });
      await expect.poll(() => counted.textContent(), { timeout: 10_000 }).toContain(item.name);
      expect(await counted.textContent()).toContain('by ravi');
      expect(await phone.getByText('Nothing yet.').count()).toBe(0);
    } finally {
      await browser.close();
    }
  });

  it('counts by keyboard and wedge scanner alone: session, rack label, item, quantity, save', async () => {
    // An explicit start: a phone of its own (nothing left by the tests above: no screen to come
    // back to, no claim, no sign-in), signed in, on the sessions list. The shared phone's state
    // after the earlier tests made this test depend on their order and timing.
    await withFreshPhone(countByKeyboard);
  });

  it('says the rack list could not be loaded when a label is typed without one, not that the label is wrong', async () => {
    // A phone that never saw the list (nothing saved) and cannot load it: the label cannot be
    // looked up, and "… is not a rack label of this session" sent counters to check a good label.
    await withFreshPhone(async (phone) => {
      await phone.route('**/warehouses/*/racks?*', (route) => route.abort('internetdisconnected'));
      await phone.goto(server.url);
      await phone.getByLabel('Username').fill('ravi');
      await phone.getByLabel('Password').fill('staff-pass-1');
      await phone.getByRole('button', { name: 'Sign in' }).click();
      await phone.getByRole('button', { name: /Floor walk/ }).click();
      const field = phone.getByLabel('Scan or type a rack label');
      await field.fill(freeRack.location_barcode);
      await field.press('Enter');
      await phone
        .getByText(
          `The rack list could not be loaded, so ${freeRack.location_barcode} cannot be looked up yet.`,
          { exact: false },
        )
        .waitFor({ timeout: 15_000 });
      expect(await phone.getByText(/is not a rack label of this session/).count()).toBe(0);
    });
  });
});

/** A phone of its own (its own browser: no storage, sign-in or screen left by other tests). */
async function withFreshPhone(use: (phone: Page) => Promise<void>) {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  try {
    const context = await browser.newContext({
      viewport: { width: 412, height: 915 },
      hasTouch: true,
      isMobile: true,
    });
    await use(await context.newPage());
  } finally {
    await browser.close();
  }
}

/** Signs in as ravi, then counts one item in the free rack with the keyboard and a wedge burst. */
async function countByKeyboard(phone: Page) {
  await phone.goto(server.url);
  await phone.getByLabel('Username').fill('ravi');
  await phone.getByLabel('Password').fill('staff-pass-1');
  await phone.getByRole('button', { name: 'Sign in' }).click();
  await phone.getByRole('heading', { name: 'Count sessions' }).waitFor();
  await phone.getByRole('button', { name: /Floor walk/ }).waitFor();
  async function tabTo(name: RegExp) {
    for (let n = 0; n < 60; n++) {
      await phone.keyboard.press('Tab');
      const focused = await phone.evaluate(() => {
        const el = document.activeElement as HTMLInputElement | null;
        if (!el) return '';
        const label = el.labels?.[0]?.textContent ?? el.getAttribute('aria-label');
        return (label ?? el.textContent ?? '').trim();
      });
      if (name.test(focused)) return;
    }
    throw new Error(`could not reach ${name} with the keyboard`);
  }
  // The rack list is held back until the label is in: a counter (or a wedge scanner) is often
  // quicker than the network, and the label must wait for the list, not be refused as unknown
  // (CI saw it: "… is not a rack label of this session" on a loaded machine).
  let release!: () => void;
  const listHeld = new Promise<void>((resolve) => (release = resolve));
  await phone.route('**/warehouses/*/racks?*', async (route) => {
    await listHeld;
    await route.continue();
  });
  await tabTo(/^Floor walk/);
  await phone.keyboard.press('Enter');
  await tabTo(/^Scan or type a rack label$/);
  await phone.keyboard.type(freeRack.location_barcode);
  await phone.keyboard.press('Enter');
  await phone.getByText(`Finding rack ${freeRack.location_barcode}…`).waitFor();
  release();
  await phone.getByRole('heading', { name: new RegExp(`^Rack ${freeRack.code}\\b`) }).waitFor();
  // A wedge burst with no field focused, then the quantity (the field has the focus) and Enter.
  // A burst is keys ≤ 40 ms apart: on a loaded test machine the browser may get them further
  // apart, so the burst starts a few keys late and reads as an unknown code (seen: 12 of the 13
  // digits); as with a real scanner's misread, the counter cancels and scans again.
  const form = phone.locator('form.count-form');
  const heading = form.getByRole('heading', { name: item.name });
  for (let attempt = 1; ; attempt++) {
    await phone.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await phone.keyboard.type(item.barcodes[0]!.code, { delay: 4 });
    await phone.keyboard.press('Enter');
    const shown = await heading.waitFor({ timeout: 5_000 }).then(
      () => true,
      () => false,
    );
    if (shown) break;
    const misread = phone.getByRole('button', { name: 'Cancel' });
    if ((await misread.count()) > 0) await misread.click();
    if (attempt === 3)
      throw new Error(`no count form after 3 scans: ${await phone.locator('main').innerText()}`);
  }
  await phone.keyboard.type('6');
  await phone.keyboard.press('Enter');
  await phone.getByText(/Saved on this phone/).waitFor();
  await expect
    .poll(
      async () =>
        (
          await api.call<{ items: Array<{ counted_qty: number }> }>(
            'GET',
            `/sessions/${sessionId}/lines?rack=${freeRack.code}`,
            supervisorToken,
          )
        ).items.map((l) => l.counted_qty),
      { timeout: 20_000 },
    )
    .toEqual([6]);
}
