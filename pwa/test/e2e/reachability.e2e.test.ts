/**
 * Both front ends open the way a new user opens them (issue #11), in headless Chromium against
 * the real server (main.ts, plain HTTP, the default):
 * - from another computer, by host name over plain HTTP (`stockverify.test`, mapped to loopback
 *   with --host-resolver-rules): `/` and `/console/` load their scripts and styles and show their
 *   sign-in; with `upgrade-insecure-requests` or HSTS they were fetched over https:// and blank;
 * - in a browser whose staff app's service worker is in charge, `/console/` (and `/console`, the
 *   API) still come from the server: the console's sign-in, never the staff app's shell.
 */
import { chromium } from 'playwright-core';
import type { Browser, BrowserContext, Page, Response } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireBinary } from '../../../shared/test-support/requires';
import { ensureBuilt } from '../../../shared/test-support/real-server';
import { ensurePwaBuilt, startServer } from './server';
import type { RunningServer } from './server';

// Left out (with the install command printed) where Chromium is missing; a failure in CI.
const hasChromium = requireBinary('chromium');

const HOST_NAME = 'stockverify.test';

let server: RunningServer;
let browser: Browser;
let port: string;

beforeAll(async () => {
  ensurePwaBuilt();
  ensureBuilt('desktop', 'desktop/dist/renderer/index.html', [
    'desktop/src/renderer',
    'shared/src',
    'desktop/vite.config.ts',
  ]);
  server = await startServer();
  port = new URL(server.url).port;
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      `--host-resolver-rules=MAP ${HOST_NAME} 127.0.0.1`,
    ],
  });
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
}, 60_000);

interface Visit {
  page: Page;
  context: BrowserContext;
  /** Requests that failed, e.g. a script upgraded to https:// on a plain-HTTP server. */
  failed: string[];
  /** Script and stylesheet responses. */
  assets: Response[];
  errors: string[];
}

async function visit(url: string): Promise<Visit> {
  const context = await browser.newContext();
  const page = await context.newPage();
  const result: Visit = { page, context, failed: [], assets: [], errors: [] };
  page.on('requestfailed', (request) =>
    result.failed.push(`${request.url()} ${request.failure()?.errorText ?? ''}`),
  );
  page.on('response', (response) => {
    const type = response.request().resourceType();
    if (type === 'script' || type === 'stylesheet') result.assets.push(response);
  });
  page.on('pageerror', (error) => result.errors.push(error.message));
  await page.goto(url);
  return result;
}

/** Every stylesheet the document links is loaded and has rules; scripts ran (the form shows). */
async function expectAssetsLoaded(v: Visit, origin: string) {
  expect(v.failed, 'failed requests').toEqual([]);
  expect(v.assets.length).toBeGreaterThan(0);
  for (const response of v.assets) {
    expect(response.url().startsWith(`${origin}/`), response.url()).toBe(true);
    expect(response.status(), response.url()).toBe(200);
  }
  const sheets = await v.page.evaluate(() =>
    [...document.querySelectorAll<HTMLLinkElement>('link[rel="stylesheet"]')].map((link) => ({
      href: link.href,
      rules: link.sheet?.cssRules.length ?? 0,
    })),
  );
  expect(sheets.length).toBeGreaterThan(0);
  for (const sheet of sheets) expect(sheet.rules, sheet.href).toBeGreaterThan(0);
  expect(v.errors, 'uncaught page errors').toEqual([]);
}

describe.runIf(hasChromium)('plain HTTP from a host name other than localhost', () => {
  it('/ shows the staff sign-in with its scripts and styles', async () => {
    const origin = `http://${HOST_NAME}:${port}`;
    const v = await visit(`${origin}/`);
    try {
      await v.page.getByRole('heading', { name: 'Sign in' }).waitFor({ timeout: 15_000 });
      await v.page.getByLabel('Username').waitFor();
      expect(await v.page.title()).toBe('Stock Verify');
      await expectAssetsLoaded(v, origin);
    } finally {
      await v.context.close();
    }
  }, 60_000);

  it('/console/ shows the console sign-in with its scripts and styles', async () => {
    const origin = `http://${HOST_NAME}:${port}`;
    const v = await visit(`${origin}/console/`);
    try {
      await v.page.locator('section.sign-in').waitFor({ timeout: 15_000 });
      await v.page.getByLabel('User name').waitFor();
      expect(await v.page.title()).toBe('Stock Verify — Supervisor console');
      await expectAssetsLoaded(v, origin);
    } finally {
      await v.context.close();
    }
  }, 60_000);
});

describe.runIf(hasChromium)('a browser with the staff app installed', () => {
  it('still opens the console (and the API) from the server, not the staff app', async () => {
    const context = await browser.newContext({ serviceWorkers: 'allow' });
    try {
      const page = await context.newPage();
      await page.goto(`${server.url}/`);
      await page.getByRole('heading', { name: 'Sign in' }).waitFor({ timeout: 15_000 });
      await page.evaluate(async () => {
        await navigator.serviceWorker.ready;
      });
      // A reload puts the page under the service worker's control, as on any later visit.
      await page.reload();
      await expect
        .poll(() => page.evaluate(() => navigator.serviceWorker.controller !== null), {
          timeout: 10_000,
        })
        .toBe(true);
      // The worker does answer the app's own navigations...
      const again = await page.goto(`${server.url}/?from=home-screen`);
      expect(again?.fromServiceWorker()).toBe(true);

      // ...and never the server's.
      for (const path of ['/console/', '/console', '/console/sessions']) {
        const response = await page.goto(`${server.url}${path}`);
        expect(response?.fromServiceWorker(), path).toBe(false);
        await page.locator('section.sign-in').waitFor({ timeout: 15_000 });
        await page.getByLabel('User name').waitFor();
        expect(await page.title(), path).toBe('Stock Verify — Supervisor console');
      }
      const health = await page.goto(`${server.url}/api/health`);
      expect(health?.fromServiceWorker()).toBe(false);
      expect(health?.headers()['content-type']).toContain('application/json');
    } finally {
      await context.close();
    }
  }, 90_000);
});
