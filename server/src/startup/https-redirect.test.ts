import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { httpsRedirect } from './https-redirect';

let server: http.Server | undefined;
afterEach(() => server?.close());

async function start(httpsPort: number): Promise<number> {
  server = http.createServer(httpsRedirect(httpsPort));
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

function get(port: number, path: string, host?: string) {
  return new Promise<{ status: number; location: string | undefined }>((resolve, reject) => {
    const req = http.request(
      {
        port,
        path,
        host: '127.0.0.1',
        method: 'POST',
        headers: host === undefined ? {} : { host },
      },
      (res) => {
        res.resume();
        resolve({ status: res.statusCode ?? 0, location: res.headers.location });
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe('httpsRedirect', () => {
  it('sends every request to the same host on the HTTPS port, keeping path and method (308)', async () => {
    const port = await start(8443);
    expect(await get(port, '/console/sessions?x=1', '192.168.1.20:8080')).toEqual({
      status: 308,
      location: 'https://192.168.1.20:8443/console/sessions?x=1',
    });
    expect(await get(port, '/', 'office-pc')).toEqual({
      status: 308,
      location: 'https://office-pc:8443/',
    });
  });

  it('leaves out the port for 443 and refuses a request without a usable Host', async () => {
    const port = await start(443);
    expect((await get(port, '/api/health', 'stock.example.com')).location).toBe(
      'https://stock.example.com/api/health',
    );
    expect((await get(port, '/', 'bad host/evil')).status).toBe(400);
  });
});
