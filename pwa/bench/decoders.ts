import { prepareZXingModule, readBarcodes } from 'zxing-wasm/reader';
import wasmUrl from 'zxing-wasm/reader/zxing_reader.wasm?url';
import { createReader } from '../src/scan/camera-decoder';

/** A decoder under test: one frame in, the text of the first code found (or null) out. */
export interface FrameDecoder {
  name: string;
  decode(canvas: HTMLCanvasElement): Promise<string | null>;
}

/** @zxing/browser with the app's settings (formats, no TRY_HARDER). */
export function zxingJs(): FrameDecoder {
  const reader = createReader();
  return {
    name: '@zxing/browser',
    async decode(canvas) {
      try {
        return reader.decodeFromCanvas(canvas).getText();
      } catch {
        return null;
      }
    },
  };
}

const WASM_FORMATS = [
  'EAN13',
  'EAN8',
  'UPCA',
  'UPCE',
  'Code128',
  'Code39',
  'Code93',
  'ITF',
  'Codabar',
  'QRCode',
  'DataMatrix',
] as const;

/** zxing-cpp compiled to WebAssembly (zxing-wasm), served from this origin. */
export async function zxingWasm(): Promise<FrameDecoder> {
  await prepareZXingModule({
    overrides: {
      locateFile: (path: string, prefix: string) =>
        path.endsWith('.wasm') ? wasmUrl : prefix + path,
    },
    fireImmediately: true,
  });
  return {
    name: 'zxing-wasm (zxing-cpp)',
    async decode(canvas) {
      const context = canvas.getContext('2d', { willReadFrequently: true })!;
      const image = context.getImageData(0, 0, canvas.width, canvas.height);
      const results = await readBarcodes(image, {
        formats: [...WASM_FORMATS],
        maxNumberOfSymbols: 1,
        tryHarder: true,
        textMode: 'Plain',
      });
      return results[0]?.text ?? null;
    },
  };
}

interface NativeDetector {
  detect(source: CanvasImageSource): Promise<Array<{ rawValue: string }>>;
}
interface NativeDetectorClass {
  new (options: { formats: string[] }): NativeDetector;
  getSupportedFormats(): Promise<string[]>;
}

/** The browser's own BarcodeDetector, where it exists (not in Chromium on Linux desktops). */
export async function nativeDetector(): Promise<FrameDecoder | null> {
  const Detector = (globalThis as { BarcodeDetector?: NativeDetectorClass }).BarcodeDetector;
  if (!Detector) return null;
  const formats = await Detector.getSupportedFormats();
  if (formats.length === 0) return null;
  const detector = new Detector({ formats });
  return {
    name: 'BarcodeDetector (native)',
    async decode(canvas) {
      return (await detector.detect(canvas))[0]?.rawValue ?? null;
    },
  };
}
