/**
 * ensureBuilt's lock (real-server.ts withLock): test files in parallel workers that find the same
 * front-end build stale must not build into one dist folder at once. Three processes take the
 * same lock and each writes begin/end around a pause: the spans never overlap.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';

const here = path.dirname(fileURLToPath(import.meta.url));
const dir = mkdtempSync(path.join(tmpdir(), 'sv-build-lock-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const holder = `
import { appendFileSync } from 'node:fs';
import { withLock } from ${JSON.stringify(path.join(here, 'real-server.ts'))};
const [lock, log, name] = process.argv.slice(-3);
withLock(lock, () => {
  appendFileSync(log, 'begin ' + name + '\\n');
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 300);
  appendFileSync(log, 'end ' + name + '\\n');
});
`;

it('lets one process at a time hold the build lock', async () => {
  const lock = path.join(dir, 'locks', 'build.lock');
  const log = path.join(dir, 'log.txt');
  const runs = ['a', 'b', 'c'].map(
    (name) =>
      new Promise<number | null>((resolve) => {
        const child = spawn(
          process.execPath,
          ['--import', 'tsx', '--input-type=module', '-e', holder, '--', lock, log, name],
          { stdio: 'inherit', cwd: path.resolve(here, '../..') },
        );
        child.once('exit', resolve);
      }),
  );
  expect(await Promise.all(runs)).toEqual([0, 0, 0]);
  const lines = readFileSync(log, 'utf8').trim().split('\n');
  expect(lines).toHaveLength(6);
  for (let i = 0; i < 6; i += 2) {
    const name = lines[i]!.split(' ')[1];
    expect([lines[i], lines[i + 1]]).toEqual([`begin ${name}`, `end ${name}`]);
  }
}, 60_000);
