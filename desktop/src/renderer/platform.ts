import type { PlatformBridge } from '../preload/bridge.preload';

declare global {
  interface Window {
    /** Present only inside Electron (set by the preload); the console must work without it. */
    platform?: PlatformBridge;
  }
}

/** The native bridge when running in Electron, or null in a plain browser. */
export function nativePlatform(): PlatformBridge | null {
  return window.platform ?? null;
}
