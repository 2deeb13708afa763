/**
 * HTTPS material (design §6): phones need a secure context for the camera, so the server serves
 * TLS with a configured certificate (TLS_CERT_FILE + TLS_KEY_FILE) or with a self-signed one it
 * generates under DATA_DIR/tls for LAN use. The generated pair is reused across restarts until it
 * nears expiry or the machine's names / LAN addresses change.
 */
import { execFileSync } from 'node:child_process';
import { X509Certificate, createPrivateKey, randomBytes } from 'node:crypto';
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
  /** The local CA that signed a self-signed server certificate (phones trust it); else null. */
  ca: {
    cert: string;
    certFile: string;
    fingerprint256: string;
    validTo: Date;
    generated: boolean;
  } | null;
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
    ca: null,
  };
}

/**
 * Writes a certificate and key into the files: a server certificate for `names` (DNS:/IP:
 * entries), self-signed or signed by `issuer`; or, with `ca`, a certificate authority.
 */
export type CertificateGenerator = (options: {
  names: readonly string[];
  days: number;
  certFile: string;
  keyFile: string;
  /** Make a CA (CA:TRUE, may sign certificates only) instead of a server certificate. */
  ca?: boolean;
  /** Sign the server certificate with this CA instead of self-signing it. */
  issuer?: { certFile: string; keyFile: string };
}) => void;

/** Runs one openssl command; a missing openssl or a failure becomes a TlsError. */
function openssl(args: string[]): void {
  try {
    execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'], timeout: 30_000 });
  } catch (err) {
    const missing = (err as NodeJS.ErrnoException).code === 'ENOENT';
    throw new TlsError(
      missing
        ? 'TLS_SELF_SIGNED needs the openssl command (apt-get install openssl), or set TLS_CERT_FILE and TLS_KEY_FILE'
        : `openssl could not generate a certificate: ${String((err as { stderr?: Buffer }).stderr ?? (err as Error).message).trim()}`,
    );
  }
}

const NEW_P256_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

/** Generates with the `openssl` command line (present on Debian, macOS and Git for Windows). */
export const opensslGenerator: CertificateGenerator = ({
  names,
  days,
  certFile,
  keyFile,
  ca,
  issuer,
}) => {
  const host = names.find((n) => n.startsWith('DNS:') && n !== 'DNS:localhost')?.slice(4);
  if (ca) {
    openssl([
      'req',
      '-x509',
      ...NEW_P256_KEY,
      '-keyout',
      keyFile,
      '-out',
      certFile,
      '-days',
      String(days),
      '-subj',
      `/O=Stock Verify/CN=Stock Verify local CA${host ? ` (${host})` : ''}`,
      '-addext',
      'basicConstraints=critical,CA:TRUE,pathlen:0',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    ]);
    return;
  }
  const subject = `/O=Stock Verify/CN=${host ?? 'localhost'}`;
  if (!issuer) {
    openssl([
      'req',
      '-x509',
      ...NEW_P256_KEY,
      '-keyout',
      keyFile,
      '-out',
      certFile,
      '-days',
      String(days),
      '-subj',
      subject,
      '-addext',
      `subjectAltName=${names.join(',')}`,
      '-addext',
      'extendedKeyUsage=serverAuth',
    ]);
    return;
  }
  // A request, then the CA signs it with the server extensions (portable to LibreSSL's x509).
  const csrFile = `${certFile}.csr`;
  const extFile = `${certFile}.ext`;
  try {
    fs.writeFileSync(
      extFile,
      [
        'basicConstraints=critical,CA:FALSE',
        'keyUsage=critical,digitalSignature',
        'extendedKeyUsage=serverAuth',
        `subjectAltName=${names.join(',')}`,
        'subjectKeyIdentifier=hash',
        'authorityKeyIdentifier=keyid',
        '',
      ].join('\n'),
    );
    openssl([
      'req',
      '-new',
      ...NEW_P256_KEY,
      '-keyout',
      keyFile,
      '-out',
      csrFile,
      '-subj',
      subject,
    ]);
    openssl([
      'x509',
      '-req',
      '-in',
      csrFile,
      '-CA',
      issuer.certFile,
      '-CAkey',
      issuer.keyFile,
      '-set_serial',
      `0x${randomBytes(16)
        .toString('hex')
        .replace(/^[89a-f]/, '7')}`,
      '-days',
      String(days),
      '-extfile',
      extFile,
      '-out',
      certFile,
    ]);
  } finally {
    fs.rmSync(csrFile, { force: true });
    fs.rmSync(extFile, { force: true });
  }
};

export interface SelfSignedOptions {
  dir: string;
  names: readonly string[];
  now: Date;
  generate?: CertificateGenerator;
}

/** The local CA phones trust once (issue #11): 10 years, so the server certificate can change. */
export const CA_DAYS = 3650;

/** The local CA under `dir` (ca.pem, ca-key.pem), or null when absent, broken or near expiry. */
function loadLocalCa(dir: string, now: Date): X509Certificate | null {
  const certFile = path.join(dir, 'ca.pem');
  const keyFile = path.join(dir, 'ca-key.pem');
  try {
    const x509 = new X509Certificate(fs.readFileSync(certFile, 'utf8'));
    const key = createPrivateKey(fs.readFileSync(keyFile, 'utf8'));
    const fresh = new Date(x509.validTo).getTime() - now.getTime() > RENEW_WITHIN_DAYS * DAY_MS;
    return x509.ca && x509.checkPrivateKey(key) && fresh ? x509 : null;
  } catch {
    return null;
  }
}

/** Generates into temporary files, then renames key first, certificate last. */
function generateInto(
  generate: CertificateGenerator,
  options: Parameters<CertificateGenerator>[0],
): void {
  const { certFile, keyFile } = options;
  const tmpCert = `${certFile}.${process.pid}.tmp`;
  const tmpKey = `${keyFile}.${process.pid}.tmp`;
  try {
    generate({ ...options, certFile: tmpCert, keyFile: tmpKey });
    fs.chmodSync(tmpKey, 0o600);
    // Key first: a crash between the renames leaves a mismatched pair, which the next start replaces.
    fs.renameSync(tmpKey, keyFile);
    fs.renameSync(tmpCert, certFile);
  } finally {
    fs.rmSync(tmpCert, { force: true });
    fs.rmSync(tmpKey, { force: true });
  }
}

/**
 * The server's certificate under `dir` (cert.pem, key.pem), signed by a local CA in the same folder
 * (ca.pem, ca-key.pem) that phones install and trust once. The CA is made on first use and kept
 * for CA_DAYS; the server certificate is reused while it has more than RENEW_WITHIN_DAYS left,
 * covers every wanted name and was signed by that CA, and otherwise issued anew, which phones
 * that trust the CA accept without being asked again.
 */
export function ensureSelfSigned(options: SelfSignedOptions): TlsMaterial {
  const { dir, names, now } = options;
  const generate = options.generate ?? opensslGenerator;
  const certFile = path.join(dir, 'cert.pem');
  const keyFile = path.join(dir, 'key.pem');
  const caFile = path.join(dir, 'ca.pem');
  const caKeyFile = path.join(dir, 'ca-key.pem');
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  let ca = loadLocalCa(dir, now);
  let caGenerated = false;
  if (!ca) {
    generateInto(generate, {
      names,
      days: CA_DAYS,
      certFile: caFile,
      keyFile: caKeyFile,
      ca: true,
    });
    ca = loadLocalCa(dir, now);
    if (!ca) throw new TlsError(`the generated CA in ${caFile} cannot be used`);
    caGenerated = true;
  }
  const withCa = (material: TlsMaterial, generated: boolean): TlsMaterial => ({
    ...material,
    generated,
    ca: {
      cert: ca.toString(),
      certFile: caFile,
      fingerprint256: ca.fingerprint256,
      validTo: new Date(ca.validTo),
      generated: caGenerated,
    },
  });
  if (!caGenerated && fs.existsSync(certFile) && fs.existsSync(keyFile)) {
    try {
      const existing = loadTlsPair(certFile, keyFile, now, 'self-signed');
      const covered = new Set(existing.names);
      const fresh = existing.validTo.getTime() - now.getTime() > RENEW_WITHIN_DAYS * DAY_MS;
      const signedByCa = new X509Certificate(existing.cert).verify(ca.publicKey);
      if (fresh && signedByCa && names.every((n) => covered.has(n))) return withCa(existing, false);
    } catch {
      // Unreadable or mismatched leftovers are replaced below.
    }
  }
  generateInto(generate, {
    names,
    days: SELF_SIGNED_DAYS,
    certFile,
    keyFile,
    issuer: { certFile: caFile, keyFile: caKeyFile },
  });
  return withCa(loadTlsPair(certFile, keyFile, now, 'self-signed'), true);
}
