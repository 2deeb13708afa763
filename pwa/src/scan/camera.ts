import { chooseDecoder } from './frame-decoders';
import { DECODE_INTERVAL_MS } from './timing';
import type { FrameDecoder } from './frame-decoders';

/** Frames wider than this are scaled down before decoding: enough pixels, less work. */
const MAX_DECODE_WIDTH = 1280;

export interface CameraSession {
  /** Which decoder reads the frames (zxing-wasm, or @zxing/browser as the fallback). */
  decoder: FrameDecoder['name'];
  torch: boolean;
  setTorch(on: boolean): Promise<void>;
  stop(): void;
}

let lastDecoder: FrameDecoder['name'] | null = null;

/** The decoder the camera used last on this page (shown in Settings), or null before any scan. */
export function cameraDecoderInUse(): FrameDecoder['name'] | null {
  return lastDecoder;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Opens the back camera (preferred, not required) into `video` and decodes a frame about every
 * 100 ms (issue #4), calling `onText` for each code read. The caller confirms reads (two identical
 * within 2 s) before accepting one.
 */
export async function startCamera(
  video: HTMLVideoElement,
  onText: (text: string) => void,
  decoder: Promise<FrameDecoder> = chooseDecoder(),
): Promise<CameraSession> {
  const stream = await navigator.mediaDevices.getUserMedia({
    audio: false,
    video: { facingMode: { ideal: 'environment' }, width: { ideal: 1280 }, height: { ideal: 720 } },
  });
  let stopped = false;
  const stop = () => {
    stopped = true;
    for (const track of stream.getTracks()) track.stop();
    if (video.srcObject === stream) video.srcObject = null;
  };
  try {
    const reader = await decoder;
    lastDecoder = reader.name;
    video.srcObject = stream;
    await video.play();
    const canvas = document.createElement('canvas');
    const context = canvas.getContext('2d', { willReadFrequently: true });
    if (!context) throw new Error('This browser cannot read camera frames.');
    const loop = async () => {
      while (!stopped) {
        const started = performance.now();
        if (video.readyState >= HTMLMediaElement.HAVE_CURRENT_DATA && video.videoWidth > 0) {
          const scale = Math.min(1, MAX_DECODE_WIDTH / video.videoWidth);
          canvas.width = Math.round(video.videoWidth * scale);
          canvas.height = Math.round(video.videoHeight * scale);
          context.drawImage(video, 0, 0, canvas.width, canvas.height);
          const text = await reader.decode(canvas);
          if (text && !stopped) onText(text);
        }
        await sleep(Math.max(0, DECODE_INTERVAL_MS - (performance.now() - started)));
      }
    };
    void loop();
    const track = stream.getVideoTracks()[0];
    const capabilities = track?.getCapabilities?.() as
      (MediaTrackCapabilities & { torch?: boolean }) | undefined;
    return {
      decoder: reader.name,
      torch: capabilities?.torch === true,
      async setTorch(on) {
        await track?.applyConstraints({ advanced: [{ torch: on } as MediaTrackConstraintSet] });
      },
      stop,
    };
  } catch (error) {
    stop();
    throw error;
  }
}
