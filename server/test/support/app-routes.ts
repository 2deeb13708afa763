/**
 * The routes an app serves under /api, read from its Express router: `METHOD /api/path`, sorted.
 * The route-completeness tests (security-blind: every staff-reachable route has a probe; api-docs:
 * every route is documented) ask the app itself, so a new route cannot slip past them.
 */
import { pino } from 'pino';
import { createApp } from '../../src/app';
import type { TestApp } from './test-app';

interface Layer {
  rawPath?: string;
  route?: { path: string; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
}

export function apiRoutes(t: TestApp): string[] {
  const { app } = createApp({
    settings: t.settings,
    store: t.store,
    coordination: t.coordination,
    erp: t.erp,
    log: pino({ level: 'silent' }),
  });
  const out = new Set<string>();
  const walk = (stack: Layer[], prefix: string) => {
    for (const layer of stack) {
      if (layer.route) {
        for (const method of Object.keys(layer.route.methods))
          out.add(`${method.toUpperCase()} ${prefix}${layer.route.path}`);
      } else if (layer.handle?.stack) {
        const mount = !layer.rawPath || layer.rawPath === '/' ? '' : layer.rawPath;
        walk(layer.handle.stack, prefix + mount);
      }
    }
  };
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack, '');
  return [...out].filter((r) => r.split(' ')[1]!.startsWith('/api/')).sort();
}
