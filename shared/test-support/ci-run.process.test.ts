/**
 * `.ci/run` never lets CI silently run less (issue #11): after installing, it checks that
 * redis-server and Chromium are both there and exits non-zero naming what is missing; then it runs
 * everything under STOCKVERIFY_REQUIRE_ALL=1. Run here with fakes: apt-get does nothing, and npm
 * only reports the variable and stops the script before it installs or tests anything.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const root = mkdtempSync(path.join(tmpdir(), 'sv-ci-run-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function fake(dir: string, name: string, script: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, `#!/bin/sh\n${script}\n`);
  chmodSync(file, 0o755);
  return file;
}

/** A PATH with only what .ci/run needs before `npm ci`, plus the given fakes. */
function binDir(name: string, withRedis: boolean): string {
  const dir = path.join(root, name);
  rmSync(dir, { recursive: true, force: true });
  spawnSync('mkdir', ['-p', dir]);
  for (const tool of ['bash', 'dirname']) {
    const found = spawnSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).stdout.trim();
    symlinkSync(found, path.join(dir, tool));
  }
  fake(dir, 'apt-get', 'echo "fake apt-get $*"');
  fake(dir, 'npm', 'echo "fake npm $* STOCKVERIFY_REQUIRE_ALL=$STOCKVERIFY_REQUIRE_ALL"; exit 3');
  if (withRedis) fake(dir, 'redis-server', 'exit 0');
  return dir;
}

function ciRun(pathDir: string, chromium: string) {
  const result = spawnSync(path.join(repoRoot, '.ci/run'), [], {
    cwd: repoRoot,
    env: { PATH: pathDir, CHROMIUM_PATH: chromium, HOME: root },
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { status: result.status, output: `${result.stdout}\n${result.stderr}` };
}

describe('.ci/run', () => {
  it('exits non-zero naming both binaries when they are still missing after install', () => {
    const run = ciRun(binDir('none', false), path.join(root, 'no-chromium'));
    expect(run.status, run.output).toBe(1);
    expect(run.output).toContain('ci: installing redis-server chromium');
    expect(run.output).toContain('ci: missing after install: redis-server (not on PATH)');
    expect(run.output).toContain(`ci: missing after install: chromium (${root}/no-chromium)`);
    expect(run.output).not.toContain('fake npm');
  });

  it('exits non-zero when only Chromium is missing, and when only redis-server is', () => {
    const onlyRedis = ciRun(binDir('redis', true), path.join(root, 'no-chromium'));
    expect(onlyRedis.status, onlyRedis.output).toBe(1);
    expect(onlyRedis.output).not.toContain('redis-server (not on PATH)');
    expect(onlyRedis.output).toContain('missing after install: chromium');

    const chromium = fake(root, 'chromium', 'exit 0');
    const onlyChromium = ciRun(binDir('chromium-only', false), chromium);
    expect(onlyChromium.status, onlyChromium.output).toBe(1);
    expect(onlyChromium.output).toContain('missing after install: redis-server (not on PATH)');
    expect(onlyChromium.output).not.toContain('missing after install: chromium');
  });

  it('with both present, goes on to npm under STOCKVERIFY_REQUIRE_ALL=1', () => {
    const chromium = fake(root, 'chromium', 'exit 0');
    const run = ciRun(binDir('both', true), chromium);
    expect(run.output).not.toContain('fake apt-get');
    expect(run.output).not.toContain('missing after install');
    expect(run.output).toContain('fake npm ci --no-audit --no-fund STOCKVERIFY_REQUIRE_ALL=1');
    expect(run.status, run.output).toBe(3);
  });
});
