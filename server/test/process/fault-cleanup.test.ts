/**
 * A fault suite whose set-up fails reports that failure and nothing else (issue #11): its
 * clean-up must not throw a second error about what was never made (`rmSync(undefined)`), nor
 * assert on a process that never started. Here redis-server "exists" but dies at once (a fake on
 * PATH), so the suites' beforeAll fails for real; vitest runs them in a child process.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const fakes = mkdtempSync(path.join(tmpdir(), 'sv-fake-redis-'));
afterAll(() => rmSync(fakes, { recursive: true, force: true }));

it.each(['process-kill', 'redis-pause'])(
  '%s: a redis-server that will not start fails the set-up with one clear error',
  (suite) => {
    const fake = path.join(fakes, 'redis-server');
    writeFileSync(fake, '#!/bin/sh\necho "fake redis-server: refusing to start" >&2\nexit 1\n');
    chmodSync(fake, 0o755);
    const pathWithFake = [
      fakes,
      ...(process.env.PATH ?? '')
        .split(path.delimiter)
        .filter((dir) => dir && !existsSync(path.join(dir, 'redis-server'))),
    ].join(path.delimiter);
    const run = spawnSync(
      process.execPath,
      [
        path.join(repoRoot, 'node_modules/vitest/vitest.mjs'),
        'run',
        '--project',
        'server',
        `server/test/faults/${suite}.test.ts`,
      ],
      {
        cwd: repoRoot,
        env: { ...process.env, PATH: pathWithFake, NO_COLOR: '1', FORCE_COLOR: '0' },
        encoding: 'utf8',
        timeout: 90_000,
      },
    );
    const output = `${run.stdout}\n${run.stderr}`;
    expect(run.status, output).toBe(1);
    expect(output).toContain('redis-server did not start');
    expect(output).toContain('fake redis-server: refusing to start');
    // The clean-up adds nothing: no rmSync(undefined), no assertion on a process never started.
    expect(output).not.toContain('The "path" argument must be of type string');
    expect(output).not.toMatch(/AssertionError|expected undefined to be 0/);
    expect(output).not.toMatch(/TypeError/);
  },
  120_000,
);
