import { describe, expect, it } from 'vitest';
import { normalizeServerUrl, suggestedServerUrl } from './server-url';

describe('normalizeServerUrl', () => {
  it.each([
    ['192.168.1.10:8080', 'http://192.168.1.10:8080'],
    ['localhost:8080', 'http://localhost:8080'],
    ['  https://SV.Example.com/  ', 'https://sv.example.com'],
    ['https://sv.example.com/stock/?x=1#y', 'https://sv.example.com/stock'],
    ['http://[::1]:8080', 'http://[::1]:8080'],
  ])('accepts %s as %s', (input, baseUrl) => {
    expect(normalizeServerUrl(input)).toEqual({ ok: true, baseUrl });
  });

  it.each([
    ['', /enter the server address/i],
    ['ftp://files.example', /http:\/\/ or https:\/\//],
    ['file:///etc/passwd', /http:\/\/ or https:\/\//],
    ['javascript:alert(1)', /not a valid/i],
    ['http://admin:pw@sv.example', /user name and password/i],
    ['http://exa mple', /not a valid/i],
  ])('refuses %s', (input, error) => {
    const result = normalizeServerUrl(input);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toMatch(error);
  });
});

describe('suggestedServerUrl', () => {
  it('uses the page origin when the console is served over http(s)', () => {
    expect(suggestedServerUrl({ protocol: 'https:', origin: 'https://sv.local' })).toBe(
      'https://sv.local',
    );
  });

  it('falls back to the local default inside Electron', () => {
    expect(suggestedServerUrl({ protocol: 'app:', origin: 'null' })).toBe('http://localhost:8080');
  });
});
