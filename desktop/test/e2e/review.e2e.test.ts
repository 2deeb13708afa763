/**
 * Review with the evidence (issue #14, console side), at 1440 × 900 in headless Chromium against
 * the real server: a line detail drawer with every field, the photos (thumbnails, full size,
 * download, missing ones named), a recount beside its original, names beside item codes.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireBinary } from '../../../shared/test-support/requires';
import {
  apiClient as api,
  ensureConsoleBuilt,
  startServer,
  waitFor,
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

/** A real PNG of one colour, `w` × `h`, so the browser can show it. */
function png(w: number, h: number, rgb: [number, number, number]): Buffer {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (buf: Buffer) => {
    let c = 0xffffffff;
    for (const byte of buf) c = crcTable[(c ^ byte) & 0xff]! ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const sum = Buffer.alloc(4);
    sum.writeUInt32BE(crc(body));
    return Buffer.concat([len, body, sum]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(w, 0);
  header.writeUInt32BE(h, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // truecolour
  const row = Buffer.concat([Buffer.from([0]), Buffer.alloc(w * 3).fill(Buffer.from(rgb))]);
  const raw = Buffer.concat(Array.from({ length: h }, () => row));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 13, 10, 26, 10]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

async function upload(bytes: Buffer): Promise<string> {
  const response = await fetch(`${server.url}/api/photos`, {
    method: 'POST',
    headers: { 'Content-Type': 'image/png', Authorization: `Bearer ${staffToken}` },
    body: new Uint8Array(bytes),
  });
  const json = (await response.json()) as { data: { photo_id: string } };
  expect(response.status).toBe(201);
  return json.data.photo_id;
}

beforeAll(async () => {
  if (!hasChromium) return;
  ensureConsoleBuilt();
  server = await startServer();
  ({ call } = api(server.url));
  adminToken = await api(server.url).login('admin', server.adminPassword);
  warehouse = await mirroredWarehouse(call, adminToken);
  await call('POST', '/users', adminToken, {
    username: 'ravi',
    full_name: 'Ravi Counter',
    role: 'staff',
    password: 'staff-review-pw-1',
    warehouse,
  });
  staffToken = await api(server.url).login('ravi', 'staff-review-pw-1');
  browser = await launchChromium();
  page = await newPage(browser, browserErrors, {
    viewport: { width: 1440, height: 900 },
    acceptDownloads: true,
  });
  await signInToConsole(page, server.url, 'admin', server.adminPassword);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
}, 60_000);

describe.runIf(hasChromium)('console review with the evidence', { timeout: 90_000 }, () => {
  it('opens a line with every field, its photos full size, and the original beside the recount', async () => {
    const session = await call<Session>('POST', '/sessions', adminToken, {
      warehouse,
      name: 'Evidence review',
      mode: 'standard',
    });
    const book = await call<{ items: Array<{ item_code: string; book_qty: number }> }>(
      'GET',
      `/sessions/${session.id}/book-quantities`,
      adminToken,
    );
    const code = book.items[0]!.item_code;
    const item = await call<{ name: string }>(
      'GET',
      `/items/${encodeURIComponent(code)}`,
      adminToken,
    );
    const racks = await call<{ items: Array<{ code: string }> }>(
      'GET',
      `/warehouses/${warehouse}/racks`,
      adminToken,
    );
    const rack = racks.items[0]!.code;
    const claim = await call<{ fencing_token: number }>(
      'POST',
      `/sessions/${session.id}/racks/${encodeURIComponent(rack)}/claim`,
      staffToken,
      { device_id: 'review-e2e-phone' },
    );
    const red = png(40, 30, [200, 30, 30]);
    const blue = png(60, 20, [30, 30, 200]);
    const photos = [await upload(red), await upload(blue), await upload(png(10, 10, [0, 0, 0]))];
    const base = {
      type: 'count',
      session_id: session.id,
      rack,
      item_code: code,
      serials: [],
      fencing_token: claim.fencing_token,
    };
    const original = randomUUID();
    await call('POST', `/sessions/${session.id}/count-lines`, staffToken, {
      ...base,
      op_id: original,
      counted_qty: book.items[0]!.book_qty + 500,
      damaged_qty: 0,
      non_returnable_damaged_qty: 0,
      variance_reason: 'first look',
      counted_at: new Date(Date.now() - 60_000).toISOString(),
    });
    // Sent the way a phone sends it, naming its device.
    const response = await fetch(`${server.url}/api/sessions/${session.id}/count-lines`, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        Authorization: `Bearer ${staffToken}`,
        'X-Device-Id': 'review-e2e-phone',
      },
      body: JSON.stringify({
        ...base,
        op_id: randomUUID(),
        supersedes: original,
        counted_qty: book.items[0]!.book_qty + 7,
        damaged_qty: 2,
        non_returnable_damaged_qty: 1,
        batch_no: 'LOT-42',
        mfg_date: '2026-01-15',
        expiry_date: '2027-06-30',
        condition: 'mixed',
        variance_reason: 'found more behind the pallet',
        remark: 'two boxes torn',
        photo_ids: photos,
        counted_at: new Date().toISOString(),
      }),
    });
    const recount = await response.text();
    expect(response.ok, recount).toBe(true);
    expect(recount).not.toMatch(/"(ERROR|CONFLICT)"/);
    // The third photo is not on the server yet (a phone still uploading it): 404, as the API says.
    await page.route(`**/api/photos/${photos[2]}`, (route) =>
      route.fulfill({
        status: 404,
        contentType: 'application/json',
        body: JSON.stringify({
          success: false,
          data: null,
          error: { code: 'NOT_FOUND', message: 'No such photo' },
          message: 'No such photo',
          request_id: 'e2e',
        }),
      }),
    );

    await page.goto(`${server.url}/console/#/sessions/${session.id}`);
    await page.getByRole('tab', { name: /Lines/ }).click();
    await page.getByLabel('Status').selectOption('');
    const row = page.locator(`tr[data-line="${code}"]`).first();
    await row.waitFor();
    // Names beside codes in the lines table.
    expect(await row.textContent()).toContain(item.name);

    const details = page.getByRole('button', { name: `Details of ${code} on ${rack}` });
    await details.click();
    const drawer = page.getByRole('dialog', { name: `${code} — ${item.name} on ${rack}` });
    await drawer.waitFor();
    const text = (await drawer.textContent()) ?? '';
    for (const expected of [
      'found more behind the pallet',
      'two boxes torn',
      'LOT-42',
      '2026-01-15',
      '2027-06-30',
      'mixed',
      'review-e2e-phone',
      'ravi',
      original,
      String(claim.fencing_token),
      'Received at',
      'Why flagged',
    ]) {
      expect(text, expected).toContain(expected);
    }
    // Original and recount side by side.
    const compare = drawer.getByRole('table', { name: 'Original and recount' });
    const rows = await compare.locator('tbody tr').allTextContents();
    expect(rows[0]).toMatch(/^Original/);
    expect(rows[0]).toContain('first look');
    expect(rows[0]).toContain(String(book.items[0]!.book_qty + 500));
    expect(rows[1]).toMatch(/^Recount/);
    expect(rows[1]).toContain(String(book.items[0]!.book_qty + 7));

    // Thumbnails that really show, and the missing one named.
    const thumbs = drawer.getByRole('button', { name: /^Open photo \d of 3 full size$/ });
    await waitFor('the thumbnails', async () => ((await thumbs.count()) === 2 ? true : null));
    await expect
      .poll(() =>
        thumbs
          .locator('img')
          .evaluateAll((imgs) => imgs.map((i) => (i as HTMLImageElement).naturalWidth)),
      )
      .toEqual([40, 60]);
    await drawer.getByText('Photo 3: not uploaded yet').waitFor();

    // Full size, keyboard: arrows move, Escape closes, download saves the same bytes.
    await thumbs.first().click();
    const viewer = page.getByRole('dialog', { name: 'Photo 1 of 2' });
    await viewer.waitFor();
    expect(await viewer.locator('img').evaluate((i) => (i as HTMLImageElement).naturalWidth)).toBe(
      40,
    );
    await page.keyboard.press('ArrowRight');
    await page.getByRole('dialog', { name: 'Photo 2 of 2' }).waitFor();
    await page.keyboard.press('ArrowLeft');
    await page.getByRole('dialog', { name: 'Photo 1 of 2' }).waitFor();
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Download' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe(`photo-${photos[0]}.png`);
    const saved = await download.path();
    expect(readFileSync(saved).equals(red)).toBe(true);
    await page.keyboard.press('Escape');
    await page.getByRole('dialog', { name: /^Photo \d of 2$/ }).waitFor({ state: 'detached' });
    expect(await drawer.isVisible()).toBe(true);
    // Focus went back to the thumbnail; Escape again closes the drawer and returns to the row.
    await page.keyboard.press('Escape');
    await drawer.waitFor({ state: 'detached' });
    expect(await details.evaluate((el) => el === document.activeElement)).toBe(true);
    expect(browserErrors).toEqual([]);
  });
  it('asks for people and sessions by name, and names items beside codes on the watchtower', async () => {
    // A session nobody counted in: the "Counted by" filter must leave it out.
    await call<Session>('POST', '/sessions', adminToken, {
      warehouse,
      name: 'Nobody counted here',
      mode: 'standard',
    });
    await page.goto(`${server.url}/console/#/sessions`);
    await page.locator('[data-session="Nobody counted here"]').waitFor();
    const counter = page.getByRole('combobox', { name: 'Counted by' });
    await counter.fill('Ravi C');
    // Keyboard: ↓ then Enter picks the first match.
    await page.getByRole('option', { name: /^Ravi Counter \(ravi\)/ }).waitFor();
    await counter.press('ArrowDown');
    await counter.press('Enter');
    expect(await counter.inputValue()).toBe('Ravi Counter (ravi)');
    await page.locator('[data-session="Nobody counted here"]').waitFor({ state: 'detached' });
    await page.locator('[data-session="Evidence review"]').waitFor();

    // Reports: the session is picked by its name.
    await page.getByRole('link', { name: 'Reports' }).click();
    const sessionPicker = page.getByRole('combobox', { name: 'Session' });
    await sessionPicker.fill('Evidence');
    await page.getByRole('option', { name: /^Evidence review/ }).click();
    expect(await sessionPicker.inputValue()).toBe('Evidence review');
    await page.getByRole('combobox', { name: 'User' }).fill('ravi');
    await page.getByRole('option', { name: /^Ravi Counter/ }).click();
    await page.getByRole('button', { name: 'Preview' }).click();
    await page.getByRole('table').first().waitFor();
    expect(await page.getByRole('alert').count()).toBe(0);

    // Watchtower: a scan names the item beside its code.
    await page.getByRole('link', { name: 'Watchtower' }).click();
    await page.getByRole('heading', { name: 'Recent activity' }).waitFor();
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const session = await call<Session>('POST', '/sessions', adminToken, {
      warehouse,
      name: 'Watched for names',
      mode: 'standard',
    });
    const book = await call<{ items: Array<{ item_code: string }> }>(
      'GET',
      `/sessions/${session.id}/book-quantities`,
      adminToken,
    );
    const code = book.items[1]!.item_code;
    const item = await call<{ name: string }>(
      'GET',
      `/items/${encodeURIComponent(code)}`,
      adminToken,
    );
    const racks = await call<{ items: Array<{ code: string }> }>(
      'GET',
      `/warehouses/${warehouse}/racks`,
      adminToken,
    );
    const rack = racks.items[1]!.code;
    const claim = await call<{ fencing_token: number }>(
      'POST',
      `/sessions/${session.id}/racks/${encodeURIComponent(rack)}/claim`,
      staffToken,
      { device_id: 'review-e2e-phone' },
    );
    await call('POST', `/sessions/${session.id}/count-lines`, staffToken, {
      op_id: randomUUID(),
      type: 'count',
      session_id: session.id,
      rack,
      item_code: code,
      counted_qty: 3,
      serials: [],
      fencing_token: claim.fencing_token,
      variance_reason: 'names e2e',
      counted_at: new Date().toISOString(),
    });
    const feed = page.getByRole('list', { name: 'Recent activity' });
    await feed.getByText(`ravi counted 3 × ${code} ${item.name}`).waitFor({ timeout: 15_000 });
    expect(browserErrors).toEqual([]);
  });
  it('reaches every step of a review by keyboard alone, focus always visible and never lost', async () => {
    const session = await call<Session>('POST', '/sessions', adminToken, {
      warehouse,
      name: 'Keyboard count',
      mode: 'standard',
    });
    const book = await call<{ items: Array<{ item_code: string; book_qty: number }> }>(
      'GET',
      `/sessions/${session.id}/book-quantities`,
      adminToken,
    );
    const code = book.items[2]!.item_code;
    const racks = await call<{ items: Array<{ code: string }> }>(
      'GET',
      `/warehouses/${warehouse}/racks`,
      adminToken,
    );
    const rack = racks.items[2]!.code;
    const claim = await call<{ fencing_token: number }>(
      'POST',
      `/sessions/${session.id}/racks/${encodeURIComponent(rack)}/claim`,
      staffToken,
      { device_id: 'review-e2e-phone' },
    );
    await call('POST', `/sessions/${session.id}/count-lines`, staffToken, {
      op_id: randomUUID(),
      type: 'count',
      session_id: session.id,
      rack,
      item_code: code,
      counted_qty: book.items[2]!.book_qty + 999,
      serials: [],
      fencing_token: claim.fencing_token,
      variance_reason: 'keyboard e2e',
      counted_at: new Date().toISOString(),
    });

    /** Tabs (or shift-tabs) to the control named `name`; every stop must show its focus. */
    async function tabTo(name: string, backwards = false) {
      for (let n = 0; n < 120; n++) {
        await page.keyboard.press(backwards ? 'Shift+Tab' : 'Tab');
        const focused = await page.evaluate(() => {
          const el = document.activeElement as HTMLElement | null;
          if (!el || el === document.body) return null;
          const css = getComputedStyle(el);
          return {
            name: (el.getAttribute('aria-label') ?? el.textContent ?? '').trim(),
            tag: `${el.tagName.toLowerCase()} type=${el.getAttribute('type')} outline=${css.outlineStyle} ${css.outlineWidth}`,
            visible: css.outlineStyle !== 'none' && parseFloat(css.outlineWidth) >= 2,
          };
        });
        if (!focused) continue;
        expect(focused.visible, `focus shown on <${focused.tag}> ${focused.name}`).toBe(true);
        if (focused.name === name) return;
      }
      throw new Error(`could not reach "${name}" with the keyboard`);
    }
    const focusLost = () =>
      page.evaluate(
        () => document.activeElement === null || document.activeElement === document.body,
      );

    await page.goto(`${server.url}/console/#/sessions`);
    await page.locator('[data-session="Keyboard count"]').waitFor();
    await page.getByRole('heading', { name: 'Sessions', exact: true }).click();
    await tabTo('Keyboard count');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Keyboard count' }).waitFor();

    await tabTo('Lines and review');
    await page.keyboard.press('Enter');
    await tabTo(`Details of ${code} on ${rack}`);
    await page.keyboard.press('Enter');
    const drawer = page.getByRole('dialog', { name: new RegExp(`^${code} .* on ${rack}$`) });
    await drawer.waitFor();
    // The drawer takes the focus, and gives it back.
    expect(await drawer.evaluate((d) => d.contains(document.activeElement))).toBe(true);
    await page.keyboard.press('Escape');
    await drawer.waitFor({ state: 'detached' });

    await tabTo(`Approve ${code} on ${rack}`);
    await page.keyboard.press('Enter');
    await page.getByText(`${code} on ${rack}: approved.`).waitFor({ timeout: 10_000 });
    expect(await focusLost(), 'focus after approving').toBe(false);

    await tabTo('Close session', true);
    await page.keyboard.press('Enter');
    // Closing asks first (issue #14): focus starts on Cancel, Tab reaches the confirmation.
    await page.getByRole('dialog', { name: 'Close this session?' }).waitFor();
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await page.getByText('Session closed.').waitFor({ timeout: 10_000 });
    expect(await focusLost(), 'focus after closing').toBe(false);

    const lines = await call<{ items: Array<{ item_code: string; status: string }> }>(
      'GET',
      `/sessions/${session.id}/lines`,
      adminToken,
    );
    expect(lines.items.find((l) => l.item_code === code)?.status).toBe('APPROVED');
    expect((await call<Session>('GET', `/sessions/${session.id}`, adminToken)).status).toBe(
      'CLOSED',
    );
    expect(browserErrors).toEqual([]);
  });
});
