/** Why the camera could not start, so the screen can say what to do. */
export type CameraFailure = 'permission_denied' | 'no_camera' | 'insecure' | 'other';

/** Names a `getUserMedia` failure so the screen can say what to do. */
export function cameraFailure(error: unknown): CameraFailure {
  if (!window.isSecureContext) return 'insecure';
  const name = error instanceof DOMException || error instanceof Error ? error.name : '';
  if (name === 'NotAllowedError' || name === 'SecurityError') return 'permission_denied';
  if (name === 'NotFoundError' || name === 'OverconstrainedError') return 'no_camera';
  return 'other';
}
