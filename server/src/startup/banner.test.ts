import type os from 'node:os';
import { phoneAccessSchema } from '@stockverify/shared';
import { describe, expect, it } from 'vitest';
import {
  bannerLines,
  firstAdminLines,
  lanAddresses,
  phoneAccessOf,
  type BannerInput,
} from './banner';

const base: BannerInput = {
  scheme: 'http',
  host: '0.0.0.0',
  port: 8080,
  storeKind: 'sqlite',
  consoleBuilt: true,
  pwaBuilt: true,
  lan: ['192.168.1.20'],
  tls: null,
  redirectPort: null,
};
const selfSigned: BannerInput = {
  ...base,
  scheme: 'https',
  port: 8443,
  tls: { source: 'self-signed', certFile: '/data/tls/ca.pem', fingerprint256: 'AB:CD:EF' },
  redirectPort: 8080,
};

function iface(
  address: string,
  family: 'IPv4' | 'IPv6',
  internal = false,
): os.NetworkInterfaceInfo {
  return {
    address,
    family,
    internal,
    netmask: '',
    mac: '',
    cidr: null,
    scopeid: 0,
  } as os.NetworkInterfaceInfo;
}

describe('lanAddresses', () => {
  it('lists external IPv4 addresses, never loopback or link-local', () => {
    expect(
      lanAddresses({
        lo: [iface('127.0.0.1', 'IPv4', true), iface('::1', 'IPv6', true)],
        eth0: [iface('192.168.1.20', 'IPv4'), iface('fe80::1', 'IPv6')],
        wlan0: [iface('10.0.0.5', 'IPv4')],
      }),
    ).toEqual(['192.168.1.20', '10.0.0.5']);
    expect(lanAddresses({ lo: [iface('127.0.0.1', 'IPv4', true)] })).toEqual([]);
  });
});

describe('bannerLines', () => {
  it('plain HTTP: the console address, the phones address, and that phones need HTTPS', () => {
    const text = bannerLines(base).join('\n');
    expect(text).toContain('Console (supervisors, admins): http://localhost:8080/console/');
    expect(text).toContain('Phones open (staff app): http://192.168.1.20:8080/');
    expect(text).toMatch(/Phones need HTTPS for the camera: set TLS_SELF_SIGNED=true/);
    expect(text).toContain('npm run admin -- reset-password <username>');
  });

  it('self-signed HTTPS: the https address, the trust page and the CA fingerprint', () => {
    const text = bannerLines(selfSigned).join('\n');
    expect(text).toContain('Phones open (staff app): https://192.168.1.20:8443/');
    expect(text).toContain('http://192.168.1.20:8080/trust');
    expect(text).toContain('AB:CD:EF');
    expect(text).not.toContain('Phones need HTTPS');
    const noRedirect = bannerLines({ ...selfSigned, redirectPort: null }).join('\n');
    expect(noRedirect).toMatch(/set HTTP_REDIRECT_PORT/);
  });

  it('loopback only: says phones cannot connect and which setting fixes it', () => {
    const text = bannerLines({ ...base, host: '127.0.0.1' }).join('\n');
    expect(text).toMatch(/Phones: cannot connect; HOST=127\.0\.0\.1 .* Set HOST=0\.0\.0\.0/);
    expect(text).toContain('http://localhost:8080/console/');
  });

  it('says what is not built, and where there is no LAN address', () => {
    const text = bannerLines({ ...base, consoleBuilt: false, pwaBuilt: false, lan: [] }).join('\n');
    expect(text).toMatch(/Console: not built; run `npm run build`/);
    expect(text).toMatch(/Phones: no LAN address found/);
  });
});

describe('phoneAccessOf', () => {
  it('gives the console the LAN https address and the trust page, in the shared schema', () => {
    expect(phoneAccessSchema.parse(phoneAccessOf(selfSigned))).toEqual({
      scheme: 'https',
      urls: ['https://192.168.1.20:8443/'],
      camera_ready: true,
      trust: { url: 'http://192.168.1.20:8080/trust', fingerprint256: 'AB:CD:EF' },
      warning: null,
    });
  });

  it('warns about plain HTTP, loopback and a missing trust page', () => {
    expect(phoneAccessOf(base).warning).toMatch(/HTTPS for the camera/);
    const loopback = phoneAccessOf({ ...base, host: '127.0.0.1' });
    expect(loopback.urls).toEqual([]);
    expect(loopback.warning).toMatch(/phones cannot reach it/);
    expect(phoneAccessOf({ ...selfSigned, redirectPort: null }).warning).toMatch(
      /HTTP_REDIRECT_PORT/,
    );
    expect(phoneAccessOf({ ...base, host: '192.168.1.20' }).urls).toEqual([
      'http://192.168.1.20:8080/',
    ]);
  });
});

describe('firstAdminLines', () => {
  it('marks the password line and says it is shown only once', () => {
    const text = firstAdminLines('s3cret-pw', true).join('\n');
    expect(text).toContain('password: s3cret-pw');
    expect(text).toMatch(/shown only once/);
    expect(firstAdminLines('from-env', false).join('\n')).not.toContain('from-env');
  });
});
