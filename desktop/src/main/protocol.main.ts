import { readFile as fsReadFile } from 'node:fs/promises';
import { extname, isAbsolute, relative, resolve, sep } from 'node:path';

export const APP_SCHEME = 'app';
export const RENDERER_HOST = 'renderer';

/** Registered before `ready`: a standard, secure scheme so the renderer gets a real origin. */
export const APP_SCHEME_PRIVILEGES = {
  scheme: APP_SCHEME,
  privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true },
};

/** The renderer's policy: only its own code; it may call any http(s) server the user configures. */
export const RENDERER_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "font-src 'self'",
  "connect-src 'self' http: https:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-src 'none'",
  "frame-ancestors 'none'",
].join('; ');

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

export type RendererPath =
  { kind: 'file'; path: string } | { kind: 'not-found' } | { kind: 'forbidden' };

/**
 * Maps an `app://renderer/...` URL to a file inside `root`. Anything that decodes to a path
 * outside `root` (`..`, `%2e%2e`, `%2f`, backslashes, NUL) is forbidden; other hosts are not found.
 */
export function resolveRendererPath(url: string, root: string): RendererPath {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { kind: 'not-found' };
  }
  if (parsed.protocol !== `${APP_SCHEME}:` || parsed.host.toLowerCase() !== RENDERER_HOST) {
    return { kind: 'not-found' };
  }
  let decoded: string;
  try {
    decoded = decodeURIComponent(parsed.pathname);
  } catch {
    return { kind: 'forbidden' };
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return { kind: 'forbidden' };
  const wanted = decoded.replace(/^\/+/, '') || 'index.html';
  const absoluteRoot = resolve(root);
  const file = resolve(absoluteRoot, wanted);
  const inside = relative(absoluteRoot, file);
  if (inside === '' || inside === '..' || inside.startsWith(`..${sep}`) || isAbsolute(inside)) {
    return { kind: 'forbidden' };
  }
  return { kind: 'file', path: file };
}

export interface RendererProtocolOptions {
  /** Directory holding the built renderer (index.html, assets/). */
  root: string;
  /** Injected for tests; defaults to fs.readFile. */
  readFile?: (path: string) => Promise<Uint8Array>;
}

function textResponse(status: number, text: string): Response {
  return new Response(text, {
    status,
    headers: { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' },
  });
}

function fileResponse(path: string, body: Uint8Array, method: string): Response {
  const type = CONTENT_TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream';
  const headers: Record<string, string> = {
    'Content-Type': type,
    'X-Content-Type-Options': 'nosniff',
    'Cache-Control': 'no-cache',
  };
  if (type.startsWith('text/html')) headers['Content-Security-Policy'] = RENDERER_CSP;
  return new Response(method === 'HEAD' ? null : new Uint8Array(body), { status: 200, headers });
}

/** Builds the `protocol.handle('app', …)` handler that serves the renderer from `root`. */
export function createRendererProtocolHandler(
  options: RendererProtocolOptions,
): (request: Request) => Promise<Response> {
  const readFile = options.readFile ?? fsReadFile;
  return async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      return textResponse(405, 'Method not allowed');
    }
    const target = resolveRendererPath(request.url, options.root);
    if (target.kind === 'forbidden') return textResponse(403, 'Forbidden');
    if (target.kind === 'not-found') return textResponse(404, 'Not found');
    try {
      return fileResponse(target.path, await readFile(target.path), request.method);
    } catch {
      return textResponse(404, 'Not found');
    }
  };
}
