import type {
  Platform,
  PlatformNotification,
  SaveFileRequest,
  SaveFileResult,
  SecretKey,
} from '@stockverify/shared';
import type { PlatformBridge } from '../ipc/bridge';

declare global {
  interface Window {
    /** Present only inside Electron (set by the preload); the console must work without it. */
    platform?: PlatformBridge;
  }
}

declare const __APP_VERSION__: string;

const MIME: Record<SaveFileRequest['kind'], string> = {
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  csv: 'text/csv;charset=utf-8',
};

/**
 * The console in a plain browser (served by the server at /console, or in tests): files are
 * downloads, and secrets are never persisted (a browser offers no OS-encrypted store), so a
 * reload asks for the password again.
 */
export function createBrowserPlatform(win: Window = window): Platform {
  const memory = new Map<SecretKey, string>();
  return {
    kind: 'browser',
    appVersion: async () => (typeof __APP_VERSION__ === 'string' ? __APP_VERSION__ : 'dev'),
    async saveFile(request: SaveFileRequest): Promise<SaveFileResult> {
      const blob = new Blob([request.bytes as Uint8Array<ArrayBuffer>], {
        type: MIME[request.kind],
      });
      const url = URL.createObjectURL(blob);
      const anchor = win.document.createElement('a');
      anchor.href = url;
      anchor.download = request.suggestedName;
      anchor.rel = 'noopener';
      win.document.body.append(anchor);
      anchor.click();
      anchor.remove();
      // The download has started from the URL; keep it alive a little for slow browsers.
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
      return { saved: true, path: null };
    },
    secrets: {
      canPersist: async () => false,
      get: async (key) => memory.get(key) ?? null,
      set: async (key, value) => {
        memory.set(key, value);
      },
      delete: async (key) => {
        memory.delete(key);
      },
    },
    async notify({ title, body }: PlatformNotification): Promise<boolean> {
      const Notify = (win as Window & { Notification?: typeof Notification }).Notification;
      if (Notify === undefined || Notify.permission !== 'granted') return false;
      new Notify(title, { body: body ?? '' });
      return true;
    },
  };
}

let current: Platform | null = null;

/** The Electron bridge when the preload set one, otherwise the browser platform. */
export function getPlatform(): Platform {
  current ??= window.platform ?? createBrowserPlatform();
  return current;
}
