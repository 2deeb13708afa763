/**
 * ERP movements through the API (issue #17): with the demo moving stock during a session, the
 * pull stores the movements, an items pass keeps the ledger watermark its book includes, a
 * session created afterwards carries that watermark in its detail answer (one created before
 * carries null), and `/erp/status` shows watermark, last pull, lag and count — answers parsed with
 * the shared schemas.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { erpStatusSchema, sessionDetailSchema } from '@stockverify/shared';
import { createDemoErpSource } from '../../src/adapters/erp/demo';
import { createSession, seedCounting } from '../support/counting-fixture';
import { startTestApp, type TestApp } from '../support/test-app';

let t: TestApp;
const quiet = { info: () => {}, warn: () => {} };

beforeEach(async () => {
  t = await startTestApp({
    startAt: new Date('2026-12-06T09:00:00Z'),
    erp: createDemoErpSource({ itemCount: 200, movementsPerMinute: 12, clock: () => t.clock() }),
  });
  await seedCounting(t);
});
afterEach(async () => {
  await t.close();
});

describe('ERP movements', () => {
  it('sessions record the watermark their snapshot includes; /erp/status shows the pull', async () => {
    const admin = await t.userWithRole('admin', 'root');
    const sup = await t.userWithRole('supervisor', 'sup');
    const before = await createSession(t, sup.token);
    expect(before.erp_watermark).toBeNull();

    const puller = t.services.erp.movementPuller({ intervalMs: 60_000, log: quiet });
    await puller.tick();
    t.advance(60_000);
    expect(await puller.tick()).toMatchObject({ received: 12, inserted: 12 });

    const sync = await t.request('POST', '/api/erp/sync', { token: admin.token, body: {} });
    expect(sync.status).toBe(200);
    const after = await createSession(t, sup.token, { name: 'Second count' });
    const detail = await t.request('GET', `/api/sessions/${after.id}`, { token: sup.token });
    expect(sessionDetailSchema.parse(detail.body.data).erp_watermark).toBe('12');
    const old = await t.request('GET', `/api/sessions/${before.id}`, { token: sup.token });
    expect(sessionDetailSchema.parse(old.body.data).erp_watermark).toBeNull();

    t.advance(30_000);
    const status = await t.request('GET', '/api/erp/status', { token: admin.token });
    expect(status.status).toBe(200);
    const movements = erpStatusSchema.parse(status.body.data).movements!;
    expect(movements).toMatchObject({
      watermark: '12',
      count: 12,
      mirror_watermark: '12',
      interval_ms: 60_000,
      last_error: null,
    });
    expect(movements.lag_ms).toBe(t.clock().getTime() - Date.parse(movements.newest_posted_at!));
    expect(movements.lag_ms).toBeGreaterThanOrEqual(30_000);
  });
});
