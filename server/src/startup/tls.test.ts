import { X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  RENEW_WITHIN_DAYS,
  SELF_SIGNED_DAYS,
  TlsError,
  ensureSelfSigned,
  loadTlsPair,
  machineNames,
  opensslGenerator,
  type CertificateGenerator,
} from './tls';

const dirs: string[] = [];
function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sv-tls-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

const DAY = 86_400_000;

describe('machineNames', () => {
  it('covers loopback, the hostname (and .local) and every LAN address but link-local IPv6', () => {
    const names = machineNames(
      ['stock.example.com', '10.0.0.9'],
      {
        lo: [{ address: '127.0.0.1', family: 'IPv4', internal: true } as os.NetworkInterfaceInfo],
        eth0: [
          { address: '192.168.1.20', family: 'IPv4', internal: false } as os.NetworkInterfaceInfo,
          { address: 'fe80::1', family: 'IPv6', internal: false } as os.NetworkInterfaceInfo,
          { address: 'fd00::20', family: 'IPv6', internal: false } as os.NetworkInterfaceInfo,
        ],
      },
      'Office-PC',
    );
    expect(names).toEqual([
      'DNS:localhost',
      'IP:127.0.0.1',
      'IP:::1',
      'DNS:office-pc',
      'DNS:office-pc.local',
      'IP:192.168.1.20',
      'IP:fd00::20',
      'DNS:stock.example.com',
      'IP:10.0.0.9',
    ]);
  });
});

describe('self-signed certificate (openssl)', () => {
  const names = ['DNS:localhost', 'IP:127.0.0.1', 'IP:::1', 'DNS:office-pc', 'IP:192.168.1.20'];

  it('is generated with the names as SANs, an owner-only key, and reused on the next start', () => {
    const dir = path.join(tempDir(), 'tls');
    const now = new Date();
    const first = ensureSelfSigned({ dir, names, now });
    expect(first.generated).toBe(true);
    expect(first.names).toEqual(names);
    expect(first.validTo.getTime() - now.getTime()).toBeGreaterThan((SELF_SIGNED_DAYS - 1) * DAY);
    expect(fs.statSync(first.keyFile).mode & 0o077).toBe(0);
    expect(new X509Certificate(first.cert).checkHost('office-pc')).toBe('office-pc');

    const again = ensureSelfSigned({ dir, names, now });
    expect(again.generated).toBe(false);
    expect(again.fingerprint256).toBe(first.fingerprint256);
  });

  it('is replaced when it nears expiry or the machine gained an address', () => {
    const dir = path.join(tempDir(), 'tls');
    const now = new Date();
    const first = ensureSelfSigned({ dir, names, now });
    const nearExpiry = new Date(first.validTo.getTime() - (RENEW_WITHIN_DAYS - 1) * DAY);
    const renewed = ensureSelfSigned({ dir, names, now: nearExpiry });
    expect(renewed.generated).toBe(true);
    expect(renewed.fingerprint256).not.toBe(first.fingerprint256);

    const moved = ensureSelfSigned({ dir, names: [...names, 'IP:10.1.2.3'], now });
    expect(moved.generated).toBe(true);
    expect(moved.names).toContain('IP:10.1.2.3');
  });

  it('is signed by a local CA that phones trust once; a new address keeps the same CA', () => {
    const dir = path.join(tempDir(), 'tls');
    const now = new Date();
    const first = ensureSelfSigned({ dir, names, now });
    expect(first.ca).not.toBeNull();
    const ca = new X509Certificate(first.ca!.cert);
    const leaf = new X509Certificate(first.cert);
    // Android installs a "CA certificate" only with CA:TRUE; iOS offers full trust only to roots.
    expect(ca.ca).toBe(true);
    expect(leaf.ca).toBe(false);
    expect(leaf.checkIssued(ca)).toBe(true);
    expect(leaf.verify(ca.publicKey)).toBe(true);
    expect(first.ca!.fingerprint256).toBe(ca.fingerprint256);
    expect(first.ca!.generated).toBe(true);
    expect(fs.statSync(path.join(dir, 'ca-key.pem')).mode & 0o077).toBe(0);
    expect(new Date(ca.validTo).getTime() - now.getTime()).toBeGreaterThan(9 * 365 * DAY);

    const moved = ensureSelfSigned({ dir, names: [...names, 'IP:10.9.8.7'], now });
    expect(moved.generated).toBe(true);
    expect(moved.ca!.generated).toBe(false);
    expect(moved.ca!.fingerprint256).toBe(first.ca!.fingerprint256);
    expect(new X509Certificate(moved.cert).verify(ca.publicKey)).toBe(true);
  });

  it('replaces a server certificate that its CA did not sign (a pre-CA leftover)', () => {
    const dir = path.join(tempDir(), 'tls');
    fs.mkdirSync(dir, { recursive: true });
    opensslGenerator({
      names,
      days: 300,
      certFile: path.join(dir, 'cert.pem'),
      keyFile: path.join(dir, 'key.pem'),
    });
    const old = fs.readFileSync(path.join(dir, 'cert.pem'), 'utf8');
    const material = ensureSelfSigned({ dir, names, now: new Date() });
    expect(material.generated).toBe(true);
    expect(material.cert).not.toBe(old);
    expect(
      new X509Certificate(material.cert).checkIssued(new X509Certificate(material.ca!.cert)),
    ).toBe(true);
  });

  it('reports a missing openssl with what to do instead', () => {
    const broken: CertificateGenerator = () => {
      throw new TlsError('TLS_SELF_SIGNED needs the openssl command');
    };
    expect(() =>
      ensureSelfSigned({ dir: tempDir(), names, now: new Date(), generate: broken }),
    ).toThrow(/openssl/);
  });
});

describe('loadTlsPair', () => {
  function pair(dir: string, name: string) {
    const certFile = path.join(dir, `${name}.crt`);
    const keyFile = path.join(dir, `${name}.key`);
    opensslGenerator({ names: ['DNS:localhost'], days: 30, certFile, keyFile });
    return { certFile, keyFile };
  }

  it('reads a matching pair', () => {
    const { certFile, keyFile } = pair(tempDir(), 'a');
    const material = loadTlsPair(certFile, keyFile, new Date());
    expect(material.source).toBe('files');
    expect(material.names).toEqual(['DNS:localhost']);
  });

  it('names the variable of an unreadable file', () => {
    const { keyFile } = pair(tempDir(), 'a');
    expect(() => loadTlsPair('/nonexistent/cert.pem', keyFile, new Date())).toThrow(
      /TLS_CERT_FILE \/nonexistent\/cert.pem cannot be read \(ENOENT\)/,
    );
  });

  it('refuses a key that belongs to another certificate, garbage, and an expired certificate', () => {
    const dir = tempDir();
    const a = pair(dir, 'a');
    const b = pair(dir, 'b');
    expect(() => loadTlsPair(a.certFile, b.keyFile, new Date())).toThrow(/does not belong/);
    fs.writeFileSync(path.join(dir, 'junk.pem'), 'not a certificate');
    expect(() => loadTlsPair(path.join(dir, 'junk.pem'), a.keyFile, new Date())).toThrow(
      /not a PEM certificate/,
    );
    expect(() => loadTlsPair(a.certFile, a.keyFile, new Date(Date.now() + 40 * DAY))).toThrow(
      /expired/,
    );
  });
});
