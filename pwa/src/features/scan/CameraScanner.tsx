import { useEffect, useRef, useState } from 'react';
import { startCamera } from '../../scan/camera';
import type { CameraSession } from '../../scan/camera';
import { cameraFailure } from '../../scan/camera-failure';
import type { CameraFailure } from '../../scan/camera-failure';

const FAILURE_TEXT: Record<CameraFailure, string> = {
  permission_denied:
    'Camera permission was refused. Allow the camera for this site in the browser settings (the lock icon next to the address), or use a scanner or type the code.',
  no_camera: 'No camera was found on this device. Use a scanner or type the code.',
  insecure:
    'The camera only works over HTTPS. Open Stock Verify with the https:// address your supervisor gave you.',
  other: 'The camera could not be started. Close other apps using it and try again.',
};

/** The live camera view: decodes continuously, hands every read to `onRead`. */
export function CameraScanner({ onRead }: { onRead: (text: string) => void }) {
  const video = useRef<HTMLVideoElement>(null);
  const session = useRef<CameraSession | null>(null);
  const handler = useRef(onRead);
  handler.current = onRead;
  const [state, setState] = useState<'starting' | 'running' | CameraFailure>('starting');
  const [torchAvailable, setTorchAvailable] = useState(false);
  const [torchOn, setTorchOn] = useState(false);
  const [decoder, setDecoder] = useState<string | null>(null);

  useEffect(() => {
    let cancelled = false;
    const element = video.current;
    if (!element) return;
    // Started a tick later: a mount that is undone at once (React StrictMode, a quick double tap)
    // never opens the camera, so two decoders never fight over one <video>.
    const timer = setTimeout(() => {
      // The decoders are the biggest part of the app: loaded (from the precache) on first use.
      startCamera(element, (text) => handler.current(text)).then(
        (started) => {
          if (cancelled) {
            started.stop();
            return;
          }
          session.current = started;
          setDecoder(started.decoder);
          setTorchAvailable(started.torch);
          setState('running');
        },
        (error: unknown) => {
          if (!cancelled) setState(cameraFailure(error));
        },
      );
    }, 0);
    return () => {
      cancelled = true;
      clearTimeout(timer);
      session.current?.stop();
      session.current = null;
    };
  }, []);

  async function toggleTorch() {
    const next = !torchOn;
    await session.current?.setTorch(next);
    setTorchOn(next);
  }

  const failed = state !== 'starting' && state !== 'running';
  return (
    <div className="camera" aria-label="Camera scanner">
      <video ref={video} muted playsInline aria-label="Camera view" hidden={failed} />
      {state === 'starting' && <p role="status">Starting the camera…</p>}
      {state === 'running' && (
        <p role="status" className="muted" data-decoder={decoder ?? undefined}>
          Point the camera at a barcode.
        </p>
      )}
      {failed && (
        <p role="alert" className="error" data-camera-state={state}>
          {FAILURE_TEXT[state]}
        </p>
      )}
      {torchAvailable && (
        <button
          type="button"
          className="secondary"
          aria-pressed={torchOn}
          onClick={() => void toggleTorch()}
        >
          {torchOn ? 'Torch off' : 'Torch on'}
        </button>
      )}
    </div>
  );
}
