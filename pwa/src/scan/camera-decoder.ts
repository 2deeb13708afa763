import { BrowserMultiFormatReader } from '@zxing/browser';
import type { IScannerControls } from '@zxing/browser';
import { BarcodeFormat, DecodeHintType } from '@zxing/library';

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

/** STYLE "Pitfalls": @zxing/browser waits 500 ms between attempts by default; we want ~100 ms. */
export const DECODE_INTERVAL_MS = 100;

/** A reader with our formats and timing; also used by the decode benchmark. */
export function createReader(): BrowserMultiFormatReader {
  const hints = new Map<DecodeHintType, unknown>([[DecodeHintType.POSSIBLE_FORMATS, SCAN_FORMATS]]);
  return new BrowserMultiFormatReader(hints, {
    delayBetweenScanAttempts: DECODE_INTERVAL_MS,
    delayBetweenScanSuccess: DECODE_INTERVAL_MS,
  });
}

/** Whether the camera track offers a torch (Chrome on Android does; desktops rarely). */
function torchSupported(controls: IScannerControls): boolean {
  try {
    const capabilities = controls.streamVideoCapabilitiesGet?.((track) => [track]) as
      (MediaTrackCapabilities & { torch?: boolean }) | undefined;
    return capabilities?.torch === true && typeof controls.switchTorch === 'function';
  } catch {
    return false;
  }
}

export interface CameraSession {
  controls: IScannerControls;
  torch: boolean;
}

/**
 * Starts the back camera (preferred, not required) into `video` and calls `onText` for every
 * decoded frame. The caller confirms reads (two identical within 2 s) before accepting.
 */
export async function startCamera(
  video: HTMLVideoElement,
  onText: (text: string) => void,
): Promise<CameraSession> {
  const reader = createReader();
  const controls = await reader.decodeFromConstraints(
    { audio: false, video: { facingMode: { ideal: 'environment' } } },
    video,
    (result) => {
      if (result) onText(result.getText());
    },
  );
  return { controls, torch: torchSupported(controls) };
}
