import { BrowserMultiFormatReader } from '@zxing/browser';
import { BarcodeFormat, DecodeHintType } from '@zxing/library';
import { DECODE_INTERVAL_MS } from './timing';

/** The symbologies a warehouse meets (issue #4). Fewer formats = faster decode per frame. */
export const SCAN_FORMATS = [
  BarcodeFormat.EAN_13,
  BarcodeFormat.EAN_8,
  BarcodeFormat.UPC_A,
  BarcodeFormat.UPC_E,
  BarcodeFormat.CODE_128,
  BarcodeFormat.CODE_39,
  BarcodeFormat.CODE_93,
  BarcodeFormat.ITF,
  BarcodeFormat.CODABAR,
  BarcodeFormat.QR_CODE,
  BarcodeFormat.DATA_MATRIX,
];

/** The @zxing/browser reader with our formats and timing (the fallback decoder). */
export function createReader(): BrowserMultiFormatReader {
  const hints = new Map<DecodeHintType, unknown>([[DecodeHintType.POSSIBLE_FORMATS, SCAN_FORMATS]]);
  return new BrowserMultiFormatReader(hints, {
    delayBetweenScanAttempts: DECODE_INTERVAL_MS,
    delayBetweenScanSuccess: DECODE_INTERVAL_MS,
  });
}
