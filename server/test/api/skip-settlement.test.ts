/**
 * The benchmark switch BENCH_SKIP_SETTLEMENT (issue #16: "sync throughput within 10 % of the run
 * without rules"): with it, count lines a sync batch writes are stored and each is still decided on
 * its own, but no bin is settled (no bin row, no recount task); without it, a count outside
 * tolerance opens its bin. Production refuses the switch.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config';
import { countRecord, seedCounting, sync } from '../support/counting-fixture';
import { sessionWithA01Held } from '../support/recount-fixture';
import { startTestApp, type TestApp } from '../support/test-app';

let t: TestApp | null = null;
afterEach(async () => {
  await t?.close();
  t = null;
});

async function countFarOff(skipSettlement: boolean) {
  t = await startTestApp({ settings: { skipSettlement } });
  await seedCounting(t);
  const { alice, session, held } = await sessionWithA01Held(t);
  // ITM-A: book 10 in A-01; 45 is far outside the default rule (50 %).
  const record = countRecord(session.id, 'A-01', 'ITM-A', held.fencing_token, {
    counted_qty: 45,
    variance_reason: 'Found so',
  });
  const res = await sync(t, alice.token, [record]);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  const lines = await t.store.lines.list(session.id, { page: 1, page_size: 10 });
  const bins = await t.store.bins.list(session.id, { page: 1, page_size: 10 });
  const tasks = await t.store.recountTasks.list(session.id, { page: 1, page_size: 10 });
  return {
    lines: lines.items.map((l) => ({ status: l.status, within: l.tolerance?.within })),
    bins: bins.items.map((b) => b.state),
    tasks: tasks.total,
  };
}

describe('BENCH_SKIP_SETTLEMENT', () => {
  it('off (the default): a count outside tolerance opens its bin and a recount task', async () => {
    expect(await countFarOff(false)).toEqual({
      lines: [{ status: 'NEEDS_REVIEW', within: false }],
      bins: ['open'],
      tasks: 1,
    });
  });

  it('on: the line is stored and decided on its own; no bin is settled', async () => {
    expect(await countFarOff(true)).toEqual({
      lines: [{ status: 'NEEDS_REVIEW', within: false }],
      bins: [],
      tasks: 0,
    });
  });

  it('is a benchmark setting: false by default, refused with NODE_ENV=production', () => {
    expect(loadConfig({}).BENCH_SKIP_SETTLEMENT).toBe(false);
    expect(loadConfig({ BENCH_SKIP_SETTLEMENT: 'true' }).BENCH_SKIP_SETTLEMENT).toBe(true);
    expect(() => loadConfig({ BENCH_SKIP_SETTLEMENT: 'yes' })).toThrow(/BENCH_SKIP_SETTLEMENT/);
    expect(() => loadConfig({ BENCH_SKIP_SETTLEMENT: 'true', NODE_ENV: 'production' })).toThrow(
      /BENCH_SKIP_SETTLEMENT: a benchmark setting/,
    );
  });
});
