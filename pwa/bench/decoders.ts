import { loadJsDecoder, loadWasmDecoder } from '../src/scan/frame-decoders';

/** A decoder under test: the app's own decoders, plus the browser's where it has one. */
export interface BenchDecoder {
  name: string;
  decode(canvas: HTMLCanvasElement): Promise<string | null>;
}

export const zxingJs = loadJsDecoder;
export const zxingWasm = loadWasmDecoder;

interface NativeDetector {
  detect(source: CanvasImageSource): Promise<Array<{ rawValue: string }>>;
}
interface NativeDetectorClass {
  new (options: { formats: string[] }): NativeDetector;
  getSupportedFormats(): Promise<string[]>;
}

/** The browser's own BarcodeDetector, where it exists (not in Chromium on Linux desktops). */
export async function nativeDetector(): Promise<BenchDecoder | null> {
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
