import type { PhoneAccess } from '@stockverify/shared';
import { describe, expect, it } from 'vitest';
import { LOOPBACK_WARNING, isLoopback, phoneAddressChoice } from './PhoneQr';

const https: PhoneAccess = {
  scheme: 'https',
  urls: ['https://192.168.1.20:8443/', 'https://10.0.0.5:8443/'],
  camera_ready: true,
  trust: { url: 'http://192.168.1.20:8080/trust', fingerprint256: 'AB:CD' },
  warning: null,
};

describe('isLoopback', () => {
  it('knows the addresses only this computer can open', () => {
    for (const a of ['http://localhost:8080/', 'http://127.0.0.1:8080/', 'http://[::1]:8080/']) {
      expect(isLoopback(a), a).toBe(true);
    }
    for (const a of ['https://192.168.1.20:8443/', 'https://office-pc.local/', 'not a url']) {
      expect(isLoopback(a), a).toBe(false);
    }
  });
});

describe('phoneAddressChoice', () => {
  it('uses the LAN https address the server reported, even when the console uses loopback', () => {
    expect(phoneAddressChoice('http://127.0.0.1:8080', https)).toEqual({
      address: 'https://192.168.1.20:8443/',
      warning: null,
    });
  });

  it('warns when the only address it knows is loopback', () => {
    expect(phoneAddressChoice('http://127.0.0.1:8080', null)).toEqual({
      address: 'http://127.0.0.1:8080/',
      warning: LOOPBACK_WARNING,
    });
    const loopbackOnly: PhoneAccess = {
      scheme: 'http',
      urls: [],
      camera_ready: false,
      trust: null,
      warning: 'The server accepts connections from its own machine only (HOST=127.0.0.1)',
    };
    expect(phoneAddressChoice('http://localhost:8080', loopbackOnly).warning).toMatch(
      /own machine only/,
    );
  });

  it("passes on the server's warning about plain HTTP", () => {
    const plain: PhoneAccess = {
      scheme: 'http',
      urls: ['http://192.168.1.20:8080/'],
      camera_ready: false,
      trust: null,
      warning: 'Phones need HTTPS for the camera: set TLS_SELF_SIGNED=true',
    };
    expect(phoneAddressChoice('http://192.168.1.20:8080', plain)).toEqual({
      address: 'http://192.168.1.20:8080/',
      warning: plain.warning,
    });
  });

  it('falls back to the console’s own non-loopback address without a warning', () => {
    expect(phoneAddressChoice('https://stock.example.com', null)).toEqual({
      address: 'https://stock.example.com/',
      warning: null,
    });
  });
});
