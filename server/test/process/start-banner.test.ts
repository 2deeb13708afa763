/**
 * The start banner as a new user reads it (issue #11; issue #12 low finding): the real main.ts in
 * its own process, listening on every interface. The console address, the address phones open and
 * that they need HTTPS, the reset command on every start; the first admin password on stderr on
 * its own marked line (never on stdout, where the JSON log goes), shown once.
 */
import { X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { phoneAccessSchema } from '@stockverify/shared';
import { afterAll, describe, expect, it } from 'vitest';
import { spawnMain, waitForOutput } from '../../../shared/test-support/main-process';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sv-banner-'));
afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

/** This machine's LAN IPv4 addresses, read here independently of the server's code. */
const lanIps = Object.values(os.networkInterfaces())
  .flat()
  .filter((i) => i && !i.internal && i.family === 'IPv4')
  .map((i) => i!.address);

async function startMain(extra: Record<string, string> = {}) {
  const { STOCKVERIFY_ADMIN_PASSWORD: _pw, REDIS_URL: _r, MONGODB_URI: _m, ...env } = process.env;
  const started = spawnMain(
    {
      PORT: '0',
      HOST: '0.0.0.0',
      // Info-level JSON logs on stdout: the password must not be among them.
      LOG_LEVEL: 'info',
      DATA_DIR: dataDir,
      DEMO_ITEM_COUNT: '100',
      ...extra,
    },
    { baseEnv: env },
  );
  const [, port] = await waitForOutput(started, /listening on https?:\/\/localhost:(\d+)/);
  return { port: Number(port), stdout: started.stdout, stderr: started.stderr, stop: started.stop };
}

async function login(port: number, password: string) {
  const res = await fetch(`http://127.0.0.1:${port}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password }),
  });
  const body = (await res.json()) as { data: { access_token: string } };
  return { status: res.status, token: body.data?.access_token };
}

describe('the start banner (main.ts)', () => {
  it('first start: addresses and hints on stdout, the password once on stderr only', async () => {
    const first = await startMain();
    // The password line is printed before the listening line; both streams are read by now.
    const marked = /^ {2}FIRST START: created user "admin", password: (\S+)$/m.exec(first.stderr());
    expect(marked, first.stderr()).not.toBeNull();
    const password = marked![1]!;
    expect(first.stderr()).toMatch(/shown only once/);
    expect(first.stderr()).toMatch(/^ {2}={40,}$/m);
    const { status, token } = await login(first.port, password);
    expect(status).toBe(200);

    const out = first.stdout();
    expect(out).not.toContain(password);
    // Built or not (the line then says how to build it), the console's address is given.
    expect(out).toMatch(new RegExp(`\\n {2}Console.*http://localhost:${first.port}/console/`));
    if (lanIps.length > 0) {
      expect(out).toContain(`Phones open (staff app): http://${lanIps[0]}:${first.port}/`);
    } else {
      expect(out).toMatch(/Phones: no LAN address found/);
    }
    expect(out).toMatch(/Phones need HTTPS for the camera: set TLS_SELF_SIGNED=true/);
    expect(out).toContain('npm run admin -- reset-password <username>');

    // The console's QR code gets the same LAN addresses from the API.
    const res = await fetch(`http://127.0.0.1:${first.port}/api/admin/phone-access`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.status).toBe(200);
    const access = phoneAccessSchema.parse(((await res.json()) as { data: unknown }).data);
    expect(access.urls).toEqual(lanIps.map((ip) => `http://${ip}:${first.port}/`));
    expect(access.camera_ready).toBe(false);
    expect(access.warning).toMatch(/TLS_SELF_SIGNED=true/);
    expect(await first.stop()).toBe(0);
    expect(first.stdout()).not.toContain(password);

    const second = await startMain();
    expect(second.stdout() + second.stderr()).not.toMatch(/FIRST START|password: /);
    expect(second.stdout()).toContain('npm run admin -- reset-password <username>');
    expect(await second.stop()).toBe(0);
  }, 90_000);

  it('TLS_SELF_SIGNED: phones get the https LAN address and the trust page; /ca.crt is the CA', async () => {
    const probe = net.createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const redirectPort = (probe.address() as net.AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const started = await startMain({
      TLS_SELF_SIGNED: 'true',
      HTTP_REDIRECT_PORT: String(redirectPort),
    });
    try {
      const ca = new X509Certificate(fs.readFileSync(path.join(dataDir, 'tls', 'ca.pem')));
      const out = started.stdout();
      expect(out).toContain(ca.fingerprint256);
      expect(out).not.toMatch(/Phones need HTTPS/);
      if (lanIps.length > 0) {
        expect(out).toContain(`Phones open (staff app): https://${lanIps[0]}:${started.port}/`);
        expect(out).toContain(`open http://${lanIps[0]}:${redirectPort}/trust`);
      }
      // The plain-HTTP port hands out the CA (DER) and the trust page; the rest still redirects.
      const crt = await fetch(`http://127.0.0.1:${redirectPort}/ca.crt`);
      expect(crt.status).toBe(200);
      expect(crt.headers.get('content-type')).toBe('application/x-x509-ca-cert');
      const served = new X509Certificate(Buffer.from(await crt.arrayBuffer()));
      expect(served.fingerprint256).toBe(ca.fingerprint256);
      const trust = await fetch(`http://127.0.0.1:${redirectPort}/trust`);
      expect(await trust.text()).toContain(ca.fingerprint256);
      const other = await fetch(`http://127.0.0.1:${redirectPort}/console/`, {
        redirect: 'manual',
      });
      expect(other.status).toBe(308);
    } finally {
      expect(await started.stop()).toBe(0);
    }
  }, 90_000);
});
