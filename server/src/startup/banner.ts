/**
 * What the start prints for people (issue #11), as plain data so it is unit-tested: where the
 * console is, which address phones open (and that they need HTTPS for the camera), how to trust the
 * self-signed certificate, and how to reset a password. The first admin password goes to stderr on
 * its own marked line (never through the JSON logger on stdout), once.
 */
import { isIP } from 'node:net';
import os from 'node:os';
import type { PhoneAccess } from '@stockverify/shared';

export interface BannerInput {
  scheme: 'http' | 'https';
  /** HOST as configured (0.0.0.0 / :: = every interface). */
  host: string;
  port: number;
  storeKind: string;
  consoleBuilt: boolean;
  pwaBuilt: boolean;
  /** The LAN addresses phones can use (see lanAddresses). */
  lan: readonly string[];
  /** The served certificate; for the self-signed one, the file and fingerprint of its local CA. */
  tls: { source: 'files' | 'self-signed'; certFile: string; fingerprint256: string } | null;
  redirectPort: number | null;
}

const LOOPBACK = /^(127\.|::1$|localhost$)/i;

/** Non-loopback IPv4 addresses of this machine's interfaces (IPv6 only when there is no IPv4). */
export function lanAddresses(
  interfaces: NodeJS.Dict<os.NetworkInterfaceInfo[]> = os.networkInterfaces(),
): string[] {
  const v4: string[] = [];
  const v6: string[] = [];
  for (const list of Object.values(interfaces)) {
    for (const info of list ?? []) {
      if (info.internal) continue;
      if (info.family === 'IPv4') v4.push(info.address);
      else if (!info.address.toLowerCase().startsWith('fe80')) v6.push(info.address);
    }
  }
  return v4.length > 0 ? v4 : v6;
}

/** The hosts phones may use, given HOST: every LAN address, only HOST itself, or none (loopback). */
export function phoneHosts(host: string, lan: readonly string[]): string[] {
  if (host === '0.0.0.0' || host === '::') return [...lan];
  if (LOOPBACK.test(host)) return [];
  return [host];
}

export function originOf(scheme: string, host: string, port: number): string {
  const shown = isIP(host) === 6 ? `[${host}]` : host;
  const defaultPort = (scheme === 'https' && port === 443) || (scheme === 'http' && port === 80);
  return `${scheme}://${shown}${defaultPort ? '' : `:${port}`}`;
}

/** What the console shows beside the phone QR code (GET /api/admin/phone-access). */
export function phoneAccessOf(input: BannerInput): PhoneAccess {
  const hosts = phoneHosts(input.host, input.lan);
  const selfSigned = input.tls?.source === 'self-signed';
  const trustUrl =
    selfSigned && input.redirectPort !== null && hosts[0]
      ? `${originOf('http', hosts[0], input.redirectPort)}/trust`
      : null;
  let warning: string | null = null;
  if (LOOPBACK.test(input.host)) {
    warning = `The server accepts connections from its own machine only (HOST=${input.host}): phones cannot reach it. Set HOST=0.0.0.0 on the server and restart.`;
  } else if (hosts.length === 0) {
    warning = "The server found no LAN address: connect it to the phones' network and restart it.";
  } else if (input.scheme === 'http') {
    warning =
      'Phones need HTTPS for the camera: set TLS_SELF_SIGNED=true on the server and restart it.';
  } else if (selfSigned && trustUrl === null) {
    warning =
      "Phones must trust the server's certificate first: set HTTP_REDIRECT_PORT on the server to offer it at /trust.";
  }
  return {
    scheme: input.scheme,
    urls: hosts.map((h) => `${originOf(input.scheme, h, input.port)}/`),
    camera_ready: input.scheme === 'https',
    trust: selfSigned ? { url: trustUrl, fingerprint256: input.tls!.fingerprint256 } : null,
    warning,
  };
}

/** The lines printed after "listening on …", on stdout. */
export function bannerLines(input: BannerInput): string[] {
  const { scheme, port } = input;
  const local = originOf(
    scheme,
    LOOPBACK.test(input.host) || isAny(input.host) ? 'localhost' : input.host,
    port,
  );
  const lines: string[] = [];
  lines.push(
    input.consoleBuilt
      ? `  Console (supervisors, admins): ${local}/console/`
      : `  Console: not built; run \`npm run build\` (or start with \`npm start\`) to serve ${local}/console/`,
  );
  const hosts = phoneHosts(input.host, input.lan);
  const staffApp = input.pwaBuilt ? '' : ' (the staff app is not built: run `npm run build`)';
  if (LOOPBACK.test(input.host)) {
    lines.push(
      `  Phones: cannot connect; HOST=${input.host} accepts this machine only. Set HOST=0.0.0.0 so phones on the LAN can.`,
    );
  } else if (hosts.length === 0) {
    lines.push(
      `  Phones: no LAN address found; connect this machine to the phones' network and restart.`,
    );
  } else {
    lines.push(
      `  Phones open (staff app): ${hosts.map((h) => `${originOf(scheme, h, port)}/`).join('  ')}${staffApp}`,
    );
  }
  if (scheme === 'http') {
    lines.push(
      '  Phones need HTTPS for the camera: set TLS_SELF_SIGNED=true (or TLS_CERT_FILE and TLS_KEY_FILE) and restart.',
    );
  } else if (input.tls?.source === 'self-signed') {
    lines.push(
      `  Local CA for phones: ${input.tls.certFile} (SHA-256 ${input.tls.fingerprint256})`,
    );
    const trustHost = hosts[0] ?? 'localhost';
    lines.push(
      input.redirectPort !== null
        ? `  Before first use, each phone trusts this server's certificate: open ${originOf('http', trustHost, input.redirectPort)}/trust (see docs/deployment.md).`
        : '  Phones must trust this certificate before first use: set HTTP_REDIRECT_PORT (e.g. 8080) to offer it at http://<address>:<port>/trust (see docs/deployment.md).',
    );
  }
  if (input.redirectPort !== null) {
    lines.push(
      `  ${originOf('http', hosts[0] ?? 'localhost', input.redirectPort)} redirects to HTTPS`,
    );
  }
  lines.push('  Forgot a password? npm run admin -- reset-password <username>');
  return lines;
}

function isAny(host: string): boolean {
  return host === '0.0.0.0' || host === '::';
}

/** The first admin's password, for stderr: its own marked line, with the warning. */
export function firstAdminLines(password: string, generated: boolean): string[] {
  const rule = `  ${'='.repeat(72)}`;
  return [
    '',
    rule,
    generated
      ? `  FIRST START: created user "admin", password: ${password}`
      : '  FIRST START: created user "admin" with the password in STOCKVERIFY_ADMIN_PASSWORD',
    generated
      ? '  This password is shown only once: write it down now, sign in at /console/ and change it.'
      : '  Sign in at /console/ and change it.',
    rule,
    '',
  ];
}
