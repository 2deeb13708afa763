/**
 * The fallback decoder's library, pinned to a release that supports Node 20 (@zxing/library
 * 0.21.3 with @zxing/browser 0.1.5; 0.22+ declares Node 24 and warned at every install): it still
 * decodes what a warehouse scans, with the scanner's own format hints (SCAN_FORMATS).
 */
import {
  BinaryBitmap,
  DecodeHintType,
  HybridBinarizer,
  MultiFormatReader,
  RGBLuminanceSource,
} from '@zxing/library';
import { describe, expect, it } from 'vitest';
import { SCAN_FORMATS } from '../src/scan/camera-decoder';
import { renderBarcode } from './support/barcode-video';

async function decode(bcid: string, text: string): Promise<string> {
  const image = await renderBarcode(bcid, text);
  // Grey levels, as the browser reader gets them from a canvas.
  const luminance = new Uint8ClampedArray(image.width * image.height);
  for (let i = 0; i < luminance.length; i++) {
    const alpha = image.data[i * 4 + 3]! / 255;
    const grey = (image.data[i * 4]! + image.data[i * 4 + 1]! + image.data[i * 4 + 2]!) / 3;
    luminance[i] = Math.round(grey * alpha + 255 * (1 - alpha));
  }
  const source = new RGBLuminanceSource(luminance, image.width, image.height);
  const reader = new MultiFormatReader();
  const hints = new Map<DecodeHintType, unknown>([
    [DecodeHintType.POSSIBLE_FORMATS, SCAN_FORMATS],
    [DecodeHintType.TRY_HARDER, true],
  ]);
  return reader.decode(new BinaryBitmap(new HybridBinarizer(source)), hints).getText();
}

describe('@zxing/library fallback decoder', () => {
  it.each([
    ['ean13', '4006381333931'],
    ['code128', 'RACK-A-01'],
    ['qrcode', 'ITEM-00042'],
    ['datamatrix', '(01)09506000134352(17)261231(10)LOT7'],
  ])('decodes %s', async (bcid, text) => {
    const decoded = await decode(bcid, text);
    if (bcid === 'datamatrix') expect(decoded).toContain('09506000134352');
    else expect(decoded).toBe(text);
  });
});
