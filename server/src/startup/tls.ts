/**
 * HTTPS material (DESIGN §6): phones need a secure context for the camera, so the server serves
 * TLS with a configured certificate (TLS_CERT_FILE + TLS_KEY_FILE) or with a self-signed one it
 * generates under DATA_DIR/tls for LAN use. The generated pair is reused across restarts until it
 * nears expiry or the machine's names / LAN addresses change.
 */
import { execFileSync } from 'node:child_process';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import fs from 'node:fs';
import { isIP } from 'node:net';
import os from 'node:os';
import path from 'node:path';

export interface TlsMaterial {
  cert: string;
  key: string;
  certFile: string;
  keyFile: string;
  source: 'files' | 'self-signed';
  /** Subject alternative names, as `DNS:x` / `IP:y`. */
  names: string[];
  validTo: Date;
  fingerprint256: string;
  /** True when this start generated the pair (false when an existing one was reused). */
  generated: boolean;
}

export class TlsError extends Error {}

const DAY_MS = 86_400_000;
/** Apple platforms refuse server certificates valid for longer than 825 days; stay well under. */
export const SELF_SIGNED_DAYS = 397;
/** A generated certificate is replaced once it has fewer days than this left. */
export const RENEW_WITHIN_DAYS = 30;

/** `DNS:localhost, IP Address:127.0.0.1` → `['DNS:localhost', 'IP:127.0.0.1']`. */
export function certificateNames(x509: X509Certificate): string[] {
  return (x509.subjectAltName ?? '')
    .split(',')
    .map((n) => n.trim())
    .filter((n) => n !== '')
    .map((n) => n.replace(/^IP Address:/, 'IP:'))
    .map((n) => (n.startsWith('IP:') ? `IP:${normalizeIp(n.slice(3))}` : n));
}

function normalizeIp(ip: string): string {
  // OpenSSL prints IPv6 in full upper-case form (0:0:0:0:0:0:0:1); compare a canonical spelling.
  if (isIP(ip) !== 6) return ip;
  try {
    return new URL(`http://[${ip}]/`).hostname.replace(/^\[|\]$/g, '');
  } catch {
    return ip.toLowerCase();
  }
}

/** The names phones on the LAN may use to reach this machine: hostname, LAN IPs, loopback. */
export function machineNames(
  extra: readonly string[] = [],
  interfaces: NodeJS.Dict<os.NetworkInterfaceInfo[]> = os.networkInterfaces(),
  hostname: string = os.hostname(),
): string[] {
  const names = new Set<string>(['DNS:localhost', 'IP:127.0.0.1', 'IP:::1']);
  const addName = (value: string) => {
    if (value === '') return;
    names.add(isIP(value) ? `IP:${normalizeIp(value)}` : `DNS:${value.toLowerCase()}`);
  };
  addName(hostname);
  if (!hostname.includes('.')) addName(`${hostname}.local`);
  for (const list of Object.values(interfaces)) {
    for (const info of list ?? []) {
      // Link-local IPv6 needs a zone id that no URL a phone types carries; skip it.
      if (info.internal || (info.family === 'IPv6' && info.address.startsWith('fe80'))) continue;
      addName(info.address);
    }
  }
  for (const name of extra) addName(name);
  return [...names];
}

/** Reads a PEM certificate and key, checks that they belong together and are in date. */
export function loadTlsPair(
  certFile: string,
  keyFile: string,
  now: Date,
  source: TlsMaterial['source'] = 'files',
): TlsMaterial {
  const read = (file: string, variable: string) => {
    try {
      return fs.readFileSync(file, 'utf8');
    } catch (err) {
      throw new TlsError(
        `${variable} ${file} cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
      );
    }
  };
  const cert = read(certFile, 'TLS_CERT_FILE');
  const key = read(keyFile, 'TLS_KEY_FILE');
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(cert);
  } catch (err) {
    throw new TlsError(`${certFile} is not a PEM certificate (${(err as Error).message})`);
  }
  let privateKey: ReturnType<typeof createPrivateKey>;
  try {
    privateKey = createPrivateKey(key);
  } catch (err) {
    throw new TlsError(
      `${keyFile} is not an unencrypted PEM private key (${(err as Error).message})`,
    );
  }
  if (!x509.checkPrivateKey(privateKey)) {
    throw new TlsError(`the key in ${keyFile} does not belong to the certificate in ${certFile}`);
  }
  const validTo = new Date(x509.validTo);
  if (validTo.getTime() <= now.getTime()) {
    throw new TlsError(`the certificate in ${certFile} expired on ${validTo.toISOString()}`);
  }
  const validFrom = new Date(x509.validFrom);
  if (validFrom.getTime() > now.getTime() + DAY_MS) {
    throw new TlsError(
      `the certificate in ${certFile} is not valid before ${validFrom.toISOString()}`,
    );
  }
  return {
    cert,
    key,
    certFile,
    keyFile,
    source,
    names: certificateNames(x509),
    validTo,
    fingerprint256: x509.fingerprint256,
    generated: false,
  };
}

/** Writes a self-signed certificate and key for `names` (DNS:/IP: entries) into the files. */
export type CertificateGenerator = (options: {
  names: readonly string[];
  days: number;
  certFile: string;
  keyFile: string;
}) => void;

/** Generates with the `openssl` command line (present on Debian, macOS and Git for Windows). */
export const opensslGenerator: CertificateGenerator = ({ names, days, certFile, keyFile }) => {
  const host = names.find((n) => n.startsWith('DNS:') && n !== 'DNS:localhost')?.slice(4);
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        keyFile,
        '-out',
        certFile,
        '-days',
        String(days),
        '-subj',
        `/O=Stock Verify/CN=${host ?? 'localhost'}`,
        '-addext',
        `subjectAltName=${names.join(',')}`,
        '-addext',
        'extendedKeyUsage=serverAuth',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'], timeout: 30_000 },
    );
  } catch (err) {
    const missing = (err as NodeJS.ErrnoException).code === 'ENOENT';
    throw new TlsError(
      missing
        ? 'TLS_SELF_SIGNED needs the openssl command (apt-get install openssl), or set TLS_CERT_FILE and TLS_KEY_FILE'
        : `openssl could not generate a certificate: ${String((err as { stderr?: Buffer }).stderr ?? (err as Error).message).trim()}`,
    );
  }
};

export interface SelfSignedOptions {
  dir: string;
  names: readonly string[];
  now: Date;
  generate?: CertificateGenerator;
}

/**
 * The self-signed pair under `dir` (cert.pem, key.pem): reused while it has more than
 * RENEW_WITHIN_DAYS left and covers every wanted name; otherwise generated anew.
 */
export function ensureSelfSigned(options: SelfSignedOptions): TlsMaterial {
  const { dir, names, now } = options;
  const certFile = path.join(dir, 'cert.pem');
  const keyFile = path.join(dir, 'key.pem');
  if (fs.existsSync(certFile) && fs.existsSync(keyFile)) {
    try {
      const existing = loadTlsPair(certFile, keyFile, now, 'self-signed');
      const covered = new Set(existing.names);
      const fresh = existing.validTo.getTime() - now.getTime() > RENEW_WITHIN_DAYS * DAY_MS;
      if (fresh && names.every((n) => covered.has(n))) return existing;
    } catch {
      // Unreadable or mismatched leftovers are replaced below.
    }
  }
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const tmpCert = `${certFile}.${process.pid}.tmp`;
  const tmpKey = `${keyFile}.${process.pid}.tmp`;
  try {
    (options.generate ?? opensslGenerator)({
      names,
      days: SELF_SIGNED_DAYS,
      certFile: tmpCert,
      keyFile: tmpKey,
    });
    fs.chmodSync(tmpKey, 0o600);
    // Key first: a crash between the renames leaves a mismatched pair, which the next start replaces.
    fs.renameSync(tmpKey, keyFile);
    fs.renameSync(tmpCert, certFile);
  } finally {
    fs.rmSync(tmpCert, { force: true });
    fs.rmSync(tmpKey, { force: true });
  }
  return { ...loadTlsPair(certFile, keyFile, now, 'self-signed'), generated: true };
}
