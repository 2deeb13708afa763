import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { RENDERER_CSP, createRendererProtocolHandler, resolveRendererPath } from './protocol.main';

let base: string;
let root: string;

beforeAll(() => {
  // <base>/secret.txt sits next to the renderer root, where a traversal would land.
  base = mkdtempSync(join(tmpdir(), 'sv-protocol-'));
  root = join(base, 'renderer');
  mkdirSync(join(root, 'assets'), { recursive: true });
  writeFileSync(join(base, 'secret.txt'), 'TOP SECRET');
  writeFileSync(join(root, 'index.html'), '<!doctype html><title>console</title>');
  writeFileSync(join(root, 'assets', 'app.js'), 'console.log("hi")');
});

afterAll(() => {
  rmSync(base, { recursive: true, force: true });
});

function handler() {
  const spy = vi.fn((path: string) => readFile(path));
  return { handle: createRendererProtocolHandler({ root, readFile: spy }), readFile: spy };
}

describe('renderer protocol handler', () => {
  it('serves index.html for the root with the renderer CSP', async () => {
    const response = await handler().handle(new Request('app://renderer/'));
    expect(response.status).toBe(200);
    expect(response.headers.get('Content-Type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('Content-Security-Policy')).toBe(RENDERER_CSP);
    expect(await response.text()).toContain('<title>console</title>');
  });

  it('serves assets with their content type and nosniff', async () => {
    const response = await handler().handle(new Request('app://renderer/assets/app.js'));
    expect(response.status).toBe(200);
    expect(response.headers.get('Content-Type')).toBe('text/javascript; charset=utf-8');
    expect(response.headers.get('X-Content-Type-Options')).toBe('nosniff');
    expect(await response.text()).toBe('console.log("hi")');
  });

  it('answers 404 for a missing file and for another host', async () => {
    const { handle } = handler();
    expect((await handle(new Request('app://renderer/nope.js'))).status).toBe(404);
    expect((await handle(new Request('app://other/index.html'))).status).toBe(404);
  });

  it('refuses methods other than GET and HEAD', async () => {
    const { handle } = handler();
    const response = await handle(new Request('app://renderer/', { method: 'POST', body: 'x' }));
    expect(response.status).toBe(405);
  });

  it.each([
    'app://renderer/../../etc/passwd',
    'app://renderer/../secret.txt',
    'app://renderer/%2e%2e/secret.txt',
    'app://renderer/%2E%2E/%2E%2E/etc/passwd',
    'app://renderer/..%2fsecret.txt',
    'app://renderer/%2e%2e%2fsecret.txt',
    'app://renderer/assets/%2e%2e%2f%2e%2e%2fsecret.txt',
    'app://renderer/..%5csecret.txt',
    'app://renderer/%00index.html',
    'app://renderer/%E0%A4%A',
  ])('never serves anything outside the root for %s', async (url) => {
    const { handle, readFile: spy } = handler();
    const response = await handle(new Request(url));

    expect([403, 404]).toContain(response.status);
    expect(await response.text()).not.toContain('TOP SECRET');
    for (const [path] of spy.mock.calls) expect(path.startsWith(root + sep)).toBe(true);
  });
});

describe('resolveRendererPath', () => {
  it('forbids encoded separators that decode to a parent directory', () => {
    expect(resolveRendererPath('app://renderer/..%2f..%2fetc%2fpasswd', root)).toEqual({
      kind: 'forbidden',
    });
  });

  it('keeps dot segments that URL parsing resolved inside the root', () => {
    // The URL parser already turns `/../../etc/passwd` into `/etc/passwd`, i.e. root/etc/passwd.
    expect(resolveRendererPath('app://renderer/../../etc/passwd', root)).toEqual({
      kind: 'file',
      path: join(root, 'etc', 'passwd'),
    });
  });

  it('treats a file whose name starts with two dots as inside the root', () => {
    expect(resolveRendererPath('app://renderer/..notes.txt', root)).toEqual({
      kind: 'file',
      path: join(root, '..notes.txt'),
    });
  });
});
