import { createServer } from 'node:http';
import type { RequestListener, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { checkServerHealth } from './health';

let server: Server | null = null;

/** Starts a loopback HTTP server on port 0 and returns its base URL. */
async function serve(listener: RequestListener): Promise<string> {
  server = createServer(listener);
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return `http://127.0.0.1:${port}`;
}

afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
  server = null;
});

describe('checkServerHealth', () => {
  it('reports a healthy server with status, latency and request id', async () => {
    let path = '';
    const base = await serve((req, res) => {
      path = req.url ?? '';
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(
        JSON.stringify({
          success: true,
          data: { status: 'ok' },
          error: null,
          message: 'ok',
          request_id: 'r-1',
        }),
      );
    });

    const result = await checkServerHealth(base);

    expect(path).toBe('/api/health');
    expect(result).toMatchObject({ ok: true, status: 200, requestId: 'r-1' });
    if (result.ok) expect(result.latencyMs).toBeGreaterThanOrEqual(0);
  });

  it('shows the message of an error envelope', async () => {
    const base = await serve((_req, res) => {
      res.writeHead(503, { 'Content-Type': 'application/json', 'Retry-After': '5' });
      res.end(
        JSON.stringify({
          success: false,
          data: null,
          error: { code: 'SERVICE_UNAVAILABLE', message: 'The store is not reachable' },
          message: '',
          request_id: 'r-2',
        }),
      );
    });

    expect(await checkServerHealth(base)).toEqual({
      ok: false,
      status: 503,
      message: 'The store is not reachable',
    });
  });

  it('says when something other than Stock Verify answers', async () => {
    const base = await serve((_req, res) => {
      res.writeHead(502, { 'Content-Type': 'text/html' });
      res.end('<h1>Bad Gateway</h1>');
    });

    const result = await checkServerHealth(base);

    expect(result).toMatchObject({ ok: false, status: 502 });
    if (!result.ok) expect(result.message).toMatch(/not as a Stock Verify server/);
  });

  it('says when nothing listens at the address', async () => {
    const base = await serve(() => undefined);
    await new Promise((resolve) => server?.close(resolve));
    server = null;

    const result = await checkServerHealth(base);

    expect(result).toMatchObject({ ok: false, status: null });
    if (!result.ok) expect(result.message).toMatch(/cannot reach/i);
  });

  it('gives up after the timeout', async () => {
    const base = await serve(() => undefined); // never answers

    const result = await checkServerHealth(base, { timeoutMs: 150 });

    expect(result).toMatchObject({ ok: false, status: null });
    if (!result.ok) expect(result.message).toMatch(/no answer .* within 0.15 s/i);
  });
});
