/**
 * requireBinary (requires.ts): what counts as present, the left-out line, and the failure under
 * STOCKVERIFY_REQUIRE_ALL=1. left-out.process.test.ts runs the whole mechanism through vitest.
 */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { leftOutReport } from './left-out-reporter';
import { leftOutMessage, missingBinary, requireBinary } from './requires';

const dir = mkdtempSync(path.join(tmpdir(), 'sv-requires-'));
const fakeRedis = path.join(dir, 'redis-server');
writeFileSync(fakeRedis, '#!/bin/sh\nexit 0\n');
chmodSync(fakeRedis, 0o755);
const notExecutable = path.join(dir, 'chromium-not-executable');
writeFileSync(notExecutable, '');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('missingBinary', () => {
  it('finds redis-server on PATH only as an executable file', () => {
    expect(missingBinary('redis-server', { PATH: dir })).toBeNull();
    expect(
      missingBinary('redis-server', { PATH: `/nonexistent${path.delimiter}${dir}` }),
    ).toBeNull();
    expect(missingBinary('redis-server', { PATH: '/nonexistent' })).toEqual({
      binary: 'redis-server',
      reason: 'not found on PATH',
      install: 'sudo apt-get install redis-server',
    });
    expect(missingBinary('redis-server', {})?.reason).toBe('not found on PATH');
  });

  it('looks for Chromium at CHROMIUM_PATH, else /usr/bin/chromium', () => {
    expect(missingBinary('chromium', { CHROMIUM_PATH: fakeRedis })).toBeNull();
    expect(missingBinary('chromium', { CHROMIUM_PATH: notExecutable })).toEqual({
      binary: 'chromium',
      reason: `CHROMIUM_PATH=${notExecutable} is not an executable file`,
      install: 'sudo apt-get install chromium',
    });
    expect(missingBinary('chromium', { CHROMIUM_PATH: dir })?.reason).toContain(
      'not an executable',
    );
    const usual = missingBinary('chromium', {});
    if (usual) expect(usual.reason).toBe('/usr/bin/chromium not found (or set CHROMIUM_PATH)');
  });
});

describe('requireBinary', () => {
  it('answers true when the binary is there, whatever STOCKVERIFY_REQUIRE_ALL says', () => {
    expect(requireBinary('redis-server', { PATH: dir })).toBe(true);
    expect(requireBinary('redis-server', { PATH: dir, STOCKVERIFY_REQUIRE_ALL: '1' })).toBe(true);
  });

  it('throws the left-out line under STOCKVERIFY_REQUIRE_ALL=1', () => {
    expect(() =>
      requireBinary('redis-server', { PATH: '/nonexistent', STOCKVERIFY_REQUIRE_ALL: '1' }),
    ).toThrow(
      'needs redis-server (not found on PATH); install it with: sudo apt-get install redis-server — STOCKVERIFY_REQUIRE_ALL=1 makes a missing binary a failure',
    );
    expect(() =>
      requireBinary('chromium', { CHROMIUM_PATH: notExecutable, STOCKVERIFY_REQUIRE_ALL: '1' }),
    ).toThrow(/needs chromium .*sudo apt-get install chromium/);
  });
});

describe('leftOutReport', () => {
  it('prints one line per suite and the count, nothing when none was left out', () => {
    expect(leftOutReport([])).toEqual([]);
    const redis = missingBinary('redis-server', { PATH: '/nonexistent' })!;
    const chromium = missingBinary('chromium', { CHROMIUM_PATH: notExecutable })!;
    const lines = leftOutReport([
      { project: 'server', module: 'test/faults/a.test.ts', missing: [redis] },
      { project: 'pwa', module: 'test/e2e/b.test.ts', missing: [chromium] },
    ]);
    expect(lines).toEqual([
      ` left out  [server] test/faults/a.test.ts: ${leftOutMessage(redis)}`,
      ` left out  [pwa] test/e2e/b.test.ts: ${leftOutMessage(chromium)}`,
      ' left out 2 suites for want of redis-server and chromium (STOCKVERIFY_REQUIRE_ALL=1 makes this a failure, as in CI)',
    ]);
  });
});
