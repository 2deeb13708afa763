/**
 * The benchmark switch BENCH_SKIP_READ_MODEL (issue #13: "sync throughput with and without the
 * read model's upkeep"): with it, line writes leave the model as it was; without it, the model
 * moves with them. Production refuses it (config.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { makeLine, makeSession, makeSnapshotRow } from '../../../../test/support/counting-records';
import { createSqliteStore } from '.';

async function linesInModel(skipReadModelUpkeep: boolean) {
  const store = createSqliteStore({ file: ':memory:', skipReadModelUpkeep });
  await store.init();
  await store.sessions.create(makeSession('S1'), [makeSnapshotRow('S1', 'ITM-1')]);
  await store.lines.insertMany([
    makeLine('op-1', { counted_qty: 7, variance: -3 }),
    makeLine('op-2', { rack: 'A-02', counted_qty: 1, variance: -9 }),
  ]);
  const stored = await store.lines.list('S1', { page: 1, page_size: 10 });
  const model = await store.readModel.session('S1');
  await store.close();
  return { stored: stored.total, model: model.lines };
}

describe('BENCH_SKIP_READ_MODEL', () => {
  it('off (the default): the read model moves with the line writes', async () => {
    expect(await linesInModel(false)).toEqual({ stored: 2, model: 2 });
  });

  it('on: the lines are written, the read model is left as it was', async () => {
    expect(await linesInModel(true)).toEqual({ stored: 2, model: 0 });
  });
});
