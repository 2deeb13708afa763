import { describe, expect, it } from 'vitest';
import { ImportLimitError } from './import-limits';
import { parseItemMasterInWorker } from './import-worker';

const csv = (rows: number) =>
  Buffer.from(
    ['item_code,name', ...Array.from({ length: rows }, (_, i) => `I${i},Item ${i}`)].join('\n'),
  );

describe('parseItemMasterInWorker', () => {
  it('parses in a worker thread what parseItemMaster would', async () => {
    const result = await parseItemMasterInWorker(csv(3), 'csv', {
      now: new Date('2026-01-01T00:00:00Z'),
    });
    expect(result.items.map((i) => [i.item_code, i.updated_at])).toEqual([
      ['I0', '2026-01-01T00:00:00.000Z'],
      ['I1', '2026-01-01T00:00:00.000Z'],
      ['I2', '2026-01-01T00:00:00.000Z'],
    ]);
  });

  it('names the cap a file went past: rows, and time and memory of the worker', async () => {
    const limits = { inflatedBytes: 1e6, rows: 10, columns: 5, cells: 1e6 };
    await expect(parseItemMasterInWorker(csv(11), 'csv', { limits })).rejects.toMatchObject({
      name: 'ImportLimitError',
      cap: 'rows',
      limit: 10,
    });
    await expect(
      parseItemMasterInWorker(csv(1), 'csv', { worker: { heapMb: 1024, timeMs: 1 } }),
    ).rejects.toBeInstanceOf(ImportLimitError);
    await expect(
      parseItemMasterInWorker(csv(1), 'csv', { worker: { heapMb: 1024, timeMs: 1 } }),
    ).rejects.toMatchObject({ cap: 'time' });
    await expect(
      parseItemMasterInWorker(csv(1), 'csv', { worker: { heapMb: 4, timeMs: 60_000 } }),
    ).rejects.toMatchObject({ cap: 'memory' });
    // The queue goes on after a failure.
    expect((await parseItemMasterInWorker(csv(1), 'csv')).items).toHaveLength(1);
  });
});
