import type { SyncEngine } from './sync-engine';

/** The foreground timer of design §5. */
export const SYNC_INTERVAL_MS = 30_000;

/** The browser events the engine listens to; `window` and `document` in the app. */
export interface SyncTriggerTarget {
  addEventListener(type: string, listener: () => void): void;
  removeEventListener(type: string, listener: () => void): void;
}

/**
 * Wires the sync moments of design §5: now (app start), `online`, the page becoming visible, and
 * every 30 s while visible. Background Sync is never relied on. Returns the detach function.
 */
export function attachSyncTriggers(
  engine: Pick<SyncEngine, 'syncNow'>,
  win: SyncTriggerTarget,
  doc: SyncTriggerTarget & { visibilityState: DocumentVisibilityState },
  intervalMs = SYNC_INTERVAL_MS,
): () => void {
  const onOnline = () => void engine.syncNow(true);
  const onVisibility = () => {
    if (doc.visibilityState === 'visible') void engine.syncNow(false);
  };
  const timer = setInterval(() => {
    if (doc.visibilityState === 'visible') void engine.syncNow(false);
  }, intervalMs);
  win.addEventListener('online', onOnline);
  doc.addEventListener('visibilitychange', onVisibility);
  void engine.syncNow(true);
  return () => {
    clearInterval(timer);
    win.removeEventListener('online', onOnline);
    doc.removeEventListener('visibilitychange', onVisibility);
  };
}
