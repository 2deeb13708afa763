/**
 * PWA benchmarks (issue #4), in headless Chromium against a real server, printed as tables and
 * written to `bench/results/`:
 *   - decode time per frame: @zxing/browser vs zxing-wasm (and the native BarcodeDetector where
 *     Chromium has one) over EAN-13, Code128, QR and GS1 DataMatrix frames;
 *   - item-master download of 50,000 items into Dexie; offline lookup; strict outbox write;
 *   - scan-to-result from Chromium's fake camera (frame shown → item on screen).
 * Run: `npm run bench:pwa` (loopback only; about two minutes).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import bwipjs from 'bwip-js/node';
import { chromium } from 'playwright-core';
import { createServer } from 'vite';
import { renderBarcode, writeBarcodeY4m } from '../test/support/barcode-video';
import { apiClient, REPO_ROOT, startServer } from '../test/e2e/server';
import type { BenchApi, FrameImage } from './harness';

const ITEMS = Number(process.env.BENCH_ITEMS ?? 50_000);
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}
const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;

async function png(bcid: string, text: string): Promise<string> {
  const linear = !bcid.includes('matrix') && bcid !== 'qrcode';
  const buffer = await bwipjs.toBuffer({
    bcid,
    text,
    scale: 3,
    ...(linear ? { height: 18 } : {}),
    backgroundcolor: 'FFFFFF',
    paddingwidth: 10,
    paddingheight: 10,
  });
  return `data:image/png;base64,${buffer.toString('base64')}`;
}

async function main() {
  const started = Date.now();
  console.log(`starting the server with ${ITEMS} demo items…`);
  const server = await startServer({ DEMO_ITEM_COUNT: String(ITEMS) });
  const api = apiClient(server.url);
  const admin = await api.login('admin', server.adminPassword);
  for (let i = 0; ; i += 1) {
    const status = await api.call<{ item_count: number; last_success_at: string | null }>(
      'GET',
      '/erp/status',
      admin,
    );
    if (status.last_success_at && status.item_count >= ITEMS) break;
    if (i > 600) throw new Error('the item master was not mirrored in 2 minutes');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const exported = await api.call<{
    items: Array<{ name: string; barcodes: Array<{ code: string }> }>;
  }>('GET', '/items/export?format=json&limit=200', admin);
  const item = exported.items.find((i) => /^\d{13}$/.test(i.barcodes[0]?.code ?? ''))!;
  const ean = item.barcodes[0]!.code;

  const gs1 = '(01)04006381333931(10)LOT42(17)271231(21)SN-9';
  const images: FrameImage[] = [
    { name: 'EAN-13', dataUrl: await png('ean13', ean), expected: ean },
    {
      name: 'Code128',
      dataUrl: await png('code128', 'SV-ITEM-004211'),
      expected: 'SV-ITEM-004211',
    },
    {
      name: 'QR',
      dataUrl: await png('qrcode', 'LOC-WH-MAIN-A-01'),
      expected: 'LOC-WH-MAIN-A-01',
    },
    {
      name: 'DataMatrix (GS1)',
      dataUrl: await png('gs1datamatrix', gs1),
      expected: '010400638133393110LOT4217271231' + '21SN-9',
    },
  ];

  const tmp = mkdtempSync(path.join(tmpdir(), 'sv-bench-'));
  const video = path.join(tmp, 'scan.y4m');
  await writeBarcodeY4m(video, await renderBarcode('ean13', ean), {
    frames: 30,
    blankFrames: 15,
    fps: 10,
  });

  const vite = await createServer({
    configFile: path.join(REPO_ROOT, 'pwa/vite.config.ts'),
    root: path.join(REPO_ROOT, 'pwa'),
    logLevel: 'warn',
    server: { host: '127.0.0.1', port: 0, proxy: { '/api': server.url } },
  });
  await vite.listen();
  const address = vite.httpServer?.address();
  const viteUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;

  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--use-fake-ui-for-media-stream',
      '--use-fake-device-for-media-stream',
      `--use-file-for-fake-video-capture=${video}`,
    ],
  });
  try {
    const page = await browser.newPage();
    await page.goto(`${viteUrl}/bench/harness.html`);
    await page.waitForFunction(() => 'bench' in window, null, { timeout: 60_000 });
    const bench = {
      call: <K extends keyof BenchApi>(name: K, ...args: Parameters<BenchApi[K]>) =>
        page.evaluate(
          ([n, a]) =>
            (window as unknown as { bench: Record<string, (...x: unknown[]) => unknown> }).bench[
              n
            ]!(...a),
          [name, args] as const,
        ) as Promise<Awaited<ReturnType<BenchApi[K]>>>,
    };

    console.log('decoding frames…');
    const decode = await bench.call('decodeFrames', images, 40);
    console.log('downloading the item master into Dexie…');
    const download = await bench.call('downloadCatalog', admin);
    console.log('offline lookups and outbox writes…');
    const lookups = await bench.call('lookups', 1000);
    const writes = await bench.call('outboxWrites', 300);
    console.log('scan-to-result with the fake camera…');
    const scans = await bench.call('scanToResult', 12);

    const decodeRows = decode.out.map((r) => ({
      decoder: r.decoder,
      symbol: r.image,
      'read ok': `${r.correct}/${r.times.length}`,
      'p50 ms': round(percentile(r.times, 50)),
      'p95 ms': round(percentile(r.times, 95)),
    }));
    const flowRows = [
      {
        measure: `item master download (${download.items} items → Dexie)`,
        result: `${round(download.ms / 1000, 2)} s`,
        goal: '≤ 10 s',
      },
      {
        measure: 'offline lookup p50 / p95',
        result: `${round(percentile(lookups, 50), 2)} / ${round(percentile(lookups, 95), 2)} ms`,
        goal: 'p95 ≤ 20 ms',
      },
      {
        measure: 'outbox write, strict durability, p50 / p95',
        result: `${round(percentile(writes, 50), 2)} / ${round(percentile(writes, 95), 2)} ms`,
        goal: 'p95 ≤ 100 ms',
      },
      {
        measure: 'scan-to-result, fake camera, p50 / p95',
        result: `${round(percentile(scans, 50))} / ${round(percentile(scans, 95))} ms (n=${scans.length})`,
        goal: 'p95 ≤ 600 ms',
      },
    ];
    console.log(
      `\nDecode time per 640×480 frame (${decode.userAgent.match(/Chrome\/[\d.]+/)?.[0]}; native BarcodeDetector: ${decode.native ? 'yes' : 'not available'})`,
    );
    console.table(decodeRows);
    console.log('\nPhone flows in Chromium');
    console.table(flowRows);
    const results = path.join(REPO_ROOT, 'pwa/bench/results');
    mkdirSync(results, { recursive: true });
    const file = path.join(results, `pwa-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
    writeFileSync(
      file,
      JSON.stringify(
        {
          date: new Date().toISOString(),
          machine: { cpus: cpus().length, model: cpus()[0]?.model, node: process.version },
          items: ITEMS,
          decode: decodeRows,
          flows: flowRows,
          raw: { lookups, writes, scans, download },
        },
        null,
        2,
      ),
    );
    console.log(
      `\nwritten ${path.relative(REPO_ROOT, file)} in ${round((Date.now() - started) / 1000)} s`,
    );
  } finally {
    await browser.close();
    await vite.close();
    await server.stop();
    rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
