import { clientErrorReportSchema } from '@stockverify/shared';
import { describe, expect, it } from 'vitest';
import { buildReport, ReportThrottle } from './error-reporter';

describe('PWA error reports', () => {
  it('builds a report the server accepts, and none for an empty error', () => {
    const report = buildReport(new TypeError('x is undefined'), 'http://phone/', 'UA');
    expect(clientErrorReportSchema.safeParse(report).success).toBe(true);
    expect(report).toMatchObject({ source: 'pwa', message: 'TypeError: x is undefined' });
    expect(buildReport(undefined, 'http://phone/', 'UA')).toBeNull();
  });

  it('sends the same message once a minute and at most ten a minute', () => {
    const throttle = new ReportThrottle();
    expect(throttle.allow('a', 0)).toBe(true);
    expect(throttle.allow('a', 1000)).toBe(false);
    for (let i = 0; i < 9; i += 1) expect(throttle.allow(`m${i}`, 2000)).toBe(true);
    expect(throttle.allow('one more', 3000)).toBe(false);
    expect(throttle.allow('a', 61_000)).toBe(true);
  });
});
