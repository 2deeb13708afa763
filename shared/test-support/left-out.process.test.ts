/**
 * The left-out mechanism end to end: vitest itself runs the fixtures (fixtures/*.fixture.ts, one
 * needing redis-server, one Chromium, one nothing) with redis-server stripped from PATH and
 * CHROMIUM_PATH pointing nowhere. Without STOCKVERIFY_REQUIRE_ALL the run passes and prints one
 * line per left-out suite and the count; with it, the run fails naming each missing binary.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '../..');
const vitestBin = path.join(repoRoot, 'node_modules/vitest/vitest.mjs');
const config = path.join(here, 'fixtures/vitest.fixtures.config.ts');
const fakes = mkdtempSync(path.join(tmpdir(), 'sv-left-out-'));
afterAll(() => rmSync(fakes, { recursive: true, force: true }));

/** PATH without any directory holding a redis-server. */
const pathWithoutRedis = (process.env.PATH ?? '')
  .split(path.delimiter)
  .filter((dir) => dir && !existsSync(path.join(dir, 'redis-server')))
  .join(path.delimiter);

function runFixtures(env: Record<string, string>) {
  const { STOCKVERIFY_REQUIRE_ALL: _ci, CHROMIUM_PATH: _chromium, ...inherited } = process.env;
  const result = spawnSync(process.execPath, [vitestBin, 'run', '--config', config], {
    cwd: repoRoot,
    env: { ...inherited, NO_COLOR: '1', FORCE_COLOR: '0', ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: result.status, output: `${result.stdout}\n${result.stderr}` };
}

const missing = { PATH: pathWithoutRedis, CHROMIUM_PATH: path.join(fakes, 'no-chromium') };

describe('suites whose binary is missing', { timeout: 90_000 }, () => {
  it('are left out, one line each with the install command, and counted', () => {
    const run = runFixtures(missing);
    expect(run.status, run.output).toBe(0);
    expect(run.output).toContain(
      'left out  needs-redis.fixture.ts: needs redis-server (not found on PATH); install it with: sudo apt-get install redis-server',
    );
    expect(run.output).toMatch(
      /left out {2}needs-chromium\.fixture\.ts: needs chromium \(CHROMIUM_PATH=\S+no-chromium is not an executable file\); install it with: sudo apt-get install chromium/,
    );
    expect(run.output).toContain('left out 2 suites for want of chromium and redis-server');
    expect(run.output).toMatch(/Tests +1 passed \| 2 skipped/);
  });

  it('fail the run under STOCKVERIFY_REQUIRE_ALL=1, naming the binary and the install command', () => {
    const run = runFixtures({ ...missing, STOCKVERIFY_REQUIRE_ALL: '1' });
    expect(run.status, run.output).toBe(1);
    expect(run.output).toContain(
      'Error: needs redis-server (not found on PATH); install it with: sudo apt-get install redis-server — STOCKVERIFY_REQUIRE_ALL=1 makes a missing binary a failure',
    );
    expect(run.output).toMatch(/Error: needs chromium .*sudo apt-get install chromium/);
    expect(run.output).toMatch(/Test Files +2 failed \| 1 passed/);
    expect(run.output).not.toContain('left out 2 suites');
  });

  it('run when the binaries are there, and nothing is reported left out', () => {
    const redis = path.join(fakes, 'redis-server');
    const chromium = path.join(fakes, 'chromium');
    for (const file of [redis, chromium]) {
      writeFileSync(file, '#!/bin/sh\nexit 0\n');
      chmodSync(file, 0o755);
    }
    const run = runFixtures({
      PATH: `${fakes}${path.delimiter}${pathWithoutRedis}`,
      CHROMIUM_PATH: chromium,
      STOCKVERIFY_REQUIRE_ALL: '1',
    });
    expect(run.status, run.output).toBe(0);
    expect(run.output).toMatch(/Tests +3 passed/);
    expect(run.output).not.toContain('left out');
  });
});
