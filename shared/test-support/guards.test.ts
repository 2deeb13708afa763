/**
 * Every test file that starts Chromium or a throw-away redis-server guards itself with
 * requireBinary, so `npm test` on a machine without them leaves the suite out with the install
 * command instead of failing, and CI (STOCKVERIFY_REQUIRE_ALL=1) still fails loudly.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (entry.name === 'node_modules' || entry.name === 'dist' || entry.name.startsWith('.'))
      return [];
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return testFiles(full);
    return /\.test\.tsx?$/.test(entry.name) ? [full] : [];
  });
}

const NEEDS = [
  { binary: 'chromium', uses: /chromium\.launch|launchPersistentContext/ },
  { binary: 'redis-server', uses: /startThrowAwayRedis\(/ },
] as const;

describe('binary guards', () => {
  const files = ['shared', 'server', 'pwa', 'desktop'].flatMap((ws) =>
    testFiles(path.join(repoRoot, ws)),
  );

  it('finds the test files', () => {
    expect(files.length).toBeGreaterThan(50);
  });

  it('every suite that starts Chromium or redis-server calls requireBinary for it', () => {
    const unguarded: string[] = [];
    for (const file of files) {
      if (file === fileURLToPath(import.meta.url)) continue;
      const source = readFileSync(file, 'utf8');
      for (const { binary, uses } of NEEDS) {
        if (uses.test(source) && !source.includes(`requireBinary('${binary}')`)) {
          unguarded.push(`${path.relative(repoRoot, file)} needs requireBinary('${binary}')`);
        }
      }
    }
    expect(unguarded).toEqual([]);
  });
});
