/** The PWA's end-to-end support: the shared real-server helpers plus a fresh PWA build. */
import { ensureBuilt } from '../../../shared/test-support/real-server';

export { apiClient, REPO_ROOT, startServer } from '../../../shared/test-support/real-server';
export type { RunningServer } from '../../../shared/test-support/real-server';

/** The tests drive the built app (service worker included); a stale build is rebuilt first. */
export function ensurePwaBuilt(): void {
  ensureBuilt('pwa', 'pwa/dist/index.html', ['pwa/src', 'shared/src', 'pwa/vite.config.ts']);
}
