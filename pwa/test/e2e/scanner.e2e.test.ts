/**
 * The staff scanner end to end (issue #4): the built PWA in headless Chromium against a real
 * server. Camera scanning is real: Chromium's fake capture device plays a Y4M video of an EAN-13
 * rendered with bwip-js (design §8). Offline is `context.setOffline(true)`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import bwipjs from 'bwip-js/node';
import { chromium } from 'playwright-core';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderBarcode, writeBarcodeY4m } from '../support/barcode-video';
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
interface Line {
  op_id: string;
  photo_ids: string[];
  item_code: string;
  counted_qty: number;
  rack: string;
}

let server: RunningServer;
let context: BrowserContext;
let page: Page;
let tmp: string;
let api: ReturnType<typeof apiClient>;
let supervisorToken: string;
let sessionId: string;
let rack: string;
let rackLabel: string;
let items: ExportedItem[];
/** Uncaught exceptions in the page: there must be none. */
const pageErrors: string[] = [];

async function waitForItems(adminToken: string) {
  for (let i = 0; i < 100; i += 1) {
    const status = await api.call<{ item_count: number }>('GET', '/erp/status', adminToken);
    if (status.item_count > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error('the demo item master was not mirrored');
}

beforeAll(async () => {
  ensurePwaBuilt();
  server = await startServer();
  api = apiClient(server.url);
  const admin = await api.login('admin', server.adminPassword);
  await waitForItems(admin);
  await api.call('POST', '/users', admin, {
    username: 'sam',
    full_name: 'Sam Supervisor',
    role: 'supervisor',
    password: 'supervisor-pass-1',
  });
  await api.call('POST', '/users', admin, {
    username: 'asha',
    full_name: 'Asha Counter',
    role: 'staff',
    password: 'staff-pass-1',
    pin: '2468',
    warehouse: WAREHOUSE,
  });
  supervisorToken = await api.login('sam', 'supervisor-pass-1');
  const exported = await api.call<{ items: ExportedItem[] }>(
    'GET',
    `/items/export?warehouse=${WAREHOUSE}&format=json&limit=400`,
    admin,
  );
  // Three plain items with EAN-13 primary barcodes: one for the camera, two for offline counting.
  items = exported.items
    .filter((i) => !i.serialized && !i.decimal_qty && /^\d{13}$/.test(i.barcodes[0]?.code ?? ''))
    .slice(0, 3);
  expect(items).toHaveLength(3);
  const warehouses = await api.call<{ items: Array<{ id: string }> }>('GET', '/warehouses', admin);
  expect(warehouses.items.map((w) => w.id)).toContain(WAREHOUSE);
  const racks = await api.call<{ items: Array<{ code: string; location_barcode: string }> }>(
    'GET',
    `/warehouses/${WAREHOUSE}/racks`,
    admin,
  );
  rack = racks.items[0]!.code;
  rackLabel = racks.items[0]!.location_barcode;
  const session = await api.call<{ id: string }>('POST', '/sessions', supervisorToken, {
    warehouse: WAREHOUSE,
    name: 'E2E cycle count',
    mode: 'standard',
    scope: { floors: [], racks: [rack, racks.items[1]!.code] },
  });
  sessionId = session.id;

  tmp = mkdtempSync(path.join(tmpdir(), 'sv-chromium-'));
  const video = path.join(tmp, 'ean13.y4m');
  await writeBarcodeY4m(video, await renderBarcode('ean13', items[0]!.barcodes[0]!.code));
  // A persistent profile: Chromium never offers to install from an incognito-like context.
  context = await chromium.launchPersistentContext(path.join(tmp, 'profile'), {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--use-fake-ui-for-media-stream',
      '--use-fake-device-for-media-stream',
      `--use-file-for-fake-video-capture=${video}`,
    ],
    viewport: { width: 412, height: 900 },
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

async function lines(): Promise<Line[]> {
  const page1 = await api.call<{ items: Line[]; total: number }>(
    'GET',
    `/sessions/${sessionId}/lines?page_size=100`,
    supervisorToken,
  );
  return page1.items;
}

async function countOpenForm(qty: number, photo?: Buffer) {
  const form = page.locator('form.count-form');
  await form.waitFor();
  await form.getByLabel('Counted quantity', { exact: true }).fill(String(qty));
  if (photo) {
    await form.getByLabel(/^Photos/).setInputFiles({
      name: 'shelf.png',
      mimeType: 'image/png',
      buffer: photo,
    });
    // Compressed on the phone before it is stored.
    await form.getByText(/Photo 1 · \d+ KB/).waitFor();
  }
  await form.getByRole('button', { name: 'Save count' }).click();
  await page.getByText(/Saved on this phone/).waitFor();
}

describe.runIf(hasChromium)('staff scanner PWA', { timeout: 60_000 }, () => {
  it('signs in, claims a rack and counts an item scanned with the camera', async () => {
    await page.goto(server.url);
    await page.getByLabel('Username').fill('asha');
    await page.getByLabel('Password').fill('staff-pass-1');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: /E2E cycle count/ }).click();
    await page.getByText(/items ready offline/).waitFor({ timeout: 30_000 });
    await page.getByRole('button', { name: new RegExp(`^Rack ${rack},`) }).click();
    await page.getByRole('heading', { name: new RegExp(`Rack ${rack}`) }).waitFor();

    await page.getByRole('button', { name: 'Scan with camera' }).click();
    await page.locator('form.count-form').getByRole('heading', { name: items[0]!.name }).waitFor({
      timeout: 15_000,
    });
    await countOpenForm(5);
    await page.locator('li.entry-synced').first().waitFor({ timeout: 15_000 });
    expect((await lines()).map((l) => [l.item_code, l.counted_qty])).toEqual([
      [items[0]!.item_code, 5],
    ]);
    // The camera read with zxing-wasm, the faster decoder (README "Staff scanner").
    await page.getByRole('button', { name: 'Settings' }).click();
    expect(await page.getByTestId('camera-decoder').textContent()).toContain('zxing-wasm');
  });

  it('keeps counting offline from the cached app and item list, then syncs each count once', async () => {
    // The service worker must be in charge before the network goes.
    await page.evaluate(async () => {
      await navigator.serviceWorker.ready;
    });
    await context.setOffline(true);
    await page.reload();
    // Signed in and back on the claimed rack, from the service worker and IndexedDB alone.
    await page.getByRole('heading', { name: new RegExp(`Rack ${rack}`) }).waitFor();
    // The camera decoder (zxing-wasm) is precached with the shell, so scanning works offline too.
    const precached = await page.evaluate(async () => {
      const urls: string[] = [];
      for (const name of await caches.keys()) {
        const cache = await caches.open(name);
        urls.push(...(await cache.keys()).map((request) => request.url));
      }
      return urls;
    });
    expect(precached.some((url) => /zxing_reader.*\.wasm/.test(url))).toBe(true);

    // Typed into the manual field.
    await page.getByLabel('Barcode or item code').fill(items[1]!.barcodes[0]!.code);
    await page.getByRole('button', { name: 'Look up' }).click();
    await page.locator('form.count-form').getByRole('heading', { name: items[1]!.name }).waitFor();
    // With a photo taken offline: kept in IndexedDB, uploaded before its line when back online.
    await countOpenForm(
      3,
      await bwipjs.toBuffer({ bcid: 'qrcode', text: 'shelf photo', scale: 8 }),
    );

    // A keyboard-wedge burst: keys a few ms apart and Enter, with no field focused.
    await page.getByRole('heading', { name: new RegExp(`Rack ${rack}`) }).click();
    await page.keyboard.type(items[2]!.barcodes[0]!.code, { delay: 4 });
    await page.keyboard.press('Enter');
    await page.locator('form.count-form').getByRole('heading', { name: items[2]!.name }).waitFor();
    await countOpenForm(8);

    await page.getByRole('button', { name: /^Sync/ }).click();
    await expect.poll(() => page.getByTestId('count-pending').textContent()).toBe('2');
    expect(await lines()).toHaveLength(1);

    await context.setOffline(false);
    await expect
      .poll(() => page.getByTestId('count-pending').textContent(), { timeout: 20_000 })
      .toBe('0');
    expect(await page.getByTestId('count-synced').textContent()).toBe('3');
    const stored = await lines();
    expect(stored.map((l) => [l.item_code, l.counted_qty]).sort()).toEqual(
      [
        [items[0]!.item_code, 5],
        [items[1]!.item_code, 3],
        [items[2]!.item_code, 8],
      ].sort(),
    );
    expect(new Set(stored.map((l) => l.op_id)).size).toBe(3);
    const withPhoto = stored.find((l) => l.item_code === items[1]!.item_code)!;
    expect(withPhoto.photo_ids).toHaveLength(1);
    const photo = await fetch(`${server.url}/api/photos/${withPhoto.photo_ids[0]}`, {
      headers: { Authorization: `Bearer ${supervisorToken}` },
    });
    expect(photo.status).toBe(200);
    expect(photo.headers.get('content-type')).toBe('image/jpeg');
  });

  it('shows a conflict on the sync screen when a supervisor force-released the rack meanwhile', async () => {
    await page.getByRole('button', { name: 'Count' }).click();
    // Count returns to the rack this phone was counting (issue #14); its rack list is one step back.
    await page.getByRole('button', { name: '← Racks' }).click();
    // Claimed again by its location label, as a wedge scanner or a typing person enters it.
    await page.getByLabel('Scan or type a rack label').fill(rackLabel);
    await page.getByLabel('Scan or type a rack label').press('Enter');
    await page.getByRole('heading', { name: new RegExp(`Rack ${rack}`) }).waitFor();
    await context.setOffline(true);
    await page.getByLabel('Barcode or item code').fill(items[1]!.barcodes[0]!.code);
    await page.getByRole('button', { name: 'Look up' }).click();
    // The same item again in this rack: the phone warns before adding to it.
    await page.getByText(/Already counted in this rack/).waitFor();
    await countOpenForm(1);

    await api.call('POST', `/sessions/${sessionId}/racks/${rack}/release`, supervisorToken, {});
    await context.setOffline(false);
    await page.getByRole('button', { name: /^Sync/ }).click();
    await expect
      .poll(() => page.getByTestId('count-conflict').textContent(), { timeout: 20_000 })
      .toBe('1');
    const problems = page.getByRole('list', { name: 'Conflicts and errors' });
    await expect.poll(() => problems.textContent()).toContain('LOCK_LOST');
    expect(await problems.textContent()).toContain('supervisor released this rack');
    // Kept on the server for the supervisor, not as a line.
    expect(await lines()).toHaveLength(3);
  });

  it('signs out, keeps the outbox, and signs a recent user back in with a PIN', async () => {
    await page.getByRole('button', { name: 'Settings' }).click();
    await page.getByRole('button', { name: 'Sign out' }).click();
    const pinForm = page.getByRole('form', { name: 'Quick sign-in with PIN' });
    await pinForm.getByLabel(/Asha Counter/).check();
    await pinForm.getByLabel('PIN').fill('1111');
    await pinForm.getByRole('button', { name: 'Sign in with PIN' }).click();
    await pinForm.getByRole('alert').waitFor();
    await pinForm.getByLabel('PIN').fill('2468');
    await pinForm.getByRole('button', { name: 'Sign in with PIN' }).click();
    // Signed in: the tab bar is back (the app may go straight to the rack this phone holds).
    await page.getByRole('button', { name: /^Sync/ }).click();
    await page.getByRole('heading', { name: 'Sync' }).waitFor();
    // What this phone holds survived the sign-out.
    expect(await page.getByTestId('count-synced').textContent()).toBe('3');
    expect(await page.getByTestId('count-conflict').textContent()).toBe('1');
  });

  it('meets Chromium’s install criteria with the built manifest and service worker', async () => {
    const cdp = await context.newCDPSession(page);
    const manifest = (await cdp.send('Page.getAppManifest')) as {
      url: string;
      errors: unknown[];
      data?: string;
    };
    expect(manifest.errors).toEqual([]);
    expect(JSON.parse(manifest.data ?? '{}')).toMatchObject({
      name: 'Stock Verify',
      display: 'standalone',
    });
    const installability = (await cdp.send('Page.getInstallabilityErrors')) as {
      installabilityErrors: Array<{ errorId: string }>;
    };
    expect(installability.installabilityErrors).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});
