import type { RequestHandler } from 'express';
import helmet from 'helmet';

const CSP_DIRECTIVES = {
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
};

/**
 * helmet configured for a server that does (tls) or does not serve HTTPS itself. Over plain HTTP
 * `upgrade-insecure-requests` and HSTS are left out: with them a browser on any host name other
 * than localhost fetches every script and stylesheet over https:// and shows a blank page (#11).
 */
function helmetFor(tls: boolean) {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: true,
      directives: tls ? CSP_DIRECTIVES : { ...CSP_DIRECTIVES, 'upgrade-insecure-requests': null },
    },
    strictTransportSecurity: tls,
    crossOriginEmbedderPolicy: false,
  });
}

function record(tls: boolean): ReadonlyArray<readonly [string, string]> {
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
  (helmetFor(tls) as unknown as (req: object, res: object, next: (err?: unknown) => void) => void)(
    { headers: {}, method: 'GET', url: '/' },
    res,
    (err?: unknown) => {
      if (err) throw err instanceof Error ? err : new Error(String(err));
      done = true;
    },
  );
  if (!done) throw new Error('helmet did not finish synchronously');
  recorded.set(
    'Permissions-Policy',
    'camera=(self), microphone=(), geolocation=(), payment=(), usb=()',
  );
  return [...recorded.entries()];
}

const computed = new Map<boolean, ReadonlyArray<readonly [string, string]>>();

/**
 * The security headers every response carries, as name/value pairs: helmet's, with a CSP that
 * fits the PWA and console (same-origin API, camera video in blob:, service worker), plus a
 * Permissions-Policy keeping the camera allowed for our own origin only (design §6).
 * `tls` is whether this server itself serves HTTPS: only then are `upgrade-insecure-requests`
 * and Strict-Transport-Security sent. Computed once per mode by running helmet against a
 * recording response: none of them depend on the request, and the lookup fast path must send
 * exactly the same set.
 */
export function securityHeaderPairs(tls: boolean): ReadonlyArray<readonly [string, string]> {
  let pairs = computed.get(tls);
  if (!pairs) {
    pairs = record(tls);
    computed.set(tls, pairs);
  }
  return pairs;
}

/** Sets securityHeaderPairs(tls) on every response. */
export function securityHeaders(tls: boolean): RequestHandler {
  const pairs = securityHeaderPairs(tls);
  return (_req, res, next) => {
    for (const [name, value] of pairs) res.setHeader(name, value);
    next();
  };
}
