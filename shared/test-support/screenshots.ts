/**
 * `npm run screenshots`: the product's main screens as people see them, regenerated into
 * docs/screenshots/ so anyone can look at it without running it (issue #14). The real server on
 * loopback with a demo master, a session with counts from two counters, then headless Chromium:
 * the staff app on a 412 × 915 touch phone and the console at 1440 × 900.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import type { Page } from 'playwright-core';
import { apiClient, ensureBuilt, REPO_ROOT, startServer } from './real-server';

const OUT = path.join(REPO_ROOT, 'docs/screenshots');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking'];

interface Exported {
  item_code: string;
  serialized: boolean;
  decimal_qty: boolean;
  barcodes: Array<{ code: string }>;
}

async function shot(page: Page, name: string): Promise<void> {
  await page.waitForTimeout(400); // Let charts and lists settle.
  const file = path.join(OUT, `${name}.png`);
  await page.screenshot({ path: file });
  console.log(`  ${path.relative(REPO_ROOT, file)}`);
}

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  console.log('Building the front ends if they are older than their sources…');
  ensureBuilt('pwa', 'pwa/dist/index.html', ['pwa/src', 'shared/src', 'pwa/vite.config.ts']);
  ensureBuilt('desktop', 'desktop/dist/renderer/index.html', ['desktop/src', 'shared/src']);
  const server = await startServer();
  try {
    const { call, login } = apiClient(server.url);
    const admin = await login('admin', server.adminPassword);
    for (let i = 0; i < 100; i += 1) {
      const status = await call<{ item_count: number }>('GET', '/erp/status', admin);
      if (status.item_count > 0) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const warehouse = 'WH-MAIN';
    await call('POST', '/users', admin, {
      username: 'sam',
      full_name: 'Sam Supervisor',
      role: 'supervisor',
      password: 'supervisor-pass-1',
    });
    for (const [username, full_name] of [
      ['asha', 'Asha Counter'],
      ['ravi', 'Ravi Counter'],
    ] as const) {
      await call('POST', '/users', admin, {
        username,
        full_name,
        role: 'staff',
        password: 'staff-pass-1',
        warehouse,
      });
    }
    const supervisor = await login('sam', 'supervisor-pass-1');
    const racks = await call<{ items: Array<{ code: string }> }>(
      'GET',
      `/warehouses/${warehouse}/racks`,
      admin,
    );
    const session = await call<{ id: string }>('POST', '/sessions', supervisor, {
      warehouse,
      name: 'Weekend stocktake — Main',
      mode: 'standard',
      scope: { floors: [], racks: racks.items.slice(0, 12).map((r) => r.code) },
    });
    const book = await call<{ items: Array<{ item_code: string; book_qty: number }> }>(
      'GET',
      `/sessions/${session.id}/book-quantities`,
      supervisor,
    );
    const exported = await call<{ items: Exported[] }>(
      'GET',
      `/items/export?warehouse=${warehouse}&format=json&limit=1000`,
      admin,
    );
    const plain = exported.items.filter((i) => !i.serialized && !i.decimal_qty);
    const plainCodes = new Set(plain.map((i) => i.item_code));
    const countable = book.items.filter((b) => plainCodes.has(b.item_code));
    // Two counters, a few racks each, with some variances for the review and dashboard screens.
    for (const [n, username] of ['ravi', 'asha'].entries()) {
      const token = await login(username, 'staff-pass-1');
      for (let r = 0; r < 2; r += 1) {
        const rack = racks.items[n * 2 + r]!.code;
        const claim = await call<{ fencing_token: number }>(
          'POST',
          `/sessions/${session.id}/racks/${encodeURIComponent(rack)}/claim`,
          token,
          { device_id: `phone-${username}` },
        );
        for (let k = 0; k < 6; k += 1) {
          const entry = countable[(n * 12 + r * 6 + k) % countable.length]!;
          const counted = Math.max(0, entry.book_qty + (k % 3 === 0 ? -((k % 5) + 1) : 0));
          await call('POST', `/sessions/${session.id}/count-lines`, token, {
            op_id: randomUUID(),
            type: 'count',
            session_id: session.id,
            rack,
            item_code: entry.item_code,
            counted_qty: counted,
            damaged_qty: 0,
            non_returnable_damaged_qty: 0,
            serials: [],
            fencing_token: claim.fencing_token,
            variance_reason: counted === entry.book_qty ? null : 'Misplaced in another rack',
            counted_at: new Date().toISOString(),
          });
        }
      }
    }

    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
    try {
      console.log('Staff app (412 × 915):');
      const phone = await browser.newContext({
        viewport: { width: 412, height: 915 },
        deviceScaleFactor: 1,
        hasTouch: true,
        isMobile: true,
      });
      const p = await phone.newPage();
      await p.goto(server.url);
      await p.getByLabel('Username').waitFor();
      await shot(p, 'staff-sign-in');
      await p.getByLabel('Username').fill('asha');
      await p.getByLabel('Password').fill('staff-pass-1');
      await p.getByRole('button', { name: 'Sign in' }).click();
      await p
        .getByRole('button', { name: /Weekend stocktake/ })
        .first()
        .waitFor();
      await shot(p, 'staff-sessions');
      await p
        .getByRole('button', { name: /Weekend stocktake/ })
        .last()
        .click();
      await p.getByText(/items ready offline/).waitFor({ timeout: 30_000 });
      await shot(p, 'staff-racks');
      const free = racks.items[6]!.code;
      await p.getByRole('button', { name: new RegExp(`^Rack ${free},`) }).click();
      await p.getByRole('heading', { name: new RegExp(`Rack ${free}`) }).waitFor();
      await shot(p, 'staff-scan');
      await p.getByLabel('Barcode or item code').fill(plain[0]!.barcodes[0]!.code);
      await p.getByRole('button', { name: 'Look up' }).click();
      await p.locator('form.count-form').waitFor();
      await shot(p, 'staff-count-form');
      await p.getByRole('button', { name: /^Sync/ }).click();
      await shot(p, 'staff-sync');
      await phone.close();

      console.log('Console (1440 × 900):');
      const desk = await browser.newContext({ viewport: { width: 1440, height: 900 } });
      const c = await desk.newPage();
      await c.goto(`${server.url}/console/`);
      await c.getByLabel('User name').fill('sam');
      await c.getByLabel('Password').fill('supervisor-pass-1');
      await c.getByRole('button', { name: 'Sign in' }).click();
      await c.getByRole('navigation', { name: 'Console' }).waitFor();
      await shot(c, 'console-watchtower');
      await c.getByRole('link', { name: 'Sessions' }).click();
      await c.getByText('Weekend stocktake — Main').first().waitFor();
      await shot(c, 'console-sessions');
      await c.goto(`${server.url}/console/#/sessions/${session.id}`);
      await c.getByRole('tab', { name: /Variances/ }).waitFor();
      await shot(c, 'console-session-variances');
      await c.getByRole('tab', { name: /Lines/ }).click();
      // Every line, not only those waiting for review, then one line's detail drawer.
      await c.getByLabel('Status').selectOption('');
      await c
        .getByRole('button', { name: /^Details of / })
        .first()
        .waitFor();
      await shot(c, 'console-session-lines');
      await c
        .getByRole('button', { name: /^Details of / })
        .first()
        .click();
      await c.getByRole('dialog').first().waitFor();
      await shot(c, 'console-line-detail');
      await c.keyboard.press('Escape');
      await c.getByRole('link', { name: 'Rack map' }).click();
      await shot(c, 'console-rack-map');
      await c.getByRole('link', { name: 'Dashboards' }).click();
      await c.locator('.recharts-bar-rectangle').first().waitFor({ timeout: 20_000 });
      await shot(c, 'console-dashboards');
      await c.getByRole('link', { name: 'Reports' }).click();
      await shot(c, 'console-reports');
      await desk.close();
    } finally {
      await browser.close();
    }
  } finally {
    await server.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
