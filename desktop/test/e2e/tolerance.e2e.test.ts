/**
 * Tolerance rules in the console (issue #16 items 1 and 4), at 1440 × 900 in headless Chromium
 * against the real server, as a supervisor: add a rule (its field errors beside the fields, the
 * server's too), see it in the table, edit it, be told when someone else changed it meanwhile,
 * read the versions and an old version's rules, preview a session's counts with a draft, delete.
 */
import { randomUUID } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireBinary } from '../../../shared/test-support/requires';
import {
  addSueAndOmar,
  apiClient as api,
  ensureConsoleBuilt,
  startServer,
  claimFirstRack,
  launchChromium,
  mirroredWarehouse,
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
let supervisorToken: string;
let staffToken: string;
let warehouse: string;
const browserErrors: string[] = [];

interface Rule {
  id: string;
  version: number;
  name?: string;
  scope: { kind: string; item_code?: string };
  thresholds: { shortage: Record<string, number>; overage: Record<string, number> };
  on_exceed: string;
  recount_phases: number;
}
interface RuleSet {
  version: number;
  hash: string;
  rules: Rule[];
}
interface Preview {
  lines: number;
  accept: number;
  recount: number;
  approve: number;
  by_rule: Array<{ id: string; version: number; accept: number; recount: number; approve: number }>;
}

const SESSION_NAME = 'Tolerance preview count';
let sessionId: string;
let codes: string[];

/** A session whose first rack holds four counts: on the book, +3, +500 and −1 (or +1 on a 0 book). */
async function countedSession(): Promise<void> {
  const session = await call<{ id: string }>('POST', '/sessions', supervisorToken, {
    warehouse,
    name: SESSION_NAME,
    mode: 'standard',
  });
  sessionId = session.id;
  const { book, rack, fencingToken } = await claimFirstRack(call, {
    session: session.id,
    warehouse,
    reader: supervisorToken,
    staffToken,
    device: 'tolerance-e2e',
  });
  const items = book.slice(0, 4);
  codes = items.map((i) => i.item_code);
  const deltas = [0, 3, 500, -1];
  for (const [n, item] of items.entries()) {
    const delta = deltas[n]!;
    // A shortage needs a book above 0: on a 0 book the fourth count is an overage of 1.
    const counted = item.book_qty + delta >= 0 ? item.book_qty + delta : item.book_qty + 1;
    await call('POST', `/sessions/${session.id}/count-lines`, staffToken, {
      op_id: randomUUID(),
      type: 'count',
      session_id: session.id,
      rack,
      item_code: item.item_code,
      counted_qty: counted,
      damaged_qty: 0,
      non_returnable_damaged_qty: 0,
      serials: [],
      fencing_token: fencingToken,
      variance_reason: counted === item.book_qty ? null : 'tolerance e2e',
      counted_at: new Date().toISOString(),
    });
  }
}

beforeAll(async () => {
  if (!hasChromium) return;
  ensureConsoleBuilt();
  server = await startServer();
  ({ call } = api(server.url));
  adminToken = await api(server.url).login('admin', server.adminPassword);
  warehouse = await mirroredWarehouse(call, adminToken);
  ({ supervisorToken, staffToken } = await addSueAndOmar(server.url, adminToken, warehouse, {
    supervisor: 'supervisor-tol-pw-1',
    staff: 'staff-tol-pw-1',
  }));
  await countedSession();
  browser = await launchChromium();
  page = await newPage(browser, browserErrors);
  await signInToConsole(page, server.url, 'sue', 'supervisor-tol-pw-1');
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
}, 60_000);

const rulesTable = () => page.getByRole('table', { name: 'Rules in force' });
const dialog = () => page.getByRole('dialog');

/** The text of the error shown beside the field labelled `label`, through aria-describedby. */
async function fieldError(label: string): Promise<string> {
  const field = dialog().getByLabel(label, { exact: true });
  await expect.poll(() => field.getAttribute('aria-invalid')).toBe('true');
  const ids = ((await field.getAttribute('aria-describedby')) ?? '').split(' ');
  const texts = await Promise.all(ids.map((id) => page.locator(`[id="${id}"]`).textContent()));
  return texts.join(' ');
}

describe.runIf(hasChromium)('tolerance rules in the console', { timeout: 120_000 }, () => {
  it('adds, edits, refuses a stale edit, shows versions, previews a session and deletes', async () => {
    // The page, reached from the navigation: an empty table shows the built-in default.
    await page.getByRole('link', { name: 'Tolerance rules' }).click();
    await rulesTable().waitFor();
    expect(await page.getByTestId('table-version').textContent()).toContain('Table version 1');
    const defaultRow = await rulesTable().locator('tbody tr').allTextContents();
    expect(defaultRow).toHaveLength(1);
    expect(defaultRow[0]).toContain('Everything');
    expect(defaultRow[0]).toContain('Built-in default');
    expect(defaultRow[0]).toContain('≤ 100 units · ≤ 50 % · ≤ 1,000.00');

    // Keyboard: the form opens on its first field, Escape closes it and focus goes back.
    await page.getByRole('button', { name: 'Add rule' }).focus();
    await page.keyboard.press('Enter');
    await dialog().waitFor();
    await expect
      .poll(() => page.evaluate(() => document.activeElement?.id))
      .toBe(await dialog().getByLabel('Scope').getAttribute('id'));
    await page.keyboard.press('Escape');
    await dialog().waitFor({ state: 'detached' });
    await expect
      .poll(() => page.evaluate(() => document.activeElement?.textContent))
      .toBe('Add rule');

    // Add: the client's own checks first, beside the field, focus on it.
    await page.getByRole('button', { name: 'Add rule' }).click();
    await dialog().waitFor();
    await dialog().getByLabel('Scope').selectOption('item');
    await dialog().getByLabel('Shortage: units').fill('-2');
    await dialog().getByRole('button', { name: 'Add rule' }).click();
    expect(await fieldError('Item code')).toContain('required');
    expect(await fieldError('Shortage: units')).toContain('must not be negative');
    await expect
      .poll(() => page.evaluate(() => document.activeElement?.getAttribute('aria-invalid')))
      .toBe('true');
    const code = codes[2]!;
    await dialog().getByLabel('Item code').fill(code);
    await dialog().getByLabel('Shortage: units').fill('5');
    await dialog().getByLabel('Overage: units').fill('2');
    await dialog().getByLabel('Overage: % of book').fill('10');
    await dialog().getByLabel('When outside tolerance').selectOption('approve');
    await dialog().getByLabel('Recount phases').fill('1');
    await dialog().getByLabel('Name (optional)').fill('Fragile item');
    await dialog().getByLabel('Rule id (optional)').fill('fragile');
    // An id taken already: the server's 409 names the field, shown beside it.
    await call('POST', '/tolerance-rules', supervisorToken, {
      id: 'fragile',
      scope: { kind: 'warehouse', warehouse },
      thresholds: { shortage: {}, overage: {} },
      on_exceed: 'recount',
    });
    await dialog().getByRole('button', { name: 'Add rule' }).click();
    expect(await fieldError('Rule id (optional)')).toContain('is taken');
    await call('DELETE', '/tolerance-rules/fragile?version=2', supervisorToken);
    await dialog().getByRole('button', { name: 'Add rule' }).click();
    await dialog().waitFor({ state: 'detached' });
    await page.getByText('Added rule fragile').waitFor();

    let set = await call<RuleSet>('GET', '/tolerance-rules', supervisorToken);
    expect(set.version).toBe(4);
    expect(set.rules).toEqual([
      {
        id: 'fragile',
        version: 4,
        name: 'Fragile item',
        scope: { kind: 'item', item_code: code },
        thresholds: { shortage: { units: 5 }, overage: { units: 2, percent: 10 } },
        on_exceed: 'approve',
        recount_phases: 1,
      },
    ]);
    const row = rulesTable().locator('tr[data-rule="fragile"]');
    const added = (await row.textContent()) ?? '';
    for (const text of [
      `Item ${code}`,
      'Fragile item',
      '≤ 5 units',
      '≤ 2 units · ≤ 10 %',
      'Supervisor approval',
      '1 recount phase',
      'fragile · v4',
    ]) {
      expect(added, text).toContain(text);
    }
    expect(await page.getByTestId('table-version').textContent()).toContain('Table version 4');

    // Edit: the form shows the rule; the change is sent with the version edited.
    await page.getByRole('button', { name: 'Edit rule fragile' }).click();
    expect(await dialog().getByLabel('Overage: units').inputValue()).toBe('2');
    await dialog().getByLabel('Overage: units').fill('3');
    await dialog().getByRole('button', { name: 'Same limits for overages' }).click();
    expect(await dialog().getByLabel('Overage: % of book').inputValue()).toBe('');
    await dialog().getByLabel('Overage: units').fill('3');
    await dialog().getByRole('button', { name: 'Save rule' }).click();
    await dialog().waitFor({ state: 'detached' });
    await page.getByText('Saved rule fragile').waitFor();
    expect(await row.textContent()).toContain('≤ 3 units');
    expect(await row.textContent()).toContain('fragile · v5');
    set = await call<RuleSet>('GET', '/tolerance-rules', supervisorToken);
    expect(set.rules[0]!.thresholds).toEqual({ shortage: { units: 5 }, overage: { units: 3 } });

    // Stale: someone else edits the rule while the dialog is open.
    await page.getByRole('button', { name: 'Edit rule fragile' }).click();
    await dialog().getByLabel('Shortage: units').fill('7');
    const { version: _v, id: _id, ...content } = set.rules[0]!;
    await call('PUT', '/tolerance-rules/fragile', supervisorToken, {
      ...content,
      version: 5,
      name: 'Changed elsewhere',
    });
    await dialog().getByRole('button', { name: 'Save rule' }).click();
    await dialog().waitFor({ state: 'detached' });
    const alert = page.getByRole('alert').filter({ hasText: 'Someone else changed rule fragile' });
    await alert.waitFor();
    expect(await alert.textContent()).toContain('reloaded');
    await rulesTable().getByText('Changed elsewhere').waitFor();
    expect(await row.textContent()).toContain('≤ 5 units'); // the edit was not applied
    expect(await row.textContent()).toContain('fragile · v6');
    set = await call<RuleSet>('GET', '/tolerance-rules', supervisorToken);
    expect(set.rules[0]!.thresholds.shortage).toEqual({ units: 5 });

    // Versions: who changed what, and an old version's rules.
    await page.getByRole('tab', { name: 'Versions' }).click();
    const versions = page.getByRole('table', { name: 'Versions' });
    await versions.locator('tr[data-version="6"]').waitFor();
    const history = await versions.locator('tbody tr').allTextContents();
    expect(history).toHaveLength(6);
    expect(history[0]).toContain('Edited rule fragile (now version 6)');
    expect(history[0]).toContain('sue');
    expect(history[2]).toContain('Added rule fragile');
    expect(history[3]).toContain('Deleted rule fragile (version 2)');
    expect(history[5]).toContain('Empty table');
    await page.getByRole('button', { name: 'View the rules of version 4' }).click();
    const old = page.getByRole('table', { name: 'Rules of version 4' });
    await old.waitFor();
    const oldRow = (await old.locator('tbody tr').textContent()) ?? '';
    expect(oldRow).toContain('≤ 2 units · ≤ 10 %');
    expect(oldRow).toContain('Fragile item');

    // Preview: the session's counts under the rules in force, then under a draft.
    await page.getByRole('tab', { name: 'Preview' }).click();
    const picker = page.getByRole('combobox', { name: 'Session' });
    await picker.fill('Tolerance preview');
    await page.getByRole('option', { name: new RegExp(SESSION_NAME) }).click();
    await page.getByRole('button', { name: 'Preview', exact: true }).click();
    const expectSentence = async (preview: Preview) => {
      const sentence = page.getByTestId('preview-sentence');
      const lines = (n: number) => `${n} ${n === 1 ? 'line' : 'lines'}`;
      await expect
        .poll(() => sentence.textContent())
        .toBe(
          `With these rules, session ${SESSION_NAME} would have auto-accepted ${lines(preview.accept)}, ` +
            `sent ${lines(preview.recount)} to recount, ${lines(preview.approve)} to you (of ${lines(preview.lines)} counted).`,
        );
      const perRule = page.getByRole('table', { name: 'Per rule' });
      for (const r of preview.by_rule) {
        const cells = await perRule.locator(`tr[data-rule="${r.id}"] td.num`).allTextContents();
        expect(cells, r.id).toEqual([String(r.accept), String(r.recount), String(r.approve)]);
      }
      expect(await perRule.locator('tbody tr').count()).toBe(preview.by_rule.length);
    };
    const inForce = await call<Preview>('POST', '/tolerance-rules/preview', supervisorToken, {
      session_id: sessionId,
      rules: set.rules,
    });
    expect(inForce.lines).toBe(4);
    expect(inForce.by_rule.map((r) => r.id)).toEqual(['default', 'fragile']);
    // The +500 count is outside the fragile rule's limits: it goes to a supervisor.
    expect(inForce.by_rule[1]).toMatchObject({ approve: 1 });
    await expectSentence(inForce);
    await page.getByText('These are the rules in force').waitFor();

    // A draft rule for everything, no difference allowed, to a supervisor: the numbers move.
    await page.getByRole('button', { name: 'Add draft rule' }).click();
    await dialog().getByLabel('Shortage: units').fill('0');
    await dialog().getByRole('button', { name: 'Same limits for overages' }).click();
    await dialog().getByLabel('When outside tolerance').selectOption('approve');
    await dialog().getByRole('button', { name: 'Keep in draft' }).click();
    await dialog().waitFor({ state: 'detached' });
    expect(await page.getByRole('table', { name: 'Draft rules' }).locator('tbody tr').count()).toBe(
      2,
    );
    await page.getByRole('button', { name: 'Preview', exact: true }).click();
    const drafted = await call<Preview>('POST', '/tolerance-rules/preview', supervisorToken, {
      session_id: sessionId,
      rules: [
        ...set.rules,
        {
          id: 'draft-1',
          version: 1,
          scope: { kind: 'everything' },
          thresholds: { shortage: { units: 0 }, overage: { units: 0 } },
          on_exceed: 'approve',
          recount_phases: 2,
        },
      ],
    });
    expect(drafted.approve).toBe(3); // every count off the book
    expect(drafted.accept).toBe(1);
    await expectSentence(drafted);
    // Nothing of the draft was saved.
    expect((await call<RuleSet>('GET', '/tolerance-rules', supervisorToken)).version).toBe(6);

    // Delete, after asking; the built-in default is back.
    await page.getByRole('tab', { name: 'Rules in force' }).click();
    await page.getByRole('button', { name: 'Delete rule fragile' }).click();
    const confirm = page.getByRole('dialog', { name: 'Delete rule fragile?' });
    await confirm.getByRole('button', { name: 'Delete rule' }).click();
    await page.getByText('Deleted rule fragile').waitFor();
    await expect
      .poll(() => rulesTable().locator('tbody tr').allTextContents())
      .toEqual([expect.stringContaining('Built-in default')]);
    expect((await call<RuleSet>('GET', '/tolerance-rules', supervisorToken)).rules).toEqual([]);

    // Fits 1440 × 900 without a sideways scroll; every control reached by keyboard shows focus.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
      1440,
    );
    await page.getByRole('button', { name: 'Add rule' }).focus();
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => ({
      text: document.activeElement?.textContent,
      outline: getComputedStyle(document.activeElement!).outlineStyle,
    }));
    expect(focused).toEqual({ text: 'Reload', outline: 'solid' });
    expect(browserErrors).toEqual([]);
  });
});
