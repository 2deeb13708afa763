/**
 * Runs inside Chromium (served by Vite) with the app's own modules; `pwa.bench.ts` drives it.
 * Every figure is measured here with `performance.now()`.
 */
import { DeviceDb } from '../src/db/device-db';
import { ItemDb } from '../src/db/item-db';
import { refreshCatalog } from '../src/items/item-cache';
import { lookupItem } from '../src/items/lookup';
import { Outbox } from '../src/outbox/outbox';
import { startCamera } from '../src/scan/camera';
import { classifyScan } from '../src/scan/classify';
import { ReadConfirmer } from '../src/scan/read-confirm';
import { nativeDetector, zxingJs, zxingWasm } from './decoders';
import type { BenchDecoder } from './decoders';

export interface FrameImage {
  name: string;
  dataUrl: string;
  expected: string;
}

async function frameCanvas(image: FrameImage): Promise<HTMLCanvasElement> {
  const img = new Image();
  img.src = image.dataUrl;
  await img.decode();
  // A camera-like 640×480 frame with the code in the middle.
  const canvas = document.createElement('canvas');
  canvas.width = 640;
  canvas.height = 480;
  const context = canvas.getContext('2d', { willReadFrequently: true })!;
  context.fillStyle = '#fff';
  context.fillRect(0, 0, 640, 480);
  const scale = Math.min(1, 560 / img.width, 420 / img.height);
  const w = img.width * scale;
  const h = img.height * scale;
  context.drawImage(img, (640 - w) / 2, (480 - h) / 2, w, h);
  return canvas;
}

async function decoders(): Promise<BenchDecoder[]> {
  const list: BenchDecoder[] = [await zxingJs(), await zxingWasm()];
  const native = await nativeDetector();
  if (native) list.push(native);
  return list;
}

const api = {
  /** Decode time per frame for every decoder and image, and whether it read the right text. */
  async decodeFrames(images: FrameImage[], runs: number) {
    const canvases = await Promise.all(images.map(frameCanvas));
    const out: Array<{ decoder: string; image: string; times: number[]; correct: number }> = [];
    for (const decoder of await decoders()) {
      for (const [i, image] of images.entries()) {
        const times: number[] = [];
        let correct = 0;
        await decoder.decode(canvases[i]!); // warm-up (JIT, wasm instantiation)
        for (let r = 0; r < runs; r += 1) {
          const start = performance.now();
          const text = await decoder.decode(canvases[i]!);
          times.push(performance.now() - start);
          if (text !== null && text.split('\u001d').join('') === image.expected) correct += 1;
        }
        out.push({ decoder: decoder.name, image: image.name, times, correct });
      }
    }
    return {
      out,
      native: (await nativeDetector()) !== null,
      userAgent: navigator.userAgent,
    };
  },

  /** The whole item master into a fresh Dexie database, as the phone downloads it. */
  async downloadCatalog(token: string) {
    const db = new ItemDb(`bench-items-${crypto.randomUUID()}`);
    await db.open();
    const start = performance.now();
    const result = await refreshCatalog(
      db,
      () =>
        fetch('/api/items/export?format=ndjson', { headers: { Authorization: `Bearer ${token}` } }),
      'WH-MAIN',
    );
    const ms = performance.now() - start;
    (window as unknown as { benchDb: ItemDb }).benchDb = db;
    return { ms, items: result.written };
  },

  /** Offline lookups of random known codes in the downloaded cache. */
  async lookups(n: number) {
    const db = (window as unknown as { benchDb: ItemDb }).benchDb;
    const sample = await db.items.limit(5000).toArray();
    const times: number[] = [];
    for (let i = 0; i < n; i += 1) {
      const item = sample[Math.floor(Math.random() * sample.length)]!;
      const code = item.codes[item.codes.length - 1]!;
      const start = performance.now();
      const found = await lookupItem(db, classifyScan(code) as never, null);
      times.push(performance.now() - start);
      if (found.kind !== 'found') throw new Error(`lookup of ${code} failed`);
    }
    return times;
  },

  /** Outbox writes with strict durability, one transaction each, as the count form saves. */
  async outboxWrites(n: number) {
    const db = new DeviceDb(`bench-device-${crypto.randomUUID()}`);
    await db.open();
    const outbox = new Outbox(db);
    const times: number[] = [];
    for (let i = 0; i < n; i += 1) {
      const start = performance.now();
      await outbox.enqueue({
        userId: 'bench',
        summary: `item ${i}`,
        record: {
          op_id: crypto.randomUUID(),
          type: 'count',
          session_id: 'S1',
          rack: 'A-01',
          item_code: `ITEM-${i}`,
          barcode: null,
          counted_qty: 7,
          damaged_qty: 0,
          non_returnable_damaged_qty: 0,
          serials: [],
          photo_ids: [],
          condition: 'good',
          variance_confirmed: false,
          fencing_token: 1,
          counted_at: new Date().toISOString(),
        },
      });
      times.push(performance.now() - start);
    }
    return times;
  },

  /**
   * Scan-to-result with the fake camera: the video alternates blank frames and the barcode. For
   * each appearance of the code: frame presented → two identical reads → offline lookup → item
   * name on screen (next animation frame).
   */
  async scanToResult(samples: number) {
    const video = document.getElementById('camera') as HTMLVideoElement;
    const label = document.getElementById('item')!;
    const db = (window as unknown as { benchDb: ItemDb }).benchDb;
    const probe = document.createElement('canvas');
    probe.width = 64;
    probe.height = 48;
    const probeContext = probe.getContext('2d', { willReadFrequently: true })!;
    const times: number[] = [];
    let shownAt: number | null = null;
    let waiting = false;
    const confirmer = new ReadConfirmer({ required: 2, windowMs: 2000, cooldownMs: 0 });
    return new Promise<number[]>((resolve, reject) => {
      const timeout = setTimeout(() => reject(new Error(`only ${times.length} samples`)), 120_000);
      const onFrame = (now: number) => {
        probeContext.drawImage(video, 0, 0, 64, 48);
        const { data } = probeContext.getImageData(0, 20, 64, 8);
        let dark = 0;
        for (let i = 0; i < data.length; i += 4) if (data[i]! < 100) dark += 1;
        if (dark > 20 && shownAt === null) {
          shownAt = now;
          waiting = true;
        } else if (dark <= 20) {
          shownAt = null;
          confirmer.reset();
        }
        video.requestVideoFrameCallback(onFrame);
      };
      startCamera(video, async (text) => {
        if (!waiting || shownAt === null) return;
        if (confirmer.offer(text, performance.now()) === null) return;
        waiting = false;
        const since = shownAt;
        const found = await lookupItem(db, classifyScan(text) as never, null);
        label.textContent = found.kind === 'found' ? found.item.name : 'unknown';
        await new Promise((r) => requestAnimationFrame(r));
        times.push(performance.now() - since);
        if (times.length >= samples) {
          clearTimeout(timeout);
          resolve(times);
        }
      }).then(() => video.requestVideoFrameCallback(onFrame), reject);
    });
  },
};

(window as unknown as { bench: typeof api }).bench = api;
export type BenchApi = typeof api;
