import type { RequestHandler } from 'express';
import helmet from 'helmet';

const helmetMiddleware = helmet({
  contentSecurityPolicy: {
    useDefaults: true,
    directives: {
      'default-src': ["'self'"],
      // The scanner decodes camera frames with zxing-cpp compiled to WebAssembly (same origin);
      // 'wasm-unsafe-eval' allows compiling WebAssembly and nothing else (no JS eval).
      'script-src': ["'self'", "'wasm-unsafe-eval'"],
      'style-src': ["'self'", "'unsafe-inline'"],
      'img-src': ["'self'", 'data:', 'blob:'],
      'media-src': ["'self'", 'blob:', 'mediastream:'],
      'connect-src': ["'self'"],
      'worker-src': ["'self'", 'blob:'],
      'manifest-src': ["'self'"],
      'frame-ancestors': ["'none'"],
    },
  },
  crossOriginEmbedderPolicy: false,
});

/**
 * The security headers every response carries, as name/value pairs: helmet's, with a CSP that
 * fits the PWA and console (same-origin API, camera video in blob:, service worker), plus a
 * Permissions-Policy keeping the camera allowed for our own origin only (DESIGN §6).
 * Computed once by running helmet against a recording response: none of them depend on the
 * request, and the lookup fast path must send exactly the same set.
 */
export const SECURITY_HEADERS: ReadonlyArray<readonly [string, string]> = (() => {
  const recorded = new Map<string, string>();
  const res = {
    setHeader(name: string, value: string | number | readonly string[]) {
      recorded.set(name, Array.isArray(value) ? value.join(', ') : String(value));
    },
    removeHeader(name: string) {
      recorded.delete(name);
    },
    getHeader: () => undefined,
  };
  let done = false;
  (
    helmetMiddleware as unknown as (req: object, res: object, next: (err?: unknown) => void) => void
  )({ headers: {}, method: 'GET', url: '/' }, res, (err?: unknown) => {
    if (err) throw err instanceof Error ? err : new Error(String(err));
    done = true;
  });
  if (!done) throw new Error('helmet did not finish synchronously');
  recorded.set(
    'Permissions-Policy',
    'camera=(self), microphone=(), geolocation=(), payment=(), usb=()',
  );
  return [...recorded.entries()];
})();

/** Sets SECURITY_HEADERS on every response. */
export function securityHeaders(): RequestHandler {
  return (_req, res, next) => {
    for (const [name, value] of SECURITY_HEADERS) res.setHeader(name, value);
    next();
  };
}
