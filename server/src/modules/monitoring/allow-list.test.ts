import { describe, expect, it } from 'vitest';
import { createAllowList, DEFAULT_METRICS_NETWORKS } from './allow-list';

describe('metrics allow-list', () => {
  it('allows loopback only by default', () => {
    const allowed = createAllowList(DEFAULT_METRICS_NETWORKS);
    expect(allowed('127.0.0.1')).toBe(true);
    expect(allowed('::1')).toBe(true);
    expect(allowed('::ffff:127.0.0.1')).toBe(true);
    expect(allowed('10.0.0.1')).toBe(false);
    expect(allowed('::ffff:10.0.0.1')).toBe(false);
    expect(allowed('2001:db8::1')).toBe(false);
    expect(allowed(undefined)).toBe(false);
    expect(allowed('')).toBe(false);
    expect(allowed('localhost')).toBe(false);
  });

  it('takes CIDR blocks of both families, matching IPv4-mapped addresses as IPv4', () => {
    const allowed = createAllowList(['10.0.0.0/8', 'fd00::/8']);
    expect(allowed('10.20.30.40')).toBe(true);
    expect(allowed('::ffff:10.20.30.40')).toBe(true);
    expect(allowed('11.0.0.1')).toBe(false);
    expect(allowed('fd12::1')).toBe(true);
    expect(allowed('fe80::1')).toBe(false);
  });

  it('refuses entries that are not addresses or blocks', () => {
    expect(() => createAllowList(['localhost'])).toThrow(/not an address/);
    expect(() => createAllowList(['10.0.0.0/33'])).toThrow(/prefix/);
    expect(() => createAllowList(['10.0.0.0/x'])).toThrow(/prefix/);
  });
});
