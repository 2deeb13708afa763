/** The console's end-to-end support: the shared real-server helpers plus a fresh console build. */
import { ensureBuilt } from '../../../shared/test-support/real-server';

export { apiClient, startServer, waitFor } from '../../../shared/test-support/real-server';
export type { RunningServer } from '../../../shared/test-support/real-server';

/** CI builds before testing; locally a missing or stale console build is rebuilt here. */
export function ensureConsoleBuilt(): void {
  ensureBuilt('desktop', 'desktop/dist/renderer/index.html', [
    'desktop/src/renderer',
    'shared/src',
    'desktop/vite.config.ts',
  ]);
}
