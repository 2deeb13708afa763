/**
 * Startup checks and HTTPS as a user meets them (issue #7): the real main.ts in its own process.
 * An unreachable REDIS_URL (a closed loopback port) stops the start with exit code 3 and a line
 * saying what to do; TLS_SELF_SIGNED=true serves HTTPS with a certificate generated under
 * DATA_DIR/tls, trusted here as the CA, and reused on the next start.
 */
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { spawnMain, waitForOutput } from '../../../shared/test-support/main-process';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sv-startup-'));
afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

/** main.ts on the embedded default in this test's data dir. */
function spawnHere(env: Record<string, string>) {
  return spawnMain({
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'error',
    DATA_DIR: dataDir,
    DEMO_ITEM_COUNT: '200',
    REDIS_URL: '',
    MONGODB_URI: '',
    ...env,
  });
}

/** A loopback port that nothing listens on: bound, noted, closed. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function getHttps(url: string, ca: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = https.get(url, { ca }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
  });
}

async function startHttps(env: Record<string, string> = {}): Promise<{
  url: string;
  stop: () => Promise<number | null>;
  output: () => string;
}> {
  const started = spawnHere({ TLS_SELF_SIGNED: 'true', ...env });
  const [, url] = await waitForOutput(started, /listening on (https:\/\/[^\s]+)/);
  return {
    url: url!,
    output: started.output,
    stop: started.stop,
  };
}

describe('startup checks (main.ts)', () => {
  it('an unreachable Redis stops the start with exit code 3 and says what to do', async () => {
    const port = await closedPort();
    const { exited, output } = spawnHere({ REDIS_URL: `redis://127.0.0.1:${port}` });
    expect(await exited).toBe(3);
    const text = output();
    expect(text).toMatch(/ok {4}store +sqlite /);
    expect(text).toMatch(
      new RegExp(`FAIL {2}coordination +redis redis://127\\.0\\.0\\.1:${port}: `),
    );
    expect(text).toContain('fix REDIS_URL');
    expect(text).toContain('Cannot start: coordination not usable');
    expect(text).not.toContain('listening on');
  }, 30_000);

  it('unreadable TLS files stop the start with exit code 3, naming the variable', async () => {
    const { exited, output } = spawnHere({
      TLS_CERT_FILE: path.join(dataDir, 'missing-cert.pem'),
      TLS_KEY_FILE: path.join(dataDir, 'missing-key.pem'),
    });
    expect(await exited).toBe(3);
    expect(output()).toMatch(
      /FAIL {2}tls .*TLS_CERT_FILE .*missing-cert\.pem cannot be read \(ENOENT\)/,
    );
  }, 30_000);

  it('TLS_SELF_SIGNED=true serves HTTPS with a generated certificate, reused on restart', async () => {
    const redirectPort = await closedPort();
    const first = await startHttps({ HTTP_REDIRECT_PORT: String(redirectPort) });
    const certFile = path.join(dataDir, 'tls', 'cert.pem');
    const served = fs.readFileSync(certFile, 'utf8');
    // The server certificate names 127.0.0.1 and is signed by the local CA phones trust.
    const ca = fs.readFileSync(path.join(dataDir, 'tls', 'ca.pem'), 'utf8');
    const health = await getHttps(`${first.url}/api/health`, ca);
    expect(health.status).toBe(200);
    expect(JSON.parse(health.body)).toMatchObject({ success: true, data: { status: 'ok' } });
    expect(first.output()).toMatch(/ok {4}tls +self-signed .*generated/);
    expect(fs.statSync(path.join(dataDir, 'tls', 'key.pem')).mode & 0o077).toBe(0);
    // Plain HTTP on the redirect port sends the phone to the HTTPS address.
    const redirected = await new Promise<{ status: number; location?: string }>((resolve, reject) =>
      http
        .get(`http://127.0.0.1:${redirectPort}/console`, (res) => {
          res.resume();
          resolve({ status: res.statusCode ?? 0, location: res.headers.location });
        })
        .on('error', reject),
    );
    expect(redirected).toEqual({ status: 308, location: `${first.url}/console` });
    // A client that does not trust it is refused: it really is TLS with this certificate.
    await expect(getHttps(`${first.url}/api/health`, '')).rejects.toThrow();
    expect(await first.stop()).toBe(0);

    const second = await startHttps();
    expect(second.output()).not.toMatch(/tls .*generated/);
    expect(fs.readFileSync(certFile, 'utf8')).toBe(served);
    expect((await getHttps(`${second.url}/api/health`, ca)).status).toBe(200);
    expect(await second.stop()).toBe(0);
  }, 60_000);
});
