/**
 * Recounts in the console (issue #16 item 4), at 1440 × 900 in headless Chromium against the real
 * server, as a supervisor: a count beyond tolerance arrives while the recount queue is open and
 * shows up live, offered to all; it is assigned to a counter who did not count the bin (the one who
 * did is listed but cannot be chosen); the bin's history opens from the variances and from the
 * line's drawer; reconcile is refused while the recount is open, listing the bin as a link; the
 * bin is decided — never without a reason — then overridden with a reason, and the session
 * reconciles.
 */
import { randomUUID } from 'node:crypto';
import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireBinary } from '../../../shared/test-support/requires';
import {
  apiClient as api,
  claimFirstRack,
  ensureConsoleBuilt,
  mirroredWarehouse,
  startServer,
  waitFor,
} from './server';
import type { RunningServer } from './server';

const hasChromium = requireBinary('chromium');

let server: RunningServer;
let browser: Browser;
let page: Page;
let call: ReturnType<typeof api>['call'];
let supervisorToken: string;
let omarToken: string;
let beaToken: string;
let beaId: string;
let warehouse: string;
const browserErrors: string[] = [];

interface QueueItem {
  task_id: string;
  rack: string;
  item_code: string;
  phase: number;
  state: string;
  assigned_to: string | null;
  assigned_to_name: string | null;
  excluded_counters: string[];
  reason: string;
}

beforeAll(async () => {
  if (!hasChromium) return;
  ensureConsoleBuilt();
  // The demo's stock stands still: a simulated movement of a counted item before its count would
  // make it ambiguous, and reconcile refuse it (MOVED_ITEMS_UNDECIDED, docs/design.md §13).
  server = await startServer({ DEMO_MOVEMENTS_PER_MINUTE: '0' });
  ({ call } = api(server.url));
  const adminToken = await api(server.url).login('admin', server.adminPassword);
  warehouse = await mirroredWarehouse(call, adminToken);
  await call('POST', '/users', adminToken, {
    username: 'sue',
    full_name: 'Sue Supervisor',
    role: 'supervisor',
    password: 'supervisor-rc-pw-1',
    warehouse,
  });
  await call('POST', '/users', adminToken, {
    username: 'omar',
    full_name: 'Omar Counter',
    role: 'staff',
    password: 'staff-rc-pw-1',
    warehouse,
  });
  const bea = await call<{ id: string }>('POST', '/users', adminToken, {
    username: 'bea',
    full_name: 'Bea Recounter',
    role: 'staff',
    password: 'staff-rc-pw-2',
    warehouse,
  });
  beaId = bea.id;
  supervisorToken = await api(server.url).login('sue', 'supervisor-rc-pw-1');
  omarToken = await api(server.url).login('omar', 'staff-rc-pw-1');
  beaToken = await api(server.url).login('bea', 'staff-rc-pw-2');
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  page = await context.newPage();
  page.on('pageerror', (error) => browserErrors.push(error.message));
  await page.goto(`${server.url}/console/`);
  await page.getByLabel('User name').fill('sue');
  await page.getByLabel('Password').fill('supervisor-rc-pw-1');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('navigation', { name: 'Console' }).waitFor({ timeout: 15_000 });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
}, 60_000);

describe.runIf(hasChromium)('recounts in the console', { timeout: 150_000 }, () => {
  it('queues, assigns, shows the bin, refuses reconcile while open, decides with a reason', async () => {
    const session = await call<{ id: string }>('POST', '/sessions', supervisorToken, {
      warehouse,
      name: 'Recount queue count',
      mode: 'standard',
    });
    const { book, rack, fencingToken } = await claimFirstRack(call, {
      session: session.id,
      warehouse,
      reader: supervisorToken,
      staffToken: omarToken,
      device: 'omar-phone',
    });
    const { item_code: code, book_qty: bookQty } = book[0]!;
    const counted = bookQty + 500; // beyond the built-in rule's 100 units: a blind recount

    // The queue is open, and empty, before anything is counted.
    await page.goto(`${server.url}/console/#/sessions/${session.id}`);
    await page.getByRole('tab', { name: 'Recounts' }).click();
    await page.getByText('No recount is open.').waitFor();
    await expect.poll(() => page.getByTestId('queue-stream').textContent()).toBe('live');

    // Sent the way a phone sends it, naming its device.
    const sent = await fetch(`${server.url}/api/sessions/${session.id}/count-lines`, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        Authorization: `Bearer ${omarToken}`,
        'X-Device-Id': 'omar-phone',
      },
      body: JSON.stringify({
        op_id: randomUUID(),
        type: 'count',
        session_id: session.id,
        rack,
        item_code: code,
        counted_qty: counted,
        damaged_qty: 0,
        non_returnable_damaged_qty: 0,
        serials: [],
        fencing_token: fencingToken,
        variance_reason: 'recount e2e',
        counted_at: new Date().toISOString(),
      }),
    });
    expect(sent.ok, await sent.text()).toBe(true);
    const task = await waitFor('the recount task', async () => {
      const queue = await call<{ items: QueueItem[] }>(
        'GET',
        `/sessions/${session.id}/recount-tasks?state=open`,
        supervisorToken,
      );
      return queue.items[0] ?? null;
    });
    expect(task).toMatchObject({ rack, item_code: code, phase: 1, reason: 'exceeds_tolerance' });

    // The task appears without a reload (the session's live events), offered to all, ageing.
    const row = page.locator(`[data-task="${task.task_id}"]`);
    await row.waitFor({ timeout: 15_000 });
    const cells = () => row.getByRole('cell').allTextContents();
    const first = await cells();
    expect(first.slice(0, 5)).toEqual([
      rack,
      expect.stringContaining(code),
      'Recount 1',
      'first count outside tolerance',
      task.assigned_to === null ? 'offered to all' : (task.assigned_to_name ?? task.assigned_to),
    ]);
    expect(first[6]).toBe('open');
    const age = first[5]!;
    await expect.poll(async () => (await cells())[5], { timeout: 5000 }).not.toBe(age);

    // Assign: the counter who counted the bin is listed but cannot be chosen, and says why.
    await page.getByRole('button', { name: `Assign the recount of ${code} on ${rack}` }).click();
    const assign = page.getByRole('dialog', { name: `Assign the recount of ${code} on ${rack}` });
    await assign.waitFor();
    await assign.getByLabel('Find a counter').fill('o');
    const omar = assign.getByRole('radio', { name: /Omar Counter \(omar\)/ });
    await omar.waitFor();
    expect(await omar.isDisabled()).toBe(true);
    expect(await assign.textContent()).toContain('already counted this bin');
    await assign.getByLabel('Find a counter').fill('bea');
    await assign.getByRole('radio', { name: /Bea Recounter \(bea\)/ }).check();
    await assign.getByRole('button', { name: 'Assign' }).click();
    await assign.waitFor({ state: 'detached' });
    await page.getByText(`The recount of ${code} on ${rack} is assigned.`).waitFor();
    const assigned = await call<{ items: QueueItem[] }>(
      'GET',
      `/sessions/${session.id}/recount-tasks?state=open`,
      supervisorToken,
    );
    expect(assigned.items).toEqual([
      expect.objectContaining({ task_id: task.task_id, assigned_to: beaId }),
    ]);
    await expect
      .poll(async () => (await cells())[4])
      .toBe(assigned.items[0]!.assigned_to_name ?? beaId);
    // Focus went back to the row's Assign button.
    expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe(
      `Assign the recount of ${code} on ${rack}`,
    );

    // The bin's history, from the variances: the first count taken, the rule, the open task.
    await page.getByRole('tab', { name: 'Variances' }).click();
    const fromVariances = page.getByRole('link', { name: `History of ${code} on ${rack}` });
    await fromVariances.click();
    const drawer = page.getByRole('dialog', {
      name: new RegExp(`^History of ${code}.* on ${rack}$`),
    });
    await drawer.waitFor();
    await expect
      .poll(() => drawer.getByTestId('settlement').textContent())
      .toContain('Open: the first count is outside tolerance');
    const counts = drawer.getByRole('table', { name: 'Counts side by side' });
    const countRows = await counts.locator('tbody tr').allTextContents();
    expect(countRows).toHaveLength(1);
    expect(countRows[0]).toContain('First count');
    expect(countRows[0]).toContain('omar-phone');
    expect(countRows[0]).toContain(counted.toLocaleString('en'));
    expect(countRows[0]).toContain('taken');
    expect(await drawer.textContent()).toContain('blind recount by another counter');
    const tasks = await drawer
      .getByRole('table', { name: 'Recount tasks of this bin' })
      .locator('tbody tr')
      .allTextContents();
    expect(tasks).toHaveLength(1);
    expect(tasks[0]).toContain('Recount 1');

    // Bea answers the task (blind, no claim) and disagrees: the open drawer shows it live — both
    // counts side by side, the next phase opened.
    const recounted = bookQty + 300;
    const answer = await call<{ results: Array<{ status: string }> }>(
      'POST',
      `/sessions/${session.id}/count-lines`,
      beaToken,
      {
        op_id: randomUUID(),
        type: 'count',
        session_id: session.id,
        rack,
        item_code: code,
        counted_qty: recounted,
        damaged_qty: 0,
        non_returnable_damaged_qty: 0,
        serials: [],
        recount_task_id: task.task_id,
        variance_reason: 'recount e2e',
        counted_at: new Date().toISOString(),
      },
    );
    expect(JSON.stringify(answer)).not.toMatch(/ERROR|RECOUNT_/);
    await expect.poll(() => counts.locator('tbody tr').count(), { timeout: 15_000 }).toBe(2);
    const both = await counts.locator('tbody tr').allTextContents();
    expect(both.find((r) => r.startsWith('Recount 1'))).toContain(recounted.toLocaleString('en'));
    await expect
      .poll(() => drawer.getByTestId('settlement').textContent())
      .toContain('Open: the counts disagree; waiting for recount phase 2');
    await page.keyboard.press('Escape');
    await drawer.waitFor({ state: 'detached' });
    expect(await fromVariances.evaluate((el) => el === document.activeElement)).toBe(true);

    // And from the line's drawer: the bin's history opens over it, Escape returns to the line.
    await page.getByRole('tab', { name: 'Lines and review' }).click();
    await page.getByRole('button', { name: `Details of ${code} on ${rack}` }).click();
    const lineDrawer = page.getByRole('dialog', { name: new RegExp(`^${code}.* on ${rack}$`) });
    await lineDrawer.waitFor();
    const fromLine = lineDrawer.getByRole('link', { name: `History of ${code} on ${rack}` });
    await fromLine.click();
    await drawer.waitFor();
    await drawer.getByRole('table', { name: 'Counts side by side' }).waitFor();
    await page.keyboard.press('Escape');
    await drawer.waitFor({ state: 'detached' });
    expect(await lineDrawer.isVisible()).toBe(true);
    expect(await fromLine.evaluate((el) => el === document.activeElement)).toBe(true);
    await page.keyboard.press('Escape');
    await lineDrawer.waitFor({ state: 'detached' });

    // Reconcile is refused while the recount is open: the bin is listed, a link to its history.
    await page.getByRole('button', { name: 'Close session' }).click();
    await page
      .getByRole('dialog', { name: 'Close this session?' })
      .getByRole('button', { name: 'Close session' })
      .click();
    await page.getByText('Session closed.').waitFor({ timeout: 10_000 });
    await page.getByRole('button', { name: 'Reconcile session' }).click();
    const reconcile = page.getByRole('dialog', { name: 'Reconcile this session?' });
    await reconcile.getByRole('button', { name: 'Reconcile session' }).click();
    const open = page.getByRole('region', { name: 'Bins still open' });
    await open.waitFor({ timeout: 10_000 });
    expect(await open.textContent()).toContain('Reconcile waits for 1 bin');
    const refused = await fetch(`${server.url}/api/sessions/${session.id}/reconcile`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${supervisorToken}` },
    });
    expect(refused.status).toBe(409);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe(
      'RECOUNTS_OPEN',
    );
    await open.getByRole('link', { name: `${code} on ${rack}` }).click();
    await drawer.waitFor();

    // Decide: never without a reason, the problem beside the field.
    const form = drawer.getByRole('form', { name: 'Decide' });
    await form
      .getByLabel('Count to take')
      .selectOption({ label: `First count · Omar Counter · ${counted.toLocaleString('en')}` });
    await form.getByRole('button', { name: 'Decide' }).click();
    const reason = form.getByLabel('Reason (required)');
    await expect.poll(() => reason.getAttribute('aria-invalid')).toBe('true');
    expect(await form.locator('.field-error').allTextContents()).toEqual([
      'a decision needs a reason',
    ]);
    expect(await reason.evaluate((el) => el === document.activeElement)).toBe(true);
    await reason.fill('Checked the shelf myself');
    await form.getByRole('button', { name: 'Decide' }).click();
    await expect
      .poll(() => drawer.getByTestId('settlement').textContent())
      .toContain(`Decided at ${counted.toLocaleString('en')} by a supervisor.`);
    const decisions = drawer.getByRole('table', { name: 'Decisions' });
    let decided = await decisions.locator('tbody tr').allTextContents();
    expect(decided).toHaveLength(1);
    expect(decided[0]).toContain('Checked the shelf myself');
    expect(decided[0]).toMatch(/sue|Sue Supervisor/);

    // A decided bin is overridden, with a reason too; a recount is no longer offered.
    const override = drawer.getByRole('form', { name: 'Override the decision' });
    await override.waitFor();
    expect(
      await override.getByRole('radio', { name: /Ask for another recount/ }).isDisabled(),
    ).toBe(true);
    await override.getByRole('radio', { name: 'Type the quantity' }).check();
    await override
      .getByLabel('Quantity (counted less written-off damage)')
      .fill(String(bookQty + 490));
    await override.getByRole('button', { name: 'Override' }).click();
    await expect
      .poll(() => override.locator('.field-error').allTextContents())
      .toEqual(['a decision needs a reason']);
    await override.getByLabel('Reason (required)').fill('Counted again with the team');
    await override.getByRole('button', { name: 'Override' }).click();
    await expect
      .poll(() => drawer.getByTestId('settlement').textContent())
      .toContain(`Decided at ${(bookQty + 490).toLocaleString('en')} by a supervisor.`);
    decided = await decisions.locator('tbody tr').allTextContents();
    expect(decided).toHaveLength(2);
    expect(decided.join('\n')).toContain('override');
    expect(decided.join('\n')).toContain('Counted again with the team');

    // Nothing open any more: the queue is empty and the session reconciles.
    await drawer.getByRole('button', { name: 'Close' }).click();
    await drawer.waitFor({ state: 'detached' });
    await page.getByRole('tab', { name: 'Recounts' }).click();
    await page.getByText('No recount is open.').waitFor({ timeout: 10_000 });
    await page.getByRole('button', { name: 'Reconcile session' }).click();
    await reconcile.getByRole('button', { name: 'Reconcile session' }).click();
    await page.getByText('Session reconciled.').waitFor({ timeout: 10_000 });

    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
      1440,
    );
    expect(browserErrors).toEqual([]);
  });

  it('lists a count that came after the decision as a late count, acknowledged from the drawer', async () => {
    const session = await call<{ id: string }>('POST', '/sessions', supervisorToken, {
      warehouse,
      name: 'Late count',
      mode: 'standard',
    });
    const { book, rack, fencingToken } = await claimFirstRack(call, {
      session: session.id,
      warehouse,
      reader: supervisorToken,
      staffToken: omarToken,
      device: 'omar-phone',
    });
    const { item_code: code, book_qty: bookQty } = book[0]!;
    const first = await call<{ results: Array<{ status: string }> }>(
      'POST',
      `/sessions/${session.id}/count-lines`,
      omarToken,
      {
        op_id: randomUUID(),
        type: 'count',
        session_id: session.id,
        rack,
        item_code: code,
        counted_qty: bookQty + 500,
        damaged_qty: 0,
        non_returnable_damaged_qty: 0,
        serials: [],
        fencing_token: fencingToken,
        variance_reason: 'late e2e',
        counted_at: new Date().toISOString(),
      },
    );
    expect(JSON.stringify(first)).not.toMatch(/ERROR/);
    const task = await waitFor('the recount task', async () => {
      const queue = await call<{ items: QueueItem[] }>(
        'GET',
        `/sessions/${session.id}/recount-tasks?state=open`,
        supervisorToken,
      );
      return queue.items[0] ?? null;
    });
    // The supervisor decides before Bea's phone, offline, sends its answer.
    await call('POST', `/sessions/${session.id}/bins/${rack}/${code}/decisions`, supervisorToken, {
      kind: 'set',
      quantity: bookQty + 450,
      reason: 'Counted it myself',
    });

    await page.goto(`${server.url}/console/#/sessions/${session.id}`);
    await page.getByRole('tab', { name: 'Recounts' }).click();
    const panel = page.getByRole('region', { name: 'Late counts' });
    await panel.getByText('No late count waits for you.').waitFor({ timeout: 15_000 });
    await expect.poll(() => page.getByTestId('queue-stream').textContent()).toBe('live');

    const lateQty = bookQty + 480;
    const late = await call<{ results: Array<{ status: string }> }>(
      'POST',
      `/sessions/${session.id}/count-lines`,
      beaToken,
      {
        op_id: randomUUID(),
        type: 'count',
        session_id: session.id,
        rack,
        item_code: code,
        counted_qty: lateQty,
        damaged_qty: 0,
        non_returnable_damaged_qty: 0,
        serials: [],
        recount_task_id: task.task_id,
        variance_reason: 'late e2e',
        counted_at: new Date().toISOString(),
      },
    );
    expect(JSON.stringify(late)).not.toMatch(/ERROR|RECOUNT_/);

    // The list shows it without a reload (the bin's late_count event): the figure, the late count.
    const row = panel.locator(`[data-late-bin="${rack}/${code}"]`);
    await row.waitFor({ timeout: 15_000 });
    const text = await row.textContent();
    expect(text).toContain((bookQty + 450).toLocaleString('en'));
    expect(text).toContain(`${lateQty.toLocaleString('en')} by Bea Recounter`);

    // From the list to the drawer: keep the decision, never without a reason.
    await panel.getByRole('link', { name: `Late counts of ${code} on ${rack}` }).click();
    const drawer = page.getByRole('dialog', {
      name: new RegExp(`^History of ${code}.* on ${rack}$`),
    });
    await drawer.waitFor();
    const keep = drawer.getByRole('form', { name: 'Keep the decision' });
    await keep.waitFor();
    await keep.getByRole('button', { name: 'Keep decision (acknowledge)' }).click();
    const reason = keep.getByLabel('Why the figure stands (required)');
    await expect.poll(() => reason.getAttribute('aria-invalid')).toBe('true');
    expect(await keep.locator('.field-error').allTextContents()).toEqual([
      'acknowledging needs a reason',
    ]);
    await reason.fill('Bea counted the next shelf too');
    await keep.getByRole('button', { name: 'Keep decision (acknowledge)' }).click();
    await keep.waitFor({ state: 'detached', timeout: 10_000 });
    expect(await drawer.getByTestId('settlement').textContent()).toContain(
      `Decided at ${(bookQty + 450).toLocaleString('en')} by a supervisor.`,
    );
    expect(
      await drawer.getByRole('table', { name: 'Counts side by side' }).textContent(),
    ).toContain('acknowledged');
    await drawer.getByRole('button', { name: 'Close' }).click();
    await drawer.waitFor({ state: 'detached' });
    await panel.getByText('No late count waits for you.').waitFor({ timeout: 15_000 });

    // Nothing else waits: the session reconciles.
    await call('POST', `/sessions/${session.id}/close`, supervisorToken);
    const reconciled = await fetch(`${server.url}/api/sessions/${session.id}/reconcile`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${supervisorToken}` },
    });
    expect(reconciled.status, await reconciled.text()).toBe(200);
    expect(browserErrors).toEqual([]);
  });
});
