/**
 * File exports stream (issue #6): memory stays bounded while a large report downloads, and a
 * client that goes away stops the store reads.
 */
import http from 'node:http';
import v8 from 'node:v8';
import vm from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedBulkSession } from '../support/reports-bulk';
import { startTestApp, type TestApp } from '../support/test-app';

const ITEMS = 100_000;
const CHUNK = 500;

let t: TestApp;
let supervisor: string;

beforeAll(async () => {
  t = await startTestApp({ settings: { reports: { chunkSize: CHUNK } } });
  await seedBulkSession(t.store, 'BIG', ITEMS);
  supervisor = (await t.userWithRole('supervisor', 'sup')).token;
}, 120_000);
afterAll(async () => {
  await t.close();
});

// A full GC before each sample, so garbage not yet collected is not taken for memory held.
v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

/** JS-managed memory still reachable: where rows, strings and buffers would pile up if held. */
const jsMemory = () => {
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
};

/** Downloads a variance report, counting its bytes without keeping them. */
function download(format: 'csv' | 'xlsx', filters: object): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      new URL(`${t.baseUrl}/api/reports/export/${format}`),
      {
        method: 'POST',
        headers: { authorization: `Bearer ${supervisor}`, 'content-type': 'application/json' },
      },
      (res) => {
        if (res.statusCode !== 200) reject(new Error(`status ${res.statusCode}`));
        let bytes = 0;
        res.on('data', (chunk: Buffer) => {
          bytes += chunk.length;
        });
        res.on('end', () => resolve(bytes));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify({ type: 'variance', filters }));
  });
}

/** Downloads the whole variance report while sampling memory. */
async function measuredDownload(format: 'csv' | 'xlsx', sampleMs: number) {
  // Warm up first (code compiled, statements prepared): a small export of the same report.
  await download(format, { category: 'Category 3' });
  const before = jsMemory();
  let peak = before;
  let samples = 0;
  const timer = setInterval(() => {
    peak = Math.max(peak, jsMemory());
    samples++;
  }, sampleMs);
  let bytes: number;
  try {
    bytes = await download(format, {});
  } finally {
    clearInterval(timer);
  }
  expect(samples).toBeGreaterThan(5);
  return { bytes, growth: peak - before };
}

describe('large exports', () => {
  it('streams a CSV many times larger than the memory it takes', async () => {
    const stats = t.services.reports.stats();
    const { bytes, growth } = await measuredDownload('csv', 20);
    // Every variance row was read (and the warm-up's Category 3, one item in 20).
    expect(t.services.reports.stats().rows_read - stats.rows_read).toBe(ITEMS + ITEMS / 20);
    expect(bytes).toBeGreaterThan(15_000_000);
    // Holding the file (or the rows) would grow memory by more than its size.
    expect(growth, `grew ${growth} bytes for a ${bytes}-byte file`).toBeLessThan(bytes / 3);
  }, 120_000);

  it('streams an XLSX within bounded memory', async () => {
    const { bytes, growth } = await measuredDownload('xlsx', 250);
    expect(bytes).toBeGreaterThan(3_000_000);
    // The XML behind the zip is ≈ 40 MB here. Without waiting for deflate, ≈ 60 MB of it was
    // held at the peak; bounded, the workbook writer, a 2 MB deflate backlog and one chunk stay.
    expect(growth, `grew ${growth} bytes for a ${bytes}-byte file`).toBeLessThan(16_000_000);
  }, 120_000);
});

describe('cancelled downloads', () => {
  it('stop reading from the store when the client disconnects', async () => {
    const before = t.services.reports.stats();
    const totalChunks = Math.ceil(ITEMS / CHUNK);
    const url = new URL(`${t.baseUrl}/api/reports/export/csv`);
    await new Promise<void>((resolve, reject) => {
      const req = http.request(
        url,
        {
          method: 'POST',
          headers: { authorization: `Bearer ${supervisor}`, 'content-type': 'application/json' },
        },
        (res) => {
          expect(res.statusCode).toBe(200);
          // Read one piece, then hang up while the server is still writing.
          res.once('data', () => {
            req.destroy();
            resolve();
          });
        },
      );
      req.on('error', (err) => {
        if ((err as NodeJS.ErrnoException).code !== 'ECONNRESET') reject(err);
      });
      req.end(JSON.stringify({ type: 'variance' }));
    });
    await expect
      .poll(() => t.services.reports.stats().aborted - before.aborted, { timeout: 10_000 })
      .toBe(1);
    const after = t.services.reports.stats();
    expect(after.finished).toBe(before.finished);
    const chunksRead = after.chunks_read - before.chunks_read;
    expect(chunksRead).toBeGreaterThan(0);
    expect(chunksRead, `read ${chunksRead} of ${totalChunks} chunks`).toBeLessThan(totalChunks / 2);
    // Nothing more is read once the export has stopped.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(t.services.reports.stats().chunks_read).toBe(after.chunks_read);
  }, 60_000);
});
