import { X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { httpsRedirect } from './https-redirect';
import { ensureSelfSigned } from './tls';

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

describe('the CA download on the plain-HTTP port (TLS_SELF_SIGNED)', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
  });

  async function startWithCa() {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sv-trust-'));
    dirs.push(dir);
    const tls = ensureSelfSigned({
      dir,
      names: ['DNS:localhost', 'IP:127.0.0.1'],
      now: new Date(),
    });
    server = http.createServer(
      httpsRedirect(8443, { caCert: tls.ca!.cert, fingerprint256: tls.ca!.fingerprint256 }),
    );
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    return { port: (server.address() as AddressInfo).port, tls };
  }

  it('serves the CA certificate at /ca.crt (DER, application/x-x509-ca-cert)', async () => {
    const { port, tls } = await startWithCa();
    const res = await fetch(`http://127.0.0.1:${port}/ca.crt`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/x-x509-ca-cert');
    expect(res.headers.get('content-disposition')).toContain('stockverify-ca.crt');
    const der = Buffer.from(await res.arrayBuffer());
    const served = new X509Certificate(der);
    expect(served.fingerprint256).toBe(tls.ca!.fingerprint256);
    expect(served.ca).toBe(true);
  });

  it('serves /trust: the fingerprint, the download link, steps for Android and iOS', async () => {
    const { port, tls } = await startWithCa();
    // fetch would replace the Host header; the page must link to the host the phone used.
    const res = await new Promise<{ status: number; type: string; text: () => string }>(
      (resolve, reject) =>
        http
          .get(
            { port, host: '127.0.0.1', path: '/trust', headers: { host: 'office-pc:80' } },
            (r) => {
              let body = '';
              r.on('data', (c: Buffer) => (body += c.toString()));
              r.on('end', () =>
                resolve({
                  status: r.statusCode ?? 0,
                  type: String(r.headers['content-type']),
                  text: () => body,
                }),
              );
            },
          )
          .on('error', reject),
    );
    expect(res.status).toBe(200);
    expect(res.type).toMatch(/^text\/html/);
    const html = res.text();
    expect(html).toContain(tls.ca!.fingerprint256);
    expect(html).toContain('href="/ca.crt"');
    expect(html).toMatch(/Android/);
    expect(html).toMatch(/iPhone|iOS/);
    expect(html).toContain('https://office-pc:8443/');
  });

  it('still redirects every other path, and without a CA /ca.crt redirects too', async () => {
    const { port } = await startWithCa();
    expect(await get(port, '/console', 'office-pc')).toEqual({
      status: 308,
      location: 'https://office-pc:8443/console',
    });
    server!.close();
    const plain = await start(8443);
    expect((await get(plain, '/ca.crt', 'office-pc')).status).toBe(308);
  });
});
